/**
 * @file proto/bundle.h
 * Ability bundles: what an update carries (docs/ota.md). A bundle is an ability's ELF image,
 * its ability document and a version number, signed with the release key. Byte format, every
 * integer little-endian:
 *
 * | offset           | bytes   | field                                                      |
 * |------------------|---------|------------------------------------------------------------|
 * | 0                | 4       | magic "NXAB"                                               |
 * | 4                | 4       | format u32: BUNDLE_FORMAT (1)                              |
 * | 8                | 32      | ability name: 1..31 bytes [a-z][a-z0-9_-]*, then NULs      |
 * | 40               | 4       | version u32: 1..UINT32_MAX                                 |
 * | 44               | 4       | doc_len u32: 1..BUNDLE_DOC_MAX                             |
 * | 48               | 4       | elf_len u32: 1..BUNDLE_ELF_MAX                             |
 * | 52               | doc_len | the ability document: JSON of the ability_v1_1 schema      |
 * | 52 + doc_len     | elf_len | the ELF image                                              |
 * | 52 + doc + elf   | 64      | Ed25519 signature of the signing message (below)           |
 *
 * The length of a bundle is exactly BUNDLE_HEADER_LEN + doc_len + elf_len + BUNDLE_SIG_LEN,
 * at most BUNDLE_MAX. The parser checks the layout only: the signature is checked with the
 * release key of the system manifest, the document
 * against its schema by the tool that packs it, the ELF image by the kernel when it spawns it.
 */
#ifndef PROTO_BUNDLE_H
#define PROTO_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

/*
 * The signing message: BUNDLE_SIG_DOMAIN (its BUNDLE_SIG_DOMAIN_LEN bytes, NUL included)
 * followed by the SHA-512 of `signed_bytes` (the header, the document and the image). The
 * signature covers every byte before it through that digest, and the message is short
 * enough for keystored's verify op, which checks it with the release key.
 */
#define BUNDLE_SIG_DOMAIN "nxos-bundle-v1"
#define BUNDLE_SIG_DOMAIN_LEN 15u
#define BUNDLE_DIGEST_LEN 64u
#define BUNDLE_SIGNING_MSG_LEN (BUNDLE_SIG_DOMAIN_LEN + BUNDLE_DIGEST_LEN)
_Static_assert(sizeof BUNDLE_SIG_DOMAIN == BUNDLE_SIG_DOMAIN_LEN, "the domain's bytes, its NUL included");

/** The first four bytes of a bundle. */
#define BUNDLE_MAGIC "NXAB"
/** The format this parser reads. */
#define BUNDLE_FORMAT 1u
/** Bytes before the document. */
#define BUNDLE_HEADER_LEN 52u
/** Bytes of the name field (a name of at most NX_NAME_MAX bytes and its NULs). */
#define BUNDLE_NAME_FIELD (NX_NAME_MAX + 1)
/** Longest document. */
#define BUNDLE_DOC_MAX 4096u
/** Longest ELF image: the most the kernel spawns from bytes. */
#define BUNDLE_ELF_MAX NX_SPAWN_ELF_MAX
/** Bytes of the signature (Ed25519). */
#define BUNDLE_SIG_LEN 64u
/** Longest bundle. */
#define BUNDLE_MAX (BUNDLE_HEADER_LEN + BUNDLE_DOC_MAX + BUNDLE_ELF_MAX + BUNDLE_SIG_LEN)

_Static_assert(8 + BUNDLE_NAME_FIELD + 12 == BUNDLE_HEADER_LEN, "bundle header layout");

/** Errors of bundle_parse(), returned negated. */
enum bundle_err {
	BUNDLE_OK = 0,
	BUNDLE_ETRUNCATED = 1, /**< shorter than a header and a signature */
	BUNDLE_ETOOBIG = 2,    /**< longer than BUNDLE_MAX */
	BUNDLE_EMAGIC = 3,     /**< not "NXAB" */
	BUNDLE_EFORMAT = 4,    /**< a format other than BUNDLE_FORMAT */
	BUNDLE_ENAME = 5,      /**< the name is empty, too long, of other bytes, or not NUL-padded */
	BUNDLE_EVERSION = 6,   /**< version 0 */
	BUNDLE_EDOCLEN = 7,    /**< doc_len 0 or above BUNDLE_DOC_MAX */
	BUNDLE_EELFLEN = 8,    /**< elf_len 0 or above BUNDLE_ELF_MAX */
	BUNDLE_ELENGTH = 9,    /**< the bundle's length is not what its header says */
	BUNDLE_ERR_COUNT       /**< number of codes; not an error */
};

/** A parsed bundle: its header's fields and where its parts lie in the parsed buffer. */
struct bundle {
	char name[BUNDLE_NAME_FIELD];   /**< the ability's name, NUL-terminated */
	uint32_t version;               /**< >= 1 */
	const uint8_t *doc;             /**< the ability document */
	uint32_t doc_len;               /**< 1..BUNDLE_DOC_MAX */
	const uint8_t *elf;             /**< the ELF image */
	uint32_t elf_len;               /**< 1..BUNDLE_ELF_MAX */
	const uint8_t *signed_bytes;    /**< what the signature covers: the bundle's start */
	size_t signed_len;              /**< header, document and image */
	const uint8_t *signature;       /**< BUNDLE_SIG_LEN bytes */
};

/**
 * Text for `err` (0 or a negative BUNDLE_E* code).
 * @retval "unknown error" for any other value
 */
const char *bundle_strerror(int err);

/**
 * Check the layout of the `len`-byte bundle at `buf` (the table above) and describe it.
 * Reads no byte outside [buf, buf + len); `buf` needs no alignment. The pointers of `*out`
 * point into `buf`. The first broken rule, in the order of the enum, is the one reported.
 * @retval 0 the layout is valid: `*out` describes the bundle (its signature is not checked)
 * @retval -BUNDLE_ETRUNCATED, -BUNDLE_ETOOBIG, -BUNDLE_EMAGIC, -BUNDLE_EFORMAT, -BUNDLE_ENAME,
 *         -BUNDLE_EVERSION, -BUNDLE_EDOCLEN, -BUNDLE_EELFLEN, -BUNDLE_ELENGTH as the enum
 *         says; `*out` is unchanged
 */
__attribute__((warn_unused_result)) int bundle_parse(const uint8_t *buf, size_t len, struct bundle *out);

#endif
