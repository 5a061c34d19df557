/**
 * @file virtio.h
 * Modern virtio-mmio transport (virtio 1.2 section 4.2, MMIO version 2) and split
 * virtqueues (section 2.7), shared by the drivers: virtio_rng.c (entropy, device id 4) and
 * virtio_blk.c (block, device id 2).
 *
 * ks_virtio_probe() scans the eight virtio-mmio slots of QEMU `virt`
 * (0x10001000 + i * 0x1000), refuses legacy (version 1) transports, and hands devices of
 * each known id to its driver's attach function until the driver has taken one; later
 * devices of that id are left alone. A driver brings its device up
 * with ks_virtio_start() (reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK),
 * ks_virtio_queue() (queue 0) and ks_virtio_live() (DRIVER_OK); each prints why it refused
 * and leaves the device in FAILED state.
 *
 * The device is another agent writing our memory: ks_virtq_take() checks every value it
 * hands back (used index, descriptor id) before use; drivers check the length. DMA
 * addresses are kernel addresses: RAM is identity-mapped. No driver uses the device's
 * interrupt (the PLIC sources stay disabled): QEMU completes requests on host threads,
 * asynchronously to the vCPU, so the drivers look at the used ring at fixed points of guest
 * time instead. Callers serialise every call (the kernel's big lock, or boot before SMP).
 */
#ifndef KS_VIRTIO_H
#define KS_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

/** Entries in each virtqueue (a power of two, at most the device's QueueNumMax). */
#define KS_VIRTIO_QUEUE_SIZE 8

/** Device ids (virtio 1.2 section 5). */
#define KS_VIRTIO_ID_BLK 2U
#define KS_VIRTIO_ID_RNG 4U

/** VIRTIO_F_VERSION_1: the device is modern (virtio 1.x). Every driver requires it. */
#define KS_VIRTIO_F_VERSION_1 32U

/** Descriptor flags. */
#define KS_VIRTQ_DESC_F_NEXT 1U
#define KS_VIRTQ_DESC_F_WRITE 2U

/** Split virtqueue layout, little-endian like the hart. */
struct ks_virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct ks_virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[KS_VIRTIO_QUEUE_SIZE];
	uint16_t used_event;
};

struct ks_virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct ks_virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct ks_virtq_used_elem ring[KS_VIRTIO_QUEUE_SIZE];
	uint16_t avail_event;
};

/**
 * One split virtqueue in static memory (the driver owns it). The rings are volatile: the
 * device reads and writes them. Alignment: 16 for the descriptor table, 2 for the driver
 * area, 4 for the device area (virtio 1.2 section 2.7).
 */
struct ks_virtq {
	volatile struct ks_virtq_desc desc[KS_VIRTIO_QUEUE_SIZE] __attribute__((aligned(16)));
	volatile struct ks_virtq_avail avail __attribute__((aligned(16)));
	volatile struct ks_virtq_used used __attribute__((aligned(16)));
	uint16_t avail_idx; /**< our copy of avail.idx */
	uint16_t last_used; /**< used ring entries consumed so far */
};

/** A device on one virtio-mmio slot. */
struct ks_virtio_dev {
	uintptr_t base;   /**< MMIO base; 0 = none */
	unsigned slot;
	uint32_t id;      /**< device id */
	const char *name; /**< driver name for console lines ("rng", "blk") */
	int failed;       /**< put in FAILED state; serves no more requests */
};

/** A feature a driver requires, and the name a refusal prints. */
struct ks_virtio_feature {
	unsigned bit;
	const char *name;
};

/**
 * Scan the virtio-mmio slots and attach the first device of each id a driver knows.
 * Prints one line per device found (driven, refused and why, or left alone); empty slots
 * are skipped silently. Once, at boot.
 */
void ks_virtio_probe(void);

/**
 * Reset the device, set ACKNOWLEDGE and DRIVER, and accept exactly the `n` features in
 * `need` (VIRTIO_F_VERSION_1 must be one of them), then FEATURES_OK.
 * `*offered` gets the device's feature bits 0..63.
 * @retval 0 done
 * @retval -NX_EIO refused: printed why (naming a feature the device does not offer), and
 *         the device is in FAILED state
 */
int ks_virtio_start(struct ks_virtio_dev *d, const struct ks_virtio_feature *need, size_t n,
		    uint64_t *offered);

/**
 * Reset the device (Status 0) and wait until it reads back 0.
 * @retval 0 done; the device must be started again (ks_virtio_start() and on)
 * @retval -NX_EIO the reset did not complete
 */
int ks_virtio_reset(const struct ks_virtio_dev *d);

/**
 * Set up queue 0 on `q` (zeroed first).
 * @retval 0 done
 * @retval -NX_EIO refused (queue missing, too small or not ready): printed, device FAILED
 */
int ks_virtio_queue(struct ks_virtio_dev *d, struct ks_virtq *q);

/**
 * Set DRIVER_OK: the device is live.
 * @retval 0 done
 * @retval -NX_EIO the device reported an error: printed, device FAILED
 */
int ks_virtio_live(struct ks_virtio_dev *d);

/**
 * Read 32 bits of the device-specific configuration space at byte offset `off`
 * (4-aligned), consistently with the word at `off + 4` when `hi` is not NULL (the
 * ConfigGeneration check of virtio 1.2 section 4.2.2.1).
 * @retval 0 done
 * @retval -NX_EIO the configuration kept changing while read
 */
int ks_virtio_config(const struct ks_virtio_dev *d, unsigned off, uint32_t *lo, uint32_t *hi);

/**
 * Refuse the device during its driver's attach: print why, set FAILED.
 * @return -NX_EIO, for the attach function to return
 */
int ks_virtio_refuse(const struct ks_virtio_dev *d, const char *why);

/** Give up on the device for good: print why, set FAILED; it serves no more requests. */
void ks_virtio_fail(struct ks_virtio_dev *d, const char *why);

/** Make the chain starting at descriptor `head` available and notify queue 0. */
void ks_virtq_submit(const struct ks_virtio_dev *d, struct ks_virtq *q, uint16_t head);

/**
 * Take the completion of the one request in flight, whose chain starts at `head`.
 * Acknowledges the device's interrupt status and notices a device that needs reset.
 * @retval 0 done: `*len` is the byte count the device claims it wrote (unchecked)
 * @retval -NX_EWOULDBLOCK not complete yet
 * @retval -NX_EIO the device returned more than one completion, a descriptor it was not
 *         given, or needs reset: the device is put in FAILED state
 */
int ks_virtq_take(struct ks_virtio_dev *d, struct ks_virtq *q, uint16_t head, uint32_t *len);

/** 1 when queue 0 has a completion not yet taken (a look that changes nothing). */
int ks_virtq_done(const struct ks_virtq *q);

/**
 * Wait by executing instructions until the `time` CSR reaches `until` (ticks). Never WFI:
 * under `-icount ...,sleep=off` an idle guest's clock jumps to its next timer at once,
 * while a device completes on host threads in wall time (docs/kernel.md, "Block device").
 */
void ks_virtio_spin_until(uint64_t until);

#endif
