/*
 * The route helper against a scripted fake transport: every outcome, every bound, and the
 * exact transport calls each scenario makes. The clock starts at T0, so the default deadline
 * is T0 + 2000.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"
#include "fake_transport.h"
#include "ipc/route.h"

#define T0 1000u
#define DEADLINE (T0 + IPC_DEFAULT_TIMEOUT_MS)
#define SERVICE "timed"
#define SELF_ID 0x5e1f5e1f5e1f5e1fULL
#define OP 7
#define OTHER_ID 0x0badc0de0badc0deULL

static struct fake fake;
/* Every scenario runs twice: over send + recv_reply, and over the combined call op. */
static bool use_call;
static struct ipc_client client;
static uint8_t reply[IPC_DATA_MAX];
static const uint8_t request_data[] = { 1, 2, 3, 4 };

static int setup(void **state)
{
	(void)state;
	fake_init(&fake, T0);
	fake.with_call = use_call;
	ipc_client_init(&client, fake_transport(&fake), SELF_ID);
	memset(reply, 0, sizeof(reply));
	return 0;
}

static int over_send_and_recv(void **state)
{
	(void)state;
	use_call = false;
	return 0;
}

static int over_call(void **state)
{
	(void)state;
	use_call = true;
	return 0;
}

static uint64_t service_id(void)
{
	return ipc_service_id(SERVICE, strlen(SERVICE));
}

/* One call to SERVICE with the request data, into `reply`. */
static struct ipc_outcome call(const struct ipc_route_opts *opts)
{
	return ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP, request_data,
					     sizeof(request_data), reply, sizeof(reply), opts);
}

static struct ipc_route_opts budget_of(uint32_t tolerated)
{
	struct ipc_route_opts o = IPC_ROUTE_OPTS_DEFAULT;
	o.budget.tolerated = tolerated;
	return o;
}

static void expect_no_io(void)
{
	expect_eq("sends", 0, fake.sends);
	expect_eq("receives", 0, fake.recvs);
	expect_eq("clock reads", 0, fake.now_reads);
	expect_eq("yields", 0, fake.yields);
}

static void expect_rejected_without_io(struct ipc_outcome out)
{
	expect_outcome(IPC_OUTCOME_REJECTED, out);
	expect_eq("status", IPC_STATUS_MALFORMED, out.status);
	expect_no_io();
	expect_eq("next nonce (none used)", 1, client.next_nonce);
}

static void route_succeeds_on_first_matching_reply(void **state)
{
	(void)state;
	fake_reply(&fake, T0 + 10, service_id(), 1, IPC_STATUS_OK, 12);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("status", IPC_STATUS_OK, out.status);
	expect_eq("reply_len", 12, out.reply_len);
	for (size_t i = 0; i < 12; i++)
		expect_eq("reply byte", 0xA5, reply[i]);
	expect_eq("byte after the reply", 0, reply[12]);
	expect_eq("wrong_nonces", 0, out.wrong_nonces);
	expect_eq("dropped", 0, out.dropped);
	expect_eq("sends", 1, fake.sends);
	expect_eq("receives", 1, fake.recvs);
	expect_eq("clock reads", 1, fake.now_reads);
	expect_eq("yields", 0, fake.yields);

	expect_eq("send destination", service_id(), fake.last_dst);
	struct ipc_msg req = fake_last_request(&fake);
	expect_eq("request type", IPC_TYPE_REQUEST, req.type);
	expect_eq("request nonce", 1, req.nonce);
	expect_eq("request op", OP, req.op);
	expect_eq("request status", 0, req.status);
	expect_eq("request src", SELF_ID, req.src);
	expect_eq("request dst", service_id(), req.dst);
	expect_eq("request data_len", sizeof(request_data), req.data_len);
	assert_memory_equal(req.data, request_data, sizeof(request_data));
}

