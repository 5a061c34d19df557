/* The store's operations: every call, every refusal (state unchanged), list paging, sync
 * costs, NOSPACE at the exact bound, compaction, I/O errors, counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sfs_fixture.h"

/* A disk of SFS_MIN_SECTORS: regions of 16 sectors, 8192 bytes. */
#define SMALL SFS_MIN_SECTORS
#define BIG 2050U

static struct sfs_store s;
static struct memdisk d;
static struct model m;

static int setup(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EXPECT_EQ("calls outside the I/O bound", 0, d.bad_calls);
	if (d.max_count > SFS_IO_MAX_SECTORS)
		fail_msg("a call moved %u sectors", d.max_count);
	md_free(&d);
	return 0;
}

static void fresh(uint64_t sectors)
{
	md_init(&d, sectors);
	open_ok(&s, &d);
}

static void put_ok(const char *key, const void *val, size_t vlen)
{
	EXPECT_RC(sfs_put(&s, key, strlen(key), val, vlen), 0);
	model_put(&m, key, strlen(key), val, vlen);
}

static void del_ok(const char *key)
{
	EXPECT_RC(sfs_delete(&s, key, strlen(key)), 0);
	model_del(&m, key, strlen(key));
}

static struct sfs_stats stats(void)
{
	struct sfs_stats st;
	EXPECT_RC(sfs_stats(&s, &st), 0);
	return st;
}

static void reopen(void)
{
	open_ok(&s, &d);
}

/* Nothing a refusal could change has changed: contents, journal use, device calls. */
struct frozen {
	struct sfs_stats st;
	uint32_t writes, flushes;
};

static struct frozen freeze(void)
{
	return (struct frozen){ .st = stats(), .writes = d.writes, .flushes = d.flushes };
}

static void expect_unchanged(const struct frozen *f, const char *what)
{
	struct sfs_stats st = stats();
	if (d.writes != f->writes || d.flushes != f->flushes || st.bytes_free != f->st.bytes_free ||
	    st.bytes_live != f->st.bytes_live || st.keys != f->st.keys)
		fail_msg("%s: changed the store (writes %u -> %u, free %u -> %u, live %u -> %u, keys %u -> %u)",
			 what, f->writes, d.writes, f->st.bytes_free, st.bytes_free, f->st.bytes_live,
			 st.bytes_live, f->st.keys, st.keys);
	expect_state(&s, &m, what);
}

