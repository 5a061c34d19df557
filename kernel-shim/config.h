/* Compile-time limits of the kernel. Plain #defines: entry.S includes this file too. */
#ifndef KS_CONFIG_H
#define KS_CONFIG_H

/** Harts the kernel supports; QEMU virt numbers them 0..n-1. */
#define KS_MAX_HARTS 4
/** Per-hart kernel stack (bytes). */
#define KS_STACK_SIZE 16384
/** Per-hart copy of picolibc's TLS block (errno). */
#define KS_TLS_MAX 256

#endif
