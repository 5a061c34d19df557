/*
 * Endpoints: bounded message queues with kernel-stamped sender identity, and attachments.
 * Callers hold the big kernel lock.
 *
 * Attachments (nx/abi.h): each task slot has an outgoing and an incoming buffer of
 * NX_ATTACH_MAX bytes. A staged attachment gets a new generation; the next message the
 * task sends records that generation, and delivery copies the sender's buffer to the
 * receiver's only if the sender still holds that generation (it has not staged again or
 * ended), so a queued message can never deliver bytes staged after it was sent.
 */
#include "ipc.h"

#include <string.h>

#include "console.h"
#include "sched.h"
#include "task.h"

static void q_init(struct ks_msgq *q, unsigned cap)
{
	q->head = 0;
	q->count = 0;
	q->cap = (uint8_t)cap;
	q->hwm = 0;
}

void ks_ipc_init(struct ks_endpoint *ep)
{
	q_init(&ep->req, KS_REQ_DEPTH);
	q_init(&ep->reply, KS_REPLY_DEPTH);
	ep->nhead = 0;
	ep->ncount = 0;
}

static struct ks_msgq *queue_of(struct ks_endpoint *ep, unsigned queue)
{
	return queue == NX_QUEUE_REPLY ? &ep->reply : &ep->req;
}

/* The messages of `queue` (its places, q->cap of them). */
static struct ks_msg *msgs_of(struct ks_endpoint *ep, unsigned queue)
{
	return queue == NX_QUEUE_REPLY ? ep->reply_m : ep->req_m;
}

static int deliver(struct ks_task *t, unsigned queue, const uint8_t *data, size_t len, uint64_t sender,
		   uint32_t att_gen, const struct ks_rx *rx);

static uint8_t att_out[KS_MAX_TASKS][NX_ATTACH_MAX] __attribute__((aligned(8)));
static uint8_t att_in[KS_MAX_TASKS][NX_ATTACH_MAX] __attribute__((aligned(8)));
/* The last generation handed out; generations are never 0. */
static uint32_t att_last_gen;

/*
 * `rcv` is blocked in a receive on `queue`: complete that syscall with this message, into
 * the buffers it recorded when it blocked (rcv->rx), so it resumes with its result instead
 * of trapping again to look; the caller wakes it. Fails (and the caller queues the message
 * instead) when its buffers cannot take it; the restarted syscall then answers.
 */
static int complete_recv(struct ks_task *rcv, unsigned queue, const uint8_t *data, size_t len, uint64_t sender,
			 uint32_t att_gen)
{
	if (deliver(rcv, queue, data, len, sender, att_gen, &rcv->rx) < 0)
		return -1;
	rcv->tf.regs[KS_TF_A0] = len;
	rcv->tf.sepc += 4;
	return 0;
}

static unsigned wait_for(unsigned queue)
{
	return queue == NX_QUEUE_REPLY ? KS_WAIT_RECV_REPLY : KS_WAIT_RECV_REQ;
}

int ks_ipc_send_msg(struct ks_task *from, uint64_t dst_id, unsigned queue, uintptr_t ubuf, size_t len,
		    struct ks_task **completed, uint32_t att_gen)
{
	if (len == 0 || len > NX_FRAME_MAX || queue > NX_QUEUE_REPLY)
		return -NX_EINVAL;
	struct ks_task *dst = ks_task_by_id(dst_id);
	if (dst == NULL)
		return -NX_ENOENT;
	struct ks_msgq *q = queue_of(&dst->ep, queue);
	if (q->count >= q->cap) {
		ks_count(&ks_stats.ipc_would_block);
		return -NX_EWOULDBLOCK;
	}
	uint8_t bounce[NX_FRAME_MAX];
	const uint8_t *data = ks_user_view(&from->space, ubuf, len, bounce);
	if (data == NULL)
		return -NX_EFAULT;
	ks_count(&ks_stats.ipc_sent);
	if (att_gen != 0) {
		/* Accepted: the attachment leaves with this message. */
		from->att_staged = 0;
		ks_count(&ks_stats.attach_sent);
	}
	const int waiting = dst->wait == wait_for(queue);
	if (waiting && complete_recv(dst, queue, data, len, from->service_id, att_gen) == 0) {
		if (completed != NULL)
			*completed = dst;
		else
			ks_sched_wake(dst);
		return 0;
	}
	struct ks_msg *m = &msgs_of(&dst->ep, queue)[(q->head + q->count) % q->cap];
	memcpy(m->data, data, len);
	m->sender = from->service_id;
	m->len = (uint32_t)len;
	m->att_gen = att_gen;
	q->count++;
	if (q->count > q->hwm)
		q->hwm = q->count;
	if (waiting)
		ks_sched_wake(dst);
	return 0;
}

int ks_ipc_send(struct ks_task *from, uint64_t dst_id, unsigned queue, uintptr_t ubuf, size_t len,
		struct ks_task **completed)
{
	return ks_ipc_send_msg(from, dst_id, queue, ubuf, len, completed, from->att_staged ? from->att_gen : 0);
}

/* The NOTIFY frame of `t`'s oldest exit notice, into `frame`. */
static void notice_frame(const struct ks_task *t, uint8_t frame[NX_EXIT_NOTICE_FRAME_LEN])
{
	nx_exit_notice_frame(&t->ep.notice[t->ep.nhead], t->service_id, frame);
}

