/* execd's spawn_image request, chunk keys and stats (proto/execd.h): layouts, every bound and one past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "proto/execd.h"

#define REFUSED (-NX_EINVAL)

static struct execd_spawn_image request(size_t prefix_len)
{
	struct execd_spawn_image s = {
		.name = "hello",
		.qos = NX_QOS_BG,
		.page_quota = 48,
		.slack_fg_ms = 5,
		.slack_bg_ms = 200,
		.image_len = NX_SPAWN_ELF_MAX,
		.prefix_len = (uint8_t)prefix_len,
	};
	for (unsigned i = 0; i < EXECD_DIGEST_LEN; i++)
		s.sha512[i] = (uint8_t)(0xC0 + i);
	memset(s.prefix, 'p', prefix_len);
	s.prefix[prefix_len] = '\0';
	return s;
}

static void spawn_image_round_trips_with_prefixes_of_1_and_62_bytes(void **state)
{
	(void)state;
	const size_t lens[] = { 1, EXECD_PREFIX_MAX };
	for (unsigned k = 0; k < 2; k++) {
		struct execd_spawn_image s = request(lens[k]), got;
		uint8_t buf[EXECD_SPAWN_IMAGE_MAX];
		const int n = execd_spawn_image_encode(&s, buf, EXECD_SPAWN_IMAGE_FIXED + lens[k]);
		expect_eq("encoded length", EXECD_SPAWN_IMAGE_FIXED + lens[k], n);
		expect_eq("name first", 'h', buf[0]);
		expect_eq("image_len at 48", NX_SPAWN_ELF_MAX >> 16, buf[48 + 2]);
		expect_eq("digest at 52", 0xC0, buf[52]);
		expect_eq("prefix length at 116", lens[k], buf[116]);
		memset(&got, 0, sizeof got);
		expect_eq("decode", 0, execd_spawn_image_decode(buf, (size_t)n, &got));
		expect_eq("name", 0, strcmp(got.name, "hello"));
		expect_eq("qos", NX_QOS_BG, got.qos);
		expect_eq("quota", 48, got.page_quota);
		expect_eq("slack fg", 5, got.slack_fg_ms);
		expect_eq("slack bg", 200, got.slack_bg_ms);
		expect_eq("image_len", NX_SPAWN_ELF_MAX, got.image_len);
		expect_eq("digest", 0, memcmp(got.sha512, s.sha512, EXECD_DIGEST_LEN));
		expect_eq("prefix length", lens[k], got.prefix_len);
		expect_eq("prefix", 0, strcmp(got.prefix, s.prefix));
	}
}

static void spawn_image_encode_refuses_what_decode_would(void **state)
{
	(void)state;
	uint8_t buf[EXECD_SPAWN_IMAGE_MAX + 1];
	struct execd_spawn_image s = request(EXECD_PREFIX_MAX);
	s.prefix_len = EXECD_PREFIX_MAX + 1;
	memset(buf, 0xEE, sizeof buf);
	expect_eq("a 63-byte prefix", REFUSED, execd_spawn_image_encode(&s, buf, sizeof buf));
	s = request(0);
	expect_eq("an empty prefix", REFUSED, execd_spawn_image_encode(&s, buf, sizeof buf));
	s = request(4);
	s.prefix[2] = ' ';
	expect_eq("a space in the prefix", REFUSED, execd_spawn_image_encode(&s, buf, sizeof buf));
	s = request(4);
	s.image_len = 0;
	expect_eq("image_len 0", REFUSED, execd_spawn_image_encode(&s, buf, sizeof buf));
	s = request(4);
	s.name[0] = '\0';
	expect_eq("an empty name", REFUSED, execd_spawn_image_encode(&s, buf, sizeof buf));
	s = request(4);
	memset(s.name, 'n', sizeof s.name);
	expect_eq("a name without its NUL", REFUSED, execd_spawn_image_encode(&s, buf, sizeof buf));
	s = request(4);
	expect_eq("cap one short", REFUSED, execd_spawn_image_encode(&s, buf, EXECD_SPAWN_IMAGE_FIXED + 3));
	for (size_t i = 0; i < sizeof buf; i++)
		expect_eq("nothing written", 0xEE, buf[i]);
}

/* Decode `buf` (`len` bytes) and expect a refusal that leaves the output as it was. */
static void decode_refused(const char *what, const uint8_t *buf, size_t len)
{
	struct execd_spawn_image got;
	memset(&got, 0xAB, sizeof got);
	if (execd_spawn_image_decode(buf, len, &got) != -NX_EINVAL)
		fail_msg("%s: accepted", what);
	const uint8_t *p = (const uint8_t *)&got;
	for (size_t i = 0; i < sizeof got; i++)
		expect_eq("untouched by a refusal", 0xAB, p[i]);
}

