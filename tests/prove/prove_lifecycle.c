/*
 * Frama-C Eva harness: the lifecycle core (src/lifecycle/lifecycle.c) at its API boundary.
 * scripts/prove.sh runs each `main_` entry point as one analysis.
 *
 * main_api: every call refuses NULL arguments, the table fills at LC_MAX_ABILITIES and
 * refuses one more, and the names of any error code, state and reason (out of range
 * included) are safe to take. Arbitrary sequences of events on a running core are not
 * proven here yet: docs/reliability.md says why and what the fuzzer covers instead.
 */
#include <stddef.h>

#include "prove_any.h"

#include "lc/lifecycle.h"

static void quiet(void *ctx, const struct lc_change *c)
{
	(void)ctx;
	(void)c;
}

/* NULL arguments, a full table, and the names of any code, state and reason. */
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
