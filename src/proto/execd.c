#include <string.h>

#include "ipc/wire.h"
#include "proto/execd.h"

#define NAME_LEN (NX_NAME_MAX + 1)

static void copy_name(uint8_t *dst, const char *src)
{
	for (size_t i = 0; i < NX_NAME_MAX && src[i] != '\0'; i++)
		dst[i] = (uint8_t)src[i];
}

int execd_spawn_encode(const struct execd_spawn *s, uint8_t *out, size_t cap)
{
	if (cap < EXECD_SPAWN_LEN)
		return -NX_EINVAL;
	memset(out, 0, EXECD_SPAWN_LEN);
	copy_name(out, s->image);
	copy_name(out + NAME_LEN, s->name);
	if (ipc_put_u32(out, cap, 2 * NAME_LEN, s->qos) != 0 ||
	    ipc_put_u32(out, cap, 2 * NAME_LEN + 4, s->page_quota) != 0 ||
	    ipc_put_u32(out, cap, 2 * NAME_LEN + 8, s->slack_fg_ms) != 0 ||
	    ipc_put_u32(out, cap, 2 * NAME_LEN + 12, s->slack_bg_ms) != 0)
		return -NX_EINVAL;
	return EXECD_SPAWN_LEN;
}

int execd_spawn_decode(const uint8_t *buf, size_t len, struct execd_spawn *s)
{
	if (len != EXECD_SPAWN_LEN || memchr(buf, 0, NAME_LEN) == NULL || memchr(buf + NAME_LEN, 0, NAME_LEN) == NULL)
		return -NX_EINVAL;
	memcpy(s->image, buf, NAME_LEN);
	memcpy(s->name, buf + NAME_LEN, NAME_LEN);
	if (ipc_get_u32(buf, len, 2 * NAME_LEN, &s->qos) != 0 ||
	    ipc_get_u32(buf, len, 2 * NAME_LEN + 4, &s->page_quota) != 0 ||
	    ipc_get_u32(buf, len, 2 * NAME_LEN + 8, &s->slack_fg_ms) != 0 ||
	    ipc_get_u32(buf, len, 2 * NAME_LEN + 12, &s->slack_bg_ms) != 0)
		return -NX_EINVAL;
	return 0;
}
