/*
 * Fuzz target: the ability bundle parser (include/proto/bundle.h) on arbitrary bytes, in
 * libFuzzer's own heap block of exactly their size (ASan sees any read past the end).
 *
 * Checks: a refusal leaves the output untouched; an accepted bundle lies wholly inside the
 * input (header, document, image and signature back to back, up to its last byte), its name
 * is 1..31 bytes of the schema's pattern, its version is not 0, its lengths are within their
 * bounds, and the header written back from the parsed fields is the input's (nothing is lost
 * or invented).
 */
#include "fuzz.h"

#include "proto/bundle.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > NX_NAME_MAX || n[0] < 'a' || n[0] > 'z')
		return 0;
	for (size_t i = 1; i < len; i++) {
		const char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle b;
	memset(&b, 0x5a, sizeof b);
	if (bundle_parse(data, size, &b) != 0) {
		const uint8_t *p = (const uint8_t *)&b;
		for (size_t i = 0; i < sizeof b; i++)
			FZ_CHECK(p[i] == 0x5a, "a refused bundle was written (byte %zu)", i);
		return 0;
	}
	FZ_CHECK(size <= BUNDLE_MAX, "accepted %zu bytes, above BUNDLE_MAX", size);
	FZ_CHECK(memchr(b.name, 0, sizeof b.name) != NULL && name_ok(b.name), "bad name accepted");
	FZ_CHECK(b.version != 0, "version 0 accepted");
	FZ_CHECK(b.doc_len >= 1 && b.doc_len <= BUNDLE_DOC_MAX && b.elf_len >= 1 && b.elf_len <= BUNDLE_ELF_MAX,
		 "lengths %u, %u out of bounds", b.doc_len, b.elf_len);
	FZ_CHECK(b.signed_bytes == data && b.doc == data + BUNDLE_HEADER_LEN && b.elf == b.doc + b.doc_len &&
			 b.signed_len == BUNDLE_HEADER_LEN + (size_t)b.doc_len + b.elf_len &&
			 b.signature == data + b.signed_len && b.signed_len + BUNDLE_SIG_LEN == size,
		 "parts do not tile the %zu input bytes", size);
	uint8_t header[BUNDLE_HEADER_LEN] = { 0 };
	memcpy(header, BUNDLE_MAGIC, 4);
	put32(header + 4, BUNDLE_FORMAT);
	memcpy(header + 8, b.name, strlen(b.name));
	put32(header + 8 + BUNDLE_NAME_FIELD, b.version);
	put32(header + 12 + BUNDLE_NAME_FIELD, b.doc_len);
	put32(header + 16 + BUNDLE_NAME_FIELD, b.elf_len);
	FZ_CHECK(memcmp(header, data, sizeof header) == 0, "the header written back differs from the input's");
	return 0;
}
