/*
 * Fuzz target: arbitrary sequences of registrations, policy changes, restores, events and times into
 * the lifecycle core, checked against the rules of lc/lifecycle.h and docs/ability/overview.md
 * after every step and on every change.
 *
 * After every step, for every ability: a valid state, never the transient crashed, and the
 * one the changes reported; history_len ≤ LC_HISTORY_LEN, entries oldest first, restartable,
 * none in the future; a deadline exactly in starting, stopping and backoff, later than the
 * latest time and at most LC_MS_MAX beyond it; lc_next_deadline() the earliest of them.
 *
 * On every change: `from` is the state last reported; a timer's change comes at its
 * deadline, in deadline then registration order, an event's at the call's time; crashed is
 * followed at once by backoff or blocked; the crash count only steps by one (saturating at
 * LC_CRASH_COUNT_MAX: it never wraps), restarts at 1 after a stable run and clears on
 * unblock; the backoff delay and every deadline are the policy's; every call that would
 * change the core fails with -LC_EBUSY.
 *
 * Every call returns what its arguments and the transition table say. A call refused for its
 * arguments changes nothing (lc_status of every ability compared before and after); an event
 * refused for the state it meets changes nothing beyond the timers due, which a copy of the
 * core fires first (lc_advance) to give the state to compare with.
 */
#include "fuzz.h"

#include <setjmp.h>

#include "lc/lifecycle.h"

/* Steps of a long burst (op byte BURST_LONG_OP): two per crash, enough to saturate the count. */
#define BURST_LONG (2U * (LC_CRASH_COUNT_MAX + 16U))
#define BURST_LONG_OP 0xFBU

/*
 * A call fires every timer due, each at its own deadline, so its work grows with the time it
 * skips over divided by the shortest restart cycle (start timeout + delay, 2 ms at least) of
 * an ability that never blocks. An input whose calls report more changes than these bounds
 * is abandoned, out of on_change, so that no input runs for minutes; see docs/reliability.md.
 */
#define CALL_CHANGES_MAX 512U
#define INPUT_CHANGES_MAX (1U << 19)

#define BIT(n) (1U << (n))
#define TIMED_STATES (BIT(LC_STARTING) | BIT(LC_STOPPING) | BIT(LC_BACKOFF))
#define RUNNING_STATES (BIT(LC_STARTING) | BIT(LC_RUNNING_FG) | BIT(LC_RUNNING_BG))
#define RESTART_REASONS (BIT(LC_REASON_CRASH) | BIT(LC_REASON_OOM) | BIT(LC_REASON_SIGNAL))

/* The core and what its reported changes say about it. */
struct model {
	struct lc lc;
	uint32_t count;
	uint64_t now;     /* latest time the core accepted */
	uint64_t call_t;  /* time of the call in progress */
	uint64_t last_t;  /* time of the latest change */
	uint64_t last_timer; /* (deadline, id) key of the latest timer fired in this call */
	int crashed_id;   /* the ability reported crashed by the latest change, or -1 */
	bool blocking;    /* that crash is a crash loop: it goes on to blocked */
	bool quiet;       /* a copy of the core is running: its changes are only counted */
	unsigned changes, copy_changes, input_changes;
	jmp_buf abandon;
	struct lc_policy policy[LC_MAX_ABILITIES];
	enum lc_state state[LC_MAX_ABILITIES];
	uint32_t crashes[LC_MAX_ABILITIES];
	uint32_t delay[LC_MAX_ABILITIES];
	uint32_t hist_len[LC_MAX_ABILITIES];
	uint64_t deadline[LC_MAX_ABILITIES];
	uint64_t ready_t[LC_MAX_ABILITIES];
	bool was_ready[LC_MAX_ABILITIES];
};

/* lc_status of every possible id, and lc_next_deadline. */
struct snap {
	struct lc_status st[LC_MAX_ABILITIES + 1];
	int rc[LC_MAX_ABILITIES + 1];
	int next_rc;
	uint64_t next;
};

static bool is_in(unsigned set, unsigned v)
{
	return v < 32U && (set & BIT(v)) != 0;
}

static void snap_take(const struct lc *lc, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t id = 0; id <= LC_MAX_ABILITIES; id++)
		s->rc[id] = lc_status(lc, id, &s->st[id]);
	s->next_rc = lc_next_deadline(lc, &s->next);
}

