/* Exit notices on the wire (nx/notice.h): the notice itself and the NOTIFY frame around it. */
#include "nx/notice.h"

#include <string.h>

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = bytes; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

void nx_exit_notice_encode(const struct nx_exit_notice *n, uint8_t out[NX_EXIT_NOTICE_LEN])
{
	put(out + 0, n->service_id, 8);
	put(out + 8, n->time_ms, 8);
	put(out + 16, n->cpu_us, 8);
	put(out + 24, n->tval, 8);
	put(out + 32, n->epc, 8);
	put(out + 40, n->task, 4);
	out[44] = n->reason;
	out[45] = n->cause;
	put(out + 46, (uint16_t)n->exit_code, 2);
}

int nx_exit_notice_decode(const uint8_t *buf, size_t len, struct nx_exit_notice *n)
{
	if (len != NX_EXIT_NOTICE_LEN || buf[44] >= NX_REASON_COUNT || buf[45] >= NX_CAUSE_COUNT)
		return -NX_EINVAL;
	memset(n, 0, sizeof *n);
	n->service_id = get(buf + 0, 8);
	n->time_ms = get(buf + 8, 8);
	n->cpu_us = get(buf + 16, 8);
	n->tval = get(buf + 24, 8);
	n->epc = get(buf + 32, 8);
	n->task = (uint32_t)get(buf + 40, 4);
	n->reason = buf[44];
	n->cause = buf[45];
	n->exit_code = (int16_t)(uint16_t)get(buf + 46, 2);
	return 0;
}

void nx_exit_notice_frame(const struct nx_exit_notice *n, uint64_t dst_id, uint8_t out[NX_EXIT_NOTICE_FRAME_LEN])
{
	put(out + 0, nx_service_id(NX_KERNEL_NAME, sizeof NX_KERNEL_NAME - 1), 8);
	put(out + 8, dst_id, 8);
	put(out + 16, NX_FRAME_NOTIFY, 2);
	put(out + 18, 0, 2);
	put(out + 20, NX_EXIT_NOTICE_FRAME_LEN - NX_FRAME_HEADER_SIZE, 4);
	put(out + 24, 0, 4);
	put(out + 28, NX_NOTIFY_EXIT, 2);
	put(out + 30, 0, 2);
	nx_exit_notice_encode(n, out + NX_FRAME_DATA_OFF);
}
