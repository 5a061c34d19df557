/*
 * The block syscalls' glue (kernel-shim/blk.c) over a fake driver, clock, the scheduler's
 * parking of the other harts and user memory: refusals and their counts, the wait for the
 * device (with one hart the request is finished at once; with more the other harts are
 * parked first, and one that does not park makes the request late), blkprobe's settle, the
 * copies, and the power-cut knob. Each test boots the glue afresh (ks_blk_init).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "blk.h"
#include "console.h"
#include "sbi.h"
#include "sched.h"
#include "syscall.h"
#include "virtio_blk.h"

#define CAPACITY 2048u
#define SECTOR NX_BLK_SECTOR_SIZE
#define MAX KS_BLK_REQ_MAX_SECTORS

/* User memory: addresses are offsets into `umem`; one page past it is unmapped. */
#define UMEM_BYTES (2 * MAX * SECTOR)
#define UBUF ((uintptr_t)0)
#define UINFO ((uintptr_t)(MAX * SECTOR))
#define BAD_ADDR ((uintptr_t)UMEM_BYTES)
static uint8_t umem[UMEM_BYTES];
#define UBUF_BYTES (MAX * SECTOR)
static uint8_t *const ubuf = umem;

char ks_bootargs[NX_BOOTARGS_MAX];
struct nx_kstats ks_stats;

/* The fake driver. */
static struct {
	uint64_t sectors;
	int failed;
	uint8_t data[MAX * SECTOR];
	uint8_t sent[MAX * SECTOR]; /* the data buffer when the last write was posted */
	unsigned posts, finishes, looks;
	enum ks_blk_op op;
	uint64_t sector;
	uint32_t count;
	int in_flight;
	unsigned late;  /* looks at the ring that find the request not complete */
	int result;     /* what finish answers */
	char id[KS_BLK_ID_BYTES];
} drv;

uint64_t ks_virtio_blk_sectors(void)
{
	return drv.sectors;
}

int ks_virtio_blk_failed(void)
{
	return drv.failed;
}

uint8_t *ks_virtio_blk_data(void)
{
	return drv.data;
}

int ks_virtio_blk_post(enum ks_blk_op op, uint64_t sector, uint32_t count)
{
	assert_false(drv.in_flight);
	drv.posts++;
	drv.op = op;
	drv.sector = sector;
	drv.count = count;
	drv.in_flight = 1;
	if (op == KS_BLK_OUT)
		memcpy(drv.sent, drv.data, (size_t)count * SECTOR);
	return 0;
}

int ks_virtio_blk_done(void)
{
	drv.looks++;
	if (drv.late > 0) {
		drv.late--;
		return 0;
	}
	return drv.in_flight;
}

int ks_virtio_blk_finish(void)
{
	drv.finishes++;
	if (!drv.in_flight)
		return -NX_ENOENT;
	drv.in_flight = 0;
	if (drv.op == KS_BLK_IN)
		for (size_t i = 0; i < (size_t)drv.count * SECTOR; i++)
			drv.data[i] = (uint8_t)(drv.sector + i);
	if (drv.op == KS_BLK_GET_ID)
		memcpy(drv.data, drv.id, KS_BLK_ID_BYTES);
	return drv.result;
}

/* The machine's harts, as SBI HSM reports them. */
static unsigned harts;

struct ks_sbiret ks_sbi_hart_status(unsigned long hartid)
{
	return (struct ks_sbiret){ .error = hartid < harts ? 0 : KS_SBI_ERR_INVALID_PARAM, .value = 0 };
}

/* The clock: spinning moves it to the end of the spin. */
static uint64_t clock_now;
static unsigned spins;
static uint64_t spun_until;

uint64_t ks_now(void)
{
	return clock_now;
}

void ks_virtio_spin_until(uint64_t until)
{
	spins++;
	spun_until = until;
	if (clock_now < until)
		clock_now = until;
}

/* Parking the other harts: when it was asked, until when, what it answers. */
static unsigned parks;
static unsigned posts_at_park;
static uint64_t park_deadline;
static int park_result;

int ks_sched_park_others(uint64_t deadline)
{
	parks++;
	posts_at_park = drv.posts;
	park_deadline = deadline;
	return park_result;
}

int ks_copyin(struct ks_space *s, void *dst, uintptr_t usrc, size_t len)
{
	(void)s;
	if (usrc > UMEM_BYTES || len > UMEM_BYTES - usrc)
		return -NX_EFAULT;
	memcpy(dst, umem + usrc, len);
	return 0;
}

