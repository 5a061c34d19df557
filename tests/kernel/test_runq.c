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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runq_rejects_zero_and_oversized_capacity),
		cmocka_unit_test(runq_is_fifo_across_wraparound),
		cmocka_unit_test(runq_push_when_full_fails_and_changes_nothing),
		cmocka_unit_test(runq_remove_keeps_order_of_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
