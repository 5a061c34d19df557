/*
 * The Ed25519 wrapper (include/crypto/sig.h): every test vector of RFC 8032 section 7.1, the
 * message bound at and one past SIG_MSG_MAX, refusals that write nothing, and the strict
 * checks of verify. test_sig_diff.py compares it with OpenSSL on thousands of random inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/sig.h"

/* A result: 0 or a negative SIG_E* code. */
#define expect_err(what, expected, actual)                                                        \
	do {                                                                                      \
		int e_ = (expected), a_ = (actual);                                               \
		if (e_ != a_)                                                                     \
			fail_msg("%s: expected %d (%s), got %d (%s)", (what), e_, sig_strerror(e_), \
				 a_, sig_strerror(a_));                                           \
	} while (0)

/* Bytes: on failure, the first differing offset with both bytes. */
static void expect_bytes(const char *what, const uint8_t *expected, const uint8_t *actual, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (expected[i] != actual[i])
			fail_msg("%s: byte %zu: expected 0x%02x, got 0x%02x", what, i, expected[i],
				 actual[i]);
}

static void expect_all(const char *what, uint8_t value, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != value)
			fail_msg("%s: byte %zu: expected 0x%02x, got 0x%02x", what, i, value, p[i]);
}

/* RFC 8032 section 7.1: SECRET KEY (the seed), PUBLIC KEY, MESSAGE, SIGNATURE, in hex. */
struct vector {
	const char *name;
	const char *seed, *pk, *msg, *sig;
};

