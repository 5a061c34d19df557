/*
 * The ELF validator (kernel-shim/elf.c): each rule of elf.h at its bound and one past it.
 * Images are built here field by field; the one most tests start from has the linker script's
 * shape (src/ulib/user.ld: text RX, rodata R, data RW with bss, one page-aligned segment each)
 * with its file bytes packed close together. Every check runs on a heap copy of exactly the
 * image's length, so a sanitizer build sees any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"
#include "nx/abi.h"

#define BASE KS_USER_BASE
#define END KS_ELF_USER_END
#define PAGE KS_PAGE_SIZE
#define QUOTA KS_TASK_PAGE_QUOTA
#define IMG_MAX 0x3000
#define PHS_MAX 20

enum { PT_LOAD = 1, PT_NOTE = 4, PT_GNU_STACK = 0x6474e551, PT_RISCV_ATTRIBUTES = 0x70000003 };
enum { R = KS_ELF_R, W = KS_ELF_W, X = KS_ELF_X };

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

/* An image: what build() writes, then the bytes and their length (tests may change both). */
struct image {
	uint64_t entry;
	uint64_t phoff;
	unsigned n;
	struct ph ph[PHS_MAX];
	uint8_t bytes[IMG_MAX];
	size_t len;
};

/* Pages of the base image: text 1, rodata 1, data 2, stack 4, root and level-1 tables 2, and
 * the leaf tables of the first 2 MiB and of the stack's 2 MiB. */
#define BASE_PAGES 12

static struct image base_image(void)
{
	struct image im = {
		.entry = BASE,
		.phoff = 64,
		.n = 3,
		.ph = {
			{ PT_LOAD, R | X, 0x100, BASE, 0x80, 0x80, 0x10 },
			{ PT_LOAD, R, 0x180, BASE + 0x1000, 0x40, 0x40, 0x10 },
			{ PT_LOAD, R | W, 0x1C0, BASE + 0x2000, 0x20, 0x1200, 0x10 },
		},
	};
	return im;
}

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write the header, the table at `phoff` and a pattern as each PT_LOAD's file bytes; `len`
 * becomes the end of the last of them that fits in IMG_MAX. */
static void build(struct image *im)
{
	memset(im->bytes, 0, sizeof im->bytes);
	im->len = 64;
	for (unsigned i = 0; i < im->n; i++) {
		const struct ph *ph = &im->ph[i];
		if (ph->type != PT_LOAD || ph->offset > IMG_MAX || ph->filesz > IMG_MAX - ph->offset)
			continue;
		for (uint64_t k = 0; k < ph->filesz; k++)
			im->bytes[ph->offset + k] = (uint8_t)(0x31 * (i + 1) + k);
		if (ph->offset + ph->filesz > im->len)
			im->len = ph->offset + ph->filesz;
	}
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	uint8_t *h = im->bytes;
	memcpy(h, ident, sizeof ident);
	put(h + 16, 2, 2);   /* ET_EXEC */
	put(h + 18, 243, 2); /* EM_RISCV */
	put(h + 20, 1, 4);   /* EV_CURRENT */
	put(h + 24, im->entry, 8);
	put(h + 32, im->phoff, 8);
	put(h + 52, 64, 2);
	put(h + 54, 56, 2);
	put(h + 56, im->n, 2);
	put(h + 58, 64, 2);
	if (im->phoff > IMG_MAX || (uint64_t)im->n * 56 > IMG_MAX - im->phoff)
		return;
	for (unsigned i = 0; i < im->n; i++) {
		uint8_t *p = im->bytes + im->phoff + 56 * i;
		const struct ph *ph = &im->ph[i];
		put(p, ph->type, 4);
		put(p + 4, ph->flags, 4);
		put(p + 8, ph->offset, 8);
		put(p + 16, ph->vaddr, 8);
		put(p + 24, ph->vaddr, 8); /* p_paddr */
		put(p + 32, ph->filesz, 8);
		put(p + 40, ph->memsz, 8);
		put(p + 48, ph->align, 8);
	}
	if (im->phoff + 56 * im->n > im->len)
		im->len = im->phoff + 56 * im->n;
}

