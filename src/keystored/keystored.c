/*
 * keystored: the device's Ed25519 identity key (proto/keystore.h, docs/crypto.md).
 *
 * Boot: the seed is the value of KEYD_SEED_KEY in keystored's own statefsd namespace. When
 * there is none (a blank disk), keystored takes SIG_SEED_LEN bytes of entropy from rngd and
 * puts and syncs the seed before anything else. Any other failure to read the seed (an
 * error, a value of the wrong size) stops keystored: a new key would silently replace the
 * device's identity. The key pair derived from the seed must sign and verify a probe
 * message before keystored says `keystored: ready` and serves.
 *
 * The seed and the secret key stay in this task: no reply, attachment or log line carries
 * them. keystored's seed buffer is wiped once the key is derived (docs/crypto.md lists the
 * copies outside its reach). Each reply starts with nothing staged, so no attachment rides
 * on it. Every call keystored makes has a deadline.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/statefs.h"
#include "crypto/sig.h"
#include "ipc/wire.h"
#include "proto/keystore.h"
#include "proto/rng.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

_Static_assert(KEYSTORE_PUBKEY_LEN == SIG_PUBKEY_LEN && KEYSTORE_SIG_LEN == SIG_SIGNATURE_LEN,
	       "the protocol's sizes are the signature library's");
_Static_assert(KEYSTORE_MSG_MAX <= SIG_MSG_MAX, "a message keystored takes is one sig_sign takes");
_Static_assert(SIG_SEED_LEN <= RNGD_READ_MAX && KEYSTORE_PROBE_BYTES <= RNGD_READ_MAX,
	       "one rngd read gives a seed or a probe");

/* The seed's key in statefsd: keystored's own namespace. */
#define KEYD_SEED_KEY "/keystored/seed"
/* Deadline of each call keystored makes at boot (statefsd, rngd). */
#define KEYD_BOOT_CALL_MS 5000
/* Reads of rngd before keystored gives up when the device stays busy (FULL). */
#define KEYD_RNG_TRIES 3

/* Signed and verified at boot: the key is usable before keystored says ready. */
static const char keyd_probe_msg[] = "keystored: key check";

struct keyd {
	struct nx_server srv;
	struct ipc_client client;
	struct keystore_stats st;
	uint8_t pk[SIG_PUBKEY_LEN];
	uint8_t sk[SIG_SECRET_LEN];
	_Alignas(8) uint8_t msg[KEYSTORE_MSG_MAX];
};

static struct keyd kd;

/*
 * `len` bytes of entropy from rngd into `out`, under a deadline of `timeout_ms` per call,
 * at most `tries` calls while the device is busy. The outcome of the last call goes to `*o`.
 */
static int take_entropy(struct keyd *k, uint8_t *out, uint32_t len, uint64_t timeout_ms, unsigned tries,
			struct ipc_outcome *o)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	uint8_t q[4];
	opts.timeout_ms = timeout_ms;
	if (ipc_put_u32(q, sizeof q, 0, len) != 0)
		return -1;
	for (unsigned i = 0; i < tries; i++) {
		*o = ipc_route_with_nonce_budgeted(&k->client, NX_SVC_RNGD, sizeof NX_SVC_RNGD - 1, RNGD_OP_READ, q,
						   sizeof q, out, len, &opts);
		if (o->kind == IPC_OUTCOME_SUCCESS && o->reply_len == len) {
			k->st.entropy_bytes = k->st.entropy_bytes > UINT32_MAX - len ? UINT32_MAX : k->st.entropy_bytes + len;
			return 0;
		}
		if (o->kind != IPC_OUTCOME_REJECTED || o->status != IPC_STATUS_FULL)
			break;
	}
	return -1;
}

