/*
 * Test fixture for the lifecycle core: a core whose on_change records every change, and
 * checks that say what was expected and what came.
 */
#ifndef LC_FIXTURE_H
#define LC_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "lc/lifecycle.h"

#define FX_LOG_MAX 64

struct fixture {
	struct lc lc;
	struct lc_change log[FX_LOG_MAX]; /* the first FX_LOG_MAX changes since the last check */
	unsigned logged;                  /* changes reported since the last check */
};

/* cmocka setup/teardown: *state becomes a fresh fixture with an initialized core. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Register an ability with `p` (the defaults if NULL); fails the test if refused. */
uint32_t fx_add(struct fixture *f, const struct lc_policy *p);

/* Start over with an empty core and log. */
void fx_reset(struct fixture *f);

/* Events and time that must be accepted. */
void fx_event(struct fixture *f, uint64_t t, uint32_t id, enum lc_event_kind kind);
void fx_kill(struct fixture *f, uint64_t t, uint32_t id, enum lc_reason reason);
void fx_exit(struct fixture *f, uint64_t t, uint32_t id, enum lc_reason reason);
void fx_advance(struct fixture *f, uint64_t t);

/* "@t #id from>to reason[ delay=N][ timeout]", as fx_expect_log() compares changes. */
void fx_format(const struct lc_change *c, char *buf, size_t len);

/* The changes since the last check must be exactly `want`; then the log is emptied. */
void fx_expect_log(struct fixture *f, const char *const *want, size_t n);
#define EXPECT_LOG(f, ...)                                                  \
	do {                                                                \
		const char *const want_[] = { __VA_ARGS__ };                \
		fx_expect_log((f), want_, sizeof want_ / sizeof want_[0]); \
	} while (0)
#define EXPECT_NO_CHANGE(f) fx_expect_log((f), NULL, 0)

/* Ability `id` must be in `state` with `reason`, `crash_count` and `delay_ms`. */
void fx_expect_status(struct fixture *f, uint32_t id, enum lc_state state, enum lc_reason reason,
		      uint32_t crash_count, uint32_t delay_ms);

/* `got` must be the status code `want`; `what` names the call. */
void fx_expect_rc(int got, int want, const char *what);
#define EXPECT_RC(call, want) fx_expect_rc((call), (want), #call)

/* `got` must equal `want`; `what` names the value. */
void fx_expect_eq(uint64_t got, uint64_t want, const char *what);
#define EXPECT_EQ(got, want) fx_expect_eq((uint64_t)(got), (uint64_t)(want), #got)

#endif
