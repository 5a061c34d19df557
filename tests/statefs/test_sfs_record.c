/* Record codec and CRC-32C: RFC 3720 vectors, a bitwise reference, byte layout, every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sfs_fixture.h"

/* The reference: CRC-32C one bit at a time, straight from the definition. */
static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFU;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1U) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
	}
	return crc ^ 0xFFFFFFFFU;
}

static void crc32c_matches_rfc3720_vectors(void **state)
{
	(void)state;
	uint8_t buf[48];
	memset(buf, 0, 32);
	EXPECT_EQ("32 zeros", 0x8A9136AAU, sfs_crc32c(0, buf, 32));
	memset(buf, 0xFF, 32);
	EXPECT_EQ("32 x 0xff", 0x62A8AB43U, sfs_crc32c(0, buf, 32));
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	EXPECT_EQ("0..31", 0x46DD794EU, sfs_crc32c(0, buf, 32));
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	EXPECT_EQ("31..0", 0x113FDB5CU, sfs_crc32c(0, buf, 32));
	/* B.4's iSCSI read command PDU. */
	static const uint8_t pdu[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	EXPECT_EQ("iSCSI read PDU", 0xD9963A56U, sfs_crc32c(0, pdu, sizeof(pdu)));
	EXPECT_EQ("\"123456789\"", 0xE3069283U, sfs_crc32c(0, "123456789", 9));
	EXPECT_EQ("empty", 0U, sfs_crc32c(0, NULL, 0));
}

static void crc32c_matches_bitwise_reference_at_every_length_and_split(void **state)
{
	(void)state;
	uint8_t buf[1100];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245U + 12345U;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof(buf); n++) {
		uint32_t want = crc_bitwise(buf, n);
		if (sfs_crc32c(0, buf, n) != want)
			fail_msg("length %zu: expected 0x%08x, got 0x%08x", n, want, sfs_crc32c(0, buf, n));
		size_t cut = n / 3;
		uint32_t chained = sfs_crc32c(sfs_crc32c(0, buf, cut), buf + cut, n - cut);
		if (chained != want)
			fail_msg("length %zu split at %zu: expected 0x%08x, got 0x%08x", n, cut, want, chained);
	}
}

/* Encode a record into `buf` (the test fails unless it works); returns its length. */
static size_t encode(uint8_t *buf, size_t cap, uint8_t type, const char *key, const void *val, size_t vlen)
{
	const struct sfs_record r = {
		.type = type, .key_len = (uint8_t)(key ? strlen(key) : 0), .value_len = (uint16_t)vlen,
		.epoch = 0x0A0B0C0DU, .seq = 0x1122334455667788ULL, .key = (const uint8_t *)key, .value = val,
	};
	size_t len = 0;
	EXPECT_RC(sfs_record_encode(&r, buf, cap, &len), 0);
	return len;
}

static void record_encodes_little_endian_header_at_fixed_offsets(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t len = encode(buf, sizeof(buf), SFS_REC_PUT, "ab", "xyz", 3);
	EXPECT_EQ("length", SFS_REC_HDR + 5, len);
	static const uint8_t want[24] = {
		'S', 'F', 'S', 'R', 1, 2, 3, 0,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x0D, 0x0C, 0x0B, 0x0A,
	};
	for (size_t i = 0; i < 20; i++)
		if (buf[i] != want[i])
			fail_msg("header byte %zu: expected 0x%02x, got 0x%02x", i, want[i], buf[i]);
	assert_memory_equal(buf + 24, "abxyz", 5);
	static const uint8_t key_value[5] = { 'a', 'b', 'x', 'y', 'z' };
	uint8_t crcd[25];
	memcpy(crcd, buf, 20);
	memcpy(crcd + 20, key_value, sizeof(key_value));
	uint32_t crc = crc_bitwise(crcd, sizeof(crcd));
	EXPECT_EQ("crc field", crc, (uint32_t)buf[20] | (uint32_t)buf[21] << 8 | (uint32_t)buf[22] << 16 |
					 (uint32_t)buf[23] << 24);
}

