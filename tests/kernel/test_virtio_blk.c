/*
 * The virtio-blk driver (kernel-shim/virtio_blk.c) against a fake transport that plays the
 * device, written from the virtio 1.2 specification (section 5.2): what the driver
 * negotiates and refuses, the request chains it builds, every bound of a request, how it
 * finishes a request (reset, take, start again) and how it judges each completion (status
 * byte, length, used element). Each test attaches afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virtio_blk.h"

/* virtio 1.2 section 5.2: feature bits, configuration offsets, request types and status. */
#define F_BLK_RO 5U
#define F_BLK_BLK_SIZE 6U
#define F_BLK_FLUSH 9U
#define CFG_CAPACITY 0U
#define CFG_BLK_SIZE 20U
#define T_IN 0U
#define T_OUT 1U
#define T_FLUSH 4U
#define T_GET_ID 8U
#define STATUS_OK 0U
#define STATUS_IOERR 1U
#define STATUS_UNSUPP 2U

/* struct virtio_blk_req without data and status. */
struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

#define CAPACITY 2048u
#define DATA_BYTES (KS_BLK_REQ_MAX_SECTORS * NX_BLK_SECTOR_SIZE)
#define F_VERSION_1 (1ULL << KS_VIRTIO_F_VERSION_1)
#define F_ALL (F_VERSION_1 | 1ULL << F_BLK_FLUSH | 1ULL << F_BLK_BLK_SIZE)

/* The memory a descriptor names, as the device reaches it (RAM is identity-mapped). */
static void *at(uint64_t addr)
{
	void *p;
	const uintptr_t a = (uintptr_t)addr;
	memcpy(&p, &a, sizeof p);
	return p;
}

/* The fake device behind the fake transport. */
static struct {
	uint64_t offered;
	uint64_t asked;    /* feature bits the driver required */
	int start_rc;
	uint64_t capacity;
	uint32_t blk_size;
	int refused;       /* ks_virtio_refuse() calls */
	int failed;        /* ks_virtio_fail() calls */
	unsigned submits;
	unsigned chain_len;
	struct ks_virtq_desc chain[KS_VIRTIO_QUEUE_SIZE];
	struct blk_hdr hdr;  /* the header as the device read it at submit */
	uint16_t head;       /* the chain's first descriptor */
	int complete;        /* the request in flight has completed */
	int take_rc;         /* what ks_virtq_take() reports once complete */
	uint32_t len;        /* the length the device claims */
	int write_status;    /* the device writes `status` into the status byte */
	uint8_t status;
	uint8_t fill;        /* byte the device writes into device-writable data */
	int reset_rc;        /* what ks_virtio_reset() answers */
	int queue_rc;        /* what ks_virtio_queue() answers */
	char calls[64];      /* transport calls in order: R reset, S start, Q queue, L live, T take */
} dev;

static void called(char c)
{
	const size_t n = strlen(dev.calls);
	assert_true(n + 1 < sizeof dev.calls);
	dev.calls[n] = c;
}

int ks_virtio_reset(const struct ks_virtio_dev *d)
{
	(void)d;
	called('R');
	return dev.reset_rc;
}

int ks_virtio_start(struct ks_virtio_dev *d, const struct ks_virtio_feature *need, size_t n, uint64_t *offered)
{
	(void)d;
	called('S');
	for (size_t i = 0; i < n; i++)
		dev.asked |= 1ULL << need[i].bit;
	*offered = dev.offered;
	return dev.start_rc;
}

int ks_virtio_refuse(const struct ks_virtio_dev *d, const char *why)
{
	(void)d;
	(void)why;
	dev.refused++;
	return -NX_EIO;
}

int ks_virtio_queue(struct ks_virtio_dev *d, struct ks_virtq *q)
{
	(void)d;
	(void)q;
	called('Q');
	return dev.queue_rc;
}

int ks_virtio_live(struct ks_virtio_dev *d)
{
	(void)d;
	called('L');
	return 0;
}

int ks_virtio_config(const struct ks_virtio_dev *d, unsigned off, uint32_t *lo, uint32_t *hi)
{
	(void)d;
	if (off == CFG_CAPACITY) {
		*lo = (uint32_t)dev.capacity;
		*hi = (uint32_t)(dev.capacity >> 32);
	} else {
		assert_int_equal(off, CFG_BLK_SIZE);
		assert_null(hi);
		*lo = dev.blk_size;
	}
	return 0;
}

