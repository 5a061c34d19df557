/*
 * Trap dispatch. From user mode: syscalls, interrupts and faults. A user fault ends the
 * task (kill reason crash, with the cause) and the hart goes on; a trap taken in the kernel
 * is a kernel bug: it prints a panic line and powers off with failure status.
 */
#include "console.h"
#include "device.h"
#include "riscv.h"
#include "sched.h"
#include "syscall.h"
#include "task.h"

static const char *const exc_names[] = {
	[EXC_INSN_MISALIGNED] = "instruction address misaligned",
	[EXC_INSN_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL_INSN] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store address misaligned",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "ecall from U-mode",
	[EXC_INSN_PAGE_FAULT] = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT] = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store page fault",
};

static const char *exc_name(unsigned long code)
{
	if (code < sizeof exc_names / sizeof exc_names[0] && exc_names[code] != NULL)
		return exc_names[code];
	return "unknown exception";
}

static unsigned cause_of(unsigned long code)
{
	switch (code) {
	case EXC_ILLEGAL_INSN:
		return NX_CAUSE_ILLEGAL_INSN;
	case EXC_BREAKPOINT:
		return NX_CAUSE_BREAKPOINT;
	case EXC_INSN_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		return NX_CAUSE_MISALIGNED;
	case EXC_INSN_PAGE_FAULT:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		return NX_CAUSE_PAGE_FAULT;
	default:
		return NX_CAUSE_ACCESS_FAULT;
	}
}

/* The rare paths stay out of line, so that the syscall path saves few registers. */
static __attribute__((noinline)) void user_fault(struct ks_task *t, unsigned long code, unsigned long stval)
{
	uint64_t epc = t->tf.sepc;
	ks_printf("kernel: task %s ended: %s at pc=0x%lx tval=0x%lx\n", t->name, exc_name(code),
		  (unsigned long)epc, stval);
	ks_count(&ks_stats.faults);
	ks_task_end(t, NX_REASON_CRASH, cause_of(code), stval, epc, 0);
}

static __attribute__((noinline)) void interrupt(struct ks_hart *h, unsigned long code, uint64_t now)
{
	if (code == IRQ_S_TIMER)
		ks_sched_timer_irq(h, now);
	else if (code == IRQ_S_SOFT)
		KS_CSR_CLEAR(sip, SIP_SSIP);
	else if (code == IRQ_S_EXT)
		ks_device_irq(h);
}

/* How much of the general trap an IPC trap did before it entered it (ks_trap_user's `done`). */
enum trap_done {
	TRAP_NOTHING = 0, /* trap.S: the lock is not held yet */
	TRAP_LOCKED,      /* the lock is held */
};

/*
 * The trap of `scause` from the task running on `h`. trap.S reads the time (`now`) before
 * the lock: the task's CPU time ends at the trap, not after waiting for the lock, which
 * depends on the other harts and would make the accounting vary from run to run. The IPC
 * entry's rare cases come here with `done` (enum trap_done) saying what they did already.
 */
_Noreturn void ks_trap_user(struct ks_hart *h, unsigned long scause, uint64_t now, unsigned done);
_Noreturn __attribute__((noinline)) void ks_trap_user(struct ks_hart *h, unsigned long scause, uint64_t now,
						      unsigned done)
{
	if (done == TRAP_NOTHING)
		ks_bkl_acquire();
	struct ks_task *t = &ks_tasks[h->cur];
	ks_sched_account(h, t, now);
	unsigned long code = scause & ~SCAUSE_INTR;

	if (scause == EXC_ECALL_U) /* an exception, so the interrupt bit is clear */
		ks_syscall(t);
	else if (scause & SCAUSE_INTR)
		interrupt(h, code, now);
	else
		user_fault(t, code, KS_CSR_READ(stval)); /* still the fault's: the kernel traps to itself only to panic */
	if (h->cur >= 0 && t->dying)
		ks_task_end(t, t->kill_reason, t->kill_cause, 0, 0, 0);
	ks_sched_resume(h);
}

_Static_assert(NX_SYS_CALL == 18 && NX_SYS_REPLY_WAIT == 19, "trap.S sends a7 18 and 19 to ks_trap_ipc_*");
_Static_assert(EXC_ECALL_U == 8, "trap.S tests scause for 8");

/* An IPC trap's general case, `done` (enum trap_done) done. The hart is found again here: not
 * passed, it stays in the register trap.S put it in on the IPC entry's common path. */
static _Noreturn __attribute__((noinline)) void ipc_general(uint64_t now, unsigned done)
{
	ks_trap_user(ks_this_hart(), EXC_ECALL_U, now, done);
}

/*
 * The traps of NX_SYS_CALL and NX_SYS_REPLY_WAIT (trap.S sends them here with the caller's
 * argument registers a0..a5 as they were, the hart and the running task, the one whose frame
 * trap.S saved into): the lock when it is free, then the direct path, which accounts the
 * time itself; every other case, and a direct path that does not apply, goes to the general
 * trap with what is done so far.
 */
_Noreturn void ks_trap_ipc_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
				struct ks_hart *h, struct ks_task *t);
_Noreturn __attribute__((flatten)) void ks_trap_ipc_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
							 uint64_t a4, uint64_t a5, struct ks_hart *h,
							 struct ks_task *t)
{
	(void)a5; /* not an argument of NX_SYS_CALL: there only to keep h and t in a6 and a7 */
	const uint64_t now = ks_now();
	if (__builtin_expect(!ks_bkl_try(), 0))
		ipc_general(now, TRAP_NOTHING);
	ks_syscall_direct_call(h, t, now, a0, a1, a2, a3, a4);
	ipc_general(now, TRAP_LOCKED);
}

_Noreturn void ks_trap_ipc_reply_wait(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
				      struct ks_hart *h, struct ks_task *t);
_Noreturn __attribute__((flatten)) void ks_trap_ipc_reply_wait(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
							       uint64_t a4, uint64_t a5, struct ks_hart *h,
							       struct ks_task *t)
{
	const uint64_t now = ks_now();
	if (__builtin_expect(!ks_bkl_try(), 0))
		ipc_general(now, TRAP_NOTHING);
	ks_syscall_direct_reply_wait(h, t, now, a0, a1, a2, a3, a4, a5);
	ipc_general(now, TRAP_LOCKED);
}

_Noreturn void ks_trap_kernel(void);
_Noreturn void ks_trap_kernel(void)
{
	ks_panic("unexpected trap in kernel: scause=0x%lx sepc=0x%lx stval=0x%lx\n", KS_CSR_READ(scause),
		 KS_CSR_READ(sepc), KS_CSR_READ(stval));
}
