/*
 * Ability bundles (proto/bundle.h): the parser at every bound and one past it, refusals that
 * leave the output untouched, and a signature made with the project's Ed25519 over what the
 * parser says is signed. Each parse runs on a heap copy of exactly the bundle's length, so a
 * sanitizer build sees any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/sig.h"
#include "proto/bundle.h"

static uint8_t buf[BUNDLE_MAX + 1];

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A bundle of `name` with a document of `doc_len` and an image of `elf_len` bytes (patterns)
 * and a signature of 0x5A bytes, written to `buf`; returns its length. */
static size_t make(const char *name, uint32_t version, uint32_t doc_len, uint32_t elf_len)
{
	static const uint8_t magic[4] = { 'N', 'X', 'A', 'B' };
	memset(buf, 0, BUNDLE_HEADER_LEN);
	memcpy(buf, magic, sizeof magic);
	put32(buf + 4, BUNDLE_FORMAT);
	for (size_t i = 0; name[i] != '\0'; i++)
		buf[8 + i] = (uint8_t)name[i];
	put32(buf + 40, version);
	put32(buf + 44, doc_len);
	put32(buf + 48, elf_len);
	size_t at = BUNDLE_HEADER_LEN;
	for (uint32_t i = 0; i < doc_len && at < sizeof buf; i++)
		buf[at++] = (uint8_t)('{' + i % 3);
	for (uint32_t i = 0; i < elf_len && at < sizeof buf; i++)
		buf[at++] = (uint8_t)(i * 13);
	for (unsigned i = 0; i < BUNDLE_SIG_LEN && at < sizeof buf; i++)
		buf[at++] = 0x5A;
	return at;
}

static int parse(size_t len, struct bundle *out)
{
	uint8_t *copy = malloc(len != 0 ? len : 1);
	assert_non_null(copy);
	memcpy(copy, buf, len);
	int rc = bundle_parse(copy, len, out);
	/* The pointers must lie in the copy: report them as offsets into `buf`. */
	if (rc == 0) {
		out->doc = buf + (out->doc - copy);
		out->elf = buf + (out->elf - copy);
		out->signed_bytes = buf + (out->signed_bytes - copy);
		out->signature = buf + (out->signature - copy);
	}
	free(copy);
	return rc;
}

static void accepted(size_t len, struct bundle *out)
{
	int rc = parse(len, out);
	if (rc != 0)
		fail_msg("expected the bundle accepted, got %s", bundle_strerror(rc));
}

static void refused(const char *what, size_t len, int want)
{
	struct bundle out;
	memset(&out, 0xA5, sizeof out);
	int rc = parse(len, &out);
	if (rc != want)
		fail_msg("%s: expected %s, got %s", what, bundle_strerror(want), bundle_strerror(rc));
	const uint8_t *p = (const uint8_t *)&out;
	for (size_t i = 0; i < sizeof out; i++) {
		if (p[i] != 0xA5)
			fail_msg("%s: a refusal changed the output", what);
	}
}

static void parses_the_smallest_bundle_and_points_into_it(void **state)
{
	(void)state;
	const size_t len = make("a", 1, 1, 1);
	assert_int_equal(len, BUNDLE_HEADER_LEN + 1 + 1 + BUNDLE_SIG_LEN);
	struct bundle b;
	accepted(len, &b);
	assert_string_equal(b.name, "a");
	assert_int_equal(b.version, 1);
	assert_ptr_equal(b.doc, buf + BUNDLE_HEADER_LEN);
	assert_int_equal(b.doc_len, 1);
	assert_ptr_equal(b.elf, buf + BUNDLE_HEADER_LEN + 1);
	assert_int_equal(b.elf_len, 1);
	assert_ptr_equal(b.signed_bytes, buf);
	assert_int_equal(b.signed_len, BUNDLE_HEADER_LEN + 2);
	assert_ptr_equal(b.signature, buf + BUNDLE_HEADER_LEN + 2);
}

