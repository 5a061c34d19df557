/* The scheduler: big kernel lock, per-hart run loop, timers with slack, CPU accounting. */
#ifndef KS_SCHED_H
#define KS_SCHED_H

#include <stdint.h>

#include "task.h"

/** Take / drop the big kernel lock (see the lock discipline at the top of sched.c). */
void ks_bkl_acquire(void);
void ks_bkl_release(void);
/** Take the big kernel lock if it is free, without waiting; 1 when taken. */
int ks_bkl_try(void);
/**
 * With the BKL held: make every other online hart sleep in ks_bkl_acquire(), so none
 * executes until this hart releases the lock (the block device's wait, blk.c). 1 when they
 * all sleep, 0 when one had not arrived by `deadline` (ticks).
 */
int ks_sched_park_others(uint64_t deadline) __attribute__((warn_unused_result));

/** Set up the QoS classes. Boot hart, before any task exists. */
void ks_sched_init(unsigned long boot_hartid);

/**
 * Admit a new task into class `qos` and queue it.
 * @retval 0 done
 * @retval -NX_EFULL the class is at its member limit
 * @retval -NX_EINVAL bad class
 */
int ks_sched_admit(struct ks_task *t, unsigned qos);

/** Forget an ended task. */
void ks_sched_remove(struct ks_task *t);

/** Make a blocked task runnable, and get an idle (or lower-class) hart to run it. */
void ks_sched_wake(struct ks_task *t);

/** The calling task blocks for `why` until woken or `deadline` (ticks, UINT64_MAX = none). */
void ks_sched_block(struct ks_task *t, enum ks_wait why, uint64_t deadline);

/**
 * `from`, running on this hart, has just blocked; `to` is blocked and has something to do
 * (a message was delivered into its receive). Run `to` on this hart in place of `from`,
 * for the rest of `from`'s slice, without passing through the run queue, unless a task of
 * a higher class than `to` is queued or the hart must reschedule: then `to` is only woken.
 */
void ks_sched_handoff(struct ks_task *from, struct ks_task *to);

/**
 * Whether the IPC fast path (syscall.c) may block `from`, the task that trapped on hart `h`
 * at `now`, and switch straight to the blocked task `to`: `from` is running and not being
 * killed, `h` need not reschedule, no task of a higher class than `to` is queued, `now`
 * falls in the quota period last worked out with no class throttled on `h`, and the quota
 * charges `from`'s time inline (else the general path decides: ks_sched_handoff). Changes
 * nothing.
 */
int ks_sched_fast_handoff_ok(const struct ks_hart *h, const struct ks_task *from, const struct ks_task *to,
			     uint64_t now);

/**
 * The IPC fast path's switch, once ks_sched_fast_handoff_ok() said yes (nothing it looked at
 * changed since) and the message is in `to`'s receive: account `from`'s time up to `now`
 * (ks_sched_account), block it for `why` until `deadline` (ks_sched_block), run `to` on `h`
 * for the rest of `from`'s slice and enter it in user mode. Counts the delivery, handoff and
 * context switch (ks_hart.direct, task.h).
 */
_Noreturn void ks_sched_fast_handoff(struct ks_hart *h, struct ks_task *from, struct ks_task *to, enum ks_wait why,
				     uint64_t deadline, uint64_t now);

/**
 * Move a task to another QoS class.
 * @retval 0 done
 * @retval -NX_EFULL the class is at its member limit; nothing changed
 * @retval -NX_EINVAL bad class
 */
int ks_sched_set_qos(struct ks_task *t, unsigned qos);

/** Class of a task, and its position in its run queue (-1 if not queued). */
unsigned ks_sched_qos(const struct ks_task *t);
int ks_sched_position(const struct ks_task *t);

/** The hart this code runs on (found from the kernel stack in use). */
struct ks_hart *ks_this_hart(void);

/** Current time in ticks of the `time` CSR. */
uint64_t ks_now(void);

/** The calling task gives up the rest of its slice. */
void ks_sched_yield(struct ks_task *t);

/** Enter this hart's run loop (BKL held): run `h->cur` again if it still can, else pick. */
_Noreturn void ks_sched_resume(struct ks_hart *h);

/** Account the CPU time of `t`, the task that just trapped into the kernel on `h`. */
void ks_sched_account(struct ks_hart *h, struct ks_task *t, uint64_t now);

/** Timer interrupt on `h`: wake due sleepers, end the slice if it is over. */
void ks_sched_timer_irq(struct ks_hart *h, uint64_t now);

#endif
