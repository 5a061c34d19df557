/*
 * Syscalls. Each handler gets the caller and its six argument registers and returns the
 * value for a0 (>= 0, or a negated NX_E* code), or KS_SYS_BLOCKED / KS_SYS_GONE.
 *
 * A handler never dereferences a user pointer: it uses ks_copyin/ks_copyout, and their
 * -NX_EFAULT ends the caller (cause NX_CAUSE_BAD_POINTER), as does an unknown number.
 */
#include "syscall.h"

#include <string.h>

#include "boot.h"
#include "blk.h"
#include "console.h"
#include "device.h"
#include "image.h"
#include "kalloc.h"
#include "riscv.h"
#include "sbi.h"
#include "sched.h"

typedef long (*sys_fn)(struct ks_task *t, const uint64_t *a);

/* Milliseconds to ticks, saturating (a deadline past the end of time never comes). */
static uint64_t ms_to_ticks(uint64_t ms)
{
	uint64_t ticks;
	return __builtin_mul_overflow(ms, (uint64_t)NX_TICKS_PER_MS, &ticks) ? UINT64_MAX : ticks;
}

static const char *const sys_names[NX_SYS_COUNT] = {
	[NX_SYS_EXIT] = "exit", [NX_SYS_WRITE] = "write", [NX_SYS_YIELD] = "yield",
	[NX_SYS_SLEEP_UNTIL] = "sleep_until", [NX_SYS_SEND] = "send", [NX_SYS_REPLY] = "reply",
	[NX_SYS_RECV] = "recv", [NX_SYS_SPAWN] = "spawn", [NX_SYS_KILL] = "kill",
	[NX_SYS_SET_QOS] = "set_qos", [NX_SYS_TASK_INFO] = "task_info", [NX_SYS_FIND] = "find",
	[NX_SYS_MEM_GROW] = "mem_grow", [NX_SYS_RNG_READ] = "rng_read", [NX_SYS_KSTATS] = "kstats",
	[NX_SYS_POWEROFF] = "poweroff", [NX_SYS_BOOTARGS] = "bootargs", [NX_SYS_CONSOLE_READ] = "console_read",
	[NX_SYS_CALL] = "call", [NX_SYS_REPLY_WAIT] = "reply_wait", [NX_SYS_WAIT] = "wait",
	[NX_SYS_ATTACH_STAGE] = "attach_stage", [NX_SYS_ATTACH_TAKE] = "attach_take",
	[NX_SYS_BLK_INFO] = "blk_info", [NX_SYS_BLK_READ] = "blk_read", [NX_SYS_BLK_WRITE] = "blk_write",
	[NX_SYS_BLK_FLUSH] = "blk_flush", [NX_SYS_SPAWN_ELF] = "spawn_elf",
};

/* Refuse a syscall the caller has no right to; counted and logged. */
static long deny(struct ks_task *t, unsigned nr)
{
	ks_count(&ks_stats.denied);
	ks_printf("kernel: denied %s for %s\n", sys_names[nr], t->name);
	return -NX_EDENIED;
}

static long sys_exit(struct ks_task *t, const uint64_t *a)
{
	ks_task_end(t, NX_REASON_NONE, NX_CAUSE_EXIT, 0, 0, (int)a[0]);
	return KS_SYS_GONE;
}

static long sys_write(struct ks_task *t, const uint64_t *a)
{
	char buf[NX_WRITE_MAX];
	size_t len = a[1];
	if (len > NX_WRITE_MAX)
		return -NX_EINVAL;
	int rc = ks_copyin(&t->space, buf, a[0], len);
	if (rc != 0)
		return rc;
	if (ks_console_write_from(t, buf, len))
		ks_dev_console_broken(t);
	return (long)len;
}

static long sys_yield(struct ks_task *t, const uint64_t *a)
{
	(void)a;
	ks_sched_yield(t);
	return 0;
}

/* Sleep until the deadline rounded up to the caller's slack: with slack S, wake-ups land
 * on multiples of S ms, so sleepers of one class share timer interrupts. Returns the time
 * (ms) of the timer event that woke the caller, or the current time if it did not sleep. */