static void fill(uint8_t *buf, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static void open_formats_a_blank_disk_with_one_write_and_one_flush(void **state)
{
	(void)state;
	fresh(SMALL);
	struct sfs_stats st = stats();
	EXPECT_EQ("formatted", 1, st.formatted);
	EXPECT_EQ("keys", 0, st.keys);
	EXPECT_EQ("region bytes", 16 * SFS_SECTOR_SIZE, st.region_bytes);
	EXPECT_EQ("bytes free", st.region_bytes, st.bytes_free);
	EXPECT_EQ("write calls", 1, d.writes);
	EXPECT_EQ("flushes", 1, d.flushes);
	assert_memory_equal(d.data + SFS_SECTOR_SIZE, "SFSB", 4);
	reopen();
	EXPECT_EQ("formatted again", 0, stats().formatted);
	EXPECT_EQ("epoch of the second session", 2, stats().epoch);
}

static void open_uses_two_regions_of_half_the_rest(void **state)
{
	(void)state;
	fresh(SMALL + 5);
	EXPECT_EQ("region bytes of a 39-sector disk", 18 * SFS_SECTOR_SIZE, stats().region_bytes);
}

static void open_refuses_bad_arguments_and_a_disk_one_sector_too_small(void **state)
{
	(void)state;
	md_init(&d, SMALL - 1);
	struct sfs_dev dev = md_dev(&d);
	EXPECT_RC(sfs_open(&s, &dev), -SFS_EINVAL);
	EXPECT_RC(sfs_put(&s, "k", 1, "v", 1), -SFS_EIO);
	EXPECT_EQ("calls on the refused disk", 0, d.reads + d.writes);
	dev.sectors = SMALL;
	EXPECT_RC(sfs_open(NULL, &dev), -SFS_EINVAL);
	EXPECT_RC(sfs_open(&s, NULL), -SFS_EINVAL);
	struct sfs_dev bad = dev;
	bad.read = NULL;
	EXPECT_RC(sfs_open(&s, &bad), -SFS_EINVAL);
	bad = dev;
	bad.write = NULL;
	EXPECT_RC(sfs_open(&s, &bad), -SFS_EINVAL);
	bad = dev;
	bad.flush = NULL;
	EXPECT_RC(sfs_open(&s, &bad), -SFS_EINVAL);
	md_free(&d);
	md_init(&d, SMALL);
	dev = md_dev(&d);
	EXPECT_RC(sfs_open(&s, &dev), 0);
}

static void put_and_get_round_trip_keys_and_values_at_their_bounds(void **state)
{
	(void)state;
	fresh(BIG);
	static uint8_t big[SFS_VALUE_MAX], out[SFS_VALUE_MAX];
	char key64[SFS_KEY_MAX + 1];
	memset(key64, 'K', SFS_KEY_MAX);
	key64[SFS_KEY_MAX] = 0;
	fill(big, sizeof(big), 1);
	put_ok("a", "", 0);
	put_ok(key64, big, SFS_VALUE_MAX);
	put_ok("b", "x", 1);
	size_t len = 99;
	EXPECT_RC(sfs_get(&s, "a", 1, NULL, 0, &len), 0);
	EXPECT_EQ("empty value", 0, len);
	EXPECT_RC(sfs_get(&s, key64, SFS_KEY_MAX, out, sizeof(out), &len), 0);
	EXPECT_EQ("4096-byte value", SFS_VALUE_MAX, len);
	assert_memory_equal(out, big, SFS_VALUE_MAX);
	EXPECT_RC(sfs_sync(&s), 0);
	reopen();
	expect_state(&s, &m, "after reopen");
}

static void put_refuses_key_of_0_and_65_bytes_and_changes_nothing(void **state)
{
	(void)state;
	fresh(SMALL);
	put_ok("keep", "v", 1);
	char key65[SFS_KEY_MAX + 2];
	memset(key65, 'x', sizeof(key65));
	struct frozen f = freeze();
	EXPECT_RC(sfs_put(&s, key65, 0, "v", 1), -SFS_EKEY);
	EXPECT_RC(sfs_put(&s, key65, SFS_KEY_MAX + 1, "v", 1), -SFS_EKEY);
	EXPECT_RC(sfs_put(&s, NULL, 1, "v", 1), -SFS_EINVAL);
	EXPECT_RC(sfs_put(NULL, "k", 1, "v", 1), -SFS_EINVAL);
	expect_unchanged(&f, "refused keys");
	put_ok("x", "v", 1);
}

static void put_refuses_value_of_4097_bytes_and_changes_nothing(void **state)
{
	(void)state;
	fresh(BIG);
	static uint8_t big[SFS_VALUE_MAX + 1];
	put_ok("keep", "v", 1);
	struct frozen f = freeze();
	EXPECT_RC(sfs_put(&s, "k", 1, big, SFS_VALUE_MAX + 1), -SFS_EVALUE);
	EXPECT_RC(sfs_put(&s, "k", 1, NULL, 1), -SFS_EINVAL);
	expect_unchanged(&f, "refused values");
	put_ok("k", big, SFS_VALUE_MAX);
	put_ok("n", NULL, 0);
	expect_state(&s, &m, "after the bounds");
}

static void get_refuses_bad_keys_unknown_keys_and_short_buffers(void **state)
{
	(void)state;
	fresh(SMALL);
	put_ok("key", "value", 5);
	uint8_t buf[8];
	size_t len = 77;
	EXPECT_RC(sfs_get(&s, "nokey", 5, buf, sizeof(buf), &len), -SFS_ENOENT);
	EXPECT_RC(sfs_get(&s, "ke", 2, buf, sizeof(buf), &len), -SFS_ENOENT);
	EXPECT_RC(sfs_get(&s, "keyy", 4, buf, sizeof(buf), &len), -SFS_ENOENT);
	EXPECT_RC(sfs_get(&s, "key", 0, buf, sizeof(buf), &len), -SFS_EKEY);
	EXPECT_RC(sfs_get(&s, "key", SFS_KEY_MAX + 1, buf, sizeof(buf), &len), -SFS_EKEY);
	EXPECT_RC(sfs_get(&s, NULL, 3, buf, sizeof(buf), &len), -SFS_EINVAL);
	EXPECT_RC(sfs_get(&s, "key", 3, buf, sizeof(buf), NULL), -SFS_EINVAL);
	EXPECT_RC(sfs_get(&s, "key", 3, NULL, 5, &len), -SFS_EINVAL);
	EXPECT_EQ("length after refusals", 77, len);
	memset(buf, 0xEE, sizeof(buf));
	EXPECT_RC(sfs_get(&s, "key", 3, buf, 4, &len), -SFS_ESHORT);
	EXPECT_EQ("length reported by ESHORT", 5, len);
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT_EQ("buffer untouched by ESHORT", 0xEE, buf[i]);
	EXPECT_RC(sfs_get(&s, "key", 3, buf, 5, &len), 0);
	assert_memory_equal(buf, "value", 5);
	EXPECT_EQ("byte after the value", 0xEE, buf[5]);
}

static void put_replaces_and_delete_removes(void **state)
{
	(void)state;
	fresh(SMALL);
	put_ok("k", "one", 3);
	put_ok("k", "three", 5);
	expect_state(&s, &m, "replaced");
	del_ok("k");
	expect_state(&s, &m, "deleted");
	size_t len;
	uint8_t buf[8];
	EXPECT_RC(sfs_get(&s, "k", 1, buf, sizeof(buf), &len), -SFS_ENOENT);
	put_ok("k", "again", 5);
	EXPECT_RC(sfs_sync(&s), 0);
	reopen();
	expect_state(&s, &m, "reopened");
	EXPECT_EQ("records replayed: 3 puts, 1 delete, 1 pad", 5, stats().replayed);
}

static void delete_refuses_unknown_and_bad_keys_and_writes_nothing(void **state)
{
	(void)state;
	fresh(SMALL);
	put_ok("k", "v", 1);
	struct frozen f = freeze();
	EXPECT_RC(sfs_delete(&s, "x", 1), -SFS_ENOENT);
	EXPECT_RC(sfs_delete(&s, "k", 0), -SFS_EKEY);
	EXPECT_RC(sfs_delete(&s, "k", SFS_KEY_MAX + 1), -SFS_EKEY);
	EXPECT_RC(sfs_delete(&s, NULL, 1), -SFS_EINVAL);
	EXPECT_RC(sfs_delete(NULL, "k", 1), -SFS_EINVAL);
	expect_unchanged(&f, "refused deletes");
}

static void key_name(char *out, uint32_t i)
{
	snprintf(out, 16, "key%03u", i);
}

static void put_of_a_new_key_past_128_keys_is_refused_and_changes_nothing(void **state)
{
	(void)state;
	fresh(BIG);
	char key[16];
	for (uint32_t i = 0; i < SFS_MAX_KEYS; i++) {
		key_name(key, i);
		put_ok(key, &i, sizeof(i));
	}
	EXPECT_EQ("keys", SFS_MAX_KEYS, stats().keys);
	struct frozen f = freeze();
	EXPECT_RC(sfs_put(&s, "one-more", 8, "v", 1), -SFS_EFULL);
	expect_unchanged(&f, "refused 129th key");
	put_ok("key005", "replaced", 8);
	del_ok("key000");
	put_ok("one-more", "v", 1);
	EXPECT_RC(sfs_sync(&s), 0);
	reopen();
	expect_state(&s, &m, "full table reopened");
}

/*
 * A region of 8192 bytes. "A" with 4096 bytes (a 4121-byte record) and "B" with 4046 bytes
 * (4071) fill it exactly. One byte more for B does not fit even compacted: ENOSPACE, and
 * nothing changes; B at 4046 bytes again compacts into exactly the region.
 */
static void put_that_does_not_fit_even_compacted_is_refused_at_one_byte_past_the_region(void **state)
{
	(void)state;
	fresh(SMALL);
	static uint8_t a[SFS_VALUE_MAX], b[SFS_VALUE_MAX];
	fill(a, sizeof(a), 2);
	fill(b, sizeof(b), 3);
	put_ok("A", a, 4096);
	put_ok("B", b, 4046);
	EXPECT_EQ("bytes free when full", 0, stats().bytes_free);
	EXPECT_EQ("compactions", 0, stats().compactions);
	struct frozen f = freeze();
	EXPECT_RC(sfs_put(&s, "B", 1, b, 4047), -SFS_ENOSPACE);
	EXPECT_RC(sfs_put(&s, "C", 1, NULL, 0), -SFS_ENOSPACE);
	expect_unchanged(&f, "refused put");
	put_ok("B", b + 1, 4046);
	EXPECT_EQ("compactions", 1, stats().compactions);
	EXPECT_EQ("bytes free after compacting into exactly the region", 0, stats().bytes_free);
	EXPECT_EQ("bytes live", 8192, stats().bytes_live);
	reopen();
	expect_state(&s, &m, "exact fit reopened");
}

static void delete_in_a_full_region_compacts_and_never_runs_out_of_space(void **state)
{
	(void)state;
	fresh(SMALL);
	static uint8_t a[SFS_VALUE_MAX];
	put_ok("A", a, 4096);
	put_ok("B", a, 4046);
	del_ok("A");
	EXPECT_EQ("compactions", 1, stats().compactions);
	EXPECT_EQ("bytes live", 4071, stats().bytes_live);
	reopen();
	expect_state(&s, &m, "after the delete");
}

static void compaction_keeps_every_key_across_many_compactions(void **state)
{
	(void)state;
	fresh(SMALL + 20); /* regions of 26 sectors */
	uint8_t v[300];
	char key[16];
	for (uint32_t round = 0; round < 40; round++) {
		for (uint32_t i = 0; i < 10; i++) {
			key_name(key, i);
			fill(v, sizeof(v), round * 10 + i);
			put_ok(key, v, 50 + 25 * i);
		}
		if (round % 3 == 0)
			del_ok("key004");
		if (round % 4 == 0)
			EXPECT_RC(sfs_sync(&s), 0);
	}
	struct sfs_stats st = stats();
	if (st.compactions < 5)
		fail_msg("expected several compactions, got %llu", (unsigned long long)st.compactions);
	expect_state(&s, &m, "after compactions");
	EXPECT_RC(sfs_sync(&s), 0);
	reopen();
	expect_state(&s, &m, "reopened after compactions");
}

static void list_pages_through_a_prefix_in_order_with_a_more_flag(void **state)
{
	(void)state;
	fresh(SMALL);
	const char *keys[] = { "user/b", "user/a", "user", "user/c", "usera", "other", "user/\x80", "use" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put_ok(keys[i], "v", 1);
	struct sfs_key out[4], cursor;
	size_t n;
	bool more;
	EXPECT_RC(sfs_list(&s, "user/", 5, NULL, out, 2, &n, &more), 0);
	EXPECT_EQ("page 1 keys", 2, n);
	assert_true(more);
	assert_memory_equal(out[0].bytes, "user/a", 6);
	assert_memory_equal(out[1].bytes, "user/b", 6);
	cursor = out[1];
	EXPECT_RC(sfs_list(&s, "user/", 5, &cursor, out, 2, &n, &more), 0);
	EXPECT_EQ("page 2 keys", 2, n);
	assert_false(more);
	assert_memory_equal(out[0].bytes, "user/c", 6);
	assert_memory_equal(out[1].bytes, "user/\x80", 6);
	EXPECT_EQ("length", 6, out[1].len);
	cursor = out[1];
	EXPECT_RC(sfs_list(&s, "user/", 5, &cursor, out, 2, &n, &more), 0);
	EXPECT_EQ("page 3 keys", 0, n);
	assert_false(more);
	/* Exactly `max` keys left: no more. One more: more. */
	EXPECT_RC(sfs_list(&s, "user/", 5, NULL, out, 4, &n, &more), 0);
	EXPECT_EQ("4 of 4", 4, n);
	assert_false(more);
	EXPECT_RC(sfs_list(&s, "user/", 5, NULL, out, 3, &n, &more), 0);
	EXPECT_EQ("3 of 4", 3, n);
	assert_true(more);
	/* No prefix: every key, bytewise, a key before the longer keys it begins. */
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, out, 4, &n, &more), 0);
	EXPECT_EQ("first page of all", 4, n);
	assert_true(more);
	assert_memory_equal(out[0].bytes, "other", 5);
	assert_memory_equal(out[1].bytes, "use", 3);
	EXPECT_EQ("use", 3, out[1].len);
	assert_memory_equal(out[2].bytes, "user", 4);
	EXPECT_EQ("user", 4, out[2].len);
	assert_memory_equal(out[3].bytes, "user/a", 6);
	/* A cursor before the prefix's keys starts at them; one after them ends the listing. */
	cursor = (struct sfs_key){ .len = 1, .bytes = "a" };
	EXPECT_RC(sfs_list(&s, "user/", 5, &cursor, out, 1, &n, &more), 0);
	assert_memory_equal(out[0].bytes, "user/a", 6);
	cursor = (struct sfs_key){ .len = 1, .bytes = "z" };
	EXPECT_RC(sfs_list(&s, "user/", 5, &cursor, out, 4, &n, &more), 0);
	EXPECT_EQ("after the prefix", 0, n);
	assert_false(more);
	/* A key equal to the prefix has it. */
	EXPECT_RC(sfs_list(&s, "user", 4, NULL, out, 2, &n, &more), 0);
	EXPECT_EQ("prefix user", 2, n);
	EXPECT_EQ("the key user itself", 4, out[0].len);
	assert_memory_equal(out[0].bytes, "user", 4);
	assert_memory_equal(out[1].bytes, "user/a", 6);
	EXPECT_RC(sfs_list(&s, "nothing", 7, NULL, out, 4, &n, &more), 0);
	EXPECT_EQ("no match", 0, n);
	assert_false(more);
}

