/*
 * Block device proofs (NX_SYS_BLK_*): selftest holds NX_RIGHT_BLK (manifests/system.json).
 * The runner boots on a fresh disk of zeros (scripts/lib/common.sh), so what was never
 * written reads back as zeros.
 */
#include <stdio.h>
#include <string.h>

#include "ulib/sys.h"
#include "st.h"

/* The runner's disk: 1 MiB, and the serial it gives the device. */
#define DISK_SECTORS 2048u
#define DISK_ID "nxos-disk0"
#define BUF_BYTES (NX_BLK_MAX_SECTORS * NX_BLK_SECTOR_SIZE)

static uint8_t wbuf[BUF_BYTES], rbuf[BUF_BYTES];

/* A pattern that differs per sector and per `seed`. */
static void pattern(uint8_t *b, uint32_t sectors, uint32_t seed)
{
	uint32_t x = 0x9e3779b9u ^ seed;
	for (size_t i = 0; i < (size_t)sectors * NX_BLK_SECTOR_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

static struct nx_blk_stats blk_stats(void)
{
	struct nx_kstats ks;
	ST_CHECK(nx_kstats(&ks) == 0, "blk: kstats");
	return ks.blk;
}

/* The disk's sectors [sector, sector + count) hold `pattern(seed)`. */
static void expect_sectors(uint64_t sector, uint32_t count, uint32_t seed, const char *what)
{
	pattern(wbuf, count, seed);
	memset(rbuf, 0xa5, sizeof rbuf);
	long rc = nx_blk_read(sector, rbuf, count);
	ST_CHECK(rc == 0, "%s: read of %u sectors at %llu: %ld", what, count, (unsigned long long)sector, rc);
	ST_CHECK(memcmp(rbuf, wbuf, (size_t)count * NX_BLK_SECTOR_SIZE) == 0, "%s: %u sectors at %llu differ", what,
		 count, (unsigned long long)sector);
}

static void write_pattern(uint64_t sector, uint32_t count, uint32_t seed)
{
	pattern(wbuf, count, seed);
	long rc = nx_blk_write(sector, wbuf, count);
	ST_CHECK(rc == 0, "blk io: write of %u sectors at %llu: %ld", count, (unsigned long long)sector, rc);
}

/* Writes of 1, 8 and NX_BLK_MAX_SECTORS sectors (the last ending at the disk's end), a flush,
 * and each read back; a sector never written reads as zeros. The counters add up. */
static void blk_io(void)
{
	struct nx_blk_info info;
	ST_CHECK(nx_blk_info(&info) == 0, "blk io: info");
	ST_CHECK(info.sectors == DISK_SECTORS && info.sector_size == NX_BLK_SECTOR_SIZE &&
			 info.max_sectors == NX_BLK_MAX_SECTORS && strcmp(info.id, DISK_ID) == 0,
		 "blk io: info sectors=%llu sector_size=%u max=%u id=\"%s\"", (unsigned long long)info.sectors,
		 (unsigned)info.sector_size, (unsigned)info.max_sectors, info.id);
	const struct nx_blk_stats before = blk_stats();
	write_pattern(0, 1, 1);
	write_pattern(1, 8, 2);
	write_pattern(DISK_SECTORS - NX_BLK_MAX_SECTORS, NX_BLK_MAX_SECTORS, 3);
	ST_CHECK(nx_blk_flush() == 0, "blk io: flush");
	expect_sectors(0, 1, 1, "blk io");
	expect_sectors(1, 8, 2, "blk io");
	expect_sectors(DISK_SECTORS - NX_BLK_MAX_SECTORS, NX_BLK_MAX_SECTORS, 3, "blk io");
	memset(rbuf, 0xa5, NX_BLK_SECTOR_SIZE);
	ST_CHECK(nx_blk_read(9, rbuf, 1) == 0, "blk io: read of sector 9");
	for (size_t i = 0; i < NX_BLK_SECTOR_SIZE; i++)
		ST_CHECK(rbuf[i] == 0, "blk io: never-written sector 9 has 0x%02x at %zu", rbuf[i], i);
	const struct nx_blk_stats after = blk_stats();
	const uint64_t sectors = 1 + 8 + NX_BLK_MAX_SECTORS;
	ST_CHECK(after.requests - before.requests == 8 && after.sectors_written - before.sectors_written == sectors &&
			 after.sectors_read - before.sectors_read == sectors + 1 && after.flushes - before.flushes == 1 &&
			 after.errors == before.errors && after.refused == before.refused,
		 "blk io: counters requests +%llu written +%llu read +%llu flushes +%llu errors +%llu refused +%llu",
		 (unsigned long long)(after.requests - before.requests),
		 (unsigned long long)(after.sectors_written - before.sectors_written),
		 (unsigned long long)(after.sectors_read - before.sectors_read),
		 (unsigned long long)(after.flushes - before.flushes), (unsigned long long)(after.errors - before.errors),
		 (unsigned long long)(after.refused - before.refused));
	printf("SELFTEST: blk io ok\n");
}

/* Requests the kernel must refuse with -NX_EINVAL before the device. */
static const struct {
	uint64_t sector;
	uint32_t count;
	const char *what;
} bad_ranges[] = {
	{ DISK_SECTORS, 1, "first sector past the end" },
	{ DISK_SECTORS - 1, 2, "one sector past the end" },
	{ DISK_SECTORS - NX_BLK_MAX_SECTORS + 1, NX_BLK_MAX_SECTORS, "64 sectors ending one past the end" },
	{ UINT64_MAX, 1, "sector UINT64_MAX" },
	{ UINT64_MAX - 1, 2, "sector + count wrapping to 0" },
	{ 0, 0, "count 0" },
	{ 0, NX_BLK_MAX_SECTORS + 1, "count NX_BLK_MAX_SECTORS + 1" },
};
#define BAD_RANGES (sizeof bad_ranges / sizeof bad_ranges[0])

/* Every bad range is refused for reads and writes, counted, reaches no device and changes
 * nothing on the disk; the bounds themselves (the last sector, NX_BLK_MAX_SECTORS) work. */
static void blk_refusals(void)
{
	const struct nx_blk_stats before = blk_stats();
	pattern(wbuf, NX_BLK_MAX_SECTORS, 9);
	for (size_t i = 0; i < BAD_RANGES; i++) {
		long rc = nx_blk_write(bad_ranges[i].sector, wbuf, bad_ranges[i].count);
		ST_CHECK(rc == -NX_EINVAL, "blk refusals: write of %s gave %ld", bad_ranges[i].what, rc);
		rc = nx_blk_read(bad_ranges[i].sector, rbuf, bad_ranges[i].count);
		ST_CHECK(rc == -NX_EINVAL, "blk refusals: read of %s gave %ld", bad_ranges[i].what, rc);
	}
	const struct nx_blk_stats after = blk_stats();
	ST_CHECK(after.refused - before.refused == 2 * BAD_RANGES && after.requests == before.requests,
		 "blk refusals: refused +%llu requests +%llu, want +%u and +0",
		 (unsigned long long)(after.refused - before.refused),
		 (unsigned long long)(after.requests - before.requests), (unsigned)(2 * BAD_RANGES));
	expect_sectors(0, 1, 1, "blk refusals");
	expect_sectors(DISK_SECTORS - NX_BLK_MAX_SECTORS, NX_BLK_MAX_SECTORS, 3, "blk refusals");
	write_pattern(DISK_SECTORS - 1, 1, 4);
	expect_sectors(DISK_SECTORS - 1, 1, 4, "blk refusals: the last sector");
	printf("SELFTEST: blk refusals ok\n");
}

/* The fixture blk-nobody (no NX_RIGHT_BLK) tried all four block syscalls: each denied. */
static void blk_denied(struct st *st)
{
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, "blk-nobody", nx_now_ms() + 10000, &n) == 0, "blk denied: no exit notice");
	ST_CHECK(n.reason == NX_REASON_NONE && n.exit_code == 0,
		 "blk denied: blk-nobody ended with reason %u, %d block syscalls not denied", (unsigned)n.reason,
		 (int)n.exit_code);
	struct nx_kstats ks;
	ST_CHECK(nx_kstats(&ks) == 0 && ks.denied >= 4, "blk denied: %llu denials counted",
		 (unsigned long long)ks.denied);
	printf("SELFTEST: blk denied ok\n");
}