static long sys_sleep_until(struct ks_task *t, const uint64_t *a)
{
	uint64_t ms = a[0];
	uint64_t slack = t->slack_ms[ks_sched_qos(t)];
	if (slack != 0 && ms <= UINT64_MAX - slack)
		ms = (ms + slack - 1) / slack * slack;
	uint64_t wake = ms_to_ticks(ms);
	uint64_t now = ks_now();
	if (now >= wake) {
		uint64_t at = t->woke_at != 0 ? t->woke_at : now;
		t->woke_at = 0;
		return (long)(at / NX_TICKS_PER_MS);
	}
	t->woke_at = 0;
	ks_count(&ks_stats.sleeps);
	ks_sched_block(t, KS_WAIT_SLEEP, wake);
	return KS_SYS_BLOCKED;
}

static long sys_send(struct ks_task *t, const uint64_t *a)
{
	return ks_ipc_send(t, a[0], NX_QUEUE_REQUEST, a[1], a[2], NULL);
}

static long sys_reply(struct ks_task *t, const uint64_t *a)
{
	return ks_ipc_send(t, a[0], NX_QUEUE_REPLY, a[1], a[2], NULL);
}

/*
 * Receive as t->rx says (the receiving syscalls write it first), or block: a blocked task's
 * t->rx is where a send that completes its receive puts the message. Every receive first
 * forgets the attachment received before (nx/abi.h): the message it takes brings its own.
 */
static long recv_or_block(struct ks_task *t, uint64_t queue, uint64_t deadline_ms)
{
	uint64_t deadline = ms_to_ticks(deadline_ms);
	int rc = ks_ipc_recv(t, (unsigned)queue, &t->rx, deadline);
	if (rc != KS_IPC_BLOCK)
		return rc;
	ks_sched_block(t, queue == NX_QUEUE_REPLY ? KS_WAIT_RECV_REPLY : KS_WAIT_RECV_REQ, deadline);
	return KS_SYS_BLOCKED;
}

static long sys_recv(struct ks_task *t, const uint64_t *a)
{
	t->rx = (struct ks_rx){ .buf = a[1], .cap = a[2], .info = a[4] };
	t->att_in_len = 0;
	return recv_or_block(t, a[0], a[3]);
}

static long sys_wait(struct ks_task *t, const uint64_t *a)
{
	t->rx = (struct ks_rx){ .buf = a[1], .cap = a[2], .sender_in_a1 = 1 };
	t->att_in_len = 0;
	return recv_or_block(t, a[0], a[3]);
}

/*
 * The fast path: send on `send_q`, then wait on the other queue into `rbuf`, in one trap.
 * From the send on, the syscall is an NX_SYS_WAIT: its registers are rewritten so that a
 * restart after a timeout or a wakeup waits again rather than sending again. When
 * the send completed a waiting receiver and the caller must wait now, the hart goes
 * straight to that receiver.
 */
static inline __attribute__((always_inline)) long send_then_wait_att(struct ks_task *t, const uint64_t *a,
								      unsigned send_q, uintptr_t rbuf, uint64_t cap,
								      uint64_t deadline_ms, uint32_t att_gen)
{
	if (cap < NX_FRAME_MAX)
		return -NX_EINVAL;
	struct ks_task *peer = NULL;
	long rc = ks_ipc_send_msg(t, a[0], send_q, a[1], a[2], &peer, att_gen);
	if (rc != 0)
		return rc;
	uint64_t *r = t->tf.regs;
	r[KS_TF_A0 + 7] = NX_SYS_WAIT;
	r[KS_TF_A0] = send_q == NX_QUEUE_REQUEST ? NX_QUEUE_REPLY : NX_QUEUE_REQUEST;
	r[KS_TF_A0 + 1] = rbuf;
	r[KS_TF_A0 + 2] = cap;
	r[KS_TF_A0 + 3] = deadline_ms;
	rc = sys_wait(t, &r[KS_TF_A0]);
	if (peer != NULL) {
		if (rc == KS_SYS_BLOCKED)
			ks_sched_handoff(t, peer);
		else
			ks_sched_wake(peer);
	}
	return rc;
}

