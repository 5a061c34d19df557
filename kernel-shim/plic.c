/*
 * PLIC register map (SiFive PLIC spec 1.0.0; QEMU hw/riscv/virt.h):
 *   base + 4 * irq                          priority of source irq
 *   base + 0x2000 + 0x80 * ctx + 4 * word   enable bits, source irq in word irq / 32
 *   base + 0x200000 + 0x1000 * ctx          priority threshold
 *   base + 0x200004 + 0x1000 * ctx          claim (read) / complete (write)
 */
#include "plic.h"

#include <stdint.h>

#include "config.h"
#include "nx/abi.h"

#define PLIC_BASE 0x0c000000UL
#define PLIC_ENABLE 0x2000UL
#define PLIC_ENABLE_STRIDE 0x80UL
#define PLIC_CONTEXT 0x200000UL
#define PLIC_CONTEXT_STRIDE 0x1000UL
#define PLIC_THRESHOLD 0x0UL
#define PLIC_CLAIM 0x4UL

static volatile uint32_t *plic_reg(unsigned long offset)
{
	return (volatile uint32_t *)(PLIC_BASE + offset);
}

/* QEMU virt gives hart h the contexts 2h (M-mode) and 2h + 1 (S-mode). */
static unsigned long s_context(unsigned long hartid)
{
	return 2 * hartid + 1;
}

static int irq_valid(unsigned irq)
{
	return irq != 0 && irq <= KS_PLIC_MAX_IRQ;
}

int ks_plic_set_priority(unsigned irq, unsigned prio)
{
	if (!irq_valid(irq) || prio > KS_PLIC_MAX_PRIORITY)
		return -NX_EINVAL;
	*plic_reg(4UL * irq) = prio;
	return 0;
}

int ks_plic_enable(unsigned long hartid, unsigned irq)
{
	if (!irq_valid(irq) || hartid >= KS_MAX_HARTS)
		return -NX_EINVAL;
	unsigned long ctx = s_context(hartid);
	volatile uint32_t *word = plic_reg(PLIC_ENABLE + PLIC_ENABLE_STRIDE * ctx + 4UL * (irq / 32));
	*word |= 1U << (irq % 32);
	*plic_reg(PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * ctx + PLIC_THRESHOLD) = 0;
	return 0;
}

unsigned ks_plic_claim(unsigned long hartid)
{
	if (hartid >= KS_MAX_HARTS)
		return 0;
	return *plic_reg(PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * s_context(hartid) + PLIC_CLAIM);
}

void ks_plic_complete(unsigned long hartid, unsigned irq)
{
	if (!irq_valid(irq) || hartid >= KS_MAX_HARTS)
		return;
	*plic_reg(PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * s_context(hartid) + PLIC_CLAIM) = irq;
}