static void record_round_trips_each_type_at_its_bounds(void **state)
{
	(void)state;
	static uint8_t buf[SFS_REC_MAX], val[SFS_VALUE_MAX];
	char key[SFS_KEY_MAX + 1];
	memset(key, 'k', SFS_KEY_MAX);
	key[SFS_KEY_MAX] = 0;
	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)(i * 7);
	const struct {
		uint8_t type;
		const char *key;
		size_t vlen;
	} cases[] = {
		{ SFS_REC_PUT, "a", 0 }, { SFS_REC_PUT, key, SFS_VALUE_MAX }, { SFS_REC_DEL, "a", 0 },
		{ SFS_REC_DEL, key, 0 }, { SFS_REC_PAD, NULL, 0 }, { SFS_REC_PAD, NULL, SFS_PAD_BODY_MAX },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const void *v = cases[c].type == SFS_REC_PAD ? NULL : val;
		size_t len = encode(buf, sizeof(buf), cases[c].type, cases[c].key, v, cases[c].vlen);
		struct sfs_record r;
		EXPECT_RC(sfs_record_decode(buf, len, &r), 0);
		size_t klen = cases[c].key ? strlen(cases[c].key) : 0;
		EXPECT_EQ("type", cases[c].type, r.type);
		EXPECT_EQ("key_len", klen, r.key_len);
		EXPECT_EQ("value_len", cases[c].vlen, r.value_len);
		EXPECT_EQ("len", SFS_REC_HDR + klen + cases[c].vlen, r.len);
		EXPECT_EQ("seq", 0x1122334455667788ULL, r.seq);
		EXPECT_EQ("epoch", 0x0A0B0C0DU, r.epoch);
		EXPECT_EQ("key pointer", (uintptr_t)(buf + SFS_REC_HDR), (uintptr_t)r.key);
		EXPECT_EQ("value pointer", (uintptr_t)(buf + SFS_REC_HDR + klen), (uintptr_t)r.value);
		if (klen)
			assert_memory_equal(r.key, cases[c].key, klen);
		for (size_t i = 0; i < cases[c].vlen; i++)
			if (r.value[i] != (v ? val[i] : 0))
				fail_msg("case %zu: value byte %zu: got 0x%02x", c, i, r.value[i]);
	}
}

/* Decode `len` bytes of `buf`, expecting `want`, and the output untouched on an error. */
static void expect_decode(const uint8_t *buf, size_t len, int want, const char *what)
{
	struct sfs_record r, before;
	memset(&r, 0x5A, sizeof(r));
	memcpy(&before, &r, sizeof(r));
	int rc = sfs_record_decode(buf, len, &r);
	if (rc != want)
		fail_msg("%s: expected %s, got %s", what, sfs_strerror(want), sfs_strerror(rc));
	if (rc != 0 && memcmp(&r, &before, sizeof(r)) != 0)
		fail_msg("%s: a refused decode wrote its output", what);
}

static void decode_refuses_short_buffers_at_every_length(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t len = encode(buf, sizeof(buf), SFS_REC_PUT, "key", "value", 5);
	for (size_t n = 0; n < len; n++)
		expect_decode(buf, n, -SFS_ESHORT, "truncated record");
	expect_decode(buf, len, 0, "exact length");
	expect_decode(buf, sizeof(buf), 0, "longer buffer");
	expect_decode(NULL, len, -SFS_EINVAL, "NULL buffer");
	EXPECT_RC(sfs_record_decode(buf, len, NULL), -SFS_EINVAL);
}

/* A record whose header is rewritten to (type, key_len, value_len), CRC made right again. */
static size_t forged(uint8_t *buf, uint8_t type, uint8_t klen, uint16_t vlen)
{
	static const uint8_t magic[4] = { 'S', 'F', 'S', 'R' };
	memset(buf, 'z', SFS_REC_HDR + 300);
	memcpy(buf, magic, sizeof(magic));
	buf[4] = type;
	buf[5] = klen;
	buf[6] = (uint8_t)vlen;
	buf[7] = (uint8_t)(vlen >> 8);
	size_t total = SFS_REC_HDR + (size_t)klen + vlen;
	uint32_t crc = sfs_crc32c(sfs_crc32c(0, buf, 20), buf + SFS_REC_HDR, total - SFS_REC_HDR);
	for (int i = 0; i < 4; i++)
		buf[20 + i] = (uint8_t)(crc >> (8 * i));
	return total;
}

