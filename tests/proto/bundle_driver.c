/*
 * bundle_driver: the C side of tests/scripts/test_pack_bundle.py. Parses a bundle file with
 * bundle_parse() and checks its signature (the signing message of proto/bundle.h) with
 * sig_verify() against a public key.
 *
 *   bundle_driver FILE PUBKEY_HEX
 *
 * Prints "ok <name> <version> <doc_len> <elf_len>" and exits 0; or "parse: <error>" or
 * "signature: <error>" and exits 1; exits 2 on a usage error or a file it cannot read.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/sig.h"
#include "proto/bundle.h"

static uint8_t buf[BUNDLE_MAX + 1];

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int unhex(const char *hex, uint8_t *out, size_t n)
{
	if (strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t pk[SIG_PUBKEY_LEN];
	if (argc != 3 || unhex(argv[2], pk, sizeof pk) != 0) {
		fprintf(stderr, "usage: bundle_driver FILE PUBKEY_HEX\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (f == NULL)
		return 2;
	const size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct bundle b;
	int rc = bundle_parse(buf, len, &b);
	if (rc != 0) {
		printf("parse: %s\n", bundle_strerror(rc));
		return 1;
	}
	uint8_t msg[BUNDLE_SIGNING_MSG_LEN];
	memcpy(msg, BUNDLE_SIG_DOMAIN, BUNDLE_SIG_DOMAIN_LEN);
	rc = sig_sha512(b.signed_bytes, b.signed_len, msg + BUNDLE_SIG_DOMAIN_LEN);
	if (rc == 0)
		rc = sig_verify(pk, msg, sizeof msg, b.signature);
	if (rc != 0) {
		printf("signature: %s\n", sig_strerror(rc));
		return 1;
	}
	printf("ok %s %u %u %u\n", b.name, (unsigned)b.version, (unsigned)b.doc_len, (unsigned)b.elf_len);
	return 0;
}