static void parses_a_bundle_of_bundle_max_bytes_and_refuses_one_more(void **state)
{
	(void)state;
	size_t len = make("hello", UINT32_MAX, BUNDLE_DOC_MAX, BUNDLE_ELF_MAX);
	assert_int_equal(len, BUNDLE_MAX);
	struct bundle b;
	accepted(len, &b);
	assert_int_equal(b.version, UINT32_MAX);
	assert_int_equal(b.doc_len, BUNDLE_DOC_MAX);
	assert_int_equal(b.elf_len, BUNDLE_ELF_MAX);
	assert_ptr_equal(b.signature, buf + BUNDLE_MAX - BUNDLE_SIG_LEN);
	buf[BUNDLE_MAX] = 0;
	refused("BUNDLE_MAX + 1 bytes", BUNDLE_MAX + 1, -BUNDLE_ETOOBIG);
}

static void refuses_fewer_bytes_than_a_header_and_a_signature(void **state)
{
	(void)state;
	make("a", 1, 1, 1);
	refused("empty", 0, -BUNDLE_ETRUNCATED);
	refused("header and signature less one byte", BUNDLE_HEADER_LEN + BUNDLE_SIG_LEN - 1, -BUNDLE_ETRUNCATED);
	/* Exactly a header and a signature: the lengths are then checked (a document of 0 bytes). */
	make("a", 1, 0, 0);
	refused("header and signature only", BUNDLE_HEADER_LEN + BUNDLE_SIG_LEN, -BUNDLE_EDOCLEN);
}

static void refuses_a_bad_magic_or_format(void **state)
{
	(void)state;
	const size_t len = make("a", 1, 1, 1);
	for (unsigned i = 0; i < 4; i++) {
		buf[i] ^= 0x20;
		refused("magic", len, -BUNDLE_EMAGIC);
		buf[i] ^= 0x20;
	}
	put32(buf + 4, 0);
	refused("format 0", len, -BUNDLE_EFORMAT);
	put32(buf + 4, BUNDLE_FORMAT + 1);
	refused("format 2", len, -BUNDLE_EFORMAT);
}

static void names_are_1_to_31_bytes_of_the_schema_pattern_nul_padded(void **state)
{
	(void)state;
	struct bundle b;
	const char *good[] = { "a", "storm-3", "a_b-9", "abcdefghijklmnopqrstuvwxyz01234" };
	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
		accepted(make(good[i], 1, 1, 1), &b);
		assert_string_equal(b.name, good[i]);
	}
	const char *bad[] = { "", "Hello", "9lives", "-a", "_a", "a b", "a.b", "a/b", "h\xc3\xa9" };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(bad[i], make(bad[i], 1, 1, 1), -BUNDLE_ENAME);
	refused("32 bytes: no NUL", make("abcdefghijklmnopqrstuvwxyz012345", 1, 1, 1), -BUNDLE_ENAME);
	size_t len = make("ab", 1, 1, 1);
	buf[8 + 3] = 'c';
	refused("a byte after the NUL", len, -BUNDLE_ENAME);
	len = make("ab", 1, 1, 1);
	buf[8 + BUNDLE_NAME_FIELD - 1] = 'c';
	refused("the field's last byte not NUL", len, -BUNDLE_ENAME);
}

static void refuses_version_0(void **state)
{
	(void)state;
	refused("version 0", make("a", 0, 1, 1), -BUNDLE_EVERSION);
}

static void refuses_lengths_of_0_and_one_past_their_bounds(void **state)
{
	(void)state;
	struct bundle b;
	refused("doc_len 0", make("a", 1, 0, 1), -BUNDLE_EDOCLEN);
	refused("doc_len 4097", make("a", 1, BUNDLE_DOC_MAX + 1, 1), -BUNDLE_EDOCLEN);
	accepted(make("a", 1, BUNDLE_DOC_MAX, 1), &b);
	refused("elf_len 0", make("a", 1, 1, 0), -BUNDLE_EELFLEN);
	refused("elf_len 65537", make("a", 1, 1, BUNDLE_ELF_MAX + 1), -BUNDLE_EELFLEN);
	accepted(make("a", 1, 1, BUNDLE_ELF_MAX), &b);
	size_t len = make("a", 1, 1, 1);
	put32(buf + 44, UINT32_MAX);
	refused("doc_len UINT32_MAX", len, -BUNDLE_EDOCLEN);
	len = make("a", 1, 1, 1);
	put32(buf + 48, UINT32_MAX);
	refused("elf_len UINT32_MAX", len, -BUNDLE_EELFLEN);
}