/* Give `t` the attachment of generation `gen` from `sender`, if the sender still holds it
 * (out of line: rare, and the IPC fast path inlines the rest). */
static __attribute__((noinline)) void deliver_attachment(struct ks_task *t, uint64_t sender, uint32_t gen)
{
	const struct ks_task *from = ks_task_by_id(sender);
	if (from == NULL || from->att_gen != gen) {
		ks_count(&ks_stats.attach_lost);
		return;
	}
	memcpy(att_in[ks_task_slot(t)], att_out[ks_task_slot(from)], from->att_out_len);
	t->att_in_len = from->att_out_len;
	ks_count(&ks_stats.attach_delivered);
}

static int deliver(struct ks_task *t, unsigned queue, const uint8_t *data, size_t len, uint64_t sender,
		   uint32_t att_gen, const struct ks_rx *rx)
{
	if (rx->cap < len)
		return -NX_EINVAL;
	int rc = ks_copyout(&t->space, rx->buf, data, len);
	if (rc != 0)
		return rc;
	if (rx->sender_in_a1) {
		t->tf.regs[KS_TF_A0 + 1] = sender;
	} else {
		const struct nx_msg_info info = { .sender_id = sender, .len = (uint32_t)len, .queue = queue };
		rc = ks_copyout(&t->space, rx->info, &info, sizeof info);
		if (rc != 0)
			return rc;
	}
	if (att_gen != 0)
		deliver_attachment(t, sender, att_gen);
	ks_count(&ks_stats.ipc_delivered);
	return (int)len;
}

/* Deliver the oldest exit notice (out of line: rare, and the IPC fast path inlines the rest). */
static __attribute__((noinline)) int deliver_notice(struct ks_task *t, const struct ks_rx *rx)
{
	struct ks_endpoint *ep = &t->ep;
	uint8_t frame[NX_EXIT_NOTICE_FRAME_LEN];
	notice_frame(t, frame);
	int rc = deliver(t, NX_QUEUE_REQUEST, frame, sizeof frame, ks_service_id(NX_KERNEL_NAME), 0, rx);
	if (rc >= 0) {
		ep->nhead = (uint8_t)((ep->nhead + 1) % KS_MAX_TASKS);
		ep->ncount--;
	}
	return rc;
}

int ks_ipc_recv(struct ks_task *t, unsigned queue, const struct ks_rx *rx, uint64_t deadline)
{
	if (queue > NX_QUEUE_REPLY)
		return -NX_EINVAL;
	struct ks_endpoint *ep = &t->ep;
	if (queue == NX_QUEUE_REQUEST && ep->ncount > 0)
		return deliver_notice(t, rx);
	struct ks_msgq *q = queue_of(ep, queue);
	if (q->count > 0) {
		const struct ks_msg *m = &msgs_of(ep, queue)[q->head];
		int rc = deliver(t, queue, m->data, m->len, m->sender, m->att_gen, rx);
		if (rc >= 0) {
			q->head = (uint8_t)((q->head + 1) % q->cap);
			q->count--;
		}
		return rc;
	}
	if (ks_now() >= deadline)
		return -NX_ETIMEDOUT;
	return KS_IPC_BLOCK;
}

void ks_ipc_notify_exit(struct ks_task *sup, const struct nx_exit_notice *n)
{
	struct ks_endpoint *ep = &sup->ep;
	/* ks_task_create() reserves a place for every supervised task, so this cannot fill. */
	if (ep->ncount >= KS_MAX_TASKS)
		ks_panic("exit notice ring of %s overflowed\n", sup->name);
	ep->notice[(ep->nhead + ep->ncount) % KS_MAX_TASKS] = *n;
	ep->ncount++;
	ks_count(&ks_stats.notices_sent);
	if (sup->wait != KS_WAIT_RECV_REQ)
		return;
	uint8_t frame[NX_EXIT_NOTICE_FRAME_LEN];
	notice_frame(sup, frame);
	if (complete_recv(sup, NX_QUEUE_REQUEST, frame, sizeof frame, ks_service_id(NX_KERNEL_NAME), 0) == 0) {
		ep->nhead = (uint8_t)((ep->nhead + 1) % KS_MAX_TASKS);
		ep->ncount--;
	}
	ks_sched_wake(sup);
}

int ks_ipc_attach_stage(struct ks_task *t, uintptr_t ubuf, size_t len)
{
	if (len > NX_ATTACH_MAX)
		return -NX_EINVAL;
	/* A new generation first: a queued message with the old one must not see these bytes. */
	att_last_gen = att_last_gen == UINT32_MAX ? 1 : att_last_gen + 1;
	t->att_gen = att_last_gen;
	t->att_staged = 0;
	t->att_out_len = 0;
	if (len == 0)
		return 0;
	int rc = ks_copyin(&t->space, att_out[ks_task_slot(t)], ubuf, len);
	if (rc != 0)
		return rc;
	t->att_out_len = (uint16_t)len;
	t->att_staged = 1;
	return 0;
}

long ks_ipc_attach_take(struct ks_task *t, uintptr_t ubuf, size_t cap)
{
	const size_t len = t->att_in_len;
	if (len == 0)
		return 0;
	if (cap < len)
		return -NX_EINVAL;
	int rc = ks_copyout(&t->space, ubuf, att_in[ks_task_slot(t)], len);
	if (rc != 0)
		return rc;
	t->att_in_len = 0;
	return (long)len;
}
