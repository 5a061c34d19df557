/*
 * Entry points. OpenSBI (fw_dynamic) enters _start in S-mode on the boot hart with
 * a0 = hartid, a1 = device tree; harts started through SBI HSM enter ks_secondary_entry
 * with a0 = hartid. Each hart runs on its own stack: ks_stacks[hartid].
 */
#include "config.h"

.section .text.entry
.globl _start
_start:
	csrw	sie, zero
	csrw	sscratch, zero
	li	t0, KS_MAX_HARTS
	bgeu	a0, t0, park
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	set_stack
	tail	ks_main

.globl ks_secondary_entry
ks_secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	li	t0, KS_MAX_HARTS
	bgeu	a0, t0, park
	call	set_stack
	tail	ks_secondary_main

/* sp = ks_stacks + (a0 + 1) * KS_STACK_SIZE. */
set_stack:
	la	sp, ks_stacks
	li	t0, KS_STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	ret

park:
	wfi
	j	park
