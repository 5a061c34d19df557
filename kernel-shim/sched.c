/*
 * The scheduler.
 *
 * Lock discipline
 * ---------------
 * One big kernel lock (BKL) protects every kernel table: tasks, endpoints, the scheduler
 * core, the page allocator and the devices. A hart takes it in ks_trap_user() (or the IPC
 * trap entry, trap.c) right after the user registers are saved, and drops it just before it
 * returns to user mode (enter_user) or before it waits in WFI (idle). Kernel code runs with
 * interrupts disabled (sstatus.SIE = 0) and never waits while holding the BKL, so a hold
 * lasts one syscall or one interrupt. The console lock (console.c) is the only other lock and is innermost.
 *
 * Harts never busy-wait for each other. An idle hart sleeps in WFI; a hart that makes work
 * for another (a wakeup, a kill, an earlier timer) sends it an IPI through SBI. Even the
 * BKL is not a plain spinlock: after a short spin a waiter registers in `bkl_waiters` and
 * sleeps in WFI with only the software interrupt enabled, and the releaser passes the lock
 * to one registered waiter (it stays held, marked as that waiter's, and the waiter gets an
 * IPI), so the releaser cannot take it straight back at its next trap: under icount, which
 * runs the harts in turn, it always did, and harts 1-3 ran no task in a whole lane. Under
 * QEMU's round-robin icount the holder may also be descheduled while it
 * holds the lock, and a spinning waiter would burn its whole time slice (measured: 10 ms of
 * guest time per contended acquire) before the holder could run again.
 *
 * Classes and time
 * ----------------
 * sched_core.c holds the QoS classes (sys > fg > bg > idle) and their bounded run queues.
 * A task runs for a slice of KS_SLICE_MS; a timer interrupt at the end of the slice puts
 * it back at the tail of its queue if another task of the same or a higher class waits.
 * A wakeup of a higher class preempts a lower-class task at once (IPI).
 *
 * Class quotas (quota.h, numbers in config.h): each hart keeps what SYS and FG used of the
 * current KS_QUOTA_PERIOD_MS. A class past its quota is throttled on that hart until the
 * period ends: it ranks below every class that is not (sched_core.h), so a queued BG task
 * preempts a throttled FG one at the next timer interrupt, which is armed for the moment the
 * quota runs out. When the period ends the throttled class takes the hart back at the next
 * slice end. So an FG task that never blocks leaves BG at least period - KS_QUOTA_FG_MS.
 *
 * Timers: one hart (the boot hart) owns every deadline of blocked tasks and arms its timer
 * for the earliest one; the other harts arm theirs for slice ends only. So a deadline costs
 * one interrupt, and tasks whose deadlines coincide (timer slack) share it.
 *
 * CPU time is read from the `time` CSR when a task enters user mode and when it traps back
 * (before the trap waits for the BKL), which is exact and deterministic under QEMU's icount.
 * Measured: with the read after the lock, the SMP=2 icount lane's transcripts differed in
 * one run of three by a tick of a task's CPU time: how long a hart waits for the lock is
 * not the same from run to run.
 */
#include "sched.h"

#include "console.h"
#include "device.h"
#include "lock.h"
#include "riscv.h"
#include "sbi.h"
#include "quota.h"
#include "sched_core.h"
#include "syscall.h"

extern uint8_t ks_stacks[KS_MAX_HARTS][KS_STACK_SIZE];
extern void ks_user_return(struct ks_hart *h, struct ks_trapframe *tf) __attribute__((noreturn));

static struct ks_lock bkl;
static volatile uint32_t bkl_waiters; /* bit per hart sleeping in bkl_acquire */
static volatile uint32_t bkl_handed;  /* the bit of the waiter the lock was passed to, 0: none */
static volatile uint32_t bkl_parker;  /* the bit of the hart in ks_sched_park_others(), 0: none */
static struct ks_sched_core core;
static struct ks_hart *timer_hart;

#define SLICE_TICKS (KS_SLICE_MS * NX_TICKS_PER_MS)

/* Member limits per class; they add up to more than KS_MAX_TASKS so only the FG and BG
 * limits bind: few foreground abilities at once, by design. */
static const struct ks_qos_limits qos_limits = { .limit = {
	[NX_QOS_SYS] = 24, [NX_QOS_FG] = 6, [NX_QOS_BG] = 12, [NX_QOS_IDLE] = 8 } };

