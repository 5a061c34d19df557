/* IPC proofs: routing through the RFC-0025 helper, queue-full retry, nonce budget, denials. */
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "proto/execd.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

static int policy_check(struct st *st, uint64_t caller, uint64_t service, uint16_t op)
{
	uint8_t q[18], a[1];
	ST_CHECK(ipc_put_u64(q, sizeof q, 0, caller) == 0 && ipc_put_u64(q, sizeof q, 8, service) == 0 &&
			 ipc_put_u16(q, sizeof q, 16, op) == 0,
		 "policy query encode");
	struct ipc_outcome o = st_call(st, NX_SVC_POLICYD, POLICYD_OP_CHECK, q, sizeof q, a, sizeof a, NULL);
	st_expect_success(&o, "policyd check");
	ST_CHECK(o.reply_len == 1, "policyd reply of %zu bytes", o.reply_len);
	return a[0];
}

/* Requests reach three services through the helper and come back right. */
static void route(struct st *st)
{
	ST_CHECK(policy_check(st, NX_SVC_APPMGRD_ID, NX_SVC_EXECD_ID, EXECD_OP_SPAWN) == 1,
		 "ipc route: policyd denies appmgrd spawn");
	ST_CHECK(policy_check(st, NX_SVC_SELFTEST_ID, NX_SVC_EXECD_ID, EXECD_OP_SPAWN) == 0,
		 "ipc route: policyd allows selftest spawn");
	uint8_t t[8];
	uint64_t now;
	const uint64_t before = nx_now_ms();
	struct ipc_outcome o = st_call(st, NX_SVC_TIMED, TIMED_OP_NOW, NULL, 0, t, sizeof t, NULL);
	st_expect_success(&o, "timed now");
	ST_CHECK(o.reply_len == 8 && ipc_get_u64(t, 8, 0, &now) == 0 && now >= before && now <= nx_now_ms(),
		 "ipc route: timed says %llu, outside [%llu, now]", (unsigned long long)now, (unsigned long long)before);
	static const char text[] = "route me";
	char back[sizeof text];
	o = st_call(st, NX_SVC_ECHO, ECHO_OP_ECHO, text, sizeof text, back, sizeof back, NULL);
	st_expect_success(&o, "echo");
	ST_CHECK(o.reply_len == sizeof text && memcmp(back, text, sizeof text) == 0, "ipc route: echo came back wrong");
	printf("SELFTEST: ipc route ok\n");
}

/* A nonce the helper's own calls do not reach in this run. */
#define FAST_NONCE 0x7F000001u
#define FAST_TIMEOUT_MS 20

/* A request frame from selftest to `dst`. */
static size_t fast_request(uint64_t dst, uint16_t op, const void *data, size_t len, uint8_t *frame)
{
	const struct ipc_msg m = {
		.src = NX_SVC_SELFTEST_ID, .dst = dst, .type = IPC_TYPE_REQUEST, .nonce = FAST_NONCE,
		.op = op, .data = data, .data_len = len,
	};
	size_t frame_len = 0;
	ST_CHECK(ipc_msg_encode(&m, frame, NX_FRAME_MAX, &frame_len) == 0, "ipc fast path: encode");
	return frame_len;
}

/* Two pages, so that a frame can lie across the boundary between them. */
#define SPAN_PAGE 4096
static uint8_t span[2 * SPAN_PAGE] __attribute__((aligned(SPAN_PAGE)));

/* One echo call through NX_SYS_CALL with the frame at `frame`: the reply comes back there,
 * from echo, and echo served exactly one request for it. */
static void echo_at(struct st *st, uint8_t *frame, const char *what)
{
	uint32_t before[5], after[5];
	st_server_stats(st, NX_SVC_ECHO, before);
	const size_t len = fast_request(NX_SVC_ECHO_ID, ECHO_OP_ECHO, what, strlen(what), frame);
	uint64_t sender = 0;
	const long n = nx_call(NX_SVC_ECHO_ID, frame, len, NX_FRAME_MAX, nx_now_ms() + 1000, &sender);
	struct ipc_msg m;
	ST_CHECK(n > 0 && ipc_msg_decode(frame, (size_t)n, &m) == 0, "ipc fast path: %s: call gave %ld", what, n);
	ST_CHECK(sender == NX_SVC_ECHO_ID && m.type == IPC_TYPE_REPLY && m.nonce == FAST_NONCE &&
			 m.status == IPC_STATUS_OK && m.data_len == strlen(what) && memcmp(m.data, what, m.data_len) == 0,
		 "ipc fast path: %s: wrong reply", what);
	st_server_stats(st, NX_SVC_ECHO, after);
	ST_CHECK(after[0] == before[0] + 1, "ipc fast path: %s: echo served %u requests for one call", what,
		 after[0] - before[0]);
}

