/*
 * The journal record codec (layout at `struct sfs_record` in statefs/statefs.h). The decoder
 * is the one place where bytes from the disk become a record: it reads nothing past `len`,
 * and a record it returns has the magic, a type, lengths allowed for that type, and its CRC.
 */
#include <string.h>

#include "sfs_int.h"

/* Whether a record of `type` may carry `key_len` and `value_len` bytes. */
static bool shape_ok(uint32_t type, size_t key_len, size_t value_len)
{
	switch (type) {
	case SFS_REC_PUT:
		return key_len >= 1 && key_len <= SFS_KEY_MAX && value_len <= SFS_VALUE_MAX;
	case SFS_REC_DEL:
		return key_len >= 1 && key_len <= SFS_KEY_MAX && value_len == 0;
	case SFS_REC_PAD:
		return key_len == 0 && value_len <= SFS_PAD_BODY_MAX;
	default:
		return false;
	}
}

/* CRC of an encoded record of `total` bytes: its header up to the CRC field, then key and value. */
static uint32_t rec_crc(const uint8_t *rec, size_t total)
{
	return sfs_crc32c(sfs_crc32c(0, rec, 20), rec + SFS_REC_HDR, total - SFS_REC_HDR);
}

uint32_t sfs_rec_write(uint8_t *buf, const struct sfs_record *r)
{
	uint32_t total = sfs_rec_len(r->key_len, r->value_len);
	sfs_put32(buf, SFS_REC_MAGIC);
	buf[4] = r->type;
	buf[5] = r->key_len;
	sfs_put16(buf + 6, r->value_len);
	sfs_put64(buf + 8, r->seq);
	sfs_put32(buf + 16, r->epoch);
	if (r->key_len != 0)
		memcpy(buf + SFS_REC_HDR, r->key, r->key_len);
	if (r->value)
		memcpy(buf + SFS_REC_HDR + r->key_len, r->value, r->value_len);
	else
		memset(buf + SFS_REC_HDR + r->key_len, 0, r->value_len);
	sfs_put32(buf + 20, rec_crc(buf, total));
	return total;
}

int sfs_record_encode(const struct sfs_record *r, uint8_t *buf, size_t cap, size_t *len)
{
	if (!r || !buf || !len || (r->key_len != 0 && !r->key) ||
	    !shape_ok(r->type, r->key_len, r->value_len))
		return -SFS_EINVAL;
	if (sfs_rec_len(r->key_len, r->value_len) > cap)
		return -SFS_ESHORT;
	*len = sfs_rec_write(buf, r);
	return 0;
}

int sfs_record_decode(const uint8_t *buf, size_t len, struct sfs_record *out)
{
	if (!buf || !out)
		return -SFS_EINVAL;
	if (len < SFS_REC_HDR)
		return -SFS_ESHORT;
	uint8_t type = buf[4], key_len = buf[5];
	uint16_t value_len = sfs_get16(buf + 6);
	if (sfs_get32(buf) != SFS_REC_MAGIC || !shape_ok(type, key_len, value_len))
		return -SFS_ECORRUPT;
	size_t total = sfs_rec_len(key_len, value_len);
	if (total > len)
		return -SFS_ESHORT;
	if (sfs_get32(buf + 20) != rec_crc(buf, total))
		return -SFS_ECORRUPT;
	*out = (struct sfs_record){
		.type = type,
		.key_len = key_len,
		.value_len = value_len,
		.epoch = sfs_get32(buf + 16),
		.seq = sfs_get64(buf + 8),
		.key = buf + SFS_REC_HDR,
		.value = buf + SFS_REC_HDR + key_len,
		.len = total,
	};
	return 0;
}