/* Spins before a BKL waiter sleeps: spinning only pays off with real parallel harts. */
#define BKL_SPINS 64

/* The lock was held: spin a little, then sleep until it is passed to this hart. */
static __attribute__((noinline)) void bkl_acquire_slow(void)
{
	const uint32_t me = 1u << ks_this_hart()->hartid;
	unsigned long saved_sie = 0;
	int sleeping = 0, kick_pending = 0;
	for (unsigned spins = 0; !ks_lock_try(&bkl); spins++) {
		/* The releaser passed the lock to this hart (bkl_release): it is ours. */
		if (__atomic_load_n(&bkl_handed, __ATOMIC_SEQ_CST) == me) {
			__atomic_store_n(&bkl_handed, 0, __ATOMIC_SEQ_CST);
			break;
		}
		if (spins < BKL_SPINS)
			continue;
		if (!sleeping) {
			/* Wake only for the release IPI; other interrupts stay pending for later. */
			saved_sie = KS_CSR_READ(sie);
			KS_CSR_WRITE(sie, SIE_SSIE);
			__atomic_fetch_or(&bkl_waiters, me, __ATOMIC_SEQ_CST);
			sleeping = 1;
			/* A hart waiting for every other one to sleep here is told each arrival. */
			const uint32_t parker = __atomic_load_n(&bkl_parker, __ATOMIC_SEQ_CST);
			if (parker != 0)
				(void)ks_sbi_send_ipi(parker, 0);
		}
		/* An IPI that was already pending (a kick meant for the scheduler) is kept and
		 * raised again once the lock is ours; the lock is tried again before sleeping,
		 * so a release that raced with clearing it is not missed. */
		if (KS_CSR_READ(sip) & SIP_SSIP) {
			kick_pending = 1;
			KS_CSR_CLEAR(sip, SIP_SSIP);
		}
		/* A pass made before the IPI was cleared is seen here, not slept through. */
		if (__atomic_load_n(&bkl_handed, __ATOMIC_SEQ_CST) == me) {
			__atomic_store_n(&bkl_handed, 0, __ATOMIC_SEQ_CST);
			break;
		}
		if (ks_lock_try(&bkl))
			break;
		ks_wfi();
	}
	if (sleeping) {
		__atomic_fetch_and(&bkl_waiters, ~me, __ATOMIC_SEQ_CST);
		if (KS_CSR_READ(sip) & SIP_SSIP)
			KS_CSR_CLEAR(sip, SIP_SSIP);
		KS_CSR_WRITE(sie, saved_sie);
	}
	if (kick_pending)
		KS_CSR_SET(sip, SIP_SSIP);
}

int ks_bkl_try(void)
{
	return ks_lock_try(&bkl);
}

void ks_bkl_acquire(void)
{
	if (!ks_lock_try(&bkl))
		bkl_acquire_slow();
}

/* With sleeping waiters, the lock is passed to one of them rather than left for whichever
 * hart tries next: the releaser is back for it at its next trap, and under icount, where
 * QEMU runs the harts in turn, it was always back first. Harts 1-3 then never got the lock
 * while work was queued, and ran no task in a whole lane. */
static __attribute__((noinline)) void bkl_pass(uint32_t waiters)
{
	/* Take it back for the waiter; if another hart took it meanwhile, its release passes it. */
	if (!ks_lock_try(&bkl))
		return;
	const uint32_t to = waiters & (0U - waiters);
	__atomic_store_n(&bkl_handed, to, __ATOMIC_SEQ_CST);
	(void)ks_sbi_send_ipi(to, 0);
}

/* The release itself, and the harts waiting for the lock (to pass it to one of them). The
 * swap is aq and rl (sequentially consistent): the load of the waiters is ordered after the
 * release, as a waiter's registration is before its next try of the lock (bkl_acquire_slow),
 * so either the waiter gets the lock or this hart sees it waiting; with that, the load needs
 * no fences of its own. */
static inline __attribute__((always_inline)) uint32_t bkl_drop(void)
{
	__asm__ volatile("amoswap.w.aqrl zero, zero, (%0)" ::"r"(&bkl.held) : "memory");
	return __atomic_load_n(&bkl_waiters, __ATOMIC_RELAXED);
}

/* Inlined into the return to user mode (every syscall passes there). */
static inline __attribute__((always_inline)) void bkl_release(void)
{
	const uint32_t waiters = bkl_drop();
	if (waiters != 0)
		bkl_pass(waiters);
}