/*
 * Frames the kernel's direct path does not take, or takes with its byte-wise copy: one that
 * is not 8-byte aligned (direct, byte by byte) and one across a page boundary (the general
 * path's copy of two pieces, and echo's reply comes back to it the same way). Each is
 * delivered once and answered right.
 */
static void slow_cases(struct st *st)
{
	echo_at(st, span + 1, "odd address");
	echo_at(st, span + SPAN_PAGE - 20, "across a page");
}

/*
 * NX_SYS_CALL, the client half of the fast path (the helper uses it for every call): its
 * refusals send nothing, a call returns the reply with the kernel-stamped sender, the
 * kernel switches straight to the waiting server, and a call that times out after its send
 * does not send again when it is restarted.
 */
static void fast_path(struct st *st)
{
	uint8_t frame[NX_FRAME_MAX];
	uint64_t sender = 0;
	struct nx_kstats before, after;
	(void)nx_kstats(&before);
	size_t len = fast_request(NX_SVC_ECHO_ID, ECHO_OP_ECHO, "fast", 4, frame);
	ST_CHECK(nx_call(NX_SVC_ECHO_ID, frame, len, NX_FRAME_MAX - 1, nx_now_ms() + 1000, &sender) == -NX_EINVAL,
		 "ipc fast path: a call with a short buffer was not refused");
	ST_CHECK(nx_call(NX_SVC_ECHO_ID, frame, 0, NX_FRAME_MAX, nx_now_ms() + 1000, &sender) == -NX_EINVAL,
		 "ipc fast path: an empty call was not refused");
	ST_CHECK(nx_call(NX_SVC_ECHO_ID ^ 1, frame, len, NX_FRAME_MAX, nx_now_ms() + 1000, &sender) == -NX_ENOENT,
		 "ipc fast path: a call to nobody was not refused");
	(void)nx_kstats(&after);
	ST_CHECK(after.ipc_sent == before.ipc_sent && sender == 0, "ipc fast path: a refused call sent something");

	long n = nx_call(NX_SVC_ECHO_ID, frame, len, NX_FRAME_MAX, nx_now_ms() + 1000, &sender);
	struct ipc_msg m;
	ST_CHECK(n > 0 && ipc_msg_decode(frame, (size_t)n, &m) == 0, "ipc fast path: call gave %ld", n);
	ST_CHECK(sender == NX_SVC_ECHO_ID && m.type == IPC_TYPE_REPLY && m.nonce == FAST_NONCE &&
			 m.status == IPC_STATUS_OK && m.data_len == 4 && memcmp(m.data, "fast", 4) == 0,
		 "ipc fast path: wrong reply");
	(void)nx_kstats(&after);
	ST_CHECK(after.handoffs > before.handoffs, "ipc fast path: no direct switch to the waiting server");

	/* liar answers `lie(0, untruthful)` with nothing: the call times out once, after one send. */
	uint32_t liar_before[5], liar_after[5];
	st_server_stats(st, NX_SVC_LIAR, liar_before);
	const uint8_t silent[5] = { 0 };
	len = fast_request(NX_SVC_LIAR_ID, LIAR_OP_LIE, silent, sizeof silent, frame);
	const uint64_t t0 = nx_now_ms();
	n = nx_call(NX_SVC_LIAR_ID, frame, len, NX_FRAME_MAX, t0 + FAST_TIMEOUT_MS, &sender);
	ST_CHECK(n == -NX_ETIMEDOUT && nx_now_ms() >= t0 + FAST_TIMEOUT_MS, "ipc fast path: silent call gave %ld", n);
	st_server_stats(st, NX_SVC_LIAR, liar_after);
	ST_CHECK(liar_after[0] == liar_before[0] + 1, "ipc fast path: liar got %u requests from one call",
		 liar_after[0] - liar_before[0]);
	slow_cases(st);
	printf("SELFTEST: ipc fast path ok\n");
}

