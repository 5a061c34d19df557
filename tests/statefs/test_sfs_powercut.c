/*
 * The power-cut simulation. A deterministic workload of puts, deletes, syncs and gets
 * (hundreds of operations, several compactions, some refused for space; after each put or
 * delete, gets of some key and of the previous operation's key, checked against a model)
 * runs on an in-memory disk. Then, for every write call k of the whole run in turn, the workload runs
 * again from a blank disk and the power goes after write k:
 *   - write k lands whole (writes land in order, as issued);
 *   - write k lands torn: only its first p sectors, for every p below its count;
 *   - write k lands, and every write since the last flush is lost (a volatile cache);
 *   - write k lands, and each write since the last flush is lost or kept by a pseudo-random
 *     draw (a cache that reorders), two different draws.
 * Each time the disk is reopened and: (a) the open succeeds; (b) the store holds exactly the
 * state after some prefix of the history of successful operations, no shorter than the
 * history at the last successful sync (so every synced key has its synced value or a later
 * one, in history order); (c) hence no key deleted before a sync comes back. Then the
 * recovered store takes a delete, a put and a sync, and a second reopen shows exactly that.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sfs_fixture.h"

#define STEPS 420U
#define NKEYS 32U
/* Regions of 40 sectors (20 KiB). */
#define DISK (SFS_SB_SECTORS + 2U * 40U)

enum kind { PUT, DEL, SYNC, GET };

struct step {
	uint8_t kind;
	uint8_t key;   /* key id */
	uint8_t check; /* key id whose value is checked after the step */
	uint16_t vlen; /* PUT */
	uint32_t seed; /* PUT: value bytes */
};

/* A successful put (vlen) or delete (DELETED) of the history. */
#define DELETED UINT16_MAX
struct hop {
	uint8_t key;
	uint16_t vlen;
	uint32_t seed;
};

struct run {
	struct hop h[STEPS + 1];
	uint32_t n;        /* successful puts and deletes */
	uint32_t synced;   /* of them, before the last successful sync */
	bool pending;      /* h[n] is the operation that met the power cut: it may have landed */
	uint32_t syncs, nospace, gets;
};

static struct step script[STEPS];
static struct sfs_store s;
static struct memdisk d;
static struct model live, want, got;
static struct run r;