static bool status_eq(const struct lc_status *a, const struct lc_status *b)
{
	return a->state == b->state && a->reason == b->reason && a->crash_count == b->crash_count &&
	       a->delay_ms == b->delay_ms && a->history_len == b->history_len &&
	       a->has_deadline == b->has_deadline && a->deadline_ms == b->deadline_ms;
}

static void expect_same(const struct snap *a, const struct snap *b, const char *what)
{
	for (uint32_t id = 0; id <= LC_MAX_ABILITIES; id++)
		FZ_CHECK(a->rc[id] == b->rc[id] && (a->rc[id] != 0 || status_eq(&a->st[id], &b->st[id])),
			 "%s: ability %u changed (state %s -> %s)", what, id,
			 lc_state_name(a->st[id].state), lc_state_name(b->st[id].state));
	FZ_CHECK(a->next_rc == b->next_rc && a->next == b->next, "%s: the next deadline changed", what);
}

static void check_busy(struct model *m, uint32_t id)
{
	const struct lc_policy p = LC_POLICY_DEFAULT;
	int rc[5] = {
		lc_advance(&m->lc, m->now),
		lc_event(&m->lc, m->now, id, LC_EV_START, LC_REASON_NONE),
		lc_register(&m->lc, &p),
		lc_set_policy(&m->lc, id, &p),
		lc_restore(&m->lc, m->now, id, 1, p.initial_ms, true),
	};
	for (unsigned i = 0; i < 5; i++)
		FZ_CHECK(rc[i] == -LC_EBUSY, "call %u from on_change: -LC_EBUSY, got %s", i,
			 lc_strerror(rc[i]));
}

/* A crash loop: at least loop_threshold deaths in the history less than loop_window_ms before `t`. */
static bool crash_loop(const struct model *m, uint32_t id, uint64_t t, uint32_t len)
{
	const struct lc_policy *p = &m->policy[id];
	uint32_t n = 0;
	if (p->loop_threshold == 0)
		return false;
	for (uint32_t i = 0; i < len; i++) {
		struct lc_death d;
		FZ_CHECK(lc_history(&m->lc, id, i, &d) == 0, "#%u history %u of %u", id, i, len);
		n += t - d.t_ms < p->loop_window_ms;
	}
	return n >= p->loop_threshold;
}

/* The death remembered last: the one just reported. */
static void check_newest_death(const struct model *m, const struct lc_change *c, uint32_t len)
{
	struct lc_death d;
	int rc = lc_history(&m->lc, c->id, len - 1U, &d);
	FZ_CHECK(rc == 0 && d.t_ms == c->t_ms && d.reason == c->reason,
		 "#%u newest death: %s, t %llu reason %s, expected %llu %s", c->id, lc_strerror(rc),
		 (unsigned long long)d.t_ms, lc_reason_name(d.reason), (unsigned long long)c->t_ms,
		 lc_reason_name(c->reason));
}

/*
 * The crash count, delay and history a change implies, from the previous ones and the
 * policy, and whether a crash goes on to backoff or blocked.
 */
static void check_counts(struct model *m, const struct lc_change *c, const struct lc_status *st)
{
	uint32_t id = c->id;
	const struct lc_policy *p = &m->policy[id];
	uint32_t crashes = m->crashes[id];
	uint32_t delay = m->delay[id];
	uint32_t len = m->hist_len[id];
	if (c->to == LC_CRASHED) {
		if (crashes < LC_CRASH_COUNT_MAX)
			crashes++;
		if (m->was_ready[id] && p->stable_reset_ms != 0 &&
		    c->t_ms - m->ready_t[id] >= p->stable_reset_ms)
			crashes = 1;
		len += len < LC_HISTORY_LEN;
		/* Decided, with the delay, before the crash is reported. */
		m->blocking = crash_loop(m, id, c->t_ms, len);
		uint64_t d = (uint64_t)delay * p->factor_milli / 1000U;
		if (!m->blocking)
			delay = crashes == 1 ? p->initial_ms : d < p->max_ms ? (uint32_t)d : p->max_ms;
	} else if (c->from == LC_BLOCKED) {
		crashes = 0;
		delay = 0;
		len = 0;
	} else if (c->from == LC_CRASHED) {
		FZ_CHECK((c->to == LC_BLOCKED) == m->blocking, "#%u crashed at %llu: to %s, crash loop %d",
			 id, (unsigned long long)c->t_ms, lc_state_name(c->to), m->blocking);
	}
	FZ_CHECK(st->crash_count == crashes, "#%u %s->%s: crash count %u, expected %u (was %u)", id,
		 lc_state_name(c->from), lc_state_name(c->to), st->crash_count, crashes,
		 m->crashes[id]);
	FZ_CHECK(st->delay_ms == delay && c->delay_ms == (c->to == LC_BACKOFF ? delay : 0),
		 "#%u %s->%s: delay %u (change says %u), expected %u", id, lc_state_name(c->from),
		 lc_state_name(c->to), st->delay_ms, c->delay_ms, delay);
	FZ_CHECK(st->history_len == len, "#%u %s->%s: history_len %u, expected %u", id,
		 lc_state_name(c->from), lc_state_name(c->to), st->history_len, len);
	if (c->to == LC_CRASHED)
		check_newest_death(m, c, len);
	m->crashes[id] = crashes;
	m->delay[id] = delay;
	m->hist_len[id] = len;
}

