/*
 * Lifecycle core at full capacity: the timer heap against a sorted reference with every
 * ability timed, and what on_change sees of a crashed ability's old timer. Built at the build's
 * capacity and at the second one (tests/lifecycle/meson.build), so 32 and 1024 both run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lc/lifecycle.h"

struct seen {
	uint32_t id[LC_MAX_ABILITIES];
	uint64_t t[LC_MAX_ABILITIES];
	uint32_t n;
	int next_rc;       /* lc_next_deadline() from the callback of the last crash */
	uint64_t next;     /* and its answer */
	bool crashed_timed; /* lc_status() of the crashed ability, from that callback */
};

static struct lc core;
static struct seen seen;
static enum lc_state recorded; /* the changes into this state are recorded */

/* Record every change into `recorded`, with the callback's view of the core on a crash. */
static void record(void *ctx, const struct lc_change *c)
{
	(void)ctx;
	if (c->to == LC_CRASHED) {
		struct lc_status st;
		seen.next_rc = lc_next_deadline(&core, &seen.next);
		assert_int_equal(lc_status(&core, c->id, &st), 0);
		seen.crashed_timed = st.has_deadline;
	}
	if (c->to != recorded)
		return;
	assert_true(seen.n < LC_MAX_ABILITIES);
	seen.id[seen.n] = c->id;
	seen.t[seen.n] = c->t_ms;
	seen.n++;
}

static void setup_core(enum lc_state to)
{
	const struct lc_ops ops = { .on_change = record, .ctx = NULL };
	recorded = to;
	seen = (struct seen){ .n = 0 };
	assert_int_equal(lc_init(&core, &ops), 0);
}

/* Start timeout of ability i: scattered over 1..97 ms, with ties. */
static uint32_t start_timeout(uint32_t i)
{
	return 1U + (i * 37U) % 97U;
}

struct key {
	uint64_t t;
	uint32_t id;
};

static int by_deadline_then_id(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Every ability registered and started at t = 0; every third one ready at once, which takes
 * its timer out of the middle of the heap. The others' start timeouts must fire in deadline
 * order, ties in registration order (qsort of the same keys is the reference), and so must
 * the restarts that follow.
 */
static void every_ability_timed_fires_in_deadline_then_id_order(void **state)
{
	(void)state;
	static struct key want[LC_MAX_ABILITIES];
	uint32_t nwant = 0;
	setup_core(LC_CRASHED);
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i++) {
		struct lc_policy p = LC_POLICY_DEFAULT;
		p.start_timeout_ms = start_timeout(i);
		p.initial_ms = 1000U + start_timeout(LC_MAX_ABILITIES - 1U - i);
		assert_int_equal(lc_register(&core, &p), (int)i);
	}
	struct lc_policy p = LC_POLICY_DEFAULT;
	assert_int_equal(lc_register(&core, &p), -LC_EFULL);
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i++)
		assert_int_equal(lc_event(&core, 0, i, LC_EV_START, LC_REASON_NONE), 0);
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i += 3)
		assert_int_equal(lc_event(&core, 0, i, LC_EV_READY_BG, LC_REASON_NONE), 0);
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i++) {
		if (i % 3 != 0)
			want[nwant++] = (struct key){ .t = start_timeout(i), .id = i };
	}
	qsort(want, nwant, sizeof want[0], by_deadline_then_id);
	uint64_t next = 0;
	assert_int_equal(lc_next_deadline(&core, &next), nwant ? 0 : -LC_ENOENT);
	if (nwant)
		assert_int_equal(next, want[0].t);

	assert_int_equal(lc_advance(&core, 100), 0);
	assert_int_equal(seen.n, nwant);
	for (uint32_t k = 0; k < nwant; k++) {
		assert_int_equal(seen.id[k], want[k].id);
		assert_int_equal(seen.t[k], want[k].t);
	}

	/* The restarts: each at its timeout plus its own initial delay. */
	for (uint32_t k = 0; k < nwant; k++)
		want[k].t += 1000U + start_timeout(LC_MAX_ABILITIES - 1U - want[k].id);
	qsort(want, nwant, sizeof want[0], by_deadline_then_id);
	recorded = LC_STARTING;
	seen.n = 0;
	assert_int_equal(lc_advance(&core, 1200), 0);
	assert_int_equal(seen.n, nwant);
	for (uint32_t k = 0; k < nwant; k++) {
		assert_int_equal(seen.id[k], want[k].id);
		assert_int_equal(seen.t[k], want[k].t);
	}
}

