/*
 * Block syscalls: checks, copies and the wait for the device (blk.h), over the virtio-blk
 * driver.
 *
 * A request runs with the big kernel lock held from the post to the completion, and with
 * more than one hart every other hart is parked (asleep waiting for that lock) meanwhile,
 * so nothing else in the machine executes while QEMU completes it.
 */
#include "blk.h"

#include <string.h>

#include "boot.h"
#include "console.h"
#include "sbi.h"
#include "sched.h"
#include "syscall.h"
#include "virtio_blk.h"

_Static_assert(KS_BLK_ID_BYTES == NX_BLK_ID_MAX, "the device's id fits nx_blk_info.id with its NUL");

static struct {
	unsigned harts;   /* harts of the machine (SBI HSM) */
	uint32_t cut_at;  /* blkcut: power off after this write (1-based); 0 = never */
	uint32_t tear;    /* blktear: sectors of that write sent to the device */
	int probe;        /* blkprobe */
	uint64_t writes;  /* write requests since boot */
	uint64_t seen_at; /* blkprobe: when the request in flight was first seen complete, 0 = not yet */
	char id[NX_BLK_ID_MAX + 1];
} blk;

/* The value of the word `<key>=<decimal>` of the kernel command line.
 * 1 found, 0 absent, -1 malformed or above UINT32_MAX. */
static int bootarg_u32(const char *key, uint32_t *out)
{
	const size_t n = strlen(key);
	for (const char *p = strstr(ks_bootargs, key); p != NULL; p = strstr(p + n, key)) {
		if ((p != ks_bootargs && p[-1] != ' ') || p[n] != '=')
			continue;
		const char *q = p + n + 1;
		uint64_t v = 0;
		size_t digits = 0;
		/* Eleven digits are past UINT32_MAX already, and still fit v. */
		for (; *q >= '0' && *q <= '9' && digits <= 10; q++, digits++)
			v = v * 10 + (uint64_t)(*q - '0');
		if (digits == 0 || (*q != ' ' && *q != '\0') || v > UINT32_MAX)
			return -1;
		*out = (uint32_t)v;
		return 1;
	}
	return 0;
}

/* blkprobe looks at the used ring every PROBE_STEP_TICKS of its settle. */
#define PROBE_STEP_TICKS 10U

/* blkprobe: execute instructions for KS_BLK_SETTLE_TICKS after the notify, noting when the
 * completion first shows, and count the request late if it has not by then. */
static void probe_settle(enum ks_blk_op op, uint64_t posted)
{
	const uint64_t until = posted + KS_BLK_SETTLE_TICKS;
	for (uint64_t now = ks_now(); now < until; now = ks_now()) {
		if (blk.seen_at == 0 && ks_virtio_blk_done())
			blk.seen_at = now;
		ks_virtio_spin_until(until - now > PROBE_STEP_TICKS ? now + PROBE_STEP_TICKS : until);
	}
	if (!ks_virtio_blk_done()) {
		ks_count(&ks_stats.blk.late);
		ks_printf("blk: late: request type %u not complete %lu ticks after the notify\n", (unsigned)op,
			  (unsigned long)(ks_now() - posted));
	}
}

/*
 * Post one request and finish it. With more than one hart (`syscall`: a syscall, not boot),
 * every other hart is parked first, so that no hart runs while QEMU completes the request;
 * one that would not park is counted and printed, and the request goes ahead.
 */
static int run(enum ks_blk_op op, uint64_t sector, uint32_t count, int syscall)
{
	if (syscall && blk.harts > 1 && !ks_sched_park_others(ks_now() + KS_BLK_PARK_TICKS)) {
		ks_count(&ks_stats.blk.late);
		ks_printf("blk: harts not parked within %u ticks: request type %u goes ahead\n",
			  (unsigned)KS_BLK_PARK_TICKS, (unsigned)op);
	}
	int rc = ks_virtio_blk_post(op, sector, count);
	if (rc != 0)
		return rc;
	ks_count(&ks_stats.blk.requests);
	const uint64_t posted = ks_now();
	blk.seen_at = 0;
	if (blk.probe)
		probe_settle(op, posted);
	rc = ks_virtio_blk_finish();
	if (rc != 0)
		ks_count(&ks_stats.blk.errors);
	if (blk.probe)
		ks_printf("blk: probe type=%u sectors=%u done_after_ticks=%lu\n", (unsigned)op, (unsigned)count,
			  (unsigned long)(blk.seen_at != 0 ? blk.seen_at - posted : ks_now() - posted));
	return rc;
}

static void add(uint64_t *counter, uint64_t n)
{
	*counter = *counter > UINT64_MAX - n ? UINT64_MAX : *counter + n;
}

static void read_knobs(void)
{
	uint32_t v;
	int rc = bootarg_u32("blkcut", &blk.cut_at);
	if (rc < 0 || (rc > 0 && blk.cut_at == 0)) {
		ks_printf("kernel: blkcut ignored: want blkcut=<k>, k >= 1\n");
		blk.cut_at = 0;
	}
	blk.tear = UINT32_MAX;
	rc = bootarg_u32("blktear", &v);
	if (rc < 0 || (rc > 0 && (blk.cut_at == 0 || v >= KS_BLK_REQ_MAX_SECTORS)))
		ks_printf("kernel: blktear ignored: want blktear=<n>, n < %u, with blkcut\n", KS_BLK_REQ_MAX_SECTORS);
	else if (rc > 0)
		blk.tear = v;
	blk.probe = bootarg_u32("blkprobe", &v) > 0 && v != 0;
}

