/*
 * Boot: the boot hart sets itself up, counts the harts through SBI HSM, starts the
 * others and waits (in WFI, with a deadline) until every one has reported in.
 */
#include <stdint.h>

#include <picotls.h> /* after a libc header: it needs picolibc.h's PICOLIBC_TLS */

#include "config.h"
#include "console.h"
#include "riscv.h"
#include "sbi.h"
#include "selftest_virtio.h"

extern char __tls_size[];
extern void ks_secondary_entry(void);

uint8_t ks_stacks[KS_MAX_HARTS][KS_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t hart_tls[KS_MAX_HARTS][KS_TLS_MAX] __attribute__((aligned(16)));

static unsigned long boot_hart;
static unsigned harts_present;
static volatile uint32_t harts_online;

/* Give this hart its own picolibc TLS block (errno lives there). */
static void hart_setup(unsigned long hartid)
{
	if ((uintptr_t)__tls_size > KS_TLS_MAX)
		ks_panic("TLS block of %lu bytes exceeds KS_TLS_MAX\n", (unsigned long)(uintptr_t)__tls_size);
	_init_tls(hart_tls[hartid]);
	_set_tls(hart_tls[hartid]);
}

/* A hart exists when HSM can report its state. */
static unsigned count_harts(void)
{
	unsigned n = 0;
	for (unsigned long id = 0; id < KS_MAX_HARTS; id++) {
		if (ks_sbi_hart_status(id).error == 0)
			n++;
	}
	return n;
}

/* Sleep in WFI until `*counter` reaches `want` or `deadline` (ticks) passes. */
static int wait_for_count(volatile uint32_t *counter, uint32_t want, uint64_t deadline)
{
	KS_CSR_SET(sie, SIE_SSIE | SIE_STIE);
	while (*counter < want && ks_rdtime() < deadline) {
		ks_sbi_set_timer(deadline);
		ks_wfi();
		KS_CSR_CLEAR(sip, SIP_SSIP);
	}
	ks_sbi_set_timer(UINT64_MAX);
	return *counter >= want ? 0 : -1;
}

void ks_secondary_main(unsigned long hartid);
void ks_secondary_main(unsigned long hartid)
{
	hart_setup(hartid);
	__atomic_fetch_add(&harts_online, 1, __ATOMIC_SEQ_CST);
	(void)ks_sbi_send_ipi(1UL << boot_hart, 0);
	ks_printf("kernel: hart %lu online\n", hartid);
	for (;;)
		ks_wfi();
}

void ks_main(unsigned long hartid, unsigned long dtb);
void ks_main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	hart_setup(hartid);
	boot_hart = hartid;
	harts_present = count_harts();
	harts_online = 1;
	ks_printf("kernel: boot hart=%lu harts=%u\n", hartid, harts_present);

	for (unsigned long id = 0; id < KS_MAX_HARTS; id++) {
		if (id == hartid || ks_sbi_hart_status(id).error != 0)
			continue;
		struct ks_sbiret r = ks_sbi_hart_start(id, (unsigned long)ks_secondary_entry, 0);
		if (r.error != 0)
			ks_printf("kernel: hart %lu failed to start (sbi error %ld)\n", id, r.error);
	}
	if (wait_for_count(&harts_online, harts_present, ks_rdtime() + KS_TIMEBASE_HZ) != 0) {
		ks_printf("SELFTEST: FAIL harts online=%u of %u\n", harts_online, harts_present);
		ks_sbi_shutdown(1);
	}
	ks_printf("kernel: harts online=%u\n", harts_online);
	ks_selftest_virtio_rng(hartid);
	ks_printf("SELFTEST: end guest_ms=%lu\n", (unsigned long)(ks_rdtime() / KS_TICKS_PER_MS));
	ks_sbi_shutdown(0);
}
