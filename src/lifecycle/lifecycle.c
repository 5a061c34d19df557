/*
 * The ability lifecycle core. Rules and their reasons: docs/ability/overview.md.
 *
 * Each ability has at most one pending timer, implied by its state: the start timeout in
 * starting, the stop timeout in stopping, the restart in backoff. The pending timers form a
 * 4-ary min-heap ordered by deadline and then by id (registration order, the rule for ties),
 * and each ability knows its timer's heap index. Setting, moving or clearing one timer costs
 * O(log n) for n pending timers, finding the earliest O(1): no call scans the abilities, so
 * the cost of an event does not grow with the capacity. Four children per entry rather than
 * two halve the depth that a fired timer, moved from the root to its next deadline, sinks
 * through. The heap counts from 1 (children of i: 4i - 2 … 4i + 1, parent (i + 2) / 4):
 * slot 0, the root's parent, holds deadline 0, before every entry, so a rising entry stops
 * there unchecked. Every slot past the last timer holds NO_TIMER, beyond every time a call
 * accepts: "is anything due" is one comparison, and a sinking entry reads all four children
 * of a slot without checking which exist.
 */
#include "lc/lifecycle.h"

_Static_assert(LC_BYTES_PER_ABILITY <= 256, "an ability must fit in 256 bytes of RAM");
_Static_assert((LC_HISTORY_LEN & (LC_HISTORY_LEN - 1)) == 0, "history ring indexes by mask");
_Static_assert(LC_HISTORY_LEN <= UINT8_MAX, "history head and length are bytes");
_Static_assert(LC_MAX_ABILITIES >= 1 && LC_MAX_ABILITIES <= LC_CAPACITY_LIMIT, "capacity out of range");
_Static_assert(LC_CAPACITY_LIMIT < UINT16_MAX, "ids and heap positions are 16-bit, NO_POS apart");

#define NO_TIMER UINT64_MAX
#define NO_POS UINT16_MAX
#define ARITY 4U /* children per heap entry: settle() reads them one by one */
/* Slot 0, the timers, and room for the four children of the last timer's parent. */
_Static_assert(sizeof(((struct lc *)0)->heap_t) == (LC_MAX_ABILITIES + ARITY) * sizeof(uint64_t) &&
		       sizeof(((struct lc *)0)->heap_id) == (LC_MAX_ABILITIES + ARITY) * sizeof(uint16_t),
	       "the heap arrays hold slot 0 and the children of every parent");
/* A deadline is at most LC_T_MAX + LC_MS_MAX, below NO_TIMER and beyond every time accepted. */
_Static_assert(LC_T_MAX + LC_MS_MAX < NO_TIMER, "deadlines must not overflow");
_Static_assert((uint64_t)LC_MS_MAX * LC_FACTOR_MILLI_MAX < UINT64_MAX, "delays must not overflow");

#define HISTORY_MASK (LC_HISTORY_LEN - 1U)
#define BIT(n) (1U << (n))
#define RESTART_REASONS (BIT(LC_REASON_CRASH) | BIT(LC_REASON_OOM) | BIT(LC_REASON_SIGNAL))
#define RUNNING_STATES (BIT(LC_STARTING) | BIT(LC_RUNNING_FG) | BIT(LC_RUNNING_BG))
#define KINDS_WITH_REASON (BIT(LC_EV_KILL) | BIT(LC_EV_EXIT))

static const char *const err_names[LC_ERR_COUNT] = {
	[LC_OK] = "ok",
	[LC_EINVAL] = "invalid argument",
	[LC_ENOENT] = "no such entry",
	[LC_EFULL] = "full",
	[LC_EINVALID_TRANSITION] = "invalid transition",
	[LC_EBLOCKED] = "blocked",
	[LC_ETIME] = "time went backwards",
	[LC_EPOLICY] = "invalid policy",
	[LC_EBUSY] = "busy: called from on_change",
};

