#include "sbi.h"

#include <string.h>

#define SBI_EXT_TIME 0x54494D45UL
#define SBI_EXT_IPI 0x735049UL
#define SBI_EXT_HSM 0x48534DUL
#define SBI_EXT_SRST 0x53525354UL

#define SBI_SRST_SHUTDOWN 0UL
#define SBI_SRST_REASON_NONE 0UL
#define SBI_SRST_REASON_FAILURE 1UL

static struct ks_sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
				 unsigned long a1, unsigned long a2)
{
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct ks_sbiret){ .error = (long)r_a0, .value = (long)r_a1 };
}

void ks_sbi_set_timer(uint64_t stime)
{
	(void)sbi_call(SBI_EXT_TIME, 0, stime, 0, 0);
}

/* Sstc lets S-mode write stimecmp (CSR 0x14d) itself instead of trapping to M-mode. */
static int have_sstc;

void ks_timer_init(const char *isa)
{
	const char *p = strstr(isa, "_sstc");
	have_sstc = p != NULL && (p[5] == '\0' || p[5] == '_');
}

void ks_set_timer(uint64_t stime)
{
	if (have_sstc)
		__asm__ volatile("csrw 0x14d, %0" ::"r"(stime));
	else
		ks_sbi_set_timer(stime);
}

struct ks_sbiret ks_sbi_send_ipi(unsigned long mask, unsigned long base)
{
	return sbi_call(SBI_EXT_IPI, 0, mask, base, 0);
}

struct ks_sbiret ks_sbi_hart_start(unsigned long hartid, unsigned long entry, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, entry, opaque);
}

struct ks_sbiret ks_sbi_hart_status(unsigned long hartid)
{
	return sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0);
}

/*
 * QEMU virt's test finisher. OpenSBI 1.1 (Debian's qemu-system-data) powers off through
 * the device tree's syscon-poweroff node and ignores the SRST reason, so a failure would
 * exit QEMU with status 0. Writing FAIL | code << 16 first makes QEMU exit with `code`.
 */
#define VIRT_TEST_FINISHER 0x100000UL
#define FINISHER_FAIL 0x3333U

_Noreturn void ks_sbi_shutdown(int failure)
{
	ks_sbi_shutdown_status(failure ? 1U : 0U);
}

_Noreturn void ks_sbi_shutdown_status(unsigned status)
{
	if (status != 0)
		*(volatile uint32_t *)VIRT_TEST_FINISHER = FINISHER_FAIL | (status & 0xffffU) << 16;
	(void)sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN,
		       status != 0 ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE, 0);
	for (;;)
		__asm__ volatile("wfi");
}
