/*
 * timed: time for clients, with QoS timer slack.
 *   now:   -> reply: u64 milliseconds since boot
 *   sleep: ms u32 (1..TIMED_SLEEP_MAX_MS) -> reply, once the time has come: u64 wake time.
 * The wake time is now + ms rounded up to the caller's timer slack (its task's current QoS
 * class: FG 5 ms, BG 200 ms by default), so BG clients' timers coalesce. At most
 * TIMED_MAX_PENDING sleeps wait at once; more are refused with FULL.
 */
#include <stdio.h>

#include "ipc/wire.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

#define TIMED_MAX_PENDING 8
#define TIMED_SLEEP_MAX_MS 1000 /* below the RFC-0025 default deadline of 2 s */

struct pending {
	int used;
	uint64_t wake_ms;
	struct nx_request req;
};

struct timed {
	struct nx_server srv;
	struct pending p[TIMED_MAX_PENDING];
};

static uint64_t slack_of(uint64_t sender)
{
	struct nx_task_info info;
	long task = nx_find(sender);
	if (task < 0 || nx_task_info((uint32_t)task, &info) != 0)
		return 0;
	return info.slack_ms;
}

static uint16_t do_sleep(struct timed *td, const struct nx_request *r)
{
	uint32_t ms;
	if (r->len != 4 || ipc_get_u32(r->data, r->len, 0, &ms) != 0 || ms == 0 || ms > TIMED_SLEEP_MAX_MS)
		return IPC_STATUS_MALFORMED;
	for (unsigned i = 0; i < TIMED_MAX_PENDING; i++) {
		struct pending *p = &td->p[i];
		if (p->used)
			continue;
		uint64_t slack = slack_of(r->sender);
		uint64_t wake = nx_now_ms() + ms;
		if (slack != 0)
			wake = (wake + slack - 1) / slack * slack;
		p->used = 1;
		p->wake_ms = wake;
		p->req = *r;
		p->req.data = NULL;
		p->req.len = 0;
		return NX_REPLY_DEFERRED;
	}
	return IPC_STATUS_FULL;
}

static uint16_t timed_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct timed *td = ctx;
	switch (r->op) {
	case TIMED_OP_NOW:
		if (ipc_put_u64(out, IPC_DATA_MAX, 0, nx_now_ms()) != 0)
			return IPC_STATUS_MALFORMED;
		*out_len = 8;
		return IPC_STATUS_OK;
	case TIMED_OP_SLEEP:
		return do_sleep(td, r);
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

/* Answer every sleep that is due; return the earliest wake time still pending. */
static uint64_t fire_due(struct timed *td, uint64_t now)
{
	uint64_t next = now + NX_SERVE_IDLE_MS;
	for (unsigned i = 0; i < TIMED_MAX_PENDING; i++) {
		struct pending *p = &td->p[i];
		if (!p->used)
			continue;
		if (p->wake_ms <= now) {
			uint8_t data[8];
			if (ipc_put_u64(data, sizeof data, 0, now) == 0)
				(void)nx_reply_deferred(&td->srv, &p->req, IPC_STATUS_OK, data, sizeof data);
			p->used = 0;
		} else if (p->wake_ms < next) {
			next = p->wake_ms;
		}
	}
	return next;
}

static struct timed td;

int main(void)
{
	nx_server_init(&td.srv, NX_SVC_TIMED);
	const struct nx_server_ops ops = { .request = timed_request };
	printf("timed: ready\n");
	for (;;) {
		uint64_t next = fire_due(&td, nx_now_ms());
		if (nx_serve_one(&td.srv, &ops, &td, next) < 0)
			return 1;
	}
}
