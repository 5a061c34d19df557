/*
 * lcreplay --from-changes accepts a change from one state to another exactly when the
 * lifecycle core makes such a change (src/tools/lcreplay/transitions.h): the core is driven
 * through every event with every reason, its pending timer and lc_restore() in every state it
 * reaches, and every change it reports is collected.
 *
 * The states are explored breadth first, one node per (state, reason) reached, under three
 * policies. The reason matters because stopping ends with the recorded one; the only other
 * decision that picks a state is the crash loop (blocked or backoff), which the policies
 * decide both ways: never block, the default, and block at the first restartable death.
 * Everything else in an ability (counts, delays, history) changes times and delays only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "lc/lifecycle.h"
#include "transitions.h"

/* One step the explorer takes: an event with a reason, the pending timer, or a restore. */
enum step_kind { STEP_EVENT, STEP_TIMER, STEP_RESTORE, STEP_RESTORE_BLOCKED };

struct step {
	enum step_kind kind;
	enum lc_event_kind event;
	enum lc_reason reason;
};

#define STEPS_MAX (LC_EV_COUNT * LC_REASON_COUNT + 3)
#define NODES_MAX (LC_STATE_COUNT * LC_REASON_COUNT)
#define PATH_MAX_LEN NODES_MAX

struct node {
	struct step path[PATH_MAX_LEN]; /* from a fresh ability to this node */
	unsigned len;
};

struct explorer {
	bool seen[LC_STATE_COUNT][LC_STATE_COUNT]; /* [from][to]: the core made this change */
	unsigned changes;                          /* changes reported in all */
	struct node nodes[NODES_MAX];
	bool reached[LC_STATE_COUNT][LC_REASON_COUNT];
	unsigned nnodes;
};

static void on_change(void *ctx, const struct lc_change *c)
{
	struct explorer *x = ctx;
	assert_true((unsigned)c->from < LC_STATE_COUNT && (unsigned)c->to < LC_STATE_COUNT);
	x->seen[c->from][c->to] = true;
	x->changes++;
}

/* Every step there is: each event with each reason (the core refuses the mixes it does not
 * take), the timer, and a restore with and without blocking. */
static unsigned all_steps(struct step *steps)
{
	unsigned n = 0;
	for (unsigned e = 0; e < LC_EV_COUNT; e++) {
		for (unsigned r = 0; r < LC_REASON_COUNT; r++)
			steps[n++] = (struct step){ STEP_EVENT, (enum lc_event_kind)e, (enum lc_reason)r };
	}
	steps[n++] = (struct step){ .kind = STEP_TIMER };
	steps[n++] = (struct step){ .kind = STEP_RESTORE };
	steps[n++] = (struct step){ .kind = STEP_RESTORE_BLOCKED };
	return n;
}

/* Take step `s` at time `*now`; a timer step moves time to the pending deadline, if any. */
static void take(struct lc *lc, const struct lc_policy *p, uint64_t *now, const struct step *s)
{
	uint64_t deadline;
	int rc;
	switch (s->kind) {
	case STEP_EVENT:
		/* a reason for a kind that takes none is -LC_EINVAL: that step changes nothing */
		rc = lc_event(lc, *now, 0, s->event, s->reason);
		assert_true(rc == 0 || rc == -LC_EINVAL || rc == -LC_EINVALID_TRANSITION || rc == -LC_EBLOCKED);
		break;
	case STEP_TIMER:
		if (lc_next_deadline(lc, &deadline) == 0) {
			*now = deadline;
			assert_int_equal(lc_advance(lc, *now), 0);
		}
		break;
	case STEP_RESTORE:
	case STEP_RESTORE_BLOCKED:
		/* only an ability as registered may be restored */
		rc = lc_restore(lc, *now, 0, 1, p->initial_ms, s->kind == STEP_RESTORE_BLOCKED);
		assert_true(rc == 0 || rc == -LC_EINVALID_TRANSITION);
		break;
	}
}