void ks_virtio_fail(struct ks_virtio_dev *d, const char *why)
{
	(void)why;
	d->failed = 1;
	dev.failed++;
}

void ks_virtq_submit(const struct ks_virtio_dev *d, struct ks_virtq *q, uint16_t head)
{
	(void)d;
	dev.submits++;
	dev.chain_len = 0;
	for (uint16_t i = head; dev.chain_len < KS_VIRTIO_QUEUE_SIZE; i = q->desc[i].next) {
		const struct ks_virtq_desc desc = { q->desc[i].addr, q->desc[i].len, q->desc[i].flags, q->desc[i].next };
		dev.chain[dev.chain_len++] = desc;
		if (!(desc.flags & KS_VIRTQ_DESC_F_NEXT))
			break;
	}
	dev.head = head;
	assert_int_equal(dev.chain[0].len, sizeof dev.hdr);
	memcpy(&dev.hdr, at(dev.chain[0].addr), sizeof dev.hdr);
}

int ks_virtq_done(const struct ks_virtq *q)
{
	(void)q;
	return dev.complete;
}

int ks_virtq_take(struct ks_virtio_dev *d, struct ks_virtq *q, uint16_t head, uint32_t *len)
{
	(void)q;
	called('T');
	assert_int_equal(head, dev.head);
	if (!dev.complete)
		return -NX_EWOULDBLOCK;
	for (unsigned i = 1; i < dev.chain_len; i++) {
		uint8_t *p = at(dev.chain[i].addr);
		if (i == dev.chain_len - 1) {
			if (dev.write_status)
				*p = dev.status;
		} else if (dev.chain[i].flags & KS_VIRTQ_DESC_F_WRITE) {
			memset(p, dev.fill, dev.chain[i].len);
		}
	}
	*len = dev.len;
	if (dev.take_rc != 0)
		d->failed = 1;
	return dev.take_rc;
}

static struct ks_virtio_dev fresh_dev(void)
{
	return (struct ks_virtio_dev){ .base = 0x10008000, .slot = 7, .id = KS_VIRTIO_ID_BLK, .name = "blk" };
}

static int setup(void **state)
{
	(void)state;
	memset(&dev, 0, sizeof dev);
	memset(ks_virtio_blk_data(), 0x5a, DATA_BYTES);
	dev.offered = F_ALL;
	dev.capacity = CAPACITY;
	dev.blk_size = NX_BLK_SECTOR_SIZE;
	dev.write_status = 1;
	return 0;
}

/* Attach a device as `setup` describes it. */
static void attach(void)
{
	struct ks_virtio_dev d = fresh_dev();
	assert_int_equal(ks_virtio_blk_attach(&d), 0);
	memset(dev.calls, 0, sizeof dev.calls);
}

/* The device completes the request in flight with `status`, claiming `len` bytes. */
static void complete(uint8_t status, uint32_t len)
{
	dev.complete = 1;
	dev.status = status;
	dev.len = len;
}

static void attach_requires_exactly_version_1_and_flush(void **state)
{
	(void)state;
	attach();
	assert_true(dev.asked == (F_VERSION_1 | 1ULL << F_BLK_FLUSH));
	assert_int_equal(ks_virtio_blk_sectors(), CAPACITY);
	assert_int_equal(ks_virtio_blk_failed(), 0);
}

static void attach_reads_a_64_bit_capacity(void **state)
{
	(void)state;
	dev.capacity = 0x123456789aULL;
	attach();
	assert_true(ks_virtio_blk_sectors() == 0x123456789aULL);
}

static void attach_passes_on_the_transport_refusal(void **state)
{
	(void)state;
	dev.start_rc = -NX_EIO;
	struct ks_virtio_dev d = fresh_dev();
	assert_int_equal(ks_virtio_blk_attach(&d), -NX_EIO);
	assert_int_equal(ks_virtio_blk_sectors(), 0);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_FLUSH, 0, 0), -NX_ENOENT);
}

