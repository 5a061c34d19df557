/*
 * Fuzz target: the ELF validator (kernel-shim/elf.h) on arbitrary bytes. The input is the
 * image, in a heap block of exactly its size (libFuzzer's own), so ASan sees any read past it.
 *
 * Checks: with no quota to speak of the answer is 0 or -NX_ENOEXEC, and a refusal leaves the
 * plan untouched. An accepted image has the header elf.h requires, and its plan the
 * invariants the kernel maps by: 1..16 segments, each the image's next PT_LOAD header, file
 * bytes inside the image, memory inside the user range below the stack, page-aligned, R, RW,
 * RX or X; ascending with no shared page; entries past nseg zero; the entry inside an
 * executable segment; and `pages` equal to the count made here span by span as vm.c would
 * allocate. With a quota of exactly `pages` the same plan comes back; with one page less,
 * -NX_ENOMEM and the plan untouched.
 */
#include "fuzz.h"

#include "elf.h"
#include "nx/abi.h"

#define PAGE KS_PAGE_SIZE
#define SPAN (512 * PAGE) /* what one leaf page table maps */
#define SPANS ((KS_USER_TOP - KS_USER_BASE) / SPAN)

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
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

static void check_header(const uint8_t *d, size_t n)
{
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	FZ_CHECK(n >= 64, "an accepted image holds a header: %zu bytes", n);
	FZ_CHECK(memcmp(d, ident, sizeof ident) == 0, "ELF64 little-endian ident");
	FZ_CHECK(le(d + 16, 2) == 2 && le(d + 18, 2) == 243 && le(d + 20, 4) == 1,
		 "ET_EXEC, EM_RISCV, EV_CURRENT: type %llu machine %llu version %llu",
		 (unsigned long long)le(d + 16, 2), (unsigned long long)le(d + 18, 2),
		 (unsigned long long)le(d + 20, 4));
	FZ_CHECK(le(d + 52, 2) == 64 && le(d + 54, 2) == 56, "header sizes 64 and 56");
	const uint64_t phoff = le(d + 32, 8), phnum = le(d + 56, 2);
	FZ_CHECK(phnum >= 1 && phnum <= KS_ELF_MAX_PHDRS, "1..16 program headers, got %llu",
		 (unsigned long long)phnum);
	FZ_CHECK(phoff % 8 == 0 && (unsigned __int128)phoff + phnum * 56 <= n,
		 "table at %#llx, %llu headers, inside %zu bytes", (unsigned long long)phoff,
		 (unsigned long long)phnum, n);
}

/* The plan's segments are the image's PT_LOAD headers, in table order. */
static void check_segments_are_the_headers(const uint8_t *d, const struct ks_elf_plan *p)
{
	const uint8_t *table = d + le(d + 32, 8);
	uint32_t k = 0;
	for (uint64_t i = 0; i < le(d + 56, 2); i++) {
		const uint8_t *ph = table + 56 * i;
		if (le(ph, 4) != 1)
			continue;
		FZ_CHECK(k < p->nseg, "PT_LOAD header %llu has a segment", (unsigned long long)i);
		const struct ks_elf_segment *s = &p->seg[k++];
		FZ_CHECK(s->perm == le(ph + 4, 4) && s->offset == le(ph + 8, 8) && s->vaddr == le(ph + 16, 8) &&
				 s->filesz == le(ph + 32, 8) && s->memsz == le(ph + 40, 8),
			 "segment %u is header %llu", k - 1, (unsigned long long)i);
	}
	FZ_CHECK(k == p->nseg, "%u PT_LOAD headers, %u segments", k, p->nseg);
}

