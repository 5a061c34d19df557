/*
 * Boot. The boot hart sets up memory, paging and the scheduler, brings up the other harts
 * (SBI HSM), starts the tasks of the boot table (boot.h) and joins the others in the run
 * loop. No hart ever busy-waits for another: they wait in WFI with a deadline.
 */
#include <stdint.h>
#include <string.h>

#include <picotls.h> /* after a libc header: it needs picolibc.h's PICOLIBC_TLS */

#include "boot.h"
#include "config.h"
#include "console.h"
#include "device.h"
#include "fdt.h"
#include "image.h"
#include "kalloc.h"
#include "riscv.h"
#include "sbi.h"
#include "sched.h"
#include "syscall.h"
#include "task.h"

extern char __tls_size[];
extern void ks_secondary_entry(void);
extern void ks_trap_vector(void);

uint8_t ks_stacks[KS_MAX_HARTS][KS_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t hart_tls[KS_MAX_HARTS][KS_TLS_MAX] __attribute__((aligned(16)));

char ks_bootargs[NX_BOOTARGS_MAX];

static unsigned long boot_hart;
static volatile uint32_t harts_online;

/* Per-hart state: TLS for picolibc, trap vector, counters readable by users, interrupts
 * (timer, IPI, and external: the PLIC routes device interrupts to the boot hart only). */
static struct ks_hart *hart_setup(unsigned long hartid)
{
	if ((uintptr_t)__tls_size > KS_TLS_MAX)
		ks_panic("TLS block of %lu bytes exceeds KS_TLS_MAX\n", (unsigned long)(uintptr_t)__tls_size);
	_init_tls(hart_tls[hartid]);
	_set_tls(hart_tls[hartid]);
	struct ks_hart *h = &ks_harts[hartid];
	h->hartid = hartid;
	h->cur = -1;
	h->kstack_top = (uint64_t)(uintptr_t)&ks_stacks[hartid + 1][0];
	h->ktp = (uint64_t)(uintptr_t)hart_tls[hartid];
	KS_CSR_WRITE(stvec, (uintptr_t)ks_trap_vector);
	KS_CSR_WRITE(scounteren, 0x7); /* cycle, time, instret readable in U-mode */
	KS_CSR_SET(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	/* What ks_user_return() needs (trap.S): sret goes to U-mode with interrupts enabled. */
	KS_CSR_CLEAR(sstatus, SSTATUS_SPP);
	KS_CSR_SET(sstatus, SSTATUS_SPIE);
	return h;
}

static unsigned count_harts(void)
{
	unsigned n = 0;
	for (unsigned long id = 0; id < KS_MAX_HARTS; id++) {
		if (ks_sbi_hart_status(id).error == 0)
			n++;
	}
	return n;
}

/* Is `word` one of the space-separated words of the kernel command line? */
static int bootarg_word(const char *word)
{
	const size_t n = strlen(word);
	for (const char *p = ks_bootargs; *p != '\0'; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* Does the command line ask for boot task `b`: it names no word, or the line has one of them? */
static int wanted(const struct ks_boot_task *b)
{
	if (b->when[0] == NULL)
		return 1;
	for (unsigned i = 0; i < KS_BOOT_WORDS_MAX && b->when[i] != NULL; i++) {
		if (bootarg_word(b->when[i]))
			return 1;
	}
	return 0;
}

/* Start the tasks of the boot table that the command line asks for. */
static void start_boot_tasks(void)
{
	for (unsigned i = 0; i < ks_boot_task_count; i++) {
		const struct ks_boot_task *b = &ks_boot_tasks[i];
		if (!wanted(b))
			continue;
		const struct ks_image *im = ks_image_find(b->image);
		int rc = -NX_ENOENT;
		if (im != NULL) {
			const struct ks_task_params p = {
				.img = im->start,
				.img_len = (size_t)(im->end - im->start),
				.name = b->name,
				.supervisor_id = b->supervisor_id,
				.rights = b->rights,
				.qos = b->qos,
				.page_quota = b->page_quota,
				.slack_fg_ms = b->slack_fg_ms,
				.slack_bg_ms = b->slack_bg_ms,
			};
			rc = ks_task_create(&p);
		}
		if (rc < 0)
			ks_panic("cannot start boot task %s from image %s: %s\n", b->name, b->image, nx_strerror(rc));
	}
}

void ks_secondary_main(unsigned long hartid);
void ks_secondary_main(unsigned long hartid)
{
	struct ks_hart *h = hart_setup(hartid);
	ks_vm_enable_hart();
	ks_bkl_acquire();
	__atomic_fetch_add(&harts_online, 1, __ATOMIC_SEQ_CST);
	ks_printf("kernel: hart %lu online\n", hartid);
	(void)ks_sbi_send_ipi(1UL << boot_hart, 0);
	ks_sched_resume(h);
}

/* Wait in WFI until `want` harts are online or `deadline` (ticks) passes. */
static int wait_for_harts(uint32_t want, uint64_t deadline)
{
	while (harts_online < want && ks_rdtime() < deadline) {
		ks_set_timer(deadline);
		ks_wfi();
		KS_CSR_CLEAR(sip, SIP_SSIP);
	}
	ks_set_timer(UINT64_MAX);
	return harts_online >= want ? 0 : -1;
}

void ks_main(unsigned long hartid, unsigned long dtb);
void ks_main(unsigned long hartid, unsigned long dtb)
{
	for (unsigned i = 0; i < KS_MAX_HARTS; i++)
		ks_harts[i].cur = -1; /* harts that never start run nothing */
	struct ks_hart *h = hart_setup(hartid);
	boot_hart = hartid;
	unsigned harts = count_harts();
	ks_printf("kernel: boot hart=%lu harts=%u\n", hartid, harts);
	if (ks_fdt_string((const void *)dtb, "chosen", "bootargs", ks_bootargs, sizeof ks_bootargs) == 0)
		ks_printf("kernel: bootargs \"%s\"\n", ks_bootargs);
	char isa[NX_BOOTARGS_MAX];
	if (ks_fdt_string((const void *)dtb, "cpu", "riscv,isa", isa, sizeof isa) == 0)
		ks_timer_init(isa);
	ks_kalloc_init();
	ks_vm_init();
	ks_sched_init(hartid);
	ks_device_init(hartid);
	ks_printf("kernel: %lu pages free, %u boot tasks\n", (unsigned long)ks_pages_free(), ks_boot_task_count);

	harts_online = 1;
	for (unsigned long id = 0; id < KS_MAX_HARTS; id++) {
		if (id == hartid || ks_sbi_hart_status(id).error != 0)
			continue;
		struct ks_sbiret r = ks_sbi_hart_start(id, (unsigned long)ks_secondary_entry, 0);
		if (r.error != 0)
			ks_panic("hart %lu failed to start (sbi error %ld)\n", id, r.error);
	}
	/* Secondaries report in under the BKL, so wait before taking it. */
	if (wait_for_harts(harts, ks_rdtime() + NX_TIMEBASE_HZ) != 0)
		ks_panic("only %u of %u harts came online\n", harts_online, harts);
	ks_bkl_acquire();
	ks_printf("kernel: harts online=%u\n", harts_online);
	ks_stats.harts_online = harts_online;
	start_boot_tasks();
	ks_sched_resume(h);
}
