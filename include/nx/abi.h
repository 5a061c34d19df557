/**
 * @file nx/abi.h
 * The kernel/user ABI of nxos: syscall numbers, error codes, rights, the timebase and the
 * structures syscalls exchange. The kernel (kernel-shim/) owns it; the user side
 * (src/ulib/ and everything above) derives from it. The message format is nx/frame.h, the
 * exit notice nx/notice.h, the error names src/abi/.
 *
 * Syscall convention: number in a7, arguments in a0..a5, result in a0 (a value >= 0 or a
 * negated NX_E* code). Errors are this project's own codes, never errno values (picolibc's
 * differ from Linux's); nx_strerror() names each one.
 *
 * A syscall given a user pointer that is not mapped for the access it needs, or an unknown
 * syscall number, is a fault: the kernel ends the task (kill reason NX_REASON_CRASH, cause
 * NX_CAUSE_BAD_SYSCALL or NX_CAUSE_BAD_POINTER) and goes on. Out-of-range values (an unknown
 * task id, a length above its limit) are answered with an error code instead.
 */
#ifndef NX_ABI_H
#define NX_ABI_H

#include <stdint.h>

#include "nx/frame.h"

/** Error codes returned (negated) by syscalls and kernel functions. */
enum nx_err {
	NX_OK = 0,
	NX_EINVAL = 1,      /**< an argument is out of range */
	NX_EFAULT = 2,      /**< a user pointer is not mapped for the access asked */
	NX_EFULL = 3,       /**< a bounded queue or table is full */
	NX_EWOULDBLOCK = 4, /**< the destination queue is full right now; retry later */
	NX_ETIMEDOUT = 5,   /**< the deadline passed */
	NX_ENOENT = 6,      /**< no such task, service or image */
	NX_EDENIED = 7,     /**< the caller lacks the authority */
	NX_ENOSYS = 8,      /**< no such syscall */
	NX_ENOMEM = 9,      /**< out of memory or over quota */
	NX_EIO = 10,        /**< the device reported an error */
	NX_EEMPTY = 11,     /**< nothing to take */
	NX_ENOEXEC = 12,    /**< not a valid task image: it breaks a rule of the ELF validator */
	NX_ENODATA = 13,    /**< the source has run dry: virtio-rng left a request unfilled past KS's bound */
	NX_ERR_COUNT        /**< number of codes; not an error */
};

/** Text for `err` (0 or a negative NX_E* code); "unknown error" for anything else. */
const char *nx_strerror(int err);

/**
 * Kernel rights a task may hold: boot tasks get theirs from the boot table (generated from
 * the system manifest); spawned tasks hold none.
 */
enum nx_right {
	NX_RIGHT_SPAWN = 1u << 0,    /**< NX_SYS_SPAWN, NX_SYS_SPAWN_ELF */
	NX_RIGHT_KILL = 1u << 1,     /**< NX_SYS_KILL */
	NX_RIGHT_SET_QOS = 1u << 2,  /**< NX_SYS_SET_QOS on another task */
	NX_RIGHT_RNG = 1u << 3,      /**< NX_SYS_RNG_READ */
	NX_RIGHT_POWEROFF = 1u << 4, /**< NX_SYS_POWEROFF */
	NX_RIGHT_CONSOLE = 1u << 5,  /**< NX_SYS_CONSOLE_READ */
	NX_RIGHT_BLK = 1u << 6,      /**< NX_SYS_BLK_INFO, _READ, _WRITE, _FLUSH: the block device */
};

/** Frequency of the `time` CSR, which U-mode may read (QEMU virt: 10 MHz). */
#define NX_TIMEBASE_HZ 10000000ULL
/** `time` ticks per millisecond. */
#define NX_TICKS_PER_MS (NX_TIMEBASE_HZ / 1000u)

