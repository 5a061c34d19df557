/* Lifecycle core: backoff delays, crash-loop blocking, the window, stable-run reset, history, policies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lc_fixture.h"

/*
 * Ability `id` is stopped or backing off: (re)start it at `t` or at its restart time, make it
 * ready `up_ms` later and let it crash `run_ms` after that. Returns the time of the death.
 */
static uint64_t run_and_crash(struct fixture *f, uint32_t id, uint64_t t, uint64_t up_ms, uint64_t run_ms)
{
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	if (s.state == LC_BACKOFF)
		t = s.deadline_ms;
	else
		fx_event(f, t, id, LC_EV_START);
	fx_event(f, t + up_ms, id, LC_EV_READY_FG);
	fx_exit(f, t + up_ms + run_ms, id, LC_REASON_CRASH);
	return t + up_ms + run_ms;
}

static void expect_delays(struct fixture *f, uint32_t id, const uint32_t *want, size_t n)
{
	struct lc_status s;
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++) {
		t = run_and_crash(f, id, t, 50, 100);
		EXPECT_RC(lc_status(&f->lc, id, &s), 0);
		if (s.state != LC_BACKOFF || s.delay_ms != want[i] || s.crash_count != i + 1 ||
		    s.deadline_ms != t + want[i])
			fail_msg("crash %zu: expected backoff delay=%u count=%zu restart at %llu, got %s delay=%u "
				 "count=%u restart at %llu",
				 i + 1, want[i], i + 1, (unsigned long long)(t + want[i]), lc_state_name(s.state),
				 s.delay_ms, s.crash_count, (unsigned long long)s.deadline_ms);
	}
}

static struct lc_policy never_blocks(void)
{
	struct lc_policy p = LC_POLICY_DEFAULT;
	p.loop_threshold = 0;
	return p;
}

static void backoff_doubles_from_initial_ms_and_clamps_at_max_ms(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy p = never_blocks();
	static const uint32_t want[] = { 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000 };
	expect_delays(f, fx_add(f, &p), want, sizeof want / sizeof want[0]);
}

static void backoff_factor_rounds_each_step_down_to_whole_ms(void **state)
{
	struct fixture *f = *state;
	struct lc_policy p = never_blocks();
	p.initial_ms = 333;
	p.factor_milli = 1500;
	p.max_ms = 2000;
	/* 333, 499.5, 748.5, 1122, 1683, 2524.5 → clamped */
	static const uint32_t want[] = { 333, 499, 748, 1122, 1683, 2000 };
	expect_delays(f, fx_add(f, &p), want, sizeof want / sizeof want[0]);
}

static void backoff_with_factor_one_stays_at_initial_ms(void **state)
{
	struct fixture *f = *state;
	struct lc_policy p = never_blocks();
	p.factor_milli = 1000;
	static const uint32_t want[] = { 500, 500, 500, 500 };
	expect_delays(f, fx_add(f, &p), want, sizeof want / sizeof want[0]);
}

static void backoff_expiry_restarts_with_the_crash_reason(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_event(f, 50, id, LC_EV_READY_FG);
	fx_exit(f, 150, id, LC_REASON_CRASH);
	fx_advance(f, 649);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@50 #0 starting>runningFg none", "@150 #0 runningFg>crashed crash",
		   "@150 #0 crashed>backoff crash delay=500");
	fx_advance(f, 650);
	EXPECT_LOG(f, "@650 #0 backoff>starting crash");
}

static void fifth_death_within_60s_blocks_and_unblock_stops(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	uint64_t t = 0;
	for (int i = 0; i < 4; i++)
		t = run_and_crash(f, id, t, 50, 100);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 4, 4000);
	f->logged = 0;
	EXPECT_EQ(run_and_crash(f, id, t, 50, 100), 8250);
	EXPECT_LOG(f, "@8100 #0 backoff>starting crash", "@8150 #0 starting>runningFg none",
		   "@8250 #0 runningFg>crashed crash", "@8250 #0 crashed>blocked crash");
	fx_expect_status(f, id, LC_BLOCKED, LC_REASON_CRASH, 5, 4000);
	uint64_t next;
	EXPECT_RC(lc_next_deadline(&f->lc, &next), -LC_ENOENT);

	EXPECT_RC(lc_event(&f->lc, 9000, id, LC_EV_START, LC_REASON_NONE), -LC_EBLOCKED);
	fx_advance(f, 1000000);
	EXPECT_NO_CHANGE(f);
	fx_event(f, 1000000, id, LC_EV_UNBLOCK);
	EXPECT_LOG(f, "@1000000 #0 blocked>stopped none");
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_NONE, 0, 0);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	EXPECT_EQ(s.history_len, 0);

	run_and_crash(f, id, 1000100, 50, 100);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 1, 500);
}

