/*
 * Modern virtio-mmio (virtio 1.2 section 4.2) and split virtqueues (section 2.7): what the
 * drivers share. The device is another agent writing our memory: every value it hands back
 * (used index, descriptor id) is checked here before a driver sees it.
 */
#include "virtio.h"

#include <string.h>

#include "console.h"
#include "nx/abi.h"
#include "riscv.h"
#include "virtio_blk.h"
#include "virtio_rng.h"

/* QEMU virt: eight transports, 0x1000 apart, wired to PLIC sources 1..8. */
#define MMIO_FIRST 0x10001000UL
#define MMIO_STRIDE 0x1000UL
#define MMIO_SLOTS 8U

/* virtio-mmio version 2 registers. */
#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_CONFIG_GENERATION 0x0fc
#define REG_CONFIG 0x100

#define MMIO_MAGIC 0x74726976U /* "virt" */
#define MMIO_VERSION_LEGACY 1U
#define MMIO_VERSION_MODERN 2U

#define STATUS_ACKNOWLEDGE 1U
#define STATUS_DRIVER 2U
#define STATUS_DRIVER_OK 4U
#define STATUS_FEATURES_OK 8U
#define STATUS_NEEDS_RESET 64U
#define STATUS_FAILED 128U

#define INT_CONFIG_CHANGE 2U

/*
 * Asks the device not to interrupt on completions (virtio 1.2 section 2.7.7; a hint, which
 * QEMU 7.2 follows when VIRTIO_F_EVENT_IDX is not negotiated, as here). The kernel polls
 * anyway, and the interrupt would let host timing into the guest at SMP >= 2: QEMU raises
 * it from a host thread, the PLIC update then kicks the running vCPU whenever any hart has
 * an interrupt pending, and under -icount QEMU's round-robin goes on with the next hart at
 * that point. Measured: without the flag, two runs of the block-device workload at SMP=2 differed with no
 * late request; with it, they are identical (docs/kernel.md, "Block device").
 */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1U

/* Reading Status back after a reset: QEMU clears it at once; a real device gets this many reads. */
#define RESET_POLLS 1000U
/* Reads of a configuration field that may change under us (ConfigGeneration). */
#define CONFIG_TRIES 4U

#define QSIZE KS_VIRTIO_QUEUE_SIZE
_Static_assert((QSIZE & (QSIZE - 1)) == 0 && QSIZE <= 32768, "queue size must be a power of two");
_Static_assert(sizeof(struct ks_virtq_desc) == 16, "descriptor is 16 bytes");
_Static_assert(sizeof(struct ks_virtq_used_elem) == 8, "used element is 8 bytes");

/* The drivers, by device id. attach: 0 driven, -NX_EIO refused. Each takes one device. */
static const struct {
	uint32_t id;
	const char *name;
	int (*attach)(struct ks_virtio_dev *d);
} drivers[] = {
	{ KS_VIRTIO_ID_BLK, "blk", ks_virtio_blk_attach },
	{ KS_VIRTIO_ID_RNG, "rng", ks_virtio_rng_attach },
};
static uint32_t attached; /* bit i: drivers[i] has its device */