static void route_retries_would_block_until_success_before_deadline(void **state)
{
	(void)state;
	const int sends[] = { IPC_T_WOULD_BLOCK, IPC_T_WOULD_BLOCK, IPC_T_WOULD_BLOCK, 0 };
	fake_sends(&fake, sends, 4);
	fake.yield_cost_ms = 100;
	fake_reply(&fake, T0 + 500, service_id(), 1, IPC_STATUS_OK, 0);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("reply_len", 0, out.reply_len);
	expect_eq("sends", 4, fake.sends);
	expect_eq("yields (one per would-block)", 3, fake.yields);
	expect_eq("receives", 1, fake.recvs);
	expect_eq("deadline given to recv", DEADLINE, fake.first_deadline);
}

static void route_times_out_when_queue_stays_full_until_deadline(void **state)
{
	(void)state;
	fake.send_then = IPC_T_WOULD_BLOCK;
	fake.yield_cost_ms = 1;
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_TIMEOUT, out);
	/* Each spin costs 1 ms and every 8th reads the clock: the read at T0 + 2000 ends it. */
	expect_eq("sends", IPC_DEFAULT_TIMEOUT_MS, fake.sends);
	expect_eq("yields", IPC_DEFAULT_TIMEOUT_MS, fake.yields);
	expect_eq("clock reads", 1 + IPC_DEFAULT_TIMEOUT_MS / IPC_DEFAULT_CLOCK_EVERY_SPINS,
		  fake.now_reads);
	expect_eq("clock when the call ended", DEADLINE, fake.now);
	expect_eq("receives", 0, fake.recvs);
}

static void route_times_out_exactly_at_deadline_when_no_reply_comes(void **state)
{
	(void)state;
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_TIMEOUT, out);
	expect_eq("receives", 1, fake.recvs);
	expect_eq("deadline given to recv", DEADLINE, fake.first_deadline);
	expect_eq("clock when the call ended", DEADLINE, fake.now);
	expect_eq("clock reads", 1, fake.now_reads);
}

static void route_does_not_take_a_reply_due_after_the_deadline(void **state)
{
	(void)state;
	fake_reply(&fake, DEADLINE + 1, service_id(), 1, IPC_STATUS_OK, 4);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_TIMEOUT, out);
	expect_eq("replies taken", 0, fake.next_delivery);
	expect_eq("clock when the call ended", DEADLINE, fake.now);
}

static void route_drops_malformed_replies_without_counting_them(void **state)
{
	(void)state;
	const uint64_t sid = service_id();
	uint8_t good[IPC_FRAME_MAX];
	size_t len = 0;
	const struct ipc_msg m = { .type = IPC_TYPE_REPLY, .nonce = 1, .data = request_data, .data_len = 4 };
	expect_err("encode", 0, ipc_msg_encode(&m, good, sizeof(good), &len));
	uint8_t bad[IPC_FRAME_MAX];

	fake_raw(&fake, T0 + 1, sid, good, IPC_HEADER_SIZE - 1); /* short */
	fake_raw(&fake, T0 + 2, sid, good, len - 1);              /* len field too long */
	memcpy(bad, good, len);
	bad[16] = 9; /* unknown type */
	fake_raw(&fake, T0 + 3, sid, bad, len);
	memcpy(bad, good, len);
	bad[18] = 1; /* reserved flags */
	fake_raw(&fake, T0 + 4, sid, bad, len);
	memcpy(bad, good, len);
	bad[20] = 4; /* body shorter than nonce/op/status */
	fake_raw(&fake, T0 + 5, sid, bad, IPC_HEADER_SIZE + 4);
	memcpy(bad, good, len);
	memset(bad + IPC_HEADER_SIZE, 0, 4); /* reply nonce 0 */
	fake_raw(&fake, T0 + 6, sid, bad, len);
	fake_reply(&fake, T0 + 7, sid, 1, IPC_STATUS_OK, 2);

	const struct ipc_route_opts none_tolerated = budget_of(0);
	struct ipc_outcome out = call(&none_tolerated);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("dropped", 6, out.dropped);
	expect_eq("wrong_nonces", 0, out.wrong_nonces);
	expect_eq("receives", 7, fake.recvs);
}

static void route_drops_a_frame_whose_reported_length_exceeds_the_buffer(void **state)
{
	(void)state;
	uint8_t good[FAKE_FRAME_CAP] = { 0 };
	size_t len = 0;
	const struct ipc_msg m = { .type = IPC_TYPE_REPLY, .nonce = 1 };
	expect_err("encode", 0, ipc_msg_encode(&m, good, sizeof(good), &len));
	fake_raw(&fake, T0, service_id(), good, sizeof(good));
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 1);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("dropped", 1, out.dropped);
}

