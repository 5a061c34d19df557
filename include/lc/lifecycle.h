/**
 * @file lc/lifecycle.h
 * The ability lifecycle core: a deterministic state machine per ability, with kill reasons,
 * exponential restart backoff, crash-loop blocking and bounded start/stop timeouts.
 *
 * `appmgrd` links it into the OS image; host tests and `lcreplay` link it natively. It is
 * freestanding C11: no allocation, no global state, no I/O. The caller owns a `struct lc`,
 * passes the time (milliseconds, never decreasing) into every call that may change state,
 * and learns of every state change through the `on_change` callback of its `struct lc_ops`,
 * in order, cascades included (`runningFg → crashed`, then `crashed → backoff`).
 *
 * Errors: every function that can fail returns 0 or a negative `LC_E…` code and must not be
 * ignored; lc_strerror() names each code. The rules themselves are in docs/ability/overview.md.
 *
 * Time and timers: a call with time `now` first fires every timer due at or before `now`, in
 * deadline order, ties in registration order, each at its own deadline; then it applies its
 * own event. An event refused with -LC_EINVALID_TRANSITION or -LC_EBLOCKED changes nothing
 * itself, but the timers it fired stay fired: they happened before the event. A call refused
 * for its arguments (-LC_EINVAL, -LC_ENOENT, -LC_ETIME, -LC_EBUSY) fires nothing.
 */
#ifndef LC_LIFECYCLE_H
#define LC_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Abilities one `struct lc` holds; ids run from 0 to LC_MAX_ABILITIES - 1. A compile-time
 * setting, 1 to LC_CAPACITY_LIMIT: the build passes -DLC_MAX_ABILITIES=<n>U (meson option
 * `lc_capacity`) to the core and to every user of this header alike; the OS image keeps 32.
 */
#ifndef LC_MAX_ABILITIES
#define LC_MAX_ABILITIES 32U
#endif
/** Largest capacity the core accepts (ids and timer positions are 16-bit). */
#define LC_CAPACITY_LIMIT 4096U
/** Restartable deaths remembered per ability (a power of two). */
#define LC_HISTORY_LEN 16U
/** Largest value of any millisecond field of a policy (one day). */
#define LC_MS_MAX 86400000U
/** Smallest backoff factor, in thousandths (1.000). */
#define LC_FACTOR_MILLI_MIN 1000U
/** Largest backoff factor, in thousandths (100.000). */
#define LC_FACTOR_MILLI_MAX 100000U
/** Latest time a call accepts, in ms (2^58, about 9 million years). */
#define LC_T_MAX (UINT64_C(1) << 58)
/** The consecutive-crash count saturates here. */
#define LC_CRASH_COUNT_MAX UINT16_MAX

/** Error codes, returned negated. */
enum lc_err {
	LC_OK = 0,
	LC_EINVAL = 1,              /**< an argument is out of range or NULL */
	LC_ENOENT = 2,              /**< no such ability, history entry or timer */
	LC_EFULL = 3,               /**< LC_MAX_ABILITIES are registered already */
	LC_EINVALID_TRANSITION = 4, /**< the event is not allowed in the ability's state */
	LC_EBLOCKED = 5,            /**< start refused: the ability is blocked until unblocked */
	LC_ETIME = 6,               /**< the time given is earlier than a time already seen */
	LC_EPOLICY = 7,             /**< a policy value is out of range */
	LC_EBUSY = 8,               /**< called from inside an on_change callback */
	LC_ERR_COUNT                /**< number of codes; not an error */
};

/** Lifecycle states. `crashed` is transient: it always moves on within the same call. */
enum lc_state {
	LC_STOPPED,    /**< no process */
	LC_STARTING,   /**< spawned, not ready yet; start timeout pending */
	LC_RUNNING_FG, /**< ready, in the foreground */
	LC_RUNNING_BG, /**< ready, in the background */
	LC_STOPPING,   /**< asked to end, not gone yet; stop timeout pending */
	LC_CRASHED,    /**< died for a restartable reason (transient) */
	LC_BACKOFF,    /**< waiting for its restart time */
	LC_BLOCKED,    /**< crash loop: no restart until unblocked */
	LC_STATE_COUNT /**< number of states; not a state */
};