/* Deaths at 150, 800, 1950 and 4100, then one at `fifth`; the ability's count is then 5. */
static uint32_t five_deaths(struct fixture *f, uint64_t fifth)
{
	fx_reset(f);
	uint32_t id = fx_add(f, NULL);
	for (int i = 0; i < 4; i++)
		run_and_crash(f, id, 0, 50, 100);
	/* The fourth backoff ends at 8100 and the app is ready at 8150. */
	EXPECT_EQ(run_and_crash(f, id, 0, 50, fifth - 8150), fifth);
	return id;
}

static void deaths_exactly_loop_window_ms_apart_do_not_count(void **state)
{
	struct fixture *f = *state;
	uint32_t id = five_deaths(f, 150 + 60000);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 5, 8000);
	id = five_deaths(f, 150 + 59999);
	fx_expect_status(f, id, LC_BLOCKED, LC_REASON_CRASH, 5, 4000);
}

static void loop_threshold_zero_never_blocks(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy p = never_blocks();
	uint32_t id = fx_add(f, &p);
	for (int i = 0; i < 40; i++)
		run_and_crash(f, id, 0, 1, 1);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 40, 15000);
}

static void start_timeouts_count_toward_the_crash_loop(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	f->logged = 0;
	/* Timeouts at 5000, 10500, 16500, 23500 and 32500, with 500..4000 ms of backoff between. */
	fx_advance(f, 40000);
	fx_expect_status(f, id, LC_BLOCKED, LC_REASON_CRASH, 5, 4000);
	EXPECT_EQ(f->logged, 14);
	char last[96];
	fx_format(&f->log[13], last, sizeof last);
	assert_string_equal(last, "@32500 #0 crashed>blocked crash timeout");
}

static void stable_run_of_stable_reset_ms_restarts_the_crash_count(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	run_and_crash(f, id, 0, 50, 100);
	run_and_crash(f, id, 0, 50, 60000);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 1, 500);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	EXPECT_EQ(s.history_len, 2);

	fx_reset(f);
	id = fx_add(f, NULL);
	run_and_crash(f, id, 0, 50, 100);
	run_and_crash(f, id, 0, 50, 59999);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 2, 1000);
}

static void stable_reset_zero_never_restarts_the_count(void **state)
{
	struct fixture *f = *state;
	struct lc_policy p = LC_POLICY_DEFAULT;
	p.stable_reset_ms = 0;
	uint32_t id = fx_add(f, &p);
	run_and_crash(f, id, 0, 50, 100);
	run_and_crash(f, id, 0, 50, 10000000);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 2, 1000);
}

static void run_that_never_got_ready_is_not_stable(void **state)
{
	struct fixture *f = *state;
	struct lc_policy p = LC_POLICY_DEFAULT;
	p.stable_reset_ms = 1000;
	uint32_t id = fx_add(f, &p);
	run_and_crash(f, id, 0, 50, 100);
	fx_advance(f, 650);
	fx_exit(f, 4000, id, LC_REASON_SIGNAL);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_SIGNAL, 2, 1000);
}

static void stop_and_start_keep_history_and_count(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	run_and_crash(f, id, 0, 50, 100);
	run_and_crash(f, id, 0, 50, 100);
	fx_event(f, 900, id, LC_EV_STOP);
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_REQUEST, 2, 1000);
	run_and_crash(f, id, 1000, 50, 100);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 3, 2000);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	EXPECT_EQ(s.history_len, 3);
}

