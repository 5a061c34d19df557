/*
 * The fault-injection lane (profile=faults, `PROFILE=faults just test-os`). Each fault is
 * answered with a clear error and the system goes on; the lane ends with one summary marker
 * counting the faults injected and what was lost (nothing).
 */
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "proto/appmgr.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

#define NOTICE_WAIT_MS 10000
#define FLOOD_COUNT 200 /* src/fixture/fixture.c */
#define QUEUE_DEPTH 8   /* a request queue's depth: KS_REQ_DEPTH, kernel-shim/ipc.h */
#define FIXTURE_CALL_MS 10000
#define SINK_DRAIN_POLLS 1000 /* 1 ms sleeps */
#define INTRUDER_KERNEL_ACTS 6 /* spawn, kill, two set_qos, rng read, poweroff */
#define INTRUDER_EXECD_ACTS 2  /* spawn, kill */
#define INTRUDER_APPMGRD_ACTS 2 /* unblock, start */
#define STORM_ABILITIES 4u
#define STORM_CRASHES 5u /* the default policy blocks on the 5th crash within 60 s */

/* Faults injected, as observed (ended tasks, refusals counted, deaths recorded); what was
 * lost (frames accepted but not delivered, exit notices that never came). */
static unsigned injected, lost;

/* The exit notice of `name`; a missing one is counted as lost (and `*n` is zeroed). */
static int notice_of(struct st *st, const char *name, struct nx_exit_notice *n)
{
	if (st_wait_notice(st, name, nx_now_ms() + NOTICE_WAIT_MS, n) == 0)
		return 0;
	printf("selftest: faults: no exit notice from %s\n", name);
	memset(n, 0, sizeof *n);
	lost++;
	return -1;
}

/* Each task of `list` ended with its cause: counted as injected; a missing notice as lost. */
static unsigned expect_faulted(struct st *st, const struct st_fault *list, size_t count)
{
	unsigned seen = 0;
	for (size_t i = 0; i < count; i++) {
		struct nx_exit_notice n;
		if (notice_of(st, list[i].name, &n) != 0)
			continue;
		ST_CHECK(n.reason == list[i].reason && n.cause == list[i].cause,
			 "faults: %s ended with reason %u cause %u, want %u %u", list[i].name, (unsigned)n.reason,
			 (unsigned)n.cause, (unsigned)list[i].reason, (unsigned)list[i].cause);
		seen++;
	}
	return seen;
}

/* Tasks that fault in every way, and tasks that hand the kernel bad pointers, are ended
 * with the cause; the kernel and every service go on. */
static void task_faults(struct st *st)
{
	static const struct st_fault bad_pointers[] = {
		{ "badptr-recv", NX_REASON_CRASH, NX_CAUSE_BAD_POINTER },
		{ "badptr-info", NX_REASON_CRASH, NX_CAUSE_BAD_POINTER },
		{ "badptr-unmapped", NX_REASON_CRASH, NX_CAUSE_BAD_POINTER },
	};
	const unsigned n = expect_faulted(st, st_fault_tasks, ST_FAULT_TASKS) +
			   expect_faulted(st, bad_pointers, sizeof bad_pointers / sizeof bad_pointers[0]);
	injected += n;
	printf("selftest: faults: %u faulting tasks ended with their causes\n", n);
}

/* Ask the fixture `name` to act (src/fixture/fixture.c): the number it answers. */
static uint32_t fixture_act(struct st *st, const char *name)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = FIXTURE_CALL_MS;
	uint8_t r[4];
	uint32_t v = 0;
	const struct ipc_outcome o = st_call(st, name, 1, NULL, 0, r, sizeof r, &opts);
	st_expect_success(&o, name);
	ST_CHECK(o.reply_len == sizeof r && ipc_get_u32(r, sizeof r, 0, &v) == 0, "faults: %s answered %zu bytes", name,
		 o.reply_len);
	return v;
}

/* flood, asked by selftest, sends as fast as sink's bounded queue takes: it meets
 * would-block, the queue holds at most (and at some point exactly) its 8, and every frame
 * the kernel accepted arrives, once, in order. Kernel counters are compared around it. */