static void attach_refuses_a_read_only_device(void **state)
{
	(void)state;
	dev.offered |= 1ULL << F_BLK_RO;
	struct ks_virtio_dev d = fresh_dev();
	assert_int_equal(ks_virtio_blk_attach(&d), -NX_EIO);
	assert_int_equal(dev.refused, 1);
	assert_int_equal(ks_virtio_blk_sectors(), 0);
}

static void attach_refuses_a_logical_block_size_of_4096(void **state)
{
	(void)state;
	dev.blk_size = 4096;
	struct ks_virtio_dev d = fresh_dev();
	assert_int_equal(ks_virtio_blk_attach(&d), -NX_EIO);
	assert_int_equal(dev.refused, 1);
}

static void attach_ignores_the_block_size_field_when_not_offered(void **state)
{
	(void)state;
	dev.offered &= ~(1ULL << F_BLK_BLK_SIZE);
	dev.blk_size = 4096;
	attach();
	assert_int_equal(dev.refused, 0);
}

static void attach_refuses_a_capacity_of_0(void **state)
{
	(void)state;
	dev.capacity = 0;
	struct ks_virtio_dev d = fresh_dev();
	assert_int_equal(ks_virtio_blk_attach(&d), -NX_EIO);
	assert_int_equal(dev.refused, 1);
}

static void a_refused_attach_leaves_no_device(void **state)
{
	(void)state;
	attach();
	dev.start_rc = -NX_EIO;
	struct ks_virtio_dev d = fresh_dev();
	assert_int_equal(ks_virtio_blk_attach(&d), -NX_EIO);
	assert_int_equal(ks_virtio_blk_sectors(), 0);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 1), -NX_ENOENT);
}

static void post_takes_64_sectors_ending_at_the_capacity(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, CAPACITY - KS_BLK_REQ_MAX_SECTORS, KS_BLK_REQ_MAX_SECTORS), 0);
	assert_int_equal(dev.submits, 1);
}

static void post_takes_one_sector_at_the_last_sector(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, CAPACITY - 1, 1), 0);
}

static void post_refuses_bad_ranges_and_counts(void **state)
{
	(void)state;
	attach();
	static const struct {
		uint64_t sector;
		uint32_t count;
	} bad[] = {
		{ 0, 0 },
		{ 0, KS_BLK_REQ_MAX_SECTORS + 1 },
		{ CAPACITY, 1 },
		{ CAPACITY - 1, 2 },
		{ CAPACITY - KS_BLK_REQ_MAX_SECTORS + 1, KS_BLK_REQ_MAX_SECTORS },
		{ UINT64_MAX, 1 },
		{ UINT64_MAX - 1, 2 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, bad[i].sector, bad[i].count), -NX_EINVAL);
		assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, bad[i].sector, bad[i].count), -NX_EINVAL);
	}
	assert_int_equal(dev.submits, 0);
}

static void post_refuses_flush_and_get_id_with_a_sector_or_count(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_FLUSH, 1, 0), -NX_EINVAL);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_FLUSH, 0, 1), -NX_EINVAL);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_GET_ID, 1, 0), -NX_EINVAL);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_GET_ID, 0, 1), -NX_EINVAL);
	assert_int_equal(ks_virtio_blk_post((enum ks_blk_op)2, 0, 0), -NX_EINVAL);
	assert_int_equal(dev.submits, 0);
}

static void read_is_header_then_device_written_data_then_status(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 5, 8), 0);
	assert_int_equal(dev.chain_len, 3);
	assert_int_equal(dev.chain[0].len, sizeof(struct blk_hdr));
	assert_int_equal(dev.chain[0].flags, KS_VIRTQ_DESC_F_NEXT);
	assert_ptr_equal(at(dev.chain[1].addr), ks_virtio_blk_data());
	assert_int_equal(dev.chain[1].len, 8 * NX_BLK_SECTOR_SIZE);
	assert_int_equal(dev.chain[1].flags, KS_VIRTQ_DESC_F_NEXT | KS_VIRTQ_DESC_F_WRITE);
	assert_int_equal(dev.chain[2].len, 1);
	assert_int_equal(dev.chain[2].flags, KS_VIRTQ_DESC_F_WRITE);
	assert_int_equal(dev.hdr.type, T_IN);
	assert_int_equal(dev.hdr.reserved, 0);
	assert_int_equal(dev.hdr.sector, 5);
}

