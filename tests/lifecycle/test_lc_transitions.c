/* Lifecycle core: the transition table, kill reasons, timeouts, timer order and the API's errors. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lc_fixture.h"

static void happy_path_goes_stopped_starting_runningFg_stopping_stopped(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_event(f, 120, id, LC_EV_READY_FG);
	fx_event(f, 9000, id, LC_EV_STOP);
	fx_exit(f, 9040, id, LC_REASON_NONE);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@120 #0 starting>runningFg none",
		   "@9000 #0 runningFg>stopping request", "@9040 #0 stopping>stopped request");
	fx_expect_status(f, id, LC_STOPPED, LC_REASON_REQUEST, 0, 0);
	uint64_t t;
	EXPECT_RC(lc_next_deadline(&f->lc, &t), -LC_ENOENT);
}

static void fg_and_bg_switch_between_the_running_states(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_event(f, 10, id, LC_EV_READY_BG);
	fx_event(f, 20, id, LC_EV_FG);
	fx_event(f, 30, id, LC_EV_BG);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@10 #0 starting>runningBg none",
		   "@20 #0 runningBg>runningFg none", "@30 #0 runningFg>runningBg none");
}

/*
 * Start over with one ability, brought into `s` by t = 100 with no timer due before t = 600,
 * and an empty log.
 */
static uint32_t reach(struct fixture *f, enum lc_state s)
{
	struct lc_policy one_crash_blocks = LC_POLICY_DEFAULT;
	one_crash_blocks.loop_threshold = 1;
	fx_reset(f);
	uint32_t id = fx_add(f, s == LC_BLOCKED ? &one_crash_blocks : NULL);
	if (s != LC_STOPPED)
		fx_event(f, 0, id, LC_EV_START);
	if (s != LC_STOPPED && s != LC_STARTING)
		fx_event(f, 50, id, s == LC_RUNNING_BG ? LC_EV_READY_BG : LC_EV_READY_FG);
	if (s == LC_STOPPING)
		fx_event(f, 100, id, LC_EV_STOP);
	else if (s == LC_BACKOFF || s == LC_BLOCKED)
		fx_exit(f, 100, id, LC_REASON_CRASH);
	f->logged = 0;
	return id;
}

static void status_text(struct fixture *f, uint32_t id, char *buf, size_t len)
{
	struct lc_status s;
	uint64_t next = 0;
	int next_rc = lc_next_deadline(&f->lc, &next);
	EXPECT_RC(lc_status(&f->lc, id, &s), 0);
	snprintf(buf, len, "%s %s count=%u delay=%u hist=%u deadline=%d:%llu next=%d:%llu", lc_state_name(s.state),
		 lc_reason_name(s.reason), s.crash_count, s.delay_ms, s.history_len, s.has_deadline,
		 (unsigned long long)s.deadline_ms, next_rc, (unsigned long long)next);
}

#define NO (-LC_EINVALID_TRANSITION)
#define BLK (-LC_EBLOCKED)

