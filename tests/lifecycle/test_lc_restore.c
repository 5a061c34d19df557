/* Lifecycle core: lc_restore(), what a reboot carries over (crash count, delay, blocked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lc_fixture.h"

static void restoring_blocked_enters_blocked_and_refuses_start_until_unblock(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	EXPECT_RC(lc_restore(&f->lc, 7, id, 5, 8000, true), 0);
	EXPECT_LOG(f, "@7 #0 stopped>blocked crash");
	fx_expect_status(f, id, LC_BLOCKED, LC_REASON_CRASH, 5, 8000);
	EXPECT_RC(lc_event(&f->lc, 8, id, LC_EV_START, LC_REASON_NONE), -LC_EBLOCKED);
	EXPECT_NO_CHANGE(f);
	fx_event(f, 9, id, LC_EV_UNBLOCK);
	EXPECT_LOG(f, "@9 #0 blocked>stopped none");
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_NONE, 0, 0);
	fx_event(f, 10, id, LC_EV_START);
	EXPECT_LOG(f, "@10 #0 stopped>starting none");
}

static void restoring_unblocked_keeps_the_count_and_the_next_delay_grows_from_it(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	EXPECT_RC(lc_restore(&f->lc, 0, id, 3, 2000, false), 0);
	EXPECT_NO_CHANGE(f);
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_NONE, 3, 2000);
	fx_event(f, 10, id, LC_EV_START);
	fx_exit(f, 20, id, LC_REASON_CRASH);
	EXPECT_LOG(f, "@10 #0 stopped>starting none", "@20 #0 starting>crashed crash",
		   "@20 #0 crashed>backoff crash delay=4000");
	fx_expect_status(f, id, LC_BACKOFF, LC_REASON_CRASH, 4, 4000);
}

/* Threshold 5: four crashes of an earlier boot and one of this boot do not block. */
static void earlier_boots_deaths_do_not_count_toward_the_crash_loop_window(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	EXPECT_RC(lc_restore(&f->lc, 0, id, 4, 4000, false), 0);
	fx_event(f, 10, id, LC_EV_START);
	fx_exit(f, 20, id, LC_REASON_CRASH);
	EXPECT_LOG(f, "@10 #0 stopped>starting none", "@20 #0 starting>crashed crash",
		   "@20 #0 crashed>backoff crash delay=8000");
	struct lc_status st;
	EXPECT_RC(lc_status(&f->lc, id, &st), 0);
	EXPECT_EQ(st.history_len, 1);
}

static void restore_takes_every_bound_and_refuses_one_past_it(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy def = LC_POLICY_DEFAULT;
	const struct {
		uint32_t count, delay;
		bool blocked;
		int want;
	} cases[] = {
		{ 0, 0, false, 0 },
		{ 0, 1, false, -LC_EINVAL },
		{ 0, 0, true, -LC_EINVAL },
		{ 1, def.initial_ms, true, 0 },
		{ 1, def.initial_ms - 1, false, -LC_EINVAL },
		{ 1, def.max_ms, false, 0 },
		{ 1, def.max_ms + 1, false, -LC_EINVAL },
		{ 1, 0, false, -LC_EINVAL },
		{ LC_CRASH_COUNT_MAX, def.max_ms, true, 0 },
		{ LC_CRASH_COUNT_MAX + 1, def.max_ms, false, -LC_EINVAL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fx_reset(f);
		uint32_t id = fx_add(f, NULL);
		int rc = lc_restore(&f->lc, 0, id, cases[i].count, cases[i].delay, cases[i].blocked);
		if (rc != cases[i].want)
			fail_msg("restore(count %u, delay %u, blocked %d): expected %s, got %s", cases[i].count,
				 cases[i].delay, cases[i].blocked, lc_strerror(cases[i].want), lc_strerror(rc));
		if (rc != 0) {
			fx_expect_status(f, id, LC_STOPPED, LC_REASON_NONE, 0, 0);
			EXPECT_NO_CHANGE(f);
		} else {
			fx_expect_status(f, id, cases[i].blocked ? LC_BLOCKED : LC_STOPPED,
					 cases[i].blocked ? LC_REASON_CRASH : LC_REASON_NONE, cases[i].count, cases[i].delay);
		}
	}
}

static void restore_refuses_bad_ids_times_and_cores(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_advance(f, 100);
	EXPECT_RC(lc_restore(&f->lc, 100, id + 1, 1, 500, true), -LC_ENOENT);
	EXPECT_RC(lc_restore(&f->lc, 99, id, 1, 500, true), -LC_ETIME);
	EXPECT_RC(lc_restore(&f->lc, LC_T_MAX + 1, id, 1, 500, true), -LC_EINVAL);
	EXPECT_RC(lc_restore(NULL, 100, id, 1, 500, true), -LC_EINVAL);
	EXPECT_NO_CHANGE(f);
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_NONE, 0, 0);
	EXPECT_RC(lc_restore(&f->lc, LC_T_MAX, id, 1, 500, true), 0);
}

