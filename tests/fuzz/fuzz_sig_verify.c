/*
 * Fuzz target: Ed25519 verify (include/crypto/sig.h) on arbitrary key, signature and message
 * bytes, and sign-then-verify with a key the input chooses.
 *
 * Input: public key (32 bytes), signature (64), then the message (the rest; missing key or
 * signature bytes read as 0). The message stays in libFuzzer's heap block of exactly the
 * input's size, so ASan sees any read past it.
 *
 * Checks: verify answers 0 or -SIG_EBADSIG (-SIG_EMSGLEN only past SIG_MSG_MAX) and never
 * crashes; with the first 32 bytes taken as a seed, the signature the wrapper makes of the
 * message verifies, and the same signature with one bit flipped (a bit the input chooses)
 * does not.
 */
#include "fuzz.h"

#include "crypto/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t pk[SIG_PUBKEY_LEN], sig[SIG_SIGNATURE_LEN];
	fz_bytes(&in, pk, sizeof(pk));
	fz_bytes(&in, sig, sizeof(sig));
	const uint8_t *msg = in.p;
	size_t len = in.n;

	int rc = sig_verify(pk, msg, len, sig);
	int want_len = len > SIG_MSG_MAX ? -SIG_EMSGLEN : 0;
	FZ_CHECK(want_len != 0 ? rc == want_len : rc == 0 || rc == -SIG_EBADSIG,
		 "verify of %zu bytes: 0 or -SIG_EBADSIG, got %d (%s)", len, rc, sig_strerror(rc));
	if (want_len != 0)
		return 0;

	uint8_t own_pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], own[SIG_SIGNATURE_LEN];
	rc = sig_keypair_from_seed(pk, own_pk, sk);
	FZ_CHECK(rc == 0, "keypair from a seed: 0, got %d", rc);
	rc = sig_sign(sk, msg, len, own);
	sig_wipe(sk, sizeof(sk));
	FZ_CHECK(rc == 0, "sign %zu bytes: 0, got %d", len, rc);
	rc = sig_verify(own_pk, msg, len, own);
	FZ_CHECK(rc == 0, "a signature just made verifies, got %d (%s)", rc, sig_strerror(rc));

	unsigned bit = ((unsigned)sig[0] | (unsigned)sig[1] << 8) % (8 * SIG_SIGNATURE_LEN);
	own[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	rc = sig_verify(own_pk, msg, len, own);
	FZ_CHECK(rc == -SIG_EBADSIG, "signature bit %u flipped: -SIG_EBADSIG, got %d", bit, rc);
	return 0;
}
