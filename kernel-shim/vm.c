/*
 * Address spaces: their page tables, mapping, and the copies between kernel and user memory
 * (vm.h). Nothing here touches a hart (vm_hart.c does), so the host tests run this file.
 */
#include "vm.h"

#include <string.h>

#include "config.h"
#include "kalloc.h"
#include "nx/abi.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)

#define VPN(va, level) (((va) >> (12 + 9 * (level))) & 0x1FF)
#define PTE_PA(pte) (((pte) >> 10) << 12)
#define PA_PTE(pa) (((uintptr_t)(pa) >> 12) << 10)

void ks_vm_kernel_map(uint64_t *root)
{
	root[0] = PA_PTE(0UL) | PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D;
	root[2] = PA_PTE(KS_RAM_BASE) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D;
}

/* No page remembered (ks_space.last_*). */
static void forget_last(struct ks_space *s)
{
	for (int w = 0; w < 2; w++) {
		s->last_vpn[w] = 0;
		s->last_va[w] = 0;
		s->last_pte[w] = 0;
		s->last_kofs[w] = 0;
	}
}

int ks_space_create(struct ks_space *s, uint32_t quota)
{
	if (quota < 3)
		return -NX_ENOMEM;
	uint64_t *root = ks_page_alloc();
	if (root == NULL)
		return -NX_ENOMEM;
	ks_vm_kernel_map(root);
	s->root = root;
	s->satp = ks_vm_satp(root);
	s->pages = 1;
	s->quota = quota;
	s->brk = KS_USER_BASE;
	forget_last(s);
	return 0;
}

/* Free the user part of the table at `level` (2 = root) and everything under it. */
static void free_level(uint64_t *table, int level, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		uint64_t pte = table[i];
		if (!(pte & PTE_V))
			continue;
		if (level > 0 && !(pte & PTE_LEAF))
			free_level((uint64_t *)PTE_PA(pte), level - 1, 0, 512);
		ks_page_free((void *)PTE_PA(pte));
	}
}

void ks_space_destroy(struct ks_space *s)
{
	if (s->root == NULL)
		return;
	free_level(s->root, 2, VPN(KS_USER_BASE, 2), VPN(KS_USER_TOP - 1, 2) + 1);
	ks_page_free(s->root);
	s->root = NULL;
	s->satp = 0;
	s->pages = 0;
	forget_last(s);
}

/* The leaf PTE slot for `va`, allocating intermediate tables if `alloc` (counted in quota). */
static uint64_t *walk(struct ks_space *s, uintptr_t va, int alloc)
{
	uint64_t *table = s->root;
	for (int level = 2; level > 0; level--) {
		uint64_t *pte = &table[VPN(va, level)];
		if (*pte & PTE_V) {
			if (*pte & PTE_LEAF)
				return NULL;
			table = (uint64_t *)PTE_PA(*pte);
			continue;
		}
		if (!alloc || s->pages >= s->quota)
			return NULL;
		uint64_t *next = ks_page_alloc();
		if (next == NULL)
			return NULL;
		s->pages++;
		*pte = PA_PTE(next) | PTE_V;
		table = next;
	}
	return &table[VPN(va, 0)];
}

int ks_space_map(struct ks_space *s, uintptr_t va, unsigned perm, void **page)
{
	if (va % KS_PAGE_SIZE != 0 || va < KS_USER_BASE || va >= KS_USER_TOP || (perm & ~PTE_LEAF) != 0)
		return -NX_EINVAL;
	uint64_t *pte = walk(s, va, 1);
	if (pte == NULL)
		return -NX_ENOMEM;
	if (*pte & PTE_V)
		return -NX_EINVAL;
	if (s->pages >= s->quota)
		return -NX_ENOMEM;
	void *p = ks_page_alloc();
	if (p == NULL)
		return -NX_ENOMEM;
	s->pages++;
	*pte = PA_PTE(p) | perm | PTE_V | PTE_U | PTE_A | PTE_D;
	*page = p;
	return 0;
}

/* The leaf entry mapping user address `va`, or 0 if none; `w` picks the remembered entry. */
static uint64_t leaf_of(struct ks_space *s, uintptr_t va, int w)
{
	const uintptr_t vpn = va >> 12;
	if (vpn == s->last_vpn[w])
		return s->last_pte[w];
	const uint64_t *table = s->root;
	for (int level = 2; level > 0; level--) {
		uint64_t pte = table[VPN(va, level)];
		if (!(pte & PTE_V) || (pte & PTE_LEAF))
			return 0;
		table = (const uint64_t *)PTE_PA(pte);
	}
	uint64_t pte = table[VPN(va, 0)];
	if (pte & PTE_V) {
		const uintptr_t page = vpn << 12;
		s->last_vpn[w] = vpn;
		s->last_va[w] = page;
		s->last_pte[w] = pte;
		s->last_kofs[w] = PTE_PA(pte) - page;
	}
	return pte;
}

