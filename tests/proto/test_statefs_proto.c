/* statefsd's request and reply data (proto/statefs.h): layouts, bounds, every malformed input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "proto/statefs.h"

static void keys_are_1_to_64_printable_bytes(void **state)
{
	(void)state;
	char k[STATEFS_KEY_MAX + 1];
	memset(k, 'a', sizeof k);
	expect_eq("1 byte", 1, statefs_key_ok(k, 1));
	expect_eq("64 bytes", 1, statefs_key_ok(k, STATEFS_KEY_MAX));
	expect_eq("65 bytes", 0, statefs_key_ok(k, STATEFS_KEY_MAX + 1));
	expect_eq("empty", 0, statefs_key_ok(k, 0));
	expect_eq("NULL", 0, statefs_key_ok(NULL, 1));
	expect_eq("'!' (0x21)", 1, statefs_key_ok("!", 1));
	expect_eq("'~' (0x7e)", 1, statefs_key_ok("~", 1));
	expect_eq("space (0x20)", 0, statefs_key_ok(" ", 1));
	expect_eq("DEL (0x7f)", 0, statefs_key_ok("\x7f", 1));
	expect_eq("NUL inside", 0, statefs_key_ok("a\0b", 3));
}

static void stats_round_trip_as_sixteen_u32_in_order(void **state)
{
	(void)state;
	struct statefs_stats s, got;
	uint32_t *f = (uint32_t *)(void *)&s;
	for (unsigned i = 0; i < STATEFS_STATS_LEN / 4; i++)
		f[i] = 0x01020300u + i;
	uint8_t buf[STATEFS_STATS_LEN];
	expect_eq("small buffer", (unsigned)-NX_EINVAL, (unsigned)statefs_stats_encode(&s, buf, sizeof buf - 1));
	expect_eq("encode", STATEFS_STATS_LEN, statefs_stats_encode(&s, buf, sizeof buf));
	expect_eq("keys first", 0x00, buf[0]);
	expect_eq("formatted last", 0x0f, buf[60]);
	memset(&got, 0xee, sizeof got);
	expect_eq("short", (unsigned)-NX_EINVAL, (unsigned)statefs_stats_decode(buf, sizeof buf - 1, &got));
	expect_eq("untouched by a refusal", 0xeeeeeeeeu, got.keys);
	expect_eq("decode", 0, statefs_stats_decode(buf, sizeof buf, &got));
	expect_eq("round trip", 0, memcmp(&got, &s, sizeof s));
}

static void list_requests_round_trip_at_their_bounds(void **state)
{
	(void)state;
	char k64[STATEFS_KEY_MAX];
	memset(k64, 'z', sizeof k64);
	uint8_t buf[3 + 2 * STATEFS_KEY_MAX];
	struct statefs_list_req r;
	int n = statefs_list_encode(STATEFS_LIST_MAX, k64, sizeof k64, k64, sizeof k64, buf, sizeof buf);
	expect_eq("longest request", sizeof buf, n);
	expect_eq("decode", 0, statefs_list_decode(buf, (size_t)n, &r));
	expect_eq("max", STATEFS_LIST_MAX, r.max);
	expect_eq("prefix length", STATEFS_KEY_MAX, r.prefix_len);
	expect_eq("after length", STATEFS_KEY_MAX, r.after_len);
	n = statefs_list_encode(1, "/a/", 3, NULL, 0, buf, sizeof buf);
	expect_eq("no cursor", 6, n);
	expect_eq("decode without cursor", 0, statefs_list_decode(buf, (size_t)n, &r));
	expect_eq("max 1", 1, r.max);
	expect_eq("no cursor length", 0, r.after_len);
	expect_eq("max 0", (unsigned)-NX_EINVAL, (unsigned)statefs_list_encode(0, "/a/", 3, NULL, 0, buf, sizeof buf));
	expect_eq("max 33", (unsigned)-NX_EINVAL,
		  (unsigned)statefs_list_encode(STATEFS_LIST_MAX + 1, "/a/", 3, NULL, 0, buf, sizeof buf));
	expect_eq("empty prefix", (unsigned)-NX_EINVAL, (unsigned)statefs_list_encode(1, "", 0, NULL, 0, buf, sizeof buf));
	expect_eq("small buffer", (unsigned)-NX_EINVAL, (unsigned)statefs_list_encode(1, "/a/", 3, NULL, 0, buf, 5));
}

/* Is every byte of the `n` at `p` `v` (a struct a refused decode must not have written)? */
static int all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != v)
			return 0;
	}
	return 1;
}

