/*
 * Fuzz target: statefsd's protocol decoders (include/proto/statefs.h) and appmgrd's persistent
 * record (src/appmgrd/persist.h) on arbitrary bytes. The first byte picks the decoder; the
 * rest is the data, in libFuzzer's own heap block of exactly its size.
 *
 * Checks: what decodes encodes back to the identical bytes (nothing a sender writes is lost or
 * invented); a list request's prefix and cursor are keys; a list reply's keys are keys, no
 * more than asked for; a refused decode leaves its output untouched.
 */
#include "fuzz.h"

#include "persist.h"
#include "proto/statefs.h"

/* Same bytes, padding included: the outputs were filled with a pattern before the decode. */
static int same_bytes(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

enum { PICK_LIST, PICK_STATS, PICK_KEYS, PICK_RECORD, PICKS };

static void check_list(const uint8_t *d, size_t n)
{
	struct statefs_list_req r, untouched;
	memset(&untouched, 0x5a, sizeof untouched);
	r = untouched;
	if (statefs_list_decode(d, n, &r) != 0) {
		FZ_CHECK(same_bytes(&r, &untouched, sizeof r), "a refused list request was written");
		return;
	}
	FZ_CHECK(statefs_key_ok(r.prefix, r.prefix_len) && (r.after_len == 0 || statefs_key_ok(r.after, r.after_len)),
		 "list request: prefix or cursor is not a key");
	uint8_t out[3 + 2 * STATEFS_KEY_MAX];
	const int len = statefs_list_encode(r.max, r.prefix, r.prefix_len, r.after, r.after_len, out, sizeof out);
	FZ_CHECK(len >= 0 && (size_t)len == n && memcmp(out, d, n) == 0, "list request: re-encodes to %d bytes of %zu",
		 len, n);
}

static void check_stats(const uint8_t *d, size_t n)
{
	struct statefs_stats s;
	if (statefs_stats_decode(d, n, &s) != 0)
		return;
	uint8_t out[STATEFS_STATS_LEN];
	FZ_CHECK(statefs_stats_encode(&s, out, sizeof out) == STATEFS_STATS_LEN && n == STATEFS_STATS_LEN &&
			 memcmp(out, d, n) == 0,
		 "stats: re-encode differs");
}

static void check_keys(const uint8_t *d, size_t n)
{
	if (n < 2)
		return;
	struct statefs_key out[STATEFS_LIST_MAX];
	const size_t count = d[0], max = d[1];
	if (statefs_keys_decode(d + 2, n - 2, count, max, out) != 0)
		return;
	FZ_CHECK(count <= max && count <= STATEFS_LIST_MAX, "keys: %zu decoded, at most %zu", count, max);
	size_t off = 2;
	for (size_t i = 0; i < count; i++) {
		FZ_CHECK(statefs_key_ok(out[i].bytes, out[i].len) && out[i].bytes[out[i].len] == '\0',
			 "keys: key %zu is not a key", i);
		FZ_CHECK(d[off] == out[i].len && memcmp(d + off + 1, out[i].bytes, out[i].len) == 0,
			 "keys: key %zu is not the bytes sent", i);
		off += 1 + (size_t)out[i].len;
	}
	FZ_CHECK(off == n, "keys: %zu bytes left over", n - off);
}

static void check_record(const uint8_t *d, size_t n)
{
	struct am_record r, untouched;
	memset(&untouched, 0x33, sizeof untouched);
	r = untouched;
	if (am_record_decode(d, n, &r) != 0) {
		FZ_CHECK(same_bytes(&r, &untouched, sizeof r), "a refused record was written");
		return;
	}
	uint8_t out[AM_RECORD_LEN(AM_DEATHS_MAX)];
	const int len = am_record_encode(&r, out, sizeof out);
	FZ_CHECK(len >= 0 && (size_t)len == n && memcmp(out, d, n) == 0, "record: re-encodes to %d bytes of %zu", len, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const uint8_t *d = data + 1;
	const size_t n = size - 1;
	switch (data[0] % PICKS) {
	case PICK_LIST:
		check_list(d, n);
		break;
	case PICK_STATS:
		check_stats(d, n);
		break;
	case PICK_KEYS:
		check_keys(d, n);
		break;
	default:
		check_record(d, n);
		break;
	}
	return 0;
}