static void every_event_outside_its_states_is_refused_and_changes_nothing(void **state)
{
	struct fixture *f = *state;
	static const enum lc_state from[] = { LC_STOPPED,  LC_STARTING, LC_RUNNING_FG, LC_RUNNING_BG,
					      LC_STOPPING, LC_BACKOFF,  LC_BLOCKED };
	/* The state after each event, or the refusal. Kill and exit carry reason oom. */
	static const int want[][LC_EV_COUNT] = {
		/*             start        ready fg       ready bg       fg             bg             stop         kill         exit        unblock     starved */
		/* stopped */ { LC_STARTING, NO,            NO,            NO,            NO,            NO,          NO,          NO,         NO,         NO },
		/* starting */ { NO,         LC_RUNNING_FG, LC_RUNNING_BG, NO,            NO,            LC_STOPPING, LC_STOPPING, LC_BACKOFF, NO,         LC_STARTING },
		/* fg */       { NO,         NO,            NO,            NO,            LC_RUNNING_BG, LC_STOPPING, LC_STOPPING, LC_BACKOFF, NO,         NO },
		/* bg */       { NO,         NO,            NO,            LC_RUNNING_FG, NO,            LC_STOPPING, LC_STOPPING, LC_BACKOFF, NO,         NO },
		/* stopping */ { NO,         NO,            NO,            NO,            NO,            NO,          NO,          LC_STOPPED, NO,         NO },
		/* backoff */  { NO,         NO,            NO,            NO,            NO,            LC_STOPPED,  NO,          NO,         NO,         NO },
		/* blocked */  { BLK,        NO,            NO,            NO,            NO,            NO,          NO,          NO,         LC_STOPPED, NO },
	};
	char before[160], after[160];

	for (size_t s = 0; s < sizeof from / sizeof from[0]; s++) {
		for (int k = 0; k < LC_EV_COUNT; k++) {
			uint32_t id = reach(f, from[s]);
			status_text(f, id, before, sizeof before);
			enum lc_reason r = (k == LC_EV_KILL || k == LC_EV_EXIT) ? LC_REASON_OOM : LC_REASON_NONE;
			int rc = lc_event(&f->lc, 200, id, (enum lc_event_kind)k, r);
			struct lc_status st;
			EXPECT_RC(lc_status(&f->lc, id, &st), 0);
			int got = rc < 0 ? rc : (int)st.state;
			if (got != want[s][k])
				fail_msg("event %d in %s: expected %d, got %d (%s)", k, lc_state_name(from[s]), want[s][k],
					 got, rc < 0 ? lc_strerror(rc) : lc_state_name(st.state));
			if (rc < 0) {
				status_text(f, id, after, sizeof after);
				if (strcmp(before, after) != 0)
					fail_msg("refused event %d in %s changed \"%s\" into \"%s\"", k,
						 lc_state_name(from[s]), before, after);
				EXPECT_NO_CHANGE(f);
			}
		}
	}
}

static void start_while_blocked_is_refused_with_blocked(void **state)
{
	struct fixture *f = *state;
	struct lc_policy p = LC_POLICY_DEFAULT;
	p.loop_threshold = 1;
	uint32_t id = fx_add(f, &p);
	fx_event(f, 0, id, LC_EV_START);
	fx_exit(f, 10, id, LC_REASON_SIGNAL);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@10 #0 starting>crashed signal", "@10 #0 crashed>blocked signal");
	EXPECT_RC(lc_event(&f->lc, 20, id, LC_EV_START, LC_REASON_NONE), -LC_EBLOCKED);
	EXPECT_NO_CHANGE(f);
	fx_expect_status(f, id, LC_BLOCKED, LC_REASON_SIGNAL, 1, 0);
}

static bool restarts(enum lc_reason r)
{
	return r == LC_REASON_CRASH || r == LC_REASON_OOM || r == LC_REASON_SIGNAL;
}

static void kill_reason_propagates_into_every_change(void **state)
{
	struct fixture *f = *state;
	char want[4][64];
	for (int i = 0; i < LC_REASON_COUNT; i++) {
		enum lc_reason r = (enum lc_reason)i;
		const char *name = lc_reason_name(r);
		uint32_t id = reach(f, LC_RUNNING_FG);
		fx_kill(f, 200, id, r);
		fx_exit(f, 300, id, LC_REASON_NONE);
		fx_advance(f, 800);
		snprintf(want[0], sizeof want[0], "@200 #0 runningFg>stopping %s", name);
		if (restarts(r)) {
			snprintf(want[1], sizeof want[1], "@300 #0 stopping>crashed %s", name);
			snprintf(want[2], sizeof want[2], "@300 #0 crashed>backoff %s delay=500", name);
			snprintf(want[3], sizeof want[3], "@800 #0 backoff>starting %s", name);
			EXPECT_LOG(f, want[0], want[1], want[2], want[3]);
		} else {
			snprintf(want[1], sizeof want[1], "@300 #0 stopping>stopped %s", name);
			EXPECT_LOG(f, want[0], want[1]);
		}
	}
}