void st_blk_checks(struct st *st)
{
	blk_io();
	blk_refusals();
	blk_denied(st);
}

/* profile=blk: BLK_LOAD_ROUNDS requests of each kind, for measuring the settle
 * (docs/kernel.md, "Block device"). Guest time per request is fixed by the kernel's settle,
 * so the lines are the same in every run unless a request was late. */
#define BLK_LOAD_ROUNDS 20u

static const struct {
	const char *name;
	int write;
	uint32_t count;
} load_kinds[] = {
	{ "read_512", 0, 1 },   { "read_4k", 0, 8 },   { "read_32k", 0, 64 },
	{ "write_512", 1, 1 },  { "write_4k", 1, 8 },  { "write_32k", 1, 64 },
	{ "flush", 0, 0 },
};

void st_blk_load(void)
{
	const struct nx_blk_stats before = blk_stats();
	for (size_t k = 0; k < sizeof load_kinds / sizeof load_kinds[0]; k++) {
		const uint64_t start = nx_now_ms();
		uint64_t ticks;
		__asm__ volatile("rdtime %0" : "=r"(ticks));
		for (uint32_t i = 0; i < BLK_LOAD_ROUNDS; i++) {
			const uint64_t sector = (uint64_t)i * NX_BLK_MAX_SECTORS;
			long rc;
			if (load_kinds[k].count == 0)
				rc = nx_blk_flush();
			else if (load_kinds[k].write)
				rc = nx_blk_write(sector, wbuf, load_kinds[k].count);
			else
				rc = nx_blk_read(sector, rbuf, load_kinds[k].count);
			ST_CHECK(rc == 0, "blk load: %s %u: %ld", load_kinds[k].name, (unsigned)i, rc);
		}
		uint64_t end;
		__asm__ volatile("rdtime %0" : "=r"(end));
		printf("blk: load %s requests=%u ticks_per_request=%llu from_ms=%llu\n", load_kinds[k].name,
		       BLK_LOAD_ROUNDS, (unsigned long long)((end - ticks) / BLK_LOAD_ROUNDS), (unsigned long long)start);
	}
	const struct nx_blk_stats after = blk_stats();
	printf("blk: load done requests=%llu late=%llu errors=%llu\n",
	       (unsigned long long)(after.requests - before.requests), (unsigned long long)(after.late - before.late),
	       (unsigned long long)(after.errors - before.errors));
}