/* The timer a change arms: the one its new state implies, at the policy's distance. */
static void check_timer(struct model *m, const struct lc_change *c, const struct lc_status *st)
{
	uint32_t id = c->id;
	uint64_t want = 0;
	if (c->to == LC_STARTING)
		want = c->t_ms + m->policy[id].start_timeout_ms;
	else if (c->to == LC_STOPPING)
		want = c->t_ms + m->policy[id].stop_timeout_ms;
	else if (c->to == LC_BACKOFF)
		want = c->t_ms + c->delay_ms;
	bool timed = is_in(TIMED_STATES, c->to);
	FZ_CHECK(st->has_deadline == timed && st->deadline_ms == want,
		 "#%u into %s at %llu: deadline %d/%llu, expected %d/%llu", id, lc_state_name(c->to),
		 (unsigned long long)c->t_ms, st->has_deadline, (unsigned long long)st->deadline_ms,
		 timed, (unsigned long long)want);
	if (timed)
		m->deadline[id] = want;
}

static void on_change(void *ctx, const struct lc_change *c)
{
	struct model *m = ctx;
	unsigned *n = m->quiet ? &m->copy_changes : &m->changes;
	if (++*n > CALL_CHANGES_MAX || ++m->input_changes > INPUT_CHANGES_MAX)
		longjmp(m->abandon, 1);
	if (m->quiet)
		return;
	uint32_t id = c->id;
	FZ_CHECK(id < m->count, "a change of ability %u, %u registered", id, m->count);
	FZ_CHECK(c->from == m->state[id] && c->to < LC_STATE_COUNT && c->to != c->from &&
			 c->reason < LC_REASON_COUNT,
		 "#%u %s->%s, last reported %s", id, lc_state_name(c->from), lc_state_name(c->to),
		 lc_state_name(m->state[id]));
	if (m->crashed_id >= 0)
		FZ_CHECK((int)id == m->crashed_id && (c->to == LC_BACKOFF || c->to == LC_BLOCKED),
			 "crashed #%d moves on to backoff or blocked at once, got #%u -> %s",
			 m->crashed_id, id, lc_state_name(c->to));
	if (c->to == LC_CRASHED)
		FZ_CHECK(is_in(RESTART_REASONS, c->reason), "crashed for %s", lc_reason_name(c->reason));

	bool timer = c->timeout || (c->from == LC_BACKOFF && c->to == LC_STARTING);
	FZ_CHECK(c->t_ms >= m->last_t && (timer ? c->t_ms == m->deadline[id] : c->t_ms == m->call_t),
		 "#%u %s->%s at %llu: %s %llu, latest change %llu", id, lc_state_name(c->from),
		 lc_state_name(c->to), (unsigned long long)c->t_ms, timer ? "deadline" : "call time",
		 (unsigned long long)(timer ? m->deadline[id] : m->call_t),
		 (unsigned long long)m->last_t);
	if (timer) {
		uint64_t key = c->t_ms * LC_MAX_ABILITIES + id;
		FZ_CHECK(key >= m->last_timer, "timers fire in deadline then registration order");
		m->last_timer = key;
	}

	struct lc_status st;
	int rc = lc_status(&m->lc, id, &st);
	FZ_CHECK(rc == 0 && st.state == c->to && st.reason == c->reason,
		 "on_change sees the change made: %s", lc_strerror(rc));
	check_counts(m, c, &st);
	check_timer(m, c, &st);
	check_busy(m, id);

	if (c->to == LC_STARTING) {
		m->was_ready[id] = false;
	} else if (c->from == LC_STARTING && (c->to == LC_RUNNING_FG || c->to == LC_RUNNING_BG)) {
		m->was_ready[id] = true;
		m->ready_t[id] = c->t_ms;
	}
	m->state[id] = c->to;
	m->crashed_id = c->to == LC_CRASHED ? (int)id : -1;
	m->last_t = c->t_ms;
}