static void route_tolerates_wrong_nonces_up_to_the_budget_then_succeeds(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < IPC_DEFAULT_NONCE_BUDGET; i++)
		fake_reply(&fake, T0 + i, service_id(), 2 + i, IPC_STATUS_OK, 1);
	fake_reply(&fake, T0 + 100, service_id(), 1, IPC_STATUS_OK, 3);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("wrong_nonces", IPC_DEFAULT_NONCE_BUDGET, out.wrong_nonces);
	expect_eq("reply_len", 3, out.reply_len);
	expect_eq("receives", IPC_DEFAULT_NONCE_BUDGET + 1, fake.recvs);
}

static void route_exceeds_budget_on_one_wrong_nonce_over_it(void **state)
{
	(void)state;
	for (uint32_t i = 0; i <= IPC_DEFAULT_NONCE_BUDGET; i++)
		fake_reply(&fake, T0 + i, service_id(), 1000 + i, IPC_STATUS_OK, 1);
	fake_reply(&fake, T0 + 100, service_id(), 1, IPC_STATUS_OK, 3);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, out);
	expect_eq("wrong_nonces", IPC_DEFAULT_NONCE_BUDGET + 1, out.wrong_nonces);
	expect_eq("receives", IPC_DEFAULT_NONCE_BUDGET + 1, fake.recvs);
	expect_eq("reply_len", 0, out.reply_len);
}

static void route_with_zero_budget_ends_at_the_first_wrong_nonce(void **state)
{
	(void)state;
	fake_reply(&fake, T0, service_id(), 2, IPC_STATUS_OK, 0);
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 0);
	const struct ipc_route_opts o = budget_of(0);
	struct ipc_outcome out = call(&o);
	expect_outcome(IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, out);
	expect_eq("wrong_nonces", 1, out.wrong_nonces);
}

/*
 * `forged` frames with the right nonce and a src field claiming to be the service, but
 * stamped by the kernel as another sender, then the reply.
 */
static void script_forged_then_reply(unsigned forged)
{
	const struct ipc_msg m = {
		.src = service_id(), .type = IPC_TYPE_REPLY, .nonce = 1, .status = IPC_STATUS_OK,
	};
	for (unsigned i = 0; i < forged; i++)
		fake_msg(&fake, T0 + i, OTHER_ID, &m);
	fake_reply(&fake, T0 + forged, service_id(), 1, IPC_STATUS_OK, 2);
}

static void route_counts_a_reply_from_another_sender_even_with_a_forged_src(void **state)
{
	(void)state;
	const struct ipc_route_opts one = budget_of(1);
	script_forged_then_reply(1);
	struct ipc_outcome out = call(&one);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("wrong_nonces", 1, out.wrong_nonces);
	expect_eq("reply_len", 2, out.reply_len);

	setup(NULL);
	script_forged_then_reply(2);
	out = call(&one);
	expect_outcome(IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, out);
	expect_eq("wrong_nonces", 2, out.wrong_nonces);
}

/* From the service itself, with the right nonce: a REQUEST and a NOTIFY, then the reply. */
static void script_request_notify_then_reply(void)
{
	const struct ipc_msg request = { .type = IPC_TYPE_REQUEST, .nonce = 1, .op = OP };
	const struct ipc_msg notify = { .type = IPC_TYPE_NOTIFY, .nonce = 1 };
	fake_msg(&fake, T0 + 1, service_id(), &request);
	fake_msg(&fake, T0 + 2, service_id(), &notify);
	fake_reply(&fake, T0 + 3, service_id(), 1, IPC_STATUS_OK, 0);
}

static void route_counts_request_and_notify_frames_from_the_service(void **state)
{
	(void)state;
	const struct ipc_route_opts two = budget_of(2);
	script_request_notify_then_reply();
	struct ipc_outcome out = call(&two);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("wrong_nonces", 2, out.wrong_nonces);

	setup(NULL);
	script_request_notify_then_reply();
	const struct ipc_route_opts one = budget_of(1);
	out = call(&one);
	expect_outcome(IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, out);
	expect_eq("wrong_nonces", 2, out.wrong_nonces);
}

