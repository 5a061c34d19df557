/*
 * Sv39 address spaces. Every space maps the kernel the same way (two supervisor-only
 * gigapages: MMIO at 0 and RAM at 0x80000000, identity-mapped, so a physical address is
 * also a kernel pointer); user pages live in [KS_USER_BASE, KS_USER_TOP).
 *
 * The kernel never dereferences a user pointer: ks_copyin/ks_copyout walk the task's page
 * table, check the U bit and the permission the access needs, and copy page by page.
 */
#ifndef KS_VM_H
#define KS_VM_H

#include <stddef.h>
#include <stdint.h>

/** Permissions of a user page. */
enum ks_perm {
	KS_PERM_R = 1u << 1,
	KS_PERM_W = 1u << 2,
	KS_PERM_X = 1u << 3,
};

/** A task's address space. */
struct ks_space {
	uint64_t *root;     /**< Sv39 root table (a physical page) */
	uint64_t satp;      /**< the satp value that selects `root` (ks_vm_satp), 0 with none */
	uint32_t pages;     /**< pages in use: user pages and page tables */
	uint32_t quota;     /**< limit on `pages` */
	uintptr_t brk;      /**< end of the heap (grows up from the image's end) */
	/* The last user page translated for reading ([0]) and for writing ([1]), its leaf entry
	 * and where it is in kernel memory. A valid leaf never changes while the space lives
	 * (pages are only added, and all are freed together), so what is kept here stays right. */
	uintptr_t last_vpn[2]; /**< the page's number, for the copies' lookup; 0 = none */
	uintptr_t last_va[2];  /**< the page's user address, for ks_user_span; 0 = none (below KS_USER_BASE) */
	uint64_t last_pte[2];  /**< 0 with none: it maps nothing */
	uintptr_t last_kofs[2]; /**< kernel address of a byte of the page minus its user address */
};

/** The satp value that makes `root` the hart's table (Sv39, no ASID). */
static inline uint64_t ks_vm_satp(const uint64_t *root)
{
	return (8ULL << 60) | ((uintptr_t)root >> 12);
}

/** Write the kernel's two supervisor-only gigapage entries into the root table `root`. */
void ks_vm_kernel_map(uint64_t *root);

/** Build the kernel's own table and turn paging on for this hart. Boot hart first (vm_hart.c). */
void ks_vm_init(void);
/** Turn paging on for a secondary hart (kernel table). */
void ks_vm_enable_hart(void);
/** Switch this hart to `s` (NULL: the kernel table). */
void ks_vm_switch(const struct ks_space *s);

/**
 * An empty space allowed `quota` pages.
 * @retval 0 done
 * @retval -NX_ENOMEM no page for the root table, or quota < 3
 */
__attribute__((warn_unused_result)) int ks_space_create(struct ks_space *s, uint32_t quota);

/** Free every page of `s`. */
void ks_space_destroy(struct ks_space *s);

/**
 * Map a fresh zeroed page at user address `va` (page-aligned) with `perm`; `*page` gets its
 * kernel address.
 * @retval 0 done
 * @retval -NX_EINVAL va outside the user range, unaligned, or already mapped
 * @retval -NX_ENOMEM quota exhausted or no free page; nothing was mapped
 */
__attribute__((warn_unused_result)) int ks_space_map(struct ks_space *s, uintptr_t va, unsigned perm,
						     void **page);

/**
 * Copy `len` bytes from user address `usrc` into kernel memory.
 * @retval 0 done
 * @retval -NX_EFAULT some byte is not mapped readable for the user; `dst` may be partly written
 */
__attribute__((warn_unused_result)) int ks_copyin(struct ks_space *s, void *dst, uintptr_t usrc,
						  size_t len);

/**
 * The `len` (> 0) bytes at user address `usrc`, for reading only: their kernel address when
 * they lie in one user-readable page (no copy), else a copy in `bounce` (`len` bytes).
 * @return the bytes, or NULL when some byte is not mapped readable for the user
 */
__attribute__((warn_unused_result)) const void *ks_user_view(struct ks_space *s, uintptr_t usrc,
							     size_t len, void *bounce);

/**
 * Whether the `len` bytes at user address `va` lie in the user page last translated for
 * reading (`write` 0) or for writing (`write` 1), and it is mapped so for the user: the IPC
 * fast path's check before its one copy. Reads or writes nothing of the range and walks no
 * table (the checked copies above translate a page and remember it).
 * @return 1 and `*kaddr` their kernel address; 0 when `len` is 0, the range crosses a page,
 *         its page is not the one remembered or is not mapped so for the user (the caller
 *         then takes the checked copies)
 */
__attribute__((warn_unused_result)) int ks_user_span(struct ks_space *s, uintptr_t va, size_t len, int write,
						     void **kaddr);

/**
 * Copy `len` bytes from kernel memory to user address `udst`.
 * @retval 0 done
 * @retval -NX_EFAULT some byte is not mapped writable for the user; nothing was written
 */
__attribute__((warn_unused_result)) int ks_copyout(struct ks_space *s, uintptr_t udst, const void *src,
						   size_t len);

#endif
