/*
 * Tasks and harts: the kernel's two tables.
 *
 * The kernel keeps no per-task kernel stack. A task is its saved user registers plus the
 * bookkeeping below; a syscall that has to wait leaves sepc on its ecall and blocks, and
 * when the task is woken it executes the ecall again. Waiting syscalls therefore take
 * absolute deadlines, so running them twice gives the same answer.
 */
#ifndef KS_TASK_H
#define KS_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ipc.h"
#include "nx/abi.h"
#include "quota.h"
#include "vm.h"

/** User registers x1..x31 and the pc to resume at. Layout fixed by trap.S. */
struct ks_trapframe {
	uint64_t regs[31];
	uint64_t sepc;
};
#define KS_TF_A0 9 /* index of a0 (x10) in regs */
#define KS_TF_SP 1 /* index of sp (x2) in regs */

/** What a blocked task waits for. */
enum ks_wait {
	KS_WAIT_NONE = 0,   /**< runnable or running */
	KS_WAIT_SLEEP,      /**< its deadline only */
	KS_WAIT_RECV_REQ,   /**< a message or notice on its request queue, or its deadline */
	KS_WAIT_RECV_REPLY, /**< a message on its reply queue, or its deadline */
	KS_WAIT_DEVICE,     /**< a device completion (rng, console input), or its deadline */
};

struct ks_hart;

/** One task-table slot. */
struct ks_task {
	struct ks_trapframe tf;       /**< must stay first: trap.S saves into it */
	struct ks_hart *trap_hart;    /**< the hart it last entered user mode on (trap.S reads it) */
	uint8_t used;
	uint8_t wait;                 /**< enum ks_wait */
	uint8_t dying;                /**< kill pending while it runs on another hart */
	uint8_t kill_reason;          /**< reason/cause to record when it ends */
	uint8_t kill_cause;
	int8_t hart;                  /**< hart it runs on, -1 if none */
	uint8_t slot;                 /**< its index in ks_tasks (ks_task_slot(), no division) */
	char name[NX_NAME_MAX + 1];
	/* Fields the IPC fast path touches stay near the start (short offsets), packed without padding. */
	uint16_t att_in_len;          /**< bytes of the attachment of the last message it received */
	uint32_t att_gen;             /**< generation of its staged or sent attachment; 0 = none */
	uint64_t service_id;          /**< FNV-1a-64 of name: the kernel-stamped identity */
	struct ks_task *peer_hint;    /**< the task its last direct-path message went to, or NULL; a hint, checked */
	uint64_t supervisor_id;       /**< receives the exit notice */
	uint32_t rights;              /**< enum nx_right bits */
	uint8_t base_qos;             /**< class it was created in: the highest it may move itself to */
	uint8_t att_staged;           /**< its next accepted message carries its attachment */
	uint16_t att_out_len;         /**< bytes of its staged or sent attachment */
	uint32_t slack_ms[NX_QOS_COUNT];
	uint64_t deadline;            /**< ticks; UINT64_MAX = no deadline */
	struct ks_rx rx;              /**< KS_WAIT_RECV_*: where the awaited message goes */
	uint64_t woke_at;             /**< ticks of the timer event that last woke it, 0 = none */
	uint64_t cpu_ticks;
	uint64_t run_start;           /**< ticks when it last entered user mode */
	uint64_t burst_ticks;         /**< CPU time since it last blocked (preemption does not end it) */
	struct ks_space space;
	struct ks_endpoint ep;
	uint64_t wait_ticks;          /**< time it spent runnable in a run queue, not on a hart */
	uint64_t queued_at;           /**< ticks when it last entered its run queue */
	uint64_t runs;                /**< times it was given a hart */
};

/** Per-hart state. The first two fields are read by trap.S. Aligned to a power of two, so that
 * a hart's index (ks_this_hart, the loops over the harts) is a shift, not a multiplication. */
