/**
 * @file ulib/sys.h
 * Userspace syscall wrappers (src/ulib). One inline function per syscall in nx/abi.h;
 * each returns what the kernel put in a0: a value >= 0 or a negated NX_E* code.
 */
#ifndef ULIB_SYS_H
#define ULIB_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

/*
 * Every syscall: six arguments in a0..a5, the number in a7, the result in a0. The receiving
 * syscalls of the fast path (nx/abi.h) also return the sender's id in a1, stored in
 * `*sender_id` on success when it is not NULL; the kernel may rewrite a0..a3 and a7 for them
 * (a restart as NX_SYS_WAIT), so every one of those is an output here.
 */
static inline long nx_syscall_rx(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
				 uint64_t *sender_id)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	register long r_a7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1), "+r"(r_a2), "+r"(r_a3), "+r"(r_a7)
			 : "r"(r_a4), "r"(r_a5)
			 : "memory");
	if (r_a0 >= 0 && sender_id != NULL)
		*sender_id = (uint64_t)r_a1;
	return r_a0;
}

/** As nx_syscall_rx() with five arguments: a5 is not set (the kernel does not read it). */
static inline long nx_syscall_rx5(long nr, long a0, long a1, long a2, long a3, long a4, uint64_t *sender_id)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1), "+r"(r_a2), "+r"(r_a3), "+r"(r_a7)
			 : "r"(r_a4)
			 : "memory");
	if (r_a0 >= 0 && sender_id != NULL)
		*sender_id = (uint64_t)r_a1;
	return r_a0;
}

/** A syscall with up to five arguments and only a0 as its result. */
static inline long nx_syscall(long nr, long a0, long a1, long a2, long a3, long a4)
{
	return nx_syscall_rx(nr, a0, a1, a2, a3, a4, 0, NULL);
}

/** Milliseconds since boot, from the `time` CSR (NX_TIMEBASE_HZ, the kernel's timebase). */
static inline uint64_t nx_now_ms(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t / NX_TICKS_PER_MS;
}

/** Guest instructions per turn of nx_spin(). */
#define NX_SPIN_TURN_INSNS 32

/**
 * Burn CPU: `turns` turns of a loop of NX_SPIN_TURN_INSNS instructions (a demo's or a
 * fixture's load; 3125 turns are 0.1 ms of guest time under icount, one instruction per
 * nanosecond). The turn is mostly `nop`s: QEMU counts each as a guest instruction but
 * translates it to no host code, so the guest time passes for a fraction of the wall time
 * of a loop over a volatile counter (a load and a store per turn).
 */
static inline void nx_spin(unsigned long turns)
{
	if (turns != 0)
		__asm__ volatile("1:\n\t.rept 30\n\tnop\n\t.endr\n\taddi %0, %0, -1\n\tbnez %0, 1b"
				 : "+r"(turns));
}

/** End the calling task with `code`. */
_Noreturn void nx_exit(int code);

static inline long nx_write(const void *buf, size_t len)
{
	return nx_syscall(NX_SYS_WRITE, (long)buf, (long)len, 0, 0, 0);
}

static inline long nx_yield(void)
{
	return nx_syscall(NX_SYS_YIELD, 0, 0, 0, 0, 0);
}

/** Sleep until `deadline_ms`, rounded up to this task's timer slack. */
static inline long nx_sleep_until(uint64_t deadline_ms)
{
	return nx_syscall(NX_SYS_SLEEP_UNTIL, (long)deadline_ms, 0, 0, 0, 0);
}

/** Queue a message on the request queue of service `dst_id`. */
static inline long nx_send(uint64_t dst_id, const void *buf, size_t len)
{
	return nx_syscall(NX_SYS_SEND, (long)dst_id, (long)buf, (long)len, 0, 0);
}

/** Queue a message on the reply queue of service `dst_id`. */
static inline long nx_reply(uint64_t dst_id, const void *buf, size_t len)
{
	return nx_syscall(NX_SYS_REPLY, (long)dst_id, (long)buf, (long)len, 0, 0);
}

/** Take the next message of `queue` (enum nx_queue), waiting until `deadline_ms`. */
static inline long nx_recv(unsigned queue, void *buf, size_t cap, uint64_t deadline_ms, struct nx_msg_info *info)
{
	return nx_syscall(NX_SYS_RECV, (long)queue, (long)buf, (long)cap, (long)deadline_ms, (long)info);
}

/** Take the next message of `queue` into `buf`, waiting until `deadline_ms`; the sender's
 * kernel-stamped id goes to `*sender_id`. @return its length, or -NX_ETIMEDOUT, -NX_EINVAL */
static inline long nx_wait(unsigned queue, void *buf, size_t cap, uint64_t deadline_ms, uint64_t *sender_id)
{
	return nx_syscall_rx(NX_SYS_WAIT, (long)queue, (long)buf, (long)cap, (long)deadline_ms, 0, 0, sender_id);
}

/** Send the `len`-byte request in `buf` to `dst_id`, then wait until `deadline_ms` for the
 * next message on the reply queue, received into `buf` (`cap` >= NX_FRAME_MAX). */
static inline long nx_call(uint64_t dst_id, void *buf, size_t len, size_t cap, uint64_t deadline_ms,
			   uint64_t *sender_id)
{
	return nx_syscall_rx5(NX_SYS_CALL, (long)dst_id, (long)buf, (long)len, (long)cap, (long)deadline_ms,
			      sender_id);
}

