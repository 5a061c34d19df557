/*
 * The block device (virtio 1.2 section 5.2) on the modern virtio-mmio transport. One
 * request at a time, always in descriptors 0 (header), 1 (data) and 2 (status), so the
 * used element must name descriptor 0. The status byte starts as a value no device may
 * write, so a completion that left it alone is caught.
 *
 * A request is finished by resetting the device: QEMU 7.2 completes every request in flight
 * before a reset takes effect (virtio_blk_reset() drains the block backend), inside the
 * guest's write of Status, so when that write returns the used ring holds the completion,
 * whatever the host's speed; then the device is started again. The guest's instructions do
 * not depend on when the host finished (docs/kernel.md, "Block device").
 */
#include "virtio_blk.h"

#include <string.h>

#define F_BLK_RO 5U
#define F_BLK_BLK_SIZE 6U
#define F_BLK_FLUSH 9U

/* Device configuration (virtio 1.2 section 5.2.4): byte offsets of the fields read. */
#define CFG_CAPACITY 0U
#define CFG_BLK_SIZE 20U

#define STATUS_OK 0U
#define STATUS_IOERR 1U
#define STATUS_UNSUPP 2U
#define STATUS_UNSET 0xffU

#define DESC_HDR 0U
#define DESC_DATA 1U
#define DESC_STATUS 2U

#define DATA_BYTES (KS_BLK_REQ_MAX_SECTORS * NX_BLK_SECTOR_SIZE)
_Static_assert(KS_BLK_REQ_MAX_SECTORS >= 1 && DATA_BYTES <= UINT32_MAX, "request size must fit a descriptor");
_Static_assert(KS_BLK_ID_BYTES <= DATA_BYTES, "the id fits the data buffer");
_Static_assert(KS_VIRTIO_QUEUE_SIZE >= 3, "a request takes three descriptors");

/* The request header the device reads (virtio_blk_req without its data and status). */
struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct blk_hdr) == 16, "request header is 16 bytes");

static struct ks_virtq blk_q __attribute__((aligned(16)));
static volatile struct blk_hdr blk_hdr __attribute__((aligned(16)));
static volatile uint8_t blk_status;
static uint8_t blk_buf[DATA_BYTES] __attribute__((aligned(16)));

/* The one block device. dev.base == 0: none. */
static struct {
	struct ks_virtio_dev dev;
	uint64_t sectors;
	int in_flight;
	uint32_t expect_len; /* bytes the device must claim it wrote: data it fills plus status */
} blk;

static const struct ks_virtio_feature blk_features[] = {
	{ KS_VIRTIO_F_VERSION_1, "VIRTIO_F_VERSION_1" },
	{ F_BLK_FLUSH, "VIRTIO_BLK_F_FLUSH" },
};

/* Capacity and block size from the configuration space; NULL when usable, else why not. */
static const char *read_config(const struct ks_virtio_dev *d, uint64_t offered, uint64_t *sectors)
{
	uint32_t lo, hi;
	if (ks_virtio_config(d, CFG_CAPACITY, &lo, &hi) != 0)
		return "capacity kept changing while read";
	*sectors = (uint64_t)hi << 32 | lo;
	if (*sectors == 0)
		return "capacity is 0 sectors";
	if (offered & (1ULL << F_BLK_BLK_SIZE)) {
		uint32_t size;
		if (ks_virtio_config(d, CFG_BLK_SIZE, &size, NULL) != 0 || size != NX_BLK_SECTOR_SIZE)
			return "logical block size is not 512 bytes";
	}
	return NULL;
}

int ks_virtio_blk_attach(struct ks_virtio_dev *d)
{
	memset(&blk, 0, sizeof blk);
	uint64_t offered, sectors = 0;
	int rc = ks_virtio_start(d, blk_features, sizeof blk_features / sizeof blk_features[0], &offered);
	if (rc != 0)
		return rc;
	if (offered & (1ULL << F_BLK_RO))
		return ks_virtio_refuse(d, "read-only device (VIRTIO_BLK_F_RO)");
	const char *why = read_config(d, offered, &sectors);
	if (why != NULL)
		return ks_virtio_refuse(d, why);
	rc = ks_virtio_queue(d, &blk_q);
	if (rc == 0)
		rc = ks_virtio_live(d);
	if (rc != 0)
		return rc;
	blk.dev = *d;
	blk.sectors = sectors;
	return 0;
}

uint64_t ks_virtio_blk_sectors(void)
{
	return blk.sectors;
}

int ks_virtio_blk_failed(void)
{
	return blk.dev.failed;
}

uint8_t *ks_virtio_blk_data(void)
{
	return blk_buf;
}

