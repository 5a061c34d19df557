/* The keystored client library (include/client/keystore.h). */
#include "client/keystore.h"

#include <string.h>

#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

/* The error of a call that did not succeed. */
static int call_error(const struct ipc_outcome *o)
{
	switch (o->kind) {
	case IPC_OUTCOME_TIMEOUT:
		return -KEYSTORE_ETIMEDOUT;
	case IPC_OUTCOME_REJECTED:
		return o->status == IPC_STATUS_DENIED ? -KEYSTORE_EDENIED : -KEYSTORE_EMALFORMED;
	default:
		return -KEYSTORE_EIPC;
	}
}

/*
 * One request to keystored carrying `att_len` bytes of `att` as its attachment (none when
 * 0); reply data into `reply`, which must come back exactly `want` bytes long.
 */
static int call(struct ipc_client *c, uint16_t op, const uint8_t *data, size_t len, const void *att,
		size_t att_len, uint8_t *reply, size_t want, uint64_t timeout_ms)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	if (timeout_ms != 0)
		opts.timeout_ms = timeout_ms;
	/* Staging 0 bytes drops anything staged before: the request then carries none. */
	if (nx_attach_stage(att, att_len) != 0)
		return -KEYSTORE_EINVAL;
	const struct ipc_outcome o = ipc_route_with_nonce_budgeted(c, NX_SVC_KEYSTORED, sizeof NX_SVC_KEYSTORED - 1, op,
								   data, len, reply, want, &opts);
	if (o.kind != IPC_OUTCOME_SUCCESS)
		return call_error(&o);
	return o.reply_len == want ? 0 : -KEYSTORE_EMALFORMED;
}

int keystore_pubkey(struct ipc_client *c, uint8_t pk[KEYSTORE_PUBKEY_LEN], uint64_t timeout_ms)
{
	if (pk == NULL)
		return -KEYSTORE_EINVAL;
	return call(c, KEYSTORED_OP_PUBKEY, NULL, 0, NULL, 0, pk, KEYSTORE_PUBKEY_LEN, timeout_ms);
}

int keystore_sign(struct ipc_client *c, const void *msg, size_t len, uint8_t sig[KEYSTORE_SIG_LEN],
		  uint64_t timeout_ms)
{
	uint8_t req[KEYSTORE_SIGN_REQ_LEN];
	if ((msg == NULL && len != 0) || sig == NULL || keystore_sign_encode(len, req, sizeof req) < 0)
		return -KEYSTORE_EINVAL;
	return call(c, KEYSTORED_OP_SIGN, req, sizeof req, msg, len, sig, KEYSTORE_SIG_LEN, timeout_ms);
}

int keystore_verify(struct ipc_client *c, const uint8_t pk[KEYSTORE_PUBKEY_LEN], const void *msg, size_t len,
		    const uint8_t sig[KEYSTORE_SIG_LEN], bool *valid, uint64_t timeout_ms)
{
	struct keystore_verify_req q = { .msg_len = (uint16_t)len };
	uint8_t req[KEYSTORE_VERIFY_REQ_LEN];
	if (pk == NULL || sig == NULL || valid == NULL || (msg == NULL && len != 0) || len > KEYSTORE_MSG_MAX)
		return -KEYSTORE_EINVAL;
	memcpy(q.pubkey, pk, sizeof q.pubkey);
	memcpy(q.sig, sig, sizeof q.sig);
	if (keystore_verify_encode(&q, req, sizeof req) < 0)
		return -KEYSTORE_EINVAL;
	uint8_t verdict;
	const int rc = call(c, KEYSTORED_OP_VERIFY, req, sizeof req, msg, len, &verdict, 1, timeout_ms);
	if (rc != 0)
		return rc;
	if (verdict > 1)
		return -KEYSTORE_EMALFORMED;
	*valid = verdict == 1;
	return 0;
}

int keystore_stats(struct ipc_client *c, struct keystore_stats *s, uint64_t timeout_ms)
{
	uint8_t reply[KEYSTORE_STATS_LEN];
	if (s == NULL)
		return -KEYSTORE_EINVAL;
	const int rc = call(c, KEYSTORED_OP_STATS, NULL, 0, NULL, 0, reply, sizeof reply, timeout_ms);
	if (rc != 0)
		return rc;
	return keystore_stats_decode(reply, sizeof reply, s) == 0 ? 0 : -KEYSTORE_EMALFORMED;
}

int keystore_rng_probe(struct ipc_client *c, uint32_t probe_ms, struct keystore_probe *p, uint64_t timeout_ms)
{
	uint8_t req[4], reply[KEYSTORE_PROBE_LEN];
	if (p == NULL || keystore_probe_req_encode(probe_ms, req, sizeof req) < 0)
		return -KEYSTORE_EINVAL;
	const int rc = call(c, KEYSTORED_OP_RNG_PROBE, req, sizeof req, NULL, 0, reply, sizeof reply, timeout_ms);
	if (rc != 0)
		return rc;
	return keystore_probe_decode(reply, sizeof reply, p) == 0 ? 0 : -KEYSTORE_EMALFORMED;
}
