/**
 * @file crypto/sig.h
 * Ed25519 signatures (RFC 8032, pure Ed25519): key pair from a seed, sign, verify, and the
 * SHA-512 digest they use. The only cryptographic API of the services; the code underneath is
 * libsodium's (docs/crypto.md).
 *
 * Keys: a 32-byte seed is the secret from which everything derives. sig_keypair_from_seed()
 * turns it into the 32-byte public key and the 64-byte secret key (seed, then public key),
 * which sig_sign() takes. Signing is deterministic: the same key and message always give the
 * same signature.
 *
 * Verification is libsodium's strict one: besides the signature equation it refuses a scalar
 * S that is not below the group order L, a public key whose encoding is not canonical, and a
 * public key or R that is one of the eight small-order points (in any encoding). Such inputs
 * get SIG_EBADSIG even where a cofactorless check such as OpenSSL's would accept them.
 *
 * Functions return 0 or a negative SIG_E* code (sig_strerror() names it); a refused call
 * writes nothing. Buffers passed to one call must not overlap. Secrets (seed, secret key)
 * are the caller's: clear them with sig_wipe() when done.
 */
#ifndef CRYPTO_SIG_H
#define CRYPTO_SIG_H

#include <stddef.h>
#include <stdint.h>

/** Marks a function whose result the caller must look at. */
#define SIG_MUST_USE __attribute__((warn_unused_result))

/** Bytes of a seed, the secret a key pair derives from. */
#define SIG_SEED_LEN 32
/** Bytes of a public key (a compressed Edwards point). */
#define SIG_PUBKEY_LEN 32
/** Bytes of a secret key: the seed, then the public key. */
#define SIG_SECRET_LEN 64
/** Bytes of a signature: R (a point), then S (a scalar below L), little-endian. */
#define SIG_SIGNATURE_LEN 64
/**
 * Longest message sig_sign() and sig_verify() take: 1 MiB, room for an OS image an update
 * carries. It bounds the hashing one call does (the message is hashed twice to sign, once
 * to verify).
 */
#define SIG_MSG_MAX (1024u * 1024u)

/** Error codes, returned negated. */
enum sig_err {
	SIG_OK = 0,
	SIG_EINVAL = 1,  /**< a NULL buffer (the message may be NULL only when its length is 0) */
	SIG_EMSGLEN = 2, /**< message longer than SIG_MSG_MAX */
	SIG_EBADSIG = 3, /**< the signature does not verify for this key and message */
	SIG_ERR_COUNT    /**< number of codes; not an error */
};

/**
 * Text for `err` (0 or a negative SIG_E* code).
 * @retval "unknown error" for any other value
 */
const char *sig_strerror(int err);

/**
 * Derive the key pair of `seed` (RFC 8032 section 5.1.5): `pk` gets the public key, `sk` the
 * secret key (the seed, then the public key).
 * @retval 0 done
 * @retval -SIG_EINVAL `seed`, `pk` or `sk` is NULL; nothing is written
 */
SIG_MUST_USE int sig_keypair_from_seed(const uint8_t seed[SIG_SEED_LEN], uint8_t pk[SIG_PUBKEY_LEN],
				       uint8_t sk[SIG_SECRET_LEN]);

/**
 * Sign the `len` bytes at `msg` with `sk` (RFC 8032 section 5.1.6) into `sig`.
 * `sk` must be exactly what sig_keypair_from_seed() wrote: its second half is the public key,
 * which the signature hashes in, and signing with a public half that does not belong to the
 * seed discloses the secret key to whoever sees both signatures. Never assemble `sk` from parts.
 * @retval 0 done
 * @retval -SIG_EINVAL `sk` or `sig` is NULL, or `msg` is NULL with `len` above 0; nothing is written
 * @retval -SIG_EMSGLEN `len` is above SIG_MSG_MAX; nothing is written
 */
SIG_MUST_USE int sig_sign(const uint8_t sk[SIG_SECRET_LEN], const uint8_t *msg, size_t len,
			  uint8_t sig[SIG_SIGNATURE_LEN]);

/**
 * Check that `sig` is `pk`'s signature of the `len` bytes at `msg` (RFC 8032 section 5.1.7,
 * with the strict checks the file comment lists). Pure: no secret is involved.
 * @retval 0 the signature is valid
 * @retval -SIG_EBADSIG it is not, or `pk` or `sig` is refused by the strict checks
 * @retval -SIG_EINVAL `pk` or `sig` is NULL, or `msg` is NULL with `len` above 0
 * @retval -SIG_EMSGLEN `len` is above SIG_MSG_MAX
 */
SIG_MUST_USE int sig_verify(const uint8_t pk[SIG_PUBKEY_LEN], const uint8_t *msg, size_t len,
			    const uint8_t sig[SIG_SIGNATURE_LEN]);

/** Bytes of a SHA-512 digest. */
#define SIG_DIGEST_LEN 64

/**
 * The SHA-512 digest (FIPS 180-4) of the `len` bytes at `msg`, the hash Ed25519 itself uses:
 * to check that bytes are the ones a signature covered or a record names.
 * @retval 0 done
 * @retval -SIG_EINVAL `out` is NULL, or `msg` is NULL with `len` above 0; nothing is written
 * @retval -SIG_EMSGLEN `len` is above SIG_MSG_MAX; nothing is written
 */
SIG_MUST_USE int sig_sha512(const uint8_t *msg, size_t len, uint8_t out[SIG_DIGEST_LEN]);

/**
 * Set the `len` bytes at `buf` to zero in a way the compiler does not remove as a dead
 * store: for seeds and secret keys before their memory is reused or left. Does nothing when
 * `buf` is NULL.
 */
void sig_wipe(void *buf, size_t len);

#endif