/* Field by field: the structs have padding, whose bytes nothing promises. */
static int same_segment(const struct ks_elf_segment *a, const struct ks_elf_segment *b)
{
	return a->offset == b->offset && a->vaddr == b->vaddr && a->filesz == b->filesz &&
	       a->memsz == b->memsz && a->perm == b->perm;
}

static int same_plan(const struct ks_elf_plan *a, const struct ks_elf_plan *b)
{
	if (a->entry != b->entry || a->pages != b->pages || a->nseg != b->nseg)
		return 0;
	for (unsigned i = 0; i < KS_ELF_MAX_PHDRS; i++) {
		if (!same_segment(&a->seg[i], &b->seg[i]))
			return 0;
	}
	return 1;
}

static int run(const struct image *im, uint32_t quota, struct ks_elf_plan *plan)
{
	uint8_t *copy = malloc(im->len != 0 ? im->len : 1);
	assert_non_null(copy);
	memcpy(copy, im->bytes, im->len);
	const struct ks_elf_limits lim = { .page_quota = quota };
	int rc = ks_elf_check(copy, im->len, &lim, plan);
	free(copy);
	return rc;
}

static struct ks_elf_plan accepted(const struct image *im, uint32_t quota)
{
	struct ks_elf_plan plan;
	int rc = run(im, quota, &plan);
	if (rc != 0)
		fail_msg("expected the image accepted, got %s", nx_strerror(rc));
	return plan;
}

/* Refused with `want`, and the plan it was given is exactly as it was. */
static void refused_with(const struct image *im, uint32_t quota, int want)
{
	struct ks_elf_plan plan, before;
	memset(&plan, 0xA5, sizeof plan);
	before = plan;
	int rc = run(im, quota, &plan);
	if (rc != want)
		fail_msg("expected %s, got %s", nx_strerror(want), nx_strerror(rc));
	if (!same_plan(&plan, &before))
		fail_msg("a refused image changed the plan");
}

static void refused(const struct image *im)
{
	refused_with(im, QUOTA, -NX_ENOEXEC);
}

static void accepted_built(struct image *im)
{
	build(im);
	(void)accepted(im, QUOTA);
}

static void refused_built(struct image *im)
{
	build(im);
	refused(im);
}

static void expect_segment(const struct ks_elf_segment *s, const struct ph *ph)
{
	if (s->offset != ph->offset || s->vaddr != ph->vaddr || s->filesz != ph->filesz ||
	    s->memsz != ph->memsz || s->perm != ph->flags)
		fail_msg("expected segment off %#llx va %#llx file %#llx mem %#llx perm %u, got off %#llx "
			 "va %#llx file %#llx mem %#llx perm %u",
			 (unsigned long long)ph->offset, (unsigned long long)ph->vaddr,
			 (unsigned long long)ph->filesz, (unsigned long long)ph->memsz, ph->flags,
			 (unsigned long long)s->offset, (unsigned long long)s->vaddr,
			 (unsigned long long)s->filesz, (unsigned long long)s->memsz, s->perm);
}

/* ---- accepted images and their plans ---- */

static void plans_each_segment_the_entry_and_the_pages_of_a_linker_script_image(void **state)
{
	(void)state;
	struct image im = base_image();
	build(&im);
	assert_int_equal(im.len, 0x1E0);
	struct ks_elf_plan plan = accepted(&im, QUOTA);
	assert_int_equal(plan.entry, BASE);
	assert_int_equal(plan.nseg, 3);
	assert_int_equal(plan.pages, BASE_PAGES);
	for (unsigned i = 0; i < 3; i++)
		expect_segment(&plan.seg[i], &im.ph[i]);
	static const struct ks_elf_segment zero;
	for (unsigned i = 3; i < KS_ELF_MAX_PHDRS; i++)
		assert_true(same_segment(&plan.seg[i], &zero));
}

static void accepts_the_smallest_image_one_bss_segment_and_no_file_bytes(void **state)
{
	(void)state;
	struct image im = { .entry = BASE, .phoff = 64, .n = 1, .ph = { { PT_LOAD, X, 0, BASE, 0, 1, 0 } } };
	build(&im);
	assert_int_equal(im.len, 120);
	struct ks_elf_plan plan = accepted(&im, QUOTA);
	assert_int_equal(plan.nseg, 1);
	assert_int_equal(plan.pages, 1 + 4 + 2 + 2);
	im.len = 119;
	refused(&im);
}