int ks_copyout(struct ks_space *s, uintptr_t udst, const void *src, size_t len)
{
	(void)s;
	if (udst > UMEM_BYTES || len > UMEM_BYTES - udst)
		return -NX_EFAULT;
	memcpy(umem + udst, src, len);
	return 0;
}

/* The nx_blk_info the last NX_SYS_BLK_INFO wrote to UINFO. */
static struct nx_blk_info written_info(void)
{
	struct nx_blk_info info;
	memcpy(&info, umem + UINFO, sizeof info);
	return info;
}

/* The console, kept for the checks. */
static char console[8192];

void ks_printf(const char *fmt, ...)
{
	const size_t used = strlen(console);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(console + used, sizeof console - used, fmt, ap);
	va_end(ap);
}

/* Power off: back to the test. */
static jmp_buf cut;
static unsigned cut_status;

_Noreturn void ks_sbi_shutdown_status(unsigned status)
{
	cut_status = status;
	longjmp(cut, 1);
}

static struct ks_task task;

static int setup(void **state)
{
	(void)state;
	memset(&drv, 0, sizeof drv);
	memset(umem, 0, sizeof umem);
	memset(&ks_stats, 0, sizeof ks_stats);
	memset(ks_bootargs, 0, sizeof ks_bootargs);
	memset(console, 0, sizeof console);
	memcpy(drv.id, "nxos-disk0", 10);
	drv.sectors = CAPACITY;
	harts = 1;
	clock_now = 1000;
	spins = 0;
	spun_until = 0;
	parks = 0;
	park_deadline = 0;
	park_result = 1;
	cut_status = 0;
	return 0;
}

/* Boot with `args` on the kernel command line. */
static void boot(const char *args)
{
	snprintf(ks_bootargs, sizeof ks_bootargs, "profile=default %s", args);
	ks_blk_init();
	assert_int_equal(parks, 0);
	memset(console, 0, sizeof console);
	ks_stats.blk = (struct nx_blk_stats){ 0 };
	drv.posts = 0;
	drv.finishes = 0;
	drv.looks = 0;
	spins = 0;
}

static long rd(uint64_t sector, uint64_t count)
{
	return ks_blk_read(&task, sector, UBUF, count);
}

static long wr(uint64_t sector, uint64_t count)
{
	return ks_blk_write(&task, sector, UBUF, count);
}

static void init_prints_the_up_marker_after_the_device_id(void **state)
{
	(void)state;
	snprintf(ks_bootargs, sizeof ks_bootargs, "profile=default");
	ks_blk_init();
	assert_int_equal(drv.op, KS_BLK_GET_ID);
	assert_non_null(strstr(console, "blk: virtio-blk up sectors=2048\n"));
	assert_non_null(strstr(console, "blk: id \"nxos-disk0\", at most 64 sectors per request"));
	assert_null(strstr(console, "armed"));
	assert_int_equal(ks_stats.blk.requests, 1);
}

static void init_keeps_only_printable_id_bytes(void **state)
{
	(void)state;
	memcpy(drv.id, "~ \"c\001d\200\0zz", 10);
	boot("");
	assert_int_equal(ks_blk_info(&task, UINFO), 0);
	const struct nx_blk_info info = written_info();
	assert_string_equal(info.id, "~ ?c?d?");
	for (size_t i = strlen(info.id); i < sizeof info.id; i++)
		assert_int_equal(info.id[i], 0);
}

static void an_id_of_20_bytes_is_kept_whole_and_terminated(void **state)
{
	(void)state;
	memcpy(drv.id, "0123456789abcdefghij", KS_BLK_ID_BYTES);
	boot("");
	memset(umem + UINFO, 0x7f, sizeof(struct nx_blk_info));
	assert_int_equal(ks_blk_info(&task, UINFO), 0);
	const struct nx_blk_info info = written_info();
	assert_string_equal(info.id, "0123456789abcdefghij");
	assert_int_equal(info.id[NX_BLK_ID_MAX + 3], 0);
}

static void a_device_without_get_id_is_up_with_an_empty_id(void **state)
{
	(void)state;
	drv.result = -NX_ENOSYS;
	snprintf(ks_bootargs, sizeof ks_bootargs, "profile=default");
	ks_blk_init();
	assert_non_null(strstr(console, "blk: virtio-blk up sectors=2048\n"));
	assert_non_null(strstr(console, "blk: id \"\", at most 64 sectors per request, 1 harts (0 parked per request)\n"));
}

