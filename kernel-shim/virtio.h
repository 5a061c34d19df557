/**
 * @file virtio.h
 * Modern virtio-mmio transport (virtio 1.x, MMIO version 2) and the virtio-rng driver.
 *
 * ks_virtio_probe() scans the eight virtio-mmio slots of QEMU `virt`
 * (0x10001000 + i * 0x1000, PLIC IRQ i + 1), refuses legacy (version 1) transports and
 * devices without VIRTIO_F_VERSION_1, and brings up the first entropy device (id 4) with
 * one split virtqueue of KS_VIRTIO_QUEUE_SIZE entries in static memory. DMA addresses are
 * kernel addresses: RAM is identity-mapped.
 *
 * One request is in flight at a time, into the driver's own buffer: post with
 * ks_virtio_rng_request(), then, after the interrupt (or whenever), take the bytes with
 * ks_virtio_rng_collect(). Nothing here blocks or waits. Callers serialise every call
 * (the kernel's big lock, or boot before other harts touch the device).
 *
 * QEMU 7.2 with `-object rng-random,filename=FILE`, as measured on this project's machines:
 * each request is filled by one read() of FILE in QEMU's main loop, so it gets every byte
 * asked for while the file lasts, then one short read at its end. The next request hits
 * end of file and QEMU livelocks: its main loop re-reads the empty file forever, the guest
 * stops (its own deadlines never come) and QEMU ignores SIGTERM. Size the file for every
 * byte a run reads. The completion arrives asynchronously to the vCPU: under
 * `-icount sleep=off`, see kernel-shim/selftest_virtio.c for waiting deterministically.
 */
#ifndef KS_VIRTIO_H
#define KS_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

/** Entries in the rng's virtqueue (a power of two, at most the device's QueueNumMax). */
#define KS_VIRTIO_QUEUE_SIZE 8
/** Largest rng request: the size of the driver's buffer. */
#define KS_RNG_REQ_MAX 256

/** What the rng driver has seen since ks_virtio_probe(). */
struct ks_virtio_rng_stats {
	uint64_t requests;    /**< requests posted to the device */
	uint64_t completions; /**< requests the device returned (including bad ones) */
	uint64_t bytes;       /**< entropy bytes delivered to callers */
	uint64_t irqs;        /**< ks_virtio_handle_irq() calls for the rng's IRQ */
	uint64_t spurious;    /**< of those, interrupts with an empty InterruptStatus */
	uint64_t bad;         /**< completions refused: wrong id, 0 bytes, or more than one */
};

/**
 * Scan the virtio-mmio slots and bring up the first virtio-rng. Prints one line per
 * device found (accepted or refused, and why); empty slots are skipped silently.
 * A device that fails initialisation is left with FAILED in its status.
 * @retval 0 an rng is ready
 * @retval -NX_ENOENT no usable rng
 */
int ks_virtio_probe(void);

/**
 * PLIC interrupt source of the rng's slot.
 * @return the IRQ (1..8), or 0 when no rng is ready
 */
unsigned ks_virtio_rng_irq(void);

/**
 * Post one request for min(len, KS_RNG_REQ_MAX) bytes into the driver's buffer.
 * @retval 0 posted; the device interrupts when it is filled
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

/**
 * Acknowledge the device's interrupt: read InterruptStatus and write it to InterruptACK.
 * Call it after ks_plic_claim() returned `irq`, before ks_plic_complete(); an IRQ that
 * is not the rng's is ignored. The bytes themselves are taken by ks_virtio_rng_collect().
 */
void ks_virtio_handle_irq(unsigned irq);

/** Copy of the rng counters (all zero when no rng is ready). */
struct ks_virtio_rng_stats ks_virtio_rng_stats(void);

#endif