static void spawn_image_decode_refuses_every_malformed_request(void **state)
{
	(void)state;
	struct execd_spawn_image s = request(8);
	uint8_t good[EXECD_SPAWN_IMAGE_MAX + 1], buf[sizeof good];
	const size_t n = (size_t)execd_spawn_image_encode(&s, good, sizeof good);
	decode_refused("empty", good, 0);
	decode_refused("the fixed part one short", good, EXECD_SPAWN_IMAGE_FIXED - 1);
	decode_refused("one byte short", good, n - 1);
	decode_refused("one byte long", good, n + 1);
	memcpy(buf, good, n);
	buf[0] = 0;
	decode_refused("an empty name", buf, n);
	memcpy(buf, good, n);
	memset(buf, 'n', NX_NAME_MAX + 1);
	decode_refused("a name without its NUL", buf, n);
	memcpy(buf, good, n);
	memset(buf + 48, 0, 4);
	decode_refused("image_len 0", buf, n);
	memcpy(buf, good, n);
	buf[EXECD_SPAWN_IMAGE_FIXED + 3] = 0x7F;
	decode_refused("DEL in the prefix", buf, n);
	memcpy(buf, good, n);
	buf[EXECD_SPAWN_IMAGE_FIXED] = 0;
	decode_refused("NUL in the prefix", buf, n);
	memcpy(buf, good, n);
	buf[116] = 0;
	decode_refused("prefix length 0", buf, EXECD_SPAWN_IMAGE_FIXED);
	/* 63 prefix bytes: a frame too long for any valid request. */
	uint8_t longest[EXECD_SPAWN_IMAGE_MAX + 1];
	memcpy(longest, good, EXECD_SPAWN_IMAGE_FIXED);
	memset(longest + EXECD_SPAWN_IMAGE_FIXED, 'p', EXECD_PREFIX_MAX + 1);
	longest[116] = EXECD_PREFIX_MAX + 1;
	decode_refused("a 63-byte prefix", longest, sizeof longest);
	longest[116] = EXECD_PREFIX_MAX;
	struct execd_spawn_image got;
	expect_eq("a 62-byte prefix", 0, execd_spawn_image_decode(longest, sizeof longest - 1, &got));
}