static const char *const state_names[LC_STATE_COUNT] = {
	[LC_STOPPED] = "stopped",     [LC_STARTING] = "starting", [LC_RUNNING_FG] = "runningFg",
	[LC_RUNNING_BG] = "runningBg", [LC_STOPPING] = "stopping", [LC_CRASHED] = "crashed",
	[LC_BACKOFF] = "backoff",     [LC_BLOCKED] = "blocked",
};

static const char *const reason_names[LC_REASON_COUNT] = {
	[LC_REASON_NONE] = "none", [LC_REASON_CRASH] = "crash",   [LC_REASON_POLICY] = "policy",
	[LC_REASON_OOM] = "oom",   [LC_REASON_SIGNAL] = "signal", [LC_REASON_REQUEST] = "request",
};

static const char *name_in(const char *const *names, unsigned count, unsigned i, const char *other)
{
	return i < count ? names[i] : other;
}

const char *lc_strerror(int err)
{
	/* Negated in unsigned arithmetic: -INT_MIN does not fit in an int. */
	return err > 0 ? "unknown error" : name_in(err_names, LC_ERR_COUNT, 0U - (unsigned)err, "unknown error");
}

const char *lc_state_name(enum lc_state s)
{
	return name_in(state_names, LC_STATE_COUNT, (unsigned)s, "?");
}

const char *lc_reason_name(enum lc_reason r)
{
	return name_in(reason_names, LC_REASON_COUNT, (unsigned)r, "?");
}

static bool in_range(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi;
}

int lc_policy_check(const struct lc_policy *p)
{
	if (!p)
		return -LC_EINVAL;
	if (!in_range(p->initial_ms, 1, LC_MS_MAX) || !in_range(p->max_ms, p->initial_ms, LC_MS_MAX) ||
	    !in_range(p->factor_milli, LC_FACTOR_MILLI_MIN, LC_FACTOR_MILLI_MAX) ||
	    p->loop_threshold > LC_HISTORY_LEN || !in_range(p->loop_window_ms, 1, LC_MS_MAX) ||
	    p->stable_reset_ms > LC_MS_MAX || !in_range(p->start_timeout_ms, 1, LC_MS_MAX) ||
	    !in_range(p->stop_timeout_ms, 1, LC_MS_MAX))
		return -LC_EPOLICY;
	return 0;
}

int lc_init(struct lc *lc, const struct lc_ops *ops)
{
	if (!lc || !ops || !ops->on_change)
		return -LC_EINVAL;
	*lc = (struct lc){ .ops = *ops }; /* heap slot 0: deadline 0 */
	for (uint32_t i = 1; i < LC_MAX_ABILITIES + ARITY; i++)
		lc->heap_t[i] = NO_TIMER;
	return 0;
}

/* Checks shared by the calls that take a policy. */
static int check_policy_call(const struct lc *lc, const struct lc_policy *p)
{
	if (!lc)
		return -LC_EINVAL;
	if (lc->busy)
		return -LC_EBUSY;
	return lc_policy_check(p);
}

int lc_register(struct lc *lc, const struct lc_policy *p)
{
	int err = check_policy_call(lc, p);
	if (err)
		return err;
	if (lc->count >= LC_MAX_ABILITIES)
		return -LC_EFULL;
	lc->ab[lc->count] = (struct lc_ability){ .policy = *p, .state = LC_STOPPED };
	lc->heap_pos[lc->count] = NO_POS;
	return (int)lc->count++;
}

int lc_set_policy(struct lc *lc, uint32_t id, const struct lc_policy *p)
{
	int err = check_policy_call(lc, p);
	if (err)
		return err;
	if (id >= lc->count)
		return -LC_ENOENT;
	lc->ab[id].policy = *p;
	return 0;
}

/* Entry (t, id) comes before heap entry j: earlier deadline, or the same and registered first. */
static bool before(const struct lc *lc, uint64_t t, uint32_t id, uint32_t j)
{
	return t < lc->heap_t[j] || (t == lc->heap_t[j] && id < lc->heap_id[j]);
}

static void place(struct lc *lc, uint32_t i, uint64_t t, uint32_t id)
{
	lc->heap_t[i] = t;
	lc->heap_id[i] = (uint16_t)id;
	lc->heap_pos[id] = (uint16_t)i;
}