#define PAUSE_MS 10
#define REQ_DEPTH 8
#define QUEUE_FULL_ATTEMPTS 3

/*
 * One try: echo pauses, its request queue is filled with junk, and a request then meets the
 * full queue, is retried by the helper and succeeds once echo drains the queue, within the
 * deadline. Every accepted junk frame must reach echo (counted there as malformed). Returns 1
 * when the request really met the full queue; 0 when echo's pause ended before the queue
 * was full (host jitter in the real-time lane), so the caller may try again.
 */
static int queue_full_once(struct st *st)
{
	uint32_t echo_before[5], echo_after[5];
	struct nx_kstats ks_before, ks_after;
	st_server_stats(st, NX_SVC_ECHO, echo_before);
	(void)nx_kstats(&ks_before);
	uint8_t ms[4];
	ST_CHECK(ipc_put_u32(ms, sizeof ms, 0, PAUSE_MS) == 0, "pause encode");
	struct ipc_outcome o = st_call(st, NX_SVC_ECHO, ECHO_OP_PAUSE, ms, sizeof ms, NULL, 0, NULL);
	st_expect_success(&o, "echo pause");
	/* Deliberately malformed traffic (not requests): it only fills the queue. */
	static const uint8_t junk = 0;
	unsigned filled = 0;
	while (filled < REQ_DEPTH + 1 && nx_send(NX_SVC_ECHO_ID, &junk, 1) == 0)
		filled++;
	static const char text[] = "after full";
	char back[sizeof text];
	o = st_call(st, NX_SVC_ECHO, ECHO_OP_ECHO, text, sizeof text, back, sizeof back, NULL);
	st_expect_success(&o, "ipc queue-full: echo after a full queue");
	ST_CHECK(memcmp(back, text, sizeof text) == 0, "ipc queue-full: wrong echo");
	(void)nx_kstats(&ks_after);
	st_server_stats(st, NX_SVC_ECHO, echo_after);
	ST_CHECK(echo_after[2] == echo_before[2] + filled, "ipc queue-full: echo counted %u malformed, %u were accepted",
		 echo_after[2] - echo_before[2], filled);
	/* The flood's last send and at least one of the helper's met the full queue. */
	return filled == REQ_DEPTH && ks_after.ipc_would_block >= ks_before.ipc_would_block + 2;
}

static void queue_full_retry(struct st *st)
{
	unsigned attempt = 1;
	while (!queue_full_once(st)) {
		ST_CHECK(++attempt <= QUEUE_FULL_ATTEMPTS, "ipc queue-full: the request never met a full queue in %u tries",
			 QUEUE_FULL_ATTEMPTS);
	}
	printf("SELFTEST: ipc queue-full retry ok\n");
}

static struct ipc_outcome lie(struct st *st, uint32_t wrong, uint8_t truthful, uint32_t budget)
{
	uint8_t q[5];
	ST_CHECK(ipc_put_u32(q, sizeof q, 0, wrong) == 0, "lie encode");
	q[4] = truthful;
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.budget.tolerated = budget;
	return st_call(st, NX_SVC_LIAR, LIAR_OP_LIE, q, sizeof q, NULL, 0, &opts);
}

/* liar answers with wrong nonces: up to the budget the call still succeeds, one more and
 * the caller gets nonce_budget_exceeded. (The caller's reply queue holds four replies,
 * which bounds the flood; the budget is set to three to fit it.) */
static void nonce_budget(struct st *st)
{
	struct ipc_outcome o = lie(st, 3, 1, 3);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS && o.wrong_nonces == 3, "nonce budget: 3 wrong then right gave %s (%u)",
		 ipc_outcome_name(o.kind), o.wrong_nonces);
	o = lie(st, 4, 0, 3);
	ST_CHECK(o.kind == IPC_OUTCOME_NONCE_BUDGET_EXCEEDED && o.wrong_nonces == 4,
		 "nonce budget: 4 wrong gave %s (%u)", ipc_outcome_name(o.kind), o.wrong_nonces);
	printf("SELFTEST: ipc nonce budget ok\n");
}

