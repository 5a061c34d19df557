/* Syscall dispatch (numbers and arguments: include/nx/abi.h). */
#ifndef KS_SYSCALL_H
#define KS_SYSCALL_H

#include "task.h"

/** Run the syscall in `t`'s registers. Called under the BKL from the trap path. */
void ks_syscall(struct ks_task *t);

/**
 * The direct path of NX_SYS_CALL / NX_SYS_REPLY_WAIT (docs/kernel.md, "The IPC fast path"),
 * under the BKL, `t` trapped on `h` at `now` (ticks) with its argument registers `a0`..:
 * when it applies it accounts `t`'s time, delivers the message, blocks `t` and enters the
 * receiver in user mode, and does not return; otherwise it changes nothing and returns
 * (then the general trap accounts the time and ks_syscall() runs the syscall).
 */
void ks_syscall_direct_call(struct ks_hart *h, struct ks_task *t, uint64_t now, uint64_t a0, uint64_t a1,
			    uint64_t a2, uint64_t a3, uint64_t a4);
void ks_syscall_direct_reply_wait(struct ks_hart *h, struct ks_task *t, uint64_t now, uint64_t a0, uint64_t a1,
				  uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/** Returned by a syscall handler that blocked the caller: sepc stays on the ecall. */
#define KS_SYS_BLOCKED (-0x10000L)
/** Returned by a syscall handler after which the caller no longer exists. */
#define KS_SYS_GONE (-0x10001L)

#endif
