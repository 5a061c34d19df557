/* The rngd client library (include/client/rng.h). */
#include "client/rng.h"

#include "ipc/wire.h"
#include "nx_manifest.h"

/* The error of a call that did not succeed. */
static int call_error(const struct ipc_outcome *o)
{
	switch (o->kind) {
	case IPC_OUTCOME_TIMEOUT:
		return -RNG_ETIMEDOUT;
	case IPC_OUTCOME_REJECTED:
		if (o->status == IPC_STATUS_FULL)
			return -RNG_EBUSY;
		return o->status == RNGD_STATUS_EXHAUSTED ? -RNG_EEXHAUSTED : -RNG_EDEVICE;
	default:
		return -RNG_EIPC;
	}
}

int rng_read(struct ipc_client *c, void *out, uint32_t len, uint64_t timeout_ms)
{
	uint8_t req[4];
	if (out == NULL || len == 0 || len > RNGD_READ_MAX || ipc_put_u32(req, sizeof req, 0, len) != 0)
		return -RNG_EINVAL;
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	if (timeout_ms != 0)
		opts.timeout_ms = timeout_ms;
	const struct ipc_outcome o = ipc_route_with_nonce_budgeted(c, NX_SVC_RNGD, sizeof NX_SVC_RNGD - 1, RNGD_OP_READ,
								   req, sizeof req, out, len, &opts);
	if (o.kind != IPC_OUTCOME_SUCCESS)
		return call_error(&o);
	return o.reply_len == len ? 0 : -RNG_EDEVICE;
}
