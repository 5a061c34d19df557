/* Kernel proofs: fault isolation, the QoS rollback invariant, timer slack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

/* Boot fixtures (manifests/system.json) and what their end must look like. */
const struct st_fault st_fault_tasks[ST_FAULT_TASKS] = {
	{ "fault-illegal", NX_REASON_CRASH, NX_CAUSE_ILLEGAL_INSN },
	{ "fault-kmem", NX_REASON_CRASH, NX_CAUSE_PAGE_FAULT },
	{ "fault-unmapped", NX_REASON_CRASH, NX_CAUSE_PAGE_FAULT },
	{ "fault-misaligned", NX_REASON_CRASH, NX_CAUSE_MISALIGNED },
	{ "fault-badsys", NX_REASON_CRASH, NX_CAUSE_BAD_SYSCALL },
	{ "fault-badptr", NX_REASON_CRASH, NX_CAUSE_BAD_POINTER },
	{ "fault-quota", NX_REASON_OOM, NX_CAUSE_QUOTA },
};

#define FAULT_WAIT_MS 10000
#define KERNEL_ADDR 0x80200000UL

void st_expect_ended(struct st *st, const struct st_fault *list, size_t count, const char *what)
{
	for (size_t i = 0; i < count; i++) {
		struct nx_exit_notice n;
		ST_CHECK(st_wait_notice(st, list[i].name, nx_now_ms() + FAULT_WAIT_MS, &n) == 0, "%s: no exit notice from %s",
			 what, list[i].name);
		ST_CHECK(n.reason == list[i].reason && n.cause == list[i].cause,
			 "%s: %s ended with reason %u cause %u, want %u %u", what, list[i].name, (unsigned)n.reason,
			 (unsigned)n.cause, (unsigned)list[i].reason, (unsigned)list[i].cause);
	}
}

static void fault_isolation(struct st *st)
{
	st_expect_ended(st, st_fault_tasks, ST_FAULT_TASKS, "fault isolation");
	/* The faulting tasks are gone and the system goes on: every service still answers. */
	ST_CHECK(nx_find(NX_SVC_EXECD_ID) >= 0 && nx_find(NX_SVC_TIMED_ID) >= 0, "a service died with the faults");
	struct nx_kstats ks;
	ST_CHECK(nx_kstats(&ks) == 0 && ks.faults >= 6, "fault count %llu", (unsigned long long)ks.faults);
	printf("SELFTEST: fault isolation ok\n");
}

static const char *const fg_members[] = { "fill-fg-0", "fill-fg-1", "fill-fg-2", "fill-fg-3", "fill-fg-4",
					  "slack-fg-2037" };
#define FG_MEMBERS (sizeof fg_members / sizeof fg_members[0])
#define FG_FILLERS (FG_MEMBERS - 1) /* the fill-fg-<k> fixtures come first */
/* Requests of the fillers (src/fixture/fixture.c): answer when run; answer and exit. */
#define FILL_OP_RAN 1
#define FILL_OP_EXIT 2
/* Nonces of those requests: apart from the route helper's, which count up from 1. */
#define FILL_NONCE 0x7f000000u
#define FILL_WAIT_MS 2000

/* Send each filler a request `op` (nonce FILL_NONCE + its index), without waiting. */
static void fillers_send(uint16_t op)
{
	for (size_t i = 0; i < FG_FILLERS; i++) {
		const struct ipc_msg m = { .type = IPC_TYPE_REQUEST, .nonce = FILL_NONCE + (uint32_t)i, .op = op };
		uint8_t frame[IPC_HEADER_SIZE + IPC_BODY_SIZE];
		size_t len;
		ST_CHECK(ipc_msg_encode(&m, frame, sizeof frame, &len) == 0, "filler request encode");
		ST_CHECK(nx_send(ipc_service_id(fg_members[i], strlen(fg_members[i])), frame, len) == 0,
			 "request to %s refused", fg_members[i]);
	}
}

/* Take the fillers' answers to the requests of fillers_send(), in the order they come:
 * `order[k]` is the index of the k-th filler to answer. */
