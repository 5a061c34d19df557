/* Class quotas (kernel-shim/quota.c) and the scheduler core's ranked pick that honours them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nx/abi.h"
#include "quota.h"
#include "sched_core.h"

#define PERIOD 1000u
#define SYS_LIMIT 950u
#define FG_LIMIT 900u

static struct ks_quota q;

static int setup(void **state)
{
	(void)state;
	const struct ks_quota_cfg cfg = { .period = PERIOD, .limit = { SYS_LIMIT, FG_LIMIT, PERIOD, PERIOD } };
	return ks_quota_init(&q, &cfg);
}

static void init_rejects_zero_period_or_limit(void **state)
{
	(void)state;
	struct ks_quota other;
	const struct ks_quota_cfg no_period = { .period = 0, .limit = { 1, 1, 1, 1 } };
	const struct ks_quota_cfg no_limit = { .period = 10, .limit = { 1, 0, 1, 1 } };
	assert_int_equal(ks_quota_init(&other, &no_period), -NX_EINVAL);
	assert_int_equal(ks_quota_init(&other, &no_limit), -NX_EINVAL);
	const struct ks_quota_cfg last_class_unlimited = { .period = 10, .limit = { 1, 1, 1, 0 } };
	assert_int_equal(ks_quota_init(&other, &last_class_unlimited), -NX_EINVAL);
	const struct ks_quota_cfg smallest = { .period = 10, .limit = { 1, 1, 1, 1 } };
	assert_int_equal(ks_quota_init(&other, &smallest), 0);
}

/* The lowest class limited too, and the smallest limit: its own use throttles it, and a new
 * period forgets that use. */
static void the_lowest_class_can_be_limited_and_its_use_rolls_over(void **state)
{
	(void)state;
	struct ks_quota low;
	const struct ks_quota_cfg cfg = { .period = PERIOD, .limit = { SYS_LIMIT, FG_LIMIT, PERIOD, 300 } };
	assert_int_equal(ks_quota_init(&low, &cfg), 0);
	ks_quota_charge(&low, 10, NX_QOS_IDLE, 299);
	assert_int_equal(ks_quota_throttled(&low, 10), 0);
	assert_true(ks_quota_until(&low, 10, NX_QOS_IDLE, UINT64_MAX) == 11);
	ks_quota_charge(&low, 10, NX_QOS_IDLE, 1);
	assert_int_equal(ks_quota_throttled(&low, 10), 1u << NX_QOS_IDLE);
	/* Next period: nothing used, so 300 again from its start. */
	assert_int_equal(ks_quota_throttled(&low, PERIOD), 0);
	assert_true(ks_quota_until(&low, PERIOD, NX_QOS_IDLE, UINT64_MAX) == PERIOD + 300);
}

static void a_class_out_of_range_changes_nothing(void **state)
{
	(void)state;
	const struct ks_quota before = q;
	ks_quota_charge(&q, 10, NX_QOS_COUNT, FG_LIMIT);
	ks_quota_charge(&q, 10, NX_QOS_COUNT + 1, FG_LIMIT);
	assert_memory_equal(&before, &q, sizeof q);
	assert_true(ks_quota_until(&q, 10, NX_QOS_COUNT, 7) == 7);
	assert_int_equal(ks_quota_throttled(&q, 10), 0);
}

static void fg_below_its_limit_is_not_throttled(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_FG, FG_LIMIT - 1);
	assert_int_equal(ks_quota_throttled(&q, 20), 0);
}

static void fg_at_its_limit_is_throttled_and_one_past_too(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_FG, FG_LIMIT);
	assert_int_equal(ks_quota_throttled(&q, 20), 1u << NX_QOS_FG);
	ks_quota_charge(&q, 20, NX_QOS_FG, 1);
	assert_int_equal(ks_quota_throttled(&q, 30), 1u << NX_QOS_FG);
}

static void sys_and_fg_share_the_fg_limit_but_sys_keeps_its_own(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_SYS, 500);
	ks_quota_charge(&q, 20, NX_QOS_FG, FG_LIMIT - 500);
	assert_int_equal(ks_quota_throttled(&q, 30), 1u << NX_QOS_FG);
	ks_quota_charge(&q, 30, NX_QOS_SYS, SYS_LIMIT - 500 - 1);
	assert_int_equal(ks_quota_throttled(&q, 40), 1u << NX_QOS_FG);
	ks_quota_charge(&q, 40, NX_QOS_SYS, 1);
	assert_int_equal(ks_quota_throttled(&q, 50), (1u << NX_QOS_SYS) | (1u << NX_QOS_FG));
}

