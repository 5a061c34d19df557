/*
 * The kernel's own page table and switching a hart between tables (vm.h): the part of the
 * memory system that runs only on a hart, apart from vm.c so that the address spaces also
 * build on the host (tests/kernel/test_load.c).
 */
#include "vm.h"

#include <stdint.h>

/* The kernel's root table: gigapage 0 (MMIO) and gigapage 2 (RAM), supervisor only. */
static uint64_t kernel_root[512] __attribute__((aligned(4096)));

static void load_satp(uint64_t satp)
{
	/* The fence after the switch also orders every earlier page-table store before the
	 * walks that follow it. */
	__asm__ volatile("csrw satp, %0\n\t"
			 "sfence.vma zero, zero" ::"r"(satp)
			 : "memory");
}

void ks_vm_init(void)
{
	ks_vm_kernel_map(kernel_root);
	ks_vm_enable_hart();
}

void ks_vm_enable_hart(void)
{
	load_satp(ks_vm_satp(kernel_root));
}

void ks_vm_switch(const struct ks_space *s)
{
	load_satp(s != NULL ? s->satp : ks_vm_satp(kernel_root));
}