static void fillers_answers(uint16_t op, size_t order[FG_FILLERS], const char *what)
{
	const uint64_t deadline = nx_now_ms() + FILL_WAIT_MS;
	for (size_t k = 0; k < FG_FILLERS; k++) {
		_Alignas(8) uint8_t buf[NX_FRAME_MAX];
		uint64_t sender = 0;
		struct ipc_msg m;
		const long n = nx_wait(NX_QUEUE_REPLY, buf, sizeof buf, deadline, &sender);
		ST_CHECK(n > 0 && ipc_msg_decode(buf, (size_t)n, &m) == 0, "%s: %zu of %zu fillers answered (%ld)", what, k,
			 (size_t)FG_FILLERS, n);
		const uint32_t i = m.nonce - FILL_NONCE;
		ST_CHECK(m.type == IPC_TYPE_REPLY && m.op == op && m.status == IPC_STATUS_OK && i < FG_FILLERS &&
				 sender == ipc_service_id(fg_members[i], strlen(fg_members[i])),
			 "%s: a stray answer (nonce 0x%x from 0x%llx)", what, (unsigned)m.nonce, (unsigned long long)sender);
		for (size_t j = 0; j < k; j++)
			ST_CHECK(order[j] != i, "%s: %s answered twice", what, fg_members[i]);
		order[k] = i;
	}
}

void st_fillers_release(struct st *st)
{
	size_t order[FG_FILLERS];
	fillers_send(FILL_OP_EXIT);
	fillers_answers(FILL_OP_EXIT, order, "fillers release");
	for (size_t i = 0; i < FG_FILLERS; i++) {
		struct nx_exit_notice n;
		ST_CHECK(st_wait_notice(st, fg_members[i], nx_now_ms() + FILL_WAIT_MS, &n) == 0 &&
				 n.reason == NX_REASON_NONE && n.exit_code == 0,
			 "fillers release: %s did not end as asked", fg_members[i]);
	}
}

static void members_info(struct nx_task_info info[FG_MEMBERS], const char *when)
{
	for (size_t i = 0; i < FG_MEMBERS; i++)
		ST_CHECK(nx_task_info(st_task(fg_members[i]), &info[i]) == 0 && info[i].qos == NX_QOS_FG,
			 "qos rollback: %s is not FG %s the refused move", fg_members[i], when);
}

/* Whether a member was queued at both looks and did not run between them. */
static int stayed_queued(const struct nx_task_info *before, const struct nx_task_info *after)
{
	return before->queue_pos >= 0 && after->queue_pos >= 0 && after->runs == before->runs;
}

/*
 * The refused move changed no FG member's place. With one hart free to run them (the
 * selftest's, SYS, runs on), nothing moves between the two looks and every place must be the
 * same. Another hart may run members meanwhile (seen in their state or, for one that ran and
 * is queued again, in their count of runs): then the members that stayed queued must keep
 * their order and only move up.
 */
static void expect_places_kept(const struct nx_task_info before[FG_MEMBERS], const struct nx_task_info after[FG_MEMBERS],
			       int *moved)
{
	*moved = 0;
	for (size_t i = 0; i < FG_MEMBERS; i++)
		*moved |= after[i].state != before[i].state || after[i].runs != before[i].runs;
	for (size_t i = 0; i < FG_MEMBERS; i++) {
		if (!*moved) {
			ST_CHECK(after[i].queue_pos == before[i].queue_pos, "qos rollback: %s moved from place %d to %d",
				 fg_members[i], (int)before[i].queue_pos, (int)after[i].queue_pos);
			continue;
		}
		if (!stayed_queued(&before[i], &after[i]))
			continue;
		ST_CHECK(after[i].queue_pos <= before[i].queue_pos, "qos rollback: %s moved back from place %d to %d",
			 fg_members[i], (int)before[i].queue_pos, (int)after[i].queue_pos);
		for (size_t j = 0; j < FG_MEMBERS; j++)
			ST_CHECK(!stayed_queued(&before[j], &after[j]) ||
					 (before[i].queue_pos < before[j].queue_pos) == (after[i].queue_pos < after[j].queue_pos),
				 "qos rollback: %s and %s changed order", fg_members[i], fg_members[j]);
	}
}

/* The FG class holds six tasks (the fillers and the FG sleeper). With the fillers made
 * runnable (queued behind the running selftest), a seventh is refused with FULL, and the
 * refusal leaves the mover and every FG task exactly as they were: the same places in the
 * run queue, and they then run in that order. */