/* Without an attachment: the fast path proper, one flattened frame. */
static __attribute__((flatten)) long send_then_wait(struct ks_task *t, const uint64_t *a, unsigned send_q,
						   uintptr_t rbuf, uint64_t cap, uint64_t deadline_ms)
{
	return send_then_wait_att(t, a, send_q, rbuf, cap, deadline_ms, 0);
}

/* With the caller's staged attachment (rare: bulk data, out of line). */
static __attribute__((noinline)) long send_then_wait_attached(struct ks_task *t, const uint64_t *a, unsigned send_q,
							      uintptr_t rbuf, uint64_t cap, uint64_t deadline_ms)
{
	return send_then_wait_att(t, a, send_q, rbuf, cap, deadline_ms, t->att_gen);
}

static long sys_call(struct ks_task *t, const uint64_t *a)
{
	if (t->att_staged)
		return send_then_wait_attached(t, a, NX_QUEUE_REQUEST, a[1], a[3], a[4]);
	return send_then_wait(t, a, NX_QUEUE_REQUEST, a[1], a[3], a[4]);
}

static long sys_reply_wait(struct ks_task *t, const uint64_t *a)
{
	if (t->att_staged)
		return send_then_wait_attached(t, a, NX_QUEUE_REPLY, a[3], a[4], a[5]);
	return send_then_wait(t, a, NX_QUEUE_REPLY, a[3], a[4], a[5]);
}

/* The fast path's one copy: four words per step when both ends are 8-byte aligned (frame
 * buffers are), then two, one, and byte by byte otherwise and for the tail; exactly `n`
 * bytes either way. */
static inline __attribute__((always_inline)) void copy_msg(uint8_t *d, const uint8_t *s, size_t n)
{
	typedef uint64_t __attribute__((may_alias)) word;
	if ((((uintptr_t)d | (uintptr_t)s) & 7u) == 0) {
		const uint8_t *const quads_end = s + (n & ~(size_t)31);
		for (; s != quads_end; d += 32, s += 32) {
			const word *const sw = (const word *)(const void *)s;
			word *const dw = (word *)(void *)d;
			const word w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
			dw[0] = w0;
			dw[1] = w1;
			dw[2] = w2;
			dw[3] = w3;
		}
		if (n & 16) {
			const word w0 = ((const word *)(const void *)s)[0], w1 = ((const word *)(const void *)s)[1];
			((word *)(void *)d)[0] = w0;
			((word *)(void *)d)[1] = w1;
			d += 16;
			s += 16;
		}
		if (n & 8) {
			*(word *)(void *)d = *(const word *)(const void *)s;
			d += 8;
			s += 8;
		}
		n &= 7;
	}
	for (const uint8_t *const end = s + n; s != end;)
		*d++ = *s++;
}

/*
 * The direct path of NX_SYS_CALL and NX_SYS_REPLY_WAIT (docs/kernel.md, "The IPC fast
 * path"): the peer already waits in NX_SYS_WAIT on the queue the message is for, the
 * caller's own receive will have to wait, and both buffers lie in one user page each. Then
 * the message is copied once, user page to user page, the peer's receive completes, the
 * caller blocks as an NX_SYS_WAIT and the hart switches straight to the peer; this does
 * not return. Every check of the general path is made first and nothing changes before
 * all have passed, so any other case returns here and the general path runs the syscall
 * from its start. `now` is the time of the trap; the arguments are the caller's registers
 * (`sbuf` is a1 for both, `rbuf` the buffer it receives into).
 */