static void bg_use_never_throttles_the_classes_above(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_BG, PERIOD);
	assert_int_equal(ks_quota_throttled(&q, 20), 0);
}

static void a_class_whose_limit_is_the_period_is_never_throttled(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_BG, PERIOD);
	ks_quota_charge(&q, 10, NX_QOS_IDLE, PERIOD);
	assert_int_equal(ks_quota_throttled(&q, 20) & ((1u << NX_QOS_BG) | (1u << NX_QOS_IDLE)), 0);
	assert_true(ks_quota_until(&q, 20, NX_QOS_BG, UINT64_MAX) == UINT64_MAX);
}

static void a_new_period_ends_the_throttle_and_not_one_tick_earlier(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_FG, PERIOD);
	assert_int_equal(ks_quota_throttled(&q, PERIOD - 1), 1u << NX_QOS_FG);
	assert_int_equal(ks_quota_throttled(&q, PERIOD), 0);
	ks_quota_charge(&q, 3 * PERIOD + 5, NX_QOS_FG, FG_LIMIT);
	assert_int_equal(ks_quota_throttled(&q, 4 * PERIOD - 1), 1u << NX_QOS_FG);
	assert_int_equal(ks_quota_throttled(&q, 4 * PERIOD), 0);
}

static void until_is_when_the_running_class_reaches_its_limit(void **state)
{
	(void)state;
	ks_quota_charge(&q, 100, NX_QOS_SYS, 300);
	ks_quota_charge(&q, 100, NX_QOS_FG, 200);
	assert_true(ks_quota_until(&q, 100, NX_QOS_FG, UINT64_MAX) == 100 + FG_LIMIT - 500);
	/* SYS's own limit counts SYS alone. */
	assert_true(ks_quota_until(&q, 100, NX_QOS_SYS, UINT64_MAX) == 100 + SYS_LIMIT - 300);
	/* Past the period's end: the period rolls first, so no throttle in this one. */
	assert_true(ks_quota_until(&q, 600, NX_QOS_FG, UINT64_MAX) == UINT64_MAX);
	ks_quota_charge(&q, 100, NX_QOS_FG, FG_LIMIT);
	assert_true(ks_quota_until(&q, 100, NX_QOS_FG, UINT64_MAX) == UINT64_MAX);
}

/* The classes above count in a class's limit even when it has used nothing itself. */
static void use_above_counts_for_a_class_that_used_nothing(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_SYS, 300);
	assert_true(ks_quota_until(&q, 10, NX_QOS_FG, UINT64_MAX) == 10 + FG_LIMIT - 300);
	ks_quota_charge(&q, 10, NX_QOS_SYS, FG_LIMIT - 300);
	assert_int_equal(ks_quota_throttled(&q, 10), 1u << NX_QOS_FG);
}

/* At the first tick of a period (now equal to its start) the time is worked out all the same. */
static void until_at_the_start_of_a_period(void **state)
{
	(void)state;
	assert_true(ks_quota_until(&q, 0, NX_QOS_FG, UINT64_MAX) == FG_LIMIT);
	assert_true(ks_quota_until(&q, 3 * PERIOD, NX_QOS_SYS, UINT64_MAX) == 3 * PERIOD + SYS_LIMIT);
}

/* Exactly at its limit a class is throttled: no time left to give, the cap. */
static void until_of_a_class_exactly_at_its_limit_is_the_cap(void **state)
{
	(void)state;
	ks_quota_charge(&q, 10, NX_QOS_FG, FG_LIMIT);
	assert_true(ks_quota_until(&q, 10, NX_QOS_FG, 7777) == 7777);
}