/* A new seed from rngd, put and synced in statefsd. */
static int create_seed(struct keyd *k, uint8_t seed[SIG_SEED_LEN])
{
	struct ipc_outcome o;
	if (take_entropy(k, seed, SIG_SEED_LEN, KEYD_BOOT_CALL_MS, KEYD_RNG_TRIES, &o) != 0) {
		printf("keystored: no entropy from rngd: %s status %u\n", ipc_outcome_name(o.kind), (unsigned)o.status);
		return -1;
	}
	int rc = statefs_put(&k->client, KEYD_SEED_KEY, seed, SIG_SEED_LEN, KEYD_BOOT_CALL_MS);
	/* Whatever happened to the put, nothing of the seed stays staged for a later message. */
	(void)nx_attach_stage(NULL, 0);
	if (rc == 0)
		rc = statefs_sync(&k->client, KEYD_BOOT_CALL_MS);
	if (rc != 0) {
		printf("keystored: cannot store the seed: %s\n", statefs_strerror(rc));
		return -1;
	}
	k->st.created = 1;
	return 0;
}

/* The seed statefsd holds, or a new one when it holds none. */
static int get_seed(struct keyd *k, uint8_t seed[SIG_SEED_LEN])
{
	size_t len = 0;
	const int rc = statefs_get(&k->client, KEYD_SEED_KEY, seed, SIG_SEED_LEN, &len, KEYD_BOOT_CALL_MS);
	if (rc == -STATEFS_ENOENT)
		return create_seed(k, seed);
	if (rc == 0 && len == SIG_SEED_LEN)
		return 0;
	if (rc == 0 || rc == -STATEFS_EINVAL)
		printf("keystored: the stored seed has %zu bytes, not %u\n", len, (unsigned)SIG_SEED_LEN);
	else
		printf("keystored: cannot read the seed: %s\n", statefs_strerror(rc));
	return -1;
}

/* Derive the key pair, then check that it signs and verifies. */
static int make_key(struct keyd *k)
{
	uint8_t seed[SIG_SEED_LEN];
	int rc = get_seed(k, seed);
	if (rc == 0)
		rc = sig_keypair_from_seed(seed, k->pk, k->sk);
	sig_wipe(seed, sizeof seed);
	if (rc != 0)
		return -1;
	uint8_t sig[SIG_SIGNATURE_LEN];
	rc = sig_sign(k->sk, (const uint8_t *)keyd_probe_msg, sizeof keyd_probe_msg - 1, sig);
	if (rc == 0)
		rc = sig_verify(k->pk, (const uint8_t *)keyd_probe_msg, sizeof keyd_probe_msg - 1, sig);
	if (rc != 0) {
		printf("keystored: the key fails its check: %s\n", sig_strerror(rc));
		sig_wipe(k->sk, sizeof k->sk);
		return -1;
	}
	return 0;
}

/* The request's attached message, exactly `len` bytes, into k->msg. */
static bool take_msg(struct keyd *k, uint16_t len)
{
	const long got = nx_attach_take(k->msg, sizeof k->msg);
	return got == (long)len;
}

static uint16_t do_pubkey(struct keyd *k, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	if (r->len != 0)
		return IPC_STATUS_MALFORMED;
	memcpy(out, k->pk, sizeof k->pk);
	*out_len = sizeof k->pk;
	nx_count32(&k->st.pubkeys);
	return IPC_STATUS_OK;
}

static uint16_t do_sign(struct keyd *k, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	uint16_t len;
	if (keystore_sign_decode(r->data, r->len, &len) != 0 || !take_msg(k, len) ||
	    sig_sign(k->sk, k->msg, len, out) != 0)
		return IPC_STATUS_MALFORMED;
	*out_len = SIG_SIGNATURE_LEN;
	nx_count32(&k->st.signs);
	return IPC_STATUS_OK;
}

