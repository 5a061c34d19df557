/*
 * Loading an image into a new address space (kernel-shim/load.c) with the kernel's own
 * validator (elf.c) and address spaces (vm.c), over a fake page allocator whose pool the
 * tests size: a load that runs out of RAM after any number of pages frees every page it
 * took; a load over quota or of an invalid image takes none; a load with exactly enough
 * pages succeeds and holds the image's bytes where the plan puts them. And the IPC fast
 * path's check of a user range (ks_user_span): one page, mapped for the access asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"
#include "kalloc.h"
#include "load.h"
#include "nx/abi.h"

#define BASE KS_USER_BASE
#define PAGE KS_PAGE_SIZE
/* Pages of the test image's space: text 1, rodata 1, data 2, stack 4, root and level-1
 * tables 2, the leaf tables of the first 2 MiB and of the stack's 2 MiB. */
#define IMAGE_PAGES 12
#define POOL_MAX 64
#define IMG_LEN 0x200

/* The fake allocator: a pool of POOL_MAX pages of which the first `pool_size` are handed out. */
static uint8_t *pool;
static uint8_t in_use[POOL_MAX];
static unsigned pool_size;
static unsigned pool_free;
static unsigned allocs;

void *ks_page_alloc(void)
{
	for (unsigned i = 0; i < pool_size; i++) {
		if (!in_use[i]) {
			in_use[i] = 1;
			pool_free--;
			allocs++;
			memset(pool + i * PAGE, 0, PAGE);
			return pool + i * PAGE;
		}
	}
	return NULL;
}

void ks_page_free(void *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)pool;
	if ((uint8_t *)page < pool || off % PAGE != 0 || off / PAGE >= pool_size || !in_use[off / PAGE])
		fail_msg("freed %p, which is no page handed out", page);
	in_use[off / PAGE] = 0;
	pool_free++;
}

size_t ks_pages_free(void)
{
	return pool_free;
}

static void pool_reset(unsigned size)
{
	memset(in_use, 0, sizeof in_use);
	pool_size = size;
	pool_free = size;
	allocs = 0;
}

static int setup(void **state)
{
	(void)state;
	pool = aligned_alloc(PAGE, POOL_MAX * PAGE);
	return pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pool);
	return 0;
}

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct seg {
	uint32_t flags;
	uint64_t offset, vaddr, filesz, memsz;
};

/* The linker script's shape (text RX, rodata R, data RW with bss), file bytes packed close. */
static const struct seg segs[3] = {
	{ KS_ELF_R | KS_ELF_X, 0x100, BASE, 0x80, 0x80 },
	{ KS_ELF_R, 0x180, BASE + 0x1000, 0x40, 0x40 },
	{ KS_ELF_R | KS_ELF_W, 0x1C0, BASE + 0x2000, 0x20, 0x1200 },
};

static uint8_t pattern(uint64_t offset)
{
	return (uint8_t)(0x5A ^ offset ^ (offset >> 8));
}

static void build(uint8_t img[IMG_LEN])
{
	memset(img, 0, IMG_LEN);
	for (unsigned k = 0x100; k < IMG_LEN; k++)
		img[k] = pattern(k);
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	memcpy(img, ident, sizeof ident);
	put(img + 16, 2, 2);   /* ET_EXEC */
	put(img + 18, 243, 2); /* EM_RISCV */
	put(img + 20, 1, 4);   /* EV_CURRENT */
	put(img + 24, BASE, 8);
	put(img + 32, 64, 8);
	put(img + 52, 64, 2);
	put(img + 54, 56, 2);
	put(img + 56, 3, 2);
	put(img + 58, 64, 2);
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *p = img + 64 + 56 * i;
		put(p, 1, 4); /* PT_LOAD */
		put(p + 4, segs[i].flags, 4);
		put(p + 8, segs[i].offset, 8);
		put(p + 16, segs[i].vaddr, 8);
		put(p + 24, segs[i].vaddr, 8);
		put(p + 32, segs[i].filesz, 8);
		put(p + 40, segs[i].memsz, 8);
		put(p + 48, 0x10, 8);
	}
}

static void the_test_image_needs_its_pages(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	build(img);
	struct ks_elf_plan plan;
	const struct ks_elf_limits lim = { .page_quota = KS_TASK_PAGE_QUOTA };
	assert_int_equal(ks_elf_check(img, sizeof img, &lim, &plan), 0);
	assert_int_equal(plan.pages, IMAGE_PAGES);
}

