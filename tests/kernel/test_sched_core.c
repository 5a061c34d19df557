/* Scheduler core: class limits, priority order and the set_qos rollback invariant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nx/abi.h"
#include "sched_core.h"

/*
 * The scheduler with bytes right after it. An index one past an array of the scheduler's reads
 * or writes inside the scheduler or in `after`, never outside this object; the bytes there
 * are set to a state so that such a read would let a refused call through, and every refusal
 * below is checked to leave all of it (scheduler and `after`) byte for byte as it was.
 */
static struct {
	struct ks_sched_core core;
	uint8_t after[8];
} g;
_Static_assert(offsetof(struct ks_sched_core, state) + KS_MAX_TASKS == sizeof(struct ks_sched_core),
	       "state[] ends the scheduler: state[KS_MAX_TASKS] is after[0]");

static struct ks_sched_core *const s = &g.core;

static const struct ks_qos_limits test_limits = { .limit = { 8, 2, 3, 1 } };

static int setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof g);
	return ks_sched_core_init(s, &test_limits);
}

static void admit_runnable(unsigned task, unsigned qos)
{
	assert_int_equal(ks_sched_core_admit(s, task, qos), 0);
	assert_int_equal(ks_sched_core_wake(s, task), 0);
}

static void init_rejects_zero_limit(void **state)
{
	(void)state;
	struct ks_sched_core other;
	const struct ks_qos_limits limits = { .limit = { 8, 0, 3, 1 } };
	assert_int_equal(ks_sched_core_init(&other, &limits), -NX_EINVAL);
}

static void pick_takes_highest_class_first_then_fifo(void **state)
{
	(void)state;
	admit_runnable(5, NX_QOS_BG);
	admit_runnable(6, NX_QOS_FG);
	admit_runnable(7, NX_QOS_BG);
	admit_runnable(1, NX_QOS_SYS);
	const unsigned want[] = { 1, 6, 5, 7 };
	for (unsigned i = 0; i < 4; i++) {
		unsigned t;
		assert_int_equal(ks_sched_core_pick(s, &t), 0);
		assert_int_equal(t, want[i]);
		assert_int_equal(ks_sched_core_state(s, t), KS_SCHED_RUNNING);
	}
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), -NX_EEMPTY);
}

