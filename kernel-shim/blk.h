/**
 * @file blk.h
 * The block syscalls' glue to the virtio-blk driver (blk.c): checks, copies, the wait for
 * the device, counters, and the power-cut knob. Results are documented with the syscalls in
 * nx/abi.h; syscall.c checks NX_RIGHT_BLK before calling these.
 *
 * Waiting for the device without letting host timing into the guest: QEMU completes a
 * request on host threads, in wall time, so a guest that polled the used ring would run a
 * number of instructions that depends on the host. Instead the kernel posts the request and
 * then resets the device, which makes QEMU complete the request inside that one register
 * write (virtio_blk.h): the guest executes the same instructions whatever the host's speed.
 * With more than one hart that alone is not enough (measured: QEMU's round-robin of the
 * harts then depends on which host thread completed the request), so the caller first parks
 * every other hart (ks_sched_park_others(): asleep in WFI, waiting for the big kernel lock
 * the caller holds): with no other hart able to run, the round-robin has no choice to make.
 * A hart that has not parked within KS_BLK_PARK_TICKS is not waited for: the request is
 * then "late" (counted in nx_kstats.blk.late, and printed), and the transcript may depend on
 * the host's speed. docs/kernel.md, "Block device", has the measurements.
 */
#ifndef KS_BLK_H
#define KS_BLK_H

#include <stdint.h>

#include "task.h"

/** blkprobe: guest time (ticks of the 10 MHz `time` CSR) from the notify to the look. */
#define KS_BLK_SETTLE_TICKS 100000U
/** How long the caller waits for the other harts to park (ticks): a hart in the rng's
 * settle (device.c, 10 ms) arrives after it. */
#define KS_BLK_PARK_TICKS 200000U
/** QEMU's exit status after a power cut (blkcut=): test finisher FAIL with this code. */
#define KS_BLK_POWER_CUT_STATUS 3U

/**
 * Start afresh: read the knobs on the kernel command line, fetch the device id (GET_ID)
 * and print "blk: virtio-blk up sectors=<n>". Boot hart, after ks_virtio_probe(), before SMP.
 *   blkcut=<k>    power off right after the k-th block write (1-based) reached the device,
 *                 printing "kernel: power cut after block write <k>"; QEMU exits with
 *                 KS_BLK_POWER_CUT_STATUS
 *   blktear=<n>   with blkcut: send only the first n sectors of the k-th write, then cut
 *   blkprobe=1    measurement: settle before every request, also with one hart, looking at
 *                 the ring every 10 ticks, and print when it completed (ticks after the
 *                 notify); transcripts then depend on the host
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