/** Send the `len`-byte reply in `buf` to `dst_id`, then wait until `deadline_ms` for the next
 * request (or kernel notice), received into `rbuf` (`cap` >= NX_FRAME_MAX). */
static inline long nx_reply_wait(uint64_t dst_id, const void *buf, size_t len, void *rbuf, size_t cap,
				 uint64_t deadline_ms, uint64_t *sender_id)
{
	return nx_syscall_rx(NX_SYS_REPLY_WAIT, (long)dst_id, (long)buf, (long)len, (long)rbuf, (long)cap,
			     (long)deadline_ms, sender_id);
}

static inline long nx_spawn(const struct nx_spawn_args *args)
{
	return nx_syscall(NX_SYS_SPAWN, (long)args, 0, 0, 0, 0);
}

/** Start a task from the `len`-byte ELF image at `image` (NX_RIGHT_SPAWN; `args->image`
 * empty; results in nx/abi.h). */
static inline long nx_spawn_elf(const struct nx_spawn_args *args, const void *image, size_t len)
{
	return nx_syscall(NX_SYS_SPAWN_ELF, (long)args, (long)image, (long)len, 0, 0);
}

static inline long nx_kill(uint32_t task, unsigned reason)
{
	return nx_syscall(NX_SYS_KILL, (long)task, (long)reason, 0, 0, 0);
}

static inline long nx_set_qos(uint32_t task, unsigned qos)
{
	return nx_syscall(NX_SYS_SET_QOS, (long)task, (long)qos, 0, 0, 0);
}

static inline long nx_task_info(uint32_t task, struct nx_task_info *out)
{
	return nx_syscall(NX_SYS_TASK_INFO, (long)task, (long)out, 0, 0, 0);
}

/** Task id of the live task whose identity is `service_id`. */
static inline long nx_find(uint64_t service_id)
{
	return nx_syscall(NX_SYS_FIND, (long)service_id, 0, 0, 0, 0);
}

static inline long nx_mem_grow(unsigned pages)
{
	return nx_syscall(NX_SYS_MEM_GROW, (long)pages, 0, 0, 0, 0);
}

static inline long nx_rng_read(void *buf, size_t len, uint64_t deadline_ms)
{
	return nx_syscall(NX_SYS_RNG_READ, (long)buf, (long)len, (long)deadline_ms, 0, 0);
}

static inline long nx_kstats(struct nx_kstats *out)
{
	return nx_syscall(NX_SYS_KSTATS, (long)out, 0, 0, 0, 0);
}

static inline long nx_poweroff(int failure)
{
	return nx_syscall(NX_SYS_POWEROFF, failure, 0, 0, 0, 0);
}

/** Copy the kernel command line (NUL-terminated) into `buf`; returns its length. */
static inline long nx_bootargs(char *buf, size_t cap)
{
	return nx_syscall(NX_SYS_BOOTARGS, (long)buf, (long)cap, 0, 0, 0);
}

/** Take up to `cap` bytes of console input, waiting until `deadline_ms` for the first;
 * `flags`: 0 or NX_CONSOLE_KEEP_LINE (then 0 means another writer broke the caller's line). */
static inline long nx_console_read(void *buf, size_t cap, uint64_t deadline_ms, unsigned flags)
{
	return nx_syscall(NX_SYS_CONSOLE_READ, (long)buf, (long)cap, (long)deadline_ms, (long)flags, 0);
}

/** Attach `len` bytes (<= NX_ATTACH_MAX) to the next message this task sends; 0 drops them. */
static inline long nx_attach_stage(const void *buf, size_t len)
{
	return nx_syscall(NX_SYS_ATTACH_STAGE, (long)buf, (long)len, 0, 0, 0);
}

/** Take the attachment of the last message received into `buf`; returns its length (0: none). */
static inline long nx_attach_take(void *buf, size_t cap)
{
	return nx_syscall(NX_SYS_ATTACH_TAKE, (long)buf, (long)cap, 0, 0, 0);
}

/** The block device's capacity, limits and id (NX_RIGHT_BLK). */
static inline long nx_blk_info(struct nx_blk_info *out)
{
	return nx_syscall(NX_SYS_BLK_INFO, (long)out, 0, 0, 0, 0);
}

/** Read `count` sectors from `sector` into `buf` (NX_RIGHT_BLK; results in nx/abi.h). */
static inline long nx_blk_read(uint64_t sector, void *buf, uint32_t count)
{
	return nx_syscall(NX_SYS_BLK_READ, (long)sector, (long)buf, (long)count, 0, 0);
}

/** Write `count` sectors from `buf` at `sector` (NX_RIGHT_BLK; results in nx/abi.h). */
static inline long nx_blk_write(uint64_t sector, const void *buf, uint32_t count)
{
	return nx_syscall(NX_SYS_BLK_WRITE, (long)sector, (long)buf, (long)count, 0, 0);
}

/** Make every completed block write durable (NX_RIGHT_BLK). */
static inline long nx_blk_flush(void)
{
	return nx_syscall(NX_SYS_BLK_FLUSH, 0, 0, 0, 0, 0);
}

/** This task's id (its task-table slot), set at start-up. */
extern uint32_t nx_self_task;

#endif