static void until_answers_the_cap_when_the_limit_comes_at_it_or_later(void **state)
{
	(void)state;
	ks_quota_charge(&q, 100, NX_QOS_FG, 200);
	const uint64_t out = 100 + FG_LIMIT - 200;
	assert_true(ks_quota_until(&q, 100, NX_QOS_FG, out + 1) == out);
	assert_true(ks_quota_until(&q, 100, NX_QOS_FG, out) == out);
	assert_true(ks_quota_until(&q, 100, NX_QOS_FG, out - 1) == out - 1);
	/* No limit, or throttled already: the cap. */
	assert_true(ks_quota_until(&q, 100, NX_QOS_BG, 7) == 7);
	ks_quota_charge(&q, 100, NX_QOS_FG, FG_LIMIT);
	assert_true(ks_quota_until(&q, 100, NX_QOS_FG, 7) == 7);
}

/* Charges below the room take the short path; the one that reaches a limit must still
 * throttle, whichever class the earlier charges went to. */
static void charges_that_only_add_up_to_a_limit_still_throttle(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 10; i++)
		ks_quota_charge(&q, 10 + i, NX_QOS_SYS, FG_LIMIT / 20);
	assert_int_equal(ks_quota_throttled(&q, 20), 0);
	for (unsigned i = 0; i < 9; i++)
		ks_quota_charge(&q, 20 + i, NX_QOS_FG, FG_LIMIT / 20);
	assert_int_equal(ks_quota_throttled(&q, 30), 0);
	ks_quota_charge(&q, 30, NX_QOS_FG, FG_LIMIT / 20 - 1);
	assert_int_equal(ks_quota_throttled(&q, 30), 0);
	assert_true(ks_quota_until(&q, 30, NX_QOS_FG, UINT64_MAX) == 31);
	ks_quota_charge(&q, 31, NX_QOS_FG, 1);
	assert_int_equal(ks_quota_throttled(&q, 31), 1u << NX_QOS_FG);
	/* SYS, below its own limit, is not throttled by FG's use. */
	assert_true(ks_quota_until(&q, 31, NX_QOS_SYS, UINT64_MAX) == 31 + SYS_LIMIT - FG_LIMIT / 2);
}

/* The quick charge (the IPC trap's) charges only below the room within the period, and then
 * as ks_quota_charge() would; at the room, in a new period or for a class out of range it
 * changes nothing, and the full charge does the rest. */
static void quick_charge_takes_only_the_inline_case_and_changes_nothing_otherwise(void **state)
{
	(void)state;
	assert_int_equal(ks_quota_charge_quick(&q, 10, NX_QOS_FG, FG_LIMIT - 1), 1);
	assert_int_equal(ks_quota_charge_quick(&q, 10, NX_QOS_COUNT, 1), 0);
	assert_int_equal(ks_quota_charge_quick(&q, PERIOD, NX_QOS_FG, 0), 0);
	assert_int_equal(ks_quota_charge_quick(&q, 20, NX_QOS_FG, 1), 0);
	assert_int_equal(ks_quota_throttled(&q, 20), 0);
	assert_true(ks_quota_until(&q, 20, NX_QOS_FG, UINT64_MAX) == 21);
	ks_quota_charge_full(&q, 20, NX_QOS_FG, 1);
	assert_int_equal(ks_quota_throttled(&q, 20), 1u << NX_QOS_FG);
}

/* The IPC fast path's look before its charge: yes exactly when the quick charge would charge
 * and no class is throttled; the charge it then makes is the quick charge's, to the tick. */
static void fits_is_the_quick_charge_with_nothing_throttled_and_charges_the_same(void **state)
{
	(void)state;
	assert_int_equal(ks_quota_fits_quick(&q, 10, FG_LIMIT - 1), 1);
	assert_int_equal(ks_quota_fits_quick(&q, 10, FG_LIMIT), 0); /* at the room */
	assert_int_equal(ks_quota_fits_quick(&q, PERIOD - 1, 0), 1); /* the period's last tick */
	assert_int_equal(ks_quota_fits_quick(&q, PERIOD, 0), 0);   /* a new period */
	ks_quota_charge_fitting(&q, NX_QOS_FG, 300);
	struct ks_quota quick = q;
	assert_int_equal(ks_quota_charge_quick(&quick, 10, NX_QOS_FG, 200), 1);
	assert_int_equal(ks_quota_fits_quick(&q, 10, 200), 1);
	ks_quota_charge_fitting(&q, NX_QOS_FG, 200);
	assert_memory_equal(&q, &quick, sizeof q);
	assert_true(ks_quota_until(&q, 10, NX_QOS_FG, UINT64_MAX) == 10 + FG_LIMIT - 500);
	/* Throttled (a full charge at the limit): never fits, whatever the room says. */
	ks_quota_charge_full(&q, 20, NX_QOS_FG, FG_LIMIT - 500);
	assert_int_equal(ks_quota_throttled(&q, 20), 1u << NX_QOS_FG);
	assert_int_equal(ks_quota_fits_quick(&q, 20, 0), 0);
	/* The next period (worked out by a look) ends the throttle: it fits again, to its end. */
	assert_int_equal(ks_quota_throttled(&q, 2 * PERIOD + 5), 0);
	assert_int_equal(ks_quota_fits_quick(&q, 2 * PERIOD + 5, FG_LIMIT - 1), 1);
	assert_int_equal(ks_quota_fits_quick(&q, 3 * PERIOD - 1, 0), 1);
	assert_int_equal(ks_quota_fits_quick(&q, 3 * PERIOD, 0), 0);
}