/* Put (t, id) into the hole at heap index i, moving it up or down to where it belongs. */
static inline __attribute__((always_inline)) void settle(struct lc *lc, uint32_t i, uint64_t t, uint32_t id)
{
	if (before(lc, t, id, (i + 2U) / ARITY)) {
		do {
			uint32_t parent = (i + 2U) / ARITY;
			place(lc, i, lc->heap_t[parent], lc->heap_id[parent]);
			i = parent;
		} while (before(lc, t, id, (i + 2U) / ARITY));
	} else {
		for (uint32_t first = ARITY * i - 2U; first <= lc->ntimers; first = ARITY * i - 2U) {
			/* The earliest of the four children, written out (a loop compiles to more
			 * instructions); a slot past the last timer (NO_TIMER) is never it. */
			const uint64_t *ct = &lc->heap_t[first];
			const uint16_t *ci = &lc->heap_id[first];
			uint32_t k = 0;
			if (ct[1] < ct[k] || (ct[1] == ct[k] && ci[1] < ci[k]))
				k = 1;
			if (ct[2] < ct[k] || (ct[2] == ct[k] && ci[2] < ci[k]))
				k = 2;
			if (ct[3] < ct[k] || (ct[3] == ct[k] && ci[3] < ci[k]))
				k = 3;
			uint32_t child = first + k;
			if (before(lc, t, id, child))
				break;
			place(lc, i, lc->heap_t[child], lc->heap_id[child]);
			i = child;
		}
	}
	place(lc, i, t, id);
}

/* Set ability `id`'s timer to deadline `t` (NO_TIMER: none). */
static void set_timer(struct lc *lc, uint32_t id, uint64_t t)
{
	uint32_t pos = lc->heap_pos[id];
	if (t != NO_TIMER) {
		if (pos == NO_POS)
			pos = ++lc->ntimers;
	} else {
		if (pos == NO_POS)
			return;
		/* Clear: the last entry fills the hole, and its slot holds no timer from now. */
		lc->heap_pos[id] = NO_POS;
		uint32_t last = lc->ntimers--;
		t = lc->heap_t[last];
		id = lc->heap_id[last];
		lc->heap_t[last] = NO_TIMER;
		if (pos == last)
			return;
	}
	settle(lc, pos, t, id);
}

/*
 * Move ability `id` into `to` at time `t`, arm the timer that state implies, and report the
 * change. The state and timer are updated before the callback so that it can query them.
 * Returns 0, so that the event paths end in a tail call of it.
 */
static int enter(struct lc *lc, uint32_t id, uint64_t t, enum lc_state to, enum lc_reason reason,
		 bool timeout)
{
	struct lc_ability *a = &lc->ab[id];
	struct lc_change c;
	uint64_t deadline = NO_TIMER;
	c.t_ms = t;
	c.id = id;
	c.delay_ms = 0;
	c.from = (enum lc_state)a->state;
	c.to = to;
	c.reason = reason;
	c.timeout = timeout;
	a->state = (uint8_t)to;
	a->reason = (uint8_t)reason;
	if (to == LC_STARTING) {
		a->was_ready = false;
		deadline = t + a->policy.start_timeout_ms;
	} else if (to == LC_STOPPING) {
		deadline = t + a->policy.stop_timeout_ms;
	} else if (to == LC_BACKOFF) {
		c.delay_ms = a->delay_ms;
		deadline = t + a->delay_ms;
	}
	/* Out of crashed, the next change sets the timer: its old one stays in the heap meanwhile
	 * (lc_status() and lc_next_deadline() do not count it), to be moved, not removed and added. */
	if (to != LC_CRASHED)
		set_timer(lc, id, deadline);
	lc->busy = true;
	lc->ops.on_change(lc->ops.ctx, &c);
	lc->busy = false;
	return 0;
}

