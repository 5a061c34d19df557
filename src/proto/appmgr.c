/* appmgrd's request and reply data (include/proto/appmgr.h). */
#include "proto/appmgr.h"

#include <string.h>

#include "ipc/wire.h"

#define DEATH_LEN 13
#define POLICY_FIELDS (APPMGR_POLICY_LEN / 4)
_Static_assert(sizeof(struct appmgr_policy) == APPMGR_POLICY_LEN, "a policy is POLICY_FIELDS u32s");

static const char *const state_names[APPMGR_STATE_COUNT] = {
	[APPMGR_STOPPED] = "stopped",      [APPMGR_STARTING] = "starting", [APPMGR_RUNNING_FG] = "runningFg",
	[APPMGR_RUNNING_BG] = "runningBg", [APPMGR_STOPPING] = "stopping", [APPMGR_CRASHED] = "crashed",
	[APPMGR_BACKOFF] = "backoff",      [APPMGR_BLOCKED] = "blocked",
};

static const char *const reason_names[APPMGR_REASON_COUNT] = {
	[APPMGR_REASON_NONE] = "none", [APPMGR_REASON_CRASH] = "crash",   [APPMGR_REASON_POLICY] = "policy",
	[APPMGR_REASON_OOM] = "oom",   [APPMGR_REASON_SIGNAL] = "signal", [APPMGR_REASON_REQUEST] = "request",
};

const char *appmgr_state_name(unsigned state)
{
	return state < APPMGR_STATE_COUNT ? state_names[state] : "?";
}

const char *appmgr_reason_name(unsigned reason)
{
	return reason < APPMGR_REASON_COUNT ? reason_names[reason] : "?";
}

int appmgr_name_decode(const uint8_t *data, size_t len, char name[APPMGR_NAME_MAX + 1])
{
	if (len == 0 || len > APPMGR_NAME_MAX || memchr(data, 0, len) != NULL)
		return -NX_EINVAL;
	memcpy(name, data, len);
	name[len] = '\0';
	return 0;
}

int appmgr_ready_decode(const uint8_t *data, size_t len, enum appmgr_mode *mode, uint32_t *version)
{
	uint32_t v = 1;
	if ((len != 1 && len != 5) || (data[0] != APPMGR_MODE_FG && data[0] != APPMGR_MODE_BG) ||
	    (len == 5 && (ipc_get_u32(data, len, 1, &v) != 0 || v == 0)))
		return -NX_EINVAL;
	*mode = (enum appmgr_mode)data[0];
	*version = v;
	return 0;
}

int appmgr_state_encode(const struct appmgr_state *s, uint8_t *out, size_t cap)
{
	if (cap < APPMGR_STATE_LEN)
		return -NX_EINVAL;
	out[0] = s->state;
	out[1] = s->reason;
	out[2] = s->timeout;
	out[3] = s->start_mode;
	if (ipc_put_u32(out, cap, 4, s->crash_count) != 0 || ipc_put_u32(out, cap, 8, s->delay_ms) != 0 ||
	    ipc_put_u64(out, cap, 12, s->next_restart_ms) != 0 || ipc_put_u32(out, cap, 20, (uint32_t)s->task) != 0 ||
	    ipc_put_u64(out, cap, 24, s->cpu_us) != 0 || ipc_put_u32(out, cap, 32, s->version) != 0)
		return -NX_EINVAL;
	return APPMGR_STATE_LEN;
}

int appmgr_state_decode(const uint8_t *buf, size_t len, struct appmgr_state *s)
{
	if (len != APPMGR_STATE_LEN || buf[0] >= APPMGR_STATE_COUNT || buf[1] >= APPMGR_REASON_COUNT || buf[2] > 1 ||
	    (buf[3] != APPMGR_MODE_FG && buf[3] != APPMGR_MODE_BG))
		return -NX_EINVAL;
	uint32_t task;
	s->state = buf[0];
	s->reason = buf[1];
	s->timeout = buf[2];
	s->start_mode = buf[3];
	if (ipc_get_u32(buf, len, 4, &s->crash_count) != 0 || ipc_get_u32(buf, len, 8, &s->delay_ms) != 0 ||
	    ipc_get_u64(buf, len, 12, &s->next_restart_ms) != 0 || ipc_get_u32(buf, len, 20, &task) != 0 ||
	    ipc_get_u64(buf, len, 24, &s->cpu_us) != 0 || ipc_get_u32(buf, len, 32, &s->version) != 0)
		return -NX_EINVAL;
	s->task = (int32_t)task;
	return 0;
}

/* The policy's fields in wire order. */
static void policy_fields(struct appmgr_policy *p, uint32_t *f[POLICY_FIELDS])
{
	uint32_t *const all[POLICY_FIELDS] = {
		&p->initial_ms,       &p->factor_milli,     &p->max_ms,          &p->loop_threshold,
		&p->loop_window_ms,   &p->stable_reset_ms,  &p->start_timeout_ms, &p->stop_timeout_ms,
		&p->cpu_budget_ms_per_min, &p->slack_fg_ms, &p->slack_bg_ms,
	};
	memcpy(f, all, sizeof all);
}