static void route_rejects_an_error_status_with_that_status(void **state)
{
	(void)state;
	fake_reply(&fake, T0 + 1, service_id(), 1, IPC_STATUS_DENIED, 8);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_REJECTED, out);
	expect_eq("status", IPC_STATUS_DENIED, out.status);
	expect_eq("reply_len", 0, out.reply_len);
	expect_eq("reply buffer untouched", 0, reply[0]);

	fake_reply(&fake, T0 + 2, service_id(), 2, 0x0109, 0);
	out = call(NULL);
	expect_outcome(IPC_OUTCOME_REJECTED, out);
	expect_eq("unnamed status passed through", 0x0109, out.status);
}

static void route_rejects_bad_service_names_without_io(void **state)
{
	(void)state;
	static const char name31[] = "abcdefghijklmnopqrstuvwxyzABCDE";
	static const char name32[] = "abcdefghijklmnopqrstuvwxyzABCDEF";
	expect_eq("31-byte name: a task name at its limit", IPC_SERVICE_NAME_MAX, strlen(name31));
	const struct {
		const char *what;
		const char *name;
		size_t len;
	} bad[] = {
		{ "empty name", "", 0 },
		{ "NULL name", NULL, 5 },
		{ "32-byte name", name32, strlen(name32) },
		{ "name with a NUL inside", "ti\0med", 6 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ipc_outcome out = ipc_route_with_nonce_budgeted(
			&client, bad[i].name, bad[i].len, OP, NULL, 0, reply, sizeof(reply), NULL);
		if (out.kind != IPC_OUTCOME_REJECTED)
			fail_msg("%s: expected rejected, got %s", bad[i].what, ipc_outcome_name(out.kind));
		expect_rejected_without_io(out);
	}

	fake_reply(&fake, T0, ipc_service_id(name31, IPC_SERVICE_NAME_MAX), 1, IPC_STATUS_OK, 0);
	struct ipc_outcome out = ipc_route_with_nonce_budgeted(&client, name31, IPC_SERVICE_NAME_MAX, OP,
							       NULL, 0, reply, sizeof(reply), NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
}

static void route_rejects_oversized_request_data_without_io(void **state)
{
	(void)state;
	uint8_t big[IPC_DATA_MAX + 1] = { 0 };
	struct ipc_outcome out = ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP, big,
							       sizeof(big), reply, sizeof(reply), NULL);
	expect_rejected_without_io(out);

	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 0);
	out = ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP, big, IPC_DATA_MAX,
					    reply, sizeof(reply), NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("largest request frame", IPC_FRAME_MAX, fake.last_len);
}

static void route_rejects_null_buffers_with_a_length_without_io(void **state)
{
	(void)state;
	struct ipc_outcome out = ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP,
							       NULL, 3, reply, sizeof(reply), NULL);
	expect_rejected_without_io(out);
	out = ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP, request_data,
					    sizeof(request_data), NULL, 5, NULL);
	expect_rejected_without_io(out);
}

static void route_rejects_reply_data_larger_than_reply_cap(void **state)
{
	(void)state;
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 10);
	uint8_t small[10];
	memset(small, 0xee, sizeof(small));
	struct ipc_outcome out = ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP,
							       NULL, 0, small, 9, NULL);
	expect_outcome(IPC_OUTCOME_REJECTED, out);
	expect_eq("status", IPC_STATUS_MALFORMED, out.status);
	expect_eq("reply_len", 0, out.reply_len);
	for (size_t i = 0; i < sizeof(small); i++)
		expect_eq("reply buffer untouched", 0xee, small[i]);

	fake_reply(&fake, T0, service_id(), 2, IPC_STATUS_OK, 10);
	out = ipc_route_with_nonce_budgeted(&client, SERVICE, strlen(SERVICE), OP, NULL, 0, small,
					    sizeof(small), NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("reply_len at exactly reply_cap", sizeof(small), out.reply_len);
}