static void without_a_device_every_call_answers_enoent_counted(void **state)
{
	(void)state;
	drv.sectors = 0;
	snprintf(ks_bootargs, sizeof ks_bootargs, "profile=default");
	ks_blk_init();
	assert_non_null(strstr(console, "no modern virtio-blk device"));
	assert_null(strstr(console, "blk: virtio-blk up"));
	assert_int_equal(ks_blk_info(&task, UINFO), -NX_ENOENT);
	assert_int_equal(rd(0, 1), -NX_ENOENT);
	assert_int_equal(wr(0, 1), -NX_ENOENT);
	assert_int_equal(ks_blk_flush(&task), -NX_ENOENT);
	assert_int_equal(ks_stats.blk.refused, 4);
	assert_int_equal(drv.posts, 0);
}

static void info_answers_capacity_limits_and_id(void **state)
{
	(void)state;
	boot("");
	assert_int_equal(ks_blk_info(&task, UINFO), 0);
	const struct nx_blk_info info = written_info();
	assert_int_equal(info.sectors, CAPACITY);
	assert_int_equal(info.sector_size, SECTOR);
	assert_int_equal(info.max_sectors, MAX);
	assert_string_equal(info.id, "nxos-disk0");
	assert_int_equal(ks_blk_info(&task, BAD_ADDR), -NX_EFAULT);
}

static const struct {
	uint64_t sector;
	uint64_t count;
} bad_ranges[] = {
	{ 0, 0 },
	{ 0, MAX + 1 },
	{ 0, UINT64_MAX },
	{ CAPACITY, 1 },
	{ CAPACITY - 1, 2 },
	{ CAPACITY - MAX + 1, MAX },
	{ UINT64_MAX, 1 },
	{ UINT64_MAX - 1, 2 },
};
#define BAD_RANGES (sizeof bad_ranges / sizeof bad_ranges[0])

static void bad_ranges_are_refused_before_the_device_and_counted(void **state)
{
	(void)state;
	boot("");
	for (size_t i = 0; i < BAD_RANGES; i++) {
		assert_int_equal(rd(bad_ranges[i].sector, bad_ranges[i].count), -NX_EINVAL);
		assert_int_equal(wr(bad_ranges[i].sector, bad_ranges[i].count), -NX_EINVAL);
	}
	assert_int_equal(drv.posts, 0);
	assert_int_equal(ks_stats.blk.refused, 2 * BAD_RANGES);
	assert_int_equal(ks_stats.blk.requests, 0);
}

static void sixty_four_sectors_ending_at_the_capacity_reach_the_device(void **state)
{
	(void)state;
	boot("");
	assert_int_equal(rd(CAPACITY - MAX, MAX), 0);
	assert_int_equal(drv.posts, 1);
	assert_int_equal(drv.sector, CAPACITY - MAX);
	assert_int_equal(drv.count, MAX);
	assert_int_equal(wr(CAPACITY - 1, 1), 0);
	assert_int_equal(ks_stats.blk.refused, 0);
}

static void read_copies_the_devices_sectors_to_the_caller(void **state)
{
	(void)state;
	boot("");
	memset(ubuf, 0, UBUF_BYTES);
	assert_int_equal(rd(7, 2), 0);
	assert_int_equal(drv.op, KS_BLK_IN);
	for (size_t i = 0; i < 2 * SECTOR; i++)
		assert_int_equal(ubuf[i], (uint8_t)(7 + i));
	assert_int_equal(ubuf[2 * SECTOR], 0);
	assert_int_equal(ks_stats.blk.sectors_read, 2);
	assert_int_equal(ks_stats.blk.requests, 1);
}

static void read_into_a_bad_buffer_answers_efault_after_the_device(void **state)
{
	(void)state;
	boot("");
	assert_int_equal(ks_blk_read(&task, 0, BAD_ADDR, 1), -NX_EFAULT);
	assert_int_equal(drv.posts, 1);
}

static void write_from_a_bad_buffer_answers_efault_and_posts_nothing(void **state)
{
	(void)state;
	boot("");
	assert_int_equal(ks_blk_write(&task, 0, BAD_ADDR, 1), -NX_EFAULT);
	assert_int_equal(drv.posts, 0);
	assert_int_equal(ks_stats.blk.requests, 0);
}

