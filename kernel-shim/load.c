/* Loading a task image into a new address space (load.h). */
#include "load.h"

#include <string.h>

#include "config.h"
#include "elf.h"
#include "nx/abi.h"

/* Map segment `seg` of the checked image `img` into `s`. */
static int map_segment(struct ks_space *s, const uint8_t *img, const struct ks_elf_segment *seg)
{
	unsigned perm = ((seg->perm & KS_ELF_R) ? KS_PERM_R : 0) | ((seg->perm & KS_ELF_W) ? KS_PERM_W : 0) |
			((seg->perm & KS_ELF_X) ? KS_PERM_X : 0);
	for (uint64_t off = 0; off < seg->memsz; off += KS_PAGE_SIZE) {
		uint8_t *page;
		int rc = ks_space_map(s, seg->vaddr + off, perm, (void **)&page);
		if (rc != 0)
			return rc;
		/* Copy the file bytes that fall into this page; the rest stays zero. */
		if (off < seg->filesz)
			memcpy(page, img + seg->offset + off,
			       seg->filesz - off < KS_PAGE_SIZE ? seg->filesz - off : KS_PAGE_SIZE);
	}
	return 0;
}

static int map_stack(struct ks_space *s)
{
	for (unsigned i = 1; i <= KS_USER_STACK_PAGES; i++) {
		void *page;
		int rc = ks_space_map(s, KS_USER_TOP - i * KS_PAGE_SIZE, KS_PERM_R | KS_PERM_W, &page);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Map a checked image as `plan` says (its segments in ascending order, then the stack) and
 * start the heap after its last segment. */
static int map_image(struct ks_space *s, const uint8_t *img, const struct ks_elf_plan *plan)
{
	for (uint32_t i = 0; i < plan->nseg; i++) {
		int rc = map_segment(s, img, &plan->seg[i]);
		if (rc != 0)
			return rc;
	}
	const struct ks_elf_segment *last = &plan->seg[plan->nseg - 1];
	s->brk = (last->vaddr + last->memsz + KS_PAGE_SIZE - 1) & ~(KS_PAGE_SIZE - 1);
	return map_stack(s);
}

int ks_space_load(struct ks_space *s, const uint8_t *img, size_t len, uint32_t quota, uint64_t *entry)
{
	const struct ks_elf_limits lim = { .page_quota = quota };
	struct ks_elf_plan plan;
	memset(s, 0, sizeof *s);
	int rc = ks_elf_check(img, len, &lim, &plan);
	if (rc != 0)
		return rc;
	rc = ks_space_create(s, quota);
	if (rc != 0)
		return rc;
	rc = map_image(s, img, &plan);
	if (rc != 0) {
		ks_space_destroy(s);
		return rc;
	}
	*entry = plan.entry;
	return 0;
}
