/*
 * Frama-C Eva harness: the lifecycle core (src/lifecycle/lifecycle.c) through its whole API.
 * Each entry point is one analysis (scripts/prove.sh runs them with -main).
 *
 * main_sequences registers PROVE_ABILITIES abilities with any policies, then makes any number
 * of calls, each one of the API with any arguments: any time (backwards and beyond LC_T_MAX
 * included), any id, event kind and reason (out of range included), any policy (invalid ones
 * included). Eva computes a fixpoint of that loop, so its result covers every state reachable
 * by any sequence of calls, of any length. on_change queries the core and tries to change it.
 *
 * Precision: the core's safety rests on relations Eva's value domain does not keep (the number
 * of pending timers is the number of abilities holding a timer slot; the cached earliest timer
 * belongs to an ability that has one). Every change of them happens in enter() just before
 * on_change, so on_change splits the analysis state on them (`split`, kept through returns by
 * -eva-interprocedural-splits): states of different shapes are never joined, and within one
 * shape those relations are plain values.
 *
 * What this proves: docs/reliability.md.
 */
#include <stddef.h>

#include "__fc_builtin.h"

#include "lc/lifecycle.h"

/* Abilities registered before the calls begin. */
#define PROVE_ABILITIES 2U
/* Calls in a sequence. */
#ifndef PROVE_DEPTH
#define PROVE_DEPTH 3U
#endif

static struct lc core;

static uint32_t any_u32(void)
{
	return Frama_C_unsigned_int_interval(0, UINT32_MAX);
}

static uint64_t any_u64(void)
{
	return Frama_C_unsigned_long_interval(0, UINT64_MAX);
}

/* Any time a call accepts (a later check than the one under test may still refuse it). */
static uint64_t any_time(void)
{
	return Frama_C_unsigned_long_interval(0, LC_T_MAX);
}

static int any_int(void)
{
	return Frama_C_interval(INT32_MIN, INT32_MAX);
}

static struct lc_policy any_policy(void)
{
	return (struct lc_policy){
		.initial_ms = any_u32(),
		.factor_milli = any_u32(),
		.max_ms = any_u32(),
		.loop_threshold = any_u32(),
		.loop_window_ms = any_u32(),
		.stable_reset_ms = any_u32(),
		.start_timeout_ms = any_u32(),
		.stop_timeout_ms = any_u32(),
	};
}

/* Any policy lc_policy_check() accepts. */
static struct lc_policy any_valid_policy(void)
{
	uint32_t initial = Frama_C_unsigned_int_interval(1, LC_MS_MAX);
	return (struct lc_policy){
		.initial_ms = initial,
		.factor_milli = Frama_C_unsigned_int_interval(LC_FACTOR_MILLI_MIN, LC_FACTOR_MILLI_MAX),
		.max_ms = Frama_C_unsigned_int_interval(initial, LC_MS_MAX),
		.loop_threshold = Frama_C_unsigned_int_interval(0, LC_HISTORY_LEN),
		.loop_window_ms = Frama_C_unsigned_int_interval(1, LC_MS_MAX),
		.stable_reset_ms = Frama_C_unsigned_int_interval(0, LC_MS_MAX),
		.start_timeout_ms = Frama_C_unsigned_int_interval(1, LC_MS_MAX),
		.stop_timeout_ms = Frama_C_unsigned_int_interval(1, LC_MS_MAX),
	};
}

/* Any id: every registered one and the next one, which is not. */
static uint32_t any_id(void)
{
	return Frama_C_unsigned_int_interval(0, PROVE_ABILITIES);
}

/* The callback queries the core, as appmgrd's does. (Calling back into a changing call is
 * refused with LC_EBUSY; that is a host test: Eva does not follow the recursion.) */
static void on_change(void *ctx, const struct lc_change *c)
{
	struct lc_status st;
	struct lc_death d;
	uint64_t t;
	int rc;
	(void)ctx;
	//@ assert change: c->id < PROVE_ABILITIES && c->to < LC_STATE_COUNT && c->reason < LC_REASON_COUNT;
	rc = lc_status(&core, c->id, &st);
	//@ assert status_seen: rc == 0 && st.state == c->to;
	(void)lc_history(&core, c->id, any_u32(), &d);
	(void)lc_next_deadline(&core, &t);
}

/* What lc_status() promises between calls. */
static void check_status(uint32_t id)
{
	struct lc_status st;
	int rc = lc_status(&core, id, &st);
	//@ assert registered: rc == 0;
	//@ assert not_crashed: st.state != LC_CRASHED && st.state < LC_STATE_COUNT;
	//@ assert deadline_iff_timed: st.has_deadline <==> (st.state == LC_STARTING || st.state == LC_STOPPING || st.state == LC_BACKOFF);
	//@ assert history: st.history_len <= LC_HISTORY_LEN;
}

