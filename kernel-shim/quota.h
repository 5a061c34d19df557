/**
 * @file quota.h
 * Class quotas of one hart: how much of each period the upper QoS classes may take, so that
 * the classes below them keep a guaranteed share (like real-time throttling).
 *
 * limit[c] bounds the time that class c and every class above it use together on the hart in
 * one period. Once they reach it, class c is throttled until the period ends: the scheduler
 * passes over its tasks while a task of a class that is not throttled waits. So the classes
 * below c keep at least `period - limit[c]` of every period when they have work. A limit of
 * `period` or more is no limit. Throttling only orders: a throttled class still runs when
 * nothing else is runnable, and is charged for it.
 *
 * Pure data structure (no hardware, no locks): sched.c keeps one per hart under the big
 * kernel lock, and the host tests compile it natively (tests/kernel/test_quota.c).
 */
#ifndef KS_QUOTA_H
#define KS_QUOTA_H

#include <stdint.h>

#include "nx/abi.h"

/** Quota configuration (ticks). */
struct ks_quota_cfg {
	uint64_t period;              /**< length of a period, >= 1 */
	uint64_t limit[NX_QOS_COUNT]; /**< per class, >= 1: see the file comment */
};

/** Quota state of one hart. Fields are private to quota.c. */
struct ks_quota {
	struct ks_quota_cfg cfg;
	uint64_t start;               /* start of the current period */
	uint64_t end;                 /* start + period, saturating: when the next one starts */
	uint64_t used[NX_QOS_COUNT];  /* ticks each class used in it */
	unsigned throttled;           /* the classes at their limit in it, kept by every charge */
	uint64_t room;                /* ticks that may still be charged, to any class, before
				       * a class can reach its limit: a lower bound (0: look;
				       * always 0 while a class is throttled) */
	uint64_t fresh_room;          /* room at the start of a period: the smallest limit */
};

/**
 * Set up a quota whose first period starts at 0.
 * @retval 0 done
 * @retval -NX_EINVAL the period or a limit is 0
 */
__attribute__((warn_unused_result)) int ks_quota_init(struct ks_quota *q, const struct ks_quota_cfg *cfg);

/*
 * The calls below answer their common case inline (each trap charges, and the IPC fast
 * path looks at the throttled set and the timer): within the current period, a charge below
 * the room, a look at what the last charge worked out. Everything else is in quota.c, and
 * gives the same answers.
 */
/* Out of line, also under link-time optimisation: inlined, they made their callers' common
 * case save registers (measured: the scheduler's rank lookup, 9 instructions more). */
__attribute__((noinline)) void ks_quota_charge_full(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t ticks);
__attribute__((noinline)) unsigned ks_quota_throttled_full(struct ks_quota *q, uint64_t now);
__attribute__((noinline)) uint64_t ks_quota_until_full(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t cap);

/** Whether, at `now`, no class is throttled in the current period and a charge of `ticks`
 * answers inline (ks_quota_charge_quick() would charge it). Changes nothing. */
static inline int ks_quota_fits_quick(const struct ks_quota *q, uint64_t now, uint64_t ticks)
{
	/* The room is 0 while a class is throttled: above `ticks`, none is. Before `end` is the
	 * current period (a time before `start`, from a trap that read the clock before another
	 * hart's look moved the period on, is charged to it, as ks_quota_charge_full() does). */
	return now < q->end && ticks < q->room;
}

/** ks_quota_charge_quick() of class `qos` (< NX_QOS_COUNT) when ks_quota_fits_quick() said so
 * for these `ticks` and nothing was charged since: the same charge, none of its checks. */
static inline void ks_quota_charge_fitting(struct ks_quota *q, unsigned qos, uint64_t ticks)
{
	q->used[qos] = q->used[qos] <= UINT64_MAX - ticks ? q->used[qos] + ticks : UINT64_MAX;
	q->room -= ticks;
}

/** ks_quota_charge() when it answers inline: 1 charged, 0 nothing changed (then
 * ks_quota_charge_full() must charge it). */
static inline int ks_quota_charge_quick(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t ticks)
{
	/* Below the room no class can reach its limit (quota.c): only the sum changes. */
	if (qos >= NX_QOS_COUNT || now - q->start >= q->cfg.period || ticks >= q->room)
		return 0;
	ks_quota_charge_fitting(q, qos, ticks);
	return 1;
}

/** Charge `ticks` of CPU time to class `qos` at time `now` (in the period `now` falls in). */
static inline void ks_quota_charge(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t ticks)
{
	if (!ks_quota_charge_quick(q, now, qos, ticks))
		ks_quota_charge_full(q, now, qos, ticks);
}

/** ks_quota_throttled() when it answers inline, else -1 (a new period to work out). */
static inline int ks_quota_throttled_quick(const struct ks_quota *q, uint64_t now)
{
	return now - q->start < q->cfg.period ? (int)q->throttled : -1;
}

/** The classes throttled at `now`: bit c set when class c has reached its limit. */
static inline unsigned ks_quota_throttled(struct ks_quota *q, uint64_t now)
{
	const int thr = ks_quota_throttled_quick(q, now);
	return thr >= 0 ? (unsigned)thr : ks_quota_throttled_full(q, now);
}

/** ks_quota_until() when it answers inline (then `cap`), else 0. */
static inline uint64_t ks_quota_until_quick(const struct ks_quota *q, uint64_t now, uint64_t cap)
{
	/* No class reaches its limit within the room, in this period or (with a room at least as
	 * large) in a new one. */
	return cap <= now || cap - now <= q->room ? cap : 0;
}

/**
 * When class `qos`, running from `now` on, reaches its limit in the current period, if that
 * is before `cap` (the scheduler passes its slice's end, and the quota then answers most
 * calls without working the time out).
 * @return that time in ticks; `cap` if it would come at `cap` or later, or never: the class
 *         has no limit, is throttled already, or would reach it only after the period ends
 */
static inline uint64_t ks_quota_until(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t cap)
{
	const uint64_t at = ks_quota_until_quick(q, now, cap);
	return at != 0 ? at : ks_quota_until_full(q, now, qos, cap);
}

#endif
