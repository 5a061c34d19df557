/* appmgrd's persistent record of an ability (persist.h). */
#include "persist.h"

#include <string.h>

#include "ipc/wire.h"

#define DEATH_LEN 13U

int am_record_encode(const struct am_record *r, uint8_t *out, size_t cap)
{
	const size_t len = AM_RECORD_LEN(r->count);
	if (r->count > AM_DEATHS_MAX || r->blocked > 1 || cap < len)
		return -NX_EINVAL;
	out[0] = AM_RECORD_VERSION;
	out[1] = r->blocked;
	if (ipc_put_u32(out, cap, 2, r->crash_count) != 0 || ipc_put_u32(out, cap, 6, r->delay_ms) != 0)
		return -NX_EINVAL;
	out[10] = r->count;
	for (size_t i = 0; i < r->count; i++) {
		const size_t off = 11 + i * DEATH_LEN;
		if (ipc_put_u32(out, cap, off, r->deaths[i].boot) != 0 ||
		    ipc_put_u64(out, cap, off + 4, r->deaths[i].t_ms) != 0)
			return -NX_EINVAL;
		out[off + 12] = r->deaths[i].reason;
	}
	return (int)len;
}

int am_record_decode(const uint8_t *buf, size_t len, struct am_record *r)
{
	if (len < AM_RECORD_LEN(0) || buf[0] != AM_RECORD_VERSION || buf[1] > 1 || buf[10] > AM_DEATHS_MAX ||
	    len != AM_RECORD_LEN(buf[10]))
		return -NX_EINVAL;
	struct am_record got = { .blocked = buf[1], .count = buf[10] };
	if (ipc_get_u32(buf, len, 2, &got.crash_count) != 0 || ipc_get_u32(buf, len, 6, &got.delay_ms) != 0)
		return -NX_EINVAL;
	for (size_t i = 0; i < got.count; i++) {
		const size_t off = 11 + i * DEATH_LEN;
		if (ipc_get_u32(buf, len, off, &got.deaths[i].boot) != 0 ||
		    ipc_get_u64(buf, len, off + 4, &got.deaths[i].t_ms) != 0 || buf[off + 12] >= APPMGR_REASON_COUNT)
			return -NX_EINVAL;
		got.deaths[i].reason = buf[off + 12];
	}
	*r = got;
	return 0;
}

void am_record_add_death(struct am_record *r, const struct appmgr_death *d)
{
	if (r->count == AM_DEATHS_MAX) {
		memmove(&r->deaths[0], &r->deaths[1], sizeof r->deaths[0] * (AM_DEATHS_MAX - 1));
		r->count--;
	}
	r->deaths[r->count++] = *d;
}
