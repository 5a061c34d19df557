/**
 * @file virtio_blk.h
 * The virtio-blk driver (virtio 1.2 section 5.2) on the modern virtio-mmio transport
 * (virtio.h).
 *
 * The driver negotiates VIRTIO_F_VERSION_1 and VIRTIO_BLK_F_FLUSH and nothing else, and
 * refuses a device without them, a read-only one, or one whose logical block size is not
 * 512 bytes. Requests are three-descriptor chains (header, data, status; a flush has no
 * data) into the driver's own buffers; one request is in flight at a time. Post with
 * ks_virtio_blk_post(), then take the result with ks_virtio_blk_finish(), which makes the
 * device complete the request at once (blk.c decides whether to settle first). Callers
 * serialise every call (the kernel's big lock, or boot before SMP).
 */
#ifndef KS_VIRTIO_BLK_H
#define KS_VIRTIO_BLK_H

#include <stdint.h>

#include "nx/abi.h"
#include "virtio.h"

/** Largest request in sectors: the size of the driver's data buffer (32 KiB). */
#define KS_BLK_REQ_MAX_SECTORS NX_BLK_MAX_SECTORS
/** Bytes of the device id that GET_ID returns (virtio 1.2 section 5.2.6). */
#define KS_BLK_ID_BYTES 20

/** Request types (virtio 1.2 section 5.2.6). */
enum ks_blk_op {
	KS_BLK_IN = 0,     /**< read sectors into the data buffer */
	KS_BLK_OUT = 1,    /**< write sectors from the data buffer */
	KS_BLK_FLUSH = 4,  /**< make completed writes durable */
	KS_BLK_GET_ID = 8, /**< the device id into the data buffer (KS_BLK_ID_BYTES) */
};

/**
 * Take the block device `d` in place of any earlier one (ks_virtio_probe() calls this, for
 * one device; `*d` is copied): negotiate, read the capacity, set up the request queue,
 * make it live.
 * @retval 0 the device is live
 * @retval -NX_EIO refused: printed why (naming a missing feature), device in FAILED state;
 *         no block device is attached
 */
int ks_virtio_blk_attach(struct ks_virtio_dev *d);

/** Capacity in sectors of 512 bytes; 0 when no device is attached. */
uint64_t ks_virtio_blk_sectors(void);

/** 1 when the device has been put in FAILED state. */
int ks_virtio_blk_failed(void);

/**
 * The driver's data buffer (KS_BLK_REQ_MAX_SECTORS * NX_BLK_SECTOR_SIZE bytes): fill it
 * before posting a write; it holds what a read or GET_ID brought once finished. Not to be
 * touched while a request is in flight.
 */
uint8_t *ks_virtio_blk_data(void);

/**
 * Post one request. IN and OUT move `count` sectors from `sector`; FLUSH and GET_ID take
 * sector 0 and count 0. An IN or GET_ID zeroes its part of the data buffer first.
 * @retval 0 posted; take the result with ks_virtio_blk_finish()
 * @retval -NX_ENOENT no device attached
 * @retval -NX_EIO the device has been put in FAILED state
 * @retval -NX_EFULL a request is in flight
 * @retval -NX_EINVAL unknown op; for IN and OUT, count 0 or above KS_BLK_REQ_MAX_SECTORS or
 *         a range past the capacity; for FLUSH and GET_ID, a sector or count other than 0
 */
int ks_virtio_blk_post(enum ks_blk_op op, uint64_t sector, uint32_t count);

/** 1 when the request in flight has completed (a look that changes nothing). */
int ks_virtio_blk_done(void);

/**
 * Finish the request in flight and check its completion: reset the device (QEMU completes
 * every request in flight inside the reset), take the used element (through
 * ks_virtq_take()), check the length the device claims it wrote (data plus status byte,
 * exactly) and the status byte, then start the device again as at attach.
 * @retval 0 status OK; for IN and GET_ID the data buffer holds the bytes
 * @retval -NX_ENOENT nothing is in flight
 * @retval -NX_EIO status IOERR; or the device misbehaved (bad used element, wrong length, a
 *         status byte that is none of OK, IOERR, UNSUPP, no completion after the reset, a
 *         reset or restart that failed): then it is put in FAILED state
 * @retval -NX_ENOSYS status UNSUPP: the device does not support the request
 */
int ks_virtio_blk_finish(void);

#endif
