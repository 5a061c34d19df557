/* statefsd's request and reply data (include/proto/statefs.h). */
#include "proto/statefs.h"

#include <string.h>

#include "ipc/wire.h"

#define STATS_FIELDS (STATEFS_STATS_LEN / 4)
_Static_assert(sizeof(struct statefs_stats) == STATEFS_STATS_LEN, "stats are STATS_FIELDS u32s");

int statefs_key_ok(const char *key, size_t len)
{
	if (key == NULL || len == 0 || len > STATEFS_KEY_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (key[i] < 0x21 || key[i] > 0x7e)
			return 0;
	}
	return 1;
}

/* The counters in wire order. */
static void stats_fields(struct statefs_stats *s, uint32_t *f[STATS_FIELDS])
{
	uint32_t *const all[STATS_FIELDS] = {
		&s->keys,        &s->bytes_live,      &s->bytes_free, &s->puts,        &s->gets,     &s->deletes,
		&s->syncs,       &s->denied,          &s->refused,    &s->write_calls, &s->sectors_written,
		&s->flushes,     &s->compactions,     &s->replayed,   &s->dropped,     &s->formatted,
	};
	memcpy(f, all, sizeof all);
}

int statefs_stats_encode(const struct statefs_stats *s, uint8_t *out, size_t cap)
{
	if (cap < STATEFS_STATS_LEN)
		return -NX_EINVAL;
	struct statefs_stats copy = *s;
	uint32_t *f[STATS_FIELDS];
	stats_fields(&copy, f);
	for (size_t i = 0; i < STATS_FIELDS; i++) {
		if (ipc_put_u32(out, cap, 4 * i, *f[i]) != 0)
			return -NX_EINVAL;
	}
	return STATEFS_STATS_LEN;
}

int statefs_stats_decode(const uint8_t *buf, size_t len, struct statefs_stats *s)
{
	if (len != STATEFS_STATS_LEN)
		return -NX_EINVAL;
	struct statefs_stats got;
	uint32_t *f[STATS_FIELDS];
	stats_fields(&got, f);
	for (size_t i = 0; i < STATS_FIELDS; i++) {
		if (ipc_get_u32(buf, len, 4 * i, f[i]) != 0)
			return -NX_EINVAL;
	}
	*s = got;
	return 0;
}

int statefs_list_encode(uint8_t max, const char *prefix, size_t prefix_len, const char *after, size_t after_len,
			uint8_t *out, size_t cap)
{
	const size_t len = 3 + prefix_len + after_len;
	if (max == 0 || max > STATEFS_LIST_MAX || prefix_len == 0 || prefix_len > STATEFS_KEY_MAX ||
	    after_len > STATEFS_KEY_MAX || cap < len)
		return -NX_EINVAL;
	out[0] = max;
	out[1] = (uint8_t)prefix_len;
	memcpy(out + 2, prefix, prefix_len);
	out[2 + prefix_len] = (uint8_t)after_len;
	if (after_len != 0)
		memcpy(out + 3 + prefix_len, after, after_len);
	return (int)len;
}

int statefs_list_decode(const uint8_t *buf, size_t len, struct statefs_list_req *r)
{
	if (len < 3 || buf[0] == 0 || buf[0] > STATEFS_LIST_MAX || buf[1] > len - 3)
		return -NX_EINVAL;
	const size_t plen = buf[1];
	const size_t alen = buf[2 + plen];
	if (len != 3 + plen + alen)
		return -NX_EINVAL;
	const char *prefix = (const char *)buf + 2;
	const char *after = (const char *)buf + 3 + plen;
	if (!statefs_key_ok(prefix, plen) || (alen != 0 && !statefs_key_ok(after, alen)))
		return -NX_EINVAL;
	*r = (struct statefs_list_req){
		.max = buf[0], .prefix_len = (uint8_t)plen, .after_len = (uint8_t)alen, .prefix = prefix, .after = after,
	};
	return 0;
}

int statefs_keys_decode(const uint8_t *buf, size_t len, size_t count, size_t max, struct statefs_key *out)
{
	if (count > STATEFS_LIST_MAX || count > max)
		return -NX_EINVAL;
	size_t off = 0;
	for (size_t i = 0; i < count; i++) {
		if (off >= len || buf[off] > len - off - 1 || !statefs_key_ok((const char *)buf + off + 1, buf[off]))
			return -NX_EINVAL;
		out[i].len = buf[off];
		memcpy(out[i].bytes, buf + off + 1, buf[off]);
		out[i].bytes[buf[off]] = '\0';
		off += 1 + (size_t)buf[off];
	}
	return off == len ? 0 : -NX_EINVAL;
}