static void write_hands_the_callers_bytes_to_the_device(void **state)
{
	(void)state;
	boot("");
	for (size_t i = 0; i < UBUF_BYTES; i++)
		ubuf[i] = (uint8_t)(i * 7);
	assert_int_equal(wr(100, MAX), 0);
	assert_int_equal(drv.op, KS_BLK_OUT);
	assert_int_equal(drv.sector, 100);
	assert_memory_equal(drv.sent, ubuf, MAX * SECTOR);
	assert_int_equal(ks_stats.blk.sectors_written, MAX);
}

static void flush_reaches_the_device_and_is_counted(void **state)
{
	(void)state;
	boot("");
	assert_int_equal(ks_blk_flush(&task), 0);
	assert_int_equal(drv.op, KS_BLK_FLUSH);
	assert_int_equal(drv.sector, 0);
	assert_int_equal(drv.count, 0);
	assert_int_equal(ks_stats.blk.flushes, 1);
}

static void with_one_hart_the_device_finishes_the_request_at_once(void **state)
{
	(void)state;
	boot("");
	assert_int_equal(rd(0, 1), 0);
	assert_int_equal(drv.finishes, 1);
	assert_int_equal(parks, 0);
	assert_int_equal(spins, 0);
	assert_int_equal(drv.looks, 0);
}

static void with_two_harts_the_others_are_parked_before_the_post(void **state)
{
	(void)state;
	harts = 2;
	boot("");
	const uint64_t asked = clock_now;
	assert_int_equal(rd(0, 1), 0);
	assert_int_equal(parks, 1);
	assert_int_equal(posts_at_park, 0);
	assert_int_equal(park_deadline, asked + KS_BLK_PARK_TICKS);
	assert_int_equal(drv.posts, 1);
	assert_int_equal(drv.finishes, 1);
	assert_int_equal(spins, 0);
	assert_int_equal(drv.looks, 0);
	assert_int_equal(ks_stats.blk.late, 0);
	assert_null(strstr(console, "not parked"));
}

static void every_kind_of_request_parks_the_others(void **state)
{
	(void)state;
	harts = 3;
	boot("");
	assert_int_equal(rd(0, 1), 0);
	assert_int_equal(wr(0, 1), 0);
	assert_int_equal(ks_blk_flush(&task), 0);
	assert_int_equal(parks, 3);
}

static void boot_never_parks(void **state)
{
	(void)state;
	harts = 4;
	snprintf(ks_bootargs, sizeof ks_bootargs, "profile=default");
	ks_blk_init();
	assert_int_equal(drv.finishes, 1);
	assert_int_equal(parks, 0);
	assert_int_equal(spins, 0);
	assert_non_null(strstr(console, ", 4 harts (3 parked per request)\n"));
}

static void a_refused_request_parks_nobody(void **state)
{
	(void)state;
	harts = 2;
	boot("");
	assert_int_equal(rd(CAPACITY, 1), -NX_EINVAL);
	assert_int_equal(parks, 0);
}

static void a_hart_that_does_not_park_makes_the_request_late_counted_printed_and_still_finished(void **state)
{
	(void)state;
	harts = 2;
	boot("");
	park_result = 0;
	assert_int_equal(wr(0, 1), 0);
	assert_int_equal(drv.posts, 1);
	assert_int_equal(drv.finishes, 1);
	assert_int_equal(ks_stats.blk.late, 1);
	assert_int_equal(ks_stats.blk.errors, 0);
	char line[128];
	snprintf(line, sizeof line, "blk: harts not parked within %u ticks: request type 1 goes ahead\n",
		 KS_BLK_PARK_TICKS);
	assert_non_null(strstr(console, line));
}

static void a_failed_device_refuses_with_eio_counted(void **state)
{
	(void)state;
	boot("");
	drv.failed = 1;
	assert_int_equal(rd(0, 1), -NX_EIO);
	assert_int_equal(wr(0, 1), -NX_EIO);
	assert_int_equal(ks_blk_flush(&task), -NX_EIO);
	assert_int_equal(ks_stats.blk.refused, 3);
	assert_int_equal(drv.posts, 0);
}