static void read_zeroes_its_part_of_the_buffer_before_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 2), 0);
	const uint8_t *data = ks_virtio_blk_data();
	for (size_t i = 0; i < 2 * NX_BLK_SECTOR_SIZE; i++)
		assert_int_equal(data[i], 0);
	assert_int_equal(data[2 * NX_BLK_SECTOR_SIZE], 0x5a);
}

static void write_data_is_device_readable_and_left_as_is(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 9, 1), 0);
	assert_int_equal(dev.chain_len, 3);
	assert_int_equal(dev.chain[1].flags, KS_VIRTQ_DESC_F_NEXT);
	assert_int_equal(dev.chain[1].len, NX_BLK_SECTOR_SIZE);
	assert_int_equal(dev.hdr.type, T_OUT);
	assert_int_equal(dev.hdr.sector, 9);
	assert_int_equal(ks_virtio_blk_data()[0], 0x5a);
}

static void write_ok_with_only_the_status_byte_written_succeeds(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 64), 0);
	complete(STATUS_OK, 1);
	assert_int_equal(ks_virtio_blk_finish(), 0);
	assert_int_equal(ks_virtio_blk_failed(), 0);
}

static void flush_is_header_then_status(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_FLUSH, 0, 0), 0);
	assert_int_equal(dev.chain_len, 2);
	assert_int_equal(dev.chain[1].len, 1);
	assert_int_equal(dev.chain[1].flags, KS_VIRTQ_DESC_F_WRITE);
	assert_int_equal(dev.hdr.type, T_FLUSH);
	complete(STATUS_OK, 1);
	assert_int_equal(ks_virtio_blk_finish(), 0);
}

static void get_id_takes_20_device_written_bytes(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_GET_ID, 0, 0), 0);
	assert_int_equal(dev.chain_len, 3);
	assert_int_equal(dev.chain[1].len, KS_BLK_ID_BYTES);
	assert_int_equal(dev.chain[1].flags, KS_VIRTQ_DESC_F_NEXT | KS_VIRTQ_DESC_F_WRITE);
	assert_int_equal(dev.hdr.type, T_GET_ID);
	dev.fill = 'x';
	complete(STATUS_OK, KS_BLK_ID_BYTES + 1);
	assert_int_equal(ks_virtio_blk_finish(), 0);
	assert_int_equal(ks_virtio_blk_data()[KS_BLK_ID_BYTES - 1], 'x');
	assert_int_equal(ks_virtio_blk_data()[KS_BLK_ID_BYTES], 0x5a);
}

static void post_refuses_a_second_request_in_flight(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 1), 0);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 1, 1), -NX_EFULL);
	assert_int_equal(dev.submits, 1);
}

static void finish_resets_takes_the_completion_and_starts_the_device_again(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_finish(), -NX_ENOENT);
	assert_string_equal(dev.calls, "");
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 1), 0);
	assert_int_equal(ks_virtio_blk_done(), 0);
	complete(STATUS_OK, NX_BLK_SECTOR_SIZE + 1);
	assert_int_equal(ks_virtio_blk_done(), 1);
	assert_int_equal(ks_virtio_blk_finish(), 0);
	assert_string_equal(dev.calls, "RTSQL");
	assert_true(dev.asked == (F_VERSION_1 | 1ULL << F_BLK_FLUSH));
	assert_int_equal(ks_virtio_blk_done(), 0);
	assert_int_equal(ks_virtio_blk_finish(), -NX_ENOENT);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 1), 0);
}

static void a_request_not_completed_at_the_reset_fails_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), 0);
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 1);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), -NX_EIO);
}

static void a_reset_that_does_not_complete_fails_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), 0);
	complete(STATUS_OK, 1);
	dev.reset_rc = -NX_EIO;
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_string_equal(dev.calls, "R");
	assert_int_equal(ks_virtio_blk_failed(), 1);
	assert_int_equal(ks_virtio_blk_done(), 0);
}

static void a_device_that_cannot_be_restarted_is_failed(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), 0);
	complete(STATUS_OK, 1);
	dev.queue_rc = -NX_EIO;
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 1);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), -NX_EIO);
}