void ks_bkl_release(void)
{
	bkl_release();
}

/*
 * Every other online hart asleep in ks_bkl_acquire(): those not there yet are sent an IPI
 * (one in user mode traps and waits for the lock this hart holds; an idle one wakes and
 * does the same), and this hart sleeps until the last arrival's IPI. The sleepers wake only
 * for the IPI that passes them the lock, so until this hart releases it no other hart
 * executes an instruction. 1 when they all sleep, 0 when one had not arrived by `deadline`.
 */
int ks_sched_park_others(uint64_t deadline)
{
	const uint32_t me = 1u << ks_this_hart()->hartid;
	const uint32_t all = (uint32_t)((1ULL << ks_stats.harts_online) - 1U);
	const uint32_t others = all & ~me;
	uint32_t asleep = __atomic_load_n(&bkl_waiters, __ATOMIC_SEQ_CST) & others;
	if (asleep == others)
		return 1;
	__atomic_store_n(&bkl_parker, me, __ATOMIC_SEQ_CST);
	asleep = __atomic_load_n(&bkl_waiters, __ATOMIC_SEQ_CST) & others;
	(void)ks_sbi_send_ipi(others & ~asleep, 0);
	const unsigned long saved_sie = KS_CSR_READ(sie);
	/* The timer (a slice end, a deadline) bounds the sleep when a hart never arrives. */
	KS_CSR_WRITE(sie, SIE_SSIE | SIE_STIE);
	while (asleep != others && ks_now() < deadline) {
		ks_wfi();
		KS_CSR_CLEAR(sip, SIP_SSIP);
		asleep = __atomic_load_n(&bkl_waiters, __ATOMIC_SEQ_CST) & others;
	}
	KS_CSR_WRITE(sie, saved_sie);
	__atomic_store_n(&bkl_parker, 0, __ATOMIC_SEQ_CST);
	return asleep == others;
}

uint64_t ks_now(void)
{
	return ks_rdtime();
}

struct ks_hart *ks_this_hart(void)
{
	uintptr_t sp;
	__asm__ volatile("mv %0, sp" : "=r"(sp));
	return &ks_harts[(sp - (uintptr_t)ks_stacks) / KS_STACK_SIZE];
}

void ks_sched_init(unsigned long boot_hartid)
{
	if (ks_sched_core_init(&core, &qos_limits) != 0)
		ks_panic("bad QoS class limits\n");
	const struct ks_quota_cfg cfg = {
		.period = KS_QUOTA_PERIOD_MS * NX_TICKS_PER_MS,
		.limit = { [NX_QOS_SYS] = KS_QUOTA_SYS_MS * NX_TICKS_PER_MS, [NX_QOS_FG] = KS_QUOTA_FG_MS * NX_TICKS_PER_MS,
			   [NX_QOS_BG] = KS_QUOTA_PERIOD_MS * NX_TICKS_PER_MS,
			   [NX_QOS_IDLE] = KS_QUOTA_PERIOD_MS * NX_TICKS_PER_MS },
	};
	for (unsigned i = 0; i < KS_MAX_HARTS; i++) {
		if (ks_quota_init(&ks_harts[i].quota, &cfg) != 0)
			ks_panic("bad class quotas\n");
	}
	timer_hart = &ks_harts[boot_hartid];
}

static unsigned slot(const struct ks_task *t)
{
	return ks_task_slot(t);
}

/* The classes throttled on hart `h` now. */
static unsigned throttled(struct ks_hart *h)
{
	return ks_quota_throttled(&h->quota, ks_now());
}

/* Rank of task slot `task` on hart `h` (sched_core.h), and the best rank waiting there. */
static unsigned rank_on(struct ks_hart *h, unsigned task)
{
	return ks_sched_core_rank(ks_sched_core_qos(&core, task), throttled(h));
}

static unsigned best_rank_on(struct ks_hart *h)
{
	return ks_sched_core_best_rank(&core, throttled(h));
}

/* `t` (RUNNING in the core) went back to its run queue. */
static void requeued(struct ks_task *t)
{
	t->queued_at = ks_now();
}

unsigned ks_sched_qos(const struct ks_task *t)
{
	return ks_sched_core_qos(&core, slot(t));
}

int ks_sched_position(const struct ks_task *t)
{
	int pos = ks_sched_core_position(&core, slot(t));
	return pos < 0 ? -1 : pos;
}

