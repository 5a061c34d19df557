/*
 * Fuzz target: the RFC-0025 route helper over a transport the input scripts: what each send
 * returns, what reaches the reply queue and when (the reply, near misses, garbage, lengths
 * beyond the buffer, errors) and how far the clock moves. A reference model of the rules in
 * ipc/route.h follows every receive and predicts the outcome exactly.
 *
 * Checks, for each of up to CALLS_MAX calls on one client: a call refused up front does no
 * I/O and uses no nonce; the deadline is read before any I/O and every receive gets that one
 * deadline; the helper reads the clock at least every N would-block spins and sends at most N
 * times once the deadline has passed; every frame sent is the request with the client's
 * nonce; wrong_nonces ≤ budget + 1 and dropped ≤ IPC_MAX_DROPPED; success or a service's
 * status only from the reply with the call's nonce and the service's kernel-stamped id, its
 * data copied exactly into reply_data (a heap block of exactly reply_cap bytes, as the
 * request's data is one of exactly data_len bytes, so ASan sees any access beyond them).
 */
#include "fuzz.h"

#include "ipc/route.h"

#define CALLS_MAX 3
/* Longest name the input can give: beyond the limit, to reach the refusal. */
#define FUZZ_NAME_MAX (IPC_SERVICE_NAME_MAX + 2)
/* Largest data and reply_cap the input can give: beyond IPC_DATA_MAX, to reach refusals. */
#define FUZZ_DATA_MAX (IPC_DATA_MAX + 16)
/* Largest length a scripted receive reports: beyond the buffer, to break the contract. */
#define FUZZ_RECV_LEN_MAX (IPC_FRAME_MAX + 16)

/* Flags byte of a call. */
#define CALL_LETTERS 0x01U    /* name bytes mapped to a..z (else raw, NULs included) */
#define CALL_NULL_NAME 0x02U  /* service is NULL */
#define CALL_NULL_DATA 0x04U  /* data is NULL */
#define CALL_NULL_REPLY 0x08U /* reply_data is NULL */
#define CALL_OPTS 0x10U       /* options from the input (else NULL: the defaults) */

/* The transport's script and the model of the call in progress. */
struct script {
	struct fz_in in;
	uint64_t now; /* the transport's clock: never decreases */

	/* The call, as the model sees it. */
	uint64_t dst;
	uint64_t self_id;
	uint32_t nonce;
	uint16_t op;
	const uint8_t *data;
	size_t data_len;
	size_t reply_cap;
	uint64_t timeout;
	uint32_t budget;
	uint32_t every;

	/* Observations. */
	bool have_deadline;
	uint64_t deadline;
	uint64_t last_read;
	bool read_late; /* a clock read after the first one saw the deadline passed */
	unsigned clock_reads, sends, recvs, late_sends, spins_unread;
	int last_send;
	uint8_t sent[IPC_FRAME_MAX];
	size_t sent_len;