static uint32_t reg_read(uintptr_t base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static void reg_write(uintptr_t base, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(base + off) = val;
}

/* Ring stores visible to the device in program order (descriptor before index). */
static void dma_wmb(void)
{
	__asm__ volatile("fence w, w" ::: "memory");
}

/* Used index read before the element it covers. */
static void dma_rmb(void)
{
	__asm__ volatile("fence r, r" ::: "memory");
}

/* Ring stores visible before the doorbell (a device register write). */
static void io_wmb(void)
{
	__asm__ volatile("fence w, o" ::: "memory");
}

/* Device register reads (InterruptStatus) before the ring reads that follow them. */
static void io_rmb(void)
{
	__asm__ volatile("fence i, r" ::: "memory");
}

static void set_status(uintptr_t base, uint32_t bits)
{
	reg_write(base, REG_STATUS, reg_read(base, REG_STATUS) | bits);
}

static void write_addr(uintptr_t base, unsigned low_reg, const volatile void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	reg_write(base, low_reg, (uint32_t)a);
	reg_write(base, low_reg + 4, (uint32_t)(a >> 32));
}

/* Refuse a device during initialisation: say why, tell it (FAILED). */
static int refuse(const struct ks_virtio_dev *d, const char *why, const char *what)
{
	set_status(d->base, STATUS_FAILED);
	ks_printf("virtio: slot %u at 0x%lx device id %u (%s) refused: %s%s\n", d->slot, (unsigned long)d->base,
		  (unsigned)d->id, d->name, why, what);
	return -NX_EIO;
}

int ks_virtio_refuse(const struct ks_virtio_dev *d, const char *why)
{
	return refuse(d, why, "");
}

static int reset(uintptr_t base)
{
	reg_write(base, REG_STATUS, 0);
	for (unsigned i = 0; i < RESET_POLLS; i++) {
		if (reg_read(base, REG_STATUS) == 0)
			return 0;
	}
	return -1;
}

int ks_virtio_reset(const struct ks_virtio_dev *d)
{
	return reset(d->base) == 0 ? 0 : -NX_EIO;
}

static uint64_t device_features(uintptr_t base)
{
	reg_write(base, REG_DEVICE_FEATURES_SEL, 0);
	uint64_t lo = reg_read(base, REG_DEVICE_FEATURES);
	reg_write(base, REG_DEVICE_FEATURES_SEL, 1);
	return lo | (uint64_t)reg_read(base, REG_DEVICE_FEATURES) << 32;
}

int ks_virtio_start(struct ks_virtio_dev *d, const struct ks_virtio_feature *need, size_t n, uint64_t *offered)
{
	if (reset(d->base) != 0)
		return refuse(d, "reset did not complete", "");
	set_status(d->base, STATUS_ACKNOWLEDGE);
	set_status(d->base, STATUS_DRIVER);

	*offered = device_features(d->base);
	uint64_t take = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(*offered & (1ULL << need[i].bit)))
			return refuse(d, need[i].name, " not offered");
		take |= 1ULL << need[i].bit;
	}
	if (!(take & (1ULL << KS_VIRTIO_F_VERSION_1)))
		return refuse(d, "driver does not ask for VIRTIO_F_VERSION_1", "");
	/* Exactly the features asked for: no event index, no indirect descriptors. */
	reg_write(d->base, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(d->base, REG_DRIVER_FEATURES, (uint32_t)take);
	reg_write(d->base, REG_DRIVER_FEATURES_SEL, 1);
	reg_write(d->base, REG_DRIVER_FEATURES, (uint32_t)(take >> 32));
	set_status(d->base, STATUS_FEATURES_OK);
	if (!(reg_read(d->base, REG_STATUS) & STATUS_FEATURES_OK))
		return refuse(d, "features not accepted (FEATURES_OK cleared)", "");
	return 0;
}

int ks_virtio_queue(struct ks_virtio_dev *d, struct ks_virtq *q)
{
	reg_write(d->base, REG_QUEUE_SEL, 0);
	if (reg_read(d->base, REG_QUEUE_READY) != 0)
		return refuse(d, "queue 0 already in use", "");
	uint32_t max = reg_read(d->base, REG_QUEUE_NUM_MAX);
	if (max == 0)
		return refuse(d, "no queue 0", "");
	if (max < QSIZE)
		return refuse(d, "queue 0 smaller than KS_VIRTIO_QUEUE_SIZE", "");
	memset((void *)q->desc, 0, sizeof q->desc);
	memset((void *)&q->avail, 0, sizeof q->avail);
	memset((void *)&q->used, 0, sizeof q->used);
	/* No completion interrupts (see VIRTQ_AVAIL_F_NO_INTERRUPT above). */
	q->avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	q->avail_idx = 0;
	q->last_used = 0;
	dma_wmb();
	reg_write(d->base, REG_QUEUE_NUM, QSIZE);
	write_addr(d->base, REG_QUEUE_DESC_LOW, q->desc);
	write_addr(d->base, REG_QUEUE_DRIVER_LOW, &q->avail);
	write_addr(d->base, REG_QUEUE_DEVICE_LOW, &q->used);
	reg_write(d->base, REG_QUEUE_READY, 1);
	if (reg_read(d->base, REG_QUEUE_READY) != 1)
		return refuse(d, "queue 0 did not become ready", "");
	return 0;
}

int ks_virtio_live(struct ks_virtio_dev *d)
{
	set_status(d->base, STATUS_DRIVER_OK);
	if (reg_read(d->base, REG_STATUS) & (STATUS_NEEDS_RESET | STATUS_FAILED))
		return refuse(d, "device reported an error after DRIVER_OK", "");
	return 0;
}

int ks_virtio_config(const struct ks_virtio_dev *d, unsigned off, uint32_t *lo, uint32_t *hi)
{
	for (unsigned i = 0; i < CONFIG_TRIES; i++) {
		uint32_t gen = reg_read(d->base, REG_CONFIG_GENERATION);
		*lo = reg_read(d->base, REG_CONFIG + off);
		if (hi != NULL)
			*hi = reg_read(d->base, REG_CONFIG + off + 4);
		if (reg_read(d->base, REG_CONFIG_GENERATION) == gen)
			return 0;
	}
	return -NX_EIO;
}

void ks_virtio_fail(struct ks_virtio_dev *d, const char *why)
{
	ks_printf("virtio: slot %u %s failed: %s\n", d->slot, d->name, why);
	set_status(d->base, STATUS_FAILED);
	d->failed = 1;
}