/* selftest holds no spawn, kill or QoS authority: execd and the kernel refuse and count. */
static void deny(struct st *st)
{
	uint32_t execd_before[5], execd_after[5];
	struct nx_kstats ks_before, ks_after;
	st_server_stats(st, NX_SVC_EXECD, execd_before);
	(void)nx_kstats(&ks_before);

	struct execd_spawn s = { .image = "fixture", .name = "intruder", .qos = NX_QOS_BG };
	uint8_t req[EXECD_SPAWN_LEN];
	ST_CHECK(execd_spawn_encode(&s, req, sizeof req) == EXECD_SPAWN_LEN, "spawn encode");
	struct ipc_outcome o = st_call(st, NX_SVC_EXECD, EXECD_OP_SPAWN, req, sizeof req, NULL, 0, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_REJECTED && o.status == IPC_STATUS_DENIED, "ipc deny: spawn via execd gave %s",
		 ipc_outcome_name(o.kind));
	uint8_t kill[EXECD_KILL_LEN] = { 0 };
	o = st_call(st, NX_SVC_EXECD, EXECD_OP_KILL, kill, sizeof kill, NULL, 0, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_REJECTED && o.status == IPC_STATUS_DENIED, "ipc deny: kill via execd gave %s",
		 ipc_outcome_name(o.kind));

	const uint32_t other = st_task(NX_SVC_TIMED);
	struct nx_task_info info;
	ST_CHECK(nx_set_qos(other, NX_QOS_BG) == -NX_EDENIED, "ipc deny: set_qos on another task allowed");
	ST_CHECK(nx_task_info(other, &info) == 0 && info.qos == NX_QOS_SYS, "ipc deny: denied set_qos changed the task");
	struct nx_spawn_args args = { .image = "fixture", .name = "intruder", .qos = NX_QOS_BG };
	ST_CHECK(nx_spawn(&args) == -NX_EDENIED, "ipc deny: spawn syscall allowed");
	ST_CHECK(nx_kill(other, NX_REASON_SIGNAL) == -NX_EDENIED, "ipc deny: kill syscall allowed");
	ST_CHECK(nx_find(NX_SVC_TIMED_ID) == other, "ipc deny: denied kill ended the task");

	st_server_stats(st, NX_SVC_EXECD, execd_after);
	(void)nx_kstats(&ks_after);
	ST_CHECK(execd_after[1] == execd_before[1] + 2, "ipc deny: execd counted %u denials, want 2",
		 execd_after[1] - execd_before[1]);
	ST_CHECK(ks_after.denied == ks_before.denied + 3, "ipc deny: kernel counted %llu denials, want 3",
		 (unsigned long long)(ks_after.denied - ks_before.denied));
	/* The FG fillers tried to raise themselves to SYS at boot (src/fixture/fixture.c; one
	 * the kernel let through exits at once). */
	ST_CHECK(nx_task_info(st_task("fill-fg-0"), &info) == 0 && info.qos == NX_QOS_FG,
		 "ipc deny: a task raised its own QoS class above its creation class");
	printf("SELFTEST: ipc deny ok\n");
}

#define ATTACH_PAUSE_MS 50
#define ATTACH_ATTEMPTS 3

/* Call echo's bulk op with the attachment staged now; its reply's attachment goes to `back`. */
static struct ipc_outcome bulk_call(struct st *st, uint8_t *back)
{
	uint8_t n[4];
	struct ipc_outcome o = st_call(st, NX_SVC_ECHO, ECHO_OP_BULK, NULL, 0, n, sizeof n, NULL);
	st_expect_success(&o, "echo bulk");
	const long got = nx_attach_take(back, NX_ATTACH_MAX);
	ST_CHECK(got == NX_ATTACH_MAX, "ipc attachment: reply attachment of %ld bytes", got);
	return o;
}

static void expect_complemented(const uint8_t *sent, const uint8_t *back, const char *what)
{
	for (size_t i = 0; i < NX_ATTACH_MAX; i++) {
		const uint8_t want = (uint8_t)(sent[i] ^ 0xFFu);
		ST_CHECK(back[i] == want, "ipc attachment: %s: byte %zu is 0x%02x, want 0x%02x", what, i, back[i], want);
	}
}

/*
 * One try at a superseded attachment: while echo pauses, a raw bulk request with attachment
 * `a` is queued, `b` is staged before echo takes it, and a call through the helper carries
 * `b`. The raw request must reach echo without an attachment (MALFORMED, a wrong nonce for
 * the helper) and the call must get `b` back. Returns 0 when echo's pause ended before the
 * raw request was queued (host jitter in the real-time lane), so the caller may try again.
 */