static void list_takes_128_keys_per_page_and_refuses_bounds_leaving_outputs(void **state)
{
	(void)state;
	fresh(BIG);
	char key[16];
	for (uint32_t i = 0; i < SFS_MAX_KEYS; i++) {
		key_name(key, i);
		put_ok(key, "", 0);
	}
	static struct sfs_key out[SFS_MAX_KEYS + 1];
	size_t n = 0;
	bool more = true;
	EXPECT_RC(sfs_list(&s, "key", 3, NULL, out, SFS_MAX_KEYS, &n, &more), 0);
	EXPECT_EQ("keys in one page of 128", SFS_MAX_KEYS, n);
	assert_false(more);
	for (uint32_t i = 0; i < SFS_MAX_KEYS; i++) {
		key_name(key, i);
		assert_memory_equal(out[i].bytes, key, 6);
	}
	n = 55;
	more = true;
	char prefix[SFS_KEY_MAX + 1];
	memset(prefix, 'p', sizeof(prefix));
	struct sfs_key bad0 = { .len = 0 }, bad65 = { .len = SFS_KEY_MAX + 1 };
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, out, 0, &n, &more), -SFS_EINVAL);
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, out, SFS_MAX_KEYS + 1, &n, &more), -SFS_EINVAL);
	EXPECT_RC(sfs_list(&s, NULL, 1, NULL, out, 1, &n, &more), -SFS_EINVAL);
	EXPECT_RC(sfs_list(&s, prefix, SFS_KEY_MAX + 1, NULL, out, 1, &n, &more), -SFS_EKEY);
	EXPECT_RC(sfs_list(&s, NULL, 0, &bad0, out, 1, &n, &more), -SFS_EKEY);
	EXPECT_RC(sfs_list(&s, NULL, 0, &bad65, out, 1, &n, &more), -SFS_EKEY);
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, NULL, 1, &n, &more), -SFS_EINVAL);
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, out, 1, NULL, &more), -SFS_EINVAL);
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, out, 1, &n, NULL), -SFS_EINVAL);
	EXPECT_RC(sfs_list(NULL, NULL, 0, NULL, out, 1, &n, &more), -SFS_EINVAL);
	EXPECT_EQ("n untouched", 55, n);
	assert_true(more);
	EXPECT_RC(sfs_list(&s, prefix, SFS_KEY_MAX, NULL, out, 1, &n, &more), 0);
	EXPECT_EQ("64-byte prefix", 0, n);
	struct sfs_key k64 = { .len = SFS_KEY_MAX };
	memset(k64.bytes, 0xFF, SFS_KEY_MAX);
	EXPECT_RC(sfs_list(&s, NULL, 0, &k64, out, 1, &n, &more), 0);
	EXPECT_EQ("after the largest key", 0, n);
}