static void chunk_keys_are_the_prefix_and_a_decimal_index_up_to_64_bytes(void **state)
{
	(void)state;
	char key[STATEFS_KEY_MAX + 1];
	expect_eq("index 0", 4, execd_chunk_key("/a/", 3, 0, key, sizeof key));
	expect_eq("key 0", 0, strcmp(key, "/a/0"));
	expect_eq("index 9", 4, execd_chunk_key("/a/", 3, 9, key, sizeof key));
	expect_eq("key 9", 0, strcmp(key, "/a/9"));
	expect_eq("index 10", 5, execd_chunk_key("/a/", 3, 10, key, sizeof key));
	expect_eq("key 10", 0, strcmp(key, "/a/10"));
	expect_eq("last index", 5, execd_chunk_key("/a/", 3, EXECD_CHUNKS_MAX - 1, key, sizeof key));
	expect_eq("key 15", 0, strcmp(key, "/a/15"));
	expect_eq("index past the last", REFUSED, execd_chunk_key("/a/", 3, EXECD_CHUNKS_MAX, key, sizeof key));
	expect_eq("cap exact", 5, execd_chunk_key("/a/", 3, 15, key, 6));
	expect_eq("cap one short", REFUSED, execd_chunk_key("/a/", 3, 15, key, 5));
	char prefix[EXECD_PREFIX_MAX + 1];
	memset(prefix, 'q', sizeof prefix);
	const int n = execd_chunk_key(prefix, EXECD_PREFIX_MAX, 15, key, sizeof key);
	expect_eq("longest key", STATEFS_KEY_MAX, n);
	expect_eq("is a statefsd key", 1, statefs_key_ok(key, (size_t)n));
	expect_eq("a 63-byte prefix", REFUSED, execd_chunk_key(prefix, EXECD_PREFIX_MAX + 1, 0, key, sizeof key));
	expect_eq("an empty prefix", REFUSED, execd_chunk_key(prefix, 0, 0, key, sizeof key));
	expect_eq("a space in the prefix", REFUSED, execd_chunk_key("/a b/", 5, 0, key, sizeof key));
}

static void chunk_lengths_cover_the_image_exactly(void **state)
{
	(void)state;
	expect_eq("1 byte: chunk 0", 1, execd_chunk_len(1, 0));
	expect_eq("1 byte: chunk 1", 0, execd_chunk_len(1, 1));
	expect_eq("4096 bytes: chunk 0", 4096, execd_chunk_len(4096, 0));
	expect_eq("4096 bytes: chunk 1", 0, execd_chunk_len(4096, 1));
	expect_eq("4097 bytes: chunk 1", 1, execd_chunk_len(4097, 1));
	expect_eq("max: last chunk", EXECD_CHUNK_SIZE, execd_chunk_len(NX_SPAWN_ELF_MAX, EXECD_CHUNKS_MAX - 1));
	expect_eq("max: past the last", 0, execd_chunk_len(NX_SPAWN_ELF_MAX, EXECD_CHUNKS_MAX));
	expect_eq("max + 1: one chunk more", 1, execd_chunk_len(NX_SPAWN_ELF_MAX + 1, EXECD_CHUNKS_MAX));
	expect_eq("no overflow at UINT32_MAX", 0, execd_chunk_len(UINT32_MAX, 0xFFFFFFFFu));
}

static void stats_round_trip_as_five_u32_in_order(void **state)
{
	(void)state;
	const struct execd_stats s = { 1, 2, 3, 4, 0xFFFFFFFFu };
	struct execd_stats got = { 9, 9, 9, 9, 9 };
	uint8_t buf[EXECD_STATS_LEN];
	expect_eq("small buffer", REFUSED, execd_stats_encode(&s, buf, sizeof buf - 1));
	expect_eq("encode", EXECD_STATS_LEN, execd_stats_encode(&s, buf, sizeof buf));
	expect_eq("images first", 1, buf[0]);
	expect_eq("kernel last", 0xFF, buf[16]);
	expect_eq("short", REFUSED, execd_stats_decode(buf, sizeof buf - 1, &got));
	expect_eq("untouched by a refusal", 9, got.images);
	expect_eq("decode", 0, execd_stats_decode(buf, sizeof buf, &got));
	expect_eq("images", 1, got.images);
	expect_eq("too_big", 2, got.too_big);
	expect_eq("store", 3, got.store);
	expect_eq("mismatch", 4, got.mismatch);
	expect_eq("kernel", 0xFFFFFFFFu, got.kernel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spawn_image_round_trips_with_prefixes_of_1_and_62_bytes),
		cmocka_unit_test(spawn_image_encode_refuses_what_decode_would),
		cmocka_unit_test(spawn_image_decode_refuses_every_malformed_request),
		cmocka_unit_test(chunk_keys_are_the_prefix_and_a_decimal_index_up_to_64_bytes),
		cmocka_unit_test(chunk_lengths_cover_the_image_exactly),
		cmocka_unit_test(stats_round_trip_as_five_u32_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
