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
#define STORM_ABILITIES 4u
#define STORM_CRASHES 5u /* the default policy blocks on the 5th crash within 60 s */

static unsigned injected;

static struct nx_exit_notice notice_of(struct st *st, const char *name)
{
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, name, nx_now_ms() + NOTICE_WAIT_MS, &n) == 0, "faults: no exit notice from %s", name);
	return n;
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
	const size_t n = ST_FAULT_TASKS + sizeof bad_pointers / sizeof bad_pointers[0];
	st_expect_ended(st, st_fault_tasks, ST_FAULT_TASKS, "faults");
	st_expect_ended(st, bad_pointers, sizeof bad_pointers / sizeof bad_pointers[0], "faults");
	injected += (unsigned)n;
	printf("selftest: faults: %zu faulting tasks ended with their causes\n", n);
}

/* flood sends as fast as sink's bounded queue takes: it meets would-block, and every
 * frame the kernel accepted arrives, once, in order. */
static void flood(struct st *st)
{
	struct nx_kstats before, after;
	ST_CHECK(nx_kstats(&before) == 0, "kstats");
	struct nx_exit_notice f = notice_of(st, "flood"), s = notice_of(st, "sink");
	ST_CHECK(nx_kstats(&after) == 0, "kstats");
	ST_CHECK(f.reason == NX_REASON_NONE && f.exit_code == FLOOD_COUNT, "faults: flood had %d of %d frames accepted",
		 (int)f.exit_code, FLOOD_COUNT);
	ST_CHECK(s.reason == NX_REASON_NONE && s.exit_code == f.exit_code,
		 "faults: sink received %d frames in order, %d were accepted (lost or repeated)", (int)s.exit_code,
		 (int)f.exit_code);
	ST_CHECK(after.ipc_would_block >= 1, "faults: the flood never met a full queue");
	injected++;
	printf("selftest: faults: flood of %d frames: all accepted frames delivered in order, queue bounded at 8\n",
	       (int)f.exit_code);
}

/* intruder tries ten acts it has no authority for: every one is refused, and the services
 * count their refusals. */
static void intruder(struct st *st)
{
	struct nx_exit_notice n = notice_of(st, "intruder");
	ST_CHECK(n.reason == NX_REASON_NONE && n.exit_code == 0, "faults: intruder got %d unauthorized acts through",
		 (int)n.exit_code);
	uint32_t execd[5], appmgrd[5];
	st_server_stats(st, NX_SVC_EXECD, execd);
	st_server_stats(st, NX_SVC_APPMGRD, appmgrd);
	ST_CHECK(execd[1] >= 2 && appmgrd[1] >= 2, "faults: denials counted by execd %u, appmgrd %u", execd[1], appmgrd[1]);
	injected += 10;
	printf("selftest: faults: 10 unauthorized acts refused (execd counted %u, appmgrd %u)\n", execd[1], appmgrd[1]);
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
	injected += 7;
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
	}
	injected += STORM_ABILITIES * STORM_CRASHES;
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
	services_alive(st);
	printf("SELFTEST: faults ok injected=%u lost=0\n", injected);
}