static inline __attribute__((always_inline)) void ipc_direct(struct ks_hart *h, struct ks_task *t, uint64_t now,
								 int call, uint64_t dst_id, uintptr_t sbuf, size_t len,
								 uintptr_t rbuf, uint64_t cap, uint64_t deadline_ms)
{
	if (__builtin_expect(t->att_staged || len == 0 || len > NX_FRAME_MAX || cap < NX_FRAME_MAX, 0))
		return;
	/* The task the last message went to first: it is the one if it has that identity
	 * (identities are unique among live tasks; an ended task's is 0, and it waits for
	 * nothing, so the checks below send it to the general path), else the identity index
	 * answers. */
	struct ks_task *peer = t->peer_hint;
	if (__builtin_expect(peer == NULL || peer->service_id != dst_id, 0)) {
		peer = ks_task_by_id(dst_id);
		if (peer == NULL)
			return;
		t->peer_hint = peer;
	}
	/* The peer waits for this queue (a CALL's request, a REPLY_WAIT's reply) in NX_SYS_WAIT. */
	const struct ks_msgq *pq = call ? &peer->ep.req : &peer->ep.reply;
	if (__builtin_expect(peer->wait != (call ? KS_WAIT_RECV_REQ : KS_WAIT_RECV_REPLY) ||
				     !peer->rx.sender_in_a1 || peer->rx.cap < len || pq->count >= pq->cap,
			     0))
		return;
	/* The caller's receive must wait: nothing for it yet, its deadline ahead. */
	const struct ks_endpoint *ep = &t->ep;
	if (__builtin_expect((call ? ep->reply.count : ep->req.count + ep->ncount) != 0, 0))
		return;
	const uint64_t deadline = ms_to_ticks(deadline_ms);
	if (__builtin_expect(now >= deadline || !ks_sched_fast_handoff_ok(h, t, peer, now), 0))
		return;
	void *src, *dst;
	if (__builtin_expect(!ks_user_span(&t->space, sbuf, len, 0, &src) ||
				     !ks_user_span(&peer->space, peer->rx.buf, len, 1, &dst),
			     0))
		return;
	/* From here the caller is in NX_SYS_WAIT, as send_then_wait_att() leaves it (a CALL
	 * receives into a1, which stays), and waits as sys_wait() says (the sender goes to a1,
	 * so rx.info is never read). */
	uint64_t *r = &t->tf.regs[KS_TF_A0];
	r[7] = NX_SYS_WAIT;
	r[0] = call ? NX_QUEUE_REPLY : NX_QUEUE_REQUEST;
	if (!call)
		r[1] = rbuf;
	r[2] = cap;
	r[3] = deadline_ms;
	t->rx.buf = rbuf;
	t->rx.cap = cap;
	t->rx.sender_in_a1 = 1;
	t->att_in_len = 0;
	copy_msg(dst, src, len);
	uint64_t *pr = &peer->tf.regs[KS_TF_A0];
	pr[0] = len;
	pr[1] = t->service_id;
	peer->tf.sepc += 4;
	ks_sched_fast_handoff(h, t, peer, call ? KS_WAIT_RECV_REPLY : KS_WAIT_RECV_REQ, deadline, now);
}

/* The direct path once per syscall (`call` a constant: the arguments are found without a
 * test); the IPC trap entry (trap.c) inlines them. */
void ks_syscall_direct_call(struct ks_hart *h, struct ks_task *t, uint64_t now, uint64_t a0, uint64_t a1,
			    uint64_t a2, uint64_t a3, uint64_t a4)
{
	ipc_direct(h, t, now, 1, a0, a1, a2, a1, a3, a4);
}

void ks_syscall_direct_reply_wait(struct ks_hart *h, struct ks_task *t, uint64_t now, uint64_t a0, uint64_t a1,
				  uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	ipc_direct(h, t, now, 0, a0, a1, a2, a3, a4, a5);
}

/* A refused spawn: counted, whatever the reason but a denial. */
static long refused(long rc)
{
	ks_count(&ks_stats.spawn_refused);
	return rc;
}

/* Create the task `args` describes from the ELF image `img` (kernel memory), with `rights`. */
static long spawn(const struct nx_spawn_args *args, const uint8_t *img, size_t len, uint32_t rights)
{
	if (!ks_name_ok(args->name, sizeof args->name) || args->qos >= NX_QOS_COUNT ||
	    args->page_quota > NX_SPAWN_QUOTA_MAX || args->slack_fg_ms > NX_SPAWN_SLACK_MAX_MS ||
	    args->slack_bg_ms > NX_SPAWN_SLACK_MAX_MS)
		return refused(-NX_EINVAL);
	const struct ks_task_params p = {
		.img = img,
		.img_len = len,
		.name = args->name,
		.supervisor_id = args->supervisor_id,
		.rights = rights,
		.qos = args->qos,
		.page_quota = args->page_quota,
		.slack_fg_ms = args->slack_fg_ms,
		.slack_bg_ms = args->slack_bg_ms,
	};
	long rc = ks_task_create(&p);
	return rc < 0 ? refused(rc) : rc;
}