/*
 * From on_change of a crash, the crashed ability's start timeout is no longer pending: the
 * next deadline is another ability's, and lc_status() shows no deadline for it.
 */
static void crash_callback_sees_the_next_pending_timer_not_the_crashed_one(void **state)
{
	(void)state;
	setup_core(LC_BACKOFF);
	struct lc_policy fast = LC_POLICY_DEFAULT, slow = LC_POLICY_DEFAULT;
	fast.start_timeout_ms = 10;
	slow.start_timeout_ms = 20;
	assert_int_equal(lc_register(&core, &fast), 0);
	assert_int_equal(lc_register(&core, &slow), 1);
	assert_int_equal(lc_event(&core, 0, 0, LC_EV_START, LC_REASON_NONE), 0);
	assert_int_equal(lc_event(&core, 0, 1, LC_EV_START, LC_REASON_NONE), 0);
	assert_int_equal(lc_advance(&core, 10), 0);
	assert_int_equal(seen.next_rc, 0);
	assert_int_equal(seen.next, 20);
	assert_false(seen.crashed_timed);
	uint64_t next = 0;
	assert_int_equal(lc_next_deadline(&core, &next), 0);
	assert_int_equal(next, 20);

	/* Alone: nothing else is pending while it is crashed. */
	assert_int_equal(lc_event(&core, 10, 1, LC_EV_READY_FG, LC_REASON_NONE), 0);
	assert_int_equal(lc_event(&core, 10, 0, LC_EV_STOP, LC_REASON_NONE), 0);
	assert_int_equal(lc_event(&core, 10, 0, LC_EV_START, LC_REASON_NONE), 0);
	assert_int_equal(lc_advance(&core, 20), 0);
	assert_int_equal(seen.next_rc, -LC_ENOENT);
	assert_false(seen.crashed_timed);
	assert_int_equal(lc_next_deadline(&core, &next), 0);
	assert_int_equal(next, 20 + 1000);
}

/*
 * The crashed ability's old timer is the earliest, with one to five others pending: from the
 * crash callback, the next deadline is the earliest of the others wherever it is, for one to
 * four others started after it (they sit right below it in the heap) and for a fifth.
 */
static void crash_callback_sees_the_earliest_of_the_other_timers(void **state)
{
	(void)state;
	for (uint32_t others = 1; others <= 5; others++) {
		for (uint32_t earliest = 0; earliest < others; earliest++) {
			setup_core(LC_BACKOFF);
			struct lc_policy p = LC_POLICY_DEFAULT;
			p.start_timeout_ms = 10;
			assert_int_equal(lc_register(&core, &p), 0);
			for (uint32_t k = 0; k < others; k++) {
				p.start_timeout_ms = k == earliest ? 20 : 30 + k;
				assert_int_equal(lc_register(&core, &p), (int)k + 1);
			}
			for (uint32_t id = 0; id <= others; id++)
				assert_int_equal(lc_event(&core, 0, id, LC_EV_START, LC_REASON_NONE), 0);
			assert_int_equal(lc_advance(&core, 10), 0);
			assert_int_equal(seen.next_rc, 0);
			assert_int_equal(seen.next, 20);
			assert_false(seen.crashed_timed);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_ability_timed_fires_in_deadline_then_id_order),
		cmocka_unit_test(crash_callback_sees_the_next_pending_timer_not_the_crashed_one),
		cmocka_unit_test(crash_callback_sees_the_earliest_of_the_other_timers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