static void decode_refuses_every_shape_outside_the_bounds(void **state)
{
	(void)state;
	static uint8_t buf[SFS_REC_MAX + 600];
	const struct {
		uint8_t type, klen;
		uint16_t vlen;
		int want;
	} cases[] = {
		{ 0, 1, 0, -SFS_ECORRUPT },
		{ 4, 1, 0, -SFS_ECORRUPT },
		{ 255, 1, 0, -SFS_ECORRUPT },
		{ SFS_REC_PUT, 0, 1, -SFS_ECORRUPT },
		{ SFS_REC_PUT, 1, 0, 0 },
		{ SFS_REC_PUT, SFS_KEY_MAX, 0, 0 },
		{ SFS_REC_PUT, SFS_KEY_MAX + 1, 0, -SFS_ECORRUPT },
		{ SFS_REC_PUT, 1, SFS_VALUE_MAX, 0 },
		{ SFS_REC_PUT, 1, SFS_VALUE_MAX + 1, -SFS_ECORRUPT },
		{ SFS_REC_DEL, 0, 0, -SFS_ECORRUPT },
		{ SFS_REC_DEL, SFS_KEY_MAX, 0, 0 },
		{ SFS_REC_DEL, SFS_KEY_MAX + 1, 0, -SFS_ECORRUPT },
		{ SFS_REC_DEL, 1, 1, -SFS_ECORRUPT },
		{ SFS_REC_PAD, 0, 0, 0 },
		{ SFS_REC_PAD, 1, 0, -SFS_ECORRUPT },
		{ SFS_REC_PAD, 0, SFS_PAD_BODY_MAX, 0 },
		{ SFS_REC_PAD, 0, SFS_PAD_BODY_MAX + 1, -SFS_ECORRUPT },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t total = forged(buf, cases[c].type, cases[c].klen, cases[c].vlen);
		char what[64];
		snprintf(what, sizeof(what), "type %u key %u value %u", cases[c].type, cases[c].klen, cases[c].vlen);
		expect_decode(buf, total > sizeof(buf) ? sizeof(buf) : total, cases[c].want, what);
		/* Encoding refuses the same shapes. */
		const struct sfs_record r = { .type = cases[c].type, .key_len = cases[c].klen,
					      .value_len = cases[c].vlen, .key = buf, .value = buf };
		static uint8_t out[SFS_REC_MAX + 600];
		size_t len;
		int rc = sfs_record_encode(&r, out, sizeof(out), &len);
		if (rc != (cases[c].want ? -SFS_EINVAL : 0))
			fail_msg("encode %s: got %s", what, sfs_strerror(rc));
	}
	forged(buf, SFS_REC_PUT, 1, 1);
	buf[3] = 'r';
	expect_decode(buf, 64, -SFS_ECORRUPT, "bad magic");
}

static void decode_refuses_any_single_flipped_bit(void **state)
{
	(void)state;
	uint8_t buf[128], bad[128];
	size_t len = encode(buf, sizeof(buf), SFS_REC_PUT, "some-key", "some value bytes", 16);
	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b++) {
			memcpy(bad, buf, sizeof(buf));
			bad[i] ^= (uint8_t)(1U << b);
			struct sfs_record r;
			int rc = sfs_record_decode(bad, len, &r);
			if (rc == 0)
				fail_msg("byte %zu bit %d flipped: decoded", i, b);
		}
	}
}

static void encode_refuses_a_buffer_one_byte_short_and_writes_nothing(void **state)
{
	(void)state;
	uint8_t buf[64];
	const struct sfs_record r = { .type = SFS_REC_PUT, .key_len = 3, .value_len = 4,
				      .key = (const uint8_t *)"abc", .value = (const uint8_t *)"wxyz" };
	size_t len = 99;
	memset(buf, 0xEE, sizeof(buf));
	EXPECT_RC(sfs_record_encode(&r, buf, SFS_REC_HDR + 6, &len), -SFS_ESHORT);
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT_EQ("untouched byte", 0xEE, buf[i]);
	EXPECT_EQ("len untouched", 99, len);
	EXPECT_RC(sfs_record_encode(&r, buf, SFS_REC_HDR + 7, &len), 0);
	EXPECT_EQ("len", SFS_REC_HDR + 7, len);
	const struct sfs_record nokey = { .type = SFS_REC_PUT, .key_len = 3 };
	EXPECT_RC(sfs_record_encode(&nokey, buf, sizeof(buf), &len), -SFS_EINVAL);
	EXPECT_RC(sfs_record_encode(NULL, buf, sizeof(buf), &len), -SFS_EINVAL);
	EXPECT_RC(sfs_record_encode(&r, NULL, sizeof(buf), &len), -SFS_EINVAL);
	EXPECT_RC(sfs_record_encode(&r, buf, sizeof(buf), NULL), -SFS_EINVAL);
}

static void every_code_has_a_name(void **state)
{
	(void)state;
	for (int e = 0; e < SFS_ERR_COUNT; e++)
		assert_string_not_equal(sfs_strerror(-e), "unknown error");
	assert_string_equal(sfs_strerror(-SFS_ERR_COUNT), "unknown error");
	assert_string_equal(sfs_strerror(1), "unknown error");
	assert_string_equal(sfs_strerror(INT32_MIN), "unknown error");
	assert_string_equal(sfs_strerror(-SFS_ENOSPACE), "no space");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32c_matches_rfc3720_vectors),
		cmocka_unit_test(crc32c_matches_bitwise_reference_at_every_length_and_split),
		cmocka_unit_test(record_encodes_little_endian_header_at_fixed_offsets),
		cmocka_unit_test(record_round_trips_each_type_at_its_bounds),
		cmocka_unit_test(decode_refuses_short_buffers_at_every_length),
		cmocka_unit_test(decode_refuses_every_shape_outside_the_bounds),
		cmocka_unit_test(decode_refuses_any_single_flipped_bit),
		cmocka_unit_test(encode_refuses_a_buffer_one_byte_short_and_writes_nothing),
		cmocka_unit_test(every_code_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