static void qos_rollback(struct st *st)
{
	struct nx_task_info before[FG_MEMBERS], after[FG_MEMBERS], self;
	fillers_send(FILL_OP_RAN);
	members_info(before, "before");
	unsigned queued = 0;
	for (size_t i = 0; i < FG_MEMBERS; i++)
		queued += before[i].state == NX_TASK_QUEUED;
	ST_CHECK(st->real_clock || queued > 0, "qos rollback: no FG member is runnable");
	ST_CHECK(nx_set_qos(NX_TASK_SELF, NX_QOS_FG) == -NX_EFULL, "qos rollback: move into a full FG class was not refused");
	ST_CHECK(nx_task_info(nx_self_task, &self) == 0 && self.qos == NX_QOS_SYS && self.state == NX_TASK_RUNNING,
		 "qos rollback: the refused task changed (qos %u state %u)", (unsigned)self.qos, (unsigned)self.state);
	members_info(after, "after");
	int moved;
	expect_places_kept(before, after, &moved);
	/* They run in the order of their places: checked exactly when no other hart ran one
	 * and the harts run in turn (icount). With real concurrency (the MTTCG lane) two harts
	 * take the first two at once, and either may answer first. */
	int exact = !moved && !st->real_clock;
	for (size_t i = 0; i < FG_MEMBERS; i++)
		exact &= before[i].state != NX_TASK_RUNNING && after[i].state != NX_TASK_RUNNING;
	size_t order[FG_FILLERS];
	fillers_answers(FILL_OP_RAN, order, "qos rollback");
	size_t next = 0;
	for (size_t k = 0; k < FG_FILLERS && exact; k++) {
		if (after[order[k]].queue_pos < 0)
			continue;
		ST_CHECK(after[order[k]].queue_pos == (int32_t)next, "qos rollback: %s (place %d) ran as %zu of the queued",
			 fg_members[order[k]], (int)after[order[k]].queue_pos, next);
		next++;
	}
	/* A class with room takes the task, and it can come back. */
	ST_CHECK(nx_set_qos(NX_TASK_SELF, NX_QOS_BG) == 0 && nx_task_info(nx_self_task, &self) == 0 &&
			 self.qos == NX_QOS_BG,
		 "qos rollback: move into BG failed");
	ST_CHECK(nx_set_qos(NX_TASK_SELF, NX_QOS_SYS) == 0, "qos rollback: move back to SYS failed");
	printf("selftest: qos rollback: %u of %zu FG members queued, %s\n", queued, (size_t)FG_MEMBERS,
	       exact ? "places and run order kept" : "places kept (run order not checked: harts ran them side by side)");
	printf("SELFTEST: qos rollback ok\n");
}

static const char *const bg_sleepers[] = { "slack-bg-2037", "slack-bg-2081", "slack-bg-2123", "slack-bg-2170" };
#define SLACK_WAIT_MS 4000
#define BG_BOUNDARY_MS 2200 /* every BG deadline above rounds up to this 200 ms boundary */
#define FG_WAKE_MS 2040     /* 2037 rounded up to the FG slack of 5 ms */
/* The wake time (ms) of a sleeper fixture: its exit code is wake time minus its deadline. */
static uint64_t woke_ms(struct st *st, const char *name, uint64_t deadline)
{
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, name, deadline, &n) == 0 && n.reason == NX_REASON_NONE,
		 "timer slack: %s never woke", name);
	return strtoull(name + strlen("slack-bg-"), NULL, 10) + (uint64_t)n.exit_code;
}

/* BG sleepers with deadlines spread over 133 ms are all woken by one timer event on the
 * next 200 ms boundary; the FG sleeper wakes within its 5 ms slack. */
static void timer_slack(struct st *st)
{
	/* Under icount every wake is exact; real-time QEMU (the MTTCG lane) delivers host timers
	 * late when the host is loaded (22 ms seen), and only there is lateness allowed. */
	const uint64_t late = st->real_clock ? ST_REAL_CLOCK_LATE_MS : 0;
	const uint64_t deadline = nx_now_ms() + SLACK_WAIT_MS;
	const uint64_t first = woke_ms(st, bg_sleepers[0], deadline);
	ST_CHECK(first >= BG_BOUNDARY_MS && first <= BG_BOUNDARY_MS + late,
		 "timer slack: %s woke at %llu ms, want %u", bg_sleepers[0], (unsigned long long)first, BG_BOUNDARY_MS);
	for (size_t i = 1; i < sizeof bg_sleepers / sizeof bg_sleepers[0]; i++) {
		uint64_t at = woke_ms(st, bg_sleepers[i], deadline);
		ST_CHECK(at == first, "timer slack: %s woke at %llu ms, not with the others at %llu", bg_sleepers[i],
			 (unsigned long long)at, (unsigned long long)first);
	}
	const uint64_t fg = woke_ms(st, "slack-fg-2037", deadline);
	ST_CHECK(fg >= FG_WAKE_MS && fg <= FG_WAKE_MS + late, "timer slack: FG sleeper woke at %llu ms, want %u",
		 (unsigned long long)fg, FG_WAKE_MS);
	printf("selftest: timer slack: 4 BG sleepers (deadlines 2037..2170 ms) woke together at %llu ms, FG at %llu ms\n",
	       (unsigned long long)first, (unsigned long long)fg);
	printf("SELFTEST: timer slack ok\n");
}

void st_kernel_checks(struct st *st)
{
	fault_isolation(st);
	qos_rollback(st);
	timer_slack(st);
}
