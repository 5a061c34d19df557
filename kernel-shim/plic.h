/**
 * @file plic.h
 * The platform-level interrupt controller of QEMU `virt` (SiFive PLIC at 0x0c000000).
 *
 * Only supervisor contexts are used: on `virt`, hart h has context 2h (M-mode) and 2h + 1
 * (S-mode). Sources 1..KS_PLIC_MAX_IRQ; 0 means "no interrupt". Register updates are
 * read-modify-write: callers serialise them (the kernel's big lock, or boot before SMP).
 */
#ifndef KS_PLIC_H
#define KS_PLIC_H

/** Highest interrupt source number on QEMU virt (device tree riscv,ndev = 96, 0 unused). */
#define KS_PLIC_MAX_IRQ 95
/** Highest priority the virt PLIC implements (priorities 1..7; 0 = never delivered). */
#define KS_PLIC_MAX_PRIORITY 7

/**
 * Set the priority of source `irq`. The kernel's threshold is 0, so any priority above 0
 * lets the source through.
 * @retval 0 done
 * @retval -NX_EINVAL irq is 0 or above KS_PLIC_MAX_IRQ, or prio above KS_PLIC_MAX_PRIORITY
 */
int ks_plic_set_priority(unsigned irq, unsigned prio);

/**
 * Route source `irq` to the S-mode context of `hartid`, and open that context
 * (threshold 0). The source also needs a priority above 0 (ks_plic_set_priority()),
 * and the hart needs sie.SEIE to see it.
 * @retval 0 done
 * @retval -NX_EINVAL irq is 0 or above KS_PLIC_MAX_IRQ, or hartid not below KS_MAX_HARTS
 */
int ks_plic_enable(unsigned long hartid, unsigned irq);

/**
 * Claim the highest-priority pending source for the S-mode context of `hartid`.
 * @return the source, or 0 when nothing is pending (or hartid is out of range)
 */
unsigned ks_plic_claim(unsigned long hartid);

/**
 * Tell the PLIC that `hartid` finished with `irq` (from ks_plic_claim()); the source can
 * then interrupt again. Silence the device first, or a level source re-pends at once.
 * Out-of-range arguments are ignored.
 */
void ks_plic_complete(unsigned long hartid, unsigned irq);

#endif