static uint32_t draw(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void make_script(void)
{
	uint32_t x = 0x5EED;
	for (uint32_t i = 0; i < STEPS; i++) {
		struct step *st = &script[i];
		uint32_t c = draw(&x) % 100, size = draw(&x) % 100;
		*st = (struct step){ .key = (uint8_t)(draw(&x) % NKEYS), .seed = draw(&x) };
		st->check = (uint8_t)(draw(&x) % NKEYS);
		if (c < 10)
			st->kind = SYNC;
		else if (c < 24)
			st->kind = DEL;
		else if (c < 30)
			st->kind = GET;
		else
			st->kind = PUT;
		if (size < 60)
			st->vlen = (uint16_t)(draw(&x) % 200);
		else if (size < 85)
			st->vlen = (uint16_t)(200 + draw(&x) % 1300);
		else if (size < 97)
			st->vlen = (uint16_t)(1500 + draw(&x) % 1500);
		else
			st->vlen = SFS_VALUE_MAX;
	}
	script[STEPS - 1].kind = SYNC;
}

/* Key `id`: "k", or "key-NN", or a 64-byte key for every eighth. */
static size_t key_of(uint8_t id, char *out)
{
	if (id == 0) {
		out[0] = 'k';
		return 1;
	}
	if (id % 8 == 7) {
		memset(out, 'L', SFS_KEY_MAX);
		out[SFS_KEY_MAX - 2] = (char)('0' + id / 10);
		out[SFS_KEY_MAX - 1] = (char)('0' + id % 10);
		return SFS_KEY_MAX;
	}
	return (size_t)snprintf(out, SFS_KEY_MAX, "key-%02u", id);
}

static void value_of(uint32_t seed, uint16_t vlen, uint8_t *out)
{
	uint32_t x = seed | 1U;
	for (uint32_t i = 0; i < vlen; i++)
		out[i] = i % 16 == 0 ? (uint8_t)draw(&x) : (uint8_t)(out[i - 1] + 1);
}

static void model_hop(struct model *m, const struct hop *h)
{
	static uint8_t v[SFS_VALUE_MAX];
	char key[SFS_KEY_MAX];
	size_t klen = key_of(h->key, key);
	if (h->vlen == DELETED) {
		model_del(m, key, klen);
		return;
	}
	value_of(h->seed, h->vlen, v);
	model_put(m, key, klen, v, h->vlen);
}

/*
 * Run the script on `d` from a blank disk until it ends or the disk dies. Every result is
 * checked against the model of the live store: ENOENT exactly for absent keys, gets equal to
 * the model, ENOSPACE allowed for puts (the reopen checks it changed nothing).
 */
/* Get key `id` and compare with the live model; false once the disk is dead. */
static bool get_ok(uint32_t step, uint8_t id)
{
	static uint8_t buf[SFS_VALUE_MAX];
	char key[SFS_KEY_MAX];
	size_t klen = key_of(id, key), len = 0;
	const struct kv *e = model_get(&live, key, klen);
	int rc = sfs_get(&s, key, klen, buf, sizeof(buf), &len);
	if (rc == -SFS_EIO)
		return false;
	if (e ? rc != 0 || len != e->vlen || memcmp(buf, e->val, len) != 0 : rc != -SFS_ENOENT)
		fail_msg("step %u: get of key %u: %s, %zu bytes, not what the model holds", step, id,
			 sfs_strerror(rc), len);
	r.gets++;
	return true;
}

static void run_script(void)
{
	static uint8_t v[SFS_VALUE_MAX];
	memset(&r, 0, sizeof(r));
	memset(&live, 0, sizeof(live));
	const struct sfs_dev dev = md_dev(&d);
	if (sfs_open(&s, &dev) != 0)
		return;
	for (uint32_t i = 0; i < STEPS; i++) {
		const struct step *st = &script[i];
		char key[SFS_KEY_MAX];
		size_t klen = key_of(st->key, key);
		struct hop h = { .key = st->key, .vlen = st->vlen, .seed = st->seed };
		int rc;
		switch (st->kind) {
		case PUT:
			value_of(st->seed, st->vlen, v);
			rc = sfs_put(&s, key, klen, v, st->vlen);
			if (rc == -SFS_ENOSPACE) {
				r.nospace++;
				continue;
			}
			break;
		case DEL:
			h.vlen = DELETED;
			rc = sfs_delete(&s, key, klen);
			if (rc != -SFS_EIO && (rc == -SFS_ENOENT) != !model_get(&live, key, klen))
				fail_msg("step %u: delete of key %u: %s, the model %s it", i, st->key,
					 sfs_strerror(rc), model_get(&live, key, klen) ? "holds" : "lacks");
			if (rc == -SFS_ENOENT)
				continue;
			break;
		case SYNC:
			rc = sfs_sync(&s);
			if (rc == 0) {
				r.synced = r.n;
				r.syncs++;
			}
			if (rc == 0 || rc == -SFS_EIO)
				continue;
			break;
		default:
			if (!get_ok(i, st->key))
				return;
			continue;
		}
		if (rc == -SFS_EIO) {
			r.h[r.n] = h;
			r.pending = true;
			return;
		}
		if (rc != 0)
			fail_msg("step %u (kind %u, key %u): %s", i, st->kind, st->key, sfs_strerror(rc));
		r.h[r.n++] = h;
		model_hop(&live, &h);
		/* The previous operation's record is the one a tail write may have cut in two. */
		if (!get_ok(i, st->check) || (r.n > 1 && !get_ok(i, r.h[r.n - 2].key)))
			return;
	}
}

/* The store matches the history's prefix of some length in synced..n (+1 if pending). */
static int matching_prefix(void)
{
	model_snapshot(&s, &got);
	memset(&want, 0, sizeof(want));
	for (uint32_t i = 0; i < r.synced; i++)
		model_hop(&want, &r.h[i]);
	uint32_t hi = r.n + (r.pending ? 1 : 0);
	for (uint32_t i = r.synced;; i++) {
		if (model_equal(&want, &got))
			return (int)i;
		if (i == hi)
			return -1;
		model_hop(&want, &r.h[i]);
	}
}

/* After the cut: reopen, check, take more operations, reopen, check again. */
static void check_recovery(const char *how, uint32_t k, uint32_t p)
{
	md_power_on(&d);
	const struct sfs_dev dev = md_dev(&d);
	int rc = sfs_open(&s, &dev);
	if (rc != 0)
		fail_msg("cut after write %u (%s %u): open failed: %s", k, how, p, sfs_strerror(rc));
	int n = matching_prefix();
	if (n < 0)
		fail_msg("cut after write %u (%s %u): the state is no prefix of the history between the "
			 "last sync (%u operations) and the cut (%u%s)",
			 k, how, p, r.synced, r.n, r.pending ? " + 1" : "");
	/* `got` is the recovered state: delete its first key, put one, sync, reopen. */
	if (got.n > 0) {
		EXPECT_RC(sfs_delete(&s, got.kv[0].key, got.kv[0].klen), 0);
		model_del(&got, got.kv[0].key, got.kv[0].klen);
	}
	rc = sfs_put(&s, "after", 5, "cut", 3);
	if (rc == 0)
		model_put(&got, "after", 5, "cut", 3);
	else if (rc != -SFS_ENOSPACE)
		fail_msg("put after recovery: %s", sfs_strerror(rc));
	EXPECT_RC(sfs_sync(&s), 0);
	EXPECT_RC(sfs_open(&s, &dev), 0);
	expect_state(&s, &got, "reopened after operations on the recovered store");
}

static void power_cut_after_every_write_keeps_every_synced_operation(void **state)
{
	(void)state;
	make_script();
	/* The run without a cut: its figures, and the count of every write. */
	md_init(&d, DISK);
	run_script();
	if (r.n == 0 || r.synced != r.n)
		fail_msg("the run without a cut failed after %u operations", r.n);
	struct sfs_stats st;
	EXPECT_RC(sfs_stats(&s, &st), 0);
	uint32_t total = d.writes, *counts = malloc(total * sizeof(*counts));
	assert_non_null(counts);
	EXPECT_EQ("write calls recorded", total, d.ncounts);
	memcpy(counts, d.counts, total * sizeof(*counts));
	if (st.compactions < 3 || r.nospace == 0)
		fail_msg("the workload should compact several times and meet NOSPACE: %llu compactions, "
			 "%u refused", (unsigned long long)st.compactions, r.nospace);
	EXPECT_EQ("calls outside the I/O bound", 0, d.bad_calls);
	const struct sfs_dev dev = md_dev(&d);
	EXPECT_RC(sfs_open(&s, &dev), 0);
	expect_state(&s, &live, "the run without a cut, reopened");
	print_message("workload: %u steps, %u puts+deletes, %u syncs, %u gets checked, %u puts refused "
		      "(NOSPACE), %llu compactions, %u write calls, %u flushes\n",
		      STEPS, r.n, r.syncs, r.gets, r.nospace, (unsigned long long)st.compactions, total,
		      d.flushes);
	md_free(&d);

	uint32_t whole = 0, torn = 0, lost = 0, reordered = 0;
	for (uint32_t k = 1; k <= total; k++) {
		for (uint32_t v = 0; v < counts[k - 1] + 4; v++) {
			md_init(&d, DISK);
			const char *how;
			uint32_t p = 0;
			if (v < counts[k - 1]) {
				how = "torn, sectors kept";
				p = v;
				md_cut(&d, k, p, MD_KEEP, 0);
				torn++;
			} else if (v == counts[k - 1]) {
				how = "whole";
				md_cut(&d, k, MD_ALL, MD_KEEP, 0);
				whole++;
			} else if (v == counts[k - 1] + 1) {
				how = "unflushed lost";
				md_cut(&d, k, MD_ALL, MD_LOSE, 0);
				lost++;
			} else {
				how = "unflushed reordered, draw";
				p = v == counts[k - 1] + 2 ? k : k * 2654435761U;
				md_cut(&d, k, MD_ALL, MD_REORDER, p);
				reordered++;
			}
			run_script();
			if (!d.dead)
				fail_msg("write %u: the run ended before the cut", k);
			check_recovery(how, k, p);
			EXPECT_EQ("calls outside the I/O bound", 0, d.bad_calls);
			md_free(&d);
		}
	}
	free(counts);
	print_message("power cuts: %u write calls; %u cut whole, %u torn (every sector prefix), %u with "
		      "the unflushed writes lost, %u reordered: %u cut points, all recovered, 0 synced "
		      "operations lost\n",
		      total, whole, torn, lost, reordered, whole + torn + lost + reordered);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(power_cut_after_every_write_keeps_every_synced_operation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
