/* updated's request and reply data, and its boot-control record (include/proto/ota.h). */
#include "proto/ota.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"

#define SLOT_LEN (16U + BUNDLE_DIGEST_LEN)
#define STATUS_SLOT_LEN 13U

static const char *const slot_names[OTA_SLOT_STATE_COUNT] = {
	[OTA_SLOT_EMPTY] = "empty", [OTA_SLOT_BUILTIN] = "builtin", [OTA_SLOT_STAGED] = "staged",
	[OTA_SLOT_TRIAL] = "trial", [OTA_SLOT_GOOD] = "good",       [OTA_SLOT_FAILED] = "failed",
};

static const char *const event_names[OTA_EV_COUNT] = {
	[OTA_EV_NONE] = "none",           [OTA_EV_STAGED] = "staged",        [OTA_EV_SWITCHED] = "switched",
	[OTA_EV_COMMITTED] = "committed", [OTA_EV_ROLLED_BACK] = "rolled_back",
};

const char *ota_slot_state_name(unsigned s)
{
	return s < OTA_SLOT_STATE_COUNT ? slot_names[s] : "?";
}

const char *ota_event_name(unsigned e)
{
	return e < OTA_EV_COUNT ? event_names[e] : "?";
}

/* An ability name: 1..OTA_NAME_MAX bytes of [a-z][a-z0-9_-]*. */
static bool name_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || n > OTA_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++) {
		const uint8_t c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool cstr_name_ok(const char *app)
{
	const char *nul = memchr(app, 0, OTA_NAME_MAX + 1);
	return nul != NULL && name_ok((const uint8_t *)app, (size_t)(nul - app));
}

/* "/updated/<dir>/<app><tail>" into `out`. */
static int key_of(char *out, size_t cap, const char *dir, const char *app, const char *tail)
{
	if (!cstr_name_ok(app))
		return -NX_EINVAL;
	/* Measured first: a key that does not fit writes nothing. */
	const int n = snprintf(NULL, 0, "/updated/%s/%s%s", dir, app, tail);
	if (n < 0 || (size_t)n >= cap)
		return -NX_EINVAL;
	return snprintf(out, cap, "/updated/%s/%s%s", dir, app, tail) == n ? 0 : -NX_EINVAL;
}

int ota_image_prefix(const char *app, unsigned slot, char *out, size_t cap)
{
	if (slot > 1)
		return -NX_EINVAL;
	return key_of(out, cap, "img", app, slot == 0 ? "/a/" : "/b/");
}

int ota_ctl_key(const char *app, char *out, size_t cap)
{
	return key_of(out, cap, "ctl", app, "");
}

int ota_begin_encode(uint32_t total_len, const char *app, uint8_t *out, size_t cap)
{
	if (!cstr_name_ok(app))
		return -NX_EINVAL;
	const size_t n = strlen(app);
	if (cap < 4 + n || ipc_put_u32(out, cap, 0, total_len) != 0)
		return -NX_EINVAL;
	memcpy(out + 4, app, n);
	return (int)(4 + n);
}

int ota_begin_decode(const uint8_t *buf, size_t len, uint32_t *total_len, char app[OTA_NAME_MAX + 1])
{
	uint32_t t;
	if (len < 5 || !name_ok(buf + 4, len - 4) || ipc_get_u32(buf, len, 0, &t) != 0)
		return -NX_EINVAL;
	memcpy(app, buf + 4, len - 4);
	app[len - 4] = '\0';
	*total_len = t;
	return 0;
}

int ota_chunk_encode(uint32_t offset, uint16_t len, uint8_t *out, size_t cap)
{
	if (cap < OTA_CHUNK_REQ_LEN || len == 0 || len > OTA_CHUNK_MAX || ipc_put_u32(out, cap, 0, offset) != 0 || ipc_put_u16(out, cap, 4, len) != 0)
		return -NX_EINVAL;
	return OTA_CHUNK_REQ_LEN;
}

int ota_chunk_decode(const uint8_t *buf, size_t len, uint32_t *offset, uint16_t *chunk_len)
{
	uint32_t o;
	uint16_t n;
	if (len != OTA_CHUNK_REQ_LEN || ipc_get_u32(buf, len, 0, &o) != 0 || ipc_get_u16(buf, len, 4, &n) != 0 ||
	    n == 0 || n > OTA_CHUNK_MAX)
		return -NX_EINVAL;
	*offset = o;
	*chunk_len = n;
	return 0;
}

static bool zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* A slot by the record's rules (`active`: it is the active slot; `trial`: the record has a trial). */
static bool slot_ok(const struct ota_slot *s, bool active, bool trial)
{
	switch (s->state) {
	case OTA_SLOT_EMPTY:
		return !active && !trial && s->version == 0 && s->image_len == 0 && s->health_window_ms == 0 &&
		       zeros(s->sha512, sizeof s->sha512);
	case OTA_SLOT_BUILTIN:
		return (active || !trial) && s->version == OTA_BUILTIN_VERSION && s->image_len == 0 &&
		       s->health_window_ms == 0 && zeros(s->sha512, sizeof s->sha512);
	case OTA_SLOT_STAGED:
	case OTA_SLOT_TRIAL:
	case OTA_SLOT_GOOD:
	case OTA_SLOT_FAILED:
		if (s->version == 0 || s->image_len == 0 || s->image_len > NX_SPAWN_ELF_MAX || s->health_window_ms == 0 ||
		    s->health_window_ms > OTA_HEALTH_WINDOW_MAX_MS)
			return false;
		if (active)
			return s->state == OTA_SLOT_GOOD;
		return trial == (s->state == OTA_SLOT_TRIAL);
	default:
		return false;
	}
}

static bool bootctl_ok(const struct ota_bootctl *c)
{
	return c->active <= 1 && c->trial <= 1 && slot_ok(&c->slot[c->active], true, c->trial) &&
	       slot_ok(&c->slot[1 - c->active], false, c->trial);
}

void ota_bootctl_initial(struct ota_bootctl *c)
{
	memset(c, 0, sizeof *c);
	c->slot[0].state = OTA_SLOT_BUILTIN;
	c->slot[0].version = OTA_BUILTIN_VERSION;
}

int ota_slots_clear(struct ota_bootctl *c, uint32_t version)
{
	const unsigned other = 1u - c->active;
	if (c->trial || version <= c->slot[c->active].version)
		return -NX_EINVAL;
	memset(&c->slot[other], 0, sizeof c->slot[other]);
	return (int)other;
}

int ota_slots_staged(struct ota_bootctl *c, uint32_t version, uint32_t image_len, uint32_t health_window_ms,
		     const uint8_t sha512[BUNDLE_DIGEST_LEN])
{
	struct ota_slot *s = &c->slot[1u - c->active];
	const struct ota_slot staged = { .state = OTA_SLOT_STAGED, .version = version, .image_len = image_len,
					 .health_window_ms = health_window_ms };
	if (c->trial || s->state != OTA_SLOT_EMPTY || !slot_ok(&staged, false, false))
		return -NX_EINVAL;
	*s = staged;
	memcpy(s->sha512, sha512, sizeof s->sha512);
	return 0;
}

int ota_slots_switch(struct ota_bootctl *c)
{
	struct ota_slot *s = &c->slot[1u - c->active];
	if (c->trial || s->state != OTA_SLOT_STAGED)
		return -NX_EINVAL;
	s->state = OTA_SLOT_TRIAL;
	c->trial = 1;
	return 0;
}

int ota_slots_commit(struct ota_bootctl *c)
{
	const unsigned t = 1u - c->active;
	if (!c->trial)
		return -NX_EINVAL;
	c->slot[t].state = OTA_SLOT_GOOD;
	c->active = (uint8_t)t;
	c->trial = 0;
	return 0;
}

int ota_slots_rollback(struct ota_bootctl *c)
{
	const unsigned other = 1u - c->active;
	const uint8_t o = c->slot[other].state;
	if (!c->trial && o != OTA_SLOT_GOOD && o != OTA_SLOT_BUILTIN)
		return -NX_EINVAL;
	const unsigned from = c->trial ? other : c->active;
	c->failed_version = c->slot[from].version;
	if (c->slot[from].state == OTA_SLOT_BUILTIN)
		memset(&c->slot[from], 0, sizeof c->slot[from]);
	else
		c->slot[from].state = OTA_SLOT_FAILED;
	c->active = (uint8_t)(1u - from);
	c->trial = 0;
	return (int)from;
}

int ota_bootctl_encode(const struct ota_bootctl *c, uint8_t *out, size_t cap)
{
	if (cap < OTA_BOOTCTL_LEN || !bootctl_ok(c))
		return -NX_EINVAL;
	int rc = 0;
	memset(out, 0, OTA_BOOTCTL_LEN);
	out[0] = OTA_BOOTCTL_FORMAT;
	out[1] = c->active;
	out[2] = c->trial;
	rc |= ipc_put_u32(out, cap, 4, c->failed_version);
	for (unsigned i = 0; i < 2; i++) {
		const struct ota_slot *s = &c->slot[i];
		const size_t at = 8 + i * SLOT_LEN;
		out[at] = s->state;
		rc |= ipc_put_u32(out, cap, at + 4, s->version);
		rc |= ipc_put_u32(out, cap, at + 8, s->image_len);
		rc |= ipc_put_u32(out, cap, at + 12, s->health_window_ms);
		memcpy(out + at + 16, s->sha512, sizeof s->sha512);
	}
	return rc == 0 ? (int)OTA_BOOTCTL_LEN : -NX_EINVAL;
}

int ota_bootctl_decode(const uint8_t *buf, size_t len, struct ota_bootctl *c)
{
	struct ota_bootctl got;
	int rc = 0;
	if (len != OTA_BOOTCTL_LEN || buf[0] != OTA_BOOTCTL_FORMAT || buf[3] != 0)
		return -NX_EINVAL;
	memset(&got, 0, sizeof got);
	got.active = buf[1];
	got.trial = buf[2];
	rc |= ipc_get_u32(buf, len, 4, &got.failed_version);
	for (unsigned i = 0; i < 2; i++) {
		struct ota_slot *s = &got.slot[i];
		const size_t at = 8 + i * SLOT_LEN;
		if (!zeros(buf + at + 1, 3))
			return -NX_EINVAL;
		s->state = buf[at];
		rc |= ipc_get_u32(buf, len, at + 4, &s->version);
		rc |= ipc_get_u32(buf, len, at + 8, &s->image_len);
		rc |= ipc_get_u32(buf, len, at + 12, &s->health_window_ms);
		memcpy(s->sha512, buf + at + 16, sizeof s->sha512);
	}
	if (rc != 0 || !bootctl_ok(&got))
		return -NX_EINVAL;
	*c = got;
	return 0;
}

int ota_status_encode(const struct ota_status *s, uint8_t *out, size_t cap)
{
	struct ota_bootctl ctl = s->ctl;
	int rc = 0;
	for (unsigned i = 0; i < 2; i++)
		memset(ctl.slot[i].sha512, 0, sizeof ctl.slot[i].sha512);
	if (cap < OTA_STATUS_LEN || s->last_event >= OTA_EV_COUNT || !bootctl_ok(&ctl))
		return -NX_EINVAL;
	out[0] = ctl.active;
	out[1] = ctl.trial;
	out[2] = s->last_event;
	out[3] = 0;
	rc |= ipc_put_u32(out, cap, 4, ctl.failed_version);
	for (unsigned i = 0; i < 2; i++) {
		const size_t at = 8 + i * STATUS_SLOT_LEN;
		out[at] = ctl.slot[i].state;
		rc |= ipc_put_u32(out, cap, at + 1, ctl.slot[i].version);
		rc |= ipc_put_u32(out, cap, at + 5, ctl.slot[i].image_len);
		rc |= ipc_put_u32(out, cap, at + 9, ctl.slot[i].health_window_ms);
	}
	rc |= ipc_put_u64(out, cap, 8 + 2 * STATUS_SLOT_LEN, s->event_ms);
	rc |= ipc_put_u64(out, cap, 16 + 2 * STATUS_SLOT_LEN, s->ready_ms);
	return rc == 0 ? (int)OTA_STATUS_LEN : -NX_EINVAL;
}

int ota_status_decode(const uint8_t *buf, size_t len, struct ota_status *s)
{
	struct ota_status got;
	int rc = 0;
	if (len != OTA_STATUS_LEN || buf[2] >= OTA_EV_COUNT || buf[3] != 0)
		return -NX_EINVAL;
	memset(&got, 0, sizeof got);
	got.ctl.active = buf[0];
	got.ctl.trial = buf[1];
	got.last_event = buf[2];
	rc |= ipc_get_u32(buf, len, 4, &got.ctl.failed_version);
	for (unsigned i = 0; i < 2; i++) {
		const size_t at = 8 + i * STATUS_SLOT_LEN;
		got.ctl.slot[i].state = buf[at];
		rc |= ipc_get_u32(buf, len, at + 1, &got.ctl.slot[i].version);
		rc |= ipc_get_u32(buf, len, at + 5, &got.ctl.slot[i].image_len);
		rc |= ipc_get_u32(buf, len, at + 9, &got.ctl.slot[i].health_window_ms);
	}
	rc |= ipc_get_u64(buf, len, 8 + 2 * STATUS_SLOT_LEN, &got.event_ms);
	rc |= ipc_get_u64(buf, len, 16 + 2 * STATUS_SLOT_LEN, &got.ready_ms);
	if (rc != 0 || !bootctl_ok(&got.ctl))
		return -NX_EINVAL;
	*s = got;
	return 0;
}

int ota_stats_encode(const struct ota_stats *s, uint8_t *out, size_t cap)
{
	int rc = 0;
	if (cap < OTA_STATS_LEN)
		return -NX_EINVAL;
	for (unsigned i = 0; i < OTA_STAT_COUNT; i++)
		rc |= ipc_put_u32(out, cap, 4 * i, s->n[i]);
	return rc == 0 ? (int)OTA_STATS_LEN : -NX_EINVAL;
}

int ota_stats_decode(const uint8_t *buf, size_t len, struct ota_stats *s)
{
	struct ota_stats got;
	int rc = 0;
	if (len != OTA_STATS_LEN)
		return -NX_EINVAL;
	for (unsigned i = 0; i < OTA_STAT_COUNT; i++)
		rc |= ipc_get_u32(buf, len, 4 * i, &got.n[i]);
	if (rc != 0)
		return -NX_EINVAL;
	*s = got;
	return 0;
}

int ota_doc_health_window(const uint8_t *doc, size_t len, uint32_t *ms)
{
	static const char key[] = "\"health_window_ms\":";
	const size_t klen = sizeof key - 1;
	for (size_t i = 0; i + klen <= len; i++) {
		if (memcmp(doc + i, key, klen) != 0)
			continue;
		uint64_t v = 0;
		size_t j = i + klen, digits = 0;
		for (; j < len && doc[j] >= '0' && doc[j] <= '9' && digits < 10; j++, digits++)
			v = v * 10 + (uint64_t)(doc[j] - '0');
		if (digits == 0 || (j < len && doc[j] >= '0' && doc[j] <= '9') || v == 0 || v > OTA_HEALTH_WINDOW_MAX_MS ||
		    (digits > 1 && doc[i + klen] == '0'))
			return -NX_EINVAL;
		*ms = (uint32_t)v;
		return 0;
	}
	*ms = OTA_HEALTH_WINDOW_DEFAULT_MS;
	return 0;
}
