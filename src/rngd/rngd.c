/*
 * rngd: entropy from the modern virtio-rng device (through the kernel's NX_SYS_RNG_READ,
 * which only rngd may call) to any client; the protocol is proto/rng.h.
 * A device that has not answered within RNGD_DEVICE_MS makes the request fail with FULL
 * (busy); the kernel keeps the request posted, so the next read takes its bytes. A source
 * that ran dry (the kernel's -NX_ENODATA, after NX_RNG_DRY_MS) fails it with EXHAUSTED.
 * A stall is answered first, then slept out inside the handler: the server loop takes no
 * request until it ends.
 */
#include <stdio.h>

#include "ipc/wire.h"
#include "proto/rng.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

_Static_assert(RNGD_DEVICE_MS > NX_RNG_DRY_MS, "a dry source is reported within rngd's deadline");

struct rngd {
	struct nx_server srv;
	uint32_t bytes;
	uint32_t failures;
};

static uint16_t rngd_read(struct rngd *rd, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	uint32_t len;
	if (r->len != 4 || ipc_get_u32(r->data, r->len, 0, &len) != 0 || len == 0 || len > RNGD_READ_MAX)
		return IPC_STATUS_MALFORMED;
	long got = nx_rng_read(out, len, nx_now_ms() + RNGD_DEVICE_MS);
	if (got != (long)len) {
		nx_count32(&rd->failures);
		if (got == -NX_ENODATA)
			return RNGD_STATUS_EXHAUSTED;
		return got == -NX_ETIMEDOUT || got == -NX_EFULL ? IPC_STATUS_FULL : IPC_STATUS_UNKNOWN;
	}
	rd->bytes = rd->bytes > UINT32_MAX - len ? UINT32_MAX : rd->bytes + len;
	*out_len = len;
	return IPC_STATUS_OK;
}

static uint16_t rngd_stall(struct rngd *rd, const struct nx_request *r)
{
	uint32_t ms;
	if (r->len != 4 || ipc_get_u32(r->data, r->len, 0, &ms) != 0 || ms == 0 || ms > RNGD_STALL_MAX_MS)
		return IPC_STATUS_MALFORMED;
	const uint64_t until = nx_now_ms() + ms;
	/* A refused reply is counted as unanswered; the stall happens either way. */
	(void)nx_reply_deferred(&rd->srv, r, IPC_STATUS_OK, NULL, 0);
	(void)nx_sleep_until(until);
	return NX_REPLY_DEFERRED;
}

static uint16_t rngd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct rngd *rd = ctx;
	switch (r->op) {
	case RNGD_OP_READ:
		return rngd_read(rd, r, out, out_len);
	case RNGD_OP_STALL:
		return rngd_stall(rd, r);
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

static struct rngd rd;

int main(void)
{
	nx_server_init(&rd.srv, NX_SVC_RNGD);
	const struct nx_server_ops ops = { .request = rngd_request };
	printf("rngd: ready\n");
	return nx_serve_forever(&rd.srv, &ops, &rd) < 0;
}
