/* Ability bundles' layout (proto/bundle.h). Fields are read byte by byte, little-endian. */
#include "proto/bundle.h"

#include <string.h>

#define OFF_FORMAT 4
#define OFF_NAME 8
#define OFF_VERSION (OFF_NAME + BUNDLE_NAME_FIELD)
#define OFF_DOC_LEN (OFF_VERSION + 4)
#define OFF_ELF_LEN (OFF_DOC_LEN + 4)
_Static_assert(OFF_ELF_LEN + 4 == BUNDLE_HEADER_LEN, "bundle header layout");

static const char *const err_names[BUNDLE_ERR_COUNT] = {
	[BUNDLE_OK] = "ok",
	[BUNDLE_ETRUNCATED] = "shorter than a bundle's header and signature",
	[BUNDLE_ETOOBIG] = "longer than the largest bundle",
	[BUNDLE_EMAGIC] = "not a bundle (bad magic)",
	[BUNDLE_EFORMAT] = "unknown bundle format",
	[BUNDLE_ENAME] = "bad ability name",
	[BUNDLE_EVERSION] = "version 0",
	[BUNDLE_EDOCLEN] = "document length out of range",
	[BUNDLE_EELFLEN] = "image length out of range",
	[BUNDLE_ELENGTH] = "length differs from the header's",
};

const char *bundle_strerror(int err)
{
	if (err > 0 || err <= -BUNDLE_ERR_COUNT)
		return "unknown error";
	return err_names[-err];
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 1..NX_NAME_MAX bytes of [a-z][a-z0-9_-]*, then only NULs to the end of the field. */
static int name_ok(const uint8_t *f)
{
	size_t n = 0;
	while (n < BUNDLE_NAME_FIELD && f[n] != 0) {
		const uint8_t c = f[n];
		const int lower = c >= 'a' && c <= 'z';
		if (!lower && (n == 0 || !((c >= '0' && c <= '9') || c == '_' || c == '-')))
			return 0;
		n++;
	}
	if (n == 0 || n > NX_NAME_MAX)
		return 0;
	for (size_t i = n; i < BUNDLE_NAME_FIELD; i++) {
		if (f[i] != 0)
			return 0;
	}
	return 1;
}

int bundle_parse(const uint8_t *buf, size_t len, struct bundle *out)
{
	if (len < BUNDLE_HEADER_LEN + BUNDLE_SIG_LEN)
		return -BUNDLE_ETRUNCATED;
	if (len > BUNDLE_MAX)
		return -BUNDLE_ETOOBIG;
	if (memcmp(buf, BUNDLE_MAGIC, 4) != 0)
		return -BUNDLE_EMAGIC;
	if (rd32(buf + OFF_FORMAT) != BUNDLE_FORMAT)
		return -BUNDLE_EFORMAT;
	if (!name_ok(buf + OFF_NAME))
		return -BUNDLE_ENAME;
	const uint32_t version = rd32(buf + OFF_VERSION);
	const uint32_t doc_len = rd32(buf + OFF_DOC_LEN);
	const uint32_t elf_len = rd32(buf + OFF_ELF_LEN);
	if (version == 0)
		return -BUNDLE_EVERSION;
	if (doc_len == 0 || doc_len > BUNDLE_DOC_MAX)
		return -BUNDLE_EDOCLEN;
	if (elf_len == 0 || elf_len > BUNDLE_ELF_MAX)
		return -BUNDLE_EELFLEN;
	/* Both lengths are bounded above, so the sum cannot overflow. */
	const size_t signed_len = (size_t)BUNDLE_HEADER_LEN + doc_len + elf_len;
	if (len != signed_len + BUNDLE_SIG_LEN)
		return -BUNDLE_ELENGTH;
	memcpy(out->name, buf + OFF_NAME, BUNDLE_NAME_FIELD);
	out->version = version;
	out->doc = buf + BUNDLE_HEADER_LEN;
	out->doc_len = doc_len;
	out->elf = buf + BUNDLE_HEADER_LEN + doc_len;
	out->elf_len = elf_len;
	out->signed_bytes = buf;
	out->signed_len = signed_len;
	out->signature = buf + signed_len;
	return 0;
}