static uint16_t do_verify(struct keyd *k, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct keystore_verify_req q;
	if (keystore_verify_decode(r->data, r->len, &q) != 0 || !take_msg(k, q.msg_len))
		return IPC_STATUS_MALFORMED;
	const int rc = sig_verify(q.pubkey, k->msg, q.msg_len, q.sig);
	if (rc != 0 && rc != -SIG_EBADSIG)
		return IPC_STATUS_MALFORMED;
	out[0] = rc == 0;
	*out_len = 1;
	nx_count32(&k->st.verifies);
	if (rc != 0)
		nx_count32(&k->st.verify_bad);
	return IPC_STATUS_OK;
}

/* Ask rngd for a little entropy under the caller's deadline; report how the call ended. */
static uint16_t do_rng_probe(struct keyd *k, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	uint32_t ms;
	if (keystore_probe_req_decode(r->data, r->len, &ms) != 0)
		return IPC_STATUS_MALFORMED;
	uint8_t bytes[KEYSTORE_PROBE_BYTES];
	struct ipc_outcome o;
	const uint64_t t0 = nx_now_ms();
	(void)take_entropy(k, bytes, sizeof bytes, ms, 1, &o);
	const uint64_t elapsed = nx_now_ms() - t0;
	sig_wipe(bytes, sizeof bytes);
	nx_count32(&k->st.probes);
	if (o.kind == IPC_OUTCOME_TIMEOUT)
		nx_count32(&k->st.probe_timeouts);
	const struct keystore_probe p = {
		.outcome = (uint8_t)o.kind,
		.status = o.status,
		.elapsed_ms = elapsed > UINT32_MAX ? UINT32_MAX : (uint32_t)elapsed,
	};
	const int len = keystore_probe_encode(&p, out, IPC_DATA_MAX);
	if (len < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)len;
	return IPC_STATUS_OK;
}

static uint16_t do_stats(struct keyd *k, uint8_t *out, size_t *out_len)
{
	const int len = keystore_stats_encode(&k->st, out, IPC_DATA_MAX);
	if (len < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)len;
	return IPC_STATUS_OK;
}

/* A status to answer, counting refusals (export_private counts its own). */
static uint16_t answer(struct keyd *k, uint16_t status)
{
	if (status == IPC_STATUS_MALFORMED || status == IPC_STATUS_UNKNOWN)
		nx_count32(&k->st.refused);
	return status;
}

static uint16_t keyd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct keyd *k = ctx;
	(void)nx_attach_stage(NULL, 0);
	switch (r->op) {
	case KEYSTORED_OP_PUBKEY:
		return answer(k, do_pubkey(k, r, out, out_len));
	case KEYSTORED_OP_SIGN:
		return answer(k, do_sign(k, r, out, out_len));
	case KEYSTORED_OP_VERIFY:
		return answer(k, do_verify(k, r, out, out_len));
	case KEYSTORED_OP_EXPORT_PRIVATE:
		/* The op exists to be refused: the key never leaves keystored. */
		nx_count32(&k->st.export_refused);
		return IPC_STATUS_DENIED;
	case KEYSTORED_OP_STATS:
		return answer(k, r->len == 0 ? do_stats(k, out, out_len) : IPC_STATUS_MALFORMED);
	case KEYSTORED_OP_RNG_PROBE:
		return answer(k, do_rng_probe(k, r, out, out_len));
	default:
		return answer(k, IPC_STATUS_UNKNOWN);
	}
}

int main(void)
{
	nx_server_init(&kd.srv, NX_SVC_KEYSTORED);
	nx_client_init(&kd.client, NX_SVC_KEYSTORED);
	if (make_key(&kd) != 0)
		return 1;
	char hex[2 * SIG_PUBKEY_LEN + 1];
	for (size_t i = 0; i < SIG_PUBKEY_LEN; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", kd.pk[i]);
	printf("keystored: key %s pubkey=%s\n", kd.st.created ? "created" : "loaded", hex);
	printf("keystored: ready\n");
	const struct nx_server_ops ops = { .request = keyd_request };
	return nx_serve_forever(&kd.srv, &ops, &kd) < 0;
}
