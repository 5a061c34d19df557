/**
 * @file virtio_rng.h
 * The virtio-rng driver (virtio 1.2 section 5.4) on the modern virtio-mmio transport
 * (virtio.h).
 *
 * One request is in flight at a time, into the driver's own buffer: post with
 * ks_virtio_rng_request(), then poll ks_virtio_rng_collect() for the bytes. Nothing here
 * blocks or waits. Callers serialise every call (the kernel's big lock).
 *
 * QEMU 7.2 with `-object rng-random,filename=FILE`, as measured on this project's machines:
 * each request is filled by one read() of FILE in QEMU's main loop, so it gets every byte
 * asked for while the file lasts, then one short read at its end. The next request hits
 * end of file and QEMU livelocks: its main loop re-reads the empty file forever, the guest
 * stops (its own deadlines never come) and QEMU ignores SIGTERM. Size the file for every
 * byte a run reads. The completion arrives asynchronously to the vCPU, so the kernel
 * never wakes on the device's interrupt: it polls at fixed steps of guest time (device.c),
 * which keeps the guest's timing independent of the host's.
 */
#ifndef KS_VIRTIO_RNG_H
#define KS_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

/** Largest rng request: the size of the driver's buffer. */
#define KS_RNG_REQ_MAX 256

/** What the rng driver has seen since it attached. */
struct ks_virtio_rng_stats {
	uint64_t requests;    /**< requests posted to the device */
	uint64_t completions; /**< requests the device returned (including bad ones) */
	uint64_t bytes;       /**< entropy bytes delivered to callers */
	uint64_t bad;         /**< completions refused: wrong id, 0 bytes, or more than one */
};

/**
 * Take the entropy device `d` in place of any earlier one (ks_virtio_probe() calls this,
 * for one device; `*d` is copied): negotiate VIRTIO_F_VERSION_1 only, set up its request
 * queue, make it live.
 * @retval 0 the rng is ready
 * @retval -NX_EIO refused: printed why, device in FAILED state; no rng is ready
 */
int ks_virtio_rng_attach(struct ks_virtio_dev *d);

/** 1 when an rng is attached (it may have failed since). */
int ks_virtio_rng_ready(void);

/**
 * Post one request for min(len, KS_RNG_REQ_MAX) bytes into the driver's buffer.
 * @retval 0 posted; poll ks_virtio_rng_collect() for the bytes
 * @retval -NX_EINVAL len is 0
 * @retval -NX_ENOENT no rng is ready
 * @retval -NX_EFULL a request is already in flight (collect it first)
 * @retval -NX_EIO the device misbehaved earlier and has been put in FAILED state
 */
int ks_virtio_rng_request(size_t len);

/**
 * Take the bytes of the completed request. Copies at most `cap` bytes to `out`; bytes
 * beyond `cap` are dropped. Never reports more than the request asked for, whatever
 * length the device claims.
 * @retval 0 done: `*got` bytes (at least 1) are in `out`; a new request may be posted
 * @retval -NX_EINVAL out or got is NULL, or cap is 0
 * @retval -NX_ENOENT no rng is ready, or no request is posted
 * @retval -NX_EWOULDBLOCK the request is still in flight
 * @retval -NX_EIO the device returned 0 bytes (the request is finished; post another),
 *         or returned a descriptor it was not given or more than one completion
 *         (the device is then put in FAILED state and refuses further requests)
 */
int ks_virtio_rng_collect(uint8_t *out, size_t cap, size_t *got);

/** Copy of the rng counters (all zero when no rng is ready). */
struct ks_virtio_rng_stats ks_virtio_rng_stats(void);

#endif