static void route_uses_the_next_nonce_per_call_and_refusals_use_none(void **state)
{
	(void)state;
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 0);
	expect_outcome(IPC_OUTCOME_SUCCESS, call(NULL));
	expect_eq("first nonce", 1, fake_last_request(&fake).nonce);
	struct ipc_outcome out = ipc_route_with_nonce_budgeted(&client, "", 0, OP, NULL, 0, NULL, 0, NULL);
	expect_outcome(IPC_OUTCOME_REJECTED, out);
	fake_reply(&fake, T0, service_id(), 2, IPC_STATUS_OK, 0);
	expect_outcome(IPC_OUTCOME_SUCCESS, call(NULL));
	expect_eq("second nonce", 2, fake_last_request(&fake).nonce);
	/* A timed-out call used its nonce: a late reply to it cannot match the next call. */
	expect_outcome(IPC_OUTCOME_TIMEOUT, call(NULL));
	expect_eq("third nonce", 3, fake_last_request(&fake).nonce);
	expect_eq("next nonce", 4, client.next_nonce);
}

static void route_skips_nonce_zero_on_wraparound(void **state)
{
	(void)state;
	client.next_nonce = UINT32_MAX;
	fake_reply(&fake, T0, service_id(), UINT32_MAX, IPC_STATUS_OK, 0);
	expect_outcome(IPC_OUTCOME_SUCCESS, call(NULL));
	expect_eq("last nonce before wrap", UINT32_MAX, fake_last_request(&fake).nonce);
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 0);
	expect_outcome(IPC_OUTCOME_SUCCESS, call(NULL));
	expect_eq("nonce after wrap", 1, fake_last_request(&fake).nonce);
	expect_eq("next nonce", 2, client.next_nonce);
}

static void route_reports_a_send_error_without_retrying(void **state)
{
	(void)state;
	fake.send_then = IPC_T_NO_PEER;
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_IPC_ERROR, out);
	expect_eq("transport_err", (unsigned)IPC_T_NO_PEER, (unsigned)out.transport_err);
	expect_eq("sends", 1, fake.sends);
	expect_eq("yields", 0, fake.yields);
	expect_eq("receives", 0, fake.recvs);

	/* A send that answers "timeout" is a transport error too: only would-block is retried.
	 * (A call op's timeout means "sent, no reply", the previous scenarios.) */
	if (use_call)
		return;
	setup(NULL);
	fake.send_then = IPC_T_TIMEOUT;
	out = call(NULL);
	expect_outcome(IPC_OUTCOME_IPC_ERROR, out);
	expect_eq("transport_err", (unsigned)IPC_T_TIMEOUT, (unsigned)out.transport_err);
	expect_eq("sends", 1, fake.sends);
}

static void route_reports_a_receive_error_as_ipc_error(void **state)
{
	(void)state;
	fake_reply(&fake, T0 + 1, service_id(), 9, IPC_STATUS_OK, 0);
	fake_recv_error(&fake, T0 + 2, IPC_T_FAILED);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_IPC_ERROR, out);
	expect_eq("transport_err", (unsigned)IPC_T_FAILED, (unsigned)out.transport_err);
	expect_eq("wrong_nonces before the error", 1, out.wrong_nonces);
	expect_eq("receives", 2, fake.recvs);
}

static void route_reads_the_clock_at_most_once_per_n_spins(void **state)
{
	(void)state;
	static const struct {
		uint32_t given, used;
	} cases[] = { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 8, 8 }, { 64, 64 }, { 0, 1 }, { 1000, 64 } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(NULL);
		fake.send_then = IPC_T_WOULD_BLOCK;
		fake.yield_cost_ms = 1;
		struct ipc_route_opts o = IPC_ROUTE_OPTS_DEFAULT;
		o.timeout_ms = 100;
		o.clock_every_spins = cases[i].given;
		expect_outcome(IPC_OUTCOME_TIMEOUT, call(&o));
		unsigned bound = 1 + fake.sends / cases[i].used;
		if (fake.now_reads > bound)
			fail_msg("N=%u: expected at most %u clock reads for %u spins, got %u",
				 cases[i].given, bound, fake.sends, fake.now_reads);
		/* It still notices the deadline within one round of N spins. */
		if (fake.now >= T0 + 100 + cases[i].used)
			fail_msg("N=%u: expected to stop before %u, stopped at %llu", cases[i].given,
				 T0 + 100 + cases[i].used, (unsigned long long)fake.now);
	}
}

