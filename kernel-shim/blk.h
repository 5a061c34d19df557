/**
 * @file blk.h
 * The block syscalls' glue to the virtio-blk driver (blk.c): checks, copies, the settled
 * wait for the device, counters, and the power-cut knob. Results are documented with the
 * syscalls in nx/abi.h; syscall.c checks NX_RIGHT_BLK before calling these.
 *
 * Waiting for the device without letting host timing into the guest: QEMU completes a
 * request on host threads, in wall time. The caller's hart posts the request, drops the big
 * kernel lock, and executes instructions (never WFI) for KS_BLK_SETTLE_TICKS of guest time;
 * then it takes the lock again and looks at the used ring once. Under `-icount` guest time
 * is instructions, so the look happens at the same point of the instruction stream in every
 * run as long as the host finished within the settle. A request not yet complete is "late"
 * (counted in nx_kstats.blk.late, and printed): the hart settles again, at most
 * KS_BLK_MAX_LOOKS times, then fails the device. docs/kernel.md, "Block device", has the
 * measurements behind these numbers.
 */
#ifndef KS_BLK_H
#define KS_BLK_H

#include <stdint.h>

#include "task.h"

/** Guest time (ticks of the 10 MHz `time` CSR) from the notify to the first look, and between looks. */
#define KS_BLK_SETTLE_TICKS 100000U
/** Looks at one request before the device is failed (bounds a request's wait). */
#define KS_BLK_MAX_LOOKS 64U
/** QEMU's exit status after a power cut (blkcut=): test finisher FAIL with this code. */
#define KS_BLK_POWER_CUT_STATUS 3U

/**
 * Start afresh: read the knobs on the kernel command line, fetch the device id (GET_ID)
 * and print "blk: virtio-blk up sectors=<n>". Boot hart, after ks_virtio_probe(), before SMP.
 *   blkcut=<k>    power off right after the k-th block write (1-based) reached the device,
 *                 printing "kernel: power cut after block write <k>"; QEMU exits with
 *                 KS_BLK_POWER_CUT_STATUS
 *   blktear=<n>   with blkcut: send only the first n sectors of the k-th write, then cut
 *   blkprobe=1    measurement: print when each request completed (ticks after the notify);
 *                 the spin looks at the ring all the time, so transcripts are not reproducible
 */
void ks_blk_init(void);

/** NX_SYS_BLK_INFO: copy the device's nx_blk_info to `uinfo`. */
long ks_blk_info(struct ks_task *t, uintptr_t uinfo);
/** NX_SYS_BLK_READ: `count` sectors from `sector` to user memory at `ubuf`. */
long ks_blk_read(struct ks_task *t, uint64_t sector, uintptr_t ubuf, uint64_t count);
/** NX_SYS_BLK_WRITE: `count` sectors from user memory at `ubuf` to `sector`. */
long ks_blk_write(struct ks_task *t, uint64_t sector, uintptr_t ubuf, uint64_t count);
/** NX_SYS_BLK_FLUSH. */
long ks_blk_flush(struct ks_task *t);

#endif
