/* Recovery: every torn-write position, a power cut at every write of a compaction, bytes
 * corrupted anywhere in the journal, values damaged after the open, stale records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sfs_fixture.h"

#define SECTOR SFS_SECTOR_SIZE

static struct sfs_store s;
static struct memdisk d;

/* One put or delete of a test's history. */
struct op {
	char key[16];
	uint16_t vlen; /* put: value length; UINT16_MAX: delete */
	uint32_t seed; /* value bytes */
};

#define DEL UINT16_MAX

static void value_of(const struct op *o, uint8_t *buf)
{
	for (uint32_t i = 0; i < o->vlen; i++)
		buf[i] = (uint8_t)(o->seed * 131 + i * 17 + (i >> 7));
}

static int do_op(const struct op *o)
{
	static uint8_t v[SFS_VALUE_MAX];
	if (o->vlen == DEL)
		return sfs_delete(&s, o->key, strlen(o->key));
	value_of(o, v);
	return sfs_put(&s, o->key, strlen(o->key), v, o->vlen);
}

static void model_op(struct model *m, const struct op *o)
{
	static uint8_t v[SFS_VALUE_MAX];
	if (o->vlen == DEL) {
		model_del(m, o->key, strlen(o->key));
		return;
	}
	value_of(o, v);
	model_put(m, o->key, strlen(o->key), v, o->vlen);
}

static uint32_t rec_len(const struct op *o)
{
	return SFS_REC_HDR + (uint32_t)strlen(o->key) + (o->vlen == DEL ? 0 : o->vlen);
}

/* The state after the first `n` operations. */
static void model_upto(struct model *m, const struct op *ops, uint32_t n)
{
	memset(m, 0, sizeof(*m));
	for (uint32_t i = 0; i < n; i++)
		model_op(m, &ops[i]);
}

/* The store matches the state after some prefix of `ops` no shorter than `lo`; returns its
 * length, or -1. */
static int matching_prefix(const struct op *ops, uint32_t lo, uint32_t hi)
{
	static struct model want, got;
	model_snapshot(&s, &got);
	model_upto(&want, ops, lo);
	for (uint32_t i = lo;; i++) {
		if (model_equal(&want, &got))
			return (int)i;
		if (i == hi)
			return -1;
		model_op(&want, &ops[i]);
	}
}

static uint32_t region_used(void)
{
	struct sfs_stats st;
	EXPECT_RC(sfs_stats(&s, &st), 0);
	return st.region_bytes - st.bytes_free;
}

/* Setup of the torn-write test: 5 keys synced, then a batch of 30 puts of about 280 bytes
 * each: one write when the tail buffer fills, one at the final sync. */
#define TORN_SYNCED 5U
#define TORN_OPS (TORN_SYNCED + 30U)

static void torn_ops(struct op *ops)
{
	for (uint32_t i = 0; i < TORN_OPS; i++) {
		ops[i] = (struct op){ .vlen = (uint16_t)(200 + (i * 37) % 120), .seed = i };
		snprintf(ops[i].key, sizeof(ops[i].key), "key-%02u", i % 12);
	}
}