static void exit_reason_is_used_outside_stopping(void **state)
{
	struct fixture *f = *state;
	char want[2][64];
	for (int i = 0; i < LC_REASON_COUNT; i++) {
		enum lc_reason r = (enum lc_reason)i;
		const char *name = lc_reason_name(r);
		uint32_t id = reach(f, LC_RUNNING_BG);
		fx_exit(f, 200, id, r);
		if (restarts(r)) {
			snprintf(want[0], sizeof want[0], "@200 #0 runningBg>crashed %s", name);
			snprintf(want[1], sizeof want[1], "@200 #0 crashed>backoff %s delay=500", name);
			EXPECT_LOG(f, want[0], want[1]);
		} else {
			snprintf(want[0], sizeof want[0], "@200 #0 runningBg>stopped %s", name);
			EXPECT_LOG(f, want[0]);
		}
	}
}

static void reason_recorded_at_stop_or_kill_wins_over_the_exit_reason(void **state)
{
	struct fixture *f = *state;
	uint32_t a = fx_add(f, NULL), b = fx_add(f, NULL);
	fx_event(f, 0, a, LC_EV_START);
	fx_event(f, 0, b, LC_EV_START);
	fx_event(f, 10, a, LC_EV_STOP);
	fx_kill(f, 10, b, LC_REASON_POLICY);
	fx_exit(f, 20, a, LC_REASON_CRASH);
	fx_exit(f, 20, b, LC_REASON_OOM);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@0 #1 stopped>starting none", "@10 #0 starting>stopping request",
		   "@10 #1 starting>stopping policy", "@20 #0 stopping>stopped request", "@20 #1 stopping>stopped policy");
	fx_expect_status(f, a, LC_STOPPED, LC_REASON_REQUEST, 0, 0);
}

static void stop_in_backoff_cancels_the_restart(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_exit(f, 10, id, LC_REASON_CRASH);
	fx_event(f, 100, id, LC_EV_STOP);
	fx_advance(f, 100000);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@10 #0 starting>crashed crash", "@10 #0 crashed>backoff crash delay=500",
		   "@100 #0 backoff>stopped request");
	uint64_t t;
	EXPECT_RC(lc_next_deadline(&f->lc, &t), -LC_ENOENT);
}

static void start_timeout_crashes_and_marks_the_cascade(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_advance(f, 4999);
	EXPECT_LOG(f, "@0 #0 stopped>starting none");
	fx_advance(f, 5600);
	EXPECT_LOG(f, "@5000 #0 starting>crashed crash timeout", "@5000 #0 crashed>backoff crash delay=500 timeout",
		   "@5500 #0 backoff>starting crash");
	struct lc_death d;
	EXPECT_RC(lc_history(&f->lc, id, 0, &d), 0);
	EXPECT_EQ(d.t_ms, 5000);
	EXPECT_EQ(d.reason, LC_REASON_CRASH);
}

static void starved_start_restarts_its_timeout_without_a_crash(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	fx_event(f, 4999, id, LC_EV_STARVED);
	fx_advance(f, 9998);
	EXPECT_LOG(f, "@0 #0 stopped>starting none");
	fx_expect_status(f, id, LC_STARTING, LC_REASON_NONE, 0, 0);
	fx_advance(f, 9999);
	EXPECT_LOG(f, "@9999 #0 starting>crashed crash timeout",
		   "@9999 #0 crashed>backoff crash delay=500 timeout");
}

static void starved_at_the_start_deadline_comes_after_the_timeout(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	EXPECT_RC(lc_event(&f->lc, 5000, id, LC_EV_STARVED, LC_REASON_NONE), -LC_EINVALID_TRANSITION);
	struct lc_status st;
	EXPECT_RC(lc_status(&f->lc, id, &st), 0);
	EXPECT_EQ(st.crash_count, 1);
}

