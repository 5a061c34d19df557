/* Scheduler core: class limits, priority order and the set_qos rollback invariant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nx/abi.h"
#include "sched_core.h"

static struct ks_sched_core s;

static int setup(void **state)
{
	(void)state;
	const struct ks_qos_limits limits = { .limit = { 8, 2, 3, 1 } };
	return ks_sched_core_init(&s, &limits);
}

static void admit_runnable(unsigned task, unsigned qos)
{
	assert_int_equal(ks_sched_core_admit(&s, task, qos), 0);
	assert_int_equal(ks_sched_core_wake(&s, task), 0);
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
		assert_int_equal(ks_sched_core_pick(&s, &t), 0);
		assert_int_equal(t, want[i]);
		assert_int_equal(ks_sched_core_state(&s, t), KS_SCHED_RUNNING);
	}
	unsigned t;
	assert_int_equal(ks_sched_core_pick(&s, &t), -NX_EEMPTY);
}

static void admit_beyond_class_limit_is_full(void **state)
{
	(void)state;
	assert_int_equal(ks_sched_core_admit(&s, 2, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_admit(&s, 3, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_admit(&s, 4, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_state(&s, 4), KS_SCHED_NONE);
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
	assert_int_equal(ks_sched_core_position(&s, 11), 1);

	assert_int_equal(ks_sched_core_set_qos(&s, 11, NX_QOS_FG), -NX_EFULL);

	assert_int_equal(ks_sched_core_qos(&s, 11), NX_QOS_BG);
	assert_int_equal(ks_sched_core_state(&s, 11), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_position(&s, 10), 0);
	assert_int_equal(ks_sched_core_position(&s, 11), 1);
	assert_int_equal(ks_sched_core_position(&s, 12), 2);
	/* The run order is untouched too. */
	const unsigned want[] = { 2, 3, 10, 11, 12 };
	for (unsigned i = 0; i < 5; i++) {
		unsigned t;
		assert_int_equal(ks_sched_core_pick(&s, &t), 0);
		assert_int_equal(t, want[i]);
	}
}

static void set_qos_full_for_running_and_blocked_tasks_changes_nothing(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	admit_runnable(10, NX_QOS_BG);
	assert_int_equal(ks_sched_core_admit(&s, 11, NX_QOS_BG), 0); /* blocked */
	unsigned t;
	assert_int_equal(ks_sched_core_pick(&s, &t), 0);
	assert_int_equal(ks_sched_core_pick(&s, &t), 0);
	assert_int_equal(ks_sched_core_pick(&s, &t), 0);
	assert_int_equal(t, 10);

	assert_int_equal(ks_sched_core_set_qos(&s, 10, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_state(&s, 10), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_qos(&s, 10), NX_QOS_BG);
	assert_int_equal(ks_sched_core_set_qos(&s, 11, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_state(&s, 11), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_qos(&s, 11), NX_QOS_BG);
}

static void set_qos_moves_queued_task_to_tail_of_new_class(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(10, NX_QOS_BG);
	admit_runnable(11, NX_QOS_BG);
	assert_int_equal(ks_sched_core_set_qos(&s, 10, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_qos(&s, 10), NX_QOS_FG);
	assert_int_equal(ks_sched_core_position(&s, 2), 0);
	assert_int_equal(ks_sched_core_position(&s, 10), 1);
	assert_int_equal(ks_sched_core_position(&s, 11), 0);
	/* The freed BG place is usable again; the FG class is now full. */
	assert_int_equal(ks_sched_core_set_qos(&s, 11, NX_QOS_FG), -NX_EFULL);
	assert_int_equal(ks_sched_core_admit(&s, 12, NX_QOS_BG), 0);
}

static void set_qos_to_same_class_is_a_no_op(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	assert_int_equal(ks_sched_core_set_qos(&s, 2, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_position(&s, 2), 0);
}

static void set_qos_rejects_unknown_task_and_class(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	assert_int_equal(ks_sched_core_set_qos(&s, 9, NX_QOS_BG), -NX_EINVAL);
	assert_int_equal(ks_sched_core_set_qos(&s, KS_MAX_TASKS, NX_QOS_BG), -NX_EINVAL);
	assert_int_equal(ks_sched_core_set_qos(&s, 2, NX_QOS_COUNT), -NX_EINVAL);
	assert_int_equal(ks_sched_core_qos(&s, 2), NX_QOS_FG);
}

static void remove_frees_the_class_place_and_queue_slot(void **state)
{
	(void)state;
	admit_runnable(2, NX_QOS_FG);
	admit_runnable(3, NX_QOS_FG);
	ks_sched_core_remove(&s, 2);
	assert_int_equal(ks_sched_core_state(&s, 2), KS_SCHED_NONE);
	assert_int_equal(ks_sched_core_position(&s, 3), 0);
	admit_runnable(4, NX_QOS_FG);
	assert_int_equal(ks_sched_core_position(&s, 4), 1);
}

static void preempt_requeues_at_tail(void **state)
{
	(void)state;
	admit_runnable(10, NX_QOS_BG);
	admit_runnable(11, NX_QOS_BG);
	unsigned t;
	assert_int_equal(ks_sched_core_pick(&s, &t), 0);
	assert_int_equal(t, 10);
	assert_int_equal(ks_sched_core_preempt(&s, 10), 0);
	assert_int_equal(ks_sched_core_position(&s, 11), 0);
	assert_int_equal(ks_sched_core_position(&s, 10), 1);
	assert_int_equal(ks_sched_core_best_queued(&s), NX_QOS_BG);
}

/* The IPC fast path's direct switch: a blocked task runs at once, bypassing the queue, and
 * nothing else moves; a task that is not blocked is refused and left as it was. */
static void run_starts_a_blocked_task_without_touching_the_queues(void **state)
{
	(void)state;
	admit_runnable(1, NX_QOS_SYS);
	assert_int_equal(ks_sched_core_admit(&s, 2, NX_QOS_SYS), 0);
	assert_int_equal(ks_sched_core_state(&s, 2), KS_SCHED_BLOCKED);
	assert_int_equal(ks_sched_core_run(&s, 2), 0);
	assert_int_equal(ks_sched_core_state(&s, 2), KS_SCHED_RUNNING);
	assert_int_equal(ks_sched_core_position(&s, 1), 0);
	assert_int_equal(ks_sched_core_position(&s, 2), -NX_ENOENT);

	assert_int_equal(ks_sched_core_run(&s, 2), -NX_EINVAL);
	assert_int_equal(ks_sched_core_run(&s, 1), -NX_EINVAL);
	assert_int_equal(ks_sched_core_state(&s, 1), KS_SCHED_QUEUED);
	assert_int_equal(ks_sched_core_run(&s, 9), -NX_EINVAL);
	assert_int_equal(ks_sched_core_run(&s, KS_MAX_TASKS), -NX_EINVAL);
	unsigned t;
	assert_int_equal(ks_sched_core_pick(&s, &t), 0);
	assert_int_equal(t, 1);
	assert_int_equal(ks_sched_core_pick(&s, &t), -NX_EEMPTY);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