static void history_keeps_the_last_16_deaths_oldest_first(void **state)
{
	struct fixture *f = *state;
	static const enum lc_reason cycle[] = { LC_REASON_CRASH, LC_REASON_OOM, LC_REASON_SIGNAL };
	const struct lc_policy p = never_blocks();
	uint32_t id = fx_add(f, &p);
	uint64_t died[20];
	fx_event(f, 0, id, LC_EV_START);
	for (int i = 0; i < 20; i++) {
		struct lc_status s;
		EXPECT_RC(lc_status(&f->lc, id, &s), 0);
		uint64_t t = s.state == LC_BACKOFF ? s.deadline_ms : 0;
		fx_advance(f, t);
		fx_exit(f, t + 7, id, cycle[i % 3]);
		died[i] = t + 7;
	}
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	EXPECT_EQ(s.history_len, LC_HISTORY_LEN);
	for (uint32_t i = 0; i < LC_HISTORY_LEN; i++) {
		struct lc_death d;
		EXPECT_RC(lc_history(&f->lc, id, i, &d), 0);
		if (d.t_ms != died[i + 4] || d.reason != cycle[(i + 4) % 3])
			fail_msg("history[%u]: expected t=%llu %s, got t=%llu %s", i, (unsigned long long)died[i + 4],
				 lc_reason_name(cycle[(i + 4) % 3]), (unsigned long long)d.t_ms, lc_reason_name(d.reason));
	}
	struct lc_death d;
	EXPECT_RC(lc_history(&f->lc, id, LC_HISTORY_LEN, &d), -LC_ENOENT);
}

static void clean_deaths_stay_out_of_the_history(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_exit(f, 10, id, LC_REASON_POLICY);
	fx_event(f, 20, id, LC_EV_START);
	fx_exit(f, 30, id, LC_REASON_NONE);
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_NONE, 0, 0);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	EXPECT_EQ(s.history_len, 0);
}

static void crash_count_saturates(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy p = { .initial_ms = 1, .factor_milli = 1000, .max_ms = 1, .loop_threshold = 0,
				     .loop_window_ms = 1, .stable_reset_ms = 0, .start_timeout_ms = 1,
				     .stop_timeout_ms = 1 };
	uint32_t id = fx_add(f, &p);
	fx_event(f, 0, id, LC_EV_START);
	/* One start timeout every 2 ms. */
	fx_advance(f, 2U * (LC_CRASH_COUNT_MAX + 100U));
	fx_expect_status(f, id, LC_STARTING, LC_REASON_CRASH, LC_CRASH_COUNT_MAX, 1);
}

static void largest_policy_and_latest_time_do_not_overflow(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy p = { .initial_ms = 1, .factor_milli = LC_FACTOR_MILLI_MAX, .max_ms = LC_MS_MAX,
				     .loop_threshold = 0, .loop_window_ms = LC_MS_MAX, .stable_reset_ms = LC_MS_MAX,
				     .start_timeout_ms = LC_MS_MAX, .stop_timeout_ms = LC_MS_MAX };
	static const uint32_t want[] = { 1, 100, 10000, 1000000, LC_MS_MAX, LC_MS_MAX };
	expect_delays(f, fx_add(f, &p), want, sizeof want / sizeof want[0]);

	fx_reset(f);
	uint32_t late = fx_add(f, &p);
	fx_event(f, LC_T_MAX - 1, late, LC_EV_START);
	fx_exit(f, LC_T_MAX, late, LC_REASON_OOM);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, late, &s), 0);
	EXPECT_EQ(s.deadline_ms, LC_T_MAX + 1);
	fx_advance(f, LC_T_MAX);
	fx_expect_status(f, late, LC_BACKOFF, LC_REASON_OOM, 1, 1);
}

