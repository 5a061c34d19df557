#include "fake_transport.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"

static void count_call(unsigned *calls, const char *op)
{
	if (++*calls > FAKE_CALLS_LIMIT)
		fail_msg("%s called more than %u times: expected the helper's loop to be bounded", op,
			 FAKE_CALLS_LIMIT);
}

static int fake_send(void *ctx, uint64_t dst_id, const uint8_t *frame, size_t len)
{
	struct fake *f = ctx;
	size_t i = f->sends;
	count_call(&f->sends, "send");
	f->now += f->send_cost_ms;
	f->last_dst = dst_id;
	assert_true(len <= sizeof(f->last_frame));
	memcpy(f->last_frame, frame, len);
	f->last_len = len;
	return i < f->n_send_script ? f->send_script[i] : f->send_then;
}

static void note_deadline(struct fake *f, uint64_t deadline_ms)
{
	if (f->recvs == 0)
		f->first_deadline = deadline_ms;
	else if (deadline_ms != f->first_deadline)
		f->deadlines_differ = true;
	if (deadline_ms > f->max_deadline)
		f->max_deadline = deadline_ms;
}

static const struct fake_delivery *next_due(struct fake *f, uint64_t deadline_ms)
{
	if (f->n_deliveries == 0)
		return NULL;
	size_t i = f->next_delivery;
	if (i >= f->n_deliveries) {
		if (!f->repeat_last)
			return NULL;
		i = f->n_deliveries - 1;
	} else {
		f->next_delivery++;
	}
	const struct fake_delivery *d = &f->deliveries[i];
	if (d->at_ms > deadline_ms) {
		f->next_delivery = i; /* still queued for a later call */
		return NULL;
	}
	return d;
}

static int fake_recv_reply(void *ctx, uint8_t *buf, size_t cap, uint64_t deadline_ms, size_t *len,
			   uint64_t *sender_id)
{
	struct fake *f = ctx;
	note_deadline(f, deadline_ms);
	count_call(&f->recvs, "recv_reply");
	const struct fake_delivery *d = next_due(f, deadline_ms);
	if (d == NULL) {
		if (f->now < deadline_ms)
			f->now = deadline_ms; /* waited until the deadline */
		return IPC_T_TIMEOUT;
	}
	if (f->now < d->at_ms)
		f->now = d->at_ms;
	if (d->err != 0)
		return d->err;
	memcpy(buf, d->bytes, d->len < cap ? d->len : cap); /* report d->len even when cut */
	*len = d->len;
	*sender_id = d->sender;
	return 0;
}

/* The combined op behaves exactly as send followed, once accepted, by recv_reply. */
static int fake_call(void *ctx, uint64_t dst_id, uint8_t *buf, size_t len, size_t cap, uint64_t deadline_ms,
		     size_t *rlen, uint64_t *sender_id)
{
	struct fake *f = ctx;
	count_call(&f->calls, "call");
	int rc = fake_send(ctx, dst_id, buf, len);
	if (rc != 0)
		return rc;
	return fake_recv_reply(ctx, buf, cap, deadline_ms, rlen, sender_id);
}

static uint64_t fake_now_ms(void *ctx)
{
	struct fake *f = ctx;
	count_call(&f->now_reads, "now_ms");
	uint64_t t = f->now;
	f->now += f->now_cost_ms;
	return t;
}

static void fake_yield(void *ctx)
{
	struct fake *f = ctx;
	count_call(&f->yields, "yield");
	f->now += f->yield_cost_ms;
}

void fake_init(struct fake *f, uint64_t now)
{
	memset(f, 0, sizeof(*f));
	f->now = now;
}

void fake_sends(struct fake *f, const int *results, size_t n)
{
	assert_true(f->n_send_script + n <= FAKE_SENDS_MAX);
	memcpy(&f->send_script[f->n_send_script], results, n * sizeof(*results));
	f->n_send_script += n;
}

static struct fake_delivery *add_delivery(struct fake *f, uint64_t at_ms, uint64_t sender)
{
	assert_true(f->n_deliveries < FAKE_REPLIES_MAX);
	struct fake_delivery *d = &f->deliveries[f->n_deliveries++];
	memset(d, 0, sizeof(*d));
	d->at_ms = at_ms;
	d->sender = sender;
	return d;
}

void fake_raw(struct fake *f, uint64_t at_ms, uint64_t sender, const uint8_t *bytes, size_t len)
{
	assert_true(len <= FAKE_FRAME_CAP);
	struct fake_delivery *d = add_delivery(f, at_ms, sender);
	d->len = len;
	memcpy(d->bytes, bytes, len);
}

void fake_msg(struct fake *f, uint64_t at_ms, uint64_t sender, const struct ipc_msg *m)
{
	struct fake_delivery *d = add_delivery(f, at_ms, sender);
	expect_err("encode scripted frame", 0, ipc_msg_encode(m, d->bytes, sizeof(d->bytes), &d->len));
}

void fake_reply(struct fake *f, uint64_t at_ms, uint64_t sender, uint32_t nonce, uint16_t status,
		size_t data_len)
{
	uint8_t data[IPC_DATA_MAX];
	assert_true(data_len <= sizeof(data));
	memset(data, 0xA5, sizeof(data));
	const struct ipc_msg m = {
		.src = sender,
		.type = IPC_TYPE_REPLY,
		.nonce = nonce,
		.status = status,
		.data = data,
		.data_len = data_len,
	};
	fake_msg(f, at_ms, sender, &m);
}

void fake_recv_error(struct fake *f, uint64_t at_ms, int err)
{
	add_delivery(f, at_ms, 0)->err = err;
}

struct ipc_transport fake_transport(struct fake *f)
{
	f->ops = (struct ipc_transport_ops){
		.send = fake_send,
		.recv_reply = fake_recv_reply,
		.call = f->with_call ? fake_call : NULL,
		.now_ms = fake_now_ms,
		.yield = f->no_yield ? NULL : fake_yield,
	};
	return (struct ipc_transport){ .ops = &f->ops, .ctx = f };
}

struct ipc_msg fake_last_request(const struct fake *f)
{
	struct ipc_msg m;
	expect_err("decode the frame sent", 0, ipc_msg_decode(f->last_frame, f->last_len, &m));
	return m;
}
