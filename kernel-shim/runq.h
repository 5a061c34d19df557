/**
 * @file runq.h
 * A bounded FIFO of task slots: one per QoS class in the scheduler.
 *
 * Pure data structure (no hardware, no locks): the scheduler calls it under its lock, and
 * the host tests compile it natively.
 */
#ifndef KS_RUNQ_H
#define KS_RUNQ_H

#include <stdint.h>

/** Largest capacity a run queue can be given. */
#define KS_RUNQ_MAX 32

/** A run queue. Fields are private to runq.c. */
struct ks_runq {
	uint16_t slot[KS_RUNQ_MAX];
	uint16_t head;
	uint16_t count;
	uint16_t cap;
};

/**
 * Set up an empty queue holding at most `cap` tasks.
 * @retval 0 done
 * @retval -NX_EINVAL cap is 0 or above KS_RUNQ_MAX
 */
__attribute__((warn_unused_result)) int ks_runq_init(struct ks_runq *q, unsigned cap);

/**
 * Append `task` at the tail.
 * @retval 0 done
 * @retval -NX_EFULL the queue holds `cap` tasks; it is unchanged
 */
__attribute__((warn_unused_result)) int ks_runq_push(struct ks_runq *q, uint16_t task);

/**
 * Take the task at the head into `*task`.
 * @retval 0 done
 * @retval -NX_EEMPTY the queue is empty
 */
__attribute__((warn_unused_result)) int ks_runq_pop(struct ks_runq *q, uint16_t *task);

/**
 * Remove `task` wherever it stands, keeping the order of the others.
 * Removing a task that is not queued is harmless.
 * @retval 0 done
 * @retval -NX_ENOENT `task` is not queued; the queue is unchanged
 */
int ks_runq_remove(struct ks_runq *q, uint16_t task);

/** Position of `task` from the head (0 = next to run), or -NX_ENOENT. */
int ks_runq_position(const struct ks_runq *q, uint16_t task);

/** Number of queued tasks. */
unsigned ks_runq_count(const struct ks_runq *q);

#endif
