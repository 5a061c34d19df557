/*
 * Fuzz target: statefsd's and keystored's protocol decoders (include/proto/statefs.h,
 * include/proto/keystore.h) and appmgrd's persistent record (src/appmgrd/persist.h) on
 * arbitrary bytes. The first byte picks the decoder; the
 * rest is the data, in libFuzzer's own heap block of exactly its size.
 *
 * Checks: what decodes encodes back to the identical bytes (nothing a sender writes is lost or
 * invented); a list request's prefix and cursor are keys; a list reply's keys are keys, no
 * more than asked for; a refused decode leaves its output untouched.
 */
#include "fuzz.h"

#include "ipc/route.h"
#include "persist.h"
#include "proto/keystore.h"
#include "proto/statefs.h"

enum {
	PICK_LIST,
	PICK_STATS,
	PICK_KEYS,
	PICK_RECORD,
	PICK_KS_SIGN,
	PICK_KS_VERIFY,
	PICK_KS_STATS,
	PICK_KS_PROBE_REQ,
	PICK_KS_PROBE,
	PICKS
};

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

static void check_list(const uint8_t *d, size_t n)
{
	struct statefs_list_req r;
	memset(&r, 0x5a, sizeof r);
	if (statefs_list_decode(d, n, &r) != 0) {
		FZ_CHECK(all_bytes(&r, sizeof r, 0x5a), "a refused list request was written");
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
	struct am_record r;
	memset(&r, 0x33, sizeof r);
	if (am_record_decode(d, n, &r) != 0) {
		FZ_CHECK(all_bytes(&r, sizeof r, 0x33), "a refused record was written");
		return;
	}
	uint8_t out[AM_RECORD_LEN(AM_DEATHS_MAX)];
	const int len = am_record_encode(&r, out, sizeof out);
	FZ_CHECK(len >= 0 && (size_t)len == n && memcmp(out, d, n) == 0, "record: re-encodes to %d bytes of %zu", len, n);
}

/* keystored's decoders: what decodes is in bounds and encodes back to the same bytes; a
 * refusal writes nothing. */
static void check_ks_sign(const uint8_t *d, size_t n)
{
	uint16_t len = 0xeeee;
	if (keystore_sign_decode(d, n, &len) != 0) {
		FZ_CHECK(len == 0xeeee, "a refused sign request was written");
		return;
	}
	uint8_t out[KEYSTORE_SIGN_REQ_LEN];
	FZ_CHECK(len <= KEYSTORE_MSG_MAX && keystore_sign_encode(len, out, sizeof out) == KEYSTORE_SIGN_REQ_LEN &&
			 n == sizeof out && memcmp(out, d, n) == 0,
		 "sign request: %u bytes, re-encode differs", (unsigned)len);
}

static void check_ks_verify(const uint8_t *d, size_t n)
{
	struct keystore_verify_req q;
	memset(&q, 0x5a, sizeof q);
	if (keystore_verify_decode(d, n, &q) != 0) {
		FZ_CHECK(all_bytes(&q, sizeof q, 0x5a), "a refused verify request was written");
		return;
	}
	uint8_t out[KEYSTORE_VERIFY_REQ_LEN];
	FZ_CHECK(q.msg_len <= KEYSTORE_MSG_MAX && keystore_verify_encode(&q, out, sizeof out) == KEYSTORE_VERIFY_REQ_LEN &&
			 n == sizeof out && memcmp(out, d, n) == 0,
		 "verify request: re-encode differs");
}

static void check_ks_stats(const uint8_t *d, size_t n)
{
	struct keystore_stats s;
	if (keystore_stats_decode(d, n, &s) != 0)
		return;
	uint8_t out[KEYSTORE_STATS_LEN];
	FZ_CHECK(keystore_stats_encode(&s, out, sizeof out) == KEYSTORE_STATS_LEN && n == KEYSTORE_STATS_LEN &&
			 memcmp(out, d, n) == 0,
		 "keystore stats: re-encode differs");
}

static void check_ks_probe_req(const uint8_t *d, size_t n)
{
	uint32_t ms = 0xeeeeeeeeu;
	if (keystore_probe_req_decode(d, n, &ms) != 0) {
		FZ_CHECK(ms == 0xeeeeeeeeu, "a refused probe request was written");
		return;
	}
	uint8_t out[4];
	FZ_CHECK(ms >= 1 && ms <= KEYSTORE_PROBE_MAX_MS && keystore_probe_req_encode(ms, out, sizeof out) == 4 &&
			 n == 4 && memcmp(out, d, n) == 0,
		 "probe request: %u ms, re-encode differs", (unsigned)ms);
}

static void check_ks_probe(const uint8_t *d, size_t n)
{
	struct keystore_probe p;
	memset(&p, 0x5a, sizeof p);
	if (keystore_probe_decode(d, n, &p) != 0) {
		FZ_CHECK(all_bytes(&p, sizeof p, 0x5a), "a refused probe reply was written");
		return;
	}
	uint8_t out[KEYSTORE_PROBE_LEN];
	FZ_CHECK(p.outcome < IPC_OUTCOME_COUNT && keystore_probe_encode(&p, out, sizeof out) == KEYSTORE_PROBE_LEN &&
			 n == sizeof out && memcmp(out, d, n) == 0,
		 "probe reply: re-encode differs");
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
	case PICK_RECORD:
		check_record(d, n);
		break;
	case PICK_KS_SIGN:
		check_ks_sign(d, n);
		break;
	case PICK_KS_VERIFY:
		check_ks_verify(d, n);
		break;
	case PICK_KS_STATS:
		check_ks_stats(d, n);
		break;
	case PICK_KS_PROBE_REQ:
		check_ks_probe_req(d, n);
		break;
	default:
		check_ks_probe(d, n);
		break;
	}
	return 0;
}
