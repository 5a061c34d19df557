/*
 * The index: every live key with where its put record lies, in a table sorted by key so
 * that a lookup is a binary search (at most 8 steps for SFS_MAX_KEYS) and a prefix's keys
 * are one run of the table. Insertion and removal shift the entries behind.
 */
#include <string.h>

#include "sfs_int.h"

int sfs_ix_cmp(const uint8_t *a, uint32_t a_len, const uint8_t *b, uint32_t b_len)
{
	int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
	if (c != 0)
		return c;
	return (a_len > b_len) - (a_len < b_len);
}

/* True if `key` is stored; `*at` is then its entry, else where it would be inserted. */
bool sfs_ix_find(const struct sfs_store *s, const uint8_t *key, uint32_t len, uint32_t *at)
{
	uint32_t lo = 0, hi = s->nkeys;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct sfs_entry *e = &s->keys[mid];
		if (sfs_ix_cmp(e->key, e->klen, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < s->nkeys && sfs_ix_cmp(s->keys[lo].key, s->keys[lo].klen, key, len) == 0;
}

/* Open entry `at` for `key` (the caller checked there is room); its location is the caller's. */
void sfs_ix_insert(struct sfs_store *s, uint32_t at, const uint8_t *key, uint32_t len)
{
	memmove(&s->keys[at + 1], &s->keys[at], (s->nkeys - at) * sizeof(s->keys[0]));
	struct sfs_entry *e = &s->keys[at];
	e->loc = 0;
	e->vlen = 0;
	e->klen = (uint8_t)len;
	memcpy(e->key, key, len);
	s->nkeys++;
}

void sfs_ix_remove(struct sfs_store *s, uint32_t at)
{
	memmove(&s->keys[at], &s->keys[at + 1], (s->nkeys - at - 1) * sizeof(s->keys[0]));
	s->nkeys--;
}
