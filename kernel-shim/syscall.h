/* Syscall dispatch (numbers and arguments: include/nx/abi.h). */
#ifndef KS_SYSCALL_H
#define KS_SYSCALL_H

#include "task.h"

/** Run the syscall in `t`'s registers. Called under the BKL from the trap path. */
void ks_syscall(struct ks_hart *h, struct ks_task *t);

/** Read up to `len` entropy bytes into user memory (rng device glue, device.c). */
long ks_dev_rng_read(struct ks_task *t, uintptr_t ubuf, size_t len, uint64_t deadline);
/** The kernel command line from the device tree ("" if none). */
extern char ks_bootargs[NX_BOOTARGS_MAX];

/** Probe the devices (device.c). Boot hart, once. */
void ks_device_init(void);

/** Returned by a syscall handler that blocked the caller: sepc stays on the ecall. */
#define KS_SYS_BLOCKED (-0x10000L)
/** Returned by a syscall handler after which the caller no longer exists. */
#define KS_SYS_GONE (-0x10001L)

#endif