static void admit_beyond_class_limit_is_full(void **state)
{
	(void)state;
	assert_int_equal(ks_sched_core_admit(s, 2, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_admit(s, 3, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_admit(s, 4, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_state(s, 4), KS_SCHED_NONE);
}

/* The invariant from the issue: a refused move leaves class, position and runnability. */
static void set_qos_into_full_class_leaves_task_exactly_as_before(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	admit_runnable(10, NX_QOS_BG);
	admit_runnable(11, NX_QOS_BG);
	admit_runnable(12, NX_QOS_BG);
	assert_int_equal(ks_sched_core_position(s, 11), 1);

	assert_int_equal(ks_sched_core_set_qos(s, 11, NX_QOS_FG), -NX_EFULL);

	assert_int_equal(ks_sched_core_qos(s, 11), NX_QOS_BG);
	assert_int_equal(ks_sched_core_state(s, 11), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_position(s, 10), 0);
	assert_int_equal(ks_sched_core_position(s, 11), 1);
	assert_int_equal(ks_sched_core_position(s, 12), 2);
	/* The run order is untouched too. */
	const unsigned want[] = { 2, 3, 10, 11, 12 };
	for (unsigned i = 0; i < 5; i++) {
		unsigned t;
		assert_int_equal(ks_sched_core_pick(s, &t), 0);
		assert_int_equal(t, want[i]);
	}
}

static void set_qos_full_for_running_and_blocked_tasks_changes_nothing(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	admit_runnable(10, NX_QOS_BG);
	assert_int_equal(ks_sched_core_admit(s, 11, NX_QOS_BG), 0); /* blocked */
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, 10);

	assert_int_equal(ks_sched_core_set_qos(s, 10, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_state(s, 10), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_qos(s, 10), NX_QOS_BG);
	assert_int_equal(ks_sched_core_set_qos(s, 11, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_state(s, 11), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_qos(s, 11), NX_QOS_BG);
}

static void set_qos_moves_queued_task_to_tail_of_new_class(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(10, NX_QOS_BG);
	admit_runnable(11, NX_QOS_BG);
	assert_int_equal(ks_sched_core_set_qos(s, 10, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_qos(s, 10), NX_QOS_FG);
	assert_int_equal(ks_sched_core_position(s, 2), 0);
	assert_int_equal(ks_sched_core_position(s, 10), 1);
	assert_int_equal(ks_sched_core_position(s, 11), 0);
	/* The freed BG place is usable again; the FG class is now full. */
	assert_int_equal(ks_sched_core_set_qos(s, 11, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_admit(s, 12, NX_QOS_BG), 0);
}

static void set_qos_to_same_class_is_a_no_op(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	assert_int_equal(ks_sched_core_set_qos(s, 2, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_position(s, 2), 0);
}

static void set_qos_rejects_unknown_task_and_class(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	assert_int_equal(ks_sched_core_set_qos(s, 9, NX_QOS_BG), -NX_EINVAL);
	assert_int_equal(ks_sched_core_set_qos(s, KS_MAX_TASKS, NX_QOS_BG), -NX_EINVAL);
	assert_int_equal(ks_sched_core_set_qos(s, 2, NX_QOS_COUNT), -NX_EINVAL);
	assert_int_equal(ks_sched_core_qos(s, 2), NX_QOS_FG);
}

static void remove_frees_the_class_place_and_queue_slot(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	ks_sched_core_remove(s, 2);
	assert_int_equal(ks_sched_core_state(s, 2), KS_SCHED_NONE);
	assert_int_equal(ks_sched_core_position(s, 3), 0);
	admit_runnable(4, NX_QOS_FG);
	assert_int_equal(ks_sched_core_position(s, 4), 1);
}

static void preempt_requeues_at_tail(void **state)
{
	(void)state;
	admit_runnable(10, NX_QOS_BG);
	admit_runnable(11, NX_QOS_BG);
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, 10);
	assert_int_equal(ks_sched_core_preempt(s, 10), 0);
	assert_int_equal(ks_sched_core_position(s, 11), 0);
	assert_int_equal(ks_sched_core_position(s, 10), 1);
	assert_int_equal(ks_sched_core_best_queued(s), NX_QOS_BG);
}

/* The IPC fast path's direct switch: a blocked task runs at once, bypassing the queue, and
 * nothing else moves; a task that is not blocked is refused and left as it was. */
static void run_starts_a_blocked_task_without_touching_the_queues(void **state)
{
	(void)state;
	admit_runnable(1, NX_QOS_SYS);
	assert_int_equal(ks_sched_core_admit(s, 2, NX_QOS_SYS), 0);
	assert_int_equal(ks_sched_core_state(s, 2), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_run(s, 2), 0);
	assert_int_equal(ks_sched_core_state(s, 2), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_position(s, 1), 0);
	assert_int_equal(ks_sched_core_position(s, 2), -NX_ENOENT);

	assert_int_equal(ks_sched_core_run(s, 2), -NX_EINVAL);
	assert_int_equal(ks_sched_core_run(s, 1), -NX_EINVAL);
	assert_int_equal(ks_sched_core_state(s, 1), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_run(s, 9), -NX_EINVAL);
	assert_int_equal(ks_sched_core_run(s, KS_MAX_TASKS), -NX_EINVAL);
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, 1);
	assert_int_equal(ks_sched_core_pick(s, &t), -NX_EEMPTY);
}

/* The IPC fast path's switch: the running task blocks, the blocked one runs, and no queue or
 * other task moves. */
static void handoff_blocks_the_running_task_and_runs_the_blocked_one_without_the_queues(void **state)
{
	(void)state;
	admit_runnable(1, NX_QOS_SYS);
	admit_runnable(3, NX_QOS_FG);
	assert_int_equal(ks_sched_core_admit(s, 2, NX_QOS_FG), 0);
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, 1);
	ks_sched_core_handoff(s, 1, 2);
	assert_int_equal(ks_sched_core_state(s, 1), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_state(s, 2), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_state(s, 3), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_position(s, 3), 0);
	assert_int_equal(ks_sched_core_qos(s, 1), NX_QOS_SYS);
	assert_int_equal(ks_sched_core_qos(s, 2), NX_QOS_FG);
	/* And back, as a reply does. */
	ks_sched_core_handoff(s, 2, 1);
	assert_int_equal(ks_sched_core_state(s, 1), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_state(s, 2), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, 3);
	assert_int_equal(ks_sched_core_pick(s, &t), -NX_EEMPTY);
}

/* ---- bounds: each at exactly the bound and one past it ----------------------------------- */

static uint8_t before[sizeof g];

static void snapshot(void)
{
	memcpy(before, &g, sizeof g);
}

static void assert_unchanged(void)
{
	assert_memory_equal(&g, before, sizeof g);
}

/* Put `task` (class `qos`) in state `st`; KS_SCHED_NONE leaves it unknown. */
static void put_in_state(unsigned task, unsigned qos, enum ks_sched_state st)
{
	if (st == KS_SCHED_NONE)
		return;
	assert_int_equal(ks_sched_core_admit(s, task, qos), 0);
	if (st == KS_SCHED_QUEUED)
		assert_int_equal(ks_sched_core_wake(s, task), 0);
	if (st == KS_SCHED_RUNNING)
		assert_int_equal(ks_sched_core_run(s, task), 0);
	assert_int_equal(ks_sched_core_state(s, task), st);
}

/* A fresh scheduler with company for `task` (FG): one queued task before it and one after in
 * its class's queue when it is queued, a blocked IDLE member and a blocked BG member. */
static void fresh_with(unsigned task, enum ks_sched_state st)
{
	assert_int_equal(setup(NULL), 0);
	admit_runnable(20, NX_QOS_FG);
	put_in_state(task, NX_QOS_FG, st);
	assert_int_equal(ks_sched_core_admit(s, 21, NX_QOS_IDLE), 0);
	assert_int_equal(ks_sched_core_admit(s, 22, NX_QOS_BG), 0);
}

static void init_takes_limit_runq_max_in_every_class_and_refuses_zero_or_one_past(void **state)
{
	(void)state;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		struct ks_qos_limits l = { .limit = { KS_RUNQ_MAX, KS_RUNQ_MAX, KS_RUNQ_MAX, KS_RUNQ_MAX } };
		assert_int_equal(ks_sched_core_init(s, &l), 0);
		l.limit[c] = KS_RUNQ_MAX + 1;
		assert_int_equal(ks_sched_core_init(s, &l), -NX_EINVAL);
		l.limit[c] = 0;
		assert_int_equal(ks_sched_core_init(s, &l), -NX_EINVAL);
	}
}

/* Every task id up to the last is unknown after init, whatever the memory held before, and
 * every class (the last too) starts empty with its own limit. */
static void init_forgets_every_task_id_up_to_the_last_and_empties_every_class(void **state)
{
	(void)state;
	memset(&g.core, 0xff, sizeof g.core);
	assert_int_equal(ks_sched_core_init(s, &test_limits), 0);
	for (unsigned t = 0; t < KS_MAX_TASKS; t++) {
		assert_int_equal(ks_sched_core_state(s, t), KS_SCHED_NONE);
		assert_int_equal(ks_sched_core_qos(s, t), NX_QOS_COUNT);
	}
	assert_int_equal(ks_sched_core_best_queued(s), NX_QOS_COUNT);
	unsigned task = 0;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		for (unsigned i = 0; i < test_limits.limit[c]; i++)
			admit_runnable(task++, c);
		assert_int_equal(ks_sched_core_admit(s, task, c), -NX_EFULL);
	}
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		for (unsigned i = 0; i < test_limits.limit[c]; i++) {
			unsigned t;
			assert_int_equal(ks_sched_core_best_queued(s), c);
			assert_int_equal(ks_sched_core_pick(s, &t), 0);
		}
	}
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), -NX_EEMPTY);
}

