/*
 * Device glue between syscalls and drivers (device.h): the virtio-rng behind NX_SYS_RNG_READ,
 * and the UART's input behind NX_SYS_CONSOLE_READ. The block device has its own glue (blk.c).
 *
 * QEMU fills a request in its main loop, asynchronously to the vCPU: measured under
 * -icount, a request was sometimes already complete right after the notify and sometimes
 * only later, so looking at once made the guest's timing vary from run to run. A read
 * therefore posts the request and only looks at the used ring RNG_SETTLE_TICKS of guest time
 * later. The caller's hart spends that time executing instructions without the big lock
 * (never WFI): an idle hart's WFI lets QEMU's clock jump to the next timer at once, which
 * gave the host no wall time to fill the request, and a default lane whose times moved by
 * 1 ms in one run of three (seen at SMP=1 and SMP=2). A request still unfilled at the first
 * look is printed; the caller then blocks and looks again every RNG_RELOOK_TICKS until its
 * deadline or the source counts as dry. The device's interrupt is never used, for the same
 * reason.
 */
#include <string.h>

#include "device.h"

#include "blk.h"
#include "console.h"
#include "plic.h"
#include "riscv.h"
#include "sched.h"
#include "syscall.h"
#include "virtio.h"
#include "virtio_rng.h"

#define RNG_SETTLE_TICKS (10 * NX_TICKS_PER_MS)
#define RNG_RELOOK_TICKS (1 * NX_TICKS_PER_MS)

/* The task whose request is in flight (one at a time; one task holds NX_RIGHT_RNG), when
 * its bytes may first be looked at, and when the source counts as dry (NX_RNG_DRY_MS after
 * the request was posted): no read waits past that, whatever its deadline. */
static uint64_t rng_owner;
static uint64_t rng_look_at;
static uint64_t rng_dry_at;

/* Console input: the UART interrupts the boot hart through the PLIC; the one reader
 * (the task holding NX_RIGHT_CONSOLE) waits in NX_SYS_CONSOLE_READ. Input only arrives when
 * someone types, so the deterministic proof lanes (no input) never see this interrupt. */
static struct ks_task *console_reader;

void ks_device_init(unsigned long boot_hartid)
{
	ks_virtio_probe();
	if (!ks_virtio_rng_ready())
		ks_printf("kernel: no modern virtio-rng device; NX_SYS_RNG_READ answers ENOENT\n");
	ks_blk_init();
	if (ks_plic_set_priority(KS_UART_IRQ, 1) != 0 || ks_plic_enable(boot_hartid, KS_UART_IRQ) != 0)
		ks_panic("PLIC refused the UART interrupt\n");
	ks_console_input_init();
}

void ks_device_irq(struct ks_hart *h)
{
	for (unsigned i = 0; i < KS_PLIC_MAX_IRQ; i++) {
		unsigned irq = ks_plic_claim(h->hartid);
		if (irq == 0)
			return;
		if (irq == KS_UART_IRQ && ks_console_input_irq() != 0 && console_reader != NULL &&
		    console_reader->wait == KS_WAIT_DEVICE)
			ks_sched_wake(console_reader);
		ks_plic_complete(h->hartid, irq);
	}
}

long ks_dev_console_read(struct ks_task *t, uintptr_t ubuf, size_t cap, uint64_t deadline, uint64_t flags)
{
	char buf[KS_CONSOLE_IN_MAX];
	if (cap == 0 || (flags & ~(uint64_t)NX_CONSOLE_KEEP_LINE) != 0)
		return -NX_EINVAL;
	const bool keep = (flags & NX_CONSOLE_KEEP_LINE) != 0;
	ks_console_keep_line(keep ? t : NULL);
	size_t n = ks_console_input_take(buf, cap < sizeof buf ? cap : sizeof buf);
	if (n > 0) {
		int rc = ks_copyout(&t->space, ubuf, buf, n);
		return rc != 0 ? rc : (long)n;
	}
	if (keep && ks_console_take_break())
		return 0;
	if (ks_now() >= deadline)
		return -NX_ETIMEDOUT;
	console_reader = t;
	ks_sched_block(t, KS_WAIT_DEVICE, deadline);
	return KS_SYS_BLOCKED;
}

void ks_dev_console_broken(const struct ks_task *writer)
{
	if (console_reader != NULL && console_reader != writer && console_reader->wait == KS_WAIT_DEVICE)
		ks_sched_wake(console_reader);
}

static long wait_for_device(struct ks_task *t, uint64_t until, uint64_t deadline)
{
	ks_sched_block(t, KS_WAIT_DEVICE, until < deadline ? until : deadline);
	return KS_SYS_BLOCKED;
}

long ks_dev_rng_read(struct ks_task *t, uintptr_t ubuf, size_t len, uint64_t deadline)
{
	if (len == 0 || len > KS_RNG_REQ_MAX)
		return -NX_EINVAL;
	uint64_t now = ks_now();
	bool first_look = false;
	if (rng_owner == 0) {
		int rc = ks_virtio_rng_request(len);
		if (rc != 0)
			return rc;
		rng_owner = t->service_id;
		rng_dry_at = now + (uint64_t)NX_RNG_DRY_MS * NX_TICKS_PER_MS;
		ks_bkl_release();
		ks_virtio_spin_until(now + RNG_SETTLE_TICKS);
		ks_bkl_acquire();
		now = ks_now();
		rng_look_at = now;
		first_look = true;
	} else if (rng_owner != t->service_id) {
		return -NX_EFULL;
	}
	if (now < rng_look_at)
		return now >= deadline ? -NX_ETIMEDOUT : wait_for_device(t, rng_look_at, deadline);
	uint8_t buf[KS_RNG_REQ_MAX];
	size_t got = 0;
	int rc = ks_virtio_rng_collect(buf, len, &got);
	if (rc == -NX_EWOULDBLOCK) {
		/* The request stays posted: a read after a timeout takes its bytes. */
		if (first_look)
			ks_printf("kernel: rng request not filled %lu ticks after the notify\n", (unsigned long)RNG_SETTLE_TICKS);
		if (now >= rng_dry_at)
			return -NX_ENODATA;
		rng_look_at = now + RNG_RELOOK_TICKS;
		if (rng_look_at > rng_dry_at)
			rng_look_at = rng_dry_at;
		return now >= deadline ? -NX_ETIMEDOUT : wait_for_device(t, rng_look_at, deadline);
	}
	rng_owner = 0;
	if (rc != 0)
		return rc;
	rc = ks_copyout(&t->space, ubuf, buf, got);
	return rc != 0 ? rc : (long)got;
}
