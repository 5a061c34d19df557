/* The statefs tests' in-memory disk and model (sfs_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sfs_fixture.h"

#define SECTOR SFS_SECTOR_SIZE

void md_init(struct memdisk *d, uint64_t sectors)
{
	*d = (struct memdisk){ .sectors = sectors };
	d->data = calloc(sectors, SECTOR);
	assert_non_null(d->data);
}

static void undo_clear(struct memdisk *d)
{
	for (uint32_t i = 0; i < d->nundo; i++)
		free(d->undo[i].old);
	d->nundo = 0;
}

void md_free(struct memdisk *d)
{
	undo_clear(d);
	free(d->undo);
	free(d->counts);
	free(d->data);
	*d = (struct memdisk){ 0 };
}

/* A call's sectors: counted, and checked against the store's promise. */
static bool in_bounds(struct memdisk *d, uint64_t lba, uint32_t count)
{
	if (count > d->max_count)
		d->max_count = count;
	if (count == 0 || count > SFS_IO_MAX_SECTORS || lba >= d->sectors || count > d->sectors - lba) {
		d->bad_calls++;
		return false;
	}
	return true;
}

static int md_read(void *ctx, uint64_t lba, void *buf, uint32_t count)
{
	struct memdisk *d = ctx;
	d->reads++;
	if (d->dead || d->reads == d->fail_read || !in_bounds(d, lba, count))
		return -1;
	memcpy(buf, d->data + lba * SECTOR, (size_t)count * SECTOR);
	return 0;
}

static uint32_t draw(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* The power goes: the writes since the last flush are lost as `loss` says, newest first. */
static void power_off(struct memdisk *d)
{
	uint32_t x = d->seed | 1U;
	d->dead = true;
	for (uint32_t i = d->nundo; i-- > 0;) {
		const struct md_undo *u = &d->undo[i];
		if (d->loss == MD_LOSE || (d->loss == MD_REORDER && draw(&x) % 2 == 0))
			memcpy(d->data + u->lba * SECTOR, u->old, (size_t)u->count * SECTOR);
	}
	undo_clear(d);
}

static int md_write(void *ctx, uint64_t lba, const void *buf, uint32_t count)
{
	struct memdisk *d = ctx;
	d->writes++;
	if (d->dead || d->writes == d->fail_write || !in_bounds(d, lba, count))
		return -1;
	d->last_count = count;
	d->last_lba = lba;
	if (d->ncounts == d->counts_cap) {
		d->counts_cap = d->counts_cap ? 2 * d->counts_cap : 256;
		d->counts = realloc(d->counts, d->counts_cap * sizeof(d->counts[0]));
		assert_non_null(d->counts);
	}
	d->counts[d->ncounts++] = count;
	if (d->nundo == d->undo_cap) {
		d->undo_cap = d->undo_cap ? 2 * d->undo_cap : 64;
		d->undo = realloc(d->undo, d->undo_cap * sizeof(d->undo[0]));
		assert_non_null(d->undo);
	}
	struct md_undo *u = &d->undo[d->nundo++];
	*u = (struct md_undo){ .lba = lba, .count = count, .old = malloc((size_t)count * SECTOR) };
	assert_non_null(u->old);
	memcpy(u->old, d->data + lba * SECTOR, (size_t)count * SECTOR);
	uint32_t land = count;
	if (d->writes == d->cut_at && d->keep < count)
		land = d->keep;
	memcpy(d->data + lba * SECTOR, buf, (size_t)land * SECTOR);
	if (d->writes == d->cut_at) {
		power_off(d);
		return land == count ? 0 : -1;
	}
	return 0;
}

static int md_flush(void *ctx)
{
	struct memdisk *d = ctx;
	d->flushes++;
	if (d->dead || d->flushes == d->fail_flush)
		return -1;
	undo_clear(d);
	return 0;
}

struct sfs_dev md_dev(struct memdisk *d)
{
	return (struct sfs_dev){
		.read = md_read, .write = md_write, .flush = md_flush, .ctx = d, .sectors = d->sectors,
	};
}

void md_cut(struct memdisk *d, uint32_t at, uint32_t keep, enum md_loss loss, uint32_t seed)
{
	d->cut_at = at;
	d->keep = keep;
	d->loss = loss;
	d->seed = seed;
}

void md_power_on(struct memdisk *d)
{
	undo_clear(d);
	d->dead = false;
	d->cut_at = 0;
	d->fail_read = d->fail_write = d->fail_flush = 0;
}

/* The model. */

static int kv_cmp(const struct kv *e, const void *key, size_t klen)
{
	size_t n = e->klen < klen ? e->klen : klen;
	int c = memcmp(e->key, key, n);
	if (c != 0)
		return c;
	return (e->klen > klen) - (e->klen < klen);
}

static uint32_t model_at(const struct model *m, const void *key, size_t klen, bool *found)
{
	uint32_t i = 0;
	while (i < m->n && kv_cmp(&m->kv[i], key, klen) < 0)
		i++;
	*found = i < m->n && kv_cmp(&m->kv[i], key, klen) == 0;
	return i;
}

void model_put(struct model *m, const void *key, size_t klen, const void *val, size_t vlen)
{
	bool found;
	uint32_t i = model_at(m, key, klen, &found);
	if (!found) {
		assert_true(m->n < SFS_MAX_KEYS);
		memmove(&m->kv[i + 1], &m->kv[i], (m->n - i) * sizeof(m->kv[0]));
		m->n++;
		m->kv[i].klen = (uint8_t)klen;
		memcpy(m->kv[i].key, key, klen);
	}
	m->kv[i].vlen = (uint16_t)vlen;
	if (vlen)
		memcpy(m->kv[i].val, val, vlen);
}

void model_del(struct model *m, const void *key, size_t klen)
{
	bool found;
	uint32_t i = model_at(m, key, klen, &found);
	if (!found)
		return;
	memmove(&m->kv[i], &m->kv[i + 1], (m->n - i - 1) * sizeof(m->kv[0]));
	m->n--;
}

const struct kv *model_get(const struct model *m, const void *key, size_t klen)
{
	bool found;
	uint32_t i = model_at(m, key, klen, &found);
	return found ? &m->kv[i] : NULL;
}

void model_snapshot(struct sfs_store *s, struct model *out)
{
	struct sfs_key keys[SFS_MAX_KEYS];
	size_t n = 0;
	bool more = false;
	EXPECT_RC(sfs_list(s, NULL, 0, NULL, keys, SFS_MAX_KEYS, &n, &more), 0);
	assert_false(more);
	out->n = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct kv *e = &out->kv[i];
		size_t vlen = 0;
		e->klen = keys[i].len;
		memcpy(e->key, keys[i].bytes, keys[i].len);
		EXPECT_RC(sfs_get(s, e->key, e->klen, e->val, sizeof(e->val), &vlen), 0);
		e->vlen = (uint16_t)vlen;
	}
}