/* A class can hold exactly KS_RUNQ_MAX members, all queued at once. */
static void class_with_limit_runq_max_queues_exactly_that_many(void **state)
{
	(void)state;
	const struct ks_qos_limits l = { .limit = { 1, 1, 1, KS_RUNQ_MAX } };
	assert_int_equal(ks_sched_core_init(s, &l), 0);
	for (unsigned t = 0; t < KS_RUNQ_MAX; t++)
		admit_runnable(t, NX_QOS_IDLE);
	assert_int_equal(ks_sched_core_position(s, KS_RUNQ_MAX - 1), KS_RUNQ_MAX - 1);
	for (unsigned want = 0; want < KS_RUNQ_MAX; want++) {
		unsigned t;
		assert_int_equal(ks_sched_core_pick(s, &t), 0);
		assert_int_equal(t, want);
	}
}

/* The last task id, KS_MAX_TASKS - 1, in the last class, through every state and back. */
static void last_task_id_in_last_class_goes_through_every_state(void **state)
{
	(void)state;
	const unsigned last = KS_MAX_TASKS - 1;
	unsigned t;
	assert_int_equal(ks_sched_core_admit(s, last, NX_QOS_IDLE), 0);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_qos(s, last), NX_QOS_IDLE);
	assert_int_equal(ks_sched_core_wake(s, last), 0);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_position(s, last), 0);
	assert_int_equal(ks_sched_core_best_queued(s), NX_QOS_IDLE);
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, last);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_preempt(s, last), 0);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, last);
	ks_sched_core_block(s, last);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_run(s, last), 0);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_set_qos(s, last, NX_QOS_SYS), 0);
	assert_int_equal(ks_sched_core_qos(s, last), NX_QOS_SYS);
	ks_sched_core_remove(s, last);
	assert_int_equal(ks_sched_core_state(s, last), KS_SCHED_NONE);
	assert_int_equal(ks_sched_core_qos(s, last), NX_QOS_COUNT);
	assert_int_equal(ks_sched_core_admit(s, last, NX_QOS_SYS), 0);
}