static __attribute__((noinline)) void ipi(struct ks_hart *h)
{
	ks_count(&ks_stats.ipis);
	(void)ks_sbi_send_ipi(1UL << h->hartid, 0);
}

/*
 * Tell one idle hart there is work; 1 if there was one. Besides a wake (kick), a running task
 * that went back to its run queue (preempted or yielding) is offered: without that, under
 * icount's round-robin of the harts the hart that requeued it always took it back first, and
 * harts 1-3 ran no task in a whole lane. This hart holds the BKL, so it is not idle itself.
 */
static int offer_to_idle(void)
{
	const struct ks_hart *self = ks_this_hart();
	for (unsigned i = 0; i < KS_MAX_HARTS; i++) {
		if (ks_harts[i].idle && &ks_harts[i] != self) {
			ipi(&ks_harts[i]);
			return 1;
		}
	}
	return 0;
}

/* Find a hart for a task of class `qos` that just became runnable. */
static __attribute__((noinline)) void kick(unsigned qos)
{
	struct ks_hart *self = ks_this_hart();
	if (offer_to_idle())
		return;
	for (unsigned i = 0; i < KS_MAX_HARTS; i++) {
		struct ks_hart *h = &ks_harts[i];
		if (h->cur < 0)
			continue;
		/* Both ranks with the same throttled set: one look at the quota. */
		const unsigned thr = throttled(h);
		if (ks_sched_core_rank(ks_sched_core_qos(&core, (unsigned)h->cur), thr) > ks_sched_core_rank(qos, thr)) {
			h->resched = 1;
			if (h != self)
				ipi(h);
			return;
		}
	}
}

int ks_sched_admit(struct ks_task *t, unsigned qos)
{
	int rc = ks_sched_core_admit(&core, slot(t), qos);
	if (rc != 0)
		return rc;
	ks_sched_wake(t);
	return 0;
}

/*
 * A lower bound of the earliest deadline of any blocked task. A new deadline can only lower
 * it; a task that stops waiting early leaves it as it is, so the timer may fire once with
 * nothing due. The timer interrupt's scan (wake_due) sets it exactly again. So the common
 * path (block, wake) costs a compare, and the scan runs once per timer interrupt.
 */
static uint64_t earliest_deadline = UINT64_MAX;

void ks_sched_remove(struct ks_task *t)
{
	ks_sched_core_remove(&core, slot(t));
	t->wait = KS_WAIT_NONE;
	t->deadline = UINT64_MAX;
}

void ks_sched_wake(struct ks_task *t)
{
	if (ks_sched_core_state(&core, slot(t)) != KS_SCHED_BLOCKED)
		return;
	t->wait = KS_WAIT_NONE;
	t->deadline = UINT64_MAX;
	if (ks_sched_core_wake(&core, slot(t)) != 0)
		ks_panic("run queue of class %u overflowed\n", ks_sched_qos(t));
	requeued(t);
	kick(ks_sched_qos(t));
}

/* ks_sched_block() of `t`, running on `h`, but for the IPI: 1 when the timer hart must hear
 * of `deadline`, earlier than the one it has armed. */
static int block(const struct ks_hart *h, struct ks_task *t, enum ks_wait why, uint64_t deadline)
{
	t->wait = (uint8_t)why;
	t->deadline = deadline;
	t->burst_ticks = 0;
	if (deadline < earliest_deadline)
		earliest_deadline = deadline;
	ks_sched_core_block(&core, slot(t));
	const struct ks_hart *th = timer_hart;
	return deadline < th->armed && th != h;
}

void ks_sched_block(struct ks_task *t, enum ks_wait why, uint64_t deadline)
{
	if (block(ks_this_hart(), t, why, deadline))
		ipi(timer_hart);
}

_Static_assert(KS_MAX_HARTS == NX_MAX_HARTS, "nx_kstats.qos_runs has a row per kernel hart");

/* Count whether another hart runs a task of class `qos` while hart `h` switches into one. */
static void count_parallel(const struct ks_hart *h, unsigned qos)
{
	/* The harts online are 0..harts_online-1 (main.c); alone, a hart has no parallel. */
	const uint64_t online = ks_stats.harts_online;
	if (online < 2)
		return;
	for (unsigned i = 0; i < KS_MAX_HARTS && i < online; i++) {
		const struct ks_hart *o = &ks_harts[i];
		if (o != h && o->cur >= 0 && ks_sched_core_qos(&core, (unsigned)o->cur) == qos) {
			ks_count(&ks_stats.qos_parallel[qos]);
			return;
		}
	}
}