static void sync_of_small_puts_is_one_write_and_one_flush(void **state)
{
	(void)state;
	fresh(BIG);
	uint8_t v[64] = { 0 };
	uint32_t w = d.writes, f = d.flushes;
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes of an empty sync", 0, d.writes - w);
	EXPECT_EQ("flushes of an empty sync", 0, d.flushes - f);
	put_ok("one", v, 64);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes of a 64-byte put + sync", 1, d.writes - w);
	EXPECT_EQ("flushes", 1, d.flushes - f);
	EXPECT_EQ("sectors of it", 1, d.last_count);
	char key[16];
	w = d.writes;
	for (uint32_t i = 0; i < 10; i++) {
		key_name(key, i);
		put_ok(key, v, 64);
	}
	EXPECT_EQ("writes before the sync", 0, d.writes - w);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes of 10 puts + sync", 1, d.writes - w);
	EXPECT_EQ("sectors (10 x 94 bytes and a pad)", 2, d.last_count);
}

/* Three puts whose records total 8168 bytes take one write at sync; one byte more, two. */
static void sync_writes_once_up_to_8168_bytes_of_records(void **state)
{
	(void)state;
	fresh(BIG);
	static uint8_t v[SFS_VALUE_MAX];
	uint32_t w = d.writes;
	put_ok("a", v, 4000);
	put_ok("b", v, 4000);
	put_ok("c", v, 93);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes for 8168 bytes", 1, d.writes - w);
	EXPECT_EQ("sectors", 16, d.last_count);
	w = d.writes;
	put_ok("a", v, 4000);
	put_ok("b", v, 4000);
	put_ok("c", v, 94);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes for 8169 bytes", 2, d.writes - w);
	w = d.writes;
	put_ok("a", v, 4096);
	put_ok("b", v, 4096);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("writes for two 4 KiB puts", 2, d.writes - w);
	reopen();
	expect_state(&s, &m, "reopened");
}

