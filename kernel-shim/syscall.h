/* Syscall dispatch (numbers and arguments: include/nx/abi.h). */
#ifndef KS_SYSCALL_H
#define KS_SYSCALL_H

#include "task.h"

/** Run the syscall in `t`'s registers, trapped at `now` (ticks). Called under the BKL from
 * the trap path. */
void ks_syscall(struct ks_hart *h, struct ks_task *t, uint64_t now);

/** Returned by a syscall handler that blocked the caller: sepc stays on the ecall. */
#define KS_SYS_BLOCKED (-0x10000L)
/** Returned by a syscall handler after which the caller no longer exists. */
#define KS_SYS_GONE (-0x10001L)

#endif