static void device_errors_are_passed_on_and_counted(void **state)
{
	(void)state;
	boot("");
	drv.result = -NX_EIO;
	assert_int_equal(wr(0, 1), -NX_EIO);
	drv.result = -NX_ENOSYS;
	assert_int_equal(ks_blk_flush(&task), -NX_ENOSYS);
	assert_int_equal(ks_stats.blk.errors, 2);
	assert_int_equal(ks_stats.blk.sectors_written, 0);
	assert_int_equal(ks_stats.blk.flushes, 0);
	assert_int_equal(ks_stats.blk.refused, 0);
}

static void blkprobe_settles_also_with_one_hart_and_prints_when_the_request_completed(void **state)
{
	(void)state;
	boot("blkprobe=1");
	assert_int_equal(rd(0, 1), 0);
	assert_true(spins > 0);
	assert_int_equal(drv.looks, 2);
	assert_int_equal(ks_stats.blk.late, 0);
	assert_non_null(strstr(console, "blk: probe type=0 sectors=1 done_after_ticks=0\n"));
}

static void blkprobe_counts_a_request_not_complete_after_the_settle_as_late(void **state)
{
	(void)state;
	boot("blkprobe=1");
	drv.late = KS_BLK_SETTLE_TICKS;
	const uint64_t posted = clock_now;
	assert_int_equal(rd(0, 1), 0);
	assert_int_equal(clock_now, posted + KS_BLK_SETTLE_TICKS);
	assert_int_equal(drv.finishes, 1);
	assert_int_equal(ks_stats.blk.late, 1);
	char line[128];
	snprintf(line, sizeof line, "blk: late: request type 0 not complete %u ticks after the notify\n",
		 KS_BLK_SETTLE_TICKS);
	assert_non_null(strstr(console, line));
}

static long fl(uint64_t sector, uint64_t count)
{
	(void)sector;
	(void)count;
	return ks_blk_flush(&task);
}

static long wr_bad(uint64_t sector, uint64_t count)
{
	return ks_blk_write(&task, sector, BAD_ADDR, count);
}

/* 1 when `call(sector, count)` cut the power. */
static int cuts(long (*call)(uint64_t, uint64_t), uint64_t sector, uint64_t count)
{
	if (setjmp(cut) != 0)
		return 1;
	(void)call(sector, count);
	return 0;
}

static void the_kth_write_reaches_the_device_then_the_power_is_cut(void **state)
{
	(void)state;
	boot("blkcut=2");
	assert_int_equal(cuts(wr, 0, 1), 0);
	assert_int_equal(cuts(wr, 5, 4), 1);
	assert_int_equal(cut_status, KS_BLK_POWER_CUT_STATUS);
	assert_int_equal(drv.posts, 2);
	assert_int_equal(drv.count, 4);
	assert_int_equal(drv.finishes, 2);
	assert_int_equal(drv.in_flight, 0);
	assert_non_null(strstr(console, "kernel: power cut after block write 2\n"));
}

static void reads_flushes_and_refused_writes_do_not_count_toward_the_cut(void **state)
{
	(void)state;
	boot("blkcut=1");
	assert_int_equal(cuts(rd, 0, 1), 0);
	assert_int_equal(cuts(fl, 0, 0), 0);
	assert_int_equal(cuts(wr, CAPACITY, 1), 0);
	assert_int_equal(cuts(wr_bad, 0, 1), 0);
	assert_int_equal(cuts(wr, 0, 1), 1);
}

static void blktear_sends_only_the_first_sectors_of_the_cut_write(void **state)
{
	(void)state;
	boot("blkcut=1 blktear=3");
	for (size_t i = 0; i < UBUF_BYTES; i++)
		ubuf[i] = (uint8_t)i;
	assert_int_equal(cuts(wr, 10, 8), 1);
	assert_int_equal(drv.posts, 1);
	assert_int_equal(drv.sector, 10);
	assert_int_equal(drv.count, 3);
	assert_memory_equal(drv.sent, ubuf, 3 * SECTOR);
	assert_non_null(strstr(console, "kernel: block write 1 torn: the first 3 of 8 sectors sent\n"));
}

static void blktear_0_sends_nothing_and_cuts(void **state)
{
	(void)state;
	boot("blkcut=1 blktear=0");
	assert_int_equal(cuts(wr, 10, 8), 1);
	assert_int_equal(drv.posts, 0);
}

static void blktear_at_the_writes_size_sends_it_whole(void **state)
{
	(void)state;
	boot("blkcut=1 blktear=8");
	assert_int_equal(cuts(wr, 10, 8), 1);
	assert_int_equal(drv.count, 8);
	assert_null(strstr(console, "torn"));
}