/* Three puts of 4000 bytes: the third fills the tail buffer, whose 15 whole sectors go out;
 * the second record starts in them and ends in the sector still in the buffer. */
static void get_reads_a_record_that_a_tail_write_cut_in_two(void **state)
{
	(void)state;
	fresh(BIG);
	static uint8_t v[SFS_VALUE_MAX], out[SFS_VALUE_MAX];
	uint32_t w = d.writes;
	fill(v, sizeof(v), 1);
	put_ok("a", v, 4000);
	fill(v, sizeof(v), 2);
	put_ok("b", v, 4000);
	fill(v, sizeof(v), 3);
	put_ok("c", v, 4000);
	EXPECT_EQ("tail writes", 1, d.writes - w);
	EXPECT_EQ("sectors of it", 15, d.last_count);
	size_t len;
	EXPECT_RC(sfs_get(&s, "b", 1, out, sizeof(out), &len), 0);
	fill(v, sizeof(v), 2);
	assert_memory_equal(out, v, 4000);
	expect_state(&s, &m, "before the sync");
	EXPECT_RC(sfs_sync(&s), 0);
	expect_state(&s, &m, "after the sync");
	reopen();
	expect_state(&s, &m, "reopened");
}

static void io_stays_within_16_sectors_per_call_on_a_large_workload(void **state)
{
	(void)state;
	fresh(BIG);
	static uint8_t v[SFS_VALUE_MAX];
	char key[16];
	for (uint32_t i = 0; i < 600; i++) {
		key_name(key, i % 40);
		fill(v, sizeof(v), i);
		put_ok(key, v, (i * 997) % (SFS_VALUE_MAX + 1));
		if (i % 7 == 0)
			EXPECT_RC(sfs_sync(&s), 0);
	}
	EXPECT_RC(sfs_sync(&s), 0);
	if (stats().compactions < 2)
		fail_msg("expected compactions, got %llu", (unsigned long long)stats().compactions);
	reopen();
	expect_state(&s, &m, "reopened");
	EXPECT_EQ("largest call", SFS_IO_MAX_SECTORS, d.max_count);
}