static void policy_check_enforces_every_bound(void **state)
{
	(void)state;
	const struct lc_policy ok = LC_POLICY_DEFAULT;
	struct lc_policy p;
	EXPECT_RC(lc_policy_check(&ok), 0);
	EXPECT_RC(lc_policy_check(NULL), -LC_EINVAL);
#define EXPECT_POLICY(field, value, want)           \
	do {                                        \
		p = ok;                             \
		p.field = (value);                  \
		fx_expect_rc(lc_policy_check(&p), (want), #field " = " #value); \
	} while (0)
	EXPECT_POLICY(initial_ms, 0, -LC_EPOLICY);
	EXPECT_POLICY(initial_ms, 1, 0);
	EXPECT_POLICY(initial_ms, 15001, -LC_EPOLICY);
	EXPECT_POLICY(max_ms, 499, -LC_EPOLICY);
	EXPECT_POLICY(max_ms, 500, 0);
	EXPECT_POLICY(max_ms, LC_MS_MAX, 0);
	EXPECT_POLICY(max_ms, LC_MS_MAX + 1, -LC_EPOLICY);
	EXPECT_POLICY(factor_milli, LC_FACTOR_MILLI_MIN - 1, -LC_EPOLICY);
	EXPECT_POLICY(factor_milli, LC_FACTOR_MILLI_MIN, 0);
	EXPECT_POLICY(factor_milli, LC_FACTOR_MILLI_MAX, 0);
	EXPECT_POLICY(factor_milli, LC_FACTOR_MILLI_MAX + 1, -LC_EPOLICY);
	EXPECT_POLICY(loop_threshold, 0, 0);
	EXPECT_POLICY(loop_threshold, LC_HISTORY_LEN, 0);
	EXPECT_POLICY(loop_threshold, LC_HISTORY_LEN + 1, -LC_EPOLICY);
	EXPECT_POLICY(loop_window_ms, 0, -LC_EPOLICY);
	EXPECT_POLICY(loop_window_ms, LC_MS_MAX + 1, -LC_EPOLICY);
	EXPECT_POLICY(stable_reset_ms, 0, 0);
	EXPECT_POLICY(stable_reset_ms, LC_MS_MAX, 0);
	EXPECT_POLICY(stable_reset_ms, LC_MS_MAX + 1, -LC_EPOLICY);
	EXPECT_POLICY(start_timeout_ms, 0, -LC_EPOLICY);
	EXPECT_POLICY(start_timeout_ms, LC_MS_MAX + 1, -LC_EPOLICY);
	EXPECT_POLICY(stop_timeout_ms, 0, -LC_EPOLICY);
	EXPECT_POLICY(stop_timeout_ms, LC_MS_MAX + 1, -LC_EPOLICY);
#undef EXPECT_POLICY
}

static void invalid_policy_registers_and_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct lc_policy bad = LC_POLICY_DEFAULT;
	bad.max_ms = 100;
	EXPECT_RC(lc_register(&f->lc, &bad), -LC_EPOLICY);
	uint32_t id = fx_add(f, NULL);
	EXPECT_EQ(id, 0);
	EXPECT_RC(lc_set_policy(&f->lc, id, &bad), -LC_EPOLICY);
	run_and_crash(f, id, 0, 50, 100);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 1, 500);
}

static void new_policy_applies_from_the_next_decision(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	run_and_crash(f, id, 0, 50, 100);
	struct lc_policy p = LC_POLICY_DEFAULT;
	p.factor_milli = 3000;
	p.start_timeout_ms = 100;
	EXPECT_RC(lc_set_policy(&f->lc, id, &p), 0);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	EXPECT_EQ(s.deadline_ms, 650);
	run_and_crash(f, id, 0, 50, 100);
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 2, 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(backoff_doubles_from_initial_ms_and_clamps_at_max_ms, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(backoff_factor_rounds_each_step_down_to_whole_ms, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(backoff_with_factor_one_stays_at_initial_ms, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(backoff_expiry_restarts_with_the_crash_reason, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(fifth_death_within_60s_blocks_and_unblock_stops, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(deaths_exactly_loop_window_ms_apart_do_not_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(loop_threshold_zero_never_blocks, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(start_timeouts_count_toward_the_crash_loop, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(stable_run_of_stable_reset_ms_restarts_the_crash_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(stable_reset_zero_never_restarts_the_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(run_that_never_got_ready_is_not_stable, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(stop_and_start_keep_history_and_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(history_keeps_the_last_16_deaths_oldest_first, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(clean_deaths_stay_out_of_the_history, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(crash_count_saturates, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(largest_policy_and_latest_time_do_not_overflow, fx_setup, fx_teardown),
		cmocka_unit_test(policy_check_enforces_every_bound),
		cmocka_unit_test_setup_teardown(invalid_policy_registers_and_changes_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(new_policy_applies_from_the_next_decision, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
