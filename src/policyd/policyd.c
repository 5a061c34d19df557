/*
 * policyd: answers "may X do Y" from the policy table generated from the system manifest.
 * check: caller_id u64, service_id u64, op u16 -> reply: allowed u8 (1 or 0).
 */
#include <stdio.h>

#include "ipc/wire.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

#define CHECK_LEN 18

static uint16_t policyd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	(void)ctx;
	const uint8_t *data = r->data;
	size_t len = r->len;
	if (r->op != POLICYD_OP_CHECK)
		return IPC_STATUS_UNKNOWN;
	uint64_t caller, service;
	uint16_t asked;
	if (len != CHECK_LEN || ipc_get_u64(data, len, 0, &caller) != 0 || ipc_get_u64(data, len, 8, &service) != 0 ||
	    ipc_get_u16(data, len, 16, &asked) != 0)
		return IPC_STATUS_MALFORMED;
	out[0] = (uint8_t)nx_policy_allows(service, asked, caller);
	*out_len = 1;
	return IPC_STATUS_OK;
}

int main(void)
{
	struct nx_server srv;
	nx_server_init(&srv, NX_SVC_POLICYD);
	const struct nx_server_ops ops = { .request = policyd_request };
	printf("policyd: ready rules=%u\n", (unsigned)NX_POLICY_RULE_COUNT);
	return nx_serve_forever(&srv, &ops, NULL) < 0;
}