static bool kv_equal(const struct kv *a, const struct kv *b)
{
	return a->klen == b->klen && a->vlen == b->vlen && memcmp(a->key, b->key, a->klen) == 0 &&
	       memcmp(a->val, b->val, a->vlen) == 0;
}

bool model_equal(const struct model *a, const struct model *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (!kv_equal(&a->kv[i], &b->kv[i]))
			return false;
	return true;
}

const char *model_diff(const struct model *want, const struct model *got)
{
	static char msg[256];
	uint32_t n = want->n < got->n ? want->n : got->n;
	for (uint32_t i = 0; i < n; i++) {
		const struct kv *w = &want->kv[i], *g = &got->kv[i];
		if (!kv_equal(w, g)) {
			snprintf(msg, sizeof(msg), "entry %u: expected key '%.*s' (%u bytes of value), got '%.*s' (%u bytes)%s",
				 i, w->klen, (const char *)w->key, w->vlen, g->klen, (const char *)g->key, g->vlen,
				 w->klen == g->klen && w->vlen == g->vlen ? ", values differ" : "");
			return msg;
		}
	}
	snprintf(msg, sizeof(msg), "expected %u keys, got %u", want->n, got->n);
	return msg;
}

void open_ok(struct sfs_store *s, struct memdisk *d)
{
	const struct sfs_dev dev = md_dev(d);
	EXPECT_RC(sfs_open(s, &dev), 0);
}

void expect_state(struct sfs_store *s, const struct model *m, const char *when)
{
	struct model *got = malloc(sizeof(*got));
	assert_non_null(got);
	model_snapshot(s, got);
	bool same = model_equal(m, got);
	const char *diff = same ? "" : model_diff(m, got);
	char msg[300];
	snprintf(msg, sizeof(msg), "%s", diff);
	free(got);
	if (!same)
		fail_msg("%s: the store differs from the model: %s", when, msg);
}