static void loads_an_image_into_exactly_its_planned_pages(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	build(img);
	pool_reset(IMAGE_PAGES);
	struct ks_space s;
	uint64_t entry = 0;
	assert_int_equal(ks_space_load(&s, img, sizeof img, KS_TASK_PAGE_QUOTA, &entry), 0);
	assert_int_equal(entry, BASE);
	assert_int_equal(s.pages, IMAGE_PAGES);
	assert_int_equal(ks_pages_free(), 0);
	assert_int_equal(s.brk, BASE + 0x4000);
	for (unsigned i = 0; i < 3; i++) {
		uint8_t got[0x1200];
		assert_int_equal(ks_copyin(&s, got, segs[i].vaddr, segs[i].memsz), 0);
		for (uint64_t k = 0; k < segs[i].memsz; k++) {
			uint8_t want = k < segs[i].filesz ? pattern(segs[i].offset + k) : 0;
			if (got[k] != want)
				fail_msg("segment %u byte %lu: 0x%02x, want 0x%02x", i, (unsigned long)k, got[k], want);
		}
	}
	uint8_t top[8];
	assert_int_equal(ks_copyin(&s, top, KS_USER_TOP - sizeof top, sizeof top), 0);
	ks_space_destroy(&s);
	assert_int_equal(ks_pages_free(), IMAGE_PAGES);
}

/* RAM runs out after k pages, for every k short of the image's need: each page is freed. */
static void running_out_of_ram_at_any_page_frees_every_page(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	build(img);
	for (unsigned k = 0; k < IMAGE_PAGES; k++) {
		pool_reset(k);
		struct ks_space s;
		uint64_t entry = 7;
		int rc = ks_space_load(&s, img, sizeof img, KS_TASK_PAGE_QUOTA, &entry);
		if (rc != -NX_ENOMEM)
			fail_msg("with %u pages of RAM: %s, want out of memory", k, nx_strerror(rc));
		if (ks_pages_free() != k || s.root != NULL || entry != 7)
			fail_msg("with %u pages of RAM: %zu free after the refusal, root %p, entry %lu", k,
				 ks_pages_free(), (void *)s.root, (unsigned long)entry);
		assert_int_equal(allocs, k);
	}
}

static void a_quota_one_short_takes_no_page(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	build(img);
	pool_reset(POOL_MAX);
	struct ks_space s;
	uint64_t entry;
	assert_int_equal(ks_space_load(&s, img, sizeof img, IMAGE_PAGES - 1, &entry), -NX_ENOMEM);
	assert_int_equal(allocs, 0);
	assert_null(s.root);
	assert_int_equal(ks_space_load(&s, img, sizeof img, IMAGE_PAGES, &entry), 0);
	assert_int_equal(s.pages, IMAGE_PAGES);
	ks_space_destroy(&s);
	assert_int_equal(ks_pages_free(), POOL_MAX);
}

static void refused(const uint8_t *img, size_t len, const char *what)
{
	pool_reset(POOL_MAX);
	struct ks_space s;
	uint64_t entry;
	int rc = ks_space_load(&s, img, len, KS_TASK_PAGE_QUOTA, &entry);
	if (rc != -NX_ENOEXEC)
		fail_msg("%s: %s, want not a valid task image", what, nx_strerror(rc));
	if (allocs != 0 || s.root != NULL)
		fail_msg("%s: %u pages taken", what, allocs);
}

static void an_invalid_image_takes_no_page(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	build(img);
	refused(img, 0x1C0 + 0x20 - 1, "cut one byte short");
	img[1] = 'e';
	refused(img, sizeof img, "bad magic");
	build(img);
	put(img + 64 + 16, KS_ELF_USER_END, 8); /* text starts above the segments' range */
	refused(img, sizeof img, "segment out of range");
}

/* ks_user_span() as an address, NULL when it says no (it then leaves `*kaddr` alone). */
static void *span(struct ks_space *s, uintptr_t va, size_t len, int write)
{
	static uint8_t sentinel;
	void *const untouched = &sentinel;
	void *at = untouched;
	if (!ks_user_span(s, va, len, write, &at)) {
		if (at != untouched)
			fail_msg("span 0x%lx+%zu w=%d: refused, but wrote %p", (unsigned long)va, len, write, at);
		return NULL;
	}
	return at;
}

