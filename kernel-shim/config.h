/* Compile-time limits of the kernel. Plain #defines: the assembly files include this too. */
#ifndef KS_CONFIG_H
#define KS_CONFIG_H

/** Harts the kernel supports; QEMU virt numbers them 0..n-1. */
#define KS_MAX_HARTS 4
/** Per-hart kernel stack (bytes). The kernel keeps no state on it between traps. */
#define KS_STACK_SIZE 16384
/** Per-hart copy of picolibc's TLS block (errno). */
#define KS_TLS_MAX 256

/** Task table size: every task, boot services and spawned abilities alike. */
#define KS_MAX_TASKS 32 /* = NX_TASK_MAX, checked in task.c */

/** Physical RAM the kernel manages (QEMU `-m 128M`, from 0x80000000). */
#define KS_RAM_BASE 0x80000000UL
#define KS_RAM_SIZE (128UL * 1024 * 1024)
#define KS_PAGE_SIZE 4096UL

/** User address space: one 1 GiB Sv39 slot, [KS_USER_BASE, KS_USER_TOP). */
#define KS_USER_BASE 0x40000000UL
#define KS_USER_TOP 0x80000000UL
/** User stack: the top pages of the user range. */
#define KS_USER_STACK_PAGES 4
/** Default memory quota of a task in pages (image, stack, heap and page tables). */
#define KS_TASK_PAGE_QUOTA 64

/** Scheduling time slice in milliseconds of guest time. */
#define KS_SLICE_MS 10

/** Class quota period per hart (guest ms), and what the upper classes may use of it
 * (quota.h): SYS alone at most KS_QUOTA_SYS_MS, SYS and FG together at most KS_QUOTA_FG_MS,
 * so FG and below keep 5 ms and BG and below 10 ms of every period when they have work. */
#define KS_QUOTA_PERIOD_MS 100
#define KS_QUOTA_SYS_MS 95
#define KS_QUOTA_FG_MS 90

#endif