static void check_history(const struct model *m, uint32_t id, uint32_t len)
{
	uint64_t prev = 0;
	for (uint32_t i = 0; i < len; i++) {
		struct lc_death d;
		int rc = lc_history(&m->lc, id, i, &d);
		FZ_CHECK(rc == 0 && d.t_ms >= prev && d.t_ms <= m->now && is_in(RESTART_REASONS, d.reason),
			 "#%u history %u: %s, t %llu after %llu, now %llu, reason %s", id, i,
			 lc_strerror(rc), (unsigned long long)d.t_ms, (unsigned long long)prev,
			 (unsigned long long)m->now, lc_reason_name(d.reason));
		prev = d.t_ms;
	}
	struct lc_death d;
	int rc = lc_history(&m->lc, id, len, &d);
	FZ_CHECK(rc == -LC_ENOENT, "#%u history %u of %u: -LC_ENOENT, got %s", id, len, len,
		 lc_strerror(rc));
}

/* The invariants that hold between calls. */
static void check_all(const struct model *m)
{
	uint64_t earliest = UINT64_MAX;
	for (uint32_t id = 0; id < m->count; id++) {
		struct lc_status st;
		int rc = lc_status(&m->lc, id, &st);
		FZ_CHECK(rc == 0, "status of #%u: %s", id, lc_strerror(rc));
		FZ_CHECK(st.state < LC_STATE_COUNT && st.state != LC_CRASHED && st.state == m->state[id],
			 "#%u in %s, reported %s", id, lc_state_name(st.state),
			 lc_state_name(m->state[id]));
		FZ_CHECK(st.reason < LC_REASON_COUNT, "#%u reason %d", id, (int)st.reason);
		FZ_CHECK(st.history_len <= LC_HISTORY_LEN, "#%u history_len %u", id, st.history_len);
		FZ_CHECK(st.crash_count <= LC_CRASH_COUNT_MAX && st.crash_count == m->crashes[id] &&
				 st.delay_ms <= LC_MS_MAX && (st.crash_count != 0 || st.delay_ms == 0),
			 "#%u crash count %u (counted %u), delay %u", id, st.crash_count,
			 m->crashes[id], st.delay_ms);
		bool timed = is_in(TIMED_STATES, st.state);
		FZ_CHECK(st.has_deadline == timed, "#%u in %s: has_deadline %d", id,
			 lc_state_name(st.state), st.has_deadline);
		if (timed) {
			FZ_CHECK(st.deadline_ms > m->now && st.deadline_ms - m->now <= LC_MS_MAX &&
					 st.deadline_ms == m->deadline[id],
				 "#%u deadline %llu (armed %llu), now %llu", id,
				 (unsigned long long)st.deadline_ms, (unsigned long long)m->deadline[id],
				 (unsigned long long)m->now);
			earliest = st.deadline_ms < earliest ? st.deadline_ms : earliest;
		}
		check_history(m, id, st.history_len);
	}
	struct lc_status st;
	int rc = lc_status(&m->lc, m->count, &st);
	FZ_CHECK(rc == -LC_ENOENT, "status of unregistered #%u: -LC_ENOENT, got %s", m->count,
		 lc_strerror(rc));
	uint64_t next = 0;
	rc = lc_next_deadline(&m->lc, &next);
	FZ_CHECK(earliest == UINT64_MAX ? rc == -LC_ENOENT : rc == 0 && next == earliest,
		 "next deadline: %s %llu, earliest %llu", lc_strerror(rc), (unsigned long long)next,
		 (unsigned long long)earliest);
}

static void begin_call(struct model *m, uint64_t t)
{
	m->call_t = t;
	m->last_timer = 0;
	m->changes = 0;
}

static uint32_t take_ms(struct fz_in *in)
{
	uint8_t b = fz_u8(in);
	if (b == 0xFF)
		return fz_u32(in);
	if (b == 0xFE)
		return LC_MS_MAX;
	if (b == 0xFD)
		return LC_MS_MAX + 1U;
	return b;
}