/* Count a switch of hart `h` into a task of class `qos`, and whether another hart runs a
 * task of that class at this moment. */
static void count_run(const struct ks_hart *h, unsigned qos)
{
	if (h->hartid >= NX_MAX_HARTS || qos >= NX_QOS_COUNT)
		return;
	ks_count(&ks_stats.qos_runs[h->hartid][qos]);
	count_parallel(h, qos);
}

/* Make `t` (RUNNING in the core) the task of hart `h`, in its address space; the caller
 * counts the context switch. */
static void place(struct ks_hart *h, struct ks_task *t)
{
	h->cur = (int)slot(t);
	t->hart = (int8_t)h->hartid;
	t->runs++;
	count_run(h, ks_sched_core_qos(&core, slot(t)));
	ks_vm_switch(&t->space);
}

static void run_here(struct ks_hart *h, struct ks_task *t)
{
	ks_count(&ks_stats.context_switches);
	place(h, t);
}

/* Whether a task of a class above `qos` is queued (ks_sched_core_best_queued() < qos,
 * without looking at the classes from `qos` down). */
static int queued_above(unsigned qos)
{
	for (unsigned c = 0; c < qos && c < NX_QOS_COUNT; c++) {
		if (ks_runq_count(&core.rq[c]) != 0)
			return 1;
	}
	return 0;
}

/* Whether hart `h` may switch straight to the blocked task `to` rather than queue it: no
 * better rank waits, with the classes `thr` throttled. With none throttled, ranks are the
 * classes' order, and the cheap look at the classes above `to`'s answers. */
static int handoff_ok(const struct ks_hart *h, const struct ks_task *to, unsigned thr)
{
	if (h->resched || ks_sched_core_state(&core, slot(to)) != KS_SCHED_BLOCKED)
		return 0;
	if (thr == 0)
		return !queued_above(ks_sched_qos(to));
	return ks_sched_core_best_rank(&core, thr) >= ks_sched_core_rank(ks_sched_qos(to), thr);
}

/* The switch itself: `to` (blocked, handoff_ok) runs on `h` in place of `from`; the caller
 * counts it. */
static void switch_to(struct ks_hart *h, struct ks_task *from, struct ks_task *to)
{
	if (ks_sched_core_run(&core, slot(to)) != 0)
		ks_panic("handoff to a task that is not blocked\n");
	to->wait = KS_WAIT_NONE;
	to->deadline = UINT64_MAX;
	from->hart = -1;
	place(h, to);
}

static void handoff(struct ks_hart *h, struct ks_task *from, struct ks_task *to)
{
	ks_count(&ks_stats.handoffs);
	ks_count(&ks_stats.context_switches);
	switch_to(h, from, to);
}

void ks_sched_handoff(struct ks_task *from, struct ks_task *to)
{
	struct ks_hart *h = &ks_harts[from->hart];
	if (!handoff_ok(h, to, throttled(h))) {
		ks_sched_wake(to);
		return;
	}
	handoff(h, from, to);
}

int ks_sched_fast_handoff_ok(const struct ks_hart *h, const struct ks_task *from, const struct ks_task *to,
			     uint64_t now)
{
	/* A new quota period to work out, a class throttled (the ranks to compare) or a charge the
	 * quota must work out: the general path decides (here each would need saved registers). */
	return ks_quota_fits_quick(&h->quota, now, now - from->run_start) && !from->dying &&
	       ks_sched_core_state(&core, slot(from)) == KS_SCHED_RUNNING && handoff_ok(h, to, 0);
}

int ks_sched_set_qos(struct ks_task *t, unsigned qos)
{
	int rc = ks_sched_core_set_qos(&core, slot(t), qos);
	if (rc == 0 && t->hart >= 0 && best_rank_on(&ks_harts[t->hart]) < rank_on(&ks_harts[t->hart], slot(t)))
		ks_harts[t->hart].resched = 1;
	return rc;
}

void ks_sched_yield(struct ks_task *t)
{
	struct ks_hart *h = &ks_harts[t->hart];
	if (best_rank_on(h) > rank_on(h, slot(t)))
		return;
	if (ks_sched_core_preempt(&core, slot(t)) != 0)
		ks_panic("yield of a task that is not running\n");
	requeued(t);
	(void)offer_to_idle();
}