/* Replay `path` and then `next` on a fresh core with one ability under `p`; its status after. */
static struct lc_status replay(struct explorer *x, const struct lc_policy *p, const struct step *path, unsigned len,
			       const struct step *next)
{
	struct lc lc;
	const struct lc_ops ops = { .on_change = on_change, .ctx = x };
	uint64_t now = 0;
	assert_int_equal(lc_init(&lc, &ops), 0);
	assert_int_equal(lc_register(&lc, p), 0);
	for (unsigned i = 0; i < len; i++)
		take(&lc, p, &now, &path[i]);
	take(&lc, p, &now, next);
	struct lc_status st;
	assert_int_equal(lc_status(&lc, 0, &st), 0);
	return st;
}

/* Breadth first from a fresh ability under `p`: every step from every node reached. */
static void explore(struct explorer *x, const struct lc_policy *p)
{
	struct step steps[STEPS_MAX];
	const unsigned nsteps = all_steps(steps);

	x->nnodes = 0;
	for (unsigned s = 0; s < LC_STATE_COUNT; s++) {
		for (unsigned r = 0; r < LC_REASON_COUNT; r++)
			x->reached[s][r] = false;
	}
	x->nodes[x->nnodes++].len = 0;
	x->reached[LC_STOPPED][LC_REASON_NONE] = true;
	for (unsigned i = 0; i < x->nnodes; i++) {
		const struct node *at = &x->nodes[i];
		for (unsigned k = 0; k < nsteps; k++) {
			struct lc_status st = replay(x, p, at->path, at->len, &steps[k]);
			if (x->reached[st.state][st.reason])
				continue;
			assert_true(x->nnodes < NODES_MAX && at->len < PATH_MAX_LEN);
			x->reached[st.state][st.reason] = true;
			struct node *n = &x->nodes[x->nnodes++];
			for (unsigned j = 0; j < at->len; j++)
				n->path[j] = at->path[j];
			n->path[at->len] = steps[k];
			n->len = at->len + 1;
		}
	}
}

static void from_changes_accepts_exactly_the_changes_the_core_makes(void **state)
{
	(void)state;
	static struct explorer x;
	struct lc_policy never_blocks = LC_POLICY_DEFAULT, defaults = LC_POLICY_DEFAULT,
			 first_death_blocks = LC_POLICY_DEFAULT;
	never_blocks.loop_threshold = 0;
	first_death_blocks.loop_threshold = 1;
	explore(&x, &never_blocks);
	explore(&x, &defaults);
	explore(&x, &first_death_blocks);

	unsigned pairs = 0, mismatches = 0;
	for (unsigned from = 0; from < LC_STATE_COUNT; from++) {
		for (unsigned to = 0; to < LC_STATE_COUNT; to++) {
			const bool accepted = tr_possible((enum lc_state)from, (enum lc_state)to);
			pairs += x.seen[from][to];
			if (accepted == x.seen[from][to])
				continue;
			mismatches++;
			print_error("%s -> %s: the core %s it, lcreplay %s it\n", lc_state_name((enum lc_state)from),
				    lc_state_name((enum lc_state)to), x.seen[from][to] ? "makes" : "never makes",
				    accepted ? "accepts" : "refuses");
		}
	}
	assert_int_equal(mismatches, 0);
	/* the exploration must have entered and left every state, or the comparison proves little */
	for (unsigned s = 0; s < LC_STATE_COUNT; s++) {
		bool entered = false, left = false;
		for (unsigned other = 0; other < LC_STATE_COUNT; other++) {
			entered = entered || x.seen[other][s];
			left = left || x.seen[s][other];
		}
		if (!entered || !left)
			print_error("%s was never %s\n", lc_state_name((enum lc_state)s), entered ? "left" : "entered");
		assert_true(entered && left);
	}
	assert_true(pairs > 0);
}

static void a_state_out_of_range_is_no_change(void **state)
{
	(void)state;
	assert_false(tr_possible(LC_STATE_COUNT, LC_STOPPED));
	assert_false(tr_possible(LC_STOPPED, LC_STATE_COUNT));
	assert_false(tr_possible((enum lc_state)-1, LC_STARTING));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(from_changes_accepts_exactly_the_changes_the_core_makes),
		cmocka_unit_test(a_state_out_of_range_is_no_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