/* Append a death to the ring, dropping the oldest when it is full. */
static void remember(struct lc_ability *a, uint64_t t, enum lc_reason reason)
{
	a->hist_t[a->hist_head] = t;
	a->hist_reason[a->hist_head] = (uint8_t)reason;
	a->hist_head = (uint8_t)((a->hist_head + 1U) & HISTORY_MASK);
	if (a->hist_len < LC_HISTORY_LEN)
		a->hist_len++;
}

/*
 * At least loop_threshold remembered deaths less than loop_window_ms before `t`. Deaths are
 * remembered in time order, so that is the loop_threshold-th latest one being that recent.
 */
static bool crash_loop(const struct lc_ability *a, uint64_t t)
{
	uint32_t threshold = a->policy.loop_threshold;
	return threshold != 0 && threshold <= a->hist_len &&
	       t - a->hist_t[(a->hist_head - threshold) & HISTORY_MASK] < a->policy.loop_window_ms;
}

/* initial_ms for the first consecutive crash, then the previous delay × factor, clamped. */
static uint32_t next_delay(const struct lc_ability *a)
{
	if (a->crash_count == 1)
		return a->policy.initial_ms;
	uint64_t d = (uint64_t)a->delay_ms * a->policy.factor_milli / 1000U;
	return d < a->policy.max_ms ? (uint32_t)d : a->policy.max_ms;
}

/*
 * Ability `id` died at `t` for a restartable reason: crashed, then blocked or backing off.
 * Bookkeeping happens before the first report, so each callback sees it. Returns 0, as
 * enter() does. Out of line, so that end() needs no register saved on a plain stop.
 */
static __attribute__((noinline)) int crash(struct lc *lc, uint32_t id, uint64_t t, enum lc_reason reason,
					   bool timeout)
{
	struct lc_ability *a = &lc->ab[id];
	remember(a, t, reason);
	if (a->was_ready && a->policy.stable_reset_ms && t - a->ready_t >= a->policy.stable_reset_ms)
		a->crash_count = 0;
	if (a->crash_count < LC_CRASH_COUNT_MAX)
		a->crash_count++;
	bool blocked = crash_loop(a, t);
	if (!blocked)
		a->delay_ms = next_delay(a);
	(void)enter(lc, id, t, LC_CRASHED, reason, timeout);
	return enter(lc, id, t, blocked ? LC_BLOCKED : LC_BACKOFF, reason, timeout);
}

/* The process of ability `id` ended at `t` for `reason`: stopped, or crash(). Returns 0. */
static int end(struct lc *lc, uint32_t id, uint64_t t, enum lc_reason reason, bool timeout)
{
	if (!(RESTART_REASONS & BIT(reason)))
		return enter(lc, id, t, LC_STOPPED, reason, timeout);
	return crash(lc, id, t, reason, timeout);
}

/* The timer of ability `id` fired at its deadline `t`. */
static void fire(struct lc *lc, uint32_t id, uint64_t t)
{
	const struct lc_ability *a = &lc->ab[id];
	if (a->state == LC_STARTING)
		(void)end(lc, id, t, LC_REASON_CRASH, true);
	else if (a->state == LC_STOPPING)
		(void)end(lc, id, t, a->reason, true);
	else
		(void)enter(lc, id, t, LC_STARTING, a->reason, false);
}

/*
 * Fire every timer due at or before `now`, earliest first: each sets only later deadlines, so
 * this ends. Then `now` is the time; returns 0. Out of line, with the test before it inline:
 * most calls have nothing due. NO_TIMER lies beyond LC_T_MAX.
 */
static __attribute__((noinline)) int fire_due(struct lc *lc, uint64_t now)
{
	while (lc->heap_t[1] <= now)
		fire(lc, lc->heap_id[1], lc->heap_t[1]);
	lc->now = now;
	return 0;
}

/* Let time run to `now`. Returns 0, so that lc_advance() ends in a tail call of it. */
static inline int advance_to(struct lc *lc, uint64_t now)
{
	if (lc->heap_t[1] <= now)
		return fire_due(lc, now);
	lc->now = now;
	return 0;
}

static int check_time(const struct lc *lc, uint64_t now)
{
	if (!lc || now > LC_T_MAX)
		return -LC_EINVAL;
	if (lc->busy)
		return -LC_EBUSY;
	if (now < lc->now)
		return -LC_ETIME;
	return 0;
}

