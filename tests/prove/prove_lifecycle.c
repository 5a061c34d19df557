/*
 * Frama-C Eva harness: the lifecycle core (src/lifecycle/lifecycle.c) through its whole API.
 * Each entry point is one analysis (scripts/prove.sh runs them with -main).
 *
 * main_sequences first runs refusals() on a core of its own (NULL arguments, a full table,
 * calls from on_change, names of any value). Then it registers PROVE_ABILITIES abilities with
 * any policies and makes any number of calls, each one of the API with any arguments: any
 * time (backwards and beyond LC_T_MAX included), any id, event kind and reason (out of range
 * included), any policy (invalid ones included). Eva computes a fixpoint of that loop, so its
 * result covers every state reachable by any sequence of calls, of any length. on_change
 * checks each change against lc_status(); after each call, check_status() checks what
 * lc_status() promises between calls.
 *
 * main_busy drives one ability through changes of most kinds with an on_change that tries
 * every call on the core: those that would change it are refused with -LC_EBUSY.
 *
 * Precision: the core's safety rests on relations Eva's value domain does not keep (the number
 * of pending timers is the number of abilities holding a heap position; the heap's entries
 * name those abilities). Every change of them happens in enter() just before on_change, so
 * on_change splits the analysis state on them (`split`, kept through returns by
 * -eva-interprocedural-splits): states of different shapes are never joined, and within one
 * shape those relations are plain values.
 *
 * The capacity is the build's: `LC_CAPACITY=1024 scripts/prove.sh prove_lifecycle` analyses the
 * core as it is compiled for 1024 abilities (the full-table refusal then registers 1024).
 *
 * What this proves: docs/reliability.md.
 */
#include <stddef.h>

#include "prove_any.h"

#include "lc/lifecycle.h"

/* Abilities registered before the calls begin. */
#define PROVE_ABILITIES 2U

static struct lc core;
static const struct lc_policy default_policy = LC_POLICY_DEFAULT;