/* Task ids KS_MAX_TASKS and one past: every operation refuses them and changes nothing, even
 * with the bytes just past the state table saying "a task in this state is here". */
static void task_id_at_and_past_max_tasks_is_refused_by_every_operation(void **state)
{
	(void)state;
	const enum ks_sched_state past[] = { KS_SCHED_NONE, KS_SCHED_QUEUED, KS_SCHED_RUNNING,
					     KS_SCHED_BLOCKED };
	for (unsigned p = 0; p < sizeof past / sizeof past[0]; p++) {
		for (unsigned id = KS_MAX_TASKS; id <= KS_MAX_TASKS + 1; id++) {
			fresh_with(0, KS_SCHED_BLOCKED);
			memset(g.after, past[p], sizeof g.after);
			snapshot();
			unsigned t;
			assert_int_equal(ks_sched_core_admit(s, id, NX_QOS_BG), -NX_EINVAL);
			assert_int_equal(ks_sched_core_wake(s, id), -NX_EINVAL);
			assert_int_equal(ks_sched_core_run(s, id), -NX_EINVAL);
			assert_int_equal(ks_sched_core_preempt(s, id), -NX_EINVAL);
			assert_int_equal(ks_sched_core_set_qos(s, id, NX_QOS_BG), -NX_EINVAL);
			assert_int_equal(ks_sched_core_position(s, id), -NX_ENOENT);
			ks_sched_core_block(s, id);
			ks_sched_core_remove(s, id);
			assert_int_equal(ks_sched_core_qos(s, id), NX_QOS_COUNT);
			assert_int_equal(ks_sched_core_state(s, id), KS_SCHED_NONE);
			assert_unchanged();
			/* Nothing of it reached the queues either. */
			assert_int_equal(ks_sched_core_pick(s, &t), 0);
			assert_int_equal(t, 20);
			assert_int_equal(ks_sched_core_pick(s, &t), -NX_EEMPTY);
		}
	}
}

/* The last class is admitted and moved to; class NX_QOS_COUNT is refused with nothing changed. */
static void admit_and_set_qos_take_the_last_class_and_refuse_one_past(void **state)
{
	(void)state;
	fresh_with(3, KS_SCHED_QUEUED);
	snapshot();
	assert_int_equal(ks_sched_core_admit(s, 4, NX_QOS_COUNT), -NX_EINVAL);
	assert_int_equal(ks_sched_core_set_qos(s, 3, NX_QOS_COUNT), -NX_EINVAL);
	assert_unchanged();
	assert_int_equal(ks_sched_core_admit(s, 4, NX_QOS_IDLE - 1), 0);
	ks_sched_core_remove(s, 21); /* the IDLE place (limit 1) is free again */
	assert_int_equal(ks_sched_core_set_qos(s, 3, NX_QOS_IDLE), 0);
	assert_int_equal(ks_sched_core_qos(s, 3), NX_QOS_IDLE);
	assert_int_equal(ks_sched_core_position(s, 3), 0);
	assert_int_equal(ks_sched_core_admit(s, 5, NX_QOS_IDLE), -NX_EFULL);
}

