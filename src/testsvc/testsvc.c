/*
 * Test services for the IPC proofs (manifest services "echo" and "liar"; only selftest may
 * call them). The task's name picks the behaviour.
 *
 * echo:  echo(data) -> the same data; pause(ms u32) -> OK, then it serves nothing for ms
 *        (so a client can find its request queue full); bulk() with an attachment -> its
 *        length as u32, and an attachment of the same bytes complemented; MALFORMED when the
 *        request came without one.
 * liar:  lie(wrong u32, truthful u8) -> `wrong` replies with wrong nonces, then the right
 *        reply if `truthful`. At most LIAR_MAX_WRONG: the caller's reply queue holds 4.
 */
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

#define PAUSE_MAX_MS 100
#define LIAR_MAX_WRONG 4

struct testsvc {
	struct nx_server srv;
	uint8_t bulk[NX_ATTACH_MAX];
};

static uint16_t echo_bulk(struct testsvc *ts, uint8_t *out, size_t *out_len)
{
	const long n = nx_attach_take(ts->bulk, sizeof ts->bulk);
	if (n <= 0)
		return IPC_STATUS_MALFORMED;
	for (long i = 0; i < n; i++)
		ts->bulk[i] = (uint8_t)~ts->bulk[i];
	if (nx_attach_stage(ts->bulk, (size_t)n) != 0 || ipc_put_u32(out, IPC_DATA_MAX, 0, (uint32_t)n) != 0)
		return IPC_STATUS_MALFORMED;
	*out_len = 4;
	return IPC_STATUS_OK;
}

/* Every op of echo but ECHO_OP_ECHO. */
static __attribute__((noinline)) uint16_t echo_other(struct testsvc *ts, const struct nx_request *r, uint8_t *out,
						     size_t *out_len)
{
	uint32_t ms;
	switch (r->op) {
	case ECHO_OP_PAUSE:
		if (r->len != 4 || ipc_get_u32(r->data, r->len, 0, &ms) != 0 || ms > PAUSE_MAX_MS)
			return IPC_STATUS_MALFORMED;
		/* Answer first, then serve nothing until the pause is over. */
		(void)nx_reply_deferred(&ts->srv, r, IPC_STATUS_OK, NULL, 0);
		(void)nx_sleep_until(nx_now_ms() + ms);
		return NX_REPLY_DEFERRED;
	case ECHO_OP_BULK:
		return r->len == 0 ? echo_bulk(ts, out, out_len) : IPC_STATUS_MALFORMED;
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

/* The IPC benchmark's op on a path of its own, which saves no registers. */
static uint16_t echo_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	if (r->op != ECHO_OP_ECHO)
		return echo_other(ctx, r, out, out_len);
	*out_len = r->len;
	ipc_data_copy(out, r->data, r->len);
	return IPC_STATUS_OK;
}

static uint16_t liar_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct testsvc *ts = ctx;
	(void)out, (void)out_len;
	uint32_t wrong;
	if (r->op != LIAR_OP_LIE || r->len != 5 || ipc_get_u32(r->data, r->len, 0, &wrong) != 0 ||
	    wrong > LIAR_MAX_WRONG || (r->data[4] && wrong == LIAR_MAX_WRONG))
		return IPC_STATUS_MALFORMED;
	for (uint32_t i = 0; i < wrong; i++) {
		struct nx_request lie = *r;
		lie.nonce = r->nonce + 1 + i;
		if (lie.nonce == 0)
			lie.nonce = 1;
		(void)nx_reply_deferred(&ts->srv, &lie, IPC_STATUS_OK, NULL, 0);
	}
	return r->data[4] ? IPC_STATUS_OK : NX_REPLY_DEFERRED;
}

static struct testsvc ts;

int main(void)
{
	struct nx_task_info self;
	if (nx_task_info(nx_self_task, &self) != 0)
		return 1;
	nx_server_init(&ts.srv, self.name);
	const int is_echo = strcmp(self.name, NX_SVC_ECHO) == 0;
	const struct nx_server_ops ops = { .request = is_echo ? echo_request : liar_request };
	printf("%s: ready\n", self.name);
	return nx_serve_forever(&ts.srv, &ops, &ts) < 0;
}
