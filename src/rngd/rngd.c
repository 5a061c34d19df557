/*
 * rngd: entropy from the modern virtio-rng device (through the kernel's NX_SYS_RNG_READ,
 * which only rngd may call) to any client.
 *   read: len u32 (1..RNGD_READ_MAX) -> reply: len bytes.
 * A device that has not answered within RNGD_DEVICE_MS makes the request fail with FULL
 * (busy); the kernel keeps the request posted, so the next read takes its bytes.
 */
#include <stdio.h>

#include "ipc/wire.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

#define RNGD_READ_MAX 64
#define RNGD_DEVICE_MS 500

struct rngd {
	struct nx_server srv;
	uint32_t bytes;
	uint32_t failures;
};

static uint16_t rngd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct rngd *rd = ctx;
	uint32_t len;
	if (r->op != RNGD_OP_READ)
		return IPC_STATUS_UNKNOWN;
	if (r->len != 4 || ipc_get_u32(r->data, r->len, 0, &len) != 0 || len == 0 || len > RNGD_READ_MAX)
		return IPC_STATUS_MALFORMED;
	long got = nx_rng_read(out, len, nx_now_ms() + RNGD_DEVICE_MS);
	if (got != (long)len) {
		nx_count32(&rd->failures);
		return got == -NX_ETIMEDOUT || got == -NX_EFULL ? IPC_STATUS_FULL : IPC_STATUS_UNKNOWN;
	}
	rd->bytes = rd->bytes > UINT32_MAX - len ? UINT32_MAX : rd->bytes + len;
	*out_len = len;
	return IPC_STATUS_OK;
}

static struct rngd rd;

int main(void)
{
	nx_server_init(&rd.srv, NX_SVC_RNGD);
	const struct nx_server_ops ops = { .request = rngd_request };
	printf("rngd: ready\n");
	return nx_serve_forever(&rd.srv, &ops, &rd) < 0;
}