static void recovery_from_every_torn_write_position_keeps_exactly_the_landed_records(void **state)
{
	(void)state;
	struct op ops[TORN_OPS];
	torn_ops(ops);
	uint32_t cases = 0, first_write = 0, writes = 0, sectors = 0;
	for (uint32_t k = 0;; k++) {
		md_init(&d, 200);
		open_ok(&s, &d);
		for (uint32_t i = 0; i < TORN_SYNCED; i++)
			EXPECT_RC(do_op(&ops[i]), 0);
		EXPECT_RC(sfs_sync(&s), 0);
		uint32_t synced_end = region_used();
		if (k == 0) {
			/* A run without a cut: count the batch's writes and their sectors. */
			first_write = d.writes + 1;
			for (uint32_t i = TORN_SYNCED; i <= TORN_OPS; i++) {
				uint32_t w = d.writes;
				EXPECT_RC(i < TORN_OPS ? do_op(&ops[i]) : sfs_sync(&s), 0);
				if (d.writes != w)
					sectors += d.last_count;
			}
			writes = d.writes - first_write + 1;
			EXPECT_EQ("writes of the batch: the tail buffer full, then the sync", 2, writes);
			md_free(&d);
			continue;
		}
		/* Write w torn after `keep` sectors, for every w of the batch and keep below its count. */
		uint32_t w = first_write + (k - 1) / SFS_IO_MAX_SECTORS;
		uint32_t keep = (k - 1) % SFS_IO_MAX_SECTORS;
		if (w >= first_write + writes) {
			md_free(&d);
			break;
		}
		md_cut(&d, w, keep, MD_KEEP, 0);
		int rc = 0;
		for (uint32_t i = TORN_SYNCED; i < TORN_OPS && rc == 0; i++)
			rc = do_op(&ops[i]);
		if (rc == 0)
			rc = sfs_sync(&s);
		EXPECT_RC(rc, -SFS_EIO);
		if (keep >= d.last_count) {
			md_free(&d); /* the write has `keep` sectors or fewer: nothing to tear */
			continue;
		}
		uint32_t landed = (uint32_t)(d.last_lba - SFS_SB_SECTORS + keep) * SECTOR;
		md_power_on(&d);
		open_ok(&s, &d);
		uint32_t n = TORN_SYNCED, pos = synced_end;
		while (n < TORN_OPS && pos + rec_len(&ops[n]) <= landed)
			pos += rec_len(&ops[n++]);
		int got = matching_prefix(ops, TORN_SYNCED, TORN_OPS);
		if (got != (int)n)
			fail_msg("write %u torn after %u sectors: expected the first %u operations, got %d",
				 w - first_write + 1, keep, n, got);
		struct sfs_stats st;
		EXPECT_RC(sfs_stats(&s, &st), 0);
		if (n < TORN_OPS)
			EXPECT_EQ("dropped: the torn record's magic landed", pos + 4 <= landed, st.dropped);
		cases++;
		md_free(&d);
	}
	EXPECT_EQ("torn positions covered: every prefix of every write", sectors, cases);
	print_message("torn writes: %u writes, %u positions\n", writes, cases);
}

/* Setup of the compaction test: puts and deletes of 8 keys, each synced, on regions of 18
 * sectors, until the one that compacts. */
#define COMPACT_OPS 60U

static void compact_ops(struct op *ops)
{
	for (uint32_t i = 0; i < COMPACT_OPS; i++) {
		ops[i] = (struct op){ .vlen = (uint16_t)(100 + (i * 53) % 900), .seed = 1000 + i };
		snprintf(ops[i].key, sizeof(ops[i].key), "c%u", i % 8);
		if (i % 7 == 6) {
			/* Delete the key put two operations before. */
			snprintf(ops[i].key, sizeof(ops[i].key), "c%u", (i - 2) % 8);
			ops[i].vlen = DEL;
		}
	}
}

/* Run ops, each followed by a sync, until one compacts; returns its index. */
static uint32_t run_until_compaction(const struct op *ops)
{
	for (uint32_t i = 0; i < COMPACT_OPS; i++) {
		struct sfs_stats st;
		EXPECT_RC(do_op(&ops[i]), 0);
		EXPECT_RC(sfs_stats(&s, &st), 0);
		if (st.compactions)
			return i;
		EXPECT_RC(sfs_sync(&s), 0);
	}
	fail_msg("no compaction in %u operations", COMPACT_OPS);
	return 0;
}

static void compaction_survives_a_power_cut_at_every_write_it_makes(void **state)
{
	(void)state;
	struct op ops[COMPACT_OPS];
	compact_ops(ops);
	md_init(&d, SFS_MIN_SECTORS + 4);
	open_ok(&s, &d);
	uint32_t c = run_until_compaction(ops);
	md_free(&d);
	/* Again to the operation before, then measure the compaction's writes. */
	uint32_t before_writes = 0, writes = 0;
	static struct model before_state;
	uint32_t cases = 0;
	for (uint32_t round = 0;; round++) {
		md_init(&d, SFS_MIN_SECTORS + 4);
		open_ok(&s, &d);
		for (uint32_t i = 0; i < c; i++) {
			EXPECT_RC(do_op(&ops[i]), 0);
			EXPECT_RC(sfs_sync(&s), 0);
		}
		before_writes = d.writes;
		if (round == 0) {
			EXPECT_RC(do_op(&ops[c]), 0);
			writes = d.writes - before_writes;
			model_upto(&before_state, ops, c);
			md_free(&d);
			if (writes < 2)
				fail_msg("a compaction: expected the image and the superblock, got %u writes", writes);
			continue;
		}
		/* round r: write k = 1..writes, then keep 0..count, then the cache lost. */
		uint32_t k = 1 + (round - 1) / (SFS_IO_MAX_SECTORS + 2);
		uint32_t variant = (round - 1) % (SFS_IO_MAX_SECTORS + 2);
		if (k > writes) {
			md_free(&d);
			break;
		}
		bool lose = variant == SFS_IO_MAX_SECTORS + 1;
		md_cut(&d, before_writes + k, lose ? MD_ALL : variant, lose ? MD_LOSE : MD_KEEP, 0);
		(void)do_op(&ops[c]);
		if (!lose && variant > d.last_count) {
			md_free(&d);
			continue;
		}
		bool sb_landed = k == writes && !lose && variant == d.last_count;
		md_power_on(&d);
		open_ok(&s, &d);
		int got = matching_prefix(ops, c, c + 1);
		if (got != (int)(sb_landed ? c + 1 : c))
			fail_msg("compaction write %u of %u (%s %u): expected the state %s it, got prefix %d",
				 k, writes, lose ? "cache lost" : "sectors kept", variant,
				 sb_landed ? "after" : "before", got);
		cases++;
		md_free(&d);
	}
	if (cases < 10)
		fail_msg("only %u cut points", cases);
	print_message("compaction: %u writes, %u cut points\n", writes, cases);
}