static void admit_refuses_a_task_already_admitted_in_every_state(void **state)
{
	(void)state;
	const enum ks_sched_state in[] = { KS_SCHED_QUEUED, KS_SCHED_RUNNING, KS_SCHED_BLOCKED };
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		fresh_with(3, in[i]);
		snapshot();
		assert_int_equal(ks_sched_core_admit(s, 3, NX_QOS_BG), -NX_EINVAL);
		assert_unchanged();
	}
}

/* Wake refuses an unknown task; a queued or running one is left exactly where it is. */
static void wake_refuses_unknown_task_and_leaves_queued_or_running_task_as_it_is(void **state)
{
	(void)state;
	const enum ks_sched_state in[] = { KS_SCHED_NONE, KS_SCHED_QUEUED, KS_SCHED_RUNNING };
	const int want[] = { -NX_EINVAL, 0, 0 };
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		fresh_with(3, in[i]);
		snapshot();
		assert_int_equal(ks_sched_core_wake(s, 3), want[i]);
		assert_unchanged();
	}
}

static void run_refuses_a_task_that_is_not_blocked_in_every_state(void **state)
{
	(void)state;
	const enum ks_sched_state in[] = { KS_SCHED_NONE, KS_SCHED_QUEUED, KS_SCHED_RUNNING };
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		fresh_with(3, in[i]);
		snapshot();
		assert_int_equal(ks_sched_core_run(s, 3), -NX_EINVAL);
		assert_unchanged();
	}
}

static void preempt_refuses_a_task_that_is_not_running_in_every_state(void **state)
{
	(void)state;
	const enum ks_sched_state in[] = { KS_SCHED_NONE, KS_SCHED_QUEUED, KS_SCHED_BLOCKED };
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		fresh_with(3, in[i]);
		snapshot();
		assert_int_equal(ks_sched_core_preempt(s, 3), -NX_EINVAL);
		assert_unchanged();
	}
}

/* Block only acts on a running task: unknown, queued and blocked tasks are left as they are. */
static void block_changes_nothing_for_a_task_that_is_not_running(void **state)
{
	(void)state;
	const enum ks_sched_state in[] = { KS_SCHED_NONE, KS_SCHED_QUEUED, KS_SCHED_BLOCKED };
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		fresh_with(3, in[i]);
		snapshot();
		ks_sched_core_block(s, 3);
		assert_unchanged();
	}
	fresh_with(3, KS_SCHED_RUNNING);
	ks_sched_core_block(s, 3);
	assert_int_equal(ks_sched_core_state(s, 3), KS_SCHED_BLOCKED);
}

static void position_is_enoent_for_a_task_that_is_not_queued_in_every_state(void **state)
{
	(void)state;
	const enum ks_sched_state in[] = { KS_SCHED_NONE, KS_SCHED_RUNNING, KS_SCHED_BLOCKED };
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		fresh_with(3, in[i]);
		assert_int_equal(ks_sched_core_position(s, 3), -NX_ENOENT);
	}
	fresh_with(3, KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_position(s, 3), 1);
}

static void set_qos_and_remove_of_an_unknown_task_change_nothing(void **state)
{
	(void)state;
	fresh_with(3, KS_SCHED_NONE);
	snapshot();
	assert_int_equal(ks_sched_core_set_qos(s, 3, NX_QOS_SYS), -NX_EINVAL);
	ks_sched_core_remove(s, 3);
	assert_unchanged();
}

/* Every task id admitted, none queued: pick finds nothing and best_queued no class. A class
 * past the last would be read from the bytes after the queues (members, limits, classes and
 * states, none of them 0 here), so a look past the last class takes something. */