/* Once anything has happened to an ability, a restore would overwrite this boot's facts. */
static void restore_after_anything_happened_is_refused_and_changes_nothing(void **state)
{
	struct fixture *f = *state;
	enum { STARTED, RUNNING, STOPPED_AGAIN, BACKING_OFF, RESTORED, UNBLOCKED, CASES };
	for (int c = 0; c < CASES; c++) {
		fx_reset(f);
		uint32_t id = fx_add(f, NULL);
		if (c == RESTORED || c == UNBLOCKED)
			EXPECT_RC(lc_restore(&f->lc, 0, id, 1, 500, c == UNBLOCKED), 0);
		if (c == UNBLOCKED)
			fx_event(f, 1, id, LC_EV_UNBLOCK);
		if (c != RESTORED && c != UNBLOCKED)
			fx_event(f, 1, id, LC_EV_START);
		if (c == RUNNING || c == STOPPED_AGAIN)
			fx_event(f, 2, id, LC_EV_READY_FG);
		if (c == STOPPED_AGAIN) {
			fx_event(f, 3, id, LC_EV_STOP);
			fx_exit(f, 4, id, LC_REASON_NONE);
		}
		if (c == BACKING_OFF)
			fx_exit(f, 4, id, LC_REASON_CRASH);
		struct lc_status before, after;
		memset(&before, 0, sizeof before);
		memset(&after, 0, sizeof after);
		EXPECT_RC(lc_status(&f->lc, id, &before), 0);
		f->logged = 0;
		int rc = lc_restore(&f->lc, 5, id, 2, 1000, true);
		if (c == UNBLOCKED) {
			/* Unblock clears the count, the delay and the history: as registered again. */
			EXPECT_RC(rc, 0);
			continue;
		}
		if (rc != -LC_EINVALID_TRANSITION)
			fail_msg("case %d: restore gave %s, want invalid transition", c, lc_strerror(rc));
		EXPECT_RC(lc_status(&f->lc, id, &after), 0);
		if (before.state != after.state || before.reason != after.reason || before.crash_count != after.crash_count ||
		    before.delay_ms != after.delay_ms || before.history_len != after.history_len ||
		    before.has_deadline != after.has_deadline || before.deadline_ms != after.deadline_ms)
			fail_msg("case %d: a refused restore changed the ability", c);
		EXPECT_NO_CHANGE(f);
	}
}

static void restore_fires_the_timers_due_first(void **state)
{
	struct fixture *f = *state;
	uint32_t a = fx_add(f, NULL), b = fx_add(f, NULL);
	fx_event(f, 0, a, LC_EV_START);
	fx_exit(f, 100, a, LC_REASON_CRASH);
	f->logged = 0;
	EXPECT_RC(lc_restore(&f->lc, 600, b, 1, 500, true), 0);
	EXPECT_LOG(f, "@600 #0 backoff>starting crash", "@600 #1 stopped>blocked crash");
}

static struct lc busy_core;
static int busy_rc = 1;

static void restore_from_on_change(void *ctx, const struct lc_change *c)
{
	(void)ctx;
	busy_rc = lc_restore(&busy_core, c->t_ms, c->id, 1, 500, true);
}

static void restore_from_on_change_is_refused_with_busy(void **state)
{
	(void)state;
	const struct lc_ops ops = { .on_change = restore_from_on_change };
	const struct lc_policy p = LC_POLICY_DEFAULT;
	EXPECT_RC(lc_init(&busy_core, &ops), 0);
	EXPECT_RC(lc_register(&busy_core, &p), 0);
	EXPECT_RC(lc_register(&busy_core, &p), 1);
	EXPECT_RC(lc_event(&busy_core, 0, 0, LC_EV_START, LC_REASON_NONE), 0);
	EXPECT_RC(busy_rc, -LC_EBUSY);
	struct lc_status st;
	EXPECT_RC(lc_status(&busy_core, 1, &st), 0);
	EXPECT_EQ(st.state, LC_STOPPED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(restoring_blocked_enters_blocked_and_refuses_start_until_unblock, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(restoring_unblocked_keeps_the_count_and_the_next_delay_grows_from_it,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(earlier_boots_deaths_do_not_count_toward_the_crash_loop_window, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(restore_takes_every_bound_and_refuses_one_past_it, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(restore_refuses_bad_ids_times_and_cores, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(restore_after_anything_happened_is_refused_and_changes_nothing, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(restore_fires_the_timers_due_first, fx_setup, fx_teardown),
		cmocka_unit_test(restore_from_on_change_is_refused_with_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