static void check_segment(const struct ks_elf_segment *s, size_t n)
{
	FZ_CHECK(s->perm == KS_ELF_R || s->perm == (KS_ELF_R | KS_ELF_W) || s->perm == (KS_ELF_R | KS_ELF_X) ||
			 s->perm == KS_ELF_X,
		 "R, RW, RX or X, got %u", s->perm);
	FZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz, "0 < filesz %#llx <= memsz %#llx",
		 (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	FZ_CHECK((unsigned __int128)s->offset + s->filesz <= n, "file bytes %#llx+%#llx inside %zu",
		 (unsigned long long)s->offset, (unsigned long long)s->filesz, n);
	FZ_CHECK(s->vaddr % PAGE == 0 && s->vaddr >= KS_USER_BASE &&
			 (unsigned __int128)s->vaddr + s->memsz <= KS_ELF_USER_END,
		 "page-aligned, inside the user range below the stack: %#llx+%#llx",
		 (unsigned long long)s->vaddr, (unsigned long long)s->memsz);
}

/* Pages the space holds, counted as vm.c allocates them: root, level-1 table, one leaf table
 * per 2 MiB span touched, one page per user page. */
static uint64_t pages_of(const struct ks_elf_plan *p)
{
	uint8_t touched[SPANS] = { 0 };
	uint64_t pages = 2 + KS_USER_STACK_PAGES;
	for (uint32_t i = 0; i < p->nseg; i++) {
		const struct ks_elf_segment *s = &p->seg[i];
		pages += (s->memsz + PAGE - 1) / PAGE;
		for (uint64_t sp = (s->vaddr - KS_USER_BASE) / SPAN; sp * SPAN < s->vaddr - KS_USER_BASE + s->memsz; sp++)
			touched[sp] = 1;
	}
	touched[SPANS - 1] = 1; /* the stack's */
	for (uint64_t sp = 0; sp < SPANS; sp++)
		pages += touched[sp];
	return pages;
}

static void check_plan(const uint8_t *d, size_t n, const struct ks_elf_plan *p)
{
	FZ_CHECK(p->nseg >= 1 && p->nseg <= KS_ELF_MAX_PHDRS, "1..16 segments, got %u", p->nseg);
	int entry_found = 0;
	for (uint32_t i = 0; i < p->nseg; i++) {
		const struct ks_elf_segment *s = &p->seg[i];
		check_segment(s, n);
		if (i > 0) {
			const struct ks_elf_segment *prev = &p->seg[i - 1];
			FZ_CHECK((prev->vaddr + prev->memsz - 1) / PAGE < s->vaddr / PAGE,
				 "segment %u starts after the last page of segment %u", i, i - 1);
		}
		if ((s->perm & KS_ELF_X) && p->entry >= s->vaddr && p->entry < s->vaddr + s->memsz)
			entry_found = 1;
	}
	FZ_CHECK(entry_found, "entry %#llx inside an executable segment", (unsigned long long)p->entry);
	FZ_CHECK(p->entry == le(d + 24, 8), "the entry is e_entry");
	static const struct ks_elf_segment zero;
	for (uint32_t i = p->nseg; i < KS_ELF_MAX_PHDRS; i++)
		FZ_CHECK(same_segment(&p->seg[i], &zero), "entry %u past nseg is zero", i);
	const uint64_t want = pages_of(p);
	FZ_CHECK(p->pages == want, "pages %u, counted %llu", p->pages, (unsigned long long)want);
	check_segments_are_the_headers(d, p);
}

/* Check with `quota`; the answer, and on a refusal the plan checked untouched. */
static int check_with(const uint8_t *d, size_t n, uint32_t quota, struct ks_elf_plan *plan)
{
	struct ks_elf_plan before;
	memset(plan, 0x5A, sizeof *plan);
	before = *plan;
	const struct ks_elf_limits lim = { .page_quota = quota };
	int rc = ks_elf_check(d, n, &lim, plan);
	if (rc != 0)
		FZ_CHECK(same_plan(plan, &before), "a refusal (%s) left the plan untouched",
			 nx_strerror(rc));
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_elf_plan plan;
	int rc = check_with(data, size, UINT32_MAX, &plan);
	FZ_CHECK(rc == 0 || rc == -NX_ENOEXEC, "accepted or invalid without a quota, got %s", nx_strerror(rc));
	if (rc != 0)
		return 0;
	check_header(data, size);
	check_plan(data, size, &plan);

	struct ks_elf_plan exact;
	rc = check_with(data, size, plan.pages, &exact);
	FZ_CHECK(rc == 0, "accepted with a quota of exactly %u pages, got %s", plan.pages, nx_strerror(rc));
	FZ_CHECK(same_plan(&exact, &plan), "the same plan under the exact quota");
	struct ks_elf_plan short_one;
	rc = check_with(data, size, plan.pages - 1, &short_one);
	FZ_CHECK(rc == -NX_ENOMEM, "refused with %u pages for %u, got %s", plan.pages - 1, plan.pages,
		 nx_strerror(rc));
	return 0;
}