struct ks_hart {
	_Alignas(256) uint64_t kstack_top;
	uint64_t ktp;
	unsigned long hartid;
	int cur;                      /**< task slot running here, -1 if idle */
	int idle;                     /**< waiting in WFI for work */
	int resched;                  /**< a higher class became runnable: preempt at the next chance */
	uint64_t slice_end;           /**< ticks */
	uint64_t armed;               /**< stimecmp value last programmed (0 = must reprogram) */
	struct ks_quota quota;        /**< its class quotas (sched.c), in place: no pointer to load */
	/* Messages the IPC direct path delivered on this hart, by the receiver's class, each
	 * saturating: one count on that path rather than five (ks_kstats_add_direct, added
	 * when the counters are read). */
	uint64_t direct[NX_QOS_COUNT];
};

extern struct ks_task ks_tasks[KS_MAX_TASKS];
extern struct ks_hart ks_harts[KS_MAX_HARTS];
extern struct nx_kstats ks_stats;

/** Saturating counter increment for struct nx_kstats fields. */
static inline void ks_count(uint64_t *counter)
{
	if (*counter != UINT64_MAX)
		(*counter)++;
}

/**
 * Add `direct` direct-path deliveries of hart `hart` into tasks of class `qos` (ks_hart.direct)
 * to the counters of `k` they stand for, each saturating (the sum of two saturating counters
 * saturates too, never wraps): each is one message sent and delivered, one handoff, one
 * context switch and one switch of that hart into a task of that class (qos_runs).
 */
static inline void ks_kstats_add_direct(struct nx_kstats *k, unsigned hart, unsigned qos, uint64_t direct)
{
	uint64_t *const fields[] = { &k->ipc_sent, &k->ipc_delivered, &k->handoffs, &k->context_switches,
				     &k->qos_runs[hart][qos] };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		*fields[i] = *fields[i] <= UINT64_MAX - direct ? *fields[i] + direct : UINT64_MAX;
}

_Static_assert(offsetof(struct ks_task, tf) == 0, "a task's frame is the task");
_Static_assert(offsetof(struct ks_task, trap_hart) == 256 && offsetof(struct ks_trapframe, sepc) == 248,
	       "trap.S: the frame's sepc and the task's hart");
_Static_assert(offsetof(struct ks_hart, kstack_top) == 0 && offsetof(struct ks_hart, ktp) == 8,
	       "trap.S: the hart's kernel stack and tp");

/** Slot of `t`. */
static inline unsigned ks_task_slot(const struct ks_task *t)
{
	/* Said so that the compiler drops the range checks of the tables indexed by slot. */
	if (t->slot >= KS_MAX_TASKS)
		__builtin_unreachable();
	return t->slot;
}

/** Parameters of a new task. */
struct ks_task_params {
	const uint8_t *img;           /**< its ELF image, in kernel memory */
	size_t img_len;
	const char *name;
	uint64_t supervisor_id;
	uint32_t rights;
	unsigned qos;
	uint32_t page_quota;
	uint32_t slack_fg_ms;
	uint32_t slack_bg_ms;
};

/**
 * Create a task from an ELF image and make it runnable. The image is checked completely
 * before any of it is mapped (load.h).
 * @return its slot (>= 0), or -NX_EFULL (task table, QoS class or the supervisor's room for
 *         exit notices full), -NX_EINVAL (bad name or qos, or the name is taken), -NX_ENOEXEC
 *         (the image breaks a rule of elf.h), -NX_ENOMEM (quota or RAM); nothing is left
 *         behind on failure
 */
int ks_task_create(const struct ks_task_params *p);

/**
 * End task `t` with `reason` and `cause`: free it and send its supervisor the exit notice.
 * A task running on another hart is marked and ended there (an IPI makes it trap).
 */
void ks_task_end(struct ks_task *t, unsigned reason, unsigned cause, uint64_t tval, uint64_t epc,
		 int exit_code);

/** The live task whose identity is `service_id`, or NULL. */
struct ks_task *ks_task_by_id(uint64_t service_id);

/** 1 if `s` holds a NUL-terminated, non-empty string within its first `cap` bytes. */
int ks_name_ok(const char *s, size_t cap);

/** FNV-1a-64 of a name: the identity the kernel stamps on messages. */
uint64_t ks_service_id(const char *name);

#endif
