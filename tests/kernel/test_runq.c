/* Run queue: bounded FIFO behaviour the scheduler relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nx/abi.h"
#include "runq.h"

static void init(struct ks_runq *q, unsigned cap)
{
	assert_int_equal(ks_runq_init(q, cap), 0);
}

static void runq_rejects_zero_and_oversized_capacity(void **state)
{
	(void)state;
	struct ks_runq q;
	assert_int_equal(ks_runq_init(&q, 0), -NX_EINVAL);
	assert_int_equal(ks_runq_init(&q, KS_RUNQ_MAX + 1), -NX_EINVAL);
}

static void runq_is_fifo_across_wraparound(void **state)
{
	(void)state;
	struct ks_runq q;
	uint16_t t;
	init(&q, 3);
	for (uint16_t round = 0; round < 5; round++) {
		assert_int_equal(ks_runq_push(&q, (uint16_t)(round * 10 + 1)), 0);
		assert_int_equal(ks_runq_push(&q, (uint16_t)(round * 10 + 2)), 0);
		assert_int_equal(ks_runq_pop(&q, &t), 0);
		assert_int_equal(t, round * 10 + 1);
		assert_int_equal(ks_runq_pop(&q, &t), 0);
		assert_int_equal(t, round * 10 + 2);
	}
	assert_int_equal(ks_runq_pop(&q, &t), -NX_EEMPTY);
}

static void runq_push_when_full_fails_and_changes_nothing(void **state)
{
	(void)state;
	struct ks_runq q;
	init(&q, 2);
	assert_int_equal(ks_runq_push(&q, 7), 0);
	assert_int_equal(ks_runq_push(&q, 8), 0);
	assert_int_equal(ks_runq_count(&q), 2);
	assert_int_equal(ks_runq_push(&q, 9), -NX_EFULL);
	assert_int_equal(ks_runq_count(&q), 2);
	assert_int_equal(ks_runq_position(&q, 7), 0);
	assert_int_equal(ks_runq_position(&q, 8), 1);
	assert_int_equal(ks_runq_position(&q, 9), -NX_ENOENT);
}

static void runq_remove_keeps_order_of_the_rest(void **state)
{
	(void)state;
	struct ks_runq q;
	uint16_t t;
	init(&q, 4);
	assert_int_equal(ks_runq_push(&q, 1), 0);
	assert_int_equal(ks_runq_pop(&q, &t), 0); /* move head off slot 0 */
	for (uint16_t i = 2; i <= 5; i++)
		assert_int_equal(ks_runq_push(&q, i), 0);
	assert_int_equal(ks_runq_remove(&q, 3), 0);
	assert_int_equal(ks_runq_remove(&q, 3), -NX_ENOENT);
	assert_int_equal(ks_runq_count(&q), 3);
	const uint16_t want[] = { 2, 4, 5 };
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ks_runq_pop(&q, &t), 0);
		assert_int_equal(t, want[i]);
	}
}

/* Capacity at exactly its bounds: KS_RUNQ_MAX (one past is refused above) and 1 (0 is). */
static void runq_takes_capacity_of_exactly_runq_max_or_one_and_fills_it(void **state)
{
	(void)state;
	struct ks_runq q;
	uint16_t t;
	init(&q, KS_RUNQ_MAX);
	for (uint16_t i = 0; i < KS_RUNQ_MAX; i++)
		assert_int_equal(ks_runq_push(&q, i), 0);
	assert_int_equal(ks_runq_push(&q, KS_RUNQ_MAX), -NX_EFULL);
	assert_int_equal(ks_runq_count(&q), KS_RUNQ_MAX);
	assert_int_equal(ks_runq_position(&q, KS_RUNQ_MAX - 1), KS_RUNQ_MAX - 1);
	for (uint16_t i = 0; i < KS_RUNQ_MAX; i++) {
		assert_int_equal(ks_runq_pop(&q, &t), 0);
		assert_int_equal(t, i);
	}
	assert_int_equal(ks_runq_pop(&q, &t), -NX_EEMPTY);

	init(&q, 1);
	assert_int_equal(ks_runq_push(&q, 5), 0);
	assert_int_equal(ks_runq_push(&q, 6), -NX_EFULL);
	assert_int_equal(ks_runq_pop(&q, &t), 0);
	assert_int_equal(t, 5);
	assert_int_equal(ks_runq_pop(&q, &t), -NX_EEMPTY);
}

/* A slot past the count still holds an old task id: position and remove must not see it. */
static void runq_does_not_find_a_task_in_a_slot_past_the_count(void **state)
{
	(void)state;
	struct ks_runq q;
	init(&q, 4);
	assert_int_equal(ks_runq_push(&q, 7), 0);
	assert_int_equal(ks_runq_push(&q, 8), 0);
	assert_int_equal(ks_runq_remove(&q, 8), 0);
	assert_int_equal(ks_runq_position(&q, 8), -NX_ENOENT);
	assert_int_equal(ks_runq_remove(&q, 8), -NX_ENOENT);
	assert_int_equal(ks_runq_count(&q), 1);
	assert_int_equal(ks_runq_position(&q, 7), 0);
}

/* Removing the head (position 0) and the only task leaves the rest in order. */
static void runq_remove_of_the_head_keeps_order_of_the_rest(void **state)
{
	(void)state;
	struct ks_runq q;
	uint16_t t;
	init(&q, 3);
	assert_int_equal(ks_runq_push(&q, 1), 0);
	assert_int_equal(ks_runq_push(&q, 2), 0);
	assert_int_equal(ks_runq_remove(&q, 1), 0);
	assert_int_equal(ks_runq_count(&q), 1);
	assert_int_equal(ks_runq_position(&q, 1), -NX_ENOENT);
	assert_int_equal(ks_runq_position(&q, 2), 0);
	assert_int_equal(ks_runq_remove(&q, 2), 0);
	assert_int_equal(ks_runq_count(&q), 0);
	assert_int_equal(ks_runq_pop(&q, &t), -NX_EEMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runq_rejects_zero_and_oversized_capacity),
		cmocka_unit_test(runq_is_fifo_across_wraparound),
		cmocka_unit_test(runq_push_when_full_fails_and_changes_nothing),
		cmocka_unit_test(runq_remove_keeps_order_of_the_rest),
		cmocka_unit_test(runq_takes_capacity_of_exactly_runq_max_or_one_and_fills_it),
		cmocka_unit_test(runq_does_not_find_a_task_in_a_slot_past_the_count),
		cmocka_unit_test(runq_remove_of_the_head_keeps_order_of_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