/** Why an ability stops or died. `crash`, `oom` and `signal` deaths restart it. */
enum lc_reason {
	LC_REASON_NONE,    /**< no reason: a clean exit, or a start, ready or unblock */
	LC_REASON_CRASH,   /**< the process failed (restarts) */
	LC_REASON_POLICY,  /**< the OS decided it must not run */
	LC_REASON_OOM,     /**< killed for memory (restarts) */
	LC_REASON_SIGNAL,  /**< ended by a signal (restarts) */
	LC_REASON_REQUEST, /**< someone asked it to stop */
	LC_REASON_COUNT    /**< number of reasons; not a reason */
};

/** Events an ability's owner reports. */
enum lc_event_kind {
	LC_EV_START,    /**< stopped → starting */
	LC_EV_READY_FG, /**< starting → runningFg */
	LC_EV_READY_BG, /**< starting → runningBg */
	LC_EV_FG,       /**< runningBg → runningFg */
	LC_EV_BG,       /**< runningFg → runningBg */
	LC_EV_STOP,     /**< starting/running → stopping (request); backoff → stopped (request) */
	LC_EV_KILL,     /**< starting/running → stopping with the event's reason */
	LC_EV_EXIT,     /**< the process ended, with the event's reason */
	LC_EV_UNBLOCK,  /**< blocked → stopped, clearing history and crash count */
	LC_EV_STARVED,  /**< starting, before its start timeout: the process was kept off the CPU,
			     so its start timeout starts again at the event's time (no state change,
			     nothing reported) */
	LC_EV_COUNT     /**< number of kinds; not an event */
};

/**
 * Restart policy of one ability. Defaults: LC_POLICY_DEFAULT. Bounds (lc_policy_check()):
 * every `_ms` field ≤ LC_MS_MAX; `initial_ms`, `loop_window_ms` and both timeouts ≥ 1;
 * `max_ms` ≥ `initial_ms`; `factor_milli` in LC_FACTOR_MILLI_MIN..LC_FACTOR_MILLI_MAX;
 * `loop_threshold` ≤ LC_HISTORY_LEN. Within them no computation can overflow.
 */
struct lc_policy {
	uint32_t initial_ms;       /**< backoff delay after the first consecutive crash */
	uint32_t factor_milli;     /**< each further crash multiplies the delay by this / 1000 */
	uint32_t max_ms;           /**< the delay never exceeds this */
	uint32_t loop_threshold;   /**< deaths within the window that block; 0: never block */
	uint32_t loop_window_ms;   /**< a death counts while `now - its time < loop_window_ms` */
	uint32_t stable_reset_ms;  /**< a run this long restarts the crash count; 0: never */
	uint32_t start_timeout_ms; /**< starting this long without ready counts as a crash */
	uint32_t stop_timeout_ms;  /**< stopping this long without exit counts as the exit */
};

/** Initializer for a `struct lc_policy` holding the defaults. */
#define LC_POLICY_DEFAULT                                                                     \
	{                                                                                     \
		.initial_ms = 500, .factor_milli = 2000, .max_ms = 15000, .loop_threshold = 5, \
		.loop_window_ms = 60000, .stable_reset_ms = 60000, .start_timeout_ms = 5000,  \
		.stop_timeout_ms = 5000,                                                      \
	}

/** One state change, as reported to `on_change`. */
struct lc_change {
	uint64_t t_ms;         /**< when it happened: the event's time or the timer's deadline */
	uint32_t id;           /**< the ability */
	uint32_t delay_ms;     /**< on a change into backoff: the restart delay; else 0 */
	enum lc_state from;    /**< state before */
	enum lc_state to;      /**< state after */
	enum lc_reason reason; /**< the ability's reason after the change */
	bool timeout;          /**< a start or stop timeout caused this change (and its cascade) */
};

/**
 * How the core reaches its owner (OpenSBI style). `on_change` runs synchronously for every
 * state change, in order; it may query the core but not change it (such calls fail with
 * -LC_EBUSY). `appmgrd` spawns on → starting, asks for a kill on → stopping, and asks for a
 * forced kill on a change out of stopping with `timeout` set.
 */
struct lc_ops {
	void (*on_change)(void *ctx, const struct lc_change *c); /**< required */
	void *ctx;                                               /**< passed to on_change */
};

/** One remembered restartable death. */
struct lc_death {
	uint64_t t_ms;         /**< when */
	enum lc_reason reason; /**< crash, oom or signal */
};

