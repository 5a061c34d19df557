#include "lc_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void record(void *ctx, const struct lc_change *c)
{
	struct fixture *f = ctx;
	if (f->logged < FX_LOG_MAX)
		f->log[f->logged] = *c;
	f->logged++;
}

void fx_reset(struct fixture *f)
{
	const struct lc_ops ops = { .on_change = record, .ctx = f };
	fx_expect_rc(lc_init(&f->lc, &ops), 0, "lc_init");
	f->logged = 0;
}

int fx_setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof *f);
	if (!f)
		return -1;
	fx_reset(f);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	test_free(*state);
	return 0;
}

uint32_t fx_add(struct fixture *f, const struct lc_policy *p)
{
	const struct lc_policy defaults = LC_POLICY_DEFAULT;
	int id = lc_register(&f->lc, p ? p : &defaults);
	if (id < 0)
		fail_msg("lc_register: expected an id, got %d (%s)", id, lc_strerror(id));
	return (uint32_t)id;
}

static void event(struct fixture *f, uint64_t t, uint32_t id, enum lc_event_kind kind, enum lc_reason reason)
{
	int rc = lc_event(&f->lc, t, id, kind, reason);
	if (rc != 0)
		fail_msg("event %d (reason %s) for #%u at %llu: expected ok, got %s", (int)kind,
			 lc_reason_name(reason), id, (unsigned long long)t, lc_strerror(rc));
}

void fx_event(struct fixture *f, uint64_t t, uint32_t id, enum lc_event_kind kind)
{
	event(f, t, id, kind, LC_REASON_NONE);
}

void fx_kill(struct fixture *f, uint64_t t, uint32_t id, enum lc_reason reason)
{
	event(f, t, id, LC_EV_KILL, reason);
}

void fx_exit(struct fixture *f, uint64_t t, uint32_t id, enum lc_reason reason)
{
	event(f, t, id, LC_EV_EXIT, reason);
}

void fx_advance(struct fixture *f, uint64_t t)
{
	int rc = lc_advance(&f->lc, t);
	if (rc != 0)
		fail_msg("lc_advance(%llu): expected ok, got %s", (unsigned long long)t, lc_strerror(rc));
}

void fx_format(const struct lc_change *c, char *buf, size_t len)
{
	int n = snprintf(buf, len, "@%llu #%u %s>%s %s", (unsigned long long)c->t_ms, c->id,
			 lc_state_name(c->from), lc_state_name(c->to), lc_reason_name(c->reason));
	if (c->delay_ms && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " delay=%u", c->delay_ms);
	if (c->timeout && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " timeout");
}

void fx_expect_log(struct fixture *f, const char *const *want, size_t n)
{
	char got[128];
	for (size_t i = 0; i < n && i < f->logged && i < FX_LOG_MAX; i++) {
		fx_format(&f->log[i], got, sizeof got);
		if (strcmp(got, want[i]) != 0)
			fail_msg("change %zu: expected \"%s\", got \"%s\"", i, want[i], got);
	}
	if (f->logged < n)
		fail_msg("expected %zu changes, got %u; first missing: \"%s\"", n, f->logged, want[f->logged]);
	if (f->logged > n) {
		if (n < FX_LOG_MAX)
			fx_format(&f->log[n], got, sizeof got);
		else
			snprintf(got, sizeof got, "(not kept)");
		fail_msg("expected %zu changes, got %u; first extra: \"%s\"", n, f->logged, got);
	}
	f->logged = 0;
}

void fx_expect_status(struct fixture *f, uint32_t id, enum lc_state state, enum lc_reason reason,
		      uint32_t crash_count, uint32_t delay_ms)
{
	struct lc_status s;
	char want[96], got[96];
	fx_expect_rc(lc_status(&f->lc, id, &s), 0, "lc_status");
	snprintf(want, sizeof want, "%s reason=%s crash_count=%u delay=%u", lc_state_name(state),
		 lc_reason_name(reason), crash_count, delay_ms);
	snprintf(got, sizeof got, "%s reason=%s crash_count=%u delay=%u", lc_state_name(s.state),
		 lc_reason_name(s.reason), s.crash_count, s.delay_ms);
	if (strcmp(want, got) != 0)
		fail_msg("#%u status: expected \"%s\", got \"%s\"", id, want, got);
}

void fx_expect_rc(int got, int want, const char *what)
{
	if (got != want)
		fail_msg("%s: expected %d (%s), got %d (%s)", what, want, lc_strerror(want), got, lc_strerror(got));
}

void fx_expect_eq(uint64_t got, uint64_t want, const char *what)
{
	if (got != want)
		fail_msg("%s: expected %llu, got %llu", what, (unsigned long long)want, (unsigned long long)got);
}