static void ignores_program_headers_of_other_types_whatever_they_say(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[3] = (struct ph){ PT_NOTE, 7, UINT64_MAX - 10, 0, 100, 0, 3 };
	im.ph[4] = (struct ph){ PT_GNU_STACK, R | W | X, 0, 0, 0, 0, 16 };
	im.ph[5] = (struct ph){ PT_RISCV_ATTRIBUTES, 0, IMG_MAX * 2, BASE, 0x4000, 0x4000, 1 };
	im.ph[6] = (struct ph){ 0x70000000 | PT_LOAD, R | W | X, 0, BASE, 1, 0, 3 }; /* not PT_LOAD */
	im.n = 7;
	im.phoff = 0x1E0;
	build(&im);
	struct ks_elf_plan plan = accepted(&im, QUOTA);
	assert_int_equal(plan.nseg, 3);
	assert_int_equal(plan.pages, BASE_PAGES);
}

static void ignores_section_headers_and_the_ident_bytes_after_the_version(void **state)
{
	(void)state;
	struct image im = base_image();
	build(&im);
	memset(im.bytes + 7, 0xFF, 9);     /* EI_OSABI, EI_ABIVERSION, padding */
	put(im.bytes + 40, UINT64_MAX, 8); /* e_shoff */
	put(im.bytes + 48, UINT32_MAX, 4); /* e_flags */
	put(im.bytes + 58, 0xFFFF, 6);     /* e_shentsize, e_shnum, e_shstrndx */
	(void)accepted(&im, QUOTA);
}

/* ---- H1..H6: the header ---- */

static void refuses_an_image_shorter_than_the_elf_header(void **state)
{
	(void)state;
	struct image im = base_image();
	build(&im);
	im.len = 63;
	refused(&im);
	im.len = 0;
	refused(&im);
}

static void refuses_each_wrong_ident_byte(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 7; i++) {
		struct image im = base_image();
		build(&im);
		im.bytes[i] ^= 0x01;
		refused(&im);
	}
}

static void refuses_elfclass32_big_endian_and_ident_version_2(void **state)
{
	(void)state;
	static const uint8_t bad[][2] = { { 4, 1 }, { 5, 2 }, { 6, 2 } };
	for (unsigned i = 0; i < 3; i++) {
		struct image im = base_image();
		build(&im);
		im.bytes[bad[i][0]] = bad[i][1];
		refused(&im);
	}
}

/* A base image with the header field at `at` (`bytes` wide) set to `v` is accepted if `ok`,
 * else refused. */
static void expect_header_field(unsigned at, unsigned bytes, uint64_t v, int ok)
{
	struct image im = base_image();
	build(&im);
	put(im.bytes + at, v, bytes);
	if (ok)
		(void)accepted(&im, QUOTA);
	else
		refused(&im);
}

static void refuses_types_other_than_et_exec(void **state)
{
	(void)state;
	expect_header_field(16, 2, 1, 0); /* ET_REL */
	expect_header_field(16, 2, 3, 0); /* ET_DYN */
	expect_header_field(16, 2, 4, 0); /* ET_CORE */
	expect_header_field(16, 2, 0x0102, 0); /* both bytes are read */
}

static void refuses_machines_other_than_riscv(void **state)
{
	(void)state;
	expect_header_field(18, 2, 242, 0);
	expect_header_field(18, 2, 244, 0);
	expect_header_field(18, 2, 62, 0); /* x86-64 */
	expect_header_field(18, 2, 0x0100 | 243, 0);
}

static void refuses_e_version_other_than_current(void **state)
{
	(void)state;
	expect_header_field(20, 4, 0, 0);
	expect_header_field(20, 4, 2, 0);
	expect_header_field(20, 4, 0x01000001, 0); /* all four bytes are read */
}

static void refuses_header_size_other_than_64(void **state)
{
	(void)state;
	expect_header_field(52, 2, 63, 0);
	expect_header_field(52, 2, 65, 0);
	expect_header_field(52, 2, 0x0100 | 64, 0);
}

static void refuses_program_header_size_other_than_56(void **state)
{
	(void)state;
	expect_header_field(54, 2, 55, 0);
	expect_header_field(54, 2, 57, 0);
	expect_header_field(54, 2, 64, 0);
	expect_header_field(54, 2, 0x0100 | 56, 0);
}