void ks_sched_account(struct ks_hart *h, struct ks_task *t, uint64_t now)
{
	const uint64_t ran = now - t->run_start;
	t->cpu_ticks += ran;
	t->burst_ticks += ran;
	t->run_start = now;
	ks_quota_charge(&h->quota, now, ks_sched_qos(t), ran);
}

/* Wake every task whose deadline has come; set the earliest remaining deadline exactly. */
static int wake_due(uint64_t now)
{
	int woke = 0;
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < KS_MAX_TASKS; i++) {
		struct ks_task *t = &ks_tasks[i];
		if (!t->used || t->wait == KS_WAIT_NONE)
			continue;
		if (t->deadline <= now) {
			t->woke_at = now;
			ks_sched_wake(t);
			woke = 1;
		} else if (t->deadline < next) {
			next = t->deadline;
		}
	}
	earliest_deadline = next;
	return woke;
}

void ks_sched_timer_irq(struct ks_hart *h, uint64_t now)
{
	ks_count(&ks_stats.timer_irqs);
	h->armed = 0;
	if (h == timer_hart && wake_due(now))
		ks_count(&ks_stats.timer_wake_irqs);
	if (h->cur < 0)
		return;
	unsigned cur = (unsigned)h->cur;
	const unsigned mask = ks_quota_throttled(&h->quota, now);
	const unsigned rank = ks_sched_core_rank(ks_sched_core_qos(&core, cur), mask);
	const unsigned best = ks_sched_core_best_rank(&core, mask);
	if (now >= h->slice_end || best < rank) {
		if (best <= rank) {
			if (ks_sched_core_preempt(&core, cur) != 0)
				ks_panic("preempt of a task that is not running\n");
			requeued(&ks_tasks[cur]);
			(void)offer_to_idle();
		} else {
			h->slice_end = now + SLICE_TICKS;
		}
	}
}

/* When hart `h`'s timer must fire, from `now` on. */
static uint64_t timer_want(struct ks_hart *h, uint64_t now)
{
	uint64_t want = UINT64_MAX;
	if (h->cur >= 0) {
		/* The slice's end, or the moment the task's class runs out of quota if earlier. */
		want = ks_quota_until(&h->quota, now, ks_sched_qos(&ks_tasks[h->cur]), h->slice_end);
	}
	if (h == timer_hart && earliest_deadline < want)
		want = earliest_deadline;
	return want;
}

static void arm_timer(struct ks_hart *h, uint64_t now)
{
	const uint64_t want = timer_want(h, now);
	if (want != h->armed) {
		h->armed = want;
		ks_set_timer(want);
	}
}

static _Noreturn void enter_user(struct ks_hart *h, struct ks_task *t)
{
	t->run_start = ks_now();
	arm_timer(h, t->run_start);
	bkl_release();
	ks_user_return(h, &t->tf);
}

/* Handle what woke an idle hart: timer, IPI or device. */
static void handle_pending(struct ks_hart *h);

static void idle(struct ks_hart *h)
{
	h->idle = 1;
	ks_vm_switch(NULL);
	arm_timer(h, ks_now());
	ks_bkl_release();
	ks_wfi();
	ks_bkl_acquire();
	h->idle = 0;
	handle_pending(h);
}

static void handle_pending(struct ks_hart *h)
{
	unsigned long sip = KS_CSR_READ(sip);
	if (sip & SIP_SSIP)
		KS_CSR_CLEAR(sip, SIP_SSIP);
	if (sip & SIP_STIP)
		ks_sched_timer_irq(h, ks_now());
	if (sip & SIP_SEIP)
		ks_device_irq(h);
}

/* Everything but the common case of ks_sched_resume(). */
static _Noreturn __attribute__((noinline)) void resume_slow(struct ks_hart *h)
{
	for (;;) {
		if (h->cur >= 0) {
			unsigned cur = (unsigned)h->cur;
			struct ks_task *t = &ks_tasks[cur];
			if (h->resched) {
				h->resched = 0;
				if (ks_sched_core_state(&core, cur) == KS_SCHED_RUNNING &&
				    best_rank_on(h) < rank_on(h, cur)) {
					if (ks_sched_core_preempt(&core, cur) != 0)
						ks_panic("preempt of a task that is not running\n");
					requeued(t);
					(void)offer_to_idle();
				}
			}
			if (ks_sched_core_state(&core, cur) == KS_SCHED_RUNNING)
				enter_user(h, t);
			t->hart = -1;
			h->cur = -1;
		}
		unsigned next;
		if (ks_sched_core_pick_ranked(&core, throttled(h), &next) == 0) {
			struct ks_task *t = &ks_tasks[next];
			const uint64_t now = ks_now();
			t->wait_ticks += now - t->queued_at;
			h->slice_end = now + SLICE_TICKS;
			run_here(h, t);
			enter_user(h, t);
		}
		idle(h);
	}
}