/* Setup of the corruption test: a journal of puts and deletes, synced now and then. */
#define CORRUPT_OPS 14U

static void corrupt_ops(struct op *ops)
{
	for (uint32_t i = 0; i < CORRUPT_OPS; i++) {
		ops[i] = (struct op){ .vlen = (uint16_t)((i * 41) % 150), .seed = 77 + i };
		snprintf(ops[i].key, sizeof(ops[i].key), "x%u", i % 5);
		if (i % 6 == 5)
			ops[i].vlen = DEL;
	}
}

static void corrupted_journal_bytes_are_never_returned(void **state)
{
	(void)state;
	struct op ops[CORRUPT_OPS];
	corrupt_ops(ops);
	md_init(&d, SFS_MIN_SECTORS);
	open_ok(&s, &d);
	for (uint32_t i = 0; i < CORRUPT_OPS; i++) {
		EXPECT_RC(do_op(&ops[i]), 0);
		if (i % 4 == 3)
			EXPECT_RC(sfs_sync(&s), 0);
	}
	EXPECT_RC(sfs_sync(&s), 0);
	size_t bytes = (size_t)(SFS_SB_SECTORS * SECTOR + region_used());
	uint8_t *clean = malloc(bytes);
	assert_non_null(clean);
	memcpy(clean, d.data, bytes);
	uint32_t cases = 0, shorter = 0;
	static const uint8_t masks[] = { 0x01, 0x80, 0xFF };
	for (size_t b = 0; b < bytes; b++) {
		for (size_t k = 0; k < sizeof(masks); k++) {
			memcpy(d.data, clean, bytes);
			d.data[b] ^= masks[k];
			open_ok(&s, &d);
			int got = matching_prefix(ops, 0, CORRUPT_OPS);
			if (got < 0)
				fail_msg("byte %zu ^ 0x%02x: the state is no prefix of the history", b, masks[k]);
			shorter += got < (int)CORRUPT_OPS;
			cases++;
		}
	}
	free(clean);
	if (shorter == 0)
		fail_msg("no corruption shortened the journal: the test reaches nothing");
	print_message("corruption: %u flips over %zu bytes, %u shortened the history\n", cases, bytes, shorter);
	md_free(&d);
}

/* The first place in the disk's data where `n` bytes of `pat` are. */
static size_t find(const uint8_t *pat, size_t n)
{
	for (size_t i = 0; i + n <= d.sectors * SECTOR; i++)
		if (memcmp(d.data + i, pat, n) == 0)
			return i;
	fail_msg("pattern not on the disk");
	return 0;
}