/* The boot task `args` restarts (nx/abi.h, "Spawning"): same name and image, asked by its
 * boot supervisor for itself. NULL: an ordinary spawn. */
static const struct ks_boot_task *boot_restart(const struct ks_task *t, const struct nx_spawn_args *args)
{
	if (args->supervisor_id != t->service_id || !ks_name_ok(args->name, sizeof args->name))
		return NULL;
	for (unsigned i = 0; i < ks_boot_task_count; i++) {
		const struct ks_boot_task *b = &ks_boot_tasks[i];
		if (b->supervisor_id == t->service_id && strcmp(b->name, args->name) == 0 &&
		    strcmp(b->image, args->image) == 0)
			return b;
	}
	return NULL;
}

static long sys_spawn(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_SPAWN))
		return deny(t, NX_SYS_SPAWN);
	struct nx_spawn_args args;
	int rc = ks_copyin(&t->space, &args, a[0], sizeof args);
	if (rc != 0)
		return rc;
	if (!ks_name_ok(args.image, sizeof args.image))
		return refused(-NX_EINVAL);
	const struct ks_image *im = ks_image_find(args.image);
	if (im == NULL)
		return refused(-NX_ENOENT);
	const struct ks_boot_task *b = boot_restart(t, &args);
	if (b != NULL) {
		args.qos = b->qos;
		args.page_quota = b->page_quota;
		args.slack_fg_ms = b->slack_fg_ms;
		args.slack_bg_ms = b->slack_bg_ms;
	}
	return spawn(&args, im->start, (size_t)(im->end - im->start), b != NULL ? b->rights : 0);
}

/* Where NX_SYS_SPAWN_ELF copies the image to: one caller at a time, under the big kernel lock. */
static uint8_t spawn_image[NX_SPAWN_ELF_MAX];

static long sys_spawn_elf(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_SPAWN))
		return deny(t, NX_SYS_SPAWN_ELF);
	struct nx_spawn_args args;
	int rc = ks_copyin(&t->space, &args, a[0], sizeof args);
	if (rc != 0)
		return rc;
	const size_t len = a[2];
	if (args.image[0] != '\0' || len == 0 || len > sizeof spawn_image)
		return refused(-NX_EINVAL);
	rc = ks_copyin(&t->space, spawn_image, a[1], len);
	if (rc != 0)
		return rc;
	return spawn(&args, spawn_image, len, 0);
}

static struct ks_task *task_arg(uint64_t slot)
{
	if (slot >= KS_MAX_TASKS || !ks_tasks[slot].used)
		return NULL;
	return &ks_tasks[slot];
}

static long sys_kill(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_KILL))
		return deny(t, NX_SYS_KILL);
	struct ks_task *victim = task_arg(a[0]);
	if (victim == NULL)
		return -NX_ENOENT;
	if (a[1] == NX_REASON_NONE || a[1] >= NX_REASON_COUNT)
		return -NX_EINVAL;
	ks_task_end(victim, (unsigned)a[1], NX_CAUSE_KILLED, 0, 0, 0);
	return victim == t ? KS_SYS_GONE : 0;
}

/* Moving another task takes NX_RIGHT_SET_QOS. Without it a task may move only
 * itself, and never above the class it was created in. */
static long sys_set_qos(struct ks_task *t, const uint64_t *a)
{
	struct ks_task *target = a[0] == NX_TASK_SELF ? t : task_arg(a[0]);
	if (target == NULL)
		return -NX_ENOENT;
	if (a[1] >= NX_QOS_COUNT)
		return -NX_EINVAL;
	if (!(t->rights & NX_RIGHT_SET_QOS) && (target != t || a[1] < t->base_qos))
		return deny(t, NX_SYS_SET_QOS);
	return ks_sched_set_qos(target, (unsigned)a[1]);
}