/* Kernel address of user byte `va` if its page is user-mapped with `need`, else NULL. */
static uint8_t *user_byte(struct ks_space *s, uintptr_t va, uint64_t need)
{
	if (va < KS_USER_BASE || va >= KS_USER_TOP)
		return NULL;
	uint64_t pte = leaf_of(s, va, (need & PTE_W) != 0);
	if ((pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
		return NULL;
	return (uint8_t *)(PTE_PA(pte) + (va % KS_PAGE_SIZE));
}

/* Check a whole user range before touching it, so a failed copyout writes nothing. */
static int range_ok(struct ks_space *s, uintptr_t va, size_t len, uint64_t need)
{
	if (len == 0)
		return 1;
	if (va + len < va || va + len > KS_USER_TOP)
		return 0;
	for (uintptr_t p = va & ~(KS_PAGE_SIZE - 1); p < va + len; p += KS_PAGE_SIZE) {
		if (user_byte(s, p, need) == NULL)
			return 0;
	}
	return 1;
}

static void copy_pages(struct ks_space *s, uintptr_t va, uint8_t *kbuf, size_t len, int to_user)
{
	while (len > 0) {
		size_t chunk = KS_PAGE_SIZE - (va % KS_PAGE_SIZE);
		if (chunk > len)
			chunk = len;
		uint8_t *u = user_byte(s, va, 0);
		if (to_user)
			memcpy(u, kbuf, chunk);
		else
			memcpy(kbuf, u, chunk);
		va += chunk;
		kbuf += chunk;
		len -= chunk;
	}
}

/* Kernel address of [va, va + len) when it lies within one user page mapped with `need`
 * (the common case: a message or a small struct), found with a single table walk. */
static uint8_t *in_one_page(struct ks_space *s, uintptr_t va, size_t len, uint64_t need)
{
	if (len == 0 || len > KS_PAGE_SIZE - (va % KS_PAGE_SIZE))
		return NULL;
	return user_byte(s, va, need);
}

/* A copy that is not within one page, or that fails (out of line: the common case of a
 * copy within one page then needs no saved registers). `to_user`: copyout, else copyin. */
static __attribute__((noinline)) int copy_slow(struct ks_space *s, uintptr_t va, uint8_t *kbuf, size_t len,
					       int to_user)
{
	if (!range_ok(s, va, len, to_user ? PTE_W : PTE_R))
		return -NX_EFAULT;
	copy_pages(s, va, kbuf, len, to_user);
	return 0;
}

int ks_user_span(struct ks_space *s, uintptr_t va, size_t len, int write, void **kaddr)
{
	const unsigned w = write != 0;
	/* First and last byte in the remembered page: that is a user page (leaf_of remembers only
	 * pages of the user range), so one compare checks the whole range: the offset in the
	 * page, unsigned (below the page it wraps), leaves room for `len`. */
	if (len - 1 >= KS_PAGE_SIZE || va - s->last_va[w] > KS_PAGE_SIZE - len)
		return 0;
	const uint64_t need = PTE_V | PTE_U | (w ? PTE_W : PTE_R);
	if ((s->last_pte[w] & need) != need)
		return 0;
	*kaddr = (void *)(va + s->last_kofs[w]);
	return 1;
}

int ks_copyin(struct ks_space *s, void *dst, uintptr_t usrc, size_t len)
{
	uint8_t *u = in_one_page(s, usrc, len, PTE_R);
	if (u == NULL)
		return copy_slow(s, usrc, dst, len, 0);
	memcpy(dst, u, len);
	return 0;
}

const void *ks_user_view(struct ks_space *s, uintptr_t usrc, size_t len, void *bounce)
{
	const uint8_t *u = in_one_page(s, usrc, len, PTE_R);
	if (u != NULL)
		return u;
	return copy_slow(s, usrc, bounce, len, 0) == 0 ? bounce : NULL;
}

int ks_copyout(struct ks_space *s, uintptr_t udst, const void *src, size_t len)
{
	uint8_t *u = in_one_page(s, udst, len, PTE_W);
	if (u == NULL)
		return copy_slow(s, udst, (uint8_t *)src, len, 1);
	memcpy(u, src, len);
	return 0;
}
