/* The demo abilities' runtime (runtime.h). */
#include "runtime.h"

#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_manifest.h"

/* The version the image was built as: variants for bundles set it (docs/ota.md). */
#ifdef NX_ABILITY_VERSION
#define AB_VERSION NX_ABILITY_VERSION
#else
#define AB_VERSION 1
#endif

/* Frames one wait takes before it gives up: ends a flood that is not appmgrd's stop. */
#define AB_MAX_FRAMES 64

int ab_init(struct ab_rt *rt)
{
	struct nx_task_info self;
	if (nx_task_info(nx_self_task, &self) != 0)
		return -NX_ENOENT;
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(nx_abilities[i].name, self.name) == 0) {
			rt->def = &nx_abilities[i];
			nx_client_init(&rt->client, rt->def->name);
			return 0;
		}
	}
	return -NX_ENOENT;
}

int ab_ready(struct ab_rt *rt)
{
	/* The mode, then the version this image was built as (proto/appmgr.h, ready). */
	uint8_t req[5] = { rt->def->start_mode };
	if (ipc_put_u32(req, sizeof req, 1, AB_VERSION) != 0)
		return -NX_EINVAL;
	struct ipc_outcome o = ipc_route_with_nonce_budgeted(&rt->client, NX_SVC_APPMGRD, strlen(NX_SVC_APPMGRD),
							     APPMGRD_OP_READY, req, sizeof req, NULL, 0, NULL);
	if (o.kind == IPC_OUTCOME_SUCCESS)
		return 0;
	printf("%s: ready refused: %s status %u\n", rt->def->name, ipc_outcome_name(o.kind), (unsigned)o.status);
	return o.kind == IPC_OUTCOME_REJECTED && o.status == IPC_STATUS_FULL ? -NX_EFULL : -NX_EDENIED;
}

int ab_wait_stop(uint64_t deadline_ms)
{
	for (unsigned i = 0; i < AB_MAX_FRAMES; i++) {
		uint8_t buf[NX_FRAME_MAX];
		struct nx_msg_info info;
		struct ipc_msg m;
		long n = nx_recv(NX_QUEUE_REQUEST, buf, sizeof buf, deadline_ms, &info);
		if (n < 0)
			return 0;
		if (info.sender_id == NX_SVC_APPMGRD_ID && ipc_msg_decode(buf, (size_t)n, &m) == 0 &&
		    m.type == IPC_TYPE_NOTIFY && m.op == NX_NOTIFY_STOP)
			return 1;
	}
	return 0;
}
