/*
 * The ELF validator (the rules are listed in elf.h). Fields are read byte by byte,
 * little-endian, so neither the host's byte order nor the image's alignment matters. The
 * plan is built in a local copy and handed over only once every rule has passed.
 */
#include "elf.h"

#include <string.h>

#include "nx/abi.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_RISCV 243
#define PT_LOAD 1

/* A leaf page table maps 512 pages. The user range lies in one gigapage, so besides its leaf
 * tables a space needs the root table and one level-1 table (vm.c counts all three kinds). */
#define TABLE_SPAN (512 * KS_PAGE_SIZE)
#define FIXED_TABLES 2
_Static_assert(KS_USER_BASE / (512 * TABLE_SPAN) == (KS_USER_TOP - 1) / (512 * TABLE_SPAN),
	       "the user range lies in one gigapage");
_Static_assert(KS_USER_BASE % KS_PAGE_SIZE == 0 && KS_ELF_USER_END > KS_USER_BASE,
	       "segments have room below the stack");

static uint64_t rd(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = bytes; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* H1..H6 (H5's lower bound is I3's: no header, no entry). */
static int header_ok(const uint8_t *img, size_t len)
{
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT };
	if (len < EHDR_SIZE || memcmp(img, ident, sizeof ident) != 0 || rd(img + 16, 2) != ET_EXEC ||
	    rd(img + 18, 2) != EM_RISCV || rd(img + 20, 4) != EV_CURRENT || rd(img + 52, 2) != EHDR_SIZE ||
	    rd(img + 54, 2) != PHDR_SIZE)
		return 0;
	uint64_t phoff = rd(img + 32, 8);
	uint64_t phnum = rd(img + 56, 2);
	return phnum <= KS_ELF_MAX_PHDRS && phoff % 8 == 0 && phoff <= len &&
	       phnum * PHDR_SIZE <= len - phoff;
}

/* S1: R, RW, RX or X. A PTE with W but not R is reserved, and one with none is not a leaf. */
static int perm_ok(uint64_t flags)
{
	return flags == KS_ELF_R || flags == (KS_ELF_R | KS_ELF_W) || flags == (KS_ELF_R | KS_ELF_X) ||
	       flags == KS_ELF_X;
}

/* Read the PT_LOAD header `ph` into `seg` and check S1..S5. */
static int load_ok(const uint8_t *ph, size_t len, struct ks_elf_segment *seg)
{
	uint64_t flags = rd(ph + 4, 4);
	uint64_t align = rd(ph + 48, 8);
	seg->offset = rd(ph + 8, 8);
	seg->vaddr = rd(ph + 16, 8);
	seg->filesz = rd(ph + 32, 8);
	seg->memsz = rd(ph + 40, 8);
	seg->perm = (uint32_t)flags;
	/* With align 0 the mask is all ones and the power-of-two test passes: 0 means "none". */
	return perm_ok(flags) && seg->memsz != 0 && seg->filesz <= seg->memsz && seg->offset <= len &&
	       seg->filesz <= len - seg->offset && seg->vaddr % KS_PAGE_SIZE == 0 &&
	       (align & (align - 1)) == 0 && (align == 0 || ((seg->offset - seg->vaddr) & (align - 1)) == 0) &&
	       seg->vaddr >= KS_USER_BASE && seg->vaddr < KS_ELF_USER_END &&
	       seg->memsz <= KS_ELF_USER_END - seg->vaddr;
}

/* First address past the last page of `seg` (no overflow: S5 keeps it below KS_USER_TOP). */
static uint64_t page_end(const struct ks_elf_segment *seg)
{
	return (seg->vaddr + seg->memsz + KS_PAGE_SIZE - 1) & ~(KS_PAGE_SIZE - 1);
}

/* I3 (and I1: no segment, no entry). */
static int entry_ok(const struct ks_elf_plan *p)
{
	for (uint32_t i = 0; i < p->nseg; i++) {
		const struct ks_elf_segment *s = &p->seg[i];
		if ((s->perm & KS_ELF_X) && p->entry >= s->vaddr && p->entry - s->vaddr < s->memsz)
			return 1;
	}
	return 0;
}

/* Leaf tables the pages [start, end) add, `*last` being the span of the last one counted;
 * ranges come in ascending order, so a table is shared only with the range before. */
static uint64_t new_tables(uint64_t start, uint64_t end, uint64_t *last)
{
	uint64_t lo = start / TABLE_SPAN;
	uint64_t hi = (end - 1) / TABLE_SPAN;
	uint64_t n = hi - lo + 1 - (lo == *last);
	*last = hi;
	return n;
}

/* I4's count: page tables, the segments' pages, the stack. */
static uint64_t pages_needed(const struct ks_elf_plan *p)
{
	uint64_t pages = FIXED_TABLES + KS_USER_STACK_PAGES;
	uint64_t last = UINT64_MAX;
	for (uint32_t i = 0; i < p->nseg; i++) {
		uint64_t end = page_end(&p->seg[i]);
		pages += (end - p->seg[i].vaddr) / KS_PAGE_SIZE + new_tables(p->seg[i].vaddr, end, &last);
	}
	return pages + new_tables(KS_ELF_USER_END, KS_USER_TOP, &last);
}

int ks_elf_check(const uint8_t *img, size_t len, const struct ks_elf_limits *lim, struct ks_elf_plan *plan)
{
	if (!header_ok(img, len))
		return -NX_ENOEXEC;
	const uint8_t *table = img + rd(img + 32, 8);
	unsigned phnum = (unsigned)rd(img + 56, 2);
	struct ks_elf_plan p;
	memset(&p, 0, sizeof p);
	p.entry = rd(img + 24, 8);
	uint64_t free_from = 0; /* I2: the first page no earlier segment touches */
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = table + (size_t)i * PHDR_SIZE;
		if (rd(ph, 4) != PT_LOAD)
			continue;
		struct ks_elf_segment *seg = &p.seg[p.nseg];
		if (!load_ok(ph, len, seg) || seg->vaddr < free_from)
			return -NX_ENOEXEC;
		free_from = page_end(seg);
		p.nseg++;
	}
	if (!entry_ok(&p))
		return -NX_ENOEXEC;
	uint64_t pages = pages_needed(&p);
	if (pages > lim->page_quota)
		return -NX_ENOMEM;
	p.pages = (uint32_t)pages;
	*plan = p;
	return 0;
}