static void malformed_list_requests_are_refused_and_write_nothing(void **state)
{
	(void)state;
	struct statefs_list_req r;
	const struct {
		const char *what;
		uint8_t bytes[8];
		size_t len;
	} bad[] = {
		{ "empty", { 0 }, 0 },
		{ "two bytes", { 1, 0 }, 2 },
		{ "max 0", { 0, 1, 'a', 0 }, 4 },
		{ "max 33", { STATEFS_LIST_MAX + 1, 1, 'a', 0 }, 4 },
		{ "empty prefix", { 1, 0, 0 }, 3 },
		{ "prefix past the end", { 1, 5, 'a', 0 }, 4 },
		{ "cursor past the end", { 1, 1, 'a', 3, 'b' }, 5 },
		{ "trailing byte", { 1, 1, 'a', 0, 'x' }, 5 },
		{ "prefix with a space", { 1, 1, ' ', 0 }, 4 },
		{ "cursor with a NUL", { 1, 1, 'a', 1, 0 }, 5 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&r, 0x5a, sizeof r);
		if (statefs_list_decode(bad[i].bytes, bad[i].len, &r) != -NX_EINVAL)
			fail_msg("%s: not refused", bad[i].what);
		if (!all_bytes(&r, sizeof r, 0x5a))
			fail_msg("%s: refused but written", bad[i].what);
	}
}

static void list_reply_keys_decode_and_malformed_ones_are_refused(void **state)
{
	(void)state;
	struct statefs_key out[3];
	static const uint8_t two[] = { 2, 'a', 'b', 1, 'c' };
	expect_eq("two keys", 0, statefs_keys_decode(two, sizeof two, 2, 3, out));
	expect_eq("first", 0, strcmp(out[0].bytes, "ab"));
	expect_eq("second", 0, strcmp(out[1].bytes, "c"));
	expect_eq("count above max", (unsigned)-NX_EINVAL, (unsigned)statefs_keys_decode(two, sizeof two, 2, 1, out));
	expect_eq("count above the page", (unsigned)-NX_EINVAL,
		  (unsigned)statefs_keys_decode(two, sizeof two, STATEFS_LIST_MAX + 1, STATEFS_LIST_MAX + 1, out));
	expect_eq("truncated", (unsigned)-NX_EINVAL, (unsigned)statefs_keys_decode(two, sizeof two - 1, 2, 3, out));
	expect_eq("trailing", (unsigned)-NX_EINVAL, (unsigned)statefs_keys_decode(two, sizeof two, 1, 3, out));
	static const uint8_t empty_key[] = { 0 };
	expect_eq("empty key", (unsigned)-NX_EINVAL, (unsigned)statefs_keys_decode(empty_key, 1, 1, 3, out));
	static const uint8_t bad_byte[] = { 1, 0x7f };
	expect_eq("unprintable", (unsigned)-NX_EINVAL, (unsigned)statefs_keys_decode(bad_byte, 2, 1, 3, out));
	expect_eq("none", 0, statefs_keys_decode(NULL, 0, 0, 3, out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_are_1_to_64_printable_bytes),
		cmocka_unit_test(stats_round_trip_as_sixteen_u32_in_order),
		cmocka_unit_test(list_requests_round_trip_at_their_bounds),
		cmocka_unit_test(malformed_list_requests_are_refused_and_write_nothing),
		cmocka_unit_test(list_reply_keys_decode_and_malformed_ones_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
