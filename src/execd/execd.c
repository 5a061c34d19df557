/*
 * execd: the spawner. It alone holds the kernel's spawn and kill rights, and it serves
 * spawn/kill only to the callers the policy table names (appmgrd); every other caller gets
 * DENIED and is counted. The requester becomes the new task's supervisor, so the kernel
 * sends it the task's exit notice directly.
 */
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "proto/execd.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"


static uint16_t do_spawn(uint64_t sender, const uint8_t *data, size_t len, uint8_t *out, size_t *out_len)
{
	struct execd_spawn s;
	if (execd_spawn_decode(data, len, &s) != 0)
		return IPC_STATUS_MALFORMED;
	struct nx_spawn_args args = {
		.supervisor_id = sender,
		.qos = s.qos,
		.page_quota = s.page_quota,
		.slack_fg_ms = s.slack_fg_ms,
		.slack_bg_ms = s.slack_bg_ms,
	};
	memcpy(args.image, s.image, sizeof args.image);
	memcpy(args.name, s.name, sizeof args.name);
	long task = nx_spawn(&args);
	if (task == -NX_EFULL)
		return IPC_STATUS_FULL;
	if (task == -NX_ENOENT)
		return IPC_STATUS_UNKNOWN;
	if (task < 0)
		return IPC_STATUS_MALFORMED;
	if (ipc_put_u32(out, IPC_DATA_MAX, 0, (uint32_t)task) != 0)
		return IPC_STATUS_MALFORMED;
	*out_len = 4;
	return IPC_STATUS_OK;
}

static uint16_t do_kill(const uint8_t *data, size_t len)
{
	uint32_t task, reason;
	if (len != EXECD_KILL_LEN || ipc_get_u32(data, len, 0, &task) != 0 || ipc_get_u32(data, len, 4, &reason) != 0)
		return IPC_STATUS_MALFORMED;
	long rc = nx_kill(task, reason);
	if (rc == -NX_ENOENT)
		return IPC_STATUS_UNKNOWN;
	return rc == 0 ? IPC_STATUS_OK : IPC_STATUS_MALFORMED;
}

static uint16_t execd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	(void)ctx;
	switch (r->op) {
	case EXECD_OP_SPAWN:
		return do_spawn(r->sender, r->data, r->len, out, out_len);
	case EXECD_OP_KILL:
		return do_kill(r->data, r->len);
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

int main(void)
{
	struct nx_server srv;
	nx_server_init(&srv, NX_SVC_EXECD);
	const struct nx_server_ops ops = { .request = execd_request };
	printf("execd: ready\n");
	return nx_serve_forever(&srv, &ops, NULL) < 0;
}
