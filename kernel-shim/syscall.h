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

/** Read console input into user memory, waiting until `deadline` (device.c). */
long ks_dev_console_read(struct ks_task *t, uintptr_t ubuf, size_t cap, uint64_t deadline);
/** Probe the devices and route their interrupts to the boot hart (device.c). Once. */
void ks_device_init(unsigned long boot_hartid);
/** External interrupt on `h`: claim, handle and complete every pending source (device.c). */
void ks_device_irq(struct ks_hart *h);

/** Returned by a syscall handler that blocked the caller: sepc stays on the ecall. */
#define KS_SYS_BLOCKED (-0x10000L)
/** Returned by a syscall handler after which the caller no longer exists. */
#define KS_SYS_GONE (-0x10001L)

#endif
