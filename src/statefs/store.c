/*
 * The store's API: argument checks, then the index (index.c) and the journal (journal.c).
 * Every refusal happens here or before the journal changes anything.
 */
#include <string.h>

#include "sfs_int.h"

static const char *const err_names[SFS_ERR_COUNT] = {
	[SFS_OK] = "ok",
	[SFS_EINVAL] = "invalid argument",
	[SFS_EKEY] = "bad key length",
	[SFS_EVALUE] = "value too long",
	[SFS_ENOENT] = "no such key",
	[SFS_EFULL] = "key table full",
	[SFS_ENOSPACE] = "no space",
	[SFS_EIO] = "I/O error: reopen the store",
	[SFS_ECORRUPT] = "corrupt data",
	[SFS_ESHORT] = "buffer too short",
};

const char *sfs_strerror(int err)
{
	/* Negated in unsigned arithmetic: -INT_MIN does not fit in an int. */
	unsigned code = 0U - (unsigned)err;
	return err <= 0 && code < SFS_ERR_COUNT ? err_names[code] : "unknown error";
}

int sfs_open(struct sfs_store *s, const struct sfs_dev *dev)
{
	if (!s)
		return -SFS_EINVAL;
	memset(s, 0, sizeof(*s));
	s->broken = true;
	if (!dev || !dev->read || !dev->write || !dev->flush || dev->sectors < SFS_MIN_SECTORS)
		return -SFS_EINVAL;
	s->dev = *dev;
	int err = sfs_jn_open(s);
	if (err)
		return err;
	s->broken = false;
	return 0;
}

/* Checks shared by the calls that take a key. */
static int usable(const struct sfs_store *s, const void *key, size_t key_len)
{
	if (!s)
		return -SFS_EINVAL;
	if (s->broken)
		return -SFS_EIO;
	if (!key)
		return -SFS_EINVAL;
	if (key_len == 0 || key_len > SFS_KEY_MAX)
		return -SFS_EKEY;
	return 0;
}

int sfs_put(struct sfs_store *s, const void *key, size_t key_len, const void *value, size_t value_len)
{
	int err = usable(s, key, key_len);
	if (err)
		return err;
	if (!value && value_len > 0)
		return -SFS_EINVAL;
	if (value_len > SFS_VALUE_MAX)
		return -SFS_EVALUE;
	return sfs_jn_update(s, SFS_REC_PUT, key, (uint32_t)key_len, value, (uint32_t)value_len);
}

int sfs_get(struct sfs_store *s, const void *key, size_t key_len, void *buf, size_t cap, size_t *value_len)
{
	int err = usable(s, key, key_len);
	if (err)
		return err;
	if (!value_len || (!buf && cap > 0))
		return -SFS_EINVAL;
	uint32_t at;
	if (!sfs_ix_find(s, key, (uint32_t)key_len, &at))
		return -SFS_ENOENT;
	size_t len = s->keys[at].vlen;
	if (cap < len) {
		*value_len = len;
		return -SFS_ESHORT;
	}
	const uint8_t *v;
	err = sfs_jn_value(s, at, &v);
	if (err)
		return err;
	if (len != 0)
		memcpy(buf, v, len);
	*value_len = len;
	return 0;
}

int sfs_delete(struct sfs_store *s, const void *key, size_t key_len)
{
	int err = usable(s, key, key_len);
	if (err)
		return err;
	return sfs_jn_update(s, SFS_REC_DEL, key, (uint32_t)key_len, NULL, 0);
}

static bool has_prefix(const struct sfs_entry *e, const uint8_t *prefix, size_t len)
{
	return e->klen >= len && memcmp(e->key, prefix, len) == 0;
}

int sfs_list(struct sfs_store *s, const void *prefix, size_t prefix_len, const struct sfs_key *after,
	     struct sfs_key *out, size_t max, size_t *n, bool *more)
{
	if (!s)
		return -SFS_EINVAL;
	if (s->broken)
		return -SFS_EIO;
	if (!out || !n || !more || (!prefix && prefix_len > 0) || max == 0 || max > SFS_MAX_KEYS)
		return -SFS_EINVAL;
	if (prefix_len > SFS_KEY_MAX || (after && (after->len == 0 || after->len > SFS_KEY_MAX)))
		return -SFS_EKEY;
	/* The keys with the prefix are one run of the sorted index, from the prefix's place. */
	const uint8_t *pre = prefix_len ? prefix : (const uint8_t *)"";
	uint32_t i, j;
	(void)sfs_ix_find(s, pre, (uint32_t)prefix_len, &i);
	if (after) {
		if (sfs_ix_find(s, after->bytes, after->len, &j))
			j++;
		if (j > i)
			i = j;
	}
	size_t k = 0;
	for (; i < s->nkeys && k < max && has_prefix(&s->keys[i], pre, prefix_len); i++, k++) {
		out[k].len = s->keys[i].klen;
		memcpy(out[k].bytes, s->keys[i].key, s->keys[i].klen);
	}
	*n = k;
	*more = i < s->nkeys && has_prefix(&s->keys[i], pre, prefix_len);
	return 0;
}

int sfs_sync(struct sfs_store *s)
{
	if (!s)
		return -SFS_EINVAL;
	if (s->broken)
		return -SFS_EIO;
	return sfs_jn_sync(s);
}

int sfs_stats(const struct sfs_store *s, struct sfs_stats *out)
{
	if (!s || !out)
		return -SFS_EINVAL;
	*out = s->st;
	out->keys = s->nkeys;
	out->bytes_live = s->live;
	out->region_bytes = s->region_sectors * SFS_SECTOR_SIZE;
	out->bytes_free = out->region_bytes - s->tail_base - s->tail_len;
	out->epoch = s->epoch;
	return 0;
}