static void ranked_pick_passes_over_a_throttled_class_while_a_lower_one_waits(void **state)
{
	(void)state;
	struct ks_sched_core s;
	const struct ks_qos_limits limits = { .limit = { 4, 4, 4, 4 } };
	assert_int_equal(ks_sched_core_init(&s, &limits), 0);
	assert_int_equal(ks_sched_core_admit(&s, 1, NX_QOS_FG), 0);
	assert_int_equal(ks_sched_core_admit(&s, 2, NX_QOS_BG), 0);
	assert_int_equal(ks_sched_core_wake(&s, 1), 0);
	assert_int_equal(ks_sched_core_wake(&s, 2), 0);
	const unsigned fg_throttled = 1u << NX_QOS_FG;
	assert_int_equal(ks_sched_core_best_rank(&s, fg_throttled), NX_QOS_BG);
	assert_true(ks_sched_core_rank(NX_QOS_FG, fg_throttled) > ks_sched_core_rank(NX_QOS_IDLE, fg_throttled));
	unsigned t;
	assert_int_equal(ks_sched_core_pick_ranked(&s, fg_throttled, &t), 0);
	assert_int_equal(t, 2);
	/* Alone, the throttled class still runs: quotas order, they never idle a hart. */
	assert_int_equal(ks_sched_core_pick_ranked(&s, fg_throttled, &t), 0);
	assert_int_equal(t, 1);
	assert_int_equal(ks_sched_core_pick_ranked(&s, fg_throttled, &t), -NX_EEMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_zero_period_or_limit),
		cmocka_unit_test(the_lowest_class_can_be_limited_and_its_use_rolls_over),
		cmocka_unit_test_setup(a_class_out_of_range_changes_nothing, setup),
		cmocka_unit_test_setup(use_above_counts_for_a_class_that_used_nothing, setup),
		cmocka_unit_test_setup(until_at_the_start_of_a_period, setup),
		cmocka_unit_test_setup(until_of_a_class_exactly_at_its_limit_is_the_cap, setup),
		cmocka_unit_test_setup(fg_below_its_limit_is_not_throttled, setup),
		cmocka_unit_test_setup(fg_at_its_limit_is_throttled_and_one_past_too, setup),
		cmocka_unit_test_setup(sys_and_fg_share_the_fg_limit_but_sys_keeps_its_own, setup),
		cmocka_unit_test_setup(bg_use_never_throttles_the_classes_above, setup),
		cmocka_unit_test_setup(a_class_whose_limit_is_the_period_is_never_throttled, setup),
		cmocka_unit_test_setup(a_new_period_ends_the_throttle_and_not_one_tick_earlier, setup),
		cmocka_unit_test_setup(until_is_when_the_running_class_reaches_its_limit, setup),
		cmocka_unit_test_setup(until_answers_the_cap_when_the_limit_comes_at_it_or_later, setup),
		cmocka_unit_test_setup(charges_that_only_add_up_to_a_limit_still_throttle, setup),
		cmocka_unit_test_setup(quick_charge_takes_only_the_inline_case_and_changes_nothing_otherwise, setup),
		cmocka_unit_test_setup(fits_is_the_quick_charge_with_nothing_throttled_and_charges_the_same, setup),
		cmocka_unit_test(ranked_pick_passes_over_a_throttled_class_while_a_lower_one_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
