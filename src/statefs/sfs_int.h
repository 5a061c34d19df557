/*
 * Shared inside the statefs library, not part of its contract: byte order helpers, the
 * record writer, the sorted index (index.c) and the journal (journal.c) that store.c drives.
 */
#ifndef SFS_INT_H
#define SFS_INT_H

#include "statefs/statefs.h"

static inline uint16_t sfs_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t sfs_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t sfs_get64(const uint8_t *p)
{
	return (uint64_t)sfs_get32(p) | (uint64_t)sfs_get32(p + 4) << 32;
}

static inline void sfs_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void sfs_put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void sfs_put64(uint8_t *p, uint64_t v)
{
	sfs_put32(p, (uint32_t)v);
	sfs_put32(p + 4, (uint32_t)(v >> 32));
}

/* Encoded length of a record with these key and value lengths. */
static inline uint32_t sfs_rec_len(uint32_t key_len, uint32_t value_len)
{
	return SFS_REC_HDR + key_len + value_len;
}

/* record.c: write a record whose shape is known to be valid into `buf`, which has room for
 * it; a NULL `value` writes zeros. Returns its length. */
uint32_t sfs_rec_write(uint8_t *buf, const struct sfs_record *r);

/* index.c: the keys, sorted bytewise (a key before every longer key it begins). */
int sfs_ix_cmp(const uint8_t *a, uint32_t a_len, const uint8_t *b, uint32_t b_len);
bool sfs_ix_find(const struct sfs_store *s, const uint8_t *key, uint32_t len, uint32_t *at);
void sfs_ix_insert(struct sfs_store *s, uint32_t at, const uint8_t *key, uint32_t len);
void sfs_ix_remove(struct sfs_store *s, uint32_t at);

/* journal.c: what store.c calls once it has checked the arguments. */
int sfs_jn_open(struct sfs_store *s);
int sfs_jn_update(struct sfs_store *s, uint8_t type, const uint8_t *key, uint32_t key_len,
		  const uint8_t *value, uint32_t value_len);
int sfs_jn_value(struct sfs_store *s, uint32_t at, const uint8_t **value);
int sfs_jn_sync(struct sfs_store *s);

#endif