/* ks_user_span(), asked twice each time: it changes nothing, so the second answer must be
 * the same. */
static void *span_twice(struct ks_space *s, uintptr_t va, size_t len, int write)
{
	void *first = span(s, va, len, write);
	void *again = span(s, va, len, write);
	if (first != again)
		fail_msg("span 0x%lx+%zu w=%d: %p, then %p", (unsigned long)va, len, write, first, again);
	return first;
}

static void a_user_span_is_the_remembered_page_mapped_for_the_access(void **state)
{
	(void)state;
	pool_reset(POOL_MAX);
	struct ks_space s;
	assert_int_equal(ks_space_create(&s, POOL_MAX), 0);
	void *ro, *rw;
	uint8_t buf[64] = { 0 };
	assert_int_equal(ks_space_map(&s, BASE, KS_PERM_R, &ro), 0);
	assert_int_equal(ks_space_map(&s, BASE + PAGE, KS_PERM_R | KS_PERM_W, &rw), 0);
	assert_null(span_twice(&s, BASE + 8, 40, 0)); /* mapped, but no copy has translated it yet */
	assert_int_equal(ks_copyin(&s, buf, BASE + 8, 40), 0);
	assert_ptr_equal(span_twice(&s, BASE + 8, 40, 0), (uint8_t *)ro + 8);
	assert_int_equal(ks_copyout(&s, BASE + 8, buf, 40), -NX_EFAULT);
	assert_null(span_twice(&s, BASE + 8, 40, 1)); /* read-only page */
	assert_int_equal(ks_copyout(&s, BASE + PAGE + 8, buf, 40), 0);
	assert_ptr_equal(span_twice(&s, BASE + PAGE + 8, 40, 1), (uint8_t *)rw + 8);
	assert_null(span_twice(&s, BASE + 8, 40, 1)); /* refused: the write side remembers another page */
	/* A whole page is the bound; one byte more crosses into the next page. */
	assert_ptr_equal(span_twice(&s, BASE + PAGE, PAGE, 1), rw);
	assert_null(span_twice(&s, BASE + PAGE, PAGE + 1, 1));
	assert_null(span_twice(&s, BASE + PAGE - 4, 8, 0)); /* starts in the remembered page, ends past it */
	assert_ptr_equal(span_twice(&s, BASE + 2 * PAGE - 40, 40, 1), (uint8_t *)rw + PAGE - 40); /* ends at its end */
	assert_null(span_twice(&s, BASE + 2 * PAGE - 39, 40, 1)); /* one byte past it */
	assert_null(span_twice(&s, BASE + PAGE - 8, 8, 1)); /* the page below the remembered one */
	assert_null(span_twice(&s, BASE + PAGE - 4, 8, 1)); /* starts below it, ends in it */
	assert_null(span_twice(&s, BASE + 8, 0, 0)); /* empty */
	assert_int_equal(ks_copyin(&s, buf, BASE + 2 * PAGE, 8), -NX_EFAULT);
	assert_null(span_twice(&s, BASE + 2 * PAGE, 8, 0)); /* not mapped */
	assert_null(span_twice(&s, BASE - PAGE, 8, 0)); /* below the user range */
	assert_null(span_twice(&s, KS_USER_TOP, 8, 0)); /* above it */
	ks_space_destroy(&s);
	assert_int_equal(ks_pages_free(), POOL_MAX);
	/* The same structure made again (a task slot reused) remembers nothing, not even page 0. */
	assert_int_equal(ks_space_create(&s, POOL_MAX), 0);
	assert_null(span_twice(&s, BASE + 8, 40, 0));
	assert_null(span_twice(&s, 8, 8, 0));
	assert_null(span_twice(&s, 8, 8, 1));
	ks_space_destroy(&s);
	assert_int_equal(ks_pages_free(), POOL_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_test_image_needs_its_pages),
		cmocka_unit_test(loads_an_image_into_exactly_its_planned_pages),
		cmocka_unit_test(running_out_of_ram_at_any_page_frees_every_page),
		cmocka_unit_test(a_quota_one_short_takes_no_page),
		cmocka_unit_test(an_invalid_image_takes_no_page),
		cmocka_unit_test(a_user_span_is_the_remembered_page_mapped_for_the_access),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