static void refuses_zero_program_headers(void **state)
{
	(void)state;
	expect_header_field(56, 2, 0, 0);
}

/* The base image's three PT_LOAD headers, then PT_NOTEs up to `n`, the table after the data. */
static struct image with_headers(unsigned n)
{
	struct image im = base_image();
	for (unsigned i = 3; i < n; i++)
		im.ph[i] = (struct ph){ PT_NOTE, R, 0x100, 0, 0x10, 0, 4 };
	im.n = n;
	im.phoff = 0x1E0;
	build(&im);
	return im;
}

static void accepts_16_program_headers_and_refuses_17(void **state)
{
	(void)state;
	struct image im = with_headers(KS_ELF_MAX_PHDRS);
	assert_int_equal(accepted(&im, QUOTA).nseg, 3);
	im = with_headers(KS_ELF_MAX_PHDRS + 1);
	refused(&im);
	expect_header_field(56, 2, 0xFFFF, 0); /* PN_XNUM */
}

static void program_header_table_may_end_at_the_image_end_not_one_byte_past(void **state)
{
	(void)state;
	struct image im = with_headers(3);
	assert_int_equal(im.len, 0x1E0 + 3 * 56);
	(void)accepted(&im, QUOTA);
	im.len--;
	refused(&im);
}

static void refuses_a_program_header_table_not_8_byte_aligned(void **state)
{
	(void)state;
	struct image im = base_image();
	im.phoff = 0x1E8;
	accepted_built(&im);
	for (uint64_t off = 0x1E1; off < 0x1E8; off++) {
		im.phoff = off;
		refused_built(&im);
	}
}

static void refuses_a_program_header_table_past_the_image_or_whose_end_wraps(void **state)
{
	(void)state;
	struct image im = with_headers(3);
	put(im.bytes + 32, im.len + 8, 8);
	refused(&im);
	put(im.bytes + 32, UINT64_MAX - 7, 8); /* + 3 * 56 wraps to 160 */
	refused(&im);
	put(im.bytes + 32, UINT64_MAX - 3 * 56 + 1, 8);
	refused(&im);
	put(im.bytes + 32, 1ull << 32 | 0x1E0, 8); /* all eight bytes are read */
	refused(&im);
}

/* ---- S1..S5: each loadable segment ---- */

static void accepts_segments_r_rw_rx_and_x(void **state)
{
	(void)state;
	static const uint32_t ok[] = { R, R | W, R | X, X };
	for (unsigned i = 0; i < 4; i++) {
		struct image im = base_image();
		im.ph[1].flags = ok[i];
		build(&im);
		assert_int_equal(accepted(&im, QUOTA).seg[1].perm, ok[i]);
	}
}

static void refuses_a_writable_and_executable_segment(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[2].flags = R | W | X;
	refused_built(&im);
	im.ph[2].flags = W | X;
	refused_built(&im);
	im = base_image();
	im.ph[0].flags = R | W | X;
	refused_built(&im);
}

static void refuses_a_write_only_segment_and_one_without_permissions(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[1].flags = W;
	refused_built(&im);
	im.ph[1].flags = 0;
	refused_built(&im);
}

static void refuses_flag_bits_other_than_r_w_x(void **state)
{
	(void)state;
	static const uint32_t extra[] = { 8, 0x00100000 /* PF_MASKOS */, 0x80000000 /* PF_MASKPROC */ };
	for (unsigned i = 0; i < 3; i++) {
		struct image im = base_image();
		im.ph[1].flags = R | extra[i];
		refused_built(&im);
	}
}

static void accepts_filesz_equal_to_memsz_and_refuses_one_more(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[1].filesz = im.ph[1].memsz;
	accepted_built(&im);
	im.ph[1].filesz = im.ph[1].memsz + 1;
	refused_built(&im);
	im.ph[1].filesz = 1ull << 32 | 0x40; /* all eight bytes are read */
	refused_built(&im);
}

static void refuses_a_segment_of_zero_memsz_and_accepts_one_byte(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[1].filesz = 0;
	im.ph[1].memsz = 1;
	accepted_built(&im);
	im.ph[1].memsz = 0;
	refused_built(&im);
}

