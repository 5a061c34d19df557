/* Kernel transport for the RFC-0025 helper, and the server loop step. */
#include "ulib/svc.h"

#include <string.h>

#include "ipc/wire.h"
#include "nx/notice.h"
#include "ulib/policy.h"
#include "ulib/sys.h"

/* The helper's transport result for a syscall's error `rc` (the kernel's vocabulary stays
 * here). Out of line, once for the three ops: errors are the rare case. */
static __attribute__((noinline)) int transport_error(long rc)
{
	switch (rc) {
	case -NX_EWOULDBLOCK:
		return IPC_T_WOULD_BLOCK;
	case -NX_ETIMEDOUT:
		return IPC_T_TIMEOUT;
	case -NX_ENOENT:
		return IPC_T_NO_PEER;
	default:
		return IPC_T_FAILED;
	}
}

static int k_send(void *ctx, uint64_t dst_id, const uint8_t *frame, size_t len)
{
	(void)ctx;
	const long rc = nx_send(dst_id, frame, len);
	return rc == 0 ? IPC_T_OK : transport_error(rc);
}

/* A receiving syscall's result `rc` with the sender it returned: the length and the sender
 * stored, or the transport result of its error. */
static int received(long rc, uint64_t sender, size_t *len, uint64_t *sender_id)
{
	if (rc < 0)
		return transport_error(rc);
	*len = (size_t)rc;
	*sender_id = sender;
	return IPC_T_OK;
}

static int k_recv_reply(void *ctx, uint8_t *buf, size_t cap, uint64_t deadline_ms, size_t *len,
			uint64_t *sender_id)
{
	(void)ctx;
	uint64_t sender = 0;
	return received(nx_wait(NX_QUEUE_REPLY, buf, cap, deadline_ms, &sender), sender, len, sender_id);
}

static int k_call(void *ctx, uint64_t dst_id, uint8_t *buf, size_t len, size_t cap, uint64_t deadline_ms,
		  size_t *rlen, uint64_t *sender_id)
{
	(void)ctx;
	uint64_t sender = 0;
	return received(nx_call(dst_id, buf, len, cap, deadline_ms, &sender), sender, rlen, sender_id);
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
	.call = k_call,
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
	return nx_service_id(NX_KERNEL_NAME, sizeof NX_KERNEL_NAME - 1);
}