static void route_passes_the_same_deadline_to_every_receive(void **state)
{
	(void)state;
	const int sends[] = { IPC_T_WOULD_BLOCK, IPC_T_WOULD_BLOCK, IPC_T_WOULD_BLOCK, 0 };
	fake_sends(&fake, sends, 4);
	fake.send_cost_ms = 3;
	fake.yield_cost_ms = 50;
	fake.now_cost_ms = 7;
	uint8_t junk[4] = { 0 };
	fake_raw(&fake, T0 + 300, service_id(), junk, sizeof(junk));
	fake_reply(&fake, T0 + 600, service_id(), 5, IPC_STATUS_OK, 0);
	fake_reply(&fake, T0 + 900, OTHER_ID, 1, IPC_STATUS_OK, 0);
	fake_reply(&fake, DEADLINE, service_id(), 1, IPC_STATUS_OK, 0);
	const struct ipc_route_opts every_spin = { .timeout_ms = IPC_DEFAULT_TIMEOUT_MS,
						   .budget = { 2 }, .clock_every_spins = 1 };
	struct ipc_outcome out = call(&every_spin);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("receives", 4, fake.recvs);
	expect_eq("first deadline", DEADLINE, fake.first_deadline);
	expect_eq("latest deadline", DEADLINE, fake.max_deadline);
	expect_eq("deadlines all equal", 0, fake.deadlines_differ);
}

static void route_saturates_the_deadline_at_the_end_of_the_clock(void **state)
{
	(void)state;
	fake.now = UINT64_MAX - 5;
	expect_outcome(IPC_OUTCOME_TIMEOUT, call(NULL));
	expect_eq("deadline", UINT64_MAX, fake.first_deadline);
}

static void route_with_zero_timeout_sends_once_and_takes_only_a_reply_already_there(void **state)
{
	(void)state;
	struct ipc_route_opts o = IPC_ROUTE_OPTS_DEFAULT;
	o.timeout_ms = 0;
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 0);
	fake_reply(&fake, T0 + 1, service_id(), 2, IPC_STATUS_OK, 0);
	expect_outcome(IPC_OUTCOME_SUCCESS, call(&o));
	expect_eq("deadline", T0, fake.first_deadline);
	expect_outcome(IPC_OUTCOME_TIMEOUT, call(&o));
	expect_eq("sends", 2, fake.sends);
}

static void route_gives_up_on_a_malformed_flood_with_a_stuck_clock(void **state)
{
	(void)state;
	uint8_t junk[3] = { 0 };
	fake_raw(&fake, 0, service_id(), junk, sizeof(junk));
	fake.repeat_last = true;
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_TIMEOUT, out);
	expect_eq("dropped", IPC_MAX_DROPPED, out.dropped);
	expect_eq("receives", IPC_MAX_DROPPED, fake.recvs);
	expect_eq("clock (never advanced)", T0, fake.now);
}

static void route_ends_a_wrong_nonce_flood_at_the_budget_with_a_stuck_clock(void **state)
{
	(void)state;
	fake_reply(&fake, 0, service_id(), 99, IPC_STATUS_OK, 0);
	fake.repeat_last = true;
	const struct ipc_route_opts huge = budget_of(UINT32_MAX);
	struct ipc_outcome out = call(&huge);
	expect_outcome(IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, out);
	expect_eq("wrong_nonces (budget clamped)", IPC_NONCE_BUDGET_MAX + 1, out.wrong_nonces);
	expect_eq("receives", IPC_NONCE_BUDGET_MAX + 1, fake.recvs);
}

static void route_works_without_a_yield_op(void **state)
{
	(void)state;
	fake.no_yield = true;
	ipc_client_init(&client, fake_transport(&fake), SELF_ID);
	const int sends[] = { IPC_T_WOULD_BLOCK, IPC_T_WOULD_BLOCK, 0 };
	fake_sends(&fake, sends, 3);
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 0);
	expect_outcome(IPC_OUTCOME_SUCCESS, call(NULL));
	expect_eq("sends", 3, fake.sends);
	expect_eq("yields", 0, fake.yields);
}

