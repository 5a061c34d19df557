/*
 * The entropy device (virtio 1.2 section 5.4) on the modern virtio-mmio transport: one
 * device-writable descriptor per request, into the driver's buffer.
 */
#include "virtio_rng.h"

#include <string.h>

#include "nx/abi.h"

static struct ks_virtq rng_q __attribute__((aligned(16)));
static uint8_t rng_buf[KS_RNG_REQ_MAX] __attribute__((aligned(16)));

/* The one rng. dev.base == 0: none. */
static struct {
	struct ks_virtio_dev dev;
	int in_flight;  /* a request is posted and not yet collected */
	uint16_t head;  /* descriptor of the request in flight */
	uint32_t asked; /* bytes the request in flight asked for */
	struct ks_virtio_rng_stats stats;
} rng;

static const struct ks_virtio_feature rng_features[] = {
	{ KS_VIRTIO_F_VERSION_1, "VIRTIO_F_VERSION_1" },
};

int ks_virtio_rng_attach(struct ks_virtio_dev *d)
{
	memset(&rng, 0, sizeof rng);
	uint64_t offered;
	int rc = ks_virtio_start(d, rng_features, sizeof rng_features / sizeof rng_features[0], &offered);
	if (rc == 0)
		rc = ks_virtio_queue(d, &rng_q);
	if (rc == 0)
		rc = ks_virtio_live(d);
	if (rc != 0)
		return rc;
	rng.dev = *d;
	return 0;
}

int ks_virtio_rng_ready(void)
{
	return rng.dev.base != 0;
}

int ks_virtio_rng_request(size_t len)
{
	if (rng.dev.base == 0)
		return -NX_ENOENT;
	if (rng.dev.failed)
		return -NX_EIO;
	if (len == 0)
		return -NX_EINVAL;
	if (rng.in_flight)
		return -NX_EFULL;
	uint32_t n = len < KS_RNG_REQ_MAX ? (uint32_t)len : KS_RNG_REQ_MAX;
	uint16_t head = (uint16_t)(rng_q.avail_idx % KS_VIRTIO_QUEUE_SIZE);

	/* Old bytes must never come back if the device fills less than it claims. */
	memset(rng_buf, 0, n);
	rng_q.desc[head].addr = (uint64_t)(uintptr_t)rng_buf;
	rng_q.desc[head].len = n;
	rng_q.desc[head].flags = KS_VIRTQ_DESC_F_WRITE;
	rng_q.desc[head].next = 0;
	ks_virtq_submit(&rng.dev, &rng_q, head);

	rng.in_flight = 1;
	rng.head = head;
	rng.asked = n;
	rng.stats.requests++;
	return 0;
}

int ks_virtio_rng_collect(uint8_t *out, size_t cap, size_t *got)
{
	if (out == NULL || got == NULL || cap == 0)
		return -NX_EINVAL;
	if (rng.dev.base == 0 || !rng.in_flight)
		return -NX_ENOENT;
	uint32_t len;
	int rc = ks_virtq_take(&rng.dev, &rng_q, rng.head, &len);
	if (rc == -NX_EWOULDBLOCK)
		return rc;
	rng.in_flight = 0;
	rng.stats.completions++;
	if (rc != 0) {
		rng.stats.bad++;
		return rc;
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
