/*
 * Modern virtio-mmio (virtio 1.2 section 4.2) and a split virtqueue (section 2.7) for the
 * entropy device (section 5.4). The device is another agent writing our memory: every
 * value it hands back (used index, descriptor id, length) is checked before use.
 */
#include "virtio.h"

#include <string.h>

#include "console.h"
#include "nx/abi.h"

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
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_QUEUE_DEVICE_HIGH 0x0a4

#define MMIO_MAGIC 0x74726976U /* "virt" */
#define MMIO_VERSION_LEGACY 1U
#define MMIO_VERSION_MODERN 2U

#define STATUS_ACKNOWLEDGE 1U
#define STATUS_DRIVER 2U
#define STATUS_DRIVER_OK 4U
#define STATUS_FEATURES_OK 8U
#define STATUS_NEEDS_RESET 64U
#define STATUS_FAILED 128U

/* VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of feature word 1. */
#define FEATURE_WORD_VERSION_1 1U
#define FEATURE_VERSION_1_BIT 1U

#define INT_CONFIG_CHANGE 2U

#define DEVICE_ID_RNG 4U
#define DESC_F_WRITE 2U

/* Reading Status back after a reset: QEMU clears it at once; a real device gets this many reads. */
#define RESET_POLLS 1000U

#define QSIZE KS_VIRTIO_QUEUE_SIZE
_Static_assert((QSIZE & (QSIZE - 1)) == 0 && QSIZE <= 32768, "queue size must be a power of two");

/* Split virtqueue layout (virtio 1.2 section 2.7), little-endian like the hart. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QSIZE];
	uint16_t used_event;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[QSIZE];
	uint16_t avail_event;
};

_Static_assert(sizeof(struct virtq_desc) == 16, "descriptor is 16 bytes");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used element is 8 bytes");

/*
 * The rings live in .bss; the spec asks 16-byte alignment for the table, 2 for the
 * driver area, 4 for the device area. volatile: the device reads and writes them.
 */
static volatile struct virtq_desc rng_desc[QSIZE] __attribute__((aligned(16)));
static volatile struct virtq_avail rng_avail __attribute__((aligned(16)));
static volatile struct virtq_used rng_used __attribute__((aligned(16)));
static uint8_t rng_buf[KS_RNG_REQ_MAX] __attribute__((aligned(16)));

/* The one rng. base == 0: none. */
static struct {
	uintptr_t base;
	unsigned slot;
	int failed;             /* put in FAILED state after misbehaving */
	int in_flight;          /* a request is posted and not yet collected */
	uint16_t avail_idx;     /* our copy of rng_avail.idx */
	uint16_t last_used;     /* used ring entries consumed so far */
	uint16_t head;          /* descriptor of the request in flight */
	uint32_t asked;         /* bytes the request in flight asked for */
	struct ks_virtio_rng_stats stats;
} rng;

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

static int reset(uintptr_t base)
{
	reg_write(base, REG_STATUS, 0);
	for (unsigned i = 0; i < RESET_POLLS; i++) {
		if (reg_read(base, REG_STATUS) == 0)
			return 0;
	}
	return -1;
}

/*
 * Driver initialisation (virtio 1.2 section 3.1.1) with queue 0 set up as the rng's
 * request queue. Returns NULL when the device is live, else why not.
 */