/** Syscall numbers (a7). */
enum nx_sys {
	NX_SYS_EXIT = 0,        /**< (code): end the calling task; never returns */
	NX_SYS_WRITE = 1,       /**< (buf, len <= NX_WRITE_MAX): console output, one atomic write */
	NX_SYS_YIELD = 2,       /**< (): give the hart to the next runnable task of the same or a higher class */
	NX_SYS_SLEEP_UNTIL = 3, /**< (deadline_ms): sleep until the deadline rounded up to the caller's timer slack; returns the ms of the timer event that woke it */
	NX_SYS_SEND = 4,        /**< (dst_id, buf, len): queue a message on dst's request queue */
	NX_SYS_REPLY = 5,       /**< (dst_id, buf, len): queue a message on dst's reply queue */
	NX_SYS_RECV = 6,        /**< (queue, buf, cap, deadline_ms, info*): take the next message, waiting until the deadline */
	NX_SYS_SPAWN = 7,       /**< (const nx_spawn_args*): start a task from an image; NX_RIGHT_SPAWN */
	NX_SYS_KILL = 8,        /**< (task, reason): end a task with a kill reason; NX_RIGHT_KILL */
	NX_SYS_SET_QOS = 9,     /**< (task or NX_TASK_SELF, class): move a task between QoS classes (another task: NX_RIGHT_SET_QOS only; itself: not above its creation class) */
	NX_SYS_TASK_INFO = 10,  /**< (task, nx_task_info*): what the kernel knows of a task */
	NX_SYS_FIND = 11,       /**< (service_id): task id of the live task with that identity */
	NX_SYS_MEM_GROW = 12,   /**< (pages): map more zeroed heap pages; returns the old break */
	NX_SYS_RNG_READ = 13,   /**< (buf, len, deadline_ms): entropy from virtio-rng; NX_RIGHT_RNG; -NX_ENODATA once a request stayed unfilled NX_RNG_DRY_MS (see below) */
	NX_SYS_KSTATS = 14,     /**< (nx_kstats*): kernel counters */
	NX_SYS_POWEROFF = 15,   /**< (failure): power the machine off; NX_RIGHT_POWEROFF */
	NX_SYS_BOOTARGS = 16,   /**< (buf, cap): the kernel command line (device tree /chosen/bootargs) */
	NX_SYS_CONSOLE_READ = 17, /**< (buf, cap, deadline_ms, flags): UART input, waiting until the deadline; NX_RIGHT_CONSOLE (flags: NX_CONSOLE_KEEP_LINE) */
	NX_SYS_CALL = 18,       /**< (dst_id, buf, len, cap >= NX_FRAME_MAX, deadline_ms): NX_SYS_SEND, then NX_SYS_WAIT on the reply queue into buf (see below) */
	NX_SYS_REPLY_WAIT = 19, /**< (dst_id, buf, len, rbuf, cap >= NX_FRAME_MAX, deadline_ms): NX_SYS_REPLY, then NX_SYS_WAIT on the request queue into rbuf */
	NX_SYS_WAIT = 20,       /**< (queue, buf, cap, deadline_ms): NX_SYS_RECV that returns the sender id in a1 instead of writing an nx_msg_info */
	NX_SYS_ATTACH_STAGE = 21, /**< (buf, len <= NX_ATTACH_MAX): the next message this task sends carries these bytes (see below) */
	NX_SYS_ATTACH_TAKE = 22,  /**< (buf, cap): the attachment of the last message this task received; returns its length */
	NX_SYS_BLK_INFO = 23,   /**< (nx_blk_info*): the block device's size, limits and id; NX_RIGHT_BLK only */
	NX_SYS_BLK_READ = 24,   /**< (sector, buf, count): read count sectors into buf (see below); NX_RIGHT_BLK only */
	NX_SYS_BLK_WRITE = 25,  /**< (sector, buf, count): write count sectors from buf (see below); NX_RIGHT_BLK only */
	NX_SYS_BLK_FLUSH = 26,  /**< (): make every completed write durable (see below); NX_RIGHT_BLK only */
	NX_SYS_SPAWN_ELF = 27,  /**< (const nx_spawn_args*, image, len): start a task from ELF bytes (see below); NX_RIGHT_SPAWN */
	NX_SYS_COUNT
};

/*
 * The IPC fast path. NX_SYS_CALL (a client) and NX_SYS_REPLY_WAIT (a server) each do a send
 * and the receive that follows it in one trap; when the receiver of the send is waiting and
 * the caller must now wait, the kernel switches straight to it. Results, in a0:
 *   >= 0             the length received; a1 holds the sender's kernel-stamped service id
 *   -NX_EINVAL       bad length, or cap below NX_FRAME_MAX: nothing sent, nothing received
 *   -NX_EWOULDBLOCK, -NX_ENOENT   the send failed as NX_SYS_SEND would: nothing received
 *   -NX_ETIMEDOUT    sent, but nothing arrived by the deadline
 * A caller that waits resumes as NX_SYS_WAIT: the kernel rewrites a0..a3 and a7, so the
 * wrappers treat those registers as clobbered.
 */

