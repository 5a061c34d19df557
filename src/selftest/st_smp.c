/*
 * What only more harts can show (profile faults): tasks of one QoS class run on several harts
 * at the same moment, and QoS moves keep the class bookkeeping exact while other harts are
 * scheduling.
 *
 * smp-spin-0..2 (src/fixture/fixture.c, BG) wait for selftest's request, answer it and then
 * run CPU-bound for 40 ms of guest time. The kernel counts, per hart and class, the switches
 * into a task of that class (nx_kstats.qos_runs) and the switches into a task of a class while
 * another hart runs one of the same class (nx_kstats.qos_parallel); both are compared as
 * deltas around the spinners' run. With one hart the same counters must show one hart and no
 * parallel run. Under icount QEMU runs the harts in turn on one host thread, and the proof
 * holds there too since the BKL is passed to a sleeping waiter (sched.c): before, harts 1-3
 * never got the lock while work was queued.
 */
#include <stdio.h>
#include <string.h>

#include "ipc/route.h"
#include "st.h"
#include "ulib/sys.h"

#define SPINNERS 3
#define SMP_ROUNDS 8
#define SMP_TIMEOUT_MS 5000

static const char *const spinners[SPINNERS] = { "smp-spin-0", "smp-spin-1", "smp-spin-2" };

static uint64_t delta(uint64_t after, uint64_t before)
{
	return after >= before ? after - before : 0;
}

/* Harts whose switches into class `qos` grew between `b` and `a`. */
static unsigned harts_with_runs(const struct nx_kstats *b, const struct nx_kstats *a, unsigned qos)
{
	unsigned n = 0;
	for (unsigned h = 0; h < NX_MAX_HARTS; h++)
		n += delta(a->qos_runs[h][qos], b->qos_runs[h][qos]) > 0;
	return n;
}

/* Each spinner is still a BG task (running, queued or on a hart: any state but ended). */
static void spinners_stay_bg(const char *when)
{
	for (size_t i = 0; i < SPINNERS; i++) {
		struct nx_task_info info;
		const long id = nx_find(ipc_service_id(spinners[i], strlen(spinners[i])));
		if (id < 0)
			continue; /* already done: its exit notice is checked below */
		ST_CHECK(nx_task_info((uint32_t)id, &info) != 0 || info.qos == NX_QOS_BG,
			 "smp qos rollback: %s is in class %u %s", spinners[i], (unsigned)info.qos, when);
	}
}

/* While the spinners run on the other harts: a refused move changes nothing, and moves that
 * are allowed land and come back. Returns the context switches the kernel made meanwhile. */
static uint64_t qos_moves_under_load(void)
{
	struct nx_kstats before, after;
	struct nx_task_info self;
	ST_CHECK(nx_kstats(&before) == 0, "smp qos rollback: kstats");
	for (unsigned r = 0; r < SMP_ROUNDS; r++) {
		ST_CHECK(nx_set_qos(NX_TASK_SELF, NX_QOS_COUNT) == -NX_EINVAL,
			 "smp qos rollback: a move into class %u was not refused", (unsigned)NX_QOS_COUNT);
		ST_CHECK(nx_task_info(nx_self_task, &self) == 0 && self.qos == NX_QOS_SYS && self.state == NX_TASK_RUNNING,
			 "smp qos rollback: the refused task changed (qos %u state %u)", (unsigned)self.qos,
			 (unsigned)self.state);
		spinners_stay_bg("after a refused move");
		ST_CHECK(nx_set_qos(NX_TASK_SELF, NX_QOS_BG) == 0 && nx_task_info(nx_self_task, &self) == 0 &&
				 self.qos == NX_QOS_BG,
			 "smp qos rollback: round %u: move into BG failed", r);
		ST_CHECK(nx_set_qos(NX_TASK_SELF, NX_QOS_SYS) == 0 && nx_task_info(nx_self_task, &self) == 0 &&
				 self.qos == NX_QOS_SYS,
			 "smp qos rollback: round %u: move back to SYS failed", r);
		spinners_stay_bg("after a move of another task");
		(void)nx_sleep_until(nx_now_ms() + 1);
	}
	ST_CHECK(nx_kstats(&after) == 0, "smp qos rollback: kstats");
	return delta(after.context_switches, before.context_switches);
}

void st_smp_checks(struct st *st)
{
	struct nx_kstats before, after;
	ST_CHECK(nx_kstats(&before) == 0, "smp: kstats");
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = SMP_TIMEOUT_MS;
	for (size_t i = 0; i < SPINNERS; i++) {
		const struct ipc_outcome o = st_call(st, spinners[i], 1, NULL, 0, NULL, 0, &opts);
		st_expect_success(&o, spinners[i]);
	}
	const uint64_t switches = qos_moves_under_load();
	for (size_t i = 0; i < SPINNERS; i++) {
		struct nx_exit_notice n;
		ST_CHECK(st_wait_notice(st, spinners[i], nx_now_ms() + SMP_TIMEOUT_MS, &n) == 0, "smp: %s never ended",
			 spinners[i]);
		ST_CHECK(n.reason == NX_REASON_NONE && n.exit_code == 0, "smp: %s ended with reason %u code %d", spinners[i],
			 (unsigned)n.reason, (int)n.exit_code);
	}
	ST_CHECK(nx_kstats(&after) == 0, "smp: kstats");
	const unsigned harts = (unsigned)after.harts_online;
	const unsigned bg_harts = harts_with_runs(&before, &after, NX_QOS_BG);
	const uint64_t parallel = delta(after.qos_parallel[NX_QOS_BG], before.qos_parallel[NX_QOS_BG]);
	for (unsigned h = 0; h < harts && h < NX_MAX_HARTS; h++) {
		uint64_t since_boot = 0;
		for (unsigned c = 0; c < NX_QOS_COUNT; c++)
			since_boot += after.qos_runs[h][c];
		printf("selftest: smp: hart %u switches into sys=%llu fg=%llu bg=%llu idle=%llu (since boot %llu)\n", h,
		       (unsigned long long)delta(after.qos_runs[h][NX_QOS_SYS], before.qos_runs[h][NX_QOS_SYS]),
		       (unsigned long long)delta(after.qos_runs[h][NX_QOS_FG], before.qos_runs[h][NX_QOS_FG]),
		       (unsigned long long)delta(after.qos_runs[h][NX_QOS_BG], before.qos_runs[h][NX_QOS_BG]),
		       (unsigned long long)delta(after.qos_runs[h][NX_QOS_IDLE], before.qos_runs[h][NX_QOS_IDLE]),
		       (unsigned long long)since_boot);
	}
	ST_CHECK(switches > 0, "smp qos rollback: no context switch while the moves ran");
	printf("SELFTEST: smp qos rollback ok rounds=%u switches=%llu\n", (unsigned)SMP_ROUNDS,
	       (unsigned long long)switches);
	if (harts >= 2)
		ST_CHECK(bg_harts >= 2 && parallel > 0,
			 "smp parallel: %u spinners on %u harts: BG ran on %u harts, %llu parallel switches", SPINNERS, harts,
			 bg_harts, (unsigned long long)parallel);
	else
		ST_CHECK(harts == 1 && bg_harts == 1 && parallel == 0,
			 "smp parallel: %u harts, BG ran on %u, %llu parallel switches claimed", harts, bg_harts,
			 (unsigned long long)parallel);
	printf("SELFTEST: smp parallel ok harts=%u bg_harts=%u parallel=%llu\n", harts, bg_harts,
	       (unsigned long long)parallel);
}