static void a_failed_write_breaks_the_store_until_reopened_and_keeps_synced_data(void **state)
{
	(void)state;
	fresh(SMALL);
	put_ok("synced", "yes", 3);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_RC(sfs_put(&s, "lost", 4, "no", 2), 0);
	d.fail_write = d.writes + 1;
	EXPECT_RC(sfs_sync(&s), -SFS_EIO);
	uint8_t buf[8];
	size_t len, n;
	bool more;
	struct sfs_key out[1];
	EXPECT_RC(sfs_put(&s, "k", 1, "v", 1), -SFS_EIO);
	EXPECT_RC(sfs_get(&s, "synced", 6, buf, sizeof(buf), &len), -SFS_EIO);
	EXPECT_RC(sfs_delete(&s, "synced", 6), -SFS_EIO);
	EXPECT_RC(sfs_list(&s, NULL, 0, NULL, out, 1, &n, &more), -SFS_EIO);
	EXPECT_RC(sfs_sync(&s), -SFS_EIO);
	struct sfs_stats st;
	EXPECT_RC(sfs_stats(&s, &st), 0);
	EXPECT_RC(sfs_stats(NULL, &st), -SFS_EINVAL);
	EXPECT_RC(sfs_stats(&s, NULL), -SFS_EINVAL);
	EXPECT_RC(sfs_sync(NULL), -SFS_EINVAL);
	md_power_on(&d);
	reopen();
	expect_state(&s, &m, "reopened after the failed write");
}