static struct lc_policy take_policy(struct fz_in *in)
{
	struct lc_policy p;
	p.initial_ms = take_ms(in);
	uint8_t f = fz_u8(in);
	p.factor_milli = f == 0xFF ? fz_u32(in) : LC_FACTOR_MILLI_MIN + f * 400U;
	p.max_ms = take_ms(in);
	uint8_t th = fz_u8(in);
	p.loop_threshold = th == 0xFF ? fz_u32(in) : th % (LC_HISTORY_LEN + 2U);
	p.loop_window_ms = take_ms(in);
	p.stable_reset_ms = take_ms(in);
	p.start_timeout_ms = take_ms(in);
	p.stop_timeout_ms = take_ms(in);
	return p;
}

/* The bounds listed at struct lc_policy. */
static bool policy_ok(const struct lc_policy *p)
{
	return p->initial_ms >= 1 && p->max_ms >= p->initial_ms && p->max_ms <= LC_MS_MAX &&
	       p->factor_milli >= LC_FACTOR_MILLI_MIN && p->factor_milli <= LC_FACTOR_MILLI_MAX &&
	       p->loop_threshold <= LC_HISTORY_LEN && p->loop_window_ms >= 1 &&
	       p->loop_window_ms <= LC_MS_MAX && p->stable_reset_ms <= LC_MS_MAX &&
	       p->start_timeout_ms >= 1 && p->start_timeout_ms <= LC_MS_MAX &&
	       p->stop_timeout_ms >= 1 && p->stop_timeout_ms <= LC_MS_MAX;
}

/* A time: mostly a small step, sometimes backwards, at a deadline, or out of range. */
static uint64_t take_time(const struct model *m, struct fz_in *in)
{
	uint8_t b = fz_u8(in);
	uint64_t next = m->now;
	if (b < 0xE0)
		return m->now + b;
	switch (b) {
	case 0xE0:
		return m->now + fz_u16(in);
	case 0xE1:
		return m->now + fz_u32(in);
	case 0xE2:
		return m->now - 1U - fz_u8(in);
	case 0xE3:
		return fz_u64(in);
	case 0xE4:
		return LC_T_MAX - fz_u8(in);
	case 0xE5:
		return LC_T_MAX + 1U + fz_u8(in);
	case 0xE6:
	case 0xE7:
		if (lc_next_deadline(&m->lc, &next) == 0 && b == 0xE7)
			next--;
		return next;
	default:
		return m->now + (uint64_t)(b - 0xE0U) * 1000U;
	}
}

static void op_register(struct model *m, struct fz_in *in)
{
	struct lc_policy p = take_policy(in);
	bool ok = policy_ok(&p);
	int chk = lc_policy_check(&p);
	FZ_CHECK(chk == (ok ? 0 : -LC_EPOLICY), "policy check: %s, expected valid=%d", lc_strerror(chk),
		 ok);
	struct snap before, after;
	snap_take(&m->lc, &before);
	int rc = lc_register(&m->lc, &p);
	if (ok && m->count < LC_MAX_ABILITIES) {
		FZ_CHECK(rc == (int)m->count, "register: id %u, got %d", m->count, rc);
		m->policy[m->count] = p;
		m->state[m->count] = LC_STOPPED;
		m->count++;
		return;
	}
	FZ_CHECK((!ok && rc == -LC_EPOLICY) || (m->count >= LC_MAX_ABILITIES && rc == -LC_EFULL),
		 "register refused (valid=%d, count %u), got %d", ok, m->count, rc);
	snap_take(&m->lc, &after);
	expect_same(&before, &after, "refused register");
}

static void op_set_policy(struct model *m, struct fz_in *in)
{
	uint32_t id = fz_u8(in) % (m->count + 1U);
	struct lc_policy p = take_policy(in);
	bool ok = policy_ok(&p);
	struct snap before, after;
	snap_take(&m->lc, &before);
	int rc = lc_set_policy(&m->lc, id, &p);
	if (ok && id < m->count) {
		FZ_CHECK(rc == 0, "set_policy #%u: %s", id, lc_strerror(rc));
		m->policy[id] = p;
	} else {
		FZ_CHECK((!ok && rc == -LC_EPOLICY) || (id >= m->count && rc == -LC_ENOENT),
			 "set_policy refused (valid=%d, #%u of %u), got %s", ok, id, m->count,
			 lc_strerror(rc));
	}
	snap_take(&m->lc, &after);
	expect_same(&before, &after, "set_policy");
}

/* Error codes a call at `t` may get for its time alone: 0 if the time is acceptable. */
static bool time_bad(const struct model *m, uint64_t t, int rc)
{
	if (t > LC_T_MAX)
		return rc == -LC_EINVAL;
	if (t < m->now)
		return rc == -LC_ETIME;
	return false;
}