/*
 * Attachments: bulk data of up to NX_ATTACH_MAX bytes that rides with one message.
 *   NX_SYS_ATTACH_STAGE(buf, len) copies the bytes into the kernel (len 0: drop what is
 *   staged); the next message the task sends (send, reply, call or reply_wait) that the
 *   kernel accepts carries them. Staging again before that message is delivered replaces
 *   the attachment: the earlier message is then delivered without one. So is a message
 *   whose sender ended before delivery. Results: 0, -NX_EINVAL (len above NX_ATTACH_MAX).
 *   Every receive (recv, wait, and the receive of call and reply_wait) forgets the
 *   attachment received before; the message it takes brings its own, if it has one.
 *   NX_SYS_ATTACH_TAKE(buf, cap) copies it out once and returns its length (0: the last
 *   message had none, or it was taken), or -NX_EINVAL when cap is below its length (it
 *   stays). Bad pointers end the caller as for every syscall.
 */

/*
 * Spawning. NX_SYS_SPAWN starts a task from an image built into the kernel, named by
 * args->image; NX_SYS_SPAWN_ELF from the `len`-byte ELF image at user address `image`, which
 * the kernel copies (1..NX_SPAWN_ELF_MAX bytes) and checks completely (every rule of the ELF
 * validator, docs/kernel.md) before it maps any of it; its args->image must be empty. Both
 * give the new task the name, supervisor, QoS class, page quota and timer slack of `args`,
 * and no rights. One exception restarts a boot service: an NX_SYS_SPAWN whose args name a
 * task of the boot table (name and image as there), by the caller the boot table names as
 * its supervisor and with that caller as supervisor, recreates the task exactly as the boot
 * table says (its rights, QoS class, page quota and slack; `args`' other fields are ignored).
 * The kernel decides nothing: the supervisor chooses when. Results, in a0:
 *   >= 0         the new task's id
 *   -NX_EDENIED  the caller lacks NX_RIGHT_SPAWN (counted in nx_kstats.denied)
 *   -NX_EINVAL   a name that is empty or lacks its NUL, a name already taken, a QoS class,
 *                quota or slack out of range; NX_SYS_SPAWN_ELF: len 0 or above
 *                NX_SPAWN_ELF_MAX, or args->image not empty
 *   -NX_ENOENT   NX_SYS_SPAWN: no built-in image of that name
 *   -NX_ENOEXEC  the image breaks a rule of the ELF validator
 *   -NX_ENOMEM   the image needs more pages than the quota, or RAM ran out while mapping it
 *   -NX_EFULL    the task table, the QoS class or the supervisor's room for exit notices is full
 * Every refusal but -NX_EDENIED is counted in nx_kstats.spawn_refused and leaves nothing
 * behind: no task, no page. An `args` or `image` not mapped readable ends the caller.
 */

/**
 * Entropy. NX_SYS_RNG_READ posts one request to virtio-rng and waits for it until the
 * caller's deadline (-NX_ETIMEDOUT; the request stays posted, and a later read takes its
 * bytes). A request the device has left unfilled for NX_RNG_DRY_MS of guest time means the
 * source ran dry: that read and every later one answer -NX_ENODATA at once, whatever their
 * deadline, until the device fills the request.
 */
#define NX_RNG_DRY_MS 200u

/** Largest image NX_SYS_SPAWN_ELF takes (bytes). */
#define NX_SPAWN_ELF_MAX 65536u /* 64 KiB */
/** Largest page quota a spawn may give (pages); 0 means the kernel's default. */
#define NX_SPAWN_QUOTA_MAX 1024u
/** Largest timer slack a spawn may give (ms). */
#define NX_SPAWN_SLACK_MAX_MS 60000u

/*
 * The block device (virtio-blk, kernel-shim/blk.c). Sectors are NX_BLK_SECTOR_SIZE bytes;
 * a read or write moves 1..NX_BLK_MAX_SECTORS sectors, all below the capacity. The device
 * serves one request at a time and the call returns once the device has completed it (a
 * write then reached the device; it is durable once a later NX_SYS_BLK_FLUSH returned 0).
 * Results, in a0:
 *   0                done
 *   -NX_EDENIED      the caller lacks NX_RIGHT_BLK (counted in nx_kstats.denied)
 *   -NX_EINVAL       count is 0 or above NX_BLK_MAX_SECTORS, or sector + count passes the
 *                    capacity
 *   -NX_ENOENT       there is no block device
 *   -NX_EIO          the device answered IOERR; or it misbehaved, and is then failed for
 *                    good: every later request answers -NX_EIO
 *   -NX_ENOSYS       the device answered UNSUPP: it does not support the request
 * The refusals (-NX_EINVAL, -NX_ENOENT, and -NX_EIO from a failed device)
 * reach no device and are counted in nx_kstats.blk.refused. A buffer that is not mapped for
 * the access ends the caller (NX_CAUSE_BAD_POINTER): a write's before it reaches the
 * device, a read's after the device has read.
 */

