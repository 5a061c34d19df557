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
#include <string.h>

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

/* The options in force: out-of-range values clamped. */
static struct ipc_route_opts effective_opts(struct ipc_route_opts o)
{
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

/*
 * One call's state, in memory: its address goes to the transport with the frame's, so the
 * hot path reads the fields back after the transport's call instead of keeping each in a
 * callee-saved register (a store and a load for each, in every call), and the rare cases
 * (next_frame()) take it all by one pointer.
 */
struct call {
	/* Word-aligned, so the codec moves whole words (a union: Frama-C reads no _Alignas). */
	union {
		uint64_t words[IPC_FRAME_MAX / 8];
		uint8_t bytes[IPC_FRAME_MAX];
	} frame;
	struct ipc_client *c;
	const struct ipc_route_opts *opts; /* as given: NULL for the defaults */
	uint64_t timeout_ms;
	uint64_t dst;
	uint64_t deadline;
	uint8_t *reply_data;
	size_t reply_cap;
	size_t len;      /* the request's */
	size_t rlen;     /* the received frame's */
	uint64_t sender; /* the received frame's, as the kernel stamped it */
	uint32_t nonce;
	bool sent; /* the request was accepted */
};

/* One more attempt to send the request: with a `call` op it also receives the first reply. */
static int attempt(struct call *k)
{
	const struct ipc_transport *t = &k->c->transport;
	if (t->ops->call != NULL)
		return t->ops->call(t->ctx, k->dst, k->frame.bytes, k->len, IPC_FRAME_MAX, k->deadline, &k->rlen,
				    &k->sender);
	return t->ops->send(t->ctx, k->dst, k->frame.bytes, k->len);
}

/* The call ends as `kind` (with the transport's result `err` for IPC_ERROR). */
static int ended(struct ipc_outcome *out, enum ipc_outcome_kind kind, int err)
{
	out->kind = kind;
	out->status = 0;
	out->transport_err = err;
	return 1;
}

/*
 * Everything but taking the reply, given the result `rc` of the last transport op and the
 * frame it left, if any, which was not the reply. Returns 0 when a frame was received for the
 * caller to look at, 1 when the call ended (`out` says how; its counts are kept here). Out of
 * line: the reply usually comes at once.
 *
 * Sending: only a full queue is retried, with a yield after each and a clock read after every
 * N-th (the clock may be a costly call). Receiving: each frame not taken is dropped when it
 * does not decode, else counted against the budget; both counts end the call when over.
 */
static __attribute__((noinline, cold)) int next_frame(struct call *k, int rc, struct ipc_outcome *out)
{
	const struct ipc_transport *t = &k->c->transport;
	const struct ipc_route_opts o = effective_opts(k->opts != NULL ? *k->opts : IPC_ROUTE_OPTS_DEFAULT);
	/* A `call` receives a frame with each accepted attempt; a `send`, none. */
	const bool with_call = t->ops->call != NULL;
	bool have = true;
	if (!k->sent) {
		/* A frame the first attempt brought was looked at; one a retry brings was not. */
		const bool retried = rc == IPC_T_WOULD_BLOCK;
		for (uint32_t spins = 0; rc == IPC_T_WOULD_BLOCK; rc = attempt(k)) {
			if (t->ops->yield != NULL)
				t->ops->yield(t->ctx);
			if (++spins == o.clock_every_spins) {
				spins = 0;
				if (t->ops->now_ms(t->ctx) >= k->deadline)
					return ended(out, IPC_OUTCOME_TIMEOUT, 0);
			}
		}
		/* A `call` that timed out was sent, and no reply came; a `send` has no such result. */
		if (rc == IPC_T_TIMEOUT && with_call)
			return ended(out, IPC_OUTCOME_TIMEOUT, 0);
		if (rc != 0)
			return ended(out, IPC_OUTCOME_IPC_ERROR, rc);
		k->sent = true;
		if (retried && with_call)
			return 0;
		have = with_call;
	}
	if (have) {
		struct ipc_msg m;
		/* A length above the buffer breaks the transport's contract: never read it. */
		if (k->rlen > IPC_FRAME_MAX || ipc_msg_decode(k->frame.bytes, k->rlen, &m) != 0) {
			if (++out->dropped == IPC_MAX_DROPPED)
				return ended(out, IPC_OUTCOME_TIMEOUT, 0);
		} else if (++out->wrong_nonces > o.budget.tolerated) {
			return ended(out, IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, 0);
		}
	}
	rc = t->ops->recv_reply(t->ctx, k->frame.bytes, IPC_FRAME_MAX, k->deadline, &k->rlen, &k->sender);
	if (rc == IPC_T_TIMEOUT)
		return ended(out, IPC_OUTCOME_TIMEOUT, 0);
	if (rc != 0)
		return ended(out, IPC_OUTCOME_IPC_ERROR, rc);
	return 0;
}

struct ipc_outcome ipc_route_with_nonce_budgeted(struct ipc_client *c, const char *service,
						 size_t service_len, uint16_t op, const uint8_t *data,
						 size_t data_len, uint8_t *reply_data, size_t reply_cap,
						 const struct ipc_route_opts *opts)
{
	/* One outcome, returned from every exit; next_frame() keeps its counts. */
	struct ipc_outcome out = outcome(IPC_OUTCOME_REJECTED, IPC_STATUS_MALFORMED, 0);
	struct call k;
	if (!name_id(service, service_len, &k.dst) || (reply_data == NULL && reply_cap != 0))
		return out;
	/* Stored before the encoder's copy, which may be a call: none is kept in a register. */
	k.c = c;
	k.opts = opts;
	k.timeout_ms = opts != NULL ? opts->timeout_ms : IPC_DEFAULT_TIMEOUT_MS;
	k.reply_data = reply_data;
	k.reply_cap = reply_cap;
	k.nonce = c->next_nonce != 0 ? c->next_nonce : 1;
	/* The encoder checks the data; a refused request uses no nonce. */
	if (ipc_request_encode(c->self_id, k.dst, k.nonce, op, data, data_len, k.frame.bytes, sizeof(k.frame.bytes),
			       &k.len) != 0)
		return out;
	k.c->next_nonce = k.nonce + 1; /* 0xFFFFFFFF wraps to 0, which the next call skips */

	const struct ipc_transport *t = &k.c->transport;
	k.deadline = deadline_after(t->ops->now_ms(t->ctx), k.timeout_ms);
	k.sent = false;
	int rc;
	if (t->ops->call != NULL) {
		rc = t->ops->call(t->ctx, k.dst, k.frame.bytes, k.len, IPC_FRAME_MAX, k.deadline, &k.rlen, &k.sender);
	} else {
		rc = attempt(&k);
		/* No frame yet: a sender other than the service's, so the check below takes none. */
		k.sender = ~k.dst;
	}
	struct ipc_msg m;
	/* Identity is the kernel's stamp, never the frame's src. */
	while (rc != 0 || k.sender != k.dst || !ipc_reply_match(k.frame.bytes, k.rlen, k.nonce, &m)) {
		if (next_frame(&k, rc, &out) != 0)
			return out;
		rc = 0;
	}
	out.status = m.status;
	if (m.status == IPC_STATUS_OK && m.data_len > k.reply_cap) {
		out.status = IPC_STATUS_MALFORMED;
	} else if (m.status == IPC_STATUS_OK) {
		ipc_data_copy(k.reply_data, m.data, m.data_len);
		out.kind = IPC_OUTCOME_SUCCESS;
		out.reply_len = m.data_len;
	}
	return out;
}