static void ready_at_the_start_deadline_comes_after_the_timeout(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	EXPECT_RC(lc_event(&f->lc, 5000, id, LC_EV_READY_FG, LC_REASON_NONE), -LC_EINVALID_TRANSITION);
	EXPECT_LOG(f, "@0 #0 stopped>starting none", "@5000 #0 starting>crashed crash timeout",
		   "@5000 #0 crashed>backoff crash delay=500 timeout");
}

static void stop_timeout_acts_as_the_exit_with_the_recorded_reason(void **state)
{
	struct fixture *f = *state;
	uint32_t a = fx_add(f, NULL), b = fx_add(f, NULL);
	fx_event(f, 0, a, LC_EV_START);
	fx_event(f, 0, b, LC_EV_START);
	fx_event(f, 10, a, LC_EV_READY_FG);
	fx_event(f, 10, b, LC_EV_READY_BG);
	fx_event(f, 20, a, LC_EV_STOP);
	fx_kill(f, 20, b, LC_REASON_OOM);
	f->logged = 0;
	fx_advance(f, 5019);
	EXPECT_NO_CHANGE(f);
	fx_advance(f, 5020);
	EXPECT_LOG(f, "@5020 #0 stopping>stopped request timeout", "@5020 #1 stopping>crashed oom timeout",
		   "@5020 #1 crashed>backoff oom delay=500 timeout");
}

static void timers_fire_in_deadline_order_ties_in_registration_order(void **state)
{
	struct fixture *f = *state;
	struct lc_policy quick = LC_POLICY_DEFAULT, slower = LC_POLICY_DEFAULT;
	quick.start_timeout_ms = 3000;
	slower.start_timeout_ms = 4000;
	uint32_t a = fx_add(f, NULL), b = fx_add(f, NULL), c = fx_add(f, &quick), d = fx_add(f, &slower);
	fx_event(f, 0, c, LC_EV_START);
	fx_event(f, 0, b, LC_EV_START);
	fx_event(f, 0, a, LC_EV_START);
	fx_event(f, 1000, d, LC_EV_START);
	uint64_t next;
	EXPECT_RC(lc_next_deadline(&f->lc, &next), 0);
	EXPECT_EQ(next, 3000);
	f->logged = 0;
	fx_advance(f, 5000);
	EXPECT_LOG(f, "@3000 #2 starting>crashed crash timeout", "@3000 #2 crashed>backoff crash delay=500 timeout",
		   "@3500 #2 backoff>starting crash", "@5000 #0 starting>crashed crash timeout",
		   "@5000 #0 crashed>backoff crash delay=500 timeout", "@5000 #1 starting>crashed crash timeout",
		   "@5000 #1 crashed>backoff crash delay=500 timeout", "@5000 #3 starting>crashed crash timeout",
		   "@5000 #3 crashed>backoff crash delay=500 timeout");
	EXPECT_RC(lc_next_deadline(&f->lc, &next), 0);
	EXPECT_EQ(next, 5500);
}

static void refused_event_still_fires_the_timers_due_before_it(void **state)
{
	struct fixture *f = *state;
	uint32_t a = fx_add(f, NULL), b = fx_add(f, NULL);
	fx_event(f, 0, a, LC_EV_START);
	f->logged = 0;
	EXPECT_RC(lc_event(&f->lc, 6000, b, LC_EV_FG, LC_REASON_NONE), -LC_EINVALID_TRANSITION);
	EXPECT_LOG(f, "@5000 #0 starting>crashed crash timeout", "@5000 #0 crashed>backoff crash delay=500 timeout",
		   "@5500 #0 backoff>starting crash");
	fx_expect_status(f, b, LC_STOPPED, LC_REASON_NONE, 0, 0);
}

static void time_going_backwards_is_refused_and_changes_nothing(void **state)
{
	struct fixture *f = *state;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 100, id, LC_EV_START);
	f->logged = 0;
	EXPECT_RC(lc_event(&f->lc, 99, id, LC_EV_READY_FG, LC_REASON_NONE), -LC_ETIME);
	EXPECT_RC(lc_advance(&f->lc, 99), -LC_ETIME);
	EXPECT_NO_CHANGE(f);
	fx_expect_status(f, id, LC_STARTING, LC_REASON_NONE, 0, 0);
	fx_event(f, 100, id, LC_EV_READY_FG);
	EXPECT_LOG(f, "@100 #0 starting>runningFg none");
}