static void flood(struct st *st)
{
	struct nx_kstats before, after;
	struct nx_task_info sink;
	ST_CHECK(nx_kstats(&before) == 0, "kstats");
	const uint32_t accepted = fixture_act(st, "flood");
	/* sink (IDLE) drains its queue while selftest sleeps: asked while it is still full, the
	 * route helper would retry without end. Then the kernel's high-water mark of its queue. */
	for (unsigned poll = 0;; poll++) {
		ST_CHECK(nx_task_info(st_task("sink"), &sink) == 0, "faults: sink's task info");
		if (sink.state == NX_TASK_BLOCKED)
			break;
		ST_CHECK(poll < SINK_DRAIN_POLLS, "faults: sink still busy after %u ms", poll);
		(void)nx_sleep_until(nx_now_ms() + 1);
	}
	const int32_t delivered = (int32_t)fixture_act(st, "sink");
	ST_CHECK(nx_kstats(&after) == 0, "kstats");
	const uint64_t blocked = after.ipc_would_block - before.ipc_would_block;
	const uint64_t sent = after.ipc_sent - before.ipc_sent;
	ST_CHECK(accepted == FLOOD_COUNT, "faults: flood had %u of %d frames accepted", (unsigned)accepted, FLOOD_COUNT);
	ST_CHECK(sent >= accepted, "faults: the kernel accepted %llu messages, flood says %u", (unsigned long long)sent,
		 (unsigned)accepted);
	ST_CHECK(blocked >= 1, "faults: the flood never met a full queue");
	ST_CHECK(sink.req_queue_hwm == QUEUE_DEPTH, "faults: sink's queue held at most %u, its depth is %u",
		 (unsigned)sink.req_queue_hwm, QUEUE_DEPTH);
	ST_CHECK(delivered >= 0 && (uint32_t)delivered <= accepted,
		 "faults: sink received %d frames in order (-1: a gap or repeat), %u were accepted", (int)delivered,
		 (unsigned)accepted);
	lost += accepted - (uint32_t)delivered;
	struct nx_exit_notice f, s;
	if (notice_of(st, "flood", &f) == 0)
		ST_CHECK(f.reason == NX_REASON_NONE && f.exit_code == (int)accepted, "faults: flood ended with %d",
			 (int)f.exit_code);
	if (notice_of(st, "sink", &s) == 0)
		ST_CHECK(s.reason == NX_REASON_NONE && s.exit_code == delivered, "faults: sink ended with %d",
			 (int)s.exit_code);
	injected += (unsigned)blocked;
	printf("selftest: faults: flood of %u frames: %d delivered in order, %llu sends refused, queue bounded at %u\n",
	       (unsigned)accepted, (int)delivered, (unsigned long long)blocked, (unsigned)sink.req_queue_hwm);
}

/* intruder, asked by selftest, tries ten acts it has no authority for: the kernel, execd and
 * appmgrd each count exactly their refusals during its run. */
static void intruder(struct st *st)
{
	uint32_t execd0[5], appmgrd0[5], execd1[5], appmgrd1[5];
	struct nx_kstats k0, k1;
	st_server_stats(st, NX_SVC_EXECD, execd0);
	st_server_stats(st, NX_SVC_APPMGRD, appmgrd0);
	ST_CHECK(nx_kstats(&k0) == 0, "kstats");
	const uint32_t bad = fixture_act(st, "intruder");
	ST_CHECK(nx_kstats(&k1) == 0, "kstats");
	st_server_stats(st, NX_SVC_EXECD, execd1);
	st_server_stats(st, NX_SVC_APPMGRD, appmgrd1);
	const unsigned kd = (unsigned)(k1.denied - k0.denied), ed = execd1[1] - execd0[1], ad = appmgrd1[1] - appmgrd0[1];
	ST_CHECK(bad == 0, "faults: intruder got %u unauthorized acts through", (unsigned)bad);
	ST_CHECK(kd == INTRUDER_KERNEL_ACTS && ed == INTRUDER_EXECD_ACTS && ad == INTRUDER_APPMGRD_ACTS,
		 "faults: intruder's refusals counted by the kernel %u, execd %u, appmgrd %u; want %u, %u, %u", kd, ed, ad,
		 INTRUDER_KERNEL_ACTS, INTRUDER_EXECD_ACTS, INTRUDER_APPMGRD_ACTS);
	struct nx_exit_notice n;
	if (notice_of(st, "intruder", &n) == 0)
		ST_CHECK(n.reason == NX_REASON_NONE && n.exit_code == 0, "faults: intruder ended with %d", (int)n.exit_code);
	injected += kd + ed + ad;
	printf("selftest: faults: %u unauthorized acts refused (kernel counted %u, execd %u, appmgrd %u)\n", kd + ed + ad,
	       kd, ed, ad);
}

/* Frames appmgrd cannot parse are dropped and counted; a request with bad data is answered
 * MALFORMED; neither changes anything. */