static void op_advance(struct model *m, uint64_t t)
{
	struct snap before, after;
	snap_take(&m->lc, &before);
	begin_call(m, t);
	int rc = lc_advance(&m->lc, t);
	if (t <= LC_T_MAX && t >= m->now) {
		FZ_CHECK(rc == 0, "advance to %llu: %s", (unsigned long long)t, lc_strerror(rc));
		m->now = t;
		return;
	}
	FZ_CHECK(time_bad(m, t, rc), "advance to %llu (now %llu): %s", (unsigned long long)t,
		 (unsigned long long)m->now, lc_strerror(rc));
	snap_take(&m->lc, &after);
	expect_same(&before, &after, "refused advance");
}

/* Whether the transition table allows `kind` in state `s`. */
static bool allowed(enum lc_event_kind kind, enum lc_state s)
{
	static const unsigned from[LC_EV_COUNT] = {
		[LC_EV_START] = BIT(LC_STOPPED),
		[LC_EV_READY_FG] = BIT(LC_STARTING),
		[LC_EV_READY_BG] = BIT(LC_STARTING),
		[LC_EV_FG] = BIT(LC_RUNNING_BG),
		[LC_EV_BG] = BIT(LC_RUNNING_FG),
		[LC_EV_STOP] = RUNNING_STATES | BIT(LC_BACKOFF),
		[LC_EV_KILL] = RUNNING_STATES,
		[LC_EV_EXIT] = RUNNING_STATES | BIT(LC_STOPPING),
		[LC_EV_UNBLOCK] = BIT(LC_BLOCKED),
		[LC_EV_STARVED] = BIT(LC_STARTING),
	};
	return is_in(from[kind], s);
}

/* State and reason after an accepted event met the ability in `was`. */
static void expect_after(enum lc_event_kind kind, enum lc_reason reason, const struct lc_status *was,
			 const struct lc_status *st)
{
	enum lc_state s = LC_STOPPED;
	enum lc_reason r = LC_REASON_NONE;
	switch (kind) {
	case LC_EV_START:
		s = LC_STARTING;
		break;
	case LC_EV_READY_FG:
	case LC_EV_FG:
		s = LC_RUNNING_FG;
		break;
	case LC_EV_READY_BG:
	case LC_EV_BG:
		s = LC_RUNNING_BG;
		break;
	case LC_EV_STOP:
		s = was->state == LC_BACKOFF ? LC_STOPPED : LC_STOPPING;
		r = LC_REASON_REQUEST;
		break;
	case LC_EV_KILL:
		s = LC_STOPPING;
		r = reason;
		break;
	case LC_EV_EXIT:
		r = was->state == LC_STOPPING ? was->reason : reason;
		s = !is_in(RESTART_REASONS, r) ? LC_STOPPED : st->state == LC_BLOCKED ? LC_BLOCKED
										: LC_BACKOFF;
		break;
	case LC_EV_STARVED:
		s = LC_STARTING;
		r = was->reason;
		break;
	case LC_EV_UNBLOCK:
	case LC_EV_COUNT:
		break;
	}
	FZ_CHECK(st->state == s && st->reason == r, "%d in %s: %s/%s, expected %s/%s", (int)kind,
		 lc_state_name(was->state), lc_state_name(st->state), lc_reason_name(st->reason),
		 lc_state_name(s), lc_reason_name(r));
}

static int event(struct model *m, uint64_t t, uint32_t id, enum lc_event_kind kind,
		 enum lc_reason reason)
{
	begin_call(m, t);
	return lc_event(&m->lc, t, id, kind, reason);
}