static void segment_file_bytes_may_end_at_the_image_end_not_one_byte_past(void **state)
{
	(void)state;
	struct image im = base_image();
	build(&im);
	assert_int_equal(im.len, im.ph[2].offset + im.ph[2].filesz);
	(void)accepted(&im, QUOTA);
	im.len--;
	refused(&im);
}

static void a_segment_without_file_bytes_may_start_at_the_image_end_not_past_it(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[2].filesz = 0;
	im.ph[2].align = 1;
	build(&im);
	assert_int_equal(im.len, 0x1C0);
	(void)accepted(&im, QUOTA);
	im.ph[2].offset = 0x1C1;
	build(&im);
	im.len = 0x1C0;
	refused(&im);
}

static void refuses_a_segment_whose_file_range_wraps(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[2].offset = UINT64_MAX - 10; /* + 16 wraps to 5 */
	im.ph[2].filesz = 16;
	im.ph[2].align = 1;
	refused_built(&im);
	im.ph[2].offset = 0x1C0;
	im.ph[2].filesz = UINT64_MAX - 0x1C0 + 2; /* wraps to 1 */
	im.ph[2].memsz = UINT64_MAX;
	refused_built(&im);
	im = base_image();
	im.ph[2].offset = 1ull << 32 | 0x1C0; /* all eight bytes are read */
	build(&im);
	im.len = 0x1E0;
	refused(&im);
}

static void refuses_a_segment_not_page_aligned(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[1].vaddr = BASE + 0x1080; /* offset 0x180: congruent modulo its align 0x80 */
	im.ph[1].align = 0x80;
	refused_built(&im);
	im.ph[1].vaddr = BASE + 0x1000;
	accepted_built(&im);
}

static void accepts_align_0_1_and_a_congruent_power_of_two_and_refuses_the_others(void **state)
{
	(void)state;
	static const struct {
		uint64_t align;
		int ok;
	} cases[] = {
		{ 0, 1 },      { 1, 1 },     { 2, 1 },      { 0x80, 1 },   /* 0x180 = 0x1000 mod 0x80 */
		{ 0x100, 0 },  { 0x1000, 0 }, { 3, 0 },      { 0x30, 0 },
		{ UINT64_MAX, 0 }, { 1ull << 63, 0 },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct image im = base_image();
		im.ph[1].align = cases[i].align;
		if (cases[i].ok)
			accepted_built(&im);
		else
			refused_built(&im);
	}
}

static void accepts_a_segment_at_user_base_and_refuses_one_page_below(void **state)
{
	(void)state;
	struct image im = base_image();
	accepted_built(&im);
	im.ph[0].vaddr = BASE - PAGE;
	im.entry = BASE - PAGE;
	refused_built(&im);
	im.ph[0].vaddr = 0;
	im.entry = 0;
	refused_built(&im);
}

static void accepts_a_segment_ending_where_the_stack_begins_and_refuses_one_byte_more(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[2].vaddr = END - 0x2000;
	im.ph[2].memsz = 0x2000;
	build(&im);
	/* Its leaf table is the stack's: still BASE_PAGES. */
	assert_int_equal(accepted(&im, QUOTA).pages, BASE_PAGES);
	im.ph[2].memsz = 0x2001;
	refused_built(&im);
	im.ph[2].vaddr = END;
	im.ph[2].memsz = 1;
	refused_built(&im);
}

static void refuses_a_segment_past_the_user_range_or_whose_end_wraps(void **state)
{
	(void)state;
	static const uint64_t bad[][2] = {
		{ KS_USER_TOP, PAGE },
		{ END + PAGE, PAGE },
		{ 1ull << 63, PAGE },
		{ UINT64_MAX - PAGE + 1, 2 * PAGE }, /* end wraps to PAGE */
		{ BASE + 0x2000, UINT64_MAX - 0x1000 }, /* end wraps below BASE */
		{ 1ull << 32 | (BASE + 0x2000), 0x1200 }, /* all eight bytes are read */
		{ BASE + 0x2000, 1ull << 32 | 0x1200 },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct image im = base_image();
		im.ph[2].vaddr = bad[i][0];
		im.ph[2].memsz = bad[i][1];
		im.ph[2].align = 1;
		refused_built(&im);
	}
}

/* ---- I1..I4: the image as a whole ---- */