void ks_virtq_submit(const struct ks_virtio_dev *d, struct ks_virtq *q, uint16_t head)
{
	q->avail.ring[q->avail_idx % QSIZE] = head;
	dma_wmb();
	q->avail_idx++;
	q->avail.idx = q->avail_idx;
	io_wmb();
	reg_write(d->base, REG_QUEUE_NOTIFY, 0);
}

/* Acknowledge the interrupt the device raised with a completion (the kernel polls the used
 * ring and keeps the device's PLIC source disabled). 1 if the device needs reset. */
static int ack_interrupt(const struct ks_virtio_dev *d)
{
	uint32_t isr = reg_read(d->base, REG_INTERRUPT_STATUS);
	io_rmb();
	if (isr == 0)
		return 0;
	reg_write(d->base, REG_INTERRUPT_ACK, isr);
	return (isr & INT_CONFIG_CHANGE) && (reg_read(d->base, REG_STATUS) & STATUS_NEEDS_RESET);
}

int ks_virtq_done(const struct ks_virtq *q)
{
	return q->used.idx != q->last_used;
}

int ks_virtq_take(struct ks_virtio_dev *d, struct ks_virtq *q, uint16_t head, uint32_t *len)
{
	uint16_t fresh = (uint16_t)(q->used.idx - q->last_used);
	if (fresh == 0)
		return -NX_EWOULDBLOCK;
	const int needs_reset = ack_interrupt(d);
	dma_rmb();
	uint32_t id = q->used.ring[q->last_used % QSIZE].id;
	*len = q->used.ring[q->last_used % QSIZE].len;
	q->last_used++;
	if (needs_reset || fresh != 1 || id != head) {
		ks_virtio_fail(d, needs_reset ? "device needs reset"
				  : fresh != 1 ? "more completions than requests"
					       : "completion names a descriptor not posted");
		return -NX_EIO;
	}
	return 0;
}

/*
 * Reading `time` under -icount ends QEMU's translation block, so a loop around rdtime runs
 * about a hundred times slower (in wall time per guest instruction) than plain arithmetic;
 * spin in short counted loops between reads. At `-icount shift=0` a tick is 100
 * instructions: SPIN_LOOPS_PER_TICK two-instruction iterations. Any other speed only
 * changes how far past `until` the last loop ends.
 */
#define SPIN_LOOPS_PER_TICK 50U
#define SPIN_MAX_TICKS 1000U

void ks_virtio_spin_until(uint64_t until)
{
	for (uint64_t now = ks_rdtime(); now < until; now = ks_rdtime()) {
		uint64_t loops = (until - now < SPIN_MAX_TICKS ? until - now : SPIN_MAX_TICKS) * SPIN_LOOPS_PER_TICK;
		__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(loops));
	}
}

/* Probe one slot: refuse what no driver may take, hand the rest to its driver. */
static void probe_slot(unsigned slot)
{
	struct ks_virtio_dev d = { .base = MMIO_FIRST + slot * MMIO_STRIDE, .slot = slot };
	uint32_t magic = reg_read(d.base, REG_MAGIC);
	if (magic != MMIO_MAGIC) {
		ks_printf("virtio: slot %u at 0x%lx: bad magic 0x%08x, skipped\n", slot, (unsigned long)d.base,
			  (unsigned)magic);
		return;
	}
	d.id = reg_read(d.base, REG_DEVICE_ID);
	if (d.id == 0)
		return;
	uint32_t version = reg_read(d.base, REG_VERSION);
	if (version == MMIO_VERSION_LEGACY) {
		ks_printf("virtio: slot %u at 0x%lx: legacy (version 1) device refused, modern virtio-mmio only\n",
			  slot, (unsigned long)d.base);
		return;
	}
	if (version != MMIO_VERSION_MODERN) {
		ks_printf("virtio: slot %u at 0x%lx: unknown version %u refused\n", slot, (unsigned long)d.base,
			  (unsigned)version);
		return;
	}
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
		if (drivers[i].id != d.id || (attached & 1U << i))
			continue;
		d.name = drivers[i].name;
		if (drivers[i].attach(&d) == 0) {
			attached |= 1U << i;
			ks_printf("virtio: slot %u at 0x%lx device id %u (%s)\n", slot, (unsigned long)d.base,
				  (unsigned)d.id, d.name);
		}
		return;
	}
	ks_printf("virtio: slot %u at 0x%lx device id %u: not driven, left alone\n", slot, (unsigned long)d.base,
		  (unsigned)d.id);
}

void ks_virtio_probe(void)
{
	for (unsigned slot = 0; slot < MMIO_SLOTS; slot++)
		probe_slot(slot);
}
