/* SBI calls the kernel makes (RISC-V SBI spec v1.0: TIME, IPI, HSM, SRST). */
#ifndef KS_SBI_H
#define KS_SBI_H

#include <stdint.h>

/** Result of an SBI call: error (0 or a negative SBI_ERR_*) and value. */
struct ks_sbiret {
	long error;
	long value;
};

#define KS_SBI_ERR_INVALID_PARAM (-3)

/** HSM hart states (sbi_hart_get_status value). */
enum ks_hsm_state {
	KS_HSM_STARTED = 0,
	KS_HSM_STOPPED = 1,
	KS_HSM_START_PENDING = 2,
};

/** Arm this hart's timer for absolute `time` value `stime` (ticks), through SBI. */
void ks_sbi_set_timer(uint64_t stime);
/** Use the Sstc extension's stimecmp when the hart's ISA string `isa` lists it. */
void ks_timer_init(const char *isa);
/** Arm this hart's timer: stimecmp with Sstc (one CSR write), else an SBI call. */
void ks_set_timer(uint64_t stime);
/** Send a supervisor software interrupt to the harts in `mask` (bit i = hart base+i). */
struct ks_sbiret ks_sbi_send_ipi(unsigned long mask, unsigned long base);
/** Start `hartid` in S-mode at `entry` with a0 = hartid, a1 = `opaque`. */
struct ks_sbiret ks_sbi_hart_start(unsigned long hartid, unsigned long entry, unsigned long opaque);
/** HSM state of `hartid`, or error SBI_ERR_INVALID_PARAM if it does not exist. */
struct ks_sbiret ks_sbi_hart_status(unsigned long hartid);
/** Power the machine off: `failure` selects reason "system failure" (QEMU exits non-zero). */
_Noreturn void ks_sbi_shutdown(int failure);
/** Power the machine off so that QEMU exits with `status` (0..255; 0 as ks_sbi_shutdown(0)). */
_Noreturn void ks_sbi_shutdown_status(unsigned status);

#endif