static void bad_arguments_are_refused_and_fire_nothing(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy p = LC_POLICY_DEFAULT;
	const struct lc_ops no_callback = { 0 };
	struct lc_status s;
	struct lc_death d;
	uint64_t t;
	uint32_t id = fx_add(f, NULL);
	fx_event(f, 0, id, LC_EV_START);
	f->logged = 0;

	EXPECT_RC(lc_init(NULL, &no_callback), -LC_EINVAL);
	EXPECT_RC(lc_init(&f->lc, NULL), -LC_EINVAL);
	EXPECT_RC(lc_init(&f->lc, &no_callback), -LC_EINVAL);
	EXPECT_RC(lc_register(NULL, &p), -LC_EINVAL);
	EXPECT_RC(lc_register(&f->lc, NULL), -LC_EINVAL);
	EXPECT_RC(lc_set_policy(&f->lc, 1, &p), -LC_ENOENT);
	EXPECT_RC(lc_set_policy(&f->lc, id, NULL), -LC_EINVAL);
	EXPECT_RC(lc_advance(NULL, 0), -LC_EINVAL);
	EXPECT_RC(lc_advance(&f->lc, LC_T_MAX + 1), -LC_EINVAL);
	/* Each at t = 6000, past the start timeout: a refusal for the arguments fires no timer. */
	EXPECT_RC(lc_event(NULL, 6000, id, LC_EV_STOP, LC_REASON_NONE), -LC_EINVAL);
	EXPECT_RC(lc_event(&f->lc, 6000, 1, LC_EV_STOP, LC_REASON_NONE), -LC_ENOENT);
	EXPECT_RC(lc_event(&f->lc, 6000, UINT32_MAX, LC_EV_STOP, LC_REASON_NONE), -LC_ENOENT);
	EXPECT_RC(lc_event(&f->lc, 6000, id, LC_EV_COUNT, LC_REASON_NONE), -LC_EINVAL);
	EXPECT_RC(lc_event(&f->lc, 6000, id, LC_EV_KILL, LC_REASON_COUNT), -LC_EINVAL);
	EXPECT_RC(lc_event(&f->lc, 6000, id, LC_EV_STOP, LC_REASON_OOM), -LC_EINVAL);
	EXPECT_RC(lc_event(&f->lc, LC_T_MAX + 1, id, LC_EV_STOP, LC_REASON_NONE), -LC_EINVAL);
	EXPECT_NO_CHANGE(f);
	EXPECT_RC(lc_next_deadline(&f->lc, &t), 0);
	EXPECT_EQ(t, 5000);

	EXPECT_RC(lc_next_deadline(NULL, &t), -LC_EINVAL);
	EXPECT_RC(lc_next_deadline(&f->lc, NULL), -LC_EINVAL);
	EXPECT_RC(lc_status(NULL, id, &s), -LC_EINVAL);
	EXPECT_RC(lc_status(&f->lc, id, NULL), -LC_EINVAL);
	EXPECT_RC(lc_status(&f->lc, 1, &s), -LC_ENOENT);
	EXPECT_RC(lc_history(NULL, id, 0, &d), -LC_EINVAL);
	EXPECT_RC(lc_history(&f->lc, id, 0, NULL), -LC_EINVAL);
	EXPECT_RC(lc_history(&f->lc, 1, 0, &d), -LC_ENOENT);
	EXPECT_RC(lc_history(&f->lc, id, 0, &d), -LC_ENOENT);
}