static void op_event(struct model *m, struct fz_in *in)
{
	uint64_t t = take_time(m, in);
	uint32_t id = fz_u8(in) % (m->count + 2U);
	enum lc_event_kind kind = (enum lc_event_kind)(fz_u8(in) % (LC_EV_COUNT + 1U));
	uint8_t rb = fz_u8(in);
	bool takes_reason = kind == LC_EV_KILL || kind == LC_EV_EXIT;
	enum lc_reason reason = (enum lc_reason)(takes_reason || rb >= 0xF0 ? rb % (LC_REASON_COUNT + 1U)
									     : LC_REASON_NONE);
	bool bad_args = kind >= LC_EV_COUNT || reason >= LC_REASON_COUNT ||
			(reason != LC_REASON_NONE && !takes_reason);
	struct snap before, due, after;
	snap_take(&m->lc, &before);

	if (bad_args || id >= m->count || t > LC_T_MAX || t < m->now) {
		int rc = event(m, t, id, kind, reason);
		FZ_CHECK(time_bad(m, t, rc) || (bad_args && rc == -LC_EINVAL) ||
				 (id >= m->count && rc == -LC_ENOENT),
			 "event %d #%u reason %d at %llu (now %llu): %s", (int)kind, id, (int)reason,
			 (unsigned long long)t, (unsigned long long)m->now, lc_strerror(rc));
		snap_take(&m->lc, &after);
		expect_same(&before, &after, "event refused for its arguments");
		FZ_CHECK(m->changes == 0, "event refused for its arguments reported %u changes",
			 m->changes);
		return;
	}

	/* What the timers due alone do, on a copy. */
	struct lc copy = m->lc;
	m->quiet = true;
	m->copy_changes = 0;
	int rc = lc_advance(&copy, t);
	m->quiet = false;
	FZ_CHECK(rc == 0, "advance a copy to %llu: %s", (unsigned long long)t, lc_strerror(rc));
	snap_take(&copy, &due);
	const struct lc_status *was = &due.st[id];

	rc = event(m, t, id, kind, reason);
	m->now = t;
	snap_take(&m->lc, &after);
	if (!allowed(kind, was->state)) {
		int want = kind == LC_EV_START && was->state == LC_BLOCKED ? -LC_EBLOCKED
									    : -LC_EINVALID_TRANSITION;
		FZ_CHECK(rc == want, "event %d in %s: %s, expected %s", (int)kind,
			 lc_state_name(was->state), lc_strerror(rc), lc_strerror(want));
		expect_same(&due, &after, "event refused for the state");
		FZ_CHECK(m->changes == m->copy_changes, "a refused event reported %u changes, timers %u",
			 m->changes, m->copy_changes);
		return;
	}
	FZ_CHECK(rc == 0, "event %d in %s: %s", (int)kind, lc_state_name(was->state), lc_strerror(rc));
	if (kind == LC_EV_STARVED) {
		/* No change to report; the start timeout starts again at the event's time. */
		FZ_CHECK(m->changes == m->copy_changes, "a starved event reported %u changes, timers %u", m->changes,
			 m->copy_changes);
		m->deadline[id] = t + m->policy[id].start_timeout_ms;
		FZ_CHECK(after.st[id].has_deadline && after.st[id].deadline_ms == m->deadline[id],
			 "starved #%u at %llu: deadline %llu", id, (unsigned long long)t,
			 (unsigned long long)after.st[id].deadline_ms);
	} else {
		FZ_CHECK(m->changes > m->copy_changes, "an accepted event reports its change");
	}
	expect_after(kind, reason, was, &after.st[id]);
	for (uint32_t other = 0; other <= LC_MAX_ABILITIES; other++)
		FZ_CHECK(other == id || (due.rc[other] == after.rc[other] &&
					 (due.rc[other] != 0 || status_eq(&due.st[other], &after.st[other]))),
			 "an event for #%u changed #%u", id, other);
}

/*
 * lc_restore with any arguments: refused for its arguments (nothing changes), refused for
 * an ability something happened to (nothing changes beyond the timers due), or the crash
 * count and delay are the ones given and a blocked ability reports stopped -> blocked.
 */