static const char *rng_setup(uintptr_t base)
{
	if (reset(base) != 0)
		return "reset did not complete";
	set_status(base, STATUS_ACKNOWLEDGE);
	set_status(base, STATUS_DRIVER);

	reg_write(base, REG_DEVICE_FEATURES_SEL, FEATURE_WORD_VERSION_1);
	if (!(reg_read(base, REG_DEVICE_FEATURES) & FEATURE_VERSION_1_BIT))
		return "VIRTIO_F_VERSION_1 not offered";
	/* Take VERSION_1 and nothing else: no event index, no indirect descriptors. */
	reg_write(base, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(base, REG_DRIVER_FEATURES, 0);
	reg_write(base, REG_DRIVER_FEATURES_SEL, FEATURE_WORD_VERSION_1);
	reg_write(base, REG_DRIVER_FEATURES, FEATURE_VERSION_1_BIT);
	set_status(base, STATUS_FEATURES_OK);
	if (!(reg_read(base, REG_STATUS) & STATUS_FEATURES_OK))
		return "features not accepted (FEATURES_OK cleared)";

	reg_write(base, REG_QUEUE_SEL, 0);
	if (reg_read(base, REG_QUEUE_READY) != 0)
		return "queue 0 already in use";
	uint32_t max = reg_read(base, REG_QUEUE_NUM_MAX);
	if (max == 0)
		return "no queue 0";
	if (max < QSIZE)
		return "queue 0 smaller than KS_VIRTIO_QUEUE_SIZE";
	memset((void *)rng_desc, 0, sizeof(rng_desc));
	memset((void *)&rng_avail, 0, sizeof(rng_avail));
	memset((void *)&rng_used, 0, sizeof(rng_used));
	dma_wmb();
	reg_write(base, REG_QUEUE_NUM, QSIZE);
	write_addr(base, REG_QUEUE_DESC_LOW, rng_desc);
	write_addr(base, REG_QUEUE_DRIVER_LOW, &rng_avail);
	write_addr(base, REG_QUEUE_DEVICE_LOW, &rng_used);
	reg_write(base, REG_QUEUE_READY, 1);
	if (reg_read(base, REG_QUEUE_READY) != 1)
		return "queue 0 did not become ready";

	set_status(base, STATUS_DRIVER_OK);
	if (reg_read(base, REG_STATUS) & (STATUS_NEEDS_RESET | STATUS_FAILED))
		return "device reported an error after DRIVER_OK";
	return NULL;
}

/* Give up on the rng for good: the device is told (FAILED) and requests get -NX_EIO. */
static void rng_fail(const char *why)
{
	ks_printf("virtio: slot %u rng failed: %s\n", rng.slot, why);
	set_status(rng.base, STATUS_FAILED);
	rng.failed = 1;
	rng.in_flight = 0;
}

/* Probe one slot. Returns 1 if it holds the rng, now live. */
static int probe_slot(unsigned slot)
{
	uintptr_t base = MMIO_FIRST + slot * MMIO_STRIDE;
	uint32_t magic = reg_read(base, REG_MAGIC);
	if (magic != MMIO_MAGIC) {
		ks_printf("virtio: slot %u at 0x%lx: bad magic 0x%08x, skipped\n", slot,
			  (unsigned long)base, (unsigned)magic);
		return 0;
	}
	uint32_t id = reg_read(base, REG_DEVICE_ID);
	if (id == 0)
		return 0;
	uint32_t version = reg_read(base, REG_VERSION);
	if (version == MMIO_VERSION_LEGACY) {
		ks_printf("virtio: slot %u at 0x%lx: legacy (version 1) device refused, modern virtio-mmio only\n",
			  slot, (unsigned long)base);
		return 0;
	}
	if (version != MMIO_VERSION_MODERN) {
		ks_printf("virtio: slot %u at 0x%lx: unknown version %u refused\n", slot, (unsigned long)base,
			  (unsigned)version);
		return 0;
	}
	if (id != DEVICE_ID_RNG || rng.base != 0) {
		ks_printf("virtio: slot %u at 0x%lx device id %u: not driven, left alone\n", slot,
			  (unsigned long)base, (unsigned)id);
		return 0;
	}
	const char *why = rng_setup(base);
	if (why != NULL) {
		set_status(base, STATUS_FAILED);
		ks_printf("virtio: slot %u at 0x%lx device id %u (rng) refused: %s\n", slot, (unsigned long)base,
			  (unsigned)id, why);
		return 0;
	}
	ks_printf("virtio: slot %u at 0x%lx device id %u (rng)\n", slot, (unsigned long)base, (unsigned)id);
	rng.base = base;
	rng.slot = slot;
	return 1;
}

int ks_virtio_probe(void)
{
	memset(&rng, 0, sizeof(rng));
	for (unsigned slot = 0; slot < MMIO_SLOTS; slot++)
		(void)probe_slot(slot);
	return rng.base != 0 ? 0 : -NX_ENOENT;
}

int ks_virtio_rng_request(size_t len)
{
	if (rng.base == 0)
		return -NX_ENOENT;
	if (rng.failed)
		return -NX_EIO;
	if (len == 0)
		return -NX_EINVAL;
	if (rng.in_flight)
		return -NX_EFULL;
	uint32_t n = len < KS_RNG_REQ_MAX ? (uint32_t)len : KS_RNG_REQ_MAX;
	uint16_t head = (uint16_t)(rng.avail_idx % QSIZE);

	/* Old bytes must never come back if the device fills less than it claims. */
	memset(rng_buf, 0, n);
	rng_desc[head].addr = (uint64_t)(uintptr_t)rng_buf;
	rng_desc[head].len = n;
	rng_desc[head].flags = DESC_F_WRITE;
	rng_desc[head].next = 0;
	rng_avail.ring[rng.avail_idx % QSIZE] = head;
	dma_wmb();
	rng.avail_idx++;
	rng_avail.idx = rng.avail_idx;
	io_wmb();
	reg_write(rng.base, REG_QUEUE_NOTIFY, 0);

	rng.in_flight = 1;
	rng.head = head;
	rng.asked = n;
	rng.stats.requests++;
	return 0;
}

/* Acknowledge the interrupt the device raised with a completion (the kernel polls the used
 * ring and keeps the rng's PLIC source disabled), and notice a device that needs reset. */
static void ack_interrupt(void)
{
	uint32_t isr = reg_read(rng.base, REG_INTERRUPT_STATUS);
	io_rmb();
	if (isr == 0)
		return;
	reg_write(rng.base, REG_INTERRUPT_ACK, isr);
	if ((isr & INT_CONFIG_CHANGE) && !rng.failed && (reg_read(rng.base, REG_STATUS) & STATUS_NEEDS_RESET))
		rng_fail("device needs reset");
}

int ks_virtio_rng_collect(uint8_t *out, size_t cap, size_t *got)
{
	if (out == NULL || got == NULL || cap == 0)
		return -NX_EINVAL;
	if (rng.base == 0 || !rng.in_flight)
		return -NX_ENOENT;
	uint16_t fresh = (uint16_t)(rng_used.idx - rng.last_used);
	if (fresh == 0)
		return -NX_EWOULDBLOCK;
	ack_interrupt();
	dma_rmb();
	uint32_t id = rng_used.ring[rng.last_used % QSIZE].id;
	uint32_t len = rng_used.ring[rng.last_used % QSIZE].len;
	rng.last_used++;
	rng.in_flight = 0;
	rng.stats.completions++;

	if (fresh != 1 || id != rng.head) {
		rng.stats.bad++;
		rng_fail(fresh != 1 ? "more completions than requests" : "completion names a descriptor not posted");
		return -NX_EIO;
	}
	if (len > rng.asked)
		len = rng.asked;
	if (len == 0) {
		rng.stats.bad++;
		return -NX_EIO;
	}
	size_t n = len < cap ? len : cap;
	memcpy(out, rng_buf, n);
	*got = n;
	rng.stats.bytes += n;
	return 0;
}

struct ks_virtio_rng_stats ks_virtio_rng_stats(void)
{
	return rng.stats;
}