int lc_advance(struct lc *lc, uint64_t now)
{
	int err = check_time(lc, now);
	if (err)
		return err;
	return advance_to(lc, now);
}

/*
 * LC_EV_STARVED: move ability `id`'s start timeout to `t`. Out of line, so that lc_event()
 * needs few registers, and settle() directly, so that set_timer() keeps its one call site
 * and stays inlined in enter().
 */
static __attribute__((noinline)) int restart_timeout(struct lc *lc, uint32_t id, uint64_t t)
{
	settle(lc, lc->heap_pos[id], t, id);
	/* For Frama-C Eva (tests/prove/prove_lifecycle.c): the earliest timer may have changed
	 * with no report, so keep the heap's shapes apart here as on_change does. */
	//@ split lc->heap_id[1];
	return 0;
}

/*
 * The event's own transition, after the timers due have fired. Out of line: lc_event() and
 * fire_then_apply() jump to it. Every change ends in a tail call of enter() or end().
 */
static __attribute__((noinline)) int apply(struct lc *lc, uint64_t t, uint32_t id, enum lc_event_kind kind,
					   enum lc_reason reason)
{
	struct lc_ability *a = &lc->ab[id];
	enum lc_state s = (enum lc_state)a->state;

	switch (kind) {
	case LC_EV_START:
		if (s == LC_BLOCKED)
			return -LC_EBLOCKED;
		if (s != LC_STOPPED)
			break;
		return enter(lc, id, t, LC_STARTING, LC_REASON_NONE, false);
	case LC_EV_READY_FG:
	case LC_EV_READY_BG:
		if (s != LC_STARTING)
			break;
		a->was_ready = true;
		a->ready_t = t;
		return enter(lc, id, t, kind == LC_EV_READY_FG ? LC_RUNNING_FG : LC_RUNNING_BG, LC_REASON_NONE, false);
	case LC_EV_FG:
	case LC_EV_BG:
		if (s != (kind == LC_EV_FG ? LC_RUNNING_BG : LC_RUNNING_FG))
			break;
		return enter(lc, id, t, kind == LC_EV_FG ? LC_RUNNING_FG : LC_RUNNING_BG, LC_REASON_NONE, false);
	case LC_EV_STOP:
		if (s == LC_BACKOFF)
			return enter(lc, id, t, LC_STOPPED, LC_REASON_REQUEST, false);
		reason = LC_REASON_REQUEST;
		__attribute__((fallthrough));
	case LC_EV_KILL:
		if (!(RUNNING_STATES & BIT(s)))
			break;
		return enter(lc, id, t, LC_STOPPING, reason, false);
	case LC_EV_EXIT:
		if (s == LC_STOPPING)
			reason = (enum lc_reason)a->reason;
		else if (!(RUNNING_STATES & BIT(s)))
			break;
		return end(lc, id, t, reason, false);
	case LC_EV_UNBLOCK:
		if (s != LC_BLOCKED)
			break;
		a->hist_len = 0;
		a->crash_count = 0;
		a->delay_ms = 0;
		return enter(lc, id, t, LC_STOPPED, LC_REASON_NONE, false);
	case LC_EV_STARVED:
		/* Starting always has its start timeout in the heap. */
		if (s != LC_STARTING || lc->heap_pos[id] == NO_POS)
			break;
		return restart_timeout(lc, id, t + a->policy.start_timeout_ms);
	case LC_EV_COUNT:
		break;
	}
	return -LC_EINVALID_TRANSITION;
}

/* lc_event() when a timer is due: apart, so that the usual path saves no register for a call. */
static __attribute__((noinline)) int fire_then_apply(struct lc *lc, uint64_t now, uint32_t id,
						     enum lc_event_kind kind, enum lc_reason reason)
{
	(void)fire_due(lc, now);
	return apply(lc, now, id, kind, reason);
}