void nx_server_init(struct nx_server *s, const char *self_name)
{
	memset(s, 0, sizeof *s);
	s->self_id = ipc_service_id(self_name, strlen(self_name));
	s->rules = nx_policy_slice_of(s->self_id);
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

/*
 * A frame that is not a request: a notice from the kernel, a task's NOTIFY, or malformed.
 * Out of line: the request path then keeps its decoded frame in registers.
 */
static __attribute__((noinline)) void handle_other(struct nx_server *s, const struct nx_server_ops *ops, void *ctx,
						   const uint8_t *in, size_t n, uint64_t sender)
{
	struct ipc_msg m;
	const int notify = ipc_msg_decode(in, n, &m) == 0 && m.type == IPC_TYPE_NOTIFY;
	/* Identity is the kernel-stamped sender id, never a field of the frame. */
	if (notify && sender == nx_kernel_id()) {
		handle_notice(s, ops, ctx, &m);
	} else if (notify && ops->notify != NULL) {
		nx_count32(&s->stats.notices);
		ops->notify(ctx, sender, &m);
	} else {
		nx_count32(&s->stats.malformed);
	}
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

/*
 * Handle the `n`-byte frame in `in` from `sender`. When it was a request answered now, the
 * encoded reply is left in s->out (s->out_len bytes, for s->out_to) and 1 is returned.
 * After the handler, the request is read back from `r` (in memory, as the handler got it):
 * nothing of it is kept in a callee-saved register across the call.
 */
static inline __attribute__((always_inline)) int handle(struct nx_server *s, const struct nx_server_ops *ops,
							void *ctx, const uint8_t *in, size_t n, uint64_t sender)
{
	struct ipc_msg req;
	if (!ipc_request_match(in, n, &req)) {
		handle_other(s, ops, ctx, in, n, sender);
		return 0;
	}
	struct nx_request r = {
		.sender = sender,
		.nonce = req.nonce,
		.op = req.op,
		.data = req.data,
		.len = req.data_len,
	};
	/* The reply is built in place: its data goes straight to where a frame's data goes. */
	uint8_t *const data = s->out + IPC_HEADER_SIZE + IPC_BODY_SIZE;
	size_t data_len = 0;
	uint16_t status;
	if (r.op == NX_OP_SERVER_STATS) {
		status = stats_reply(s, data, &data_len);
	} else if (!nx_policy_slice_allows(s->rules, s->self_id, r.op, r.sender)) {
		nx_count32(&s->stats.denied);
		status = IPC_STATUS_DENIED;
	} else {
		nx_count32(&s->stats.requests);
		status = ops->request(ctx, &r, data, &data_len);
		if (status == NX_REPLY_DEFERRED)
			return 0;
	}
	/* A handler's length beyond the limit sends no data. Read once, into a value of its own:
	 * the encoder's bound then needs no second load and test. */
	const size_t reply_len = data_len <= IPC_DATA_MAX ? data_len : 0;
	const struct ipc_msg answered = { .type = IPC_TYPE_REQUEST, .nonce = r.nonce, .op = r.op };
	if (ipc_reply_encode_in_place(&answered, s->self_id, r.sender, status, reply_len, s->out, sizeof s->out,
				      &s->out_len) != 0) {
		nx_count32(&s->stats.unanswered);
		return 0;
	}
	s->out_to = r.sender;
	return 1;
}

/* Both loops have handle() inlined, and what it calls: the request path makes no call but
 * the handler's (flatten). */
__attribute__((flatten)) int nx_serve_one(struct nx_server *s, const struct nx_server_ops *ops, void *ctx,
					  uint64_t deadline_ms)
{
	_Alignas(8) uint8_t in[NX_FRAME_MAX];
	uint64_t sender;
	long n = nx_wait(NX_QUEUE_REQUEST, in, sizeof in, deadline_ms, &sender);
	if (n == -NX_ETIMEDOUT)
		return 0;
	if (n < 0)
		return (int)n;
	if (handle(s, ops, ctx, in, (size_t)n, sender) && nx_reply(s->out_to, s->out, s->out_len) != 0)
		nx_count32(&s->stats.unanswered);
	return 1;
}

__attribute__((flatten)) int nx_serve_forever(struct nx_server *s, const struct nx_server_ops *ops, void *ctx)
{
	_Alignas(8) uint8_t in[NX_FRAME_MAX];
	int answer = 0;
	/* Worked out again only when a wait times out: a wait still lasts at most
	 * NX_SERVE_IDLE_MS, and a busy server reads no clock per request. */
	uint64_t deadline = nx_now_ms() + NX_SERVE_IDLE_MS;
	for (;;) {
		uint64_t sender;
		long n;
		if (answer) {
			/* The reply and the wait for the next request: one trap (the fast path). */
			n = nx_reply_wait(s->out_to, s->out, s->out_len, in, sizeof in, deadline, &sender);
			if (n == -NX_EWOULDBLOCK || n == -NX_ENOENT) {
				nx_count32(&s->stats.unanswered);
				n = nx_wait(NX_QUEUE_REQUEST, in, sizeof in, deadline, &sender);
			}
		} else {
			n = nx_wait(NX_QUEUE_REQUEST, in, sizeof in, deadline, &sender);
		}
		answer = 0;
		if (n == -NX_ETIMEDOUT) {
			deadline = nx_now_ms() + NX_SERVE_IDLE_MS;
			continue;
		}
		if (n < 0)
			return (int)n;
		answer = handle(s, ops, ctx, in, (size_t)n, sender);
	}
}

int nx_reply_deferred(struct nx_server *s, const struct nx_request *r, uint16_t status, const uint8_t *data,
		      size_t len)
{
	const struct ipc_msg req = { .type = IPC_TYPE_REQUEST, .nonce = r->nonce, .op = r->op };
	_Alignas(8) uint8_t out[NX_FRAME_MAX];
	size_t out_len;
	int rc = ipc_reply_encode(&req, s->self_id, r->sender, status, data, len, out, sizeof out, &out_len);
	if (rc == 0)
		rc = (int)nx_reply(r->sender, out, out_len);
	if (rc != 0)
		nx_count32(&s->stats.unanswered);
	return rc;
}