static void a_failed_flush_or_read_is_an_io_error(void **state)
{
	(void)state;
	fresh(SMALL);
	put_ok("k", "v", 1);
	d.fail_flush = d.flushes + 1;
	EXPECT_RC(sfs_sync(&s), -SFS_EIO);
	md_power_on(&d);
	reopen();
	expect_state(&s, &m, "the write landed, the flush failed");
	reopen(); /* nothing cached: the get reads */
	uint8_t buf[4];
	size_t len;
	d.fail_read = d.reads + 1;
	EXPECT_RC(sfs_get(&s, "k", 1, buf, sizeof(buf), &len), -SFS_EIO);
	EXPECT_RC(sfs_get(&s, "k", 1, buf, sizeof(buf), &len), -SFS_EIO);
	md_power_on(&d);
	d.fail_read = d.reads + 1;
	struct sfs_dev dev = md_dev(&d);
	EXPECT_RC(sfs_open(&s, &dev), -SFS_EIO);
	EXPECT_RC(sfs_get(&s, "k", 1, buf, sizeof(buf), &len), -SFS_EIO);
	reopen();
	d.fail_write = d.writes + 1;
	EXPECT_RC(sfs_open(&s, &dev), -SFS_EIO);
	reopen();
	d.fail_flush = d.flushes + 1;
	EXPECT_RC(sfs_open(&s, &dev), -SFS_EIO);
	reopen();
	expect_state(&s, &m, "after failed opens");
}

/* Forge superblock slot `slot` with these fields, CRC right. */
static void forge_sb(uint32_t slot, uint64_t gen, uint32_t region_epoch, uint32_t next_epoch, uint32_t sectors)
{
	uint8_t *b = d.data + slot * SFS_SECTOR_SIZE;
	static const uint8_t magic[4] = { 'S', 'F', 'S', 'B' };
	memset(b, 0, SFS_SECTOR_SIZE);
	memcpy(b, magic, sizeof(magic));
	b[4] = 1;
	for (int i = 0; i < 8; i++) {
		b[8 + i] = (uint8_t)(gen >> (8 * i));
		b[16 + i] = (uint8_t)(i == 0); /* base_seq 1 */
	}
	for (int i = 0; i < 4; i++) {
		b[24 + i] = (uint8_t)(region_epoch >> (8 * i));
		b[28 + i] = (uint8_t)(next_epoch >> (8 * i));
		b[32 + i] = (uint8_t)(sectors >> (8 * i));
	}
	uint32_t crc = sfs_crc32c(0, b, SFS_SECTOR_SIZE - 4);
	for (int i = 0; i < 4; i++)
		b[SFS_SECTOR_SIZE - 4 + i] = (uint8_t)(crc >> (8 * i));
}

static void open_refuses_a_disk_whose_epochs_are_used_up(void **state)
{
	(void)state;
	md_init(&d, SMALL);
	forge_sb(1, 7, 1, UINT32_MAX - 1, 16);
	open_ok(&s, &d);
	EXPECT_EQ("last epoch", UINT32_MAX - 1, stats().epoch);
	EXPECT_EQ("formatted", 0, stats().formatted);
	struct sfs_dev dev = md_dev(&d);
	EXPECT_RC(sfs_open(&s, &dev), -SFS_ENOSPACE);
	EXPECT_RC(sfs_put(&s, "k", 1, "v", 1), -SFS_EIO);
}

static void superblock_of_a_geometry_beyond_the_disk_or_in_the_wrong_slot_is_not_used(void **state)
{
	(void)state;
	md_init(&d, SMALL);
	forge_sb(0, 4, 1, 5, 17); /* 2 + 34 sectors > 34 */
	open_ok(&s, &d);
	EXPECT_EQ("formatted over a superblock too large", 1, stats().formatted);
	md_free(&d);
	md_init(&d, SMALL);
	forge_sb(0, 5, 1, 5, 16); /* odd generation in slot 0 */
	open_ok(&s, &d);
	EXPECT_EQ("formatted over a superblock in the wrong slot", 1, stats().formatted);
	md_free(&d);
	md_init(&d, SMALL);
	forge_sb(0, 4, 5, 5, 16); /* region epoch not below next epoch */
	open_ok(&s, &d);
	EXPECT_EQ("formatted over inconsistent epochs", 1, stats().formatted);
	md_free(&d);
	md_init(&d, SMALL);
	forge_sb(0, 4, 1, 5, 16);
	forge_sb(1, 9, 1, 8, 16);
	open_ok(&s, &d);
	EXPECT_EQ("the newer slot's next epoch", 8, stats().epoch);
	EXPECT_EQ("formatted", 0, stats().formatted);
}

/* Write records of seq 1, 2, ... and epoch 1 from byte 0 of region 0, each `len` bytes
 * long, until `end`; returns the first seq not written. */
static uint64_t forge_journal(uint32_t len, uint32_t end)
{
	static uint8_t val[SFS_VALUE_MAX];
	uint64_t seq = 1;
	for (uint32_t pos = 0; pos + len <= end; pos += len, seq++) {
		const struct sfs_record r = { .type = SFS_REC_PUT, .key_len = 1, .value_len = (uint16_t)(len - 25),
					      .epoch = 1, .seq = seq, .key = (const uint8_t *)"f", .value = val };
		size_t n;
		EXPECT_RC(sfs_record_encode(&r, d.data + SFS_SB_SECTORS * SFS_SECTOR_SIZE + pos,
					    SFS_REC_MAX, &n), 0);
	}
	return seq;
}