static void knob_lines_name_what_is_armed(void **state)
{
	(void)state;
	snprintf(ks_bootargs, sizeof ks_bootargs, "profile=default blkcut=4294967295 blktear=63");
	ks_blk_init();
	assert_non_null(
		strstr(console, "kernel: power cut armed after block write 4294967295, of which only the first 63 sectors\n"));
}

static void malformed_or_out_of_range_knobs_are_ignored(void **state)
{
	(void)state;
	static const char *const args[] = {
		"blkcut=0", "blkcut=", "blkcut=3x", "blkcut=4294967296", "blkcut=12345678901", "blkcut=-1",
		"blkcut=123456789012345678901234567890",
	};
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
		setup(NULL);
		snprintf(ks_bootargs, sizeof ks_bootargs, "%s", args[i]);
		ks_blk_init();
		assert_non_null(strstr(console, "kernel: blkcut ignored"));
		assert_null(strstr(console, "armed"));
		assert_int_equal(cuts(wr, 0, 1), 0);
	}
}

static void knob_words_match_only_whole_words(void **state)
{
	(void)state;
	boot("xblkcut=1 blkcut2=1 blkcut");
	assert_int_equal(cuts(wr, 0, 1), 0);
	setup(NULL);
	boot("blkprobe=0 blkcut=2");
	assert_int_equal(cuts(wr, 0, 1), 0);
	assert_int_equal(cuts(wr, 0, 1), 1);
	assert_null(strstr(console, "blk: probe"));
}

static void blktear_needs_blkcut_and_fewer_than_64_sectors(void **state)
{
	(void)state;
	snprintf(ks_bootargs, sizeof ks_bootargs, "blktear=2");
	ks_blk_init();
	assert_non_null(strstr(console, "kernel: blktear ignored"));
	assert_null(strstr(console, "armed"));
	setup(NULL);
	snprintf(ks_bootargs, sizeof ks_bootargs, "blkcut=1 blktear=64");
	ks_blk_init();
	assert_non_null(strstr(console, "kernel: blktear ignored"));
	assert_non_null(strstr(console, "kernel: power cut armed after block write 1\n"));
	assert_int_equal(cuts(wr, 0, MAX), 1);
	assert_int_equal(drv.count, MAX);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(init_prints_the_up_marker_after_the_device_id),
		T(init_keeps_only_printable_id_bytes),
		T(an_id_of_20_bytes_is_kept_whole_and_terminated),
		T(a_device_without_get_id_is_up_with_an_empty_id),
		T(without_a_device_every_call_answers_enoent_counted),
		T(info_answers_capacity_limits_and_id),
		T(bad_ranges_are_refused_before_the_device_and_counted),
		T(sixty_four_sectors_ending_at_the_capacity_reach_the_device),
		T(read_copies_the_devices_sectors_to_the_caller),
		T(read_into_a_bad_buffer_answers_efault_after_the_device),
		T(write_from_a_bad_buffer_answers_efault_and_posts_nothing),
		T(write_hands_the_callers_bytes_to_the_device),
		T(flush_reaches_the_device_and_is_counted),
		T(with_one_hart_the_device_finishes_the_request_at_once),
		T(with_two_harts_the_others_are_parked_before_the_post),
		T(every_kind_of_request_parks_the_others),
		T(boot_never_parks),
		T(a_refused_request_parks_nobody),
		T(a_hart_that_does_not_park_makes_the_request_late_counted_printed_and_still_finished),
		T(a_failed_device_refuses_with_eio_counted),
		T(device_errors_are_passed_on_and_counted),
		T(blkprobe_settles_also_with_one_hart_and_prints_when_the_request_completed),
		T(blkprobe_counts_a_request_not_complete_after_the_settle_as_late),
		T(the_kth_write_reaches_the_device_then_the_power_is_cut),
		T(reads_flushes_and_refused_writes_do_not_count_toward_the_cut),
		T(blktear_sends_only_the_first_sectors_of_the_cut_write),
		T(blktear_0_sends_nothing_and_cuts),
		T(blktear_at_the_writes_size_sends_it_whole),
		T(knob_lines_name_what_is_armed),
		T(malformed_or_out_of_range_knobs_are_ignored),
		T(knob_words_match_only_whole_words),
		T(blktear_needs_blkcut_and_fewer_than_64_sectors),
	};
	return cmocka_run_group_tests_name("blk", tests, NULL, NULL);
}
