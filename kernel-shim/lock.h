/* Spinlocks for short holds (the console). The big kernel lock is in sched.c. */
#ifndef KS_LOCK_H
#define KS_LOCK_H

#include <stdint.h>

struct ks_lock {
	volatile uint32_t held;
};

/** Take the lock if it is free; 1 when taken. */
static inline int ks_lock_try(struct ks_lock *l)
{
	/* The swap sign-extends the old word into the register: zero exactly when the word is
	 * (so the test needs no extension of its own). */
	unsigned long busy;
	__asm__ volatile("amoswap.w.aq %0, %1, (%2)" : "=r"(busy) : "r"(1U), "r"(&l->held) : "memory");
	return busy == 0;
}

static inline void ks_lock_acquire(struct ks_lock *l)
{
	while (!ks_lock_try(l))
		;
}

static inline void ks_lock_release(struct ks_lock *l)
{
	__asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(&l->held) : "memory");
}

#endif