/* Are op, sector and count a request this driver may post? */
static int request_ok(enum ks_blk_op op, uint64_t sector, uint32_t count)
{
	switch (op) {
	case KS_BLK_IN:
	case KS_BLK_OUT:
		return count >= 1 && count <= KS_BLK_REQ_MAX_SECTORS && sector < blk.sectors &&
		       count <= blk.sectors - sector;
	case KS_BLK_FLUSH:
	case KS_BLK_GET_ID:
		return sector == 0 && count == 0;
	}
	return 0;
}

static void set_desc(unsigned i, const volatile void *addr, uint32_t len, uint16_t flags, uint16_t next)
{
	blk_q.desc[i].addr = (uint64_t)(uintptr_t)addr;
	blk_q.desc[i].len = len;
	blk_q.desc[i].flags = flags;
	blk_q.desc[i].next = next;
}

int ks_virtio_blk_post(enum ks_blk_op op, uint64_t sector, uint32_t count)
{
	if (blk.dev.base == 0)
		return -NX_ENOENT;
	if (blk.dev.failed)
		return -NX_EIO;
	if (blk.in_flight)
		return -NX_EFULL;
	if (!request_ok(op, sector, count))
		return -NX_EINVAL;
	const uint32_t data = op == KS_BLK_GET_ID ? KS_BLK_ID_BYTES : count * NX_BLK_SECTOR_SIZE;
	const int device_fills = op == KS_BLK_IN || op == KS_BLK_GET_ID;
	/* Old bytes must never come back if the device fills less than it claims. */
	if (device_fills)
		memset(blk_buf, 0, data);
	blk_hdr.type = (uint32_t)op;
	blk_hdr.reserved = 0;
	blk_hdr.sector = sector;
	blk_status = STATUS_UNSET;

	set_desc(DESC_HDR, &blk_hdr, sizeof blk_hdr, KS_VIRTQ_DESC_F_NEXT, data != 0 ? DESC_DATA : DESC_STATUS);
	if (data != 0)
		set_desc(DESC_DATA, blk_buf, data,
			 (uint16_t)(KS_VIRTQ_DESC_F_NEXT | (device_fills ? KS_VIRTQ_DESC_F_WRITE : 0)), DESC_STATUS);
	set_desc(DESC_STATUS, &blk_status, 1, KS_VIRTQ_DESC_F_WRITE, 0);
	ks_virtq_submit(&blk.dev, &blk_q, DESC_HDR);

	blk.in_flight = 1;
	blk.expect_len = (device_fills ? data : 0) + 1;
	return 0;
}

int ks_virtio_blk_done(void)
{
	return blk.in_flight && ks_virtq_done(&blk_q);
}

/* Take the completion of the request in flight and check it (see ks_virtio_blk_finish()). */
static int collect(void)
{
	uint32_t len;
	int rc = ks_virtq_take(&blk.dev, &blk_q, DESC_HDR, &len);
	blk.in_flight = 0;
	if (rc == -NX_EWOULDBLOCK) {
		ks_virtio_fail(&blk.dev, "request lost at reset (not completed before the reset took effect)");
		return -NX_EIO;
	}
	if (rc != 0)
		return rc;
	const uint8_t status = blk_status;
	if (status == STATUS_IOERR)
		return -NX_EIO;
	if (status == STATUS_UNSUPP)
		return -NX_ENOSYS;
	if (status != STATUS_OK) {
		ks_virtio_fail(&blk.dev, "status byte is none of OK, IOERR, UNSUPP");
		return -NX_EIO;
	}
	if (len != blk.expect_len) {
		ks_virtio_fail(&blk.dev, "completion length differs from the request's");
		return -NX_EIO;
	}
	return 0;
}

/* Bring the device up again after the reset of ks_virtio_blk_finish(), as at attach. */
static int restart(void)
{
	uint64_t offered;
	int rc = ks_virtio_start(&blk.dev, blk_features, sizeof blk_features / sizeof blk_features[0], &offered);
	if (rc == 0)
		rc = ks_virtio_queue(&blk.dev, &blk_q);
	if (rc == 0)
		rc = ks_virtio_live(&blk.dev);
	if (rc != 0)
		blk.dev.failed = 1;
	return rc;
}

int ks_virtio_blk_finish(void)
{
	if (!blk.in_flight)
		return -NX_ENOENT;
	if (ks_virtio_reset(&blk.dev) != 0) {
		blk.in_flight = 0;
		ks_virtio_fail(&blk.dev, "reset did not complete");
		return -NX_EIO;
	}
	const int rc = collect();
	if (blk.dev.failed)
		return -NX_EIO;
	return restart() == 0 ? rc : -NX_EIO;
}
