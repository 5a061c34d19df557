/* Kernel transport for the RFC-0025 helper, and the server loop step. */
#include "nx/svc.h"

#include <string.h>

#include "ipc/wire.h"
#include "nx/notice.h"
#include "nx/manifest_types.h"
#include "nx/sys.h"

static int k_send(void *ctx, uint64_t dst_id, const uint8_t *frame, size_t len)
{
	(void)ctx;
	return (int)nx_send(dst_id, frame, len);
}

static int k_recv_reply(void *ctx, uint8_t *buf, size_t cap, uint64_t deadline_ms, size_t *len,
			uint64_t *sender_id)
{
	(void)ctx;
	struct nx_msg_info info;
	long rc = nx_recv(NX_QUEUE_REPLY, buf, cap, deadline_ms, &info);
	if (rc < 0)
		return (int)rc;
	*len = (size_t)rc;
	*sender_id = info.sender_id;
	return 0;
}

static uint64_t k_now_ms(void *ctx)
{
	(void)ctx;
	return nx_now_ms();
}

static void k_yield(void *ctx)
{
	(void)ctx;
	(void)nx_yield();
}

static const struct ipc_transport_ops kernel_transport = {
	.send = k_send,
	.recv_reply = k_recv_reply,
	.now_ms = k_now_ms,
	.yield = k_yield,
};

void nx_client_init(struct ipc_client *c, const char *self_name)
{
	const struct ipc_transport t = { .ops = &kernel_transport, .ctx = NULL };
	ipc_client_init(c, t, ipc_service_id(self_name, strlen(self_name)));
}

uint64_t nx_kernel_id(void)
{
	return ipc_service_id("kernel", 6);
}

void nx_server_init(struct nx_server *s, const char *self_name)
{
	memset(s, 0, sizeof *s);
	s->self_id = ipc_service_id(self_name, strlen(self_name));
}

static void handle_notice(struct nx_server *s, const struct nx_server_ops *ops, void *ctx,
			  const struct ipc_msg *m)
{
	struct nx_exit_notice n;
	if (m->op != NX_NOTIFY_EXIT || nx_exit_notice_decode(m->data, m->data_len, &n) != 0) {
		nx_count32(&s->stats.malformed);
		return;
	}
	nx_count32(&s->stats.notices);
	if (ops->exit_notice != NULL)
		ops->exit_notice(ctx, &n);
}

static uint16_t stats_reply(const struct nx_server *s, uint8_t *out, size_t *out_len)
{
	const uint32_t v[] = { s->stats.requests, s->stats.denied, s->stats.malformed, s->stats.unanswered,
			       s->stats.notices };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (ipc_put_u32(out, IPC_DATA_MAX, 4 * i, v[i]) != 0)
			return IPC_STATUS_MALFORMED;
	}
	*out_len = sizeof v;
	return IPC_STATUS_OK;
}

int nx_serve_one(struct nx_server *s, const struct nx_server_ops *ops, void *ctx, uint64_t deadline_ms)
{
	uint8_t in[NX_MSG_MAX];
	struct nx_msg_info info;
	long n = nx_recv(NX_QUEUE_REQUEST, in, sizeof in, deadline_ms, &info);
	if (n == -NX_ETIMEDOUT)
		return 0;
	if (n < 0)
		return (int)n;
	struct ipc_msg req;
	if (ipc_msg_decode(in, (size_t)n, &req) != 0) {
		nx_count32(&s->stats.malformed);
		return 1;
	}
	/* Identity is the kernel-stamped sender id, never a field of the frame. */
	if (req.type == IPC_TYPE_NOTIFY && info.sender_id == nx_kernel_id()) {
		handle_notice(s, ops, ctx, &req);
		return 1;
	}
	if (req.type != IPC_TYPE_REQUEST) {
		nx_count32(&s->stats.malformed);
		return 1;
	}
	const struct nx_request r = {
		.sender = info.sender_id,
		.nonce = req.nonce,
		.op = req.op,
		.data = req.data,
		.len = req.data_len,
	};
	uint8_t data[IPC_DATA_MAX];
	size_t data_len = 0;
	uint16_t status;
	if (req.op == NX_OP_SERVER_STATS) {
		status = stats_reply(s, data, &data_len);
	} else if (!nx_policy_allows(s->self_id, req.op, info.sender_id)) {
		nx_count32(&s->stats.denied);
		status = IPC_STATUS_DENIED;
	} else {
		nx_count32(&s->stats.requests);
		status = ops->request(ctx, &r, data, &data_len);
		if (status == NX_REPLY_DEFERRED)
			return 1;
		if (data_len > sizeof data)
			data_len = 0;
	}
	(void)nx_reply_deferred(s, &r, status, data, data_len);
	return 1;
}

int nx_serve_forever(struct nx_server *s, const struct nx_server_ops *ops, void *ctx)
{
	for (;;) {
		int rc = nx_serve_one(s, ops, ctx, nx_now_ms() + NX_SERVE_IDLE_MS);
		if (rc < 0)
			return rc;
	}
}

int nx_reply_deferred(struct nx_server *s, const struct nx_request *r, uint16_t status, const uint8_t *data,
		      size_t len)
{
	const struct ipc_msg req = { .type = IPC_TYPE_REQUEST, .nonce = r->nonce, .op = r->op };
	uint8_t out[NX_MSG_MAX];
	size_t out_len;
	int rc = ipc_reply_encode(&req, s->self_id, r->sender, status, data, len, out, sizeof out, &out_len);
	if (rc == 0)
		rc = (int)nx_reply(r->sender, out, out_len);
	if (rc != 0)
		nx_count32(&s->stats.unanswered);
	return rc;
}