int lc_event(struct lc *lc, uint64_t now, uint32_t id, enum lc_event_kind kind, enum lc_reason reason)
{
	int err = check_time(lc, now);
	if (err)
		return err;
	if ((unsigned)kind >= LC_EV_COUNT || (unsigned)reason >= LC_REASON_COUNT ||
	    (reason != LC_REASON_NONE && !(KINDS_WITH_REASON & BIT(kind))))
		return -LC_EINVAL;
	if (id >= lc->count)
		return -LC_ENOENT;
	if (lc->heap_t[1] <= now)
		return fire_then_apply(lc, now, id, kind, reason);
	lc->now = now;
	return apply(lc, now, id, kind, reason);
}

/* Nothing has happened to `a` since it was registered. */
static bool as_registered(const struct lc_ability *a)
{
	return a->state == LC_STOPPED && a->reason == LC_REASON_NONE && a->hist_len == 0 && a->crash_count == 0 &&
	       a->delay_ms == 0;
}

int lc_restore(struct lc *lc, uint64_t now, uint32_t id, uint32_t crash_count, uint32_t delay_ms, bool blocked)
{
	int err = check_time(lc, now);
	if (err)
		return err;
	if (id >= lc->count)
		return -LC_ENOENT;
	const struct lc_policy *p = &lc->ab[id].policy;
	if (crash_count > LC_CRASH_COUNT_MAX || (blocked && crash_count == 0) ||
	    (crash_count == 0 ? delay_ms != 0 : !in_range(delay_ms, p->initial_ms, p->max_ms)))
		return -LC_EINVAL;
	(void)advance_to(lc, now);
	struct lc_ability *a = &lc->ab[id];
	if (!as_registered(a))
		return -LC_EINVALID_TRANSITION;
	a->crash_count = (uint16_t)crash_count;
	a->delay_ms = delay_ms;
	if (blocked)
		(void)enter(lc, id, now, LC_BLOCKED, LC_REASON_CRASH, false);
	return 0;
}

int lc_next_deadline(const struct lc *lc, uint64_t *t_ms)
{
	if (!lc || !t_ms)
		return -LC_EINVAL;
	uint32_t i = 1;
	/* From on_change of a crash, the crashed ability's old timer may still be in the heap: it
	 * is not pending (enter() replaces it next). Only the root can be earlier than the rest;
	 * if it is that timer, the earliest pending one is the earliest of its children. */
	if (lc->ntimers > 0 && lc->ab[lc->heap_id[1]].state == LC_CRASHED) {
		i = 2;
		for (uint32_t c = 3; c <= ARITY + 1U && c <= lc->ntimers; c++)
			if (before(lc, lc->heap_t[c], lc->heap_id[c], i))
				i = c;
	}
	if (i > lc->ntimers)
		return -LC_ENOENT;
	*t_ms = lc->heap_t[i];
	return 0;
}

int lc_status(const struct lc *lc, uint32_t id, struct lc_status *out)
{
	if (!lc || !out)
		return -LC_EINVAL;
	if (id >= lc->count)
		return -LC_ENOENT;
	const struct lc_ability *a = &lc->ab[id];
	uint32_t pos = lc->heap_pos[id];
	bool timed = pos != NO_POS && a->state != LC_CRASHED;
	*out = (struct lc_status){
		.state = (enum lc_state)a->state,
		.reason = (enum lc_reason)a->reason,
		.crash_count = a->crash_count,
		.delay_ms = a->delay_ms,
		.history_len = a->hist_len,
		.has_deadline = timed,
		.deadline_ms = timed ? lc->heap_t[pos] : 0,
	};
	return 0;
}

int lc_history(const struct lc *lc, uint32_t id, uint32_t i, struct lc_death *out)
{
	if (!lc || !out)
		return -LC_EINVAL;
	if (id >= lc->count || i >= lc->ab[id].hist_len)
		return -LC_ENOENT;
	const struct lc_ability *a = &lc->ab[id];
	uint32_t slot = (a->hist_head - a->hist_len + i) & HISTORY_MASK;
	*out = (struct lc_death){ .t_ms = a->hist_t[slot], .reason = (enum lc_reason)a->hist_reason[slot] };
	return 0;
}