/* Any time a call accepts (a later check than the one under test may still refuse it). */
static uint64_t any_time(void)
{
	return Frama_C_unsigned_long_interval(0, LC_T_MAX);
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

/* Any id: every registered one and the next one, which is not. */
static uint32_t any_id(void)
{
	return Frama_C_unsigned_int_interval(0, PROVE_ABILITIES);
}

/*
 * Every change: what it reports, and what lc_status() shows of it. The core is busy, so any
 * call that would change it is refused (main_busy and refusals() prove those refusals).
 */
static void on_change(void *ctx, const struct lc_change *c)
{
	struct lc_status st;
	int rc;
	(void)ctx;
	//@ assert change: c->id < PROVE_ABILITIES && c->to < LC_STATE_COUNT && c->reason < LC_REASON_COUNT;
	//@ assert busy: core.busy;
	rc = lc_status(&core, c->id, &st);
	//@ assert status_seen: rc == 0 && st.state == c->to;
	/* The shape: which abilities hold which heap position, and whose timer is the earliest. */
	//@ split core.ntimers;
	//@ split core.heap_pos[0];
	//@ split core.heap_pos[1];
	//@ split core.heap_id[1];
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
	switch (Frama_C_interval(0, 6)) {
	case 0:
		(void)lc_advance(&core, any_u64());
		break;
	case 5:
		(void)lc_restore(&core, any_u64(), id, any_u32(), any_u32(), Frama_C_interval(0, 1));
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

/* The core passed as `ctx` refuses to be changed from on_change. */
static void refuse(void *ctx, const struct lc_change *c)
{
	struct lc *lc = ctx;
	int rc = lc_advance(lc, c->t_ms);
	//@ assert busy_advance: rc == -LC_EBUSY;
	rc = lc_register(lc, &default_policy);
	//@ assert busy_register: rc == -LC_EBUSY;
}

/*
 * The rest of the API, on a core of its own: NULL arguments, a full table, and the names of
 * any code, state and reason.
 */
static void refusals(void)
{
	static struct lc full;
	const struct lc_ops ops = { .on_change = refuse, .ctx = &full };
	const struct lc_ops no_callback = { .on_change = NULL, .ctx = NULL };
	const struct lc_policy p = default_policy;
	const struct lc_policy q = any_policy();
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
	rc = lc_policy_check(&q);
	//@ assert check_any: rc == 0 || rc == -LC_EPOLICY;
	//@ loop unroll LC_MAX_ABILITIES;
	for (uint32_t i = 0; i < LC_MAX_ABILITIES; i++) {
		rc = lc_register(&full, &p);
		//@ assert registered: rc == (int)i;
	}
	rc = lc_register(&full, &p);
	//@ assert full: rc == -LC_EFULL;
	rc = lc_event(&full, 0, 0, LC_EV_START, LC_REASON_NONE);
	//@ assert started: rc == 0;
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

/* Any sequence of calls, of any length, after PROVE_ABILITIES registrations. */
void main_sequences(void)
{
	const struct lc_ops ops = { .on_change = on_change, .ctx = NULL };
	/*
	 * Widening thresholds for the loops of the core (fire_due's in particular): the bounds
	 * of the history ring and of the timer table, so that a growing index stops at them.
	 */
	//@ widen_hints global: "all", 15, 16, 31, 32;
	refusals();
	if (lc_init(&core, &ops) != 0)
		return;
	//@ loop unroll PROVE_ABILITIES;
	for (uint32_t i = 0; i < PROVE_ABILITIES; i++) {
		const struct lc_policy p = any_policy();
		if (lc_register(&core, &p) < 0)
			return;
	}
	while (Frama_C_nondet(0, 1)) {
		any_call();
		//@ loop unroll PROVE_ABILITIES;
		for (uint32_t i = 0; i < PROVE_ABILITIES; i++)
			check_status(i);
	}
}

/* From on_change, every call that would change the core is refused; queries answer. */
static void try_everything(void *ctx, const struct lc_change *c)
{
	const struct lc_policy p = any_policy();
	struct lc_status st;
	struct lc_death d;
	uint64_t t;
	int rc;
	(void)ctx;
	rc = lc_advance(&core, any_time());
	//@ assert busy_advance: rc == -LC_EBUSY;
	rc = lc_event(&core, any_time(), c->id, (enum lc_event_kind)Frama_C_interval(0, LC_EV_COUNT - 1),
		      LC_REASON_NONE);
	//@ assert busy_event: rc == -LC_EBUSY;
	rc = lc_register(&core, &p);
	//@ assert busy_register: rc == -LC_EBUSY;
	rc = lc_set_policy(&core, c->id, &p);
	//@ assert busy_set_policy: rc == -LC_EBUSY;
	rc = lc_restore(&core, any_time(), c->id, any_u32(), any_u32(), Frama_C_interval(0, 1));
	//@ assert busy_restore: rc == -LC_EBUSY;
	rc = lc_status(&core, c->id, &st);
	//@ assert status: rc == 0;
	(void)lc_history(&core, c->id, any_u32(), &d);
	(void)lc_next_deadline(&core, &t);
}

/*
 * on_change trying to change the core, on changes of most kinds: start, start timeouts
 * (crash, then backoff) and restarts, ready, a kill and its stop timeout.
 */
void main_busy(void)
{
	const struct lc_ops ops = { .on_change = try_everything, .ctx = NULL };
	if (lc_init(&core, &ops) != 0 || lc_register(&core, &default_policy) != 0)
		return;
	(void)lc_event(&core, 0, 0, LC_EV_START, LC_REASON_NONE);
	(void)lc_advance(&core, 20000);
	(void)lc_event(&core, 20000, 0, LC_EV_READY_BG, LC_REASON_NONE);
	(void)lc_event(&core, 20000, 0, LC_EV_KILL, LC_REASON_POLICY);
	(void)lc_advance(&core, 30000);
}