static int superseded_once(struct st *st, const uint8_t *a, const uint8_t *b, uint8_t *back)
{
	uint8_t ms[4], frame[NX_FRAME_MAX];
	ST_CHECK(ipc_put_u32(ms, sizeof ms, 0, ATTACH_PAUSE_MS) == 0, "pause encode");
	struct ipc_outcome o = st_call(st, NX_SVC_ECHO, ECHO_OP_PAUSE, ms, sizeof ms, NULL, 0, NULL);
	st_expect_success(&o, "echo pause");
	struct nx_kstats before, after;
	(void)nx_kstats(&before);
	const size_t len = fast_request(NX_SVC_ECHO_ID, ECHO_OP_BULK, NULL, 0, frame);
	ST_CHECK(nx_attach_stage(a, NX_ATTACH_MAX) == 0 && nx_send(NX_SVC_ECHO_ID, frame, len) == 0 &&
			 nx_attach_stage(b, NX_ATTACH_MAX) == 0,
		 "ipc attachment: stage, send, stage again");
	o = bulk_call(st, back);
	(void)nx_kstats(&after);
	if (after.attach_lost == before.attach_lost)
		return 0;
	ST_CHECK(after.attach_lost == before.attach_lost + 1 && o.wrong_nonces == 1,
		 "ipc attachment: %llu attachments lost, %u wrong nonces, want 1 and 1",
		 (unsigned long long)(after.attach_lost - before.attach_lost), o.wrong_nonces);
	expect_complemented(b, back, "superseded");
	return 1;
}

/* Bulk data rides with a request and with its reply; bounds and the take-once rule hold;
 * staging again replaces what a queued message would have carried. */
static void attachment(struct st *st)
{
	static uint8_t sent[NX_ATTACH_MAX], other[NX_ATTACH_MAX], back[NX_ATTACH_MAX];
	for (size_t i = 0; i < NX_ATTACH_MAX; i++) {
		sent[i] = (uint8_t)(i * 7 + 3);
		other[i] = (uint8_t)(i * 13 + 1);
	}
	ST_CHECK(nx_attach_stage(sent, NX_ATTACH_MAX + 1) == -NX_EINVAL, "ipc attachment: 4097 bytes not refused");
	struct nx_kstats before, after;
	(void)nx_kstats(&before);
	ST_CHECK(nx_attach_stage(sent, NX_ATTACH_MAX) == 0, "ipc attachment: 4096 bytes refused");
	(void)bulk_call(st, back);
	(void)nx_kstats(&after);
	expect_complemented(sent, back, "round trip");
	ST_CHECK(after.attach_sent - before.attach_sent == 2 && after.attach_delivered - before.attach_delivered == 2,
		 "ipc attachment: %llu sent, %llu delivered for one round trip, want 2 and 2",
		 (unsigned long long)(after.attach_sent - before.attach_sent),
		 (unsigned long long)(after.attach_delivered - before.attach_delivered));
	ST_CHECK(nx_attach_take(back, NX_ATTACH_MAX) == 0, "ipc attachment: taken twice");

	(void)nx_attach_stage(sent, NX_ATTACH_MAX);
	uint8_t n[4];
	struct ipc_outcome o = st_call(st, NX_SVC_ECHO, ECHO_OP_BULK, NULL, 0, n, sizeof n, NULL);
	st_expect_success(&o, "echo bulk");
	ST_CHECK(nx_attach_take(back, NX_ATTACH_MAX - 1) == -NX_EINVAL && nx_attach_take(back, NX_ATTACH_MAX) == NX_ATTACH_MAX,
		 "ipc attachment: a short take was not refused, or lost the attachment");

	int queued = 0;
	for (int i = 0; i < ATTACH_ATTEMPTS && !queued; i++)
		queued = superseded_once(st, sent, other, back);
	ST_CHECK(queued, "ipc attachment: echo never paused long enough in %d tries", ATTACH_ATTEMPTS);
	printf("SELFTEST: ipc attachment ok\n");
}

void st_ipc_checks(struct st *st)
{
	route(st);
	fast_path(st);
	attachment(st);
	queue_full_retry(st);
	nonce_budget(st);
	deny(st);
}
