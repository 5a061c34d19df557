/*
 * Trap entry and return.
 *
 * While a hart runs user code, sscratch holds the running task's frame (its struct ks_task,
 * whose first field is the frame); while it runs the kernel, sscratch is 0. The kernel runs
 * with sstatus.SIE clear, so a trap taken with sscratch == 0 is a kernel fault, never an
 * interrupt. The task holds the hart it entered user mode on (ks_user_return writes it):
 * so the frame is at hand in the first instruction (in a7, which the IPC entry takes it in),
 * and the user sp needs no round trip through sscratch.
 *
 * The ecalls of the two direct IPC syscalls go to their own C entry (ks_trap_ipc_*, trap.c),
 * every other trap to ks_trap_user; both start from the same complete frame.
 *
 * struct ks_hart layout used here: 0 kernel stack top, 8 kernel tp. struct ks_trapframe:
 * x1..x31 at 8*(n-1), sepc at 248; struct ks_task: its hart at 256 (task.h asserts these).
 */

.section .text
.balign 4
.globl ks_trap_vector
ks_trap_vector:
	csrrw	a7, sscratch, a7
	beqz	a7, from_kernel
	sd	ra, 0(a7)
	sd	sp, 8(a7)
	sd	gp, 16(a7)
	sd	tp, 24(a7)
	sd	t0, 32(a7)
	sd	t1, 40(a7)
	sd	t2, 48(a7)
	sd	s0, 56(a7)
	sd	s1, 64(a7)
	sd	a0, 72(a7)
	sd	a1, 80(a7)
	sd	a2, 88(a7)
	sd	a3, 96(a7)
	sd	a4, 104(a7)
	sd	a5, 112(a7)
	sd	a6, 120(a7)
	sd	s2, 136(a7)
	sd	s3, 144(a7)
	sd	s4, 152(a7)
	sd	s5, 160(a7)
	sd	s6, 168(a7)
	sd	s7, 176(a7)
	sd	s8, 184(a7)
	sd	s9, 192(a7)
	sd	s10, 200(a7)
	sd	s11, 208(a7)
	sd	t3, 216(a7)
	sd	t4, 224(a7)
	sd	t5, 232(a7)
	sd	t6, 240(a7)
	csrr	t1, sscratch		/* user a7: the syscall number for the test below */
	sd	t1, 128(a7)
	csrr	t2, sepc
	sd	t2, 248(a7)
	csrw	sscratch, zero
	ld	a6, 256(a7)		/* struct ks_hart * */
	ld	tp, 8(a6)
	ld	sp, 0(a6)
	/* An ecall of NX_SYS_CALL (a7 18) or NX_SYS_REPLY_WAIT (19) has its own entry (trap.c).
	 * The number first: other syscalls then pay three instructions. */
	addi	t1, t1, -18		/* NX_SYS_CALL */
	sltiu	t2, t1, 2		/* 18 or 19 */
	bnez	t2, 5f
3:	mv	a0, a6
	csrr	a1, scause
	rdtime	a2			/* the time of the trap, before the lock (trap.c) */
	li	a3, 0			/* TRAP_NOTHING: the lock not held yet */
	call	ks_trap_user		/* does not return */
1:	j	1b
	/* a0..a5 stay the user's (the entry's arguments), the hart is in a6 and the task (its
	 * frame) in a7. */
5:	csrr	t2, scause
	addi	t2, t2, -8		/* EXC_ECALL_U: not an interrupt or fault */
	bnez	t2, 3b
	beqz	t1, 4f
	j	ks_trap_ipc_reply_wait	/* does not return */
4:	j	ks_trap_ipc_call	/* does not return */

from_kernel:
	csrrw	a7, sscratch, a7	/* a7 back; sscratch is 0 again (sp is the kernel's) */
	addi	sp, sp, -16
	sd	ra, 0(sp)
	call	ks_trap_kernel		/* panics */
2:	j	2b

/*
 * void ks_user_return(struct ks_hart *h, struct ks_trapframe *tf): enter user mode.
 * sstatus.SPP is 0 (U-mode) and SPIE 1 here: hart_setup() sets them for the first entry,
 * a trap from U-mode leaves them so (SIE is 1 in U-mode), and the kernel writes sstatus
 * nowhere else.
 */
.globl ks_user_return
ks_user_return:
	sd	a0, 256(a1)		/* the task's hart, for its next trap */
	csrw	sscratch, a1
	ld	t0, 248(a1)
	csrw	sepc, t0
	ld	ra, 0(a1)
	ld	sp, 8(a1)
	ld	gp, 16(a1)
	ld	tp, 24(a1)
	ld	t0, 32(a1)
	ld	t1, 40(a1)
	ld	t2, 48(a1)
	ld	s0, 56(a1)
	ld	s1, 64(a1)
	ld	a0, 72(a1)
	ld	a2, 88(a1)
	ld	a3, 96(a1)
	ld	a4, 104(a1)
	ld	a5, 112(a1)
	ld	a6, 120(a1)
	ld	a7, 128(a1)
	ld	s2, 136(a1)
	ld	s3, 144(a1)
	ld	s4, 152(a1)
	ld	s5, 160(a1)
	ld	s6, 168(a1)
	ld	s7, 176(a1)
	ld	s8, 184(a1)
	ld	s9, 192(a1)
	ld	s10, 200(a1)
	ld	s11, 208(a1)
	ld	t3, 216(a1)
	ld	t4, 224(a1)
	ld	t5, 232(a1)
	ld	t6, 240(a1)
	ld	a1, 80(a1)
	sret