static void refuses_an_image_without_a_loadable_segment(void **state)
{
	(void)state;
	struct image im = base_image();
	for (unsigned i = 0; i < 3; i++)
		im.ph[i].type = PT_NOTE;
	refused_built(&im);
}

static void accepts_segments_in_adjacent_pages_and_refuses_two_sharing_a_page(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[0].memsz = PAGE;
	accepted_built(&im);
	im.ph[0].memsz = PAGE + 1;
	refused_built(&im);
	im = base_image();
	im.ph[1].vaddr = BASE;
	refused_built(&im);
}

static void refuses_segments_out_of_ascending_vaddr_order(void **state)
{
	(void)state;
	struct image im = base_image();
	struct ph ro = im.ph[1];
	im.ph[1] = im.ph[2];
	im.ph[2] = ro;
	refused_built(&im);
}

static void accepts_the_entry_at_the_first_and_last_byte_of_the_executable_segment_only(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[0].memsz = 0x100; /* the last 0x80 bytes are bss */
	accepted_built(&im);
	im.entry = BASE + 0xFF;
	accepted_built(&im);
	im.entry = BASE + 0x100;
	refused_built(&im);
	im.entry = BASE - 1;
	refused_built(&im);
	im.entry = 1ull << 32 | BASE; /* all eight bytes are read */
	refused_built(&im);
}

static void refuses_the_entry_in_a_segment_that_is_not_executable(void **state)
{
	(void)state;
	struct image im = base_image();
	im.entry = BASE + 0x1000;
	refused_built(&im);
	im.entry = BASE + 0x2000;
	refused_built(&im);
	im.ph[1].flags = R | X; /* a second executable segment: the entry may be there */
	im.entry = BASE + 0x1000;
	accepted_built(&im);
	im.entry = BASE + 0x1040;
	refused_built(&im);
}

static void accepts_a_quota_of_exactly_the_pages_needed_and_refuses_one_less(void **state)
{
	(void)state;
	struct image im = base_image();
	build(&im);
	assert_int_equal(accepted(&im, BASE_PAGES).pages, BASE_PAGES);
	refused_with(&im, BASE_PAGES - 1, -NX_ENOMEM);
	refused_with(&im, 0, -NX_ENOMEM);
	im.ph[2].memsz = 2 * PAGE + 1; /* one page more */
	build(&im);
	refused_with(&im, BASE_PAGES, -NX_ENOMEM);
	assert_int_equal(accepted(&im, BASE_PAGES + 1).pages, BASE_PAGES + 1);
}

static void refuses_a_bad_image_as_invalid_even_when_over_quota(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[1].flags = R | W | X;
	build(&im);
	refused_with(&im, 0, -NX_ENOEXEC);
}

static void counts_a_leaf_table_for_each_2mib_span_a_segment_touches(void **state)
{
	(void)state;
	struct image im = base_image();
	im.ph[1].vaddr = BASE + 0x1FF000; /* the last page of the first 2 MiB, the first of the next */
	im.ph[1].memsz = 0x2000;
	im.ph[2].vaddr = END - 0x2000; /* shares the stack's table */
	build(&im);
	/* text 1, rodata 2, data 2, stack 4, root and level 1, leaf tables of spans 0, 1 and 511 */
	assert_int_equal(accepted(&im, QUOTA).pages, 1 + 2 + 2 + 4 + 2 + 3);
	im.ph[1].vaddr = BASE + 0x1FE000; /* ends on the boundary: no table for span 1 */
	build(&im);
	assert_int_equal(accepted(&im, QUOTA).pages, 1 + 2 + 2 + 4 + 2 + 2);
}

static void a_refusal_leaves_the_plan_of_an_earlier_success_untouched(void **state)
{
	(void)state;
	struct image im = base_image();
	build(&im);
	struct ks_elf_plan plan = accepted(&im, QUOTA);
	struct ks_elf_plan before = plan;
	im.len = 63;
	assert_int_equal(run(&im, QUOTA, &plan), -NX_ENOEXEC);
	im.len = 0x1E0;
	assert_int_equal(run(&im, 1, &plan), -NX_ENOMEM);
	im.bytes[4] = 1;
	assert_int_equal(run(&im, QUOTA, &plan), -NX_ENOEXEC);
	assert_true(same_plan(&plan, &before));
}


