/*
 * The ELF validator: every check a task image passes before the kernel maps any of it.
 *
 * Pure: it reads only the bytes it is given, writes only the plan, and knows nothing of the
 * kernel but the user address-space layout of config.h, so the host tests and the fuzzer run
 * the same code as the kernel. An image is accepted only if all of these hold (docs/kernel.md,
 * "ELF images"):
 *
 * Header
 *  H1  the image holds an ELF64 header (64 bytes);
 *  H2  e_ident: "\x7f" "ELF", ELFCLASS64, ELFDATA2LSB, EV_CURRENT;
 *  H3  e_type ET_EXEC, e_machine EM_RISCV (243), e_version EV_CURRENT;
 *  H4  e_ehsize 64, e_phentsize 56;
 *  H5  1 <= e_phnum <= KS_ELF_MAX_PHDRS (I3 cannot hold with none);
 *  H6  e_phoff is a multiple of 8 and the program header table lies inside the image.
 * Each PT_LOAD header (headers of other types are ignored; H6 keeps them inside the table)
 *  S1  p_flags is R, RW, RX or X: no other bits, never W with X, never W without R;
 *  S2  0 < p_memsz, p_filesz <= p_memsz;
 *  S3  [p_offset, p_offset + p_filesz) lies inside the image;
 *  S4  p_vaddr is page-aligned; p_align is 0 or a power of two, and p_offset = p_vaddr
 *      modulo p_align;
 *  S5  [p_vaddr, p_vaddr + p_memsz) lies inside [KS_USER_BASE, KS_ELF_USER_END).
 * The image as a whole
 *  I1  at least one PT_LOAD (I3 cannot hold without one);
 *  I2  each PT_LOAD starts on a page after the last page of the one before it: ascending
 *      p_vaddr (as the ELF specification requires) and no page shared by two segments (a
 *      page is mapped with one segment's permissions);
 *  I3  e_entry lies inside [p_vaddr, p_vaddr + p_memsz) of an executable segment;
 *  I4  the pages the task's space will hold once its image and stack are mapped (user pages
 *      and the page tables they need, counted as vm.c counts them) are within the quota.
 * Every sum is checked for overflow before it is formed. Section headers are not read.
 */
#ifndef KS_ELF_H
#define KS_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/** Most program headers an image may have, of every type (H5). */
#define KS_ELF_MAX_PHDRS 16

/** End of the range segments may occupy: the stack's pages lie above it (S5). */
#define KS_ELF_USER_END (KS_USER_TOP - KS_USER_STACK_PAGES * KS_PAGE_SIZE)

/** Permissions of a segment: the ELF p_flags bits. */
enum ks_elf_perm {
	KS_ELF_X = 1u,
	KS_ELF_W = 2u,
	KS_ELF_R = 4u,
};

/** What the task may use. */
struct ks_elf_limits {
	uint32_t page_quota; /**< pages its space may hold: page tables, image and stack (I4) */
};

/** One loadable segment, as the kernel maps it. */
struct ks_elf_segment {
	uint64_t offset; /**< where its file bytes start in the image */
	uint64_t vaddr;  /**< user address of its first byte; page-aligned */
	uint64_t filesz; /**< bytes copied from the image; the rest up to memsz is zero */
	uint64_t memsz;  /**< bytes of memory, > 0; it spans ceil(memsz / page) pages */
	uint32_t perm;   /**< enum ks_elf_perm bits: R, RW, RX or X */
};

/** How to build a task's space from a checked image. */
struct ks_elf_plan {
	uint64_t entry; /**< user pc to start at; inside an executable segment */
	uint32_t pages; /**< pages the space holds once `seg` and the stack are mapped, tables included */
	uint32_t nseg;  /**< loadable segments, 1..KS_ELF_MAX_PHDRS */
	struct ks_elf_segment seg[KS_ELF_MAX_PHDRS]; /**< in ascending vaddr; no two share a page; the
							  entries past `nseg` are zero */
};

/**
 * Check the `len`-byte ELF image at `img` against rules H1..I4 above and plan its loading.
 * Reads no byte outside [img, img + len); `img` needs no alignment.
 * @retval 0 the image is valid: `*plan` describes it
 * @retval -NX_ENOEXEC a rule of H1..I3 is broken; `*plan` is unchanged
 * @retval -NX_ENOMEM the image is valid but needs more than `lim->page_quota` pages (I4);
 *         `*plan` is unchanged
 */
__attribute__((warn_unused_result)) int ks_elf_check(const uint8_t *img, size_t len,
						     const struct ks_elf_limits *lim,
						     struct ks_elf_plan *plan);

#endif
