/*
 * Boot proof of the PLIC and virtio-rng drivers: QEMU feeds the rng from
 * tests/data/virtio-rng.bin (scripts/lib/common.sh), the image carries the same file
 * (meson: scripts/embed-bytes.py), and the bytes read must be the file's, in order.
 */
#include "selftest_virtio.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "nx/abi.h"
#include "plic.h"
#include "riscv.h"
#include "sbi.h"
#include "virtio.h"

/* The bytes QEMU reads, generated into the build from tests/data/virtio-rng.bin. */
extern const uint8_t ks_virtio_rng_seed[];
extern const size_t ks_virtio_rng_seed_len;

/* Two requests: the second proves the ring advances and the file offset is tracked. */
#define ROUNDS 2U
#define ROUND_BYTES 64U
/* Guest time a request gets before its interrupt is looked at, then the deadline after that. */
#define ROUND_SETTLE_TICKS (1UL * KS_TICKS_PER_MS)
#define ROUND_DEADLINE_TICKS (100UL * KS_TICKS_PER_MS)

static _Noreturn __attribute__((format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	char what[KS_LINE_MAX / 2];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ks_printf("SELFTEST: FAIL virtio-rng %s\n", what);
	ks_sbi_shutdown(1);
}

/* Claim, acknowledge and complete every pending source of this hart's S context. */
static void service_plic(unsigned long hartid)
{
	for (unsigned i = 0; i < KS_PLIC_MAX_IRQ; i++) {
		unsigned irq = ks_plic_claim(hartid);
		if (irq == 0)
			return;
		ks_virtio_handle_irq(irq);
		ks_plic_complete(hartid, irq);
	}
}

/* Sleep in WFI until `until` (ticks), woken by the timer alone. */
static void sleep_until(uint64_t until)
{
	KS_CSR_WRITE(sie, SIE_STIE);
	while (ks_rdtime() < until) {
		ks_sbi_set_timer(until);
		ks_wfi();
	}
	ks_sbi_set_timer(UINT64_MAX);
}

/*
 * Sleep in WFI (sstatus.SIE stays clear: wake-ups, no traps) until the rng's interrupt has
 * been serviced or `deadline` passes. Returns 0 on the interrupt, -NX_ETIMEDOUT on the deadline.
 */
static int wait_rng_irq(unsigned long hartid, uint64_t deadline)
{
	uint64_t seen = ks_virtio_rng_stats().irqs;
	KS_CSR_WRITE(sie, SIE_SEIE | SIE_STIE);
	while (ks_virtio_rng_stats().irqs == seen && ks_rdtime() < deadline) {
		ks_sbi_set_timer(deadline);
		ks_wfi();
		service_plic(hartid);
	}
	ks_sbi_set_timer(UINT64_MAX);
	return ks_virtio_rng_stats().irqs != seen ? 0 : -NX_ETIMEDOUT;
}

/* One request of ROUND_BYTES, checked against the seed at `*offset`, which it advances. */
static void read_round(unsigned long hartid, unsigned round, size_t *offset)
{
	uint8_t buf[ROUND_BYTES];
	size_t got = 0;
	int r = ks_virtio_rng_request(sizeof(buf));
	if (r != 0)
		fail("round %u request: %s", round, nx_strerror(r));
	/*
	 * QEMU reads the file in its main loop, asynchronously to the vCPU. Under -icount
	 * sleep=off an idle guest's clock jumps at once to its next timer, and that jump can
	 * come before or after the read, so the guest time of the interrupt would differ from
	 * run to run. Sleeping first to a fixed instant with the interrupt masked puts the
	 * jump at a known point; the main loop's next turn does the read before it could jump
	 * the clock again, so the interrupt meets the guest in WFI at the same guest time on
	 * every run (or is already pending when it gets there).
	 */
	uint64_t settled = ks_rdtime() + ROUND_SETTLE_TICKS;
	sleep_until(settled);
	if (wait_rng_irq(hartid, settled + ROUND_DEADLINE_TICKS) != 0)
		fail("round %u: no interrupt within %lu ms", round, ROUND_DEADLINE_TICKS / KS_TICKS_PER_MS);
	r = ks_virtio_rng_collect(buf, sizeof(buf), &got);
	if (r != 0)
		fail("round %u collect after the interrupt: %s", round, nx_strerror(r));
	if (got > ks_virtio_rng_seed_len - *offset)
		fail("round %u: %lu bytes at offset %lu, beyond the %lu-byte seed file", round,
		     (unsigned long)got, (unsigned long)*offset, (unsigned long)ks_virtio_rng_seed_len);
	for (size_t i = 0; i < got; i++) {
		if (buf[i] != ks_virtio_rng_seed[*offset + i])
			fail("byte mismatch at file offset %lu: got 0x%02x want 0x%02x",
			     (unsigned long)(*offset + i), buf[i], ks_virtio_rng_seed[*offset + i]);
	}
	*offset += got;
}

void ks_selftest_virtio_rng(unsigned long hartid)
{
	if (ks_virtio_probe() != 0)
		fail("no virtio-rng device");
	unsigned irq = ks_virtio_rng_irq();
	if (ks_plic_set_priority(irq, 1) != 0 || ks_plic_enable(hartid, irq) != 0)
		fail("PLIC refused irq %u for hart %lu", irq, hartid);

	unsigned long saved_sie = KS_CSR_READ(sie);
	size_t offset = 0;
	for (unsigned round = 0; round < ROUNDS; round++)
		read_round(hartid, round, &offset);
	KS_CSR_WRITE(sie, saved_sie);

	struct ks_virtio_rng_stats st = ks_virtio_rng_stats();
	if (st.spurious != 0 || st.bad != 0)
		fail("unexpected device events: spurious=%lu bad=%lu", (unsigned long)st.spurious,
		     (unsigned long)st.bad);
	ks_printf("SELFTEST: virtio-rng ok bytes=%lu requests=%lu irqs=%lu irq=%u\n", (unsigned long)offset,
		  (unsigned long)st.requests, (unsigned long)st.irqs, irq);
}