/* The last code has its name; one past it, and any positive value, is "unknown error". */
static void nx_strerror_names_the_last_code_and_not_one_past(void **state)
{
	(void)state;
	assert_int_equal(NX_ENODATA, NX_ERR_COUNT - 1);
	assert_string_equal(nx_strerror(0), "ok");
	assert_string_equal(nx_strerror(-NX_ENOEXEC), "not a valid task image");
	assert_string_equal(nx_strerror(-NX_ENODATA), "source ran dry");
	assert_string_equal(nx_strerror(-NX_ERR_COUNT), "unknown error");
	assert_string_equal(nx_strerror(1), "unknown error");
	assert_string_equal(nx_strerror(-2147483647 - 1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nx_strerror_names_the_last_code_and_not_one_past),
		cmocka_unit_test(plans_each_segment_the_entry_and_the_pages_of_a_linker_script_image),
		cmocka_unit_test(accepts_the_smallest_image_one_bss_segment_and_no_file_bytes),
		cmocka_unit_test(ignores_program_headers_of_other_types_whatever_they_say),
		cmocka_unit_test(ignores_section_headers_and_the_ident_bytes_after_the_version),
		cmocka_unit_test(refuses_an_image_shorter_than_the_elf_header),
		cmocka_unit_test(refuses_each_wrong_ident_byte),
		cmocka_unit_test(refuses_elfclass32_big_endian_and_ident_version_2),
		cmocka_unit_test(refuses_types_other_than_et_exec),
		cmocka_unit_test(refuses_machines_other_than_riscv),
		cmocka_unit_test(refuses_e_version_other_than_current),
		cmocka_unit_test(refuses_header_size_other_than_64),
		cmocka_unit_test(refuses_program_header_size_other_than_56),
		cmocka_unit_test(refuses_zero_program_headers),
		cmocka_unit_test(accepts_16_program_headers_and_refuses_17),
		cmocka_unit_test(program_header_table_may_end_at_the_image_end_not_one_byte_past),
		cmocka_unit_test(refuses_a_program_header_table_not_8_byte_aligned),
		cmocka_unit_test(refuses_a_program_header_table_past_the_image_or_whose_end_wraps),
		cmocka_unit_test(accepts_segments_r_rw_rx_and_x),
		cmocka_unit_test(refuses_a_writable_and_executable_segment),
		cmocka_unit_test(refuses_a_write_only_segment_and_one_without_permissions),
		cmocka_unit_test(refuses_flag_bits_other_than_r_w_x),
		cmocka_unit_test(accepts_filesz_equal_to_memsz_and_refuses_one_more),
		cmocka_unit_test(refuses_a_segment_of_zero_memsz_and_accepts_one_byte),
		cmocka_unit_test(segment_file_bytes_may_end_at_the_image_end_not_one_byte_past),
		cmocka_unit_test(a_segment_without_file_bytes_may_start_at_the_image_end_not_past_it),
		cmocka_unit_test(refuses_a_segment_whose_file_range_wraps),
		cmocka_unit_test(refuses_a_segment_not_page_aligned),
		cmocka_unit_test(accepts_align_0_1_and_a_congruent_power_of_two_and_refuses_the_others),
		cmocka_unit_test(accepts_a_segment_at_user_base_and_refuses_one_page_below),
		cmocka_unit_test(accepts_a_segment_ending_where_the_stack_begins_and_refuses_one_byte_more),
		cmocka_unit_test(refuses_a_segment_past_the_user_range_or_whose_end_wraps),
		cmocka_unit_test(refuses_an_image_without_a_loadable_segment),
		cmocka_unit_test(accepts_segments_in_adjacent_pages_and_refuses_two_sharing_a_page),
		cmocka_unit_test(refuses_segments_out_of_ascending_vaddr_order),
		cmocka_unit_test(accepts_the_entry_at_the_first_and_last_byte_of_the_executable_segment_only),
		cmocka_unit_test(refuses_the_entry_in_a_segment_that_is_not_executable),
		cmocka_unit_test(accepts_a_quota_of_exactly_the_pages_needed_and_refuses_one_less),
		cmocka_unit_test(refuses_a_bad_image_as_invalid_even_when_over_quota),
		cmocka_unit_test(counts_a_leaf_table_for_each_2mib_span_a_segment_touches),
		cmocka_unit_test(a_refusal_leaves_the_plan_of_an_earlier_success_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