/* The end of ks_sched_fast_handoff() when it must do more than drop the lock (out of line: rare).
 * `th_ipi`: the timer hart must hear of a new deadline. */
static _Noreturn __attribute__((noinline)) void fast_enter_slow(struct ks_hart *h, struct ks_task *t, int th_ipi)
{
	if (th_ipi)
		ipi(timer_hart);
	enter_user(h, t);
}

/* After its release, the lock is passed to a waiter (out of line: rare). */
static _Noreturn __attribute__((noinline)) void fast_enter_pass(struct ks_hart *h, struct ks_task *t, uint32_t waiters)
{
	bkl_pass(waiters);
	ks_user_return(h, &t->tf);
}

/* The class of the task in slot `task`, known to the scheduler core (admitted: it has one). */
static unsigned admitted_qos(unsigned task)
{
	const unsigned qos = ks_sched_core_qos(&core, task);
	/* Said so that the compiler drops the range checks of the tables indexed by class. */
	if (qos >= NX_QOS_COUNT)
		__builtin_unreachable();
	return qos;
}

/*
 * ks_sched_account(), block(), switch_to() and enter_user() for what ks_sched_fast_handoff_ok()
 * checked, each step that check made not made again; the rare steps of enter_user() (an
 * IPI, a new timer value, a lock waiter) out of line: the fast path then makes no call that
 * returns, which would need saved registers.
 */
_Noreturn void ks_sched_fast_handoff(struct ks_hart *h, struct ks_task *from, struct ks_task *to, enum ks_wait why,
				     uint64_t deadline, uint64_t now)
{
	const unsigned fs = slot(from), ts = slot(to);
	/* The CPU time up to the trap; the burst ends (the block below), and `from`'s run_start is
	 * set again when it next enters user mode. */
	const uint64_t ran = now - from->run_start;
	ks_quota_charge_fitting(&h->quota, admitted_qos(fs), ran);
	from->cpu_ticks += ran;
	from->wait = (uint8_t)why;
	from->deadline = deadline;
	from->burst_ticks = 0;
	if (deadline < earliest_deadline)
		earliest_deadline = deadline;
	ks_sched_core_handoff(&core, fs, ts);
	to->wait = KS_WAIT_NONE;
	to->deadline = UINT64_MAX;
	from->hart = -1;
	h->cur = (int)ts;
	to->hart = (int8_t)h->hartid;
	to->runs++;
	const unsigned qos = admitted_qos(ts);
	ks_count(&h->direct[qos]); /* the send, delivery, handoff, switch and qos_runs (task.h) */
	count_parallel(h, qos);
	ks_vm_switch(&to->space);
	const uint64_t t_run = ks_now();
	/* timer_want() when the quota answers inline (else fast_enter_slow works it out). */
	uint64_t want = ks_quota_until_quick(&h->quota, t_run, h->slice_end);
	const struct ks_hart *th = timer_hart;
	if (h == th && earliest_deadline < want)
		want = earliest_deadline;
	/* block()'s test, here where it is needed (nothing above changes the timer hart's timer). */
	const int th_ipi = deadline < th->armed && th != h;
	if (__builtin_expect(th_ipi || want == 0 || want != h->armed, 0))
		fast_enter_slow(h, to, th_ipi);
	to->run_start = t_run;
	const uint32_t waiters = bkl_drop();
	if (__builtin_expect(waiters != 0, 0))
		fast_enter_pass(h, to, waiters);
	ks_user_return(h, &to->tf);
}

_Noreturn void ks_sched_resume(struct ks_hart *h)
{
	/* The common case, kept small: the task that trapped (or was switched to) runs on. */
	if (h->cur >= 0 && !h->resched && ks_sched_core_state(&core, (unsigned)h->cur) == KS_SCHED_RUNNING)
		enter_user(h, &ks_tasks[h->cur]);
	resume_slow(h);
}