static void refuses_a_length_other_than_the_headers(void **state)
{
	(void)state;
	const size_t len = make("hello", 2, 100, 200);
	buf[len] = 0;
	refused("one byte short", len - 1, -BUNDLE_ELENGTH);
	refused("one byte long", len + 1, -BUNDLE_ELENGTH);
	refused("the signature missing", len - BUNDLE_SIG_LEN, -BUNDLE_ELENGTH);
}

/* The signing message of a parsed bundle (proto/bundle.h). */
static int verify_bundle(const uint8_t pk[SIG_PUBKEY_LEN], const struct bundle *b)
{
	uint8_t msg[BUNDLE_SIGNING_MSG_LEN];
	memcpy(msg, BUNDLE_SIG_DOMAIN, BUNDLE_SIG_DOMAIN_LEN);
	if (sig_sha512(b->signed_bytes, b->signed_len, msg + BUNDLE_SIG_DOMAIN_LEN) != 0)
		return -1;
	return sig_verify(pk, msg, sizeof msg, b->signature);
}

static int sign_bundle(const uint8_t sk[SIG_SECRET_LEN], size_t len)
{
	uint8_t msg[BUNDLE_SIGNING_MSG_LEN];
	memcpy(msg, BUNDLE_SIG_DOMAIN, BUNDLE_SIG_DOMAIN_LEN);
	if (sig_sha512(buf, len - BUNDLE_SIG_LEN, msg + BUNDLE_SIG_DOMAIN_LEN) != 0)
		return -1;
	return sig_sign(sk, msg, sizeof msg, buf + len - BUNDLE_SIG_LEN);
}

static void the_signature_covers_header_document_and_image(void **state)
{
	(void)state;
	uint8_t seed[SIG_SEED_LEN], pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN];
	for (unsigned i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(i + 1);
	assert_int_equal(sig_keypair_from_seed(seed, pk, sk), 0);
	const size_t len = make("hello", 2, 300, 5000);
	assert_int_equal(sign_bundle(sk, len), 0);
	struct bundle b;
	accepted(len, &b);
	assert_int_equal(verify_bundle(pk, &b), 0);
	const size_t probes[] = { 0, 40, 48, BUNDLE_HEADER_LEN, BUNDLE_HEADER_LEN + 300, len - BUNDLE_SIG_LEN - 1 };
	for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		buf[probes[i]] ^= 1;
		if (verify_bundle(pk, &b) != -SIG_EBADSIG)
			fail_msg("byte %zu changed: the signature still verifies", probes[i]);
		buf[probes[i]] ^= 1;
	}
	buf[len - 1] ^= 1;
	assert_int_equal(verify_bundle(pk, &b), -SIG_EBADSIG);
}

static void strerror_names_each_code_and_unknown_values(void **state)
{
	(void)state;
	for (int e = 0; e < BUNDLE_ERR_COUNT; e++) {
		const char *s = bundle_strerror(-e);
		if (s == NULL || strcmp(s, "unknown error") == 0)
			fail_msg("code %d has no name", e);
	}
	assert_string_equal(bundle_strerror(-BUNDLE_ERR_COUNT), "unknown error");
	assert_string_equal(bundle_strerror(1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_smallest_bundle_and_points_into_it),
		cmocka_unit_test(parses_a_bundle_of_bundle_max_bytes_and_refuses_one_more),
		cmocka_unit_test(refuses_fewer_bytes_than_a_header_and_a_signature),
		cmocka_unit_test(refuses_a_bad_magic_or_format),
		cmocka_unit_test(names_are_1_to_31_bytes_of_the_schema_pattern_nul_padded),
		cmocka_unit_test(refuses_version_0),
		cmocka_unit_test(refuses_lengths_of_0_and_one_past_their_bounds),
		cmocka_unit_test(refuses_a_length_other_than_the_headers),
		cmocka_unit_test(the_signature_covers_header_document_and_image),
		cmocka_unit_test(strerror_names_each_code_and_unknown_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
