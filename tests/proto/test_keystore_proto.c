/* keystored's request and reply data (proto/keystore.h): layouts, bounds at and one past each,
 * every malformed input refused with its output untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "proto/keystore.h"

#define REFUSED ((unsigned)-NX_EINVAL)

static void sign_requests_carry_msg_len_up_to_4096(void **state)
{
	(void)state;
	uint8_t buf[KEYSTORE_SIGN_REQ_LEN + 1];
	uint16_t len = 0xeeee;
	expect_eq("longest message", KEYSTORE_SIGN_REQ_LEN, keystore_sign_encode(KEYSTORE_MSG_MAX, buf, sizeof buf));
	expect_eq("little-endian low byte", 0x00, buf[0]);
	expect_eq("little-endian high byte", 0x10, buf[1]);
	expect_eq("decode", 0, keystore_sign_decode(buf, KEYSTORE_SIGN_REQ_LEN, &len));
	expect_eq("msg_len", KEYSTORE_MSG_MAX, len);
	expect_eq("empty message", KEYSTORE_SIGN_REQ_LEN, keystore_sign_encode(0, buf, sizeof buf));
	expect_eq("decode empty", 0, keystore_sign_decode(buf, KEYSTORE_SIGN_REQ_LEN, &len));
	expect_eq("msg_len 0", 0, len);
	expect_eq("4097 bytes not encoded", REFUSED, (unsigned)keystore_sign_encode(KEYSTORE_MSG_MAX + 1, buf, sizeof buf));
	expect_eq("small buffer", REFUSED, (unsigned)keystore_sign_encode(1, buf, 1));
	buf[0] = 0x01;
	buf[1] = 0x10;
	len = 0xeeee;
	expect_eq("4097 bytes not decoded", REFUSED, (unsigned)keystore_sign_decode(buf, KEYSTORE_SIGN_REQ_LEN, &len));
	expect_eq("short", REFUSED, (unsigned)keystore_sign_decode(buf, 1, &len));
	expect_eq("trailing byte", REFUSED, (unsigned)keystore_sign_decode(buf, KEYSTORE_SIGN_REQ_LEN + 1, &len));
	expect_eq("untouched by refusals", 0xeeee, len);
}

static void verify_requests_round_trip_and_bounds_are_refused(void **state)
{
	(void)state;
	struct keystore_verify_req q, got;
	for (unsigned i = 0; i < KEYSTORE_PUBKEY_LEN; i++)
		q.pubkey[i] = (uint8_t)i;
	for (unsigned i = 0; i < KEYSTORE_SIG_LEN; i++)
		q.sig[i] = (uint8_t)(0x80 + i);
	q.msg_len = KEYSTORE_MSG_MAX;
	uint8_t buf[KEYSTORE_VERIFY_REQ_LEN + 1];
	expect_eq("98 bytes", 98, KEYSTORE_VERIFY_REQ_LEN);
	expect_eq("small buffer", REFUSED, (unsigned)keystore_verify_encode(&q, buf, KEYSTORE_VERIFY_REQ_LEN - 1));
	expect_eq("encode", KEYSTORE_VERIFY_REQ_LEN, keystore_verify_encode(&q, buf, sizeof buf));
	expect_eq("public key first", 0x00, buf[0]);
	expect_eq("signature next", 0x80, buf[32]);
	expect_eq("msg_len last", 0x10, buf[97]);
	memset(&got, 0xee, sizeof got);
	expect_eq("decode", 0, keystore_verify_decode(buf, KEYSTORE_VERIFY_REQ_LEN, &got));
	expect_eq("round trip", 0, memcmp(&got, &q, sizeof q));
	q.msg_len = KEYSTORE_MSG_MAX + 1;
	expect_eq("4097 bytes not encoded", REFUSED, (unsigned)keystore_verify_encode(&q, buf, sizeof buf));
	buf[96] = 0x01;
	memset(&got, 0xee, sizeof got);
	const struct keystore_verify_req untouched = got;
	expect_eq("4097 bytes not decoded", REFUSED, (unsigned)keystore_verify_decode(buf, KEYSTORE_VERIFY_REQ_LEN, &got));
	buf[96] = 0x00;
	expect_eq("short", REFUSED, (unsigned)keystore_verify_decode(buf, KEYSTORE_VERIFY_REQ_LEN - 1, &got));
	expect_eq("trailing byte", REFUSED, (unsigned)keystore_verify_decode(buf, KEYSTORE_VERIFY_REQ_LEN + 1, &got));
	expect_eq("untouched by refusals", 0, memcmp(&got, &untouched, sizeof got));
}

static void stats_round_trip_as_ten_u32_in_order(void **state)
{
	(void)state;
	struct keystore_stats s, got;
	uint32_t *f = (uint32_t *)(void *)&s;
	for (unsigned i = 0; i < KEYSTORE_STATS_LEN / 4; i++)
		f[i] = 0x01020300u + i;
	uint8_t buf[KEYSTORE_STATS_LEN];
	expect_eq("small buffer", REFUSED, (unsigned)keystore_stats_encode(&s, buf, sizeof buf - 1));
	expect_eq("encode", KEYSTORE_STATS_LEN, keystore_stats_encode(&s, buf, sizeof buf));
	expect_eq("pubkeys first", 0x00, buf[0]);
	expect_eq("entropy_bytes last", 0x09, buf[36]);
	memset(&got, 0xee, sizeof got);
	expect_eq("short", REFUSED, (unsigned)keystore_stats_decode(buf, sizeof buf - 1, &got));
	expect_eq("untouched by a refusal", 0xeeeeeeeeu, got.pubkeys);
	expect_eq("decode", 0, keystore_stats_decode(buf, sizeof buf, &got));
	expect_eq("round trip", 0, memcmp(&got, &s, sizeof s));
}

static void probe_requests_take_1_to_1000_ms(void **state)
{
	(void)state;
	uint8_t buf[5];
	uint32_t ms = 0xeeeeeeeeu;
	expect_eq("1 ms", 4, keystore_probe_req_encode(1, buf, sizeof buf));
	expect_eq("decode 1 ms", 0, keystore_probe_req_decode(buf, 4, &ms));
	expect_eq("1", 1, ms);
	expect_eq("1000 ms", 4, keystore_probe_req_encode(KEYSTORE_PROBE_MAX_MS, buf, sizeof buf));
	expect_eq("decode 1000 ms", 0, keystore_probe_req_decode(buf, 4, &ms));
	expect_eq("1000", KEYSTORE_PROBE_MAX_MS, ms);
	expect_eq("0 ms not encoded", REFUSED, (unsigned)keystore_probe_req_encode(0, buf, sizeof buf));
	expect_eq("1001 ms not encoded", REFUSED, (unsigned)keystore_probe_req_encode(KEYSTORE_PROBE_MAX_MS + 1, buf, 4));
	expect_eq("small buffer", REFUSED, (unsigned)keystore_probe_req_encode(1, buf, 3));
	ms = 0xeeeeeeeeu;
	memset(buf, 0, sizeof buf);
	expect_eq("0 ms not decoded", REFUSED, (unsigned)keystore_probe_req_decode(buf, 4, &ms));
	buf[0] = 0xe9;
	buf[1] = 0x03;
	expect_eq("1001 ms not decoded", REFUSED, (unsigned)keystore_probe_req_decode(buf, 4, &ms));
	buf[0] = 0x01;
	buf[1] = 0x00;
	expect_eq("short", REFUSED, (unsigned)keystore_probe_req_decode(buf, 3, &ms));
	expect_eq("trailing byte", REFUSED, (unsigned)keystore_probe_req_decode(buf, 5, &ms));
	expect_eq("untouched by refusals", 0xeeeeeeeeu, ms);
}

static void probe_replies_round_trip_and_unknown_outcomes_are_refused(void **state)
{
	(void)state;
	const struct keystore_probe p = { .outcome = IPC_OUTCOME_TIMEOUT, .status = 0x0102, .elapsed_ms = 0x03040506 };
	struct keystore_probe got;
	uint8_t buf[KEYSTORE_PROBE_LEN + 1];
	expect_eq("small buffer", REFUSED, (unsigned)keystore_probe_encode(&p, buf, KEYSTORE_PROBE_LEN - 1));
	expect_eq("encode", KEYSTORE_PROBE_LEN, keystore_probe_encode(&p, buf, sizeof buf));
	expect_eq("outcome first", IPC_OUTCOME_TIMEOUT, buf[0]);
	expect_eq("status low byte", 0x02, buf[1]);
	expect_eq("elapsed high byte last", 0x03, buf[6]);
	memset(&got, 0xee, sizeof got);
	expect_eq("decode", 0, keystore_probe_decode(buf, KEYSTORE_PROBE_LEN, &got));
	expect_eq("outcome", p.outcome, got.outcome);
	expect_eq("status", p.status, got.status);
	expect_eq("elapsed", p.elapsed_ms, got.elapsed_ms);
	const struct keystore_probe last = { .outcome = IPC_OUTCOME_COUNT - 1 };
	expect_eq("last outcome", KEYSTORE_PROBE_LEN, keystore_probe_encode(&last, buf, sizeof buf));
	const struct keystore_probe bad = { .outcome = IPC_OUTCOME_COUNT };
	expect_eq("outcome past the last not encoded", REFUSED, (unsigned)keystore_probe_encode(&bad, buf, sizeof buf));
	buf[0] = IPC_OUTCOME_COUNT;
	memset(&got, 0xee, sizeof got);
	expect_eq("outcome past the last not decoded", REFUSED, (unsigned)keystore_probe_decode(buf, KEYSTORE_PROBE_LEN, &got));
	buf[0] = IPC_OUTCOME_SUCCESS;
	expect_eq("short", REFUSED, (unsigned)keystore_probe_decode(buf, KEYSTORE_PROBE_LEN - 1, &got));
	expect_eq("trailing byte", REFUSED, (unsigned)keystore_probe_decode(buf, KEYSTORE_PROBE_LEN + 1, &got));
	expect_eq("untouched by refusals", 0xeeeeeeeeu, got.elapsed_ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sign_requests_carry_msg_len_up_to_4096),
		cmocka_unit_test(verify_requests_round_trip_and_bounds_are_refused),
		cmocka_unit_test(stats_round_trip_as_ten_u32_in_order),
		cmocka_unit_test(probe_requests_take_1_to_1000_ms),
		cmocka_unit_test(probe_replies_round_trip_and_unknown_outcomes_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