static void capacity_full_refuses_the_ability_one_past_capacity(void **state)
{
	struct fixture *f = *state;
	const struct lc_policy p = LC_POLICY_DEFAULT;
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i++)
		EXPECT_RC(lc_register(&f->lc, &p), (int)i);
	EXPECT_RC(lc_register(&f->lc, &p), -LC_EFULL);
	struct lc_status s;
	EXPECT_RC(lc_status(&f->lc, LC_MAX_ABILITIES, &s), -LC_ENOENT);
	fx_event(f, 0, LC_MAX_ABILITIES - 1, LC_EV_START);
	char last[40];
	snprintf(last, sizeof last, "@0 #%u stopped>starting none", LC_MAX_ABILITIES - 1U);
	EXPECT_LOG(f, last);
}

static void next_deadline_follows_the_earliest_timer(void **state)
{
	struct fixture *f = *state;
	struct lc_policy short_start = LC_POLICY_DEFAULT;
	short_start.start_timeout_ms = 1000;
	uint32_t a = fx_add(f, NULL), b = fx_add(f, &short_start);
	uint64_t t;
	struct lc_status s;
	EXPECT_RC(lc_next_deadline(&f->lc, &t), -LC_ENOENT);
	fx_event(f, 0, a, LC_EV_START);
	EXPECT_RC(lc_next_deadline(&f->lc, &t), 0);
	EXPECT_EQ(t, 5000);
	fx_event(f, 100, b, LC_EV_START);
	EXPECT_RC(lc_next_deadline(&f->lc, &t), 0);
	EXPECT_EQ(t, 1100);
	fx_event(f, 200, b, LC_EV_READY_FG);
	EXPECT_RC(lc_next_deadline(&f->lc, &t), 0);
	EXPECT_EQ(t, 5000);
	fx_exit(f, 300, b, LC_REASON_CRASH);
	EXPECT_RC(lc_next_deadline(&f->lc, &t), 0);
	EXPECT_EQ(t, 800);
	EXPECT_RC(lc_status(&f->lc, b, &s), 0);
	EXPECT_EQ(s.has_deadline, true);
	EXPECT_EQ(s.deadline_ms, 800);
	fx_event(f, 400, a, LC_EV_READY_BG);
	fx_event(f, 400, b, LC_EV_STOP);
	EXPECT_RC(lc_next_deadline(&f->lc, &t), -LC_ENOENT);
	EXPECT_RC(lc_status(&f->lc, b, &s), 0);
	EXPECT_EQ(s.has_deadline, false);
}

/* A callback that tries to change the core from inside a report. */
struct meddler {
	struct lc lc;
	int event_rc, advance_rc, register_rc, policy_rc, status_rc;
	enum lc_state seen_state;
};

static void meddle(void *ctx, const struct lc_change *c)
{
	struct meddler *m = ctx;
	const struct lc_policy p = LC_POLICY_DEFAULT;
	struct lc_status s;
	m->event_rc = lc_event(&m->lc, c->t_ms, c->id, LC_EV_READY_FG, LC_REASON_NONE);
	m->advance_rc = lc_advance(&m->lc, c->t_ms + 1);
	m->register_rc = lc_register(&m->lc, &p);
	m->policy_rc = lc_set_policy(&m->lc, c->id, &p);
	m->status_rc = lc_status(&m->lc, c->id, &s);
	m->seen_state = s.state;
}

static void callback_may_query_but_not_change_the_core(void **state)
{
	(void)state;
	struct meddler m = { 0 };
	const struct lc_ops ops = { .on_change = meddle, .ctx = &m };
	const struct lc_policy p = LC_POLICY_DEFAULT;
	EXPECT_RC(lc_init(&m.lc, &ops), 0);
	EXPECT_RC(lc_register(&m.lc, &p), 0);
	EXPECT_RC(lc_event(&m.lc, 0, 0, LC_EV_START, LC_REASON_NONE), 0);
	EXPECT_RC(m.event_rc, -LC_EBUSY);
	EXPECT_RC(m.advance_rc, -LC_EBUSY);
	EXPECT_RC(m.register_rc, -LC_EBUSY);
	EXPECT_RC(m.policy_rc, -LC_EBUSY);
	EXPECT_RC(m.status_rc, 0);
	EXPECT_EQ(m.seen_state, LC_STARTING);
	EXPECT_RC(lc_register(&m.lc, &p), 1);
}