static void read_ok_brings_the_devices_bytes(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 64), 0);
	dev.fill = 0xc3;
	complete(STATUS_OK, 64 * NX_BLK_SECTOR_SIZE + 1);
	assert_int_equal(ks_virtio_blk_finish(), 0);
	assert_int_equal(ks_virtio_blk_data()[0], 0xc3);
	assert_int_equal(ks_virtio_blk_data()[64 * NX_BLK_SECTOR_SIZE - 1], 0xc3);
	assert_int_equal(dev.failed, 0);
}

static void ioerr_answers_eio_and_the_device_stays_usable(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), 0);
	complete(STATUS_IOERR, 1);
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 0);
	assert_string_equal(dev.calls, "RTSQL");
	dev.complete = 0;
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), 0);
}

static void unsupp_answers_enosys(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_GET_ID, 0, 0), 0);
	complete(STATUS_UNSUPP, 1);
	assert_int_equal(ks_virtio_blk_finish(), -NX_ENOSYS);
	assert_int_equal(ks_virtio_blk_failed(), 0);
}

static void a_status_byte_of_3_fails_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), 0);
	complete(3, 1);
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 1);
	assert_string_equal(dev.calls, "RT");
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 1), -NX_EIO);
	assert_int_equal(dev.submits, 1);
}

static void a_status_byte_left_untouched_fails_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_FLUSH, 0, 0), 0);
	dev.write_status = 0;
	complete(0, 1);
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 1);
}

static void ok_with_one_byte_less_than_the_request_fails_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 8), 0);
	complete(STATUS_OK, 8 * NX_BLK_SECTOR_SIZE);
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 1);
}

static void ok_with_one_byte_more_than_the_request_fails_the_device(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_OUT, 0, 8), 0);
	complete(STATUS_OK, 2);
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_failed(), 1);
}

static void a_bad_used_element_answers_eio_and_ends_the_request(void **state)
{
	(void)state;
	attach();
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 1), 0);
	complete(STATUS_OK, NX_BLK_SECTOR_SIZE + 1);
	dev.take_rc = -NX_EIO;
	assert_int_equal(ks_virtio_blk_finish(), -NX_EIO);
	assert_int_equal(ks_virtio_blk_finish(), -NX_ENOENT);
	assert_int_equal(ks_virtio_blk_post(KS_BLK_IN, 0, 1), -NX_EIO);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(attach_requires_exactly_version_1_and_flush),
		T(attach_reads_a_64_bit_capacity),
		T(attach_passes_on_the_transport_refusal),
		T(attach_refuses_a_read_only_device),
		T(attach_refuses_a_logical_block_size_of_4096),
		T(attach_ignores_the_block_size_field_when_not_offered),
		T(attach_refuses_a_capacity_of_0),
		T(a_refused_attach_leaves_no_device),
		T(post_takes_64_sectors_ending_at_the_capacity),
		T(post_takes_one_sector_at_the_last_sector),
		T(post_refuses_bad_ranges_and_counts),
		T(post_refuses_flush_and_get_id_with_a_sector_or_count),
		T(read_is_header_then_device_written_data_then_status),
		T(read_zeroes_its_part_of_the_buffer_before_the_device),
		T(write_data_is_device_readable_and_left_as_is),
		T(write_ok_with_only_the_status_byte_written_succeeds),
		T(flush_is_header_then_status),
		T(get_id_takes_20_device_written_bytes),
		T(post_refuses_a_second_request_in_flight),
		T(finish_resets_takes_the_completion_and_starts_the_device_again),
		T(a_request_not_completed_at_the_reset_fails_the_device),
		T(a_reset_that_does_not_complete_fails_the_device),
		T(a_device_that_cannot_be_restarted_is_failed),
		T(read_ok_brings_the_devices_bytes),
		T(ioerr_answers_eio_and_the_device_stays_usable),
		T(unsupp_answers_enosys),
		T(a_status_byte_of_3_fails_the_device),
		T(a_status_byte_left_untouched_fails_the_device),
		T(ok_with_one_byte_less_than_the_request_fails_the_device),
		T(ok_with_one_byte_more_than_the_request_fails_the_device),
		T(a_bad_used_element_answers_eio_and_ends_the_request),
	};
	return cmocka_run_group_tests_name("virtio_blk", tests, NULL, NULL);
}