static long sys_task_info(struct ks_task *t, const uint64_t *a)
{
	const struct ks_task *x = task_arg(a[0]);
	if (x == NULL)
		return -NX_ENOENT;
	struct nx_task_info info;
	memset(&info, 0, sizeof info);
	memcpy(info.name, x->name, sizeof info.name);
	info.service_id = x->service_id;
	info.supervisor_id = x->supervisor_id;
	info.cpu_us = x->cpu_ticks / (NX_TICKS_PER_MS / 1000);
	info.state = x->hart >= 0 ? NX_TASK_RUNNING : x->wait != KS_WAIT_NONE ? NX_TASK_BLOCKED : NX_TASK_QUEUED;
	info.qos = ks_sched_qos(x);
	info.queue_pos = ks_sched_position(x);
	info.pages = x->space.pages;
	info.page_quota = x->space.quota;
	info.slack_ms = x->slack_ms[info.qos];
	info.req_queue_hwm = x->ep.req.hwm;
	info.burst_us = x->burst_ticks / (NX_TICKS_PER_MS / 1000);
	info.runs = x->runs;
	const uint64_t queued = info.state == NX_TASK_QUEUED ? ks_now() - x->queued_at : 0;
	info.wait_us = (x->wait_ticks + queued) / (NX_TICKS_PER_MS / 1000);
	return ks_copyout(&t->space, a[1], &info, sizeof info);
}

static long sys_find(struct ks_task *t, const uint64_t *a)
{
	(void)t;
	const struct ks_task *x = ks_task_by_id(a[0]);
	return x != NULL ? (long)ks_task_slot(x) : -NX_ENOENT;
}

#define MEM_GROW_MAX_PAGES 64u

/* Grow the heap. Running out of quota ends the task with kill reason oom. */
static long sys_mem_grow(struct ks_task *t, const uint64_t *a)
{
	if (a[0] == 0 || a[0] > MEM_GROW_MAX_PAGES)
		return -NX_EINVAL;
	uintptr_t old = t->space.brk;
	for (uint64_t i = 0; i < a[0]; i++) {
		void *page;
		int rc = ks_space_map(&t->space, t->space.brk, KS_PERM_R | KS_PERM_W, &page);
		if (rc == -NX_ENOMEM) {
			ks_printf("kernel: task %s ended: memory quota of %u pages exhausted\n", t->name,
				  (unsigned)t->space.quota);
			ks_task_end(t, NX_REASON_OOM, NX_CAUSE_QUOTA, t->space.brk, 0, 0);
			return KS_SYS_GONE;
		}
		if (rc != 0)
			return rc;
		t->space.brk += KS_PAGE_SIZE;
	}
	return (long)old;
}

static long sys_rng_read(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_RNG))
		return deny(t, NX_SYS_RNG_READ);
	return ks_dev_rng_read(t, a[0], a[1], ms_to_ticks(a[2]));
}

static long sys_kstats(struct ks_task *t, const uint64_t *a)
{
	ks_stats.console_dropped = ks_console_input_dropped();
	ks_stats.pages_free = ks_pages_free();
	struct nx_kstats k = ks_stats;
	for (unsigned i = 0; i < KS_MAX_HARTS; i++) {
		for (unsigned c = 0; c < NX_QOS_COUNT; c++)
			ks_kstats_add_direct(&k, i, c, ks_harts[i].direct[c]);
	}
	return ks_copyout(&t->space, a[0], &k, sizeof k);
}

static long sys_poweroff(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_POWEROFF))
		return deny(t, NX_SYS_POWEROFF);
	ks_sbi_shutdown(a[0] != 0);
}

static long sys_bootargs(struct ks_task *t, const uint64_t *a)
{
	size_t len = strlen(ks_bootargs) + 1;
	if (a[1] < len)
		return -NX_EINVAL;
	int rc = ks_copyout(&t->space, a[0], ks_bootargs, len);
	return rc != 0 ? rc : (long)(len - 1);
}

static long sys_console_read(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_CONSOLE))
		return deny(t, NX_SYS_CONSOLE_READ);
	return ks_dev_console_read(t, a[0], a[1], ms_to_ticks(a[2]), a[3]);
}

static long sys_attach_stage(struct ks_task *t, const uint64_t *a)
{
	return ks_ipc_attach_stage(t, a[0], a[1]);
}

static long sys_attach_take(struct ks_task *t, const uint64_t *a)
{
	return ks_ipc_attach_take(t, a[0], a[1]);
}

