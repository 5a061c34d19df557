/**
 * @file sched_core.h
 * Scheduler bookkeeping: QoS classes, their bounded run queues and class membership.
 *
 * Pure data structure with no hardware access and no locking: sched.c calls it under the big
 * kernel lock, and the host tests compile it natively (tests/kernel/test_sched_core.c).
 *
 * Each class has a member limit, and its run queue has exactly that capacity, so waking a
 * member can never overflow the queue. Moving a task into a class that is at its limit fails
 * with -NX_EFULL and leaves the task exactly as it was: same class, same queue position,
 * still runnable if it was.
 */
#ifndef KS_SCHED_CORE_H
#define KS_SCHED_CORE_H

#include <stdint.h>

#include "config.h"
#include "nx/abi.h"
#include "runq.h"

/** Where a task stands in the scheduler. */
enum ks_sched_state {
	KS_SCHED_NONE = 0,  /**< not known to the scheduler */
	KS_SCHED_QUEUED,    /**< runnable, waiting in its class's run queue */
	KS_SCHED_RUNNING,   /**< on a hart */
	KS_SCHED_BLOCKED,   /**< waiting for an event */
};

/** Scheduler state. Fields are private to sched_core.c. */
struct ks_sched_core {
	struct ks_runq rq[NX_QOS_COUNT];
	uint8_t members[NX_QOS_COUNT];
	uint8_t limit[NX_QOS_COUNT];
	uint8_t qos[KS_MAX_TASKS];
	uint8_t state[KS_MAX_TASKS];
};

/** Member limits per class (enum nx_qos; also the run queue capacities). */
struct ks_qos_limits {
	uint8_t limit[NX_QOS_COUNT];
};

/**
 * Set up an empty scheduler.
 * @retval 0 done
 * @retval -NX_EINVAL a limit is 0 or above KS_RUNQ_MAX
 */
__attribute__((warn_unused_result)) int ks_sched_core_init(struct ks_sched_core *s,
							   const struct ks_qos_limits *limits);

/**
 * Admit `task` into class `qos`, blocked (call ks_sched_core_wake() to queue it).
 * @retval 0 done
 * @retval -NX_EINVAL bad task or class, or the task is already admitted
 * @retval -NX_EFULL the class is at its member limit
 */
__attribute__((warn_unused_result)) int ks_sched_core_admit(struct ks_sched_core *s, unsigned task,
							    unsigned qos);

/** Forget `task` (it ended): leaves its class and its run queue. */
void ks_sched_core_remove(struct ks_sched_core *s, unsigned task);

/**
 * Make a blocked task runnable: append it to its class's run queue.
 * @retval 0 done (also when it was already queued or running: nothing changes)
 * @retval -NX_EINVAL unknown task
 */
__attribute__((warn_unused_result)) int ks_sched_core_wake(struct ks_sched_core *s, unsigned task);

/**
 * Make a blocked task run at once, without queueing it (a hart switches straight to it).
 * @retval 0 done, it is RUNNING
 * @retval -NX_EINVAL unknown task, or it is not blocked
 */
__attribute__((warn_unused_result)) int ks_sched_core_run(struct ks_sched_core *s, unsigned task);

/** Mark a running task blocked. */
void ks_sched_core_block(struct ks_sched_core *s, unsigned task);

/**
 * The running `from` blocks and the blocked `to` runs in its place (a hart switches straight
 * from one to the other). The caller knows both states (it looked under the same lock): they
 * are not checked again.
 */
void ks_sched_core_handoff(struct ks_sched_core *s, unsigned from, unsigned to);

/**
 * Put a running task back at the tail of its run queue (its slice ended).
 * @retval 0 done
 * @retval -NX_EINVAL the task is not running
 */
__attribute__((warn_unused_result)) int ks_sched_core_preempt(struct ks_sched_core *s, unsigned task);

/**
 * Take the next task to run: the head of the highest non-empty class; it becomes RUNNING.
 * @retval 0 done, `*task` set
 * @retval -NX_EEMPTY nothing is runnable
 */
__attribute__((warn_unused_result)) int ks_sched_core_pick(struct ks_sched_core *s, unsigned *task);

/**
 * Move `task` to class `qos`. A queued task goes to the tail of the new class's queue.
 * @retval 0 done (also when it already is in `qos`)
 * @retval -NX_EINVAL unknown task or class
 * @retval -NX_EFULL `qos` is at its member limit; the task is left exactly as it was
 */
__attribute__((warn_unused_result)) int ks_sched_core_set_qos(struct ks_sched_core *s, unsigned task,
							      unsigned qos);

/** Class of `task` (NX_QOS_COUNT if unknown). */
unsigned ks_sched_core_qos(const struct ks_sched_core *s, unsigned task);

/** State of `task`. */
enum ks_sched_state ks_sched_core_state(const struct ks_sched_core *s, unsigned task);

/** Position of `task` in its run queue (0 = next), or -NX_ENOENT if it is not queued. */
int ks_sched_core_position(const struct ks_sched_core *s, unsigned task);

/** Highest-priority class with a queued task, or NX_QOS_COUNT if none. */
unsigned ks_sched_core_best_queued(const struct ks_sched_core *s);

/*
 * Throttled classes (quota.h). A throttled class ranks below every class that is not: its
 * rank is its class + NX_QOS_COUNT; any other class's rank is the class itself. A lower rank
 * runs first.
 */

/** Rank of class `qos` when the classes in `throttled` (bit per class) are throttled. */
unsigned ks_sched_core_rank(unsigned qos, unsigned throttled);

/** Lowest rank of a class with a queued task, or 2 * NX_QOS_COUNT if none. */
unsigned ks_sched_core_best_rank(const struct ks_sched_core *s, unsigned throttled);

/**
 * ks_sched_core_pick() by rank: the head of the queue of the lowest rank becomes RUNNING.
 * @retval 0 done, `*task` set
 * @retval -NX_EEMPTY nothing is runnable
 */
__attribute__((warn_unused_result)) int ks_sched_core_pick_ranked(struct ks_sched_core *s, unsigned throttled,
								  unsigned *task);

#endif
