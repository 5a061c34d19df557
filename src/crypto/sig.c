/*
 * The services' Ed25519: this project's argument checks and error codes around libsodium's
 * ref10 code (crypto_sign_ed25519_*), which does the cryptography.
 */
#include "crypto/sig.h"

#include "crypto_hash_sha512.h"
#include "crypto_sign_ed25519.h"
#include "utils.h"

_Static_assert(SIG_SEED_LEN == crypto_sign_ed25519_SEEDBYTES, "seed size differs from libsodium's");
_Static_assert(SIG_PUBKEY_LEN == crypto_sign_ed25519_PUBLICKEYBYTES,
	       "public key size differs from libsodium's");
_Static_assert(SIG_SECRET_LEN == crypto_sign_ed25519_SECRETKEYBYTES,
	       "secret key size differs from libsodium's");
_Static_assert(SIG_SIGNATURE_LEN == crypto_sign_ed25519_BYTES, "signature size differs from libsodium's");
_Static_assert(SIG_DIGEST_LEN == crypto_hash_sha512_BYTES, "digest size differs from libsodium's");
_Static_assert(SIG_MSG_MAX <= crypto_sign_ed25519_MESSAGEBYTES_MAX, "SIG_MSG_MAX above libsodium's limit");

static const char *const err_names[SIG_ERR_COUNT] = {
	[SIG_OK] = "ok",
	[SIG_EINVAL] = "NULL buffer",
	[SIG_EMSGLEN] = "message longer than SIG_MSG_MAX",
	[SIG_EBADSIG] = "signature does not verify",
};

/* libsodium hashes the message with memcpy, which must not see NULL even for 0 bytes. */
static const uint8_t empty_msg[1];

const char *sig_strerror(int err)
{
	if (err > 0 || err <= -SIG_ERR_COUNT)
		return "unknown error";
	return err_names[-err];
}

int sig_keypair_from_seed(const uint8_t seed[SIG_SEED_LEN], uint8_t pk[SIG_PUBKEY_LEN],
			  uint8_t sk[SIG_SECRET_LEN])
{
	if (seed == NULL || pk == NULL || sk == NULL)
		return -SIG_EINVAL;
	/* Always 0: the derivation cannot fail. */
	(void)crypto_sign_ed25519_seed_keypair(pk, sk, seed);
	return 0;
}

/* The checks sign and verify share; on success `*msg` is never NULL. */
static int check_msg(const uint8_t **msg, size_t len)
{
	if (*msg == NULL) {
		if (len != 0)
			return -SIG_EINVAL;
		*msg = empty_msg;
	}
	if (len > SIG_MSG_MAX)
		return -SIG_EMSGLEN;
	return 0;
}

int sig_sign(const uint8_t sk[SIG_SECRET_LEN], const uint8_t *msg, size_t len,
	     uint8_t sig[SIG_SIGNATURE_LEN])
{
	if (sk == NULL || sig == NULL)
		return -SIG_EINVAL;
	int err = check_msg(&msg, len);
	if (err != 0)
		return err;
	/* Always 0: deterministic signing cannot fail. */
	(void)crypto_sign_ed25519_detached(sig, NULL, msg, len, sk);
	return 0;
}

int sig_verify(const uint8_t pk[SIG_PUBKEY_LEN], const uint8_t *msg, size_t len,
	       const uint8_t sig[SIG_SIGNATURE_LEN])
{
	if (pk == NULL || sig == NULL)
		return -SIG_EINVAL;
	int err = check_msg(&msg, len);
	if (err != 0)
		return err;
	if (crypto_sign_ed25519_verify_detached(sig, msg, len, pk) != 0)
		return -SIG_EBADSIG;
	return 0;
}

int sig_sha512(const uint8_t *msg, size_t len, uint8_t out[SIG_DIGEST_LEN])
{
	if (out == NULL)
		return -SIG_EINVAL;
	int err = check_msg(&msg, len);
	if (err != 0)
		return err;
	/* Always 0: hashing cannot fail. */
	(void)crypto_hash_sha512(out, msg, len);
	return 0;
}

void sig_wipe(void *buf, size_t len)
{
	if (buf != NULL)
		sodium_memzero(buf, len);
}