/* One call of the API, any of them, with any arguments. */
static void any_call(void)
{
	struct lc_policy p = any_policy();
	struct lc_status st;
	struct lc_death d;
	uint64_t t;
	uint32_t id = any_id();
	/* One state per ability: the core's table is indexed by it. */
	//@ split id;
	switch (Frama_C_interval(0, 5)) {
	case 0:
		(void)lc_advance(&core, any_u64());
		break;
	case 1:
		(void)lc_event(&core, any_u64(), id, (enum lc_event_kind)any_u32(), (enum lc_reason)any_u32());
		break;
	case 2:
		(void)lc_set_policy(&core, id, &p);
		break;
	case 3:
		(void)lc_next_deadline(&core, &t);
		break;
	case 4:
		(void)lc_status(&core, id, &st);
		break;
	default:
		(void)lc_history(&core, id, any_u32(), &d);
		break;
	}
	//@ merge id;
}

/* Any sequence of calls, of any length, after PROVE_ABILITIES registrations. */
void main_sequences(void)
{
	const struct lc_ops ops = { .on_change = on_change, .ctx = NULL };
	/*
	 * Widening thresholds for the loops of the core (fire_due's in particular): the bounds
	 * of the history ring and of the timer table, so that a growing index stops at them.
	 */
	//@ widen_hints global: "all", 15, 16, 31, 32;
	if (lc_init(&core, &ops) != 0)
		return;
	//@ loop unroll PROVE_ABILITIES;
	for (uint32_t i = 0; i < PROVE_ABILITIES; i++) {
		const struct lc_policy p = any_policy();
		if (lc_register(&core, &p) < 0)
			return;
	}
	//@ loop unroll PROVE_DEPTH;
	for (unsigned step = 0; step < PROVE_DEPTH; step++) {
		any_call();
		//@ loop unroll PROVE_ABILITIES;
		for (uint32_t i = 0; i < PROVE_ABILITIES; i++)
			check_status(i);
	}
}

static void quiet(void *ctx, const struct lc_change *c)
{
	(void)ctx;
	(void)c;
}

/*
 * The rest of the API: NULL arguments, a full table, and the names of any code, state and
 * reason.
 */
void main_api(void)
{
	static struct lc full;
	const struct lc_ops ops = { .on_change = quiet, .ctx = NULL };
	const struct lc_ops no_callback = { .on_change = NULL, .ctx = NULL };
	/* A policy lc_policy_check() accepts. */
	const struct lc_policy p = {
		.initial_ms = 500, .factor_milli = 2000, .max_ms = 30000, .loop_threshold = 5,
		.loop_window_ms = 60000, .stable_reset_ms = 60000, .start_timeout_ms = 5000,
		.stop_timeout_ms = 5000,
	};
	struct lc_status st;
	struct lc_death d;
	uint64_t t;
	int rc;
	rc = lc_init(NULL, &ops);
	//@ assert init_null: rc == -LC_EINVAL;
	rc = lc_init(&full, NULL);
	//@ assert init_null_ops: rc == -LC_EINVAL;
	rc = lc_init(&full, &no_callback);
	//@ assert init_null_callback: rc == -LC_EINVAL;
	rc = lc_init(&full, &ops);
	//@ assert init: rc == 0;
	rc = lc_policy_check(NULL);
	//@ assert check_null: rc == -LC_EINVAL;
	rc = lc_policy_check(&p);
	//@ assert check_valid: rc == 0;
	//@ loop unroll LC_MAX_ABILITIES;
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i++) {
		rc = lc_register(&full, &p);
		//@ assert registered: rc == (int)i;
	}
	rc = lc_register(&full, &p);
	//@ assert full: rc == -LC_EFULL;
	rc = lc_register(NULL, &p);
	//@ assert register_null: rc == -LC_EINVAL;
	rc = lc_register(&full, NULL);
	//@ assert register_null_policy: rc == -LC_EINVAL;
	rc = lc_set_policy(NULL, 0, &p);
	//@ assert set_policy_null: rc == -LC_EINVAL;
	rc = lc_advance(NULL, 0);
	//@ assert advance_null: rc == -LC_EINVAL;
	rc = lc_event(NULL, 0, 0, LC_EV_START, LC_REASON_NONE);
	//@ assert event_null: rc == -LC_EINVAL;
	rc = lc_next_deadline(NULL, &t);
	//@ assert next_null: rc == -LC_EINVAL;
	rc = lc_next_deadline(&full, NULL);
	//@ assert next_null_out: rc == -LC_EINVAL;
	rc = lc_status(NULL, 0, &st);
	//@ assert status_null: rc == -LC_EINVAL;
	rc = lc_status(&full, 0, NULL);
	//@ assert status_null_out: rc == -LC_EINVAL;
	rc = lc_history(NULL, 0, 0, &d);
	//@ assert history_null: rc == -LC_EINVAL;
	rc = lc_history(&full, 0, 0, NULL);
	//@ assert history_null_out: rc == -LC_EINVAL;
	(void)lc_strerror(any_int());
	(void)lc_state_name((enum lc_state)any_u32());
	(void)lc_reason_name((enum lc_reason)any_u32());
}
