/*
 * Device glue between syscalls and drivers (device.c): the virtio-rng behind
 * NX_SYS_RNG_READ, the UART's input behind NX_SYS_CONSOLE_READ, and the external interrupt.
 */
#ifndef KS_DEVICE_H
#define KS_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "task.h"

/** Probe the devices and route their interrupts to the boot hart. Once. */
void ks_device_init(unsigned long boot_hartid);

/** External interrupt on `h`: claim, handle and complete every pending source. */
void ks_device_irq(struct ks_hart *h);

/** Read up to `len` entropy bytes into user memory, waiting until `deadline` (ticks). */
long ks_dev_rng_read(struct ks_task *t, uintptr_t ubuf, size_t len, uint64_t deadline);

/** Read console input into user memory, waiting until `deadline` (ticks); `flags`:
 * NX_CONSOLE_KEEP_LINE or 0. Returns the bytes read, 0 when (KEEP_LINE) another writer broke
 * the caller's line, -NX_EINVAL for an unknown flag, -NX_ETIMEDOUT at the deadline. */
long ks_dev_console_read(struct ks_task *t, uintptr_t ubuf, size_t cap, uint64_t deadline, uint64_t flags);
/** `writer` wrote to the console and broke the line of the task editing it: wake that task. */
void ks_dev_console_broken(const struct ks_task *writer);

#endif