/** What lc_status() reports about one ability. */
struct lc_status {
	enum lc_state state;    /**< current state (never LC_CRASHED between calls) */
	enum lc_reason reason;  /**< reason of the latest change (none after start/ready/unblock) */
	uint32_t crash_count;   /**< consecutive restartable deaths (saturates at LC_CRASH_COUNT_MAX) */
	uint32_t delay_ms;      /**< delay of the latest backoff; 0 when crash_count is 0 */
	uint32_t history_len;   /**< deaths in the history, at most LC_HISTORY_LEN */
	bool has_deadline;      /**< a timer is pending: in starting, stopping and backoff */
	uint64_t deadline_ms;   /**< when it fires; in backoff, the restart time */
};

/** Per-ability record. Private to the core: use the functions. */
struct lc_ability {
	uint64_t hist_t[LC_HISTORY_LEN];
	uint64_t ready_t;
	struct lc_policy policy;
	uint32_t delay_ms;
	uint16_t crash_count;
	uint8_t hist_reason[LC_HISTORY_LEN];
	uint8_t hist_head;
	uint8_t hist_len;
	uint8_t state;
	uint8_t reason;
	bool was_ready;
};

/**
 * The lifecycle core's whole state. Private to the core: use the functions. The pending
 * timers form a 4-ary min-heap ordered by deadline, then id: `heap_t`/`heap_id` hold entry i,
 * `heap_pos` the heap index of each ability's timer. The heap counts from 1: slot 0 stays
 * before every entry, and 3 slots more than abilities hold all four children of the last
 * entry with a child; every slot past the last timer holds no timer.
 */
struct lc {
	struct lc_ability ab[LC_MAX_ABILITIES];
	uint64_t heap_t[LC_MAX_ABILITIES + 4U];
	uint16_t heap_id[LC_MAX_ABILITIES + 4U];
	uint16_t heap_pos[LC_MAX_ABILITIES];
	struct lc_ops ops;
	uint64_t now;
	uint32_t count;
	uint32_t ntimers;
	bool busy;
};

/** RAM one ability adds to `struct lc`: its record and its heap entry and position. */
#define LC_BYTES_PER_ABILITY (sizeof(struct lc_ability) + sizeof(uint64_t) + 2U * sizeof(uint16_t))

#define LC_MUST_USE __attribute__((warn_unused_result))

/**
 * Set up an empty core reporting to `ops` (copied). Time starts at 0.
 * @retval 0 done
 * @retval -LC_EINVAL `lc`, `ops` or `ops->on_change` is NULL
 */
LC_MUST_USE int lc_init(struct lc *lc, const struct lc_ops *ops);

/**
 * Check a policy against the bounds listed at `struct lc_policy`.
 * @retval 0 valid
 * @retval -LC_EINVAL `p` is NULL
 * @retval -LC_EPOLICY a value is out of range
 */
LC_MUST_USE int lc_policy_check(const struct lc_policy *p);

/**
 * Register an ability, `stopped` with an empty history. Ids are handed out 0, 1, 2, … and
 * registration order breaks ties between timers due at the same time.
 * @return the new id (≥ 0)
 * @retval -LC_EINVAL `lc` or `p` is NULL
 * @retval -LC_EPOLICY the policy is invalid; nothing registered
 * @retval -LC_EFULL LC_MAX_ABILITIES are registered already
 * @retval -LC_EBUSY called from on_change
 */
LC_MUST_USE int lc_register(struct lc *lc, const struct lc_policy *p);

/**
 * Replace an ability's policy. It applies from the next decision: a pending timer keeps its
 * deadline, and the next backoff delay grows from the current one.
 * @retval 0 done
 * @retval -LC_EINVAL `lc` or `p` is NULL
 * @retval -LC_ENOENT no such ability
 * @retval -LC_EPOLICY the policy is invalid; nothing changed
 * @retval -LC_EBUSY called from on_change
 */
LC_MUST_USE int lc_set_policy(struct lc *lc, uint32_t id, const struct lc_policy *p);

/**
 * Let time run to `now`, firing every timer due at or before it.
 * @retval 0 done
 * @retval -LC_EINVAL `lc` is NULL or `now` > LC_T_MAX
 * @retval -LC_ETIME `now` is earlier than a time already given; nothing changed
 * @retval -LC_EBUSY called from on_change
 */