static long sys_blk_info(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_BLK))
		return deny(t, NX_SYS_BLK_INFO);
	return ks_blk_info(t, a[0]);
}

static long sys_blk_read(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_BLK))
		return deny(t, NX_SYS_BLK_READ);
	return ks_blk_read(t, a[0], a[1], a[2]);
}

static long sys_blk_write(struct ks_task *t, const uint64_t *a)
{
	if (!(t->rights & NX_RIGHT_BLK))
		return deny(t, NX_SYS_BLK_WRITE);
	return ks_blk_write(t, a[0], a[1], a[2]);
}

static long sys_blk_flush(struct ks_task *t, const uint64_t *a)
{
	(void)a;
	if (!(t->rights & NX_RIGHT_BLK))
		return deny(t, NX_SYS_BLK_FLUSH);
	return ks_blk_flush(t);
}

static const sys_fn sys_table[NX_SYS_COUNT] = {
	[NX_SYS_EXIT] = sys_exit,
	[NX_SYS_WRITE] = sys_write,
	[NX_SYS_YIELD] = sys_yield,
	[NX_SYS_SLEEP_UNTIL] = sys_sleep_until,
	[NX_SYS_SEND] = sys_send,
	[NX_SYS_REPLY] = sys_reply,
	[NX_SYS_RECV] = sys_recv,
	[NX_SYS_SPAWN] = sys_spawn,
	[NX_SYS_KILL] = sys_kill,
	[NX_SYS_SET_QOS] = sys_set_qos,
	[NX_SYS_TASK_INFO] = sys_task_info,
	[NX_SYS_FIND] = sys_find,
	[NX_SYS_MEM_GROW] = sys_mem_grow,
	[NX_SYS_RNG_READ] = sys_rng_read,
	[NX_SYS_KSTATS] = sys_kstats,
	[NX_SYS_POWEROFF] = sys_poweroff,
	[NX_SYS_BOOTARGS] = sys_bootargs,
	[NX_SYS_CONSOLE_READ] = sys_console_read,
	[NX_SYS_CALL] = sys_call,
	[NX_SYS_REPLY_WAIT] = sys_reply_wait,
	[NX_SYS_WAIT] = sys_wait,
	[NX_SYS_ATTACH_STAGE] = sys_attach_stage,
	[NX_SYS_ATTACH_TAKE] = sys_attach_take,
	[NX_SYS_BLK_INFO] = sys_blk_info,
	[NX_SYS_BLK_READ] = sys_blk_read,
	[NX_SYS_BLK_WRITE] = sys_blk_write,
	[NX_SYS_BLK_FLUSH] = sys_blk_flush,
	[NX_SYS_SPAWN_ELF] = sys_spawn_elf,
};

/* End the caller for a bad syscall number or pointer (out of line: rare). */
static __attribute__((noinline)) void end_caller(struct ks_task *t, uint64_t nr, unsigned cause)
{
	if (cause == NX_CAUSE_BAD_SYSCALL)
		ks_printf("kernel: task %s ended: bad syscall number %lu\n", t->name, (unsigned long)nr);
	else
		ks_printf("kernel: task %s ended: bad pointer in %s\n", t->name, sys_names[nr]);
	ks_count(&ks_stats.faults);
	ks_task_end(t, NX_REASON_CRASH, cause, cause == NX_CAUSE_BAD_SYSCALL ? nr : 0, t->tf.sepc, 0);
}

void ks_syscall(struct ks_task *t)
{
	uint64_t *r = t->tf.regs;
	uint64_t nr = r[KS_TF_A0 + 7];
	if (nr >= NX_SYS_COUNT) {
		end_caller(t, nr, NX_CAUSE_BAD_SYSCALL);
		return;
	}
	/* The arguments are read in place: a handler reads them before it changes registers. */
	long rc = sys_table[nr](t, &r[KS_TF_A0]);
	if (rc == KS_SYS_BLOCKED || rc == KS_SYS_GONE)
		return;
	if (rc == -NX_EFAULT) {
		end_caller(t, nr, NX_CAUSE_BAD_POINTER);
		return;
	}
	r[KS_TF_A0] = (uint64_t)rc;
	t->tf.sepc += 4;
}