int appmgr_policy_encode(const struct appmgr_policy *p, uint8_t *out, size_t cap)
{
	if (cap < APPMGR_POLICY_LEN)
		return -NX_EINVAL;
	struct appmgr_policy copy = *p;
	uint32_t *f[POLICY_FIELDS];
	policy_fields(&copy, f);
	for (size_t i = 0; i < POLICY_FIELDS; i++) {
		if (ipc_put_u32(out, cap, 4 * i, *f[i]) != 0)
			return -NX_EINVAL;
	}
	return APPMGR_POLICY_LEN;
}

int appmgr_policy_decode(const uint8_t *buf, size_t len, struct appmgr_policy *p)
{
	if (len != APPMGR_POLICY_LEN)
		return -NX_EINVAL;
	uint32_t *f[POLICY_FIELDS];
	policy_fields(p, f);
	for (size_t i = 0; i < POLICY_FIELDS; i++) {
		if (ipc_get_u32(buf, len, 4 * i, f[i]) != 0)
			return -NX_EINVAL;
	}
	return 0;
}

int appmgr_history_encode(const struct appmgr_history *h, uint8_t *out, size_t cap)
{
	const size_t len = 1 + (size_t)h->count * DEATH_LEN;
	if (h->count > APPMGR_HISTORY_LEN || cap < len)
		return -NX_EINVAL;
	out[0] = h->count;
	for (size_t i = 0; i < h->count; i++) {
		const size_t off = 1 + i * DEATH_LEN;
		if (ipc_put_u32(out, cap, off, h->e[i].boot) != 0 || ipc_put_u64(out, cap, off + 4, h->e[i].t_ms) != 0)
			return -NX_EINVAL;
		out[off + 12] = h->e[i].reason;
	}
	return (int)len;
}

int appmgr_history_decode(const uint8_t *buf, size_t len, struct appmgr_history *h)
{
	if (len == 0 || buf[0] > APPMGR_HISTORY_LEN || len != 1 + (size_t)buf[0] * DEATH_LEN)
		return -NX_EINVAL;
	h->count = buf[0];
	for (size_t i = 0; i < h->count; i++) {
		const size_t off = 1 + i * DEATH_LEN;
		if (ipc_get_u32(buf, len, off, &h->e[i].boot) != 0 || ipc_get_u64(buf, len, off + 4, &h->e[i].t_ms) != 0 ||
		    buf[off + 12] >= APPMGR_REASON_COUNT)
			return -NX_EINVAL;
		h->e[i].reason = buf[off + 12];
	}
	return 0;
}

int appmgr_list_encode(uint8_t total, const struct appmgr_list_entry *e, size_t n, uint8_t *out, size_t cap,
		       size_t *taken)
{
	if (cap < 2 || n > APPMGR_MAX_ABILITIES)
		return -NX_EINVAL;
	size_t len = 2, count = 0;
	for (; count < n; count++) {
		const char *nul = memchr(e[count].name, 0, sizeof e[count].name);
		if (nul == NULL || nul == e[count].name)
			return -NX_EINVAL;
		const size_t name_len = (size_t)(nul - e[count].name);
		if (len + 2 + name_len > cap)
			break;
		out[len] = (uint8_t)name_len;
		memcpy(out + len + 1, e[count].name, name_len);
		out[len + 1 + name_len] = e[count].state;
		len += 2 + name_len;
	}
	out[0] = total;
	out[1] = (uint8_t)count;
	*taken = count;
	return (int)len;
}

int appmgr_list_decode(const uint8_t *buf, size_t len, struct appmgr_list *l)
{
	if (len < 2 || buf[1] > APPMGR_MAX_ABILITIES || buf[1] > buf[0])
		return -NX_EINVAL;
	l->total = buf[0];
	l->count = buf[1];
	size_t off = 2;
	for (size_t i = 0; i < l->count; i++) {
		if (off >= len)
			return -NX_EINVAL;
		const size_t name_len = buf[off];
		if (name_len + 2 > len - off || appmgr_name_decode(buf + off + 1, name_len, l->e[i].name) != 0 ||
		    buf[off + 1 + name_len] >= APPMGR_STATE_COUNT)
			return -NX_EINVAL;
		l->e[i].state = buf[off + 1 + name_len];
		off += 2 + name_len;
	}
	return off == len ? 0 : -NX_EINVAL;
}

#define CHANGE_HEAD 16