static void malformed(struct st *st)
{
	uint8_t frames[5][IPC_HEADER_SIZE + IPC_BODY_SIZE];
	size_t lens[5];
	const struct ipc_msg good = { .type = IPC_TYPE_REQUEST, .nonce = 7, .op = APPMGRD_OP_STATE };
	for (unsigned i = 0; i < 5; i++)
		ST_CHECK(ipc_msg_encode(&good, frames[i], sizeof frames[i], &lens[i]) == 0, "encode");
	lens[0] = 3;                           /* shorter than a header */
	frames[1][16] = 9;                     /* unknown type */
	frames[2][18] = 1;                     /* reserved flags set */
	frames[3][20] = 99;                    /* length field disagrees with the frame */
	frames[4][16] = IPC_TYPE_REPLY;        /* a reply nobody asked for */
	uint32_t before[5], after[5];
	st_server_stats(st, NX_SVC_APPMGRD, before);
	struct appmgr_state s0, s1;
	st_am_state(st, "hello", &s0);
	for (unsigned i = 0; i < 5; i++)
		ST_CHECK(nx_send(NX_SVC_APPMGRD_ID, frames[i], lens[i]) == 0, "faults: appmgrd refused junk frame %u", i);
	ST_CHECK(st_am_call(st, APPMGRD_OP_START, "", NULL, 0, NULL) == IPC_STATUS_MALFORMED,
		 "faults: an empty ability name was not MALFORMED");
	ST_CHECK(st_am_call(st, APPMGRD_OP_STATE, "a-name-that-is-longer-than-thirty-one", NULL, 0, NULL) ==
			 IPC_STATUS_MALFORMED,
		 "faults: an over-long ability name was not MALFORMED");
	st_server_stats(st, NX_SVC_APPMGRD, after);
	st_am_state(st, "hello", &s1);
	ST_CHECK(after[2] == before[2] + 5, "faults: appmgrd counted %u malformed frames, want 5", after[2] - before[2]);
	ST_CHECK(s1.state == s0.state && s1.crash_count == s0.crash_count, "faults: malformed input changed hello");
	injected += after[2] - before[2] + 2;
	printf("selftest: faults: 5 malformed frames dropped and counted, 2 malformed requests answered MALFORMED\n");
}

/* A server replying with wrong nonces exhausts the caller's budget; the caller gets
 * nonce_budget_exceeded, and the next call works. */
static void wrong_nonces(struct st *st)
{
	uint8_t q[5] = { 1, 0, 0, 0, 0 };
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.budget.tolerated = 0;
	struct ipc_outcome o = st_call(st, NX_SVC_LIAR, LIAR_OP_LIE, q, sizeof q, NULL, 0, &opts);
	ST_CHECK(o.kind == IPC_OUTCOME_NONCE_BUDGET_EXCEEDED, "faults: a wrong nonce with budget 0 gave %s",
		 ipc_outcome_name(o.kind));
	uint8_t t[8];
	o = st_call(st, NX_SVC_TIMED, TIMED_OP_NOW, NULL, 0, t, sizeof t, NULL);
	st_expect_success(&o, "faults: the call after the liar");
	injected++;
}

/* Four abilities crash at the same instant, five times: each is throttled by its own
 * policy (delays 500, 1000, 2000, 4000 ms between its crashes), then blocked; nothing
 * restarts early and nothing runs afterwards. */
static void crash_storm(struct st *st)
{
	char name[8] = "storm-0";
	for (unsigned k = 0; k < STORM_ABILITIES; k++) {
		name[6] = (char)('0' + k);
		ST_CHECK(st_am_call(st, APPMGRD_OP_START, name, NULL, 0, NULL) == IPC_STATUS_OK, "faults: start %s", name);
	}
	static const uint64_t min_gap[STORM_CRASHES - 1] = { 500, 1000, 2000, 4000 };
	unsigned deaths = 0;
	for (unsigned k = 0; k < STORM_ABILITIES; k++) {
		struct appmgr_state s;
		struct appmgr_history h;
		name[6] = (char)('0' + k);
		st_wait_state(st, name, APPMGR_BLOCKED, STORM_CRASHES, "faults: crash storm", &s);
		st_am_history(st, name, &h);
		ST_CHECK(h.count == STORM_CRASHES, "faults: %s has %u deaths, want %u", name, h.count, STORM_CRASHES);
		for (unsigned i = 0; i + 1 < STORM_CRASHES; i++)
			ST_CHECK(h.e[i + 1].t_ms - h.e[i].t_ms >= min_gap[i], "faults: %s restarted %llu ms after crash %u, policy says %llu",
				 name, (unsigned long long)(h.e[i + 1].t_ms - h.e[i].t_ms), i + 1, (unsigned long long)min_gap[i]);
		st_wait_gone(name, "faults: crash storm");
		deaths += h.count;
	}
	injected += deaths;
	printf("selftest: faults: %u abilities crashed together %u times each, throttled by policy, then blocked\n",
	       STORM_ABILITIES, STORM_CRASHES);
}

/* After everything, every service still answers. */
static void services_alive(struct st *st)
{
	static const char *const services[] = { NX_SVC_EXECD, NX_SVC_APPMGRD, NX_SVC_RNGD, NX_SVC_TIMED,
						NX_SVC_POLICYD, NX_SVC_METRICSD, NX_SVC_ECHO, NX_SVC_LIAR };
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
		uint32_t stats[5];
		st_server_stats(st, services[i], stats);
	}
}

void st_fault_checks(struct st *st)
{
	task_faults(st);
	flood(st);
	intruder(st);
	malformed(st);
	wrong_nonces(st);
	crash_storm(st);
	st_entropy_exhaustion(st, st->rng_bytes);
	injected++;
	injected += st_service_restarts(st);
	services_alive(st);
	ST_CHECK(lost == 0, "faults: %u lost (frames accepted but not delivered, exit notices missing)", lost);
	printf("SELFTEST: faults ok injected=%u lost=%u\n", injected, lost);
}