static void pick_and_best_queued_with_nothing_queued_find_nothing_and_change_nothing(void **state)
{
	(void)state;
	const struct ks_qos_limits l = { .limit = { 8, 8, 8, 8 } };
	assert_int_equal(ks_sched_core_init(s, &l), 0);
	for (unsigned t = 0; t < KS_MAX_TASKS; t++)
		assert_int_equal(ks_sched_core_admit(s, t, t % NX_QOS_COUNT), 0);
	assert_int_equal(ks_sched_core_run(s, 1), 0);
	snapshot();
	unsigned t = KS_MAX_TASKS;
	assert_int_equal(ks_sched_core_pick(s, &t), -NX_EEMPTY);
	assert_int_equal(t, KS_MAX_TASKS);
	assert_int_equal(ks_sched_core_best_queued(s), NX_QOS_COUNT);
	assert_unchanged();
}

/* The last class is looked at: a task queued only there is found and picked. */
static void pick_and_best_queued_reach_the_last_class(void **state)
{
	(void)state;
	assert_int_equal(ks_sched_core_admit(s, 1, NX_QOS_SYS), 0);
	admit_runnable(4, NX_QOS_IDLE);
	assert_int_equal(ks_sched_core_best_queued(s), NX_QOS_IDLE);
	unsigned t;
	assert_int_equal(ks_sched_core_pick(s, &t), 0);
	assert_int_equal(t, 4);
	assert_int_equal(ks_sched_core_best_queued(s), NX_QOS_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(init_rejects_zero_limit, setup),
		cmocka_unit_test_setup(pick_takes_highest_class_first_then_fifo, setup),
		cmocka_unit_test_setup(admit_beyond_class_limit_is_full, setup),
		cmocka_unit_test_setup(set_qos_into_full_class_leaves_task_exactly_as_before, setup),
		cmocka_unit_test_setup(set_qos_full_for_running_and_blocked_tasks_changes_nothing, setup),
		cmocka_unit_test_setup(set_qos_moves_queued_task_to_tail_of_new_class, setup),
		cmocka_unit_test_setup(set_qos_to_same_class_is_a_no_op, setup),
		cmocka_unit_test_setup(set_qos_rejects_unknown_task_and_class, setup),
		cmocka_unit_test_setup(remove_frees_the_class_place_and_queue_slot, setup),
		cmocka_unit_test_setup(preempt_requeues_at_tail, setup),
		cmocka_unit_test_setup(run_starts_a_blocked_task_without_touching_the_queues, setup),
		cmocka_unit_test_setup(init_takes_limit_runq_max_in_every_class_and_refuses_zero_or_one_past, setup),
		cmocka_unit_test_setup(init_forgets_every_task_id_up_to_the_last_and_empties_every_class, setup),
		cmocka_unit_test_setup(class_with_limit_runq_max_queues_exactly_that_many, setup),
		cmocka_unit_test_setup(last_task_id_in_last_class_goes_through_every_state, setup),
		cmocka_unit_test_setup(task_id_at_and_past_max_tasks_is_refused_by_every_operation, setup),
		cmocka_unit_test_setup(admit_and_set_qos_take_the_last_class_and_refuse_one_past, setup),
		cmocka_unit_test_setup(admit_refuses_a_task_already_admitted_in_every_state, setup),
		cmocka_unit_test_setup(wake_refuses_unknown_task_and_leaves_queued_or_running_task_as_it_is, setup),
		cmocka_unit_test_setup(run_refuses_a_task_that_is_not_blocked_in_every_state, setup),
		cmocka_unit_test_setup(preempt_refuses_a_task_that_is_not_running_in_every_state, setup),
		cmocka_unit_test_setup(block_changes_nothing_for_a_task_that_is_not_running, setup),
		cmocka_unit_test_setup(position_is_enoent_for_a_task_that_is_not_queued_in_every_state, setup),
		cmocka_unit_test_setup(set_qos_and_remove_of_an_unknown_task_change_nothing, setup),
		cmocka_unit_test_setup(pick_and_best_queued_with_nothing_queued_find_nothing_and_change_nothing,
				       setup),
		cmocka_unit_test_setup(pick_and_best_queued_reach_the_last_class, setup),
		cmocka_unit_test_setup(handoff_blocks_the_running_task_and_runs_the_blocked_one_without_the_queues,
					setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