static const struct vector vectors[] = {
	{ "TEST 1",
	  "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "TEST 2",
	  "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "TEST 3",
	  "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	{ "TEST 1024",
	  "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
	  "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
	  "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
	  "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
	  "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
	  "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
	  "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
	  "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
	  "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
	  "fefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec"
	  "7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed"
	  "185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb"
	  "2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc2"
	  "4554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27"
	  "088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbc"
	  "c2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0"
	  "7e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab"
	  "27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51ad"
	  "dd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec"
	  "96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb75"
	  "1fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c4"
	  "2f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8c"
	  "a61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff"
	  "7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d"
	  "78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649d"
	  "e6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e48"
	  "8acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32"
	  "ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6"
	  "aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb"
	  "93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50"
	  "d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef13"
	  "69546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db"
	  "2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0"
	  "618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d00",
	  "d686294b743c6760c6a78a2c4c2fc76115c2600b8f083acde59e7cee32578c0f59ea4219ab9b5896795e4e2b87a30270aa0e3099eee944e9e67a1b22df41ff07" },
	{ "TEST SHA(abc)",
	  "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
	  "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	  "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704" },
};

#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))
#define VEC_MSG_MAX 1023

/* A vector decoded to bytes. */
struct bin {
	uint8_t seed[SIG_SEED_LEN], pk[SIG_PUBKEY_LEN], sig[SIG_SIGNATURE_LEN];
	uint8_t msg[VEC_MSG_MAX];
	size_t msg_len;
};

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(strlen(hex) % 2 == 0 && n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned byte = 0;
		for (size_t k = 0; k < 2; k++) {
			char c = hex[2 * i + k];
			byte = byte << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		out[i] = (uint8_t)byte;
	}
	return n;
}

static void decode(const struct vector *v, struct bin *b)
{
	assert_int_equal(SIG_SEED_LEN, unhex(v->seed, b->seed, sizeof(b->seed)));
	assert_int_equal(SIG_PUBKEY_LEN, unhex(v->pk, b->pk, sizeof(b->pk)));
	assert_int_equal(SIG_SIGNATURE_LEN, unhex(v->sig, b->sig, sizeof(b->sig)));
	b->msg_len = unhex(v->msg, b->msg, sizeof(b->msg));
}

/* The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t group_order[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

static void keypair_from_seed_gives_rfc8032_public_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		struct bin b;
		decode(&vectors[i], &b);
		uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN];
		expect_err(vectors[i].name, 0, sig_keypair_from_seed(b.seed, pk, sk));
		expect_bytes(vectors[i].name, b.pk, pk, sizeof(pk));
		expect_bytes("secret key: the seed first", b.seed, sk, SIG_SEED_LEN);
		expect_bytes("secret key: the public key second", b.pk, sk + SIG_SEED_LEN, SIG_PUBKEY_LEN);
	}
}

static void sign_gives_rfc8032_signatures(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		struct bin b;
		decode(&vectors[i], &b);
		uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
		expect_err("keypair", 0, sig_keypair_from_seed(b.seed, pk, sk));
		expect_err(vectors[i].name, 0, sig_sign(sk, b.msg, b.msg_len, sig));
		expect_bytes(vectors[i].name, b.sig, sig, sizeof(sig));
	}
}

static void verify_accepts_rfc8032_signatures(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		struct bin b;
		decode(&vectors[i], &b);
		expect_err(vectors[i].name, 0, sig_verify(b.pk, b.msg, b.msg_len, b.sig));
	}
}

/* Each of the 512 bits of the signature and the 256 of the key, one at a time. */
static void verify_refuses_rfc8032_signatures_with_one_bit_of_key_or_signature_flipped(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		struct bin b;
		decode(&vectors[i], &b);
		for (size_t bit = 0; bit < 8 * SIG_SIGNATURE_LEN; bit++) {
			b.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			expect_err("signature bit flipped", -SIG_EBADSIG,
				   sig_verify(b.pk, b.msg, b.msg_len, b.sig));
			b.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (size_t bit = 0; bit < 8 * SIG_PUBKEY_LEN; bit++) {
			b.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			expect_err("key bit flipped", -SIG_EBADSIG, sig_verify(b.pk, b.msg, b.msg_len, b.sig));
			b.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

static void verify_refuses_rfc8032_signatures_of_an_altered_message(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		struct bin b;
		decode(&vectors[i], &b);
		if (b.msg_len > 0) {
			b.msg[b.msg_len - 1] ^= 0x80;
			expect_err("last byte changed", -SIG_EBADSIG, sig_verify(b.pk, b.msg, b.msg_len, b.sig));
			b.msg[b.msg_len - 1] ^= 0x80;
			expect_err("one byte shorter", -SIG_EBADSIG, sig_verify(b.pk, b.msg, b.msg_len - 1, b.sig));
		}
		if (b.msg_len < sizeof(b.msg)) {
			b.msg[b.msg_len] = 0;
			expect_err("one byte longer", -SIG_EBADSIG, sig_verify(b.pk, b.msg, b.msg_len + 1, b.sig));
		}
	}
}

/* S + L satisfies the signature equation as S does: only the range check refuses it. */
static void verify_refuses_s_plus_group_order(void **state)
{
	(void)state;
	struct bin b;
	decode(&vectors[0], &b);
	unsigned carry = 0;
	for (size_t i = 0; i < 32; i++) {
		carry += (unsigned)b.sig[32 + i] + group_order[i];
		b.sig[32 + i] = (uint8_t)carry;
		carry >>= 8;
	}
	assert_int_equal(0, carry);
	expect_err("S + L", -SIG_EBADSIG, sig_verify(b.pk, b.msg, b.msg_len, b.sig));
}

/*
 * The identity as public key, R the identity and S = 0: 0*B - h*A = identity = R holds for
 * any message, so only the small-order check refuses it (OpenSSL accepts it). The same point
 * in the non-canonical encodings y = 1 with the sign bit set and y = p + 1.
 */
static void verify_refuses_identity_key_that_satisfies_the_equation(void **state)
{
	(void)state;
	static const uint8_t msg[] = "any message";
	uint8_t sig[SIG_SIGNATURE_LEN] = { 0x01 };
	uint8_t pk[SIG_PUBKEY_LEN] = { 0x01 };
	expect_err("identity key", -SIG_EBADSIG, sig_verify(pk, msg, sizeof(msg), sig));
	pk[31] = 0x80;
	expect_err("identity key with the sign bit set", -SIG_EBADSIG, sig_verify(pk, msg, sizeof(msg), sig));
	memset(pk, 0xff, sizeof(pk));
	pk[0] = 0xee;
	pk[31] = 0x7f;
	expect_err("identity key encoded as y = p + 1", -SIG_EBADSIG, sig_verify(pk, msg, sizeof(msg), sig));
}

static void sign_and_verify_take_message_of_sig_msg_max_bytes(void **state)
{
	(void)state;
	static uint8_t big[SIG_MSG_MAX];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	struct bin b;
	decode(&vectors[1], &b);
	uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
	expect_err("keypair", 0, sig_keypair_from_seed(b.seed, pk, sk));
	expect_err("sign SIG_MSG_MAX bytes", 0, sig_sign(sk, big, SIG_MSG_MAX, sig));
	expect_err("verify SIG_MSG_MAX bytes", 0, sig_verify(pk, big, SIG_MSG_MAX, sig));
	big[SIG_MSG_MAX - 1] ^= 1;
	expect_err("last of SIG_MSG_MAX bytes changed", -SIG_EBADSIG, sig_verify(pk, big, SIG_MSG_MAX, sig));
}

static void sign_refuses_message_of_sig_msg_max_plus_1_bytes_and_writes_nothing(void **state)
{
	(void)state;
	static uint8_t big[SIG_MSG_MAX + 1];
	struct bin b;
	decode(&vectors[1], &b);
	uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
	expect_err("keypair", 0, sig_keypair_from_seed(b.seed, pk, sk));
	memset(sig, 0xa5, sizeof(sig));
	expect_err("sign SIG_MSG_MAX + 1 bytes", -SIG_EMSGLEN, sig_sign(sk, big, SIG_MSG_MAX + 1, sig));
	expect_all("signature after the refusal", 0xa5, sig, sizeof(sig));
}

/* Refused for its length, not for its signature: a signature of the first SIG_MSG_MAX bytes. */
static void verify_refuses_message_of_sig_msg_max_plus_1_bytes(void **state)
{
	(void)state;
	static uint8_t big[SIG_MSG_MAX + 1];
	struct bin b;
	decode(&vectors[1], &b);
	uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
	expect_err("keypair", 0, sig_keypair_from_seed(b.seed, pk, sk));
	expect_err("sign SIG_MSG_MAX bytes", 0, sig_sign(sk, big, SIG_MSG_MAX, sig));
	expect_err("verify SIG_MSG_MAX + 1 bytes", -SIG_EMSGLEN, sig_verify(pk, big, SIG_MSG_MAX + 1, sig));
}

static void null_message_of_length_0_signs_and_verifies_as_the_empty_message(void **state)
{
	(void)state;
	struct bin b;
	decode(&vectors[0], &b);
	assert_int_equal(0, b.msg_len);
	uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
	expect_err("keypair", 0, sig_keypair_from_seed(b.seed, pk, sk));
	expect_err("sign NULL, 0", 0, sig_sign(sk, NULL, 0, sig));
	expect_bytes("TEST 1 signature", b.sig, sig, sizeof(sig));
	expect_err("verify NULL, 0", 0, sig_verify(pk, NULL, 0, sig));
}

static void keypair_refuses_null_buffers_and_writes_nothing(void **state)
{
	(void)state;
	uint8_t seed[SIG_SEED_LEN] = { 0 }, pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN];
	memset(pk, 0xa5, sizeof(pk));
	memset(sk, 0xa5, sizeof(sk));
	expect_err("NULL seed", -SIG_EINVAL, sig_keypair_from_seed(NULL, pk, sk));
	expect_all("pk after NULL seed", 0xa5, pk, sizeof(pk));
	expect_all("sk after NULL seed", 0xa5, sk, sizeof(sk));
	expect_err("NULL pk", -SIG_EINVAL, sig_keypair_from_seed(seed, NULL, sk));
	expect_all("sk after NULL pk", 0xa5, sk, sizeof(sk));
	expect_err("NULL sk", -SIG_EINVAL, sig_keypair_from_seed(seed, pk, NULL));
	expect_all("pk after NULL sk", 0xa5, pk, sizeof(pk));
}

static void sign_refuses_null_buffers_and_writes_nothing(void **state)
{
	(void)state;
	struct bin b;
	decode(&vectors[1], &b);
	uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
	expect_err("keypair", 0, sig_keypair_from_seed(b.seed, pk, sk));
	memset(sig, 0xa5, sizeof(sig));
	expect_err("NULL sk", -SIG_EINVAL, sig_sign(NULL, b.msg, b.msg_len, sig));
	expect_err("NULL message of length 1", -SIG_EINVAL, sig_sign(sk, NULL, 1, sig));
	expect_all("signature after the refusals", 0xa5, sig, sizeof(sig));
	expect_err("NULL signature", -SIG_EINVAL, sig_sign(sk, b.msg, b.msg_len, NULL));
}

static void verify_refuses_null_buffers(void **state)
{
	(void)state;
	struct bin b;
	decode(&vectors[1], &b);
	expect_err("NULL pk", -SIG_EINVAL, sig_verify(NULL, b.msg, b.msg_len, b.sig));
	expect_err("NULL message of length 1", -SIG_EINVAL, sig_verify(b.pk, NULL, 1, b.sig));
	expect_err("NULL signature", -SIG_EINVAL, sig_verify(b.pk, b.msg, b.msg_len, NULL));
}

/* FIPS 180-2 appendix C (one block, empty, two blocks), and SIG_MSG_MAX bytes against Python's hashlib. */
static void sha512_gives_the_fips_digests_up_to_sig_msg_max_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *msg;
		const char *digest;
	} known[] = {
		{ "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
			 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
		{ "", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		      "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
		  "mnopqrstnopqrstu",
		  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
		  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	};
	uint8_t want[SIG_DIGEST_LEN], got[SIG_DIGEST_LEN];
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(SIG_DIGEST_LEN, unhex(known[i].digest, want, sizeof(want)));
		expect_err("sha512", 0, sig_sha512((const uint8_t *)known[i].msg, strlen(known[i].msg), got));
		expect_bytes(known[i].msg, want, got, sizeof(got));
	}
	expect_err("sha512 of NULL, 0 bytes", 0, sig_sha512(NULL, 0, got));
	assert_int_equal(SIG_DIGEST_LEN, unhex(known[1].digest, want, sizeof(want)));
	expect_bytes("NULL, 0 bytes", want, got, sizeof(got));
	static uint8_t big[SIG_MSG_MAX + 1];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(SIG_DIGEST_LEN, unhex("6572ea278d86161f26300749198491b72876caebc2774ec250f6799730e9aad0"
					       "706a4e32d9f26a819398f2b142a272159b12ee5f265521299e6e50276c09e87a",
					       want, sizeof(want)));
	expect_err("sha512 of SIG_MSG_MAX bytes", 0, sig_sha512(big, SIG_MSG_MAX, got));
	expect_bytes("SIG_MSG_MAX bytes", want, got, sizeof(got));
	memset(got, 0xa5, sizeof(got));
	expect_err("sha512 of SIG_MSG_MAX + 1 bytes", -SIG_EMSGLEN, sig_sha512(big, SIG_MSG_MAX + 1, got));
	expect_all("digest after the refusal", 0xa5, got, sizeof(got));
	expect_err("sha512 of NULL, 1 byte", -SIG_EINVAL, sig_sha512(NULL, 1, got));
	expect_all("digest after the refusal", 0xa5, got, sizeof(got));
	expect_err("sha512 into NULL", -SIG_EINVAL, sig_sha512(big, 1, NULL));
}

static void strerror_names_each_code_and_unknown_values(void **state)
{
	(void)state;
	assert_string_equal("ok", sig_strerror(0));
	assert_string_equal("NULL buffer", sig_strerror(-SIG_EINVAL));
	assert_string_equal("message longer than SIG_MSG_MAX", sig_strerror(-SIG_EMSGLEN));
	assert_string_equal("signature does not verify", sig_strerror(-SIG_EBADSIG));
	assert_string_equal("unknown error", sig_strerror(-SIG_ERR_COUNT));
	assert_string_equal("unknown error", sig_strerror(1));
}

static void wipe_zeroes_the_buffer_and_ignores_null(void **state)
{
	(void)state;
	uint8_t buf[SIG_SECRET_LEN + 1];
	memset(buf, 0xa5, sizeof(buf));
	sig_wipe(buf, SIG_SECRET_LEN);
	expect_all("wiped bytes", 0, buf, SIG_SECRET_LEN);
	expect_all("byte after the wiped ones", 0xa5, buf + SIG_SECRET_LEN, 1);
	sig_wipe(NULL, SIG_SECRET_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keypair_from_seed_gives_rfc8032_public_keys),
		cmocka_unit_test(sign_gives_rfc8032_signatures),
		cmocka_unit_test(verify_accepts_rfc8032_signatures),
		cmocka_unit_test(verify_refuses_rfc8032_signatures_with_one_bit_of_key_or_signature_flipped),
		cmocka_unit_test(verify_refuses_rfc8032_signatures_of_an_altered_message),
		cmocka_unit_test(verify_refuses_s_plus_group_order),
		cmocka_unit_test(verify_refuses_identity_key_that_satisfies_the_equation),
		cmocka_unit_test(sign_and_verify_take_message_of_sig_msg_max_bytes),
		cmocka_unit_test(sign_refuses_message_of_sig_msg_max_plus_1_bytes_and_writes_nothing),
		cmocka_unit_test(verify_refuses_message_of_sig_msg_max_plus_1_bytes),
		cmocka_unit_test(null_message_of_length_0_signs_and_verifies_as_the_empty_message),
		cmocka_unit_test(keypair_refuses_null_buffers_and_writes_nothing),
		cmocka_unit_test(sign_refuses_null_buffers_and_writes_nothing),
		cmocka_unit_test(verify_refuses_null_buffers),
		cmocka_unit_test(sha512_gives_the_fips_digests_up_to_sig_msg_max_bytes),
		cmocka_unit_test(strerror_names_each_code_and_unknown_values),
		cmocka_unit_test(wipe_zeroes_the_buffer_and_ignores_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
