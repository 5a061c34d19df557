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

/* The fixed part of spawn_image: name, then five u32 from NAME_LEN, then the digest. */
#define IMG_U32 NAME_LEN
#define IMG_DIGEST (NAME_LEN + 20)
#define IMG_PREFIX_LEN (IMG_DIGEST + EXECD_DIGEST_LEN)

static int name_ok(const char *name)
{
	return name[0] != '\0' && memchr(name, 0, NAME_LEN) != NULL;
}

int execd_spawn_image_encode(const struct execd_spawn_image *s, uint8_t *out, size_t cap)
{
	if (!name_ok(s->name) || s->image_len == 0 || s->prefix_len > EXECD_PREFIX_MAX ||
	    !statefs_key_ok(s->prefix, s->prefix_len) || cap < EXECD_SPAWN_IMAGE_FIXED + (size_t)s->prefix_len)
		return -NX_EINVAL;
	const uint32_t u[5] = { s->qos, s->page_quota, s->slack_fg_ms, s->slack_bg_ms, s->image_len };
	memset(out, 0, EXECD_SPAWN_IMAGE_FIXED + (size_t)s->prefix_len);
	copy_name(out, s->name);
	for (unsigned i = 0; i < 5; i++) {
		if (ipc_put_u32(out, cap, IMG_U32 + 4 * i, u[i]) != 0)
			return -NX_EINVAL;
	}
	memcpy(out + IMG_DIGEST, s->sha512, EXECD_DIGEST_LEN);
	out[IMG_PREFIX_LEN] = s->prefix_len;
	memcpy(out + EXECD_SPAWN_IMAGE_FIXED, s->prefix, s->prefix_len);
	return (int)(EXECD_SPAWN_IMAGE_FIXED + s->prefix_len);
}

int execd_spawn_image_decode(const uint8_t *buf, size_t len, struct execd_spawn_image *s)
{
	if (len < EXECD_SPAWN_IMAGE_FIXED || len != EXECD_SPAWN_IMAGE_FIXED + (size_t)buf[IMG_PREFIX_LEN])
		return -NX_EINVAL;
	const uint8_t plen = buf[IMG_PREFIX_LEN];
	const char *prefix = (const char *)buf + EXECD_SPAWN_IMAGE_FIXED;
	uint32_t u[5];
	for (unsigned i = 0; i < 5; i++) {
		if (ipc_get_u32(buf, len, IMG_U32 + 4 * i, &u[i]) != 0)
			return -NX_EINVAL;
	}
	if (buf[0] == 0 || memchr(buf, 0, NAME_LEN) == NULL || u[4] == 0 || plen > EXECD_PREFIX_MAX ||
	    !statefs_key_ok(prefix, plen))
		return -NX_EINVAL;
	memcpy(s->name, buf, NAME_LEN);
	s->qos = u[0];
	s->page_quota = u[1];
	s->slack_fg_ms = u[2];
	s->slack_bg_ms = u[3];
	s->image_len = u[4];
	memcpy(s->sha512, buf + IMG_DIGEST, EXECD_DIGEST_LEN);
	s->prefix_len = plen;
	memcpy(s->prefix, prefix, plen);
	s->prefix[plen] = '\0';
	return 0;
}

int execd_chunk_key(const char *prefix, size_t prefix_len, unsigned index, char *out, size_t cap)
{
	const size_t digits = index < 10 ? 1 : 2;
	if (prefix_len > EXECD_PREFIX_MAX || !statefs_key_ok(prefix, prefix_len) || index >= EXECD_CHUNKS_MAX ||
	    cap < prefix_len + digits + 1)
		return -NX_EINVAL;
	memcpy(out, prefix, prefix_len);
	if (digits == 2)
		out[prefix_len] = (char)('0' + index / 10);
	out[prefix_len + digits - 1] = (char)('0' + index % 10);
	out[prefix_len + digits] = '\0';
	return (int)(prefix_len + digits);
}

uint32_t execd_chunk_len(uint32_t image_len, unsigned index)
{
	const uint64_t start = (uint64_t)index * EXECD_CHUNK_SIZE;
	if (start >= image_len)
		return 0;
	return image_len - start < EXECD_CHUNK_SIZE ? (uint32_t)(image_len - start) : EXECD_CHUNK_SIZE;
}

int execd_stats_encode(const struct execd_stats *s, uint8_t *out, size_t cap)
{
	const uint32_t f[5] = { s->images, s->too_big, s->store, s->mismatch, s->kernel };
	if (cap < EXECD_STATS_LEN)
		return -NX_EINVAL;
	for (unsigned i = 0; i < 5; i++) {
		if (ipc_put_u32(out, cap, 4 * i, f[i]) != 0)
			return -NX_EINVAL;
	}
	return EXECD_STATS_LEN;
}

int execd_stats_decode(const uint8_t *buf, size_t len, struct execd_stats *s)
{
	uint32_t f[5];
	if (len != EXECD_STATS_LEN)
		return -NX_EINVAL;
	for (unsigned i = 0; i < 5; i++) {
		if (ipc_get_u32(buf, len, 4 * i, &f[i]) != 0)
			return -NX_EINVAL;
	}
	*s = (struct execd_stats){ f[0], f[1], f[2], f[3], f[4] };
	return 0;
}
