/* Spinlocks. Hold times are a few hundred instructions at most (see sched.c for the discipline). */
#ifndef KS_LOCK_H
#define KS_LOCK_H

#include <stdint.h>

struct ks_lock {
	volatile uint32_t held;
};

static inline void ks_lock_acquire(struct ks_lock *l)
{
	uint32_t busy;
	do {
		__asm__ volatile("amoswap.w.aq %0, %1, (%2)" : "=r"(busy) : "r"(1U), "r"(&l->held) : "memory");
	} while (busy);
}

static inline void ks_lock_release(struct ks_lock *l)
{
	__asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(&l->held) : "memory");
}

#endif