	/* Receive side of the model: counts, and the outcome once the helper must return. */
	uint32_t wrong, dropped;
	bool ended;
	struct ipc_outcome expect;
	uint8_t reply[IPC_DATA_MAX];
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* A transport error: a negative code other than the results with a meaning. */
static int transport_error(struct script *s, int meaningful)
{
	int err = -1 - (int)fz_u8(&s->in);
	return err == meaningful ? -256 : err;
}

static void end_with(struct script *s, enum ipc_outcome_kind kind)
{
	s->ended = true;
	s->expect.kind = kind;
	s->expect.wrong_nonces = s->wrong;
	s->expect.dropped = s->dropped;
}

static uint64_t t_now_ms(void *ctx)
{
	struct script *s = ctx;
	s->clock_reads++;
	if (!s->have_deadline) {
		FZ_CHECK(s->sends == 0 && s->recvs == 0, "the deadline is read before any I/O");
		s->have_deadline = true;
		s->deadline = add_sat(s->now, s->timeout);
	} else if (s->now >= s->deadline) {
		s->read_late = true;
	}
	s->spins_unread = 0;
	s->last_read = s->now;
	return s->now;
}

static void t_yield(void *ctx)
{
	(void)ctx;
}

static void check_request(const struct script *s, const uint8_t *frame, size_t len)
{
	struct ipc_msg m;
	int rc = ipc_msg_decode(frame, len, &m);
	FZ_CHECK(rc == 0, "the request decodes, got %s", ipc_strerror(rc));
	FZ_CHECK(m.type == IPC_TYPE_REQUEST && m.nonce == s->nonce && m.op == s->op &&
			 m.src == s->self_id && m.dst == s->dst && m.status == 0,
		 "request type %u nonce %u op %u, expected nonce %u op %u", m.type, m.nonce, m.op,
		 s->nonce, s->op);
	FZ_CHECK(m.data_len == s->data_len &&
			 (m.data_len == 0 || memcmp(m.data, s->data, m.data_len) == 0),
		 "request data: %zu bytes, expected %zu", m.data_len, s->data_len);
}

static int t_send(void *ctx, uint64_t dst_id, const uint8_t *frame, size_t len)
{
	struct script *s = ctx;
	FZ_CHECK(s->have_deadline, "the deadline is read before the first send");
	FZ_CHECK(s->recvs == 0 && (s->sends == 0 || s->last_send == IPC_T_WOULD_BLOCK),
		 "send again only after a would-block (send %u, last result %d)", s->sends, s->last_send);
	FZ_CHECK(!s->read_late, "no send once the clock has shown the deadline passed");
	FZ_CHECK(s->spins_unread < s->every, "the clock is read every %u spins: %u without",
		 s->every, s->spins_unread);
	FZ_CHECK(dst_id == s->dst, "sent to the service's id");
	FZ_CHECK(len <= IPC_FRAME_MAX, "a frame of %zu bytes", len);
	if (s->sends++ == 0) {
		check_request(s, frame, len);
		memcpy(s->sent, frame, len);
		s->sent_len = len;
	} else {
		FZ_CHECK(len == s->sent_len && memcmp(frame, s->sent, len) == 0,
			 "a retry sends the same frame");
	}
	uint8_t b = fz_u8(&s->in);
	s->now = add_sat(s->now, b >> 2);
	if (s->now >= s->deadline)
		FZ_CHECK(++s->late_sends <= s->every, "%u sends after the deadline, N = %u", s->late_sends,
			 s->every);
	switch (b & 3U) {
	case 0:
		s->last_send = 0;
		break;
	case 3:
		s->last_send = transport_error(s, IPC_T_WOULD_BLOCK);
		s->expect.transport_err = s->last_send;
		end_with(s, IPC_OUTCOME_IPC_ERROR);
		break;
	default:
		s->last_send = IPC_T_WOULD_BLOCK;
		s->spins_unread++;
		break;
	}
	return s->last_send;
}

/* Script a well-formed frame into `buf`; `miss` says how it fails to be the reply, 0: it is. */
static size_t script_frame(struct script *s, uint8_t *buf, unsigned miss)
{
	uint8_t data[IPC_DATA_MAX];
	size_t data_len = fz_u8(&s->in) % (IPC_DATA_MAX + 1);
	fz_bytes(&s->in, data, data_len);
	uint8_t st = fz_u8(&s->in);
	struct ipc_msg m = {
		.src = fz_u64(&s->in), /* informational: never identity */
		.dst = s->self_id,
		.type = IPC_TYPE_REPLY,
		.nonce = s->nonce,
		.op = s->op,
		.status = st < 0xC0 ? IPC_STATUS_OK : (uint16_t)(st & 0x3FU),
		.data = data,
		.data_len = data_len,
	};
	if (miss == 1) {
		m.nonce = s->nonce + 1U + fz_u8(&s->in);
		if (m.nonce == s->nonce || m.nonce == 0)
			m.nonce = s->nonce ^ 0x80000000U;
	} else if (miss == 2) {
		m.type = IPC_TYPE_NOTIFY;
	} else if (miss == 3) {
		m.type = IPC_TYPE_REQUEST;
		m.status = 0;
	}
	size_t len = 0;
	int rc = ipc_msg_encode(&m, buf, IPC_FRAME_MAX, &len);
	FZ_CHECK(rc == 0, "a scripted frame encodes, got %s", ipc_strerror(rc));
	return len;
}

/* The model's verdict on a received message of `len` bytes from `sender`. */
static void classify(struct script *s, const uint8_t *bytes, size_t len, uint64_t sender)
{
	struct ipc_msg m;
	if (len > IPC_FRAME_MAX || ipc_msg_decode(bytes, len, &m) != 0) {
		if (++s->dropped >= IPC_MAX_DROPPED)
			end_with(s, IPC_OUTCOME_TIMEOUT);
		return;
	}
	if (sender != s->dst || m.type != IPC_TYPE_REPLY || m.nonce != s->nonce) {
		if (++s->wrong > s->budget)
			end_with(s, IPC_OUTCOME_NONCE_BUDGET_EXCEEDED);
		return;
	}
	s->expect.status = m.status;
	if (m.status == IPC_STATUS_OK && m.data_len > s->reply_cap) {
		s->expect.status = IPC_STATUS_MALFORMED;
	} else if (m.status == IPC_STATUS_OK) {
		memcpy(s->reply, m.data, m.data_len);
		s->expect.reply_len = m.data_len;
		end_with(s, IPC_OUTCOME_SUCCESS);
		return;
	}
	end_with(s, IPC_OUTCOME_REJECTED);
}

static int t_recv_reply(void *ctx, uint8_t *buf, size_t cap, uint64_t deadline_ms, size_t *len,
			uint64_t *sender_id)
{
	struct script *s = ctx;
	FZ_CHECK(!s->ended, "a receive after the call should have ended (%s)",
		 ipc_outcome_name(s->expect.kind));
	FZ_CHECK(s->last_send == 0, "a receive only after the request was accepted");
	FZ_CHECK(deadline_ms == s->deadline, "every receive gets the call's deadline %llu, got %llu",
		 (unsigned long long)s->deadline, (unsigned long long)deadline_ms);
	s->recvs++;
	uint8_t kind = fz_u8(&s->in) & 7U;
	uint64_t at = add_sat(s->now, fz_u8(&s->in));
	if (kind == 0 || at > deadline_ms) {
		/* Nothing came in time: the transport waited until the deadline. */
		if (s->now < deadline_ms)
			s->now = deadline_ms;
		end_with(s, IPC_OUTCOME_TIMEOUT);
		return IPC_T_TIMEOUT;
	}
	s->now = at;
	if (kind == 1) {
		s->expect.transport_err = transport_error(s, IPC_T_TIMEOUT);
		end_with(s, IPC_OUTCOME_IPC_ERROR);
		return s->expect.transport_err;
	}
	uint8_t frame[FUZZ_RECV_LEN_MAX];
	size_t n;
	uint64_t sender = s->dst;
	if (kind <= 3) {
		n = script_frame(s, frame, 0);
	} else if (kind <= 5) {
		uint8_t miss = fz_u8(&s->in) & 3U;
		n = script_frame(s, frame, miss);
		if (miss == 0)
			sender = fz_u64(&s->in); /* the reply, but from someone else */
	} else {
		n = fz_u16(&s->in) % (FUZZ_RECV_LEN_MAX + 1);
		fz_bytes(&s->in, frame, n);
		if (kind == 7)
			sender = fz_u64(&s->in);
	}
	memcpy(buf, frame, n < cap ? n : cap);
	*len = n;
	*sender_id = sender;
	classify(s, frame, n, sender);
	return 0;
}

static const struct ipc_transport_ops script_ops = {
	.send = t_send,
	.recv_reply = t_recv_reply,
	.now_ms = t_now_ms,
	.yield = t_yield,
};

/* Whether the helper must refuse the call up front. */
static bool refused(const char *name, size_t name_len, const uint8_t *data, size_t data_len,
		    const uint8_t *reply, size_t reply_cap)
{
	if (name == NULL || name_len == 0 || name_len > IPC_SERVICE_NAME_MAX ||
	    memchr(name, '\0', name_len) != NULL)
		return true;
	return data_len > IPC_DATA_MAX || (data == NULL && data_len != 0) ||
	       (reply == NULL && reply_cap != 0);
}

static void check_outcome(const struct script *s, const struct ipc_outcome *out, const uint8_t *reply)
{
	FZ_CHECK(out->wrong_nonces <= s->budget + 1U, "wrong_nonces %u, budget %u", out->wrong_nonces,
		 s->budget);
	FZ_CHECK(out->dropped <= IPC_MAX_DROPPED, "dropped %u", out->dropped);
	FZ_CHECK(s->clock_reads >= 1 && s->sends >= 1, "a call reads the clock and sends");
	struct ipc_outcome want = s->expect;
	if (s->recvs == 0) {
		/* The send phase ended the call: an error, or the deadline seen while the queue was full. */
		if (!s->ended) {
			FZ_CHECK(s->last_send == IPC_T_WOULD_BLOCK && s->last_read >= s->deadline,
				 "ended while sending: last send %d, clock %llu, deadline %llu",
				 s->last_send, (unsigned long long)s->last_read,
				 (unsigned long long)s->deadline);
			want = (struct ipc_outcome){ .kind = IPC_OUTCOME_TIMEOUT };
		}
	} else {
		FZ_CHECK(s->ended, "returned %s where the model expects another receive",
			 ipc_outcome_name(out->kind));
	}
	FZ_CHECK(out->kind == want.kind && out->status == want.status &&
			 out->transport_err == want.transport_err && out->reply_len == want.reply_len &&
			 out->wrong_nonces == want.wrong_nonces && out->dropped == want.dropped,
		 "outcome %s status %u err %d len %zu wrong %u dropped %u; expected %s status %u "
		 "err %d len %zu wrong %u dropped %u",
		 ipc_outcome_name(out->kind), out->status, out->transport_err, out->reply_len,
		 out->wrong_nonces, out->dropped, ipc_outcome_name(want.kind), want.status,
		 want.transport_err, want.reply_len, want.wrong_nonces, want.dropped);
	if (out->kind == IPC_OUTCOME_SUCCESS && out->reply_len != 0)
		FZ_CHECK(memcmp(reply, s->reply, out->reply_len) == 0, "the reply's data is copied");
}

/* A heap block of exactly `n` bytes (at least one, as malloc(0) may give NULL). */
static uint8_t *block(size_t n)
{
	uint8_t *p = malloc(n != 0 ? n : 1);
	FZ_CHECK(p != NULL, "malloc(%zu)", n);
	return p;
}

/* One call, its arguments and options from the input. */
static void one_call(struct script *s, struct ipc_client *c)
{
	uint8_t flags = fz_u8(&s->in);
	char name[FUZZ_NAME_MAX];
	size_t name_len = fz_u8(&s->in) % (FUZZ_NAME_MAX + 1);
	fz_bytes(&s->in, (uint8_t *)name, name_len);
	if (flags & CALL_LETTERS) {
		for (size_t i = 0; i < name_len; i++)
			name[i] = (char)('a' + (uint8_t)name[i] % 26U);
	}
	uint16_t op = fz_u16(&s->in);
	size_t data_len = fz_u8(&s->in) % (FUZZ_DATA_MAX + 1);
	size_t reply_cap = fz_u8(&s->in) % (FUZZ_DATA_MAX + 1);
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	if (flags & CALL_OPTS) {
		uint8_t t = fz_u8(&s->in);
		opts.timeout_ms = t == 0xFF ? fz_u64(&s->in) : t;
		opts.budget.tolerated = fz_u16(&s->in);
		opts.clock_every_spins = fz_u8(&s->in);
	}
	uint8_t *data = block(data_len);
	uint8_t *reply = block(reply_cap);
	fz_bytes(&s->in, data, data_len);
	const char *service = (flags & CALL_NULL_NAME) ? NULL : name;
	const uint8_t *data_arg = (flags & CALL_NULL_DATA) ? NULL : data;
	uint8_t *reply_arg = (flags & CALL_NULL_REPLY) ? NULL : reply;

	*s = (struct script){
		.in = s->in,
		.now = s->now,
		.dst = ipc_service_id(name, name_len),
		.self_id = c->self_id,
		.nonce = c->next_nonce != 0 ? c->next_nonce : 1,
		.op = op,
		.data = data,
		.data_len = data_len,
		.reply_cap = reply_cap,
		.timeout = opts.timeout_ms,
		.budget = opts.budget.tolerated < IPC_NONCE_BUDGET_MAX ? opts.budget.tolerated
								       : IPC_NONCE_BUDGET_MAX,
		.every = opts.clock_every_spins == 0 ? 1
			 : opts.clock_every_spins < IPC_CLOCK_EVERY_SPINS_MAX ? opts.clock_every_spins
									       : IPC_CLOCK_EVERY_SPINS_MAX,
	};
	uint32_t nonce_before = c->next_nonce;
	struct ipc_outcome out = ipc_route_with_nonce_budgeted(
		c, service, name_len, op, data_arg, data_len, reply_arg, reply_cap,
		(flags & CALL_OPTS) ? &opts : NULL);
	FZ_CHECK((unsigned)out.kind < IPC_OUTCOME_COUNT, "outcome kind %d", (int)out.kind);
	if (refused(service, name_len, data_arg, data_len, reply_arg, reply_cap)) {
		FZ_CHECK(out.kind == IPC_OUTCOME_REJECTED && out.status == IPC_STATUS_MALFORMED &&
				 out.wrong_nonces == 0 && out.dropped == 0 && out.reply_len == 0,
			 "refused up front: rejected/malformed, got %s status %u",
			 ipc_outcome_name(out.kind), out.status);
		FZ_CHECK(s->clock_reads == 0 && s->sends == 0 && s->recvs == 0,
			 "no I/O for a refused call");
		FZ_CHECK(c->next_nonce == nonce_before, "a refused call uses no nonce");
	} else {
		check_outcome(s, &out, reply);
		FZ_CHECK(c->next_nonce == s->nonce + 1U, "next nonce %u after %u", c->next_nonce,
			 s->nonce);
	}
	free(data);
	free(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { .in = { data, size } };
	struct ipc_client c;
	uint64_t self_id = fz_u64(&s.in);
	ipc_client_init(&c, (struct ipc_transport){ .ops = &script_ops, .ctx = &s }, self_id);
	c.next_nonce = fz_u32(&s.in);
	s.now = fz_u64(&s.in);
	for (unsigned i = 0; i < CALLS_MAX && !fz_done(&s.in); i++)
		one_call(&s, &c);
	return 0;
}