int appmgr_change_encode(const struct appmgr_change *c, uint8_t *out, size_t cap)
{
	const char *nul = memchr(c->name, 0, sizeof c->name);
	const size_t n = nul == NULL ? 0 : (size_t)(nul - c->name);
	if (n == 0 || c->from >= APPMGR_STATE_COUNT || c->to >= APPMGR_STATE_COUNT || c->reason >= APPMGR_REASON_COUNT ||
	    c->timeout > 1 || cap < CHANGE_HEAD + n)
		return -NX_EINVAL;
	if (ipc_put_u32(out, cap, 0, c->seq) != 0 || ipc_put_u64(out, cap, 4, c->t_ms) != 0)
		return -NX_EINVAL;
	out[12] = c->from;
	out[13] = c->to;
	out[14] = c->reason;
	out[15] = c->timeout;
	memcpy(out + CHANGE_HEAD, c->name, n);
	return (int)(CHANGE_HEAD + n);
}

int appmgr_change_decode(const uint8_t *buf, size_t len, struct appmgr_change *c)
{
	struct appmgr_change got;
	if (len <= CHANGE_HEAD || buf[12] >= APPMGR_STATE_COUNT || buf[13] >= APPMGR_STATE_COUNT ||
	    buf[14] >= APPMGR_REASON_COUNT || buf[15] > 1 ||
	    appmgr_name_decode(buf + CHANGE_HEAD, len - CHANGE_HEAD, got.name) != 0 ||
	    ipc_get_u32(buf, len, 0, &got.seq) != 0 || ipc_get_u64(buf, len, 4, &got.t_ms) != 0)
		return -NX_EINVAL;
	got.from = buf[12];
	got.to = buf[13];
	got.reason = buf[14];
	got.timeout = buf[15];
	*c = got;
	return 0;
}

#define IMAGE_STORED_FIXED (8 + EXECD_DIGEST_LEN + 1)

int appmgr_image_encode(const struct appmgr_image *im, uint8_t *out, size_t cap)
{
	const char *nul = memchr(im->name, 0, sizeof im->name);
	const size_t n = nul == NULL ? 0 : (size_t)(nul - im->name);
	const size_t len = 2 + n + (im->stored ? IMAGE_STORED_FIXED + im->prefix_len : 0);
	if (n == 0 || im->stored > 1 || cap < len ||
	    (im->stored && (im->version == 0 || im->image_len == 0 || im->image_len > NX_SPAWN_ELF_MAX || im->prefix_len == 0 ||
			    im->prefix_len > EXECD_PREFIX_MAX || !statefs_key_ok(im->prefix, im->prefix_len))))
		return -NX_EINVAL;
	out[0] = (uint8_t)n;
	memcpy(out + 1, im->name, n);
	out[1 + n] = im->stored;
	if (im->stored) {
		uint8_t *p = out + 2 + n;
		if (ipc_put_u32(p, IMAGE_STORED_FIXED, 0, im->version) != 0 ||
		    ipc_put_u32(p, IMAGE_STORED_FIXED, 4, im->image_len) != 0)
			return -NX_EINVAL;
		memcpy(p + 8, im->sha512, EXECD_DIGEST_LEN);
		p[8 + EXECD_DIGEST_LEN] = im->prefix_len;
		memcpy(p + IMAGE_STORED_FIXED, im->prefix, im->prefix_len);
	}
	return (int)len;
}

int appmgr_image_decode(const uint8_t *buf, size_t len, struct appmgr_image *im)
{
	struct appmgr_image got;
	memset(&got, 0, sizeof got);
	if (len < 2 || buf[0] == 0 || buf[0] > APPMGR_NAME_MAX || len < 2 + (size_t)buf[0] ||
	    appmgr_name_decode(buf + 1, buf[0], got.name) != 0)
		return -NX_EINVAL;
	const size_t n = buf[0];
	got.stored = buf[1 + n];
	if (got.stored > 1 || (got.stored == 0 && len != 2 + n))
		return -NX_EINVAL;
	if (got.stored) {
		const uint8_t *p = buf + 2 + n;
		const size_t rest = len - 2 - n;
		if (rest < IMAGE_STORED_FIXED || ipc_get_u32(p, rest, 0, &got.version) != 0 ||
		    ipc_get_u32(p, rest, 4, &got.image_len) != 0 || got.version == 0 || got.image_len == 0 || got.image_len > NX_SPAWN_ELF_MAX)
			return -NX_EINVAL;
		memcpy(got.sha512, p + 8, EXECD_DIGEST_LEN);
		got.prefix_len = p[8 + EXECD_DIGEST_LEN];
		if (got.prefix_len == 0 || got.prefix_len > EXECD_PREFIX_MAX || rest != (size_t)IMAGE_STORED_FIXED + got.prefix_len ||
		    !statefs_key_ok((const char *)p + IMAGE_STORED_FIXED, got.prefix_len))
			return -NX_EINVAL;
		memcpy(got.prefix, p + IMAGE_STORED_FIXED, got.prefix_len);
	}
	*im = got;
	return 0;
}