/** Bytes per sector of the block syscalls. */
#define NX_BLK_SECTOR_SIZE 512
/** Most sectors one NX_SYS_BLK_READ or NX_SYS_BLK_WRITE moves (32 KiB). */
#define NX_BLK_MAX_SECTORS 64
/** Longest device id in nx_blk_info (virtio-blk GET_ID), without the NUL. */
#define NX_BLK_ID_MAX 20

/** Longest kernel command line kept (bytes, with the NUL). */
#define NX_BOOTARGS_MAX 128

/** Largest single console write (bytes). */
#define NX_WRITE_MAX 256
/** NX_SYS_CONSOLE_READ flag: the caller is editing a line it has echoed. Output of any other
 * writer then starts on a fresh line instead of inside the echo, and the read returns 0
 * (no bytes) once that happened, so the caller can redraw its line. */
#define NX_CONSOLE_KEEP_LINE 1u
/** Task argument of NX_SYS_SET_QOS meaning "the caller". */
#define NX_TASK_SELF 0xFFFFFFFFu
/** Deadline meaning "do not wait" (recv returns at once). */
#define NX_DEADLINE_NOW 0u
/** Task ids run from 0 to NX_TASK_MAX - 1 (the kernel's task table). */
#define NX_TASK_MAX 32

/** Queues of a task's endpoint, for NX_SYS_RECV. */
enum nx_queue {
	NX_QUEUE_REQUEST = 0, /**< requests from clients, and kernel notifications (first) */
	NX_QUEUE_REPLY = 1,   /**< replies to this task's own requests */
};

/** QoS classes (scheduling priority and timer slack), highest first. */
enum nx_qos {
	NX_QOS_SYS = 0,
	NX_QOS_FG = 1,
	NX_QOS_BG = 2,
	NX_QOS_IDLE = 3,
	NX_QOS_COUNT
};

/** Kill reasons, in the lifecycle core's order. */
enum nx_reason {
	NX_REASON_NONE = 0,
	NX_REASON_CRASH = 1,
	NX_REASON_POLICY = 2,
	NX_REASON_OOM = 3,
	NX_REASON_SIGNAL = 4,
	NX_REASON_REQUEST = 5,
	NX_REASON_COUNT
};

/** Why a task ended, as the kernel saw it. */
enum nx_cause {
	NX_CAUSE_EXIT = 0,          /**< it called NX_SYS_EXIT */
	NX_CAUSE_KILLED = 1,        /**< NX_SYS_KILL */
	NX_CAUSE_ILLEGAL_INSN = 2,  /**< illegal instruction */
	NX_CAUSE_MISALIGNED = 3,    /**< misaligned access */
	NX_CAUSE_ACCESS_FAULT = 4,  /**< access fault */
	NX_CAUSE_PAGE_FAULT = 5,    /**< page fault: unmapped, or kernel memory */
	NX_CAUSE_BAD_SYSCALL = 6,   /**< unknown syscall number */
	NX_CAUSE_BAD_POINTER = 7,   /**< a syscall got an unusable user pointer */
	NX_CAUSE_QUOTA = 8,         /**< memory quota exhausted (reason oom) */
	NX_CAUSE_BREAKPOINT = 9,    /**< ebreak */
	NX_CAUSE_COUNT
};

/** Arguments of NX_SYS_SPAWN. */
struct nx_spawn_args {
	char image[NX_NAME_MAX + 1]; /**< NX_SYS_SPAWN: image built into the kernel, NUL-terminated;
					  NX_SYS_SPAWN_ELF: empty (first byte NUL) */
	char name[NX_NAME_MAX + 1];  /**< service name of the new task (its identity) */
	uint64_t supervisor_id;      /**< service that receives the exit notification */
	uint32_t qos;                /**< initial nx_qos class */
	uint32_t page_quota;         /**< pages the task may use, <= NX_SPAWN_QUOTA_MAX; 0 = kernel default */
	uint32_t slack_fg_ms;        /**< timer slack while FG, <= NX_SPAWN_SLACK_MAX_MS */
	uint32_t slack_bg_ms;        /**< timer slack while BG or IDLE, <= NX_SPAWN_SLACK_MAX_MS */
};

/** Message metadata from NX_SYS_RECV. */
struct nx_msg_info {
	uint64_t sender_id; /**< kernel-stamped sender_service_id (FNV-1a-64 of its name) */
	uint32_t len;       /**< bytes delivered */
	uint32_t queue;     /**< nx_queue it came from */
};

/** Task states in nx_task_info. */
enum nx_task_state {
	NX_TASK_FREE = 0,
	NX_TASK_QUEUED = 1,
	NX_TASK_RUNNING = 2,
	NX_TASK_BLOCKED = 3,
};

