/*
 * The RFC-0025 route helper: one request, one deadline, a nonce-mismatch budget.
 *
 * A call has three phases: check and encode the request (no I/O), send it (retrying only a
 * full queue, until the deadline), then receive until the reply with its nonce comes. Every
 * loop ends: the send loop at the deadline, the receive loop at the deadline (the transport
 * enforces it), at budget + 1 frames not for this call, or at IPC_MAX_DROPPED unparseable ones.
 */
#include "ipc/route.h"

#include <stdbool.h>

static const char *const outcome_names[IPC_OUTCOME_COUNT] = {
	[IPC_OUTCOME_SUCCESS] = "success",
	[IPC_OUTCOME_TIMEOUT] = "timeout",
	[IPC_OUTCOME_NONCE_BUDGET_EXCEEDED] = "nonce_budget_exceeded",
	[IPC_OUTCOME_REJECTED] = "rejected",
	[IPC_OUTCOME_IPC_ERROR] = "ipc_error",
};

const char *ipc_outcome_name(enum ipc_outcome_kind kind)
{
	if ((unsigned)kind >= IPC_OUTCOME_COUNT)
		return "unknown outcome";
	return outcome_names[kind];
}

void ipc_client_init(struct ipc_client *c, struct ipc_transport t, uint64_t self_id)
{
	c->transport = t;
	c->self_id = self_id;
	c->next_nonce = 1;
}

/* An outcome with every count 0, field by field: a struct literal would zero its padding too,
 * which takes a call to memset where code is built for size. */
static struct ipc_outcome outcome(enum ipc_outcome_kind kind, uint16_t status, int transport_err)
{
	struct ipc_outcome o;
	o.kind = kind;
	o.status = status;
	o.transport_err = transport_err;
	o.reply_len = 0;
	o.wrong_nonces = 0;
	o.dropped = 0;
	return o;
}

static struct ipc_outcome rejected(uint16_t status)
{
	return outcome(IPC_OUTCOME_REJECTED, status, 0);
}

/* A name is 1..IPC_SERVICE_NAME_MAX bytes without NUL: C-string users see the same name.
 * Its service id (ipc_service_id(), the ABI's FNV-1a-64) is worked out in the same pass. */
static bool name_id(const char *name, size_t len, uint64_t *id)
{
	if (name == NULL || len == 0 || len > IPC_SERVICE_NAME_MAX)
		return false;
	uint64_t h = NX_FNV64_OFFSET_BASIS;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '\0')
			return false;
		h = (h ^ (uint8_t)name[i]) * NX_FNV64_PRIME;
	}
	*id = h;
	return true;
}

/* The options in force: defaults for NULL, out-of-range values clamped. */
static struct ipc_route_opts effective_opts(const struct ipc_route_opts *opts)
{
	struct ipc_route_opts o = opts != NULL ? *opts : IPC_ROUTE_OPTS_DEFAULT;
	if (o.budget.tolerated > IPC_NONCE_BUDGET_MAX)
		o.budget.tolerated = IPC_NONCE_BUDGET_MAX;
	if (o.clock_every_spins == 0)
		o.clock_every_spins = 1;
	else if (o.clock_every_spins > IPC_CLOCK_EVERY_SPINS_MAX)
		o.clock_every_spins = IPC_CLOCK_EVERY_SPINS_MAX;
	return o;
}

static uint64_t deadline_after(uint64_t now, uint64_t timeout_ms)
{
	return timeout_ms > UINT64_MAX - now ? UINT64_MAX : now + timeout_ms;
}

/* A frame received but not yet looked at: the combined call receives the first one. */
struct received {
	bool have;
	size_t len;
	uint64_t sender;
};

/*
 * Send until the frame is accepted. Only a full queue is retried: yield after each, and
 * read the clock after every `every`-th (the clock may be a costly call). Kind SUCCESS here
 * means "accepted"; the caller goes on to wait for the reply. With a `call` op the first
 * reply is received here too, into `frame`, and left in `first`.
 */
static struct ipc_outcome send_request(const struct ipc_transport *t, uint64_t dst, uint8_t *frame,
				       size_t len, uint64_t deadline, uint32_t every, struct received *first)
{
	uint32_t spins = 0;
	for (;;) {
		int rc = t->ops->call != NULL ? t->ops->call(t->ctx, dst, frame, len, IPC_FRAME_MAX, deadline,
							     &first->len, &first->sender)
					      : t->ops->send(t->ctx, dst, frame, len);
		if (rc == 0) {
			first->have = t->ops->call != NULL;
			return outcome(IPC_OUTCOME_SUCCESS, 0, 0);
		}
		if (rc == IPC_T_TIMEOUT && t->ops->call != NULL)
			return outcome(IPC_OUTCOME_TIMEOUT, 0, 0);
		if (rc != IPC_T_WOULD_BLOCK)
			return outcome(IPC_OUTCOME_IPC_ERROR, 0, rc);
		if (t->ops->yield != NULL)
			t->ops->yield(t->ctx);
		if (++spins == every) {
			spins = 0;
			if (t->ops->now_ms(t->ctx) >= deadline)
				return outcome(IPC_OUTCOME_TIMEOUT, 0, 0);
		}
	}
}