static void a_value_damaged_after_the_open_is_refused_and_left_out_by_compaction(void **state)
{
	(void)state;
	md_init(&d, SFS_MIN_SECTORS);
	open_ok(&s, &d);
	static struct model m;
	memset(&m, 0, sizeof(m));
	static const struct op x = { .key = "x", .vlen = 1000, .seed = 5 }, y = { .key = "y", .vlen = 10, .seed = 6 };
	EXPECT_RC(do_op(&x), 0);
	EXPECT_RC(do_op(&y), 0);
	model_op(&m, &y);
	EXPECT_RC(sfs_sync(&s), 0);
	open_ok(&s, &d);
	uint8_t xv[1000];
	value_of(&x, xv);
	d.data[find(xv, sizeof(xv)) + 500] ^= 0x10;
	static uint8_t buf[SFS_VALUE_MAX];
	memset(buf, 0xEE, sizeof(buf));
	size_t len = 0;
	EXPECT_RC(sfs_get(&s, "x", 1, buf, sizeof(buf), &len), -SFS_ECORRUPT);
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT_EQ("buffer untouched", 0xEE, buf[i]);
	struct sfs_stats st;
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_EQ("corrupt", 1, st.corrupt);
	EXPECT_RC(sfs_get(&s, "y", 1, buf, sizeof(buf), &len), 0);
	/* Fill the region with puts of "z" until a compaction. */
	struct op z = { .key = "z", .vlen = 900 };
	for (uint32_t i = 0; i < 20 && st.compactions == 0; i++) {
		z.seed = 100 + i;
		EXPECT_RC(do_op(&z), 0);
		EXPECT_RC(sfs_stats(&s, &st), 0);
	}
	model_op(&m, &z);
	EXPECT_EQ("compactions", 1, st.compactions);
	EXPECT_EQ("corrupt: the compaction met it again", 2, st.corrupt);
	EXPECT_EQ("keys: x left out", 2, st.keys);
	expect_state(&s, &m, "after the compaction");
	open_ok(&s, &d);
	expect_state(&s, &m, "reopened");
	md_free(&d);
}

/*
 * Session 1 syncs "A", then puts 300 records of 64 bytes without a sync: the tail buffer
 * fills twice, two writes of 16 sectors (128 records each). The first of them is lost (a
 * cache that reordered). Session 2 recovers "A" and writes 128 records of 64 bytes of its
 * own, ending exactly where session 1's second write begins, with the same seq numbers.
 * Session 3 must not take session 1's records as a continuation: their epoch is older.
 */
static void a_later_session_never_replays_records_left_beyond_a_lost_write(void **state)
{
	(void)state;
	md_init(&d, SFS_MIN_SECTORS + 64);
	open_ok(&s, &d);
	static struct model m;
	memset(&m, 0, sizeof(m));
	uint8_t v[32] = { 0 };
	EXPECT_RC(sfs_put(&s, "A", 1, "a", 1), 0);
	model_put(&m, "A", 1, "a", 1);
	EXPECT_RC(sfs_sync(&s), 0);
	char key[16];
	uint32_t first = d.writes + 1;
	for (uint32_t i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "s1-%05u", i % 40);
		v[0] = (uint8_t)i;
		EXPECT_RC(sfs_put(&s, key, 8, v, sizeof(v)), 0);
	}
	EXPECT_EQ("tail buffer writes", 2, d.writes - first + 1);
	EXPECT_EQ("undo entries", 2, d.nundo);
	const struct md_undo *lost = &d.undo[0];
	EXPECT_EQ("sectors of the lost write", 16, lost->count);
	memcpy(d.data + lost->lba * SECTOR, lost->old, (size_t)lost->count * SECTOR);
	md_power_on(&d);
	open_ok(&s, &d);
	expect_state(&s, &m, "session 2 after the lost write");
	for (uint32_t i = 0; i < 128; i++) {
		snprintf(key, sizeof(key), "s2-%05u", i % 40);
		v[0] = (uint8_t)(i + 1);
		EXPECT_RC(sfs_put(&s, key, 8, v, sizeof(v)), 0);
		model_put(&m, key, 8, v, sizeof(v));
	}
	uint32_t w = d.writes;
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("session 2's sync: one write", 1, d.writes - w);
	EXPECT_EQ("at session 1's lost write", lost->lba, d.last_lba);
	open_ok(&s, &d);
	expect_state(&s, &m, "session 3");
	md_free(&d);
}

/*
 * One session, records of 64 bytes: region 0 fills, the keys compact into region 1, that
 * fills, and they compact back into region 0: one sector of image and pad, then sector 1
 * holds records of the first pass, of the same epoch and in record boundaries. Replay must
 * stop there: their seq numbers are not the next.
 */
static void records_of_an_earlier_pass_over_a_region_are_not_replayed(void **state)
{
	(void)state;
	md_init(&d, SFS_MIN_SECTORS);
	open_ok(&s, &d);
	static struct model m;
	memset(&m, 0, sizeof(m));
	uint8_t v[32] = { 0 };
	char key[16];
	struct sfs_stats st = { 0 };
	for (uint32_t i = 0; st.compactions < 2; i++) {
		snprintf(key, sizeof(key), "key-%04u", i % 4);
		memcpy(v, &i, sizeof(i));
		EXPECT_RC(sfs_put(&s, key, 8, v, sizeof(v)), 0);
		model_put(&m, key, 8, v, sizeof(v));
		EXPECT_RC(sfs_stats(&s, &st), 0);
	}
	EXPECT_EQ("region used after the second compaction: one sector", SECTOR,
		  st.region_bytes - st.bytes_free);
	EXPECT_RC(sfs_sync(&s), 0);
	open_ok(&s, &d);
	expect_state(&s, &m, "reopened over the first pass's records");
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_EQ("replayed: 4 puts and a pad", 5, st.replayed);
	md_free(&d);
}