/* A fixed script over three abilities, timers included; its log as text. */
static void run_script(struct fixture *f, char *out, size_t len)
{
	struct lc_policy quick = LC_POLICY_DEFAULT;
	quick.start_timeout_ms = 700;
	fx_reset(f);
	uint32_t a = fx_add(f, NULL), b = fx_add(f, &quick), c = fx_add(f, NULL);
	fx_event(f, 0, a, LC_EV_START);
	fx_event(f, 0, b, LC_EV_START);
	fx_event(f, 5, c, LC_EV_START);
	fx_event(f, 10, a, LC_EV_READY_FG);
	fx_exit(f, 20, a, LC_REASON_OOM);
	fx_kill(f, 30, c, LC_REASON_SIGNAL);
	fx_advance(f, 9000);
	size_t used = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < f->logged && i < FX_LOG_MAX && used + 1 < len; i++) {
		fx_format(&f->log[i], out + used, len - used - 1);
		used += strlen(out + used);
		out[used++] = '\n';
		out[used] = '\0';
	}
}

static void same_input_gives_the_same_output(void **state)
{
	struct fixture *f = *state;
	char first[4096], second[4096];
	run_script(f, first, sizeof first);
	run_script(f, second, sizeof second);
	assert_true(f->logged > 10);
	assert_string_equal(first, second);
}

static void every_code_state_and_reason_has_a_name(void **state)
{
	(void)state;
	static const char *const states[] = { "stopped",  "starting", "runningFg", "runningBg",
					      "stopping", "crashed",  "backoff",   "blocked" };
	static const char *const reasons[] = { "none", "crash", "policy", "oom", "signal", "request" };
	for (int i = 0; i < LC_STATE_COUNT; i++)
		assert_string_equal(lc_state_name((enum lc_state)i), states[i]);
	for (int i = 0; i < LC_REASON_COUNT; i++)
		assert_string_equal(lc_reason_name((enum lc_reason)i), reasons[i]);
	for (int i = 0; i < LC_ERR_COUNT; i++)
		assert_string_not_equal(lc_strerror(-i), "unknown error");
	assert_string_equal(lc_strerror(-LC_ERR_COUNT), "unknown error");
	assert_string_equal(lc_strerror(1), "unknown error");
	assert_string_equal(lc_strerror(INT_MIN), "unknown error");
	assert_string_equal(lc_strerror(INT_MAX), "unknown error");
	assert_string_equal(lc_state_name(LC_STATE_COUNT), "?");
	assert_string_equal(lc_reason_name(LC_REASON_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(happy_path_goes_stopped_starting_runningFg_stopping_stopped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(fg_and_bg_switch_between_the_running_states, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(every_event_outside_its_states_is_refused_and_changes_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(start_while_blocked_is_refused_with_blocked, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(kill_reason_propagates_into_every_change, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(exit_reason_is_used_outside_stopping, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(reason_recorded_at_stop_or_kill_wins_over_the_exit_reason, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(stop_in_backoff_cancels_the_restart, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(start_timeout_crashes_and_marks_the_cascade, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(ready_at_the_start_deadline_comes_after_the_timeout, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(starved_start_restarts_its_timeout_without_a_crash, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(starved_at_the_start_deadline_comes_after_the_timeout, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(stop_timeout_acts_as_the_exit_with_the_recorded_reason, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(timers_fire_in_deadline_order_ties_in_registration_order, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(refused_event_still_fires_the_timers_due_before_it, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(time_going_backwards_is_refused_and_changes_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(bad_arguments_are_refused_and_fire_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(capacity_full_refuses_the_ability_one_past_capacity, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(next_deadline_follows_the_earliest_timer, fx_setup, fx_teardown),
		cmocka_unit_test(callback_may_query_but_not_change_the_core),
		cmocka_unit_test_setup_teardown(same_input_gives_the_same_output, fx_setup, fx_teardown),
		cmocka_unit_test(every_code_state_and_reason_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