static void print_knobs(void)
{
	if (blk.cut_at != 0 && blk.tear == UINT32_MAX)
		ks_printf("kernel: power cut armed after block write %u\n", (unsigned)blk.cut_at);
	else if (blk.cut_at != 0)
		ks_printf("kernel: power cut armed after block write %u, of which only the first %u sectors\n",
			  (unsigned)blk.cut_at, (unsigned)blk.tear);
}

/* The id GET_ID returned: up to KS_BLK_ID_BYTES bytes, NUL-padded when shorter. Kept up to
 * the first NUL, with anything unprintable replaced, as it goes to the console. */
static void take_id(const uint8_t *raw)
{
	for (size_t i = 0; i < KS_BLK_ID_BYTES && raw[i] != 0; i++) {
		char c;
		memcpy(&c, &raw[i], 1);
		blk.id[i] = '?';
		if (c >= ' ' && c <= '~' && c != '"')
			blk.id[i] = c;
	}
}

void ks_blk_init(void)
{
	memset(&blk, 0, sizeof blk);
	for (unsigned long id = 0; id < KS_MAX_HARTS; id++) {
		if (ks_sbi_hart_status(id).error == 0)
			blk.harts++;
	}
	read_knobs();
	if (ks_virtio_blk_sectors() == 0) {
		ks_printf("kernel: no modern virtio-blk device; the block syscalls answer ENOENT\n");
		return;
	}
	int rc = run(KS_BLK_GET_ID, 0, 0, 0);
	if (rc == 0)
		take_id(ks_virtio_blk_data());
	else if (rc != -NX_ENOSYS)
		ks_printf("blk: device id request failed: %s\n", nx_strerror(rc));
	if (ks_virtio_blk_failed())
		return;
	ks_printf("blk: virtio-blk up sectors=%lu\n", (unsigned long)ks_virtio_blk_sectors());
	ks_printf("blk: id \"%s\", at most %u sectors per request, %u harts (%u parked per request)\n", blk.id,
		  (unsigned)KS_BLK_REQ_MAX_SECTORS, blk.harts, blk.harts - 1U);
	print_knobs();
}

/* A refusal before the device: counted. */
static long refuse(long rc)
{
	ks_count(&ks_stats.blk.refused);
	return rc;
}

/* 0 when a request may be posted now, else why not. */
static long device_ready(void)
{
	if (ks_virtio_blk_sectors() == 0)
		return -NX_ENOENT;
	if (ks_virtio_blk_failed())
		return -NX_EIO;
	return 0;
}

/* 0 when [sector, sector + count) is a request the device takes, without overflow. */
static long range_ok(uint64_t sector, uint64_t count)
{
	const uint64_t cap = ks_virtio_blk_sectors();
	if (count == 0 || count > KS_BLK_REQ_MAX_SECTORS || sector >= cap || count > cap - sector)
		return -NX_EINVAL;
	return 0;
}

long ks_blk_info(struct ks_task *t, uintptr_t uinfo)
{
	if (ks_virtio_blk_sectors() == 0)
		return refuse(-NX_ENOENT);
	struct nx_blk_info info;
	memset(&info, 0, sizeof info);
	info.sectors = ks_virtio_blk_sectors();
	info.sector_size = NX_BLK_SECTOR_SIZE;
	info.max_sectors = KS_BLK_REQ_MAX_SECTORS;
	memcpy(info.id, blk.id, sizeof blk.id);
	return ks_copyout(&t->space, uinfo, &info, sizeof info);
}

long ks_blk_read(struct ks_task *t, uint64_t sector, uintptr_t ubuf, uint64_t count)
{
	long rc = device_ready();
	if (rc == 0)
		rc = range_ok(sector, count);
	if (rc != 0)
		return refuse(rc);
	rc = run(KS_BLK_IN, sector, (uint32_t)count, 1);
	if (rc != 0)
		return rc;
	add(&ks_stats.blk.sectors_read, count);
	return ks_copyout(&t->space, ubuf, ks_virtio_blk_data(), (size_t)count * NX_BLK_SECTOR_SIZE);
}

/* blkcut: the cut write has reached the device (or was torn before it). */
static _Noreturn void power_cut(void)
{
	ks_printf("kernel: power cut after block write %u\n", (unsigned)blk.cut_at);
	ks_sbi_shutdown_status(KS_BLK_POWER_CUT_STATUS);
}

long ks_blk_write(struct ks_task *t, uint64_t sector, uintptr_t ubuf, uint64_t count)
{
	long rc = device_ready();
	if (rc == 0)
		rc = range_ok(sector, count);
	if (rc != 0)
		return refuse(rc);
	rc = ks_copyin(&t->space, ks_virtio_blk_data(), ubuf, (size_t)count * NX_BLK_SECTOR_SIZE);
	if (rc != 0)
		return rc;
	blk.writes++;
	const int cut = blk.cut_at != 0 && blk.writes == blk.cut_at;
	uint32_t send = (uint32_t)count;
	if (cut && blk.tear < send) {
		ks_printf("kernel: block write %u torn: the first %u of %u sectors sent\n", (unsigned)blk.cut_at,
			  (unsigned)blk.tear, (unsigned)send);
		send = blk.tear;
	}
	if (send != 0)
		rc = run(KS_BLK_OUT, sector, send, 1);
	if (cut)
		power_cut();
	if (rc == 0)
		add(&ks_stats.blk.sectors_written, send);
	return rc;
}

long ks_blk_flush(struct ks_task *t)
{
	(void)t;
	long rc = device_ready();
	if (rc != 0)
		return refuse(rc);
	rc = run(KS_BLK_FLUSH, 0, 0, 1);
	if (rc == 0)
		ks_count(&ks_stats.blk.flushes);
	return rc;
}