LC_MUST_USE int lc_advance(struct lc *lc, uint64_t now);

/**
 * Report event `kind` for ability `id` at time `now`: fire the timers due up to `now`, then
 * apply the event (transition table in docs/ability/overview.md).
 * @param reason for LC_EV_KILL and LC_EV_EXIT, why; LC_REASON_NONE for the other kinds
 * @retval 0 done
 * @retval -LC_EINVAL `lc` is NULL, `kind` or `reason` out of range, a reason given to a kind
 *         that takes none, or `now` > LC_T_MAX; nothing changed
 * @retval -LC_ENOENT no such ability; nothing changed
 * @retval -LC_ETIME `now` is earlier than a time already given; nothing changed
 * @retval -LC_EBUSY called from on_change; nothing changed
 * @retval -LC_EBLOCKED LC_EV_START while blocked; due timers fired, the event changed nothing
 * @retval -LC_EINVALID_TRANSITION the event is not allowed in the ability's state; due timers
 *         fired, the event changed nothing
 */
LC_MUST_USE int lc_event(struct lc *lc, uint64_t now, uint32_t id, enum lc_event_kind kind,
			 enum lc_reason reason);

/**
 * Restore what an earlier boot left of ability `id`, before anything has happened to it in
 * this one: its consecutive crash count, the delay of its latest backoff, and whether it was
 * blocked. Deaths of earlier boots are not restored: the crash-loop window counts this
 * boot's only (its clock started again at 0). Blocked, it enters LC_BLOCKED at `now` with
 * reason crash, reported to on_change, and stays there until LC_EV_UNBLOCK; otherwise the
 * next crash's delay grows from `delay_ms` as if the earlier crashes had happened now.
 * @param crash_count 0..LC_CRASH_COUNT_MAX; at least 1 when blocked
 * @param delay_ms 0 when crash_count is 0, else initial_ms..max_ms of its policy
 * @retval 0 done
 * @retval -LC_EINVAL `lc` is NULL, `now` > LC_T_MAX, or a value outside the bounds above;
 *         nothing changed
 * @retval -LC_ENOENT no such ability; nothing changed
 * @retval -LC_ETIME `now` is earlier than a time already given; nothing changed
 * @retval -LC_EBUSY called from on_change; nothing changed
 * @retval -LC_EINVALID_TRANSITION the ability is not as registered (stopped, no history, no
 *         crash, no reason); due timers fired, nothing else changed
 */
LC_MUST_USE int lc_restore(struct lc *lc, uint64_t now, uint32_t id, uint32_t crash_count, uint32_t delay_ms,
			   bool blocked);

/**
 * The earliest pending timer, so an event loop can sleep until it.
 * @retval 0 `*t_ms` holds its deadline
 * @retval -LC_EINVAL `lc` or `t_ms` is NULL
 * @retval -LC_ENOENT no timer is pending
 */
LC_MUST_USE int lc_next_deadline(const struct lc *lc, uint64_t *t_ms);

/**
 * Fill `*out` with ability `id`'s state, reason, crash count, delay and pending timer.
 * @retval 0 done
 * @retval -LC_EINVAL `lc` or `out` is NULL
 * @retval -LC_ENOENT no such ability
 */
LC_MUST_USE int lc_status(const struct lc *lc, uint32_t id, struct lc_status *out);

/**
 * Entry `i` of ability `id`'s death history, oldest first (i = 0 is the oldest kept).
 * @retval 0 `*out` holds it
 * @retval -LC_EINVAL `lc` or `out` is NULL
 * @retval -LC_ENOENT no such ability, or `i` ≥ its history length
 */
LC_MUST_USE int lc_history(const struct lc *lc, uint32_t id, uint32_t i, struct lc_death *out);

/**
 * Text for an error code.
 * @return a static string for `err` (0 or a negative LC_E… code); "unknown error" otherwise
 */
const char *lc_strerror(int err);

/**
 * Name of a state as the docs and lcreplay spell it.
 * @return a static string such as "runningFg"; "?" if `s` is out of range
 */
const char *lc_state_name(enum lc_state s);

/**
 * Name of a reason as the docs and lcreplay spell it.
 * @return a static string such as "oom"; "?" if `r` is out of range
 */
const char *lc_reason_name(enum lc_reason r);

#endif