static void op_restore(struct model *m, struct fz_in *in)
{
	uint64_t t = take_time(m, in);
	uint32_t id = fz_u8(in) % (m->count + 2U);
	uint32_t count = fz_u8(in) >= 0xF0 ? LC_CRASH_COUNT_MAX + (fz_u8(in) & 1U) : fz_u8(in) & 7U;
	uint32_t delay = fz_u32(in);
	bool blocked = fz_u8(in) & 1U;
	const struct lc_policy *p = id < m->count ? &m->policy[id] : NULL;
	bool bad_args = count > LC_CRASH_COUNT_MAX || (blocked && count == 0) ||
			(count == 0 ? delay != 0 : p != NULL && (delay < p->initial_ms || delay > p->max_ms));
	struct snap before, due, after;
	snap_take(&m->lc, &before);
	if (id >= m->count || bad_args || t > LC_T_MAX || t < m->now) {
		begin_call(m, t);
		int rc = lc_restore(&m->lc, t, id, count, delay, blocked);
		FZ_CHECK(time_bad(m, t, rc) || (id >= m->count && rc == -LC_ENOENT) || (bad_args && rc == -LC_EINVAL),
			 "restore #%u count %u delay %u blocked %d at %llu: %s", id, count, delay, blocked,
			 (unsigned long long)t, lc_strerror(rc));
		snap_take(&m->lc, &after);
		expect_same(&before, &after, "restore refused for its arguments");
		FZ_CHECK(m->changes == 0, "a refused restore reported %u changes", m->changes);
		return;
	}
	struct lc copy = m->lc;
	m->quiet = true;
	m->copy_changes = 0;
	int rc = lc_advance(&copy, t);
	m->quiet = false;
	FZ_CHECK(rc == 0, "advance a copy to %llu: %s", (unsigned long long)t, lc_strerror(rc));
	snap_take(&copy, &due);
	const struct lc_status *was = &due.st[id];
	const bool fresh = was->state == LC_STOPPED && was->reason == LC_REASON_NONE && was->crash_count == 0 &&
			   was->delay_ms == 0 && was->history_len == 0;
	if (fresh) {
		m->crashes[id] = count;
		m->delay[id] = delay;
	}
	begin_call(m, t);
	rc = lc_restore(&m->lc, t, id, count, delay, blocked);
	m->now = t;
	snap_take(&m->lc, &after);
	if (!fresh) {
		FZ_CHECK(rc == -LC_EINVALID_TRANSITION, "restore of #%u in %s: %s", id, lc_state_name(was->state),
			 lc_strerror(rc));
		expect_same(&due, &after, "restore refused for the state");
		FZ_CHECK(m->changes == m->copy_changes, "a refused restore reported %u changes, timers %u",
			 m->changes, m->copy_changes);
		return;
	}
	const struct lc_status *st = &after.st[id];
	FZ_CHECK(rc == 0 && st->crash_count == count && st->delay_ms == delay &&
			 st->state == (blocked ? LC_BLOCKED : LC_STOPPED) &&
			 st->reason == (blocked ? LC_REASON_CRASH : LC_REASON_NONE) && st->history_len == 0,
		 "restore #%u count %u delay %u blocked %d: %s, %s %s count %u delay %u", id, count, delay, blocked,
		 lc_strerror(rc), lc_state_name(st->state), lc_reason_name(st->reason), st->crash_count, st->delay_ms);
	FZ_CHECK(m->changes == m->copy_changes + (blocked ? 1U : 0U), "restore reported %u changes, timers %u",
		 m->changes, m->copy_changes);
}

/* Crash ability `id` in a row for up to `n` steps: start, exit crash, restart at the deadline. */
static void op_burst(struct model *m, uint32_t id, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct lc_status st;
		FZ_CHECK(lc_status(&m->lc, id, &st) == 0, "status of #%u", id);
		int rc;
		if (st.state == LC_STOPPED) {
			rc = event(m, m->now, id, LC_EV_START, LC_REASON_NONE);
		} else if (is_in(RUNNING_STATES, st.state)) {
			rc = event(m, m->now, id, LC_EV_EXIT, LC_REASON_CRASH);
		} else if (st.state == LC_BACKOFF && st.deadline_ms <= LC_T_MAX) {
			begin_call(m, st.deadline_ms);
			rc = lc_advance(&m->lc, st.deadline_ms);
			m->now = st.deadline_ms;
		} else {
			return;
		}
		FZ_CHECK(rc == 0, "burst step %u of #%u in %s: %s", i, id, lc_state_name(st.state),
			 lc_strerror(rc));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct fz_in in = { data, size };
	memset(&m, 0, sizeof(m));
	m.crashed_id = -1;
	const struct lc_ops ops = { .on_change = on_change, .ctx = &m };
	FZ_CHECK(lc_init(&m.lc, &ops) == 0, "lc_init");
	check_all(&m);
	if (setjmp(m.abandon) != 0)
		return 0;
	while (!fz_done(&in)) {
		uint8_t op = fz_u8(&in);
		switch (op & 7U) {
		case 0:
			op_register(&m, &in);
			break;
		case 1:
			op_set_policy(&m, &in);
			break;
		case 2:
			op_advance(&m, take_time(&m, &in));
			break;
		case 4:
			op_restore(&m, &in);
			break;
		case 3:
			if (m.count != 0) {
				uint32_t id = fz_u8(&in) % m.count;
				op_burst(&m, id, op == BURST_LONG_OP ? BURST_LONG : fz_u8(&in));
			}
			break;
		default:
			op_event(&m, &in);
			break;
		}
		check_all(&m);
	}
	return 0;
}