/* With a call op the request and the first receive are one transport call; without one,
 * the helper never calls it. Later receives use recv_reply either way. */
static void route_sends_and_takes_the_first_reply_in_one_call_when_the_transport_has_one(void **state)
{
	(void)state;
	const int sends[] = { IPC_T_WOULD_BLOCK, 0 };
	fake_sends(&fake, sends, 2);
	fake_reply(&fake, T0, service_id(), 77, IPC_STATUS_OK, 0);
	fake_reply(&fake, T0, service_id(), 1, IPC_STATUS_OK, 3);
	struct ipc_outcome out = call(NULL);
	expect_outcome(IPC_OUTCOME_SUCCESS, out);
	expect_eq("wrong_nonces", 1, out.wrong_nonces);
	expect_eq("sends", 2, fake.sends);
	expect_eq("receives", 2, fake.recvs);
	expect_eq("calls (one per send attempt, or none)", use_call ? 2 : 0, fake.calls);
}

static void every_outcome_kind_has_its_contract_name(void **state)
{
	(void)state;
	assert_string_equal(ipc_outcome_name(IPC_OUTCOME_SUCCESS), "success");
	assert_string_equal(ipc_outcome_name(IPC_OUTCOME_TIMEOUT), "timeout");
	assert_string_equal(ipc_outcome_name(IPC_OUTCOME_NONCE_BUDGET_EXCEEDED), "nonce_budget_exceeded");
	assert_string_equal(ipc_outcome_name(IPC_OUTCOME_REJECTED), "rejected");
	assert_string_equal(ipc_outcome_name(IPC_OUTCOME_IPC_ERROR), "ipc_error");
	assert_string_equal(ipc_outcome_name(IPC_OUTCOME_COUNT), "unknown outcome");
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(route_succeeds_on_first_matching_reply),
		TEST(route_retries_would_block_until_success_before_deadline),
		TEST(route_times_out_when_queue_stays_full_until_deadline),
		TEST(route_times_out_exactly_at_deadline_when_no_reply_comes),
		TEST(route_does_not_take_a_reply_due_after_the_deadline),
		TEST(route_drops_malformed_replies_without_counting_them),
		TEST(route_drops_a_frame_whose_reported_length_exceeds_the_buffer),
		TEST(route_tolerates_wrong_nonces_up_to_the_budget_then_succeeds),
		TEST(route_exceeds_budget_on_one_wrong_nonce_over_it),
		TEST(route_with_zero_budget_ends_at_the_first_wrong_nonce),
		TEST(route_counts_a_reply_from_another_sender_even_with_a_forged_src),
		TEST(route_counts_request_and_notify_frames_from_the_service),
		TEST(route_rejects_an_error_status_with_that_status),
		TEST(route_rejects_bad_service_names_without_io),
		TEST(route_rejects_oversized_request_data_without_io),
		TEST(route_rejects_null_buffers_with_a_length_without_io),
		TEST(route_rejects_reply_data_larger_than_reply_cap),
		TEST(route_uses_the_next_nonce_per_call_and_refusals_use_none),
		TEST(route_skips_nonce_zero_on_wraparound),
		TEST(route_reports_a_send_error_without_retrying),
		TEST(route_reports_a_receive_error_as_ipc_error),
		TEST(route_reads_the_clock_at_most_once_per_n_spins),
		TEST(route_passes_the_same_deadline_to_every_receive),
		TEST(route_saturates_the_deadline_at_the_end_of_the_clock),
		TEST(route_with_zero_timeout_sends_once_and_takes_only_a_reply_already_there),
		TEST(route_gives_up_on_a_malformed_flood_with_a_stuck_clock),
		TEST(route_ends_a_wrong_nonce_flood_at_the_budget_with_a_stuck_clock),
		TEST(route_works_without_a_yield_op),
		TEST(route_sends_and_takes_the_first_reply_in_one_call_when_the_transport_has_one),
		TEST(every_outcome_kind_has_its_contract_name),
	};
	int failed = cmocka_run_group_tests_name("route over send and recv_reply", tests, over_send_and_recv, NULL);
	return failed + cmocka_run_group_tests_name("route over the combined call", tests, over_call, NULL);
}