/*
 * Session 1 fills most of a region without a sync: only the tail buffer's whole sectors,
 * two writes of them, reach the disk, so the journal the next open finds ends inside a sector. Session 2 syncs
 * (nothing new: no I/O), then a put that does not fit compacts at once: the partial sector's
 * bytes belong to the old region and must not lead the new one.
 */
static void a_compaction_right_after_recovering_a_partial_sector_keeps_every_key(void **state)
{
	(void)state;
	md_init(&d, SFS_SB_SECTORS + 2 * 36);
	open_ok(&s, &d);
	struct sfs_stats st;
	struct op o = { .vlen = 300 };
	uint32_t w = d.writes;
	do {
		snprintf(o.key, sizeof(o.key), "f%02u", o.seed % 10);
		o.seed++;
		EXPECT_RC(do_op(&o), 0);
		EXPECT_RC(sfs_stats(&s, &st), 0);
	} while (d.writes < w + 2);
	EXPECT_EQ("compactions in session 1", 0, st.compactions);
	open_ok(&s, &d);
	EXPECT_RC(sfs_stats(&s, &st), 0);
	if (st.bytes_free % SECTOR == 0 || st.keys == 0)
		fail_msg("the recovered journal should end inside a sector, with keys: %u bytes free, %u keys",
			 st.bytes_free, st.keys);
	static struct model m;
	model_snapshot(&s, &m);
	uint32_t f = d.flushes;
	w = d.writes;
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes of a sync with nothing new", 0, d.writes - w);
	EXPECT_EQ("flushes of it", 0, d.flushes - f);
	const struct op big = { .key = "big", .vlen = SFS_VALUE_MAX, .seed = 9 };
	EXPECT_RC(do_op(&big), 0);
	model_op(&m, &big);
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_EQ("compactions", 1, st.compactions);
	expect_state(&s, &m, "after the compaction");
	open_ok(&s, &d);
	expect_state(&s, &m, "reopened after the compaction");
	md_free(&d);
}

static void a_format_over_damaged_superblocks_never_takes_up_the_old_journal(void **state)
{
	(void)state;
	md_init(&d, SFS_MIN_SECTORS);
	open_ok(&s, &d);
	EXPECT_RC(sfs_put(&s, "k", 1, "v", 1), 0);
	EXPECT_RC(sfs_sync(&s), 0);
	open_ok(&s, &d);
	d.data[100] ^= 1;
	open_ok(&s, &d);
	struct sfs_stats st;
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_EQ("one slot damaged: not formatted", 0, st.formatted);
	EXPECT_EQ("keys", 1, st.keys);
	d.data[100] ^= 1;
	d.data[SECTOR + 100] ^= 1;
	open_ok(&s, &d);
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_EQ("both damaged: formatted", 1, st.formatted);
	EXPECT_EQ("keys after formatting", 0, st.keys);
	/* The old journal is still in region 0: the new one never takes it up. */
	open_ok(&s, &d);
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_EQ("keys of the reopened fresh journal", 0, st.keys);
	EXPECT_RC(sfs_put(&s, "n", 1, "new", 3), 0);
	EXPECT_RC(sfs_sync(&s), 0);
	open_ok(&s, &d);
	static struct model m;
	memset(&m, 0, sizeof(m));
	model_put(&m, "n", 1, "new", 3);
	expect_state(&s, &m, "the new journal over the old");
	md_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recovery_from_every_torn_write_position_keeps_exactly_the_landed_records),
		cmocka_unit_test(compaction_survives_a_power_cut_at_every_write_it_makes),
		cmocka_unit_test(corrupted_journal_bytes_are_never_returned),
		cmocka_unit_test(a_value_damaged_after_the_open_is_refused_and_left_out_by_compaction),
		cmocka_unit_test(a_later_session_never_replays_records_left_beyond_a_lost_write),
		cmocka_unit_test(records_of_an_earlier_pass_over_a_region_are_not_replayed),
		cmocka_unit_test(a_compaction_right_after_recovering_a_partial_sector_keeps_every_key),
		cmocka_unit_test(a_format_over_damaged_superblocks_never_takes_up_the_old_journal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
