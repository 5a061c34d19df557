/* keystored's request and reply data (include/proto/keystore.h). */
#include "proto/keystore.h"

#include <string.h>

#include "ipc/route.h"
#include "ipc/wire.h"

#define STATS_FIELDS (KEYSTORE_STATS_LEN / 4)
_Static_assert(sizeof(struct keystore_stats) == KEYSTORE_STATS_LEN, "stats are STATS_FIELDS u32s");
_Static_assert(KEYSTORE_MSG_MAX <= UINT16_MAX, "msg_len is a u16");

int keystore_sign_encode(size_t msg_len, uint8_t *out, size_t cap)
{
	if (msg_len > KEYSTORE_MSG_MAX || ipc_put_u16(out, cap, 0, (uint16_t)msg_len) != 0)
		return -NX_EINVAL;
	return KEYSTORE_SIGN_REQ_LEN;
}

int keystore_sign_decode(const uint8_t *buf, size_t len, uint16_t *msg_len)
{
	uint16_t n;
	if (len != KEYSTORE_SIGN_REQ_LEN || ipc_get_u16(buf, len, 0, &n) != 0 || n > KEYSTORE_MSG_MAX)
		return -NX_EINVAL;
	*msg_len = n;
	return 0;
}

int keystore_verify_encode(const struct keystore_verify_req *q, uint8_t *out, size_t cap)
{
	if (q->msg_len > KEYSTORE_MSG_MAX || out == NULL || cap < KEYSTORE_VERIFY_REQ_LEN)
		return -NX_EINVAL;
	memcpy(out, q->pubkey, KEYSTORE_PUBKEY_LEN);
	memcpy(out + KEYSTORE_PUBKEY_LEN, q->sig, KEYSTORE_SIG_LEN);
	if (ipc_put_u16(out, cap, KEYSTORE_PUBKEY_LEN + KEYSTORE_SIG_LEN, q->msg_len) != 0)
		return -NX_EINVAL;
	return KEYSTORE_VERIFY_REQ_LEN;
}

int keystore_verify_decode(const uint8_t *buf, size_t len, struct keystore_verify_req *q)
{
	uint16_t n;
	if (len != KEYSTORE_VERIFY_REQ_LEN || ipc_get_u16(buf, len, KEYSTORE_PUBKEY_LEN + KEYSTORE_SIG_LEN, &n) != 0 ||
	    n > KEYSTORE_MSG_MAX)
		return -NX_EINVAL;
	memcpy(q->pubkey, buf, KEYSTORE_PUBKEY_LEN);
	memcpy(q->sig, buf + KEYSTORE_PUBKEY_LEN, KEYSTORE_SIG_LEN);
	q->msg_len = n;
	return 0;
}

/* The counters in wire order. */
static void stats_fields(struct keystore_stats *s, uint32_t *f[STATS_FIELDS])
{
	uint32_t *const all[STATS_FIELDS] = {
		&s->pubkeys, &s->signs,  &s->verifies,       &s->verify_bad, &s->export_refused,
		&s->refused, &s->probes, &s->probe_timeouts, &s->created,    &s->entropy_bytes,
	};
	memcpy(f, all, sizeof all);
}

int keystore_stats_encode(const struct keystore_stats *s, uint8_t *out, size_t cap)
{
	if (cap < KEYSTORE_STATS_LEN)
		return -NX_EINVAL;
	struct keystore_stats copy = *s;
	uint32_t *f[STATS_FIELDS];
	stats_fields(&copy, f);
	for (size_t i = 0; i < STATS_FIELDS; i++) {
		if (ipc_put_u32(out, cap, 4 * i, *f[i]) != 0)
			return -NX_EINVAL;
	}
	return KEYSTORE_STATS_LEN;
}

int keystore_stats_decode(const uint8_t *buf, size_t len, struct keystore_stats *s)
{
	if (len != KEYSTORE_STATS_LEN)
		return -NX_EINVAL;
	struct keystore_stats got;
	uint32_t *f[STATS_FIELDS];
	stats_fields(&got, f);
	for (size_t i = 0; i < STATS_FIELDS; i++) {
		if (ipc_get_u32(buf, len, 4 * i, f[i]) != 0)
			return -NX_EINVAL;
	}
	*s = got;
	return 0;
}

int keystore_probe_req_encode(uint32_t timeout_ms, uint8_t *out, size_t cap)
{
	if (timeout_ms == 0 || timeout_ms > KEYSTORE_PROBE_MAX_MS || ipc_put_u32(out, cap, 0, timeout_ms) != 0)
		return -NX_EINVAL;
	return 4;
}

int keystore_probe_req_decode(const uint8_t *buf, size_t len, uint32_t *timeout_ms)
{
	uint32_t ms;
	if (len != 4 || ipc_get_u32(buf, len, 0, &ms) != 0 || ms == 0 || ms > KEYSTORE_PROBE_MAX_MS)
		return -NX_EINVAL;
	*timeout_ms = ms;
	return 0;
}

int keystore_probe_encode(const struct keystore_probe *p, uint8_t *out, size_t cap)
{
	if (p->outcome >= IPC_OUTCOME_COUNT || out == NULL || cap < KEYSTORE_PROBE_LEN ||
	    ipc_put_u16(out, cap, 1, p->status) != 0 || ipc_put_u32(out, cap, 3, p->elapsed_ms) != 0)
		return -NX_EINVAL;
	out[0] = p->outcome;
	return KEYSTORE_PROBE_LEN;
}

int keystore_probe_decode(const uint8_t *buf, size_t len, struct keystore_probe *p)
{
	struct keystore_probe got;
	if (len != KEYSTORE_PROBE_LEN || buf == NULL || buf[0] >= IPC_OUTCOME_COUNT ||
	    ipc_get_u16(buf, len, 1, &got.status) != 0 || ipc_get_u32(buf, len, 3, &got.elapsed_ms) != 0)
		return -NX_EINVAL;
	got.outcome = buf[0];
	*p = got;
	return 0;
}