/* Whether a frame that is not the awaited reply decodes at all (a length above the buffer
 * breaks the transport's contract: never read it). Out of line: the reply is what usually
 * comes, and its check needs no struct in memory. */
static __attribute__((noinline)) bool decodes(const uint8_t *buf, size_t len)
{
	struct ipc_msg m;
	return len <= IPC_FRAME_MAX && ipc_msg_decode(buf, len, &m) == 0;
}

/*
 * Receive into `buf` (IPC_FRAME_MAX bytes) and `got` until the reply to `nonce` from `dst`
 * comes, beginning with the frame `got` holds, if any. Each turn returns, or adds one to
 * `dropped` or `wrong_nonces`, both bounded.
 */
static struct ipc_outcome await_reply(const struct ipc_transport *t, uint64_t dst, uint32_t nonce,
				      uint64_t deadline, uint32_t budget, uint8_t *buf, struct received *got,
				      uint8_t *reply_data, size_t reply_cap)
{
	struct ipc_outcome out = outcome(IPC_OUTCOME_TIMEOUT, 0, 0);
	bool have = got->have;
	while (out.dropped < IPC_MAX_DROPPED) {
		if (!have) {
			int rc = t->ops->recv_reply(t->ctx, buf, IPC_FRAME_MAX, deadline, &got->len, &got->sender);
			if (rc == IPC_T_TIMEOUT)
				return out;
			if (rc != 0) {
				out.kind = IPC_OUTCOME_IPC_ERROR;
				out.transport_err = rc;
				return out;
			}
		}
		have = false;
		const size_t len = got->len;
		const uint64_t sender = got->sender;
		struct ipc_msg m;
		/* Identity is the kernel's stamp, never the frame's src. */
		if (sender != dst || !ipc_reply_match(buf, len, nonce, &m)) {
			/* Not for this call: dropped when it does not decode, else counted. */
			if (!decodes(buf, len)) {
				out.dropped++;
			} else if (++out.wrong_nonces > budget) {
				out.kind = IPC_OUTCOME_NONCE_BUDGET_EXCEEDED;
				return out;
			}
			continue;
		}
		out.kind = IPC_OUTCOME_REJECTED;
		out.status = m.status;
		if (m.status != IPC_STATUS_OK)
			return out;
		if (m.data_len > reply_cap) {
			out.status = IPC_STATUS_MALFORMED;
			return out;
		}
		ipc_data_copy(reply_data, m.data, m.data_len);
		out.kind = IPC_OUTCOME_SUCCESS;
		out.reply_len = m.data_len;
		return out;
	}
	return out;
}

struct ipc_outcome ipc_route_with_nonce_budgeted(struct ipc_client *c, const char *service,
						 size_t service_len, uint16_t op, const uint8_t *data,
						 size_t data_len, uint8_t *reply_data, size_t reply_cap,
						 const struct ipc_route_opts *opts)
{
	uint64_t dst;
	if (!name_id(service, service_len, &dst) || (reply_data == NULL && reply_cap != 0))
		return rejected(IPC_STATUS_MALFORMED);

	const struct ipc_route_opts o = effective_opts(opts);
	const uint32_t nonce = c->next_nonce != 0 ? c->next_nonce : 1;
	/* Word-aligned, so the codec moves whole words (a union: Frama-C reads no _Alignas). */
	union {
		uint64_t words[IPC_FRAME_MAX / 8];
		uint8_t bytes[IPC_FRAME_MAX];
	} frame;
	size_t len;
	/* The encoder checks the data; a refused request uses no nonce. */
	if (ipc_request_encode(c->self_id, dst, nonce, op, data, data_len, frame.bytes, sizeof(frame.bytes), &len) != 0)
		return rejected(IPC_STATUS_MALFORMED);
	c->next_nonce = nonce + 1; /* 0xFFFFFFFF wraps to 0, which the next call skips */

	const uint64_t deadline = deadline_after(c->transport.ops->now_ms(c->transport.ctx), o.timeout_ms);
	struct received first = { .have = false };
	struct ipc_outcome out = send_request(&c->transport, dst, frame.bytes, len, deadline, o.clock_every_spins,
					      &first);
	if (out.kind != IPC_OUTCOME_SUCCESS)
		return out;
	return await_reply(&c->transport, dst, nonce, deadline, o.budget.tolerated, frame.bytes, &first, reply_data,
			   reply_cap);
}