/** NX_SYS_TASK_INFO result. */
struct nx_task_info {
	char name[NX_NAME_MAX + 1];
	uint64_t service_id;
	uint64_t supervisor_id;
	uint64_t cpu_us;      /**< CPU time used, from `time` at each switch */
	uint32_t state;       /**< nx_task_state */
	uint32_t qos;         /**< nx_qos */
	int32_t queue_pos;    /**< position in its run queue, -1 if not queued */
	uint32_t pages;       /**< pages in use */
	uint32_t page_quota;
	uint32_t slack_ms;    /**< timer slack of its current class */
	uint64_t burst_us;    /**< CPU time used since it last blocked: preemption and yields do not end a burst */
	uint64_t wait_us;     /**< time it spent runnable but waiting for a hart, since it was created */
	uint32_t req_queue_hwm; /**< the most messages its request queue has held at once (at most
				     its depth, 8); messages handed straight to a waiting receive
				     never enter the queue */
	uint64_t runs;        /**< times it was given a hart (a 64-bit count: it does not wrap) */
};

/** NX_SYS_BLK_INFO result. */
struct nx_blk_info {
	uint64_t sectors;            /**< capacity in sectors */
	uint32_t sector_size;        /**< NX_BLK_SECTOR_SIZE */
	uint32_t max_sectors;        /**< NX_BLK_MAX_SECTORS */
	char id[NX_BLK_ID_MAX + 4];  /**< the device's id, NUL-terminated and NUL-padded */
};

/** Block device counters in nx_kstats (all saturate, never wrap). */
struct nx_blk_stats {
	uint64_t requests;        /**< requests posted to the device (reads, writes, flushes, the id at boot) */
	uint64_t sectors_read;    /**< sectors of reads completed OK */
	uint64_t sectors_written; /**< sectors of writes completed OK */
	uint64_t flushes;         /**< flushes completed OK */
	uint64_t refused;         /**< block syscalls refused before reaching the device */
	uint64_t errors;          /**< requests that did not complete OK (IOERR, UNSUPP, a misbehaving device) */
	uint64_t late;            /**< requests the transcript may depend on the host's speed for: posted
				       while another hart had not parked (more than one hart), or (blkprobe)
				       not complete after the settle; each was finished all the same */
};

/** Harts the kernel serves at most (QEMU -smp 1..4); hart ids are 0..NX_MAX_HARTS-1. */
#define NX_MAX_HARTS 4

/** NX_SYS_KSTATS result: kernel counters (all saturate, never wrap) and two gauges. */
struct nx_kstats {
	uint64_t timer_irqs;       /**< timer interrupts taken */
	uint64_t timer_wake_irqs;  /**< ... that woke at least one sleeper */
	uint64_t sleeps;           /**< NX_SYS_SLEEP_UNTIL calls that slept */
	uint64_t ipc_sent;         /**< messages accepted into a queue */
	uint64_t ipc_delivered;    /**< messages taken by a receiver */
	uint64_t ipc_would_block;  /**< sends refused because the queue was full */
	uint64_t denied;           /**< syscalls refused for lack of authority */
	uint64_t faults;           /**< tasks ended by a fault */
	uint64_t tasks_spawned;
	uint64_t tasks_ended;
	uint64_t notices_sent;     /**< exit notifications queued */
	uint64_t context_switches;
	uint64_t ipis;
	uint64_t console_dropped;  /**< console input bytes dropped: the input ring was full */
	uint64_t handoffs;         /**< context switches straight to an IPC receiver (fast path) */
	uint64_t attach_sent;      /**< accepted messages that carried an attachment */
	uint64_t attach_delivered; /**< attachments copied to a receiver */
	uint64_t attach_lost;      /**< messages delivered without their attachment (restaged, or sender ended) */
	struct nx_blk_stats blk;   /**< the block device */
	uint64_t spawn_refused;    /**< NX_SYS_SPAWN and NX_SYS_SPAWN_ELF calls refused (not the denials) */
	uint64_t pages_free;       /**< a gauge, not a counter: free physical pages at the call */
	uint64_t harts_online;     /**< a gauge: harts the kernel started (1..NX_MAX_HARTS) */
	/** Per hart id and QoS class: switches of that hart into a task of that class. */
	uint64_t qos_runs[NX_MAX_HARTS][NX_QOS_COUNT];
	/** Per QoS class: switches into a task of that class while another hart was running a
	 * task of the same class (both tasks of one class on harts at the same moment). */
	uint64_t qos_parallel[NX_QOS_COUNT];
};

#endif
