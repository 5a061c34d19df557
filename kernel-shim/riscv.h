/* RISC-V supervisor CSRs and instructions used by the kernel (privileged spec 1.12). */
#ifndef KS_RISCV_H
#define KS_RISCV_H

#include <stdint.h>

#define KS_CSR_READ(csr)                                          \
	({                                                        \
		unsigned long v_;                                 \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));    \
		v_;                                               \
	})
#define KS_CSR_WRITE(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"r"((unsigned long)(val)))
#define KS_CSR_SET(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"r"((unsigned long)(bits)))
#define KS_CSR_CLEAR(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"r"((unsigned long)(bits)))

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_SUM (1UL << 18)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)
#define SIP_SSIP SIE_SSIE
#define SIP_STIP SIE_STIE
#define SIP_SEIP SIE_SEIE

#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT 1UL
#define IRQ_S_TIMER 5UL
#define IRQ_S_EXT 9UL

/* Exception causes (scause with the interrupt bit clear). */
#define EXC_INSN_MISALIGNED 0UL
#define EXC_INSN_ACCESS 1UL
#define EXC_ILLEGAL_INSN 2UL
#define EXC_BREAKPOINT 3UL
#define EXC_LOAD_MISALIGNED 4UL
#define EXC_LOAD_ACCESS 5UL
#define EXC_STORE_MISALIGNED 6UL
#define EXC_STORE_ACCESS 7UL
#define EXC_ECALL_U 8UL
#define EXC_INSN_PAGE_FAULT 12UL
#define EXC_LOAD_PAGE_FAULT 13UL
#define EXC_STORE_PAGE_FAULT 15UL


static inline uint64_t ks_rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void ks_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#endif
