/*
 * IPC endpoints. Every task has one: a bounded request queue, a bounded reply queue and a
 * bounded ring of exit notices (one place per task slot, so a notice can never be lost).
 *
 * The kernel carries opaque bytes (at most NX_FRAME_MAX) and stamps each message with the
 * sender's service id; it never reads a sender-written identity. A full queue answers
 * -NX_EWOULDBLOCK and keeps what it has: an accepted message is delivered exactly once.
 */
#ifndef KS_IPC_H
#define KS_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "nx/notice.h"

#define KS_REQ_DEPTH 8
#define KS_REPLY_DEPTH 4

struct ks_msg {
	uint64_t sender;
	uint32_t len;
	uint32_t att_gen; /* the sender's attachment generation it carries; 0: none */
	uint8_t data[NX_FRAME_MAX]; /* 8-byte aligned for word-wise copies */
};

/* A bounded queue's state; its messages are in the endpoint (ks_endpoint.req_m, reply_m). */
struct ks_msgq {
	uint8_t head;
	uint8_t count;
	uint8_t cap;
	uint8_t hwm; /* the most messages it has held at once */
};

/* The queues' states first, their messages after: the IPC fast path looks at the states
 * only, and they then lie at short offsets in struct ks_task. */
struct ks_endpoint {
	struct ks_msgq req;
	struct ks_msgq reply;
	uint8_t nhead;
	uint8_t ncount;
	struct ks_msg req_m[KS_REQ_DEPTH];
	struct ks_msg reply_m[KS_REPLY_DEPTH];
	struct nx_exit_notice notice[KS_MAX_TASKS];
};

struct ks_task;

/**
 * Where a receive puts the message it takes: `cap` bytes at user address `buf`, and the
 * sender's id in the receiver's a1 (NX_SYS_WAIT and the fast path) or in the nx_msg_info
 * at user address `info` (NX_SYS_RECV). A task blocked in a receive keeps its own in its
 * task structure (ks_task.rx), where a send that completes the receive finds it.
 */
struct ks_rx {
	uintptr_t buf;
	size_t cap;
	int sender_in_a1;
	uintptr_t info;
};

/** Empty endpoint for a new task. */
void ks_ipc_init(struct ks_endpoint *ep);

/**
 * Queue `len` bytes from user address `ubuf` of `from` on `queue` of the task `dst_id`.
 * When that task waits for `queue`, the message goes straight into its receive, which
 * completes: the task is woken, or, if `completed` is not NULL, left blocked and stored in
 * `*completed` for the caller to wake or switch to.
 * @retval 0 accepted
 * @retval -NX_EWOULDBLOCK the queue is full; nothing changed
 * @retval -NX_ENOENT no live task has that identity
 * @retval -NX_EINVAL len is 0 or above NX_FRAME_MAX, or queue unknown
 * @retval -NX_EFAULT ubuf is not readable (the caller is ended for it)
 */
int ks_ipc_send(struct ks_task *from, uint64_t dst_id, unsigned queue, uintptr_t ubuf, size_t len,
		struct ks_task **completed);

/**
 * ks_ipc_send() with the attachment stated: `att_gen` is `from`'s staged attachment
 * generation when it is staged, else 0 (the message carries none). The IPC fast path calls
 * it with a constant 0 when nothing is staged, so the attachment steps fold away there.
 */
int ks_ipc_send_msg(struct ks_task *from, uint64_t dst_id, unsigned queue, uintptr_t ubuf, size_t len,
		    struct ks_task **completed, uint32_t att_gen);

/** What ks_ipc_recv() returns when the caller must block: outside every length and error. */
#define KS_IPC_BLOCK (-0x10000)

/**
 * Take the next message of `queue` (exit notices first on the request queue) as `rx` says.
 * With nothing there: -NX_ETIMEDOUT once `deadline` (ticks) has passed, else KS_IPC_BLOCK
 * (the caller blocks, and its syscall either completes when a message comes straight to it
 * or runs again when it is woken).
 * @return bytes delivered, KS_IPC_BLOCK, or -NX_ETIMEDOUT, -NX_EINVAL (cap below the
 *         message's length; it stays queued), -NX_EFAULT
 */
int ks_ipc_recv(struct ks_task *t, unsigned queue, const struct ks_rx *rx, uint64_t deadline);

/** Queue an exit notice for the supervisor `sup` and wake it if it waits for requests. */
void ks_ipc_notify_exit(struct ks_task *sup, const struct nx_exit_notice *n);

/**
 * Stage `len` bytes from user address `ubuf` of `t` as the attachment of its next message
 * (len 0: drop the staged one). A new generation invalidates any earlier one still queued.
 * @retval 0 done
 * @retval -NX_EINVAL len above NX_ATTACH_MAX
 * @retval -NX_EFAULT ubuf is not readable
 */
int ks_ipc_attach_stage(struct ks_task *t, uintptr_t ubuf, size_t len);

/**
 * Copy `t`'s received attachment to user address `ubuf` (`cap` bytes) and forget it.
 * @return its length (0 if none)
 * @retval -NX_EINVAL cap below its length (it stays)
 * @retval -NX_EFAULT ubuf is not writable
 */
long ks_ipc_attach_take(struct ks_task *t, uintptr_t ubuf, size_t cap);

#endif