/*
 * A journal the writer could not have made: its records end 11 bytes before the region's
 * end, no room for a sync pad. Replay stops before the last one, so the store never writes
 * past the region.
 */
static void replay_stops_at_a_record_that_leaves_no_room_for_a_pad(void **state)
{
	(void)state;
	md_init(&d, SMALL);
	forge_sb(1, 1, 1, 2, 16);
	EXPECT_EQ("records forged", 3, forge_journal(2727, 8192 - 11) - 1);
	open_ok(&s, &d);
	struct sfs_stats st = stats();
	EXPECT_EQ("replayed", 2, st.replayed);
	EXPECT_EQ("bytes free", 8192 - 2 * 2727, st.bytes_free);
	EXPECT_RC(sfs_put(&s, "g", 1, "x", 1), 0);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("stats after the sync", 8192 - 5632, stats().bytes_free);
	md_free(&d);
	md_init(&d, SMALL);
	forge_sb(1, 1, 1, 2, 16);
	EXPECT_EQ("records forged", 2, forge_journal(4096, 8192) - 1);
	open_ok(&s, &d);
	EXPECT_EQ("a journal up to the region's end replays whole", 2, stats().replayed);
	EXPECT_EQ("bytes free", 0, stats().bytes_free);
}

static void counters_follow_the_journal(void **state)
{
	(void)state;
	fresh(SMALL);
	struct sfs_stats st = stats();
	EXPECT_EQ("live", 0, st.bytes_live);
	put_ok("ab", "xyz", 3);
	st = stats();
	EXPECT_EQ("live after a put", 29, st.bytes_live);
	EXPECT_EQ("free after a put", 8192 - 29, st.bytes_free);
	EXPECT_EQ("keys", 1, st.keys);
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_EQ("free after sync (padded to a sector)", 8192 - 512, stats().bytes_free);
	del_ok("ab");
	EXPECT_EQ("live after the delete", 0, stats().bytes_live);
	EXPECT_RC(sfs_sync(&s), 0);
	reopen();
	st = stats();
	EXPECT_EQ("replayed", 4, st.replayed);
	EXPECT_EQ("dropped", 0, st.dropped);
	EXPECT_EQ("free after reopen", 8192 - 1024, st.bytes_free);
	EXPECT_EQ("write calls of the open", 1, st.write_calls);
	EXPECT_EQ("flushes of the open", 1, st.flushes);
	EXPECT_EQ("read calls of the open: superblocks, one window", 2, st.read_calls);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(open_formats_a_blank_disk_with_one_write_and_one_flush),
		T(open_uses_two_regions_of_half_the_rest),
		T(open_refuses_bad_arguments_and_a_disk_one_sector_too_small),
		T(put_and_get_round_trip_keys_and_values_at_their_bounds),
		T(put_refuses_key_of_0_and_65_bytes_and_changes_nothing),
		T(put_refuses_value_of_4097_bytes_and_changes_nothing),
		T(get_refuses_bad_keys_unknown_keys_and_short_buffers),
		T(put_replaces_and_delete_removes),
		T(delete_refuses_unknown_and_bad_keys_and_writes_nothing),
		T(put_of_a_new_key_past_128_keys_is_refused_and_changes_nothing),
		T(put_that_does_not_fit_even_compacted_is_refused_at_one_byte_past_the_region),
		T(delete_in_a_full_region_compacts_and_never_runs_out_of_space),
		T(compaction_keeps_every_key_across_many_compactions),
		T(list_pages_through_a_prefix_in_order_with_a_more_flag),
		T(list_takes_128_keys_per_page_and_refuses_bounds_leaving_outputs),
		T(sync_of_small_puts_is_one_write_and_one_flush),
		T(sync_writes_once_up_to_8168_bytes_of_records),
		T(get_reads_a_record_that_a_tail_write_cut_in_two),
		T(io_stays_within_16_sectors_per_call_on_a_large_workload),
		T(a_failed_write_breaks_the_store_until_reopened_and_keeps_synced_data),
		T(a_failed_flush_or_read_is_an_io_error),
		T(open_refuses_a_disk_whose_epochs_are_used_up),
		T(superblock_of_a_geometry_beyond_the_disk_or_in_the_wrong_slot_is_not_used),
		T(replay_stops_at_a_record_that_leaves_no_room_for_a_pad),
		T(counters_follow_the_journal),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
