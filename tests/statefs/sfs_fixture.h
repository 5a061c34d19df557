/*
 * Shared by the statefs tests: an in-memory disk that can lose power after any write call
 * (the write landing whole, torn to a prefix of its sectors, or with the writes since the
 * last flush lost), fail any call, and check every call against the store's I/O bound; and
 * a model of the store's contents (a sorted key-value table) with a snapshot of a real store
 * in the same form, so that a test compares the two.
 */
#ifndef TESTS_STATEFS_FIXTURE_H
#define TESTS_STATEFS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "statefs/statefs.h"

/* A store call's result: `want`, or the test fails saying what came. */
#define EXPECT_RC(call, want)                                                                 \
	do {                                                                                  \
		int rc_ = (call), w_ = (want);                                                \
		if (rc_ != w_)                                                                \
			fail_msg("%s: expected %d (%s), got %d (%s)", #call, w_, sfs_strerror(w_), \
				 rc_, sfs_strerror(rc_));                                     \
	} while (0)

/* An unsigned value: `what` names it in the failure message. */
#define EXPECT_EQ(what, want, got)                                                            \
	do {                                                                                  \
		unsigned long long w_ = (unsigned long long)(want);                           \
		unsigned long long g_ = (unsigned long long)(got);                            \
		if (w_ != g_)                                                                 \
			fail_msg("%s: expected %llu, got %llu", (what), w_, g_);              \
	} while (0)

/* What a power cut does to the writes since the last flush (the write cache). */
enum md_loss {
	MD_KEEP,    /* they all stay: writes land in order, as issued */
	MD_LOSE,    /* they are all lost */
	MD_REORDER, /* each is lost or kept by a pseudo-random draw: later ones may outlive earlier */
};

/* One write since the last flush, with what its sectors held before. */
struct md_undo {
	uint64_t lba;
	uint32_t count;
	uint8_t *old;
};

struct memdisk {
	uint8_t *data;        /* sectors * SFS_SECTOR_SIZE bytes */
	uint64_t sectors;
	uint32_t writes;      /* write calls so far */
	uint32_t reads;       /* read calls so far */
	uint32_t flushes;     /* flush calls so far */
	uint32_t bad_calls;   /* calls with a count outside 1..SFS_IO_MAX_SECTORS or past the end */
	uint32_t max_count;   /* largest count of any call */
	uint32_t last_count;  /* count of the latest write call that landed (torn or not) */
	uint64_t last_lba;    /* its first sector */
	/* Power cut: write call number `cut_at` (0: never) is the last; `keep` of its sectors
	 * land (MD_ALL: all, and the call succeeds), then `loss` applies and every call fails. */
	uint32_t cut_at;
	uint32_t keep;
	enum md_loss loss;
	uint32_t seed;        /* MD_REORDER's draws */
	bool dead;
	/* Faults: the call with this number (0: none) fails, and only it. */
	uint32_t fail_read;
	uint32_t fail_write;
	uint32_t fail_flush;
	uint32_t *counts;     /* the count of every write call that landed, in order */
	uint32_t ncounts;
	uint32_t counts_cap;
	struct md_undo *undo; /* the writes since the last flush */
	uint32_t nundo;
	uint32_t undo_cap;
};

#define MD_ALL UINT32_MAX

void md_init(struct memdisk *d, uint64_t sectors);
void md_free(struct memdisk *d);
struct sfs_dev md_dev(struct memdisk *d);
/* Cut power after write call `at` (counted from now on the disk's total), keeping `keep`
 * of its sectors (MD_ALL: all), then apply `loss`. */
void md_cut(struct memdisk *d, uint32_t at, uint32_t keep, enum md_loss loss, uint32_t seed);
/* Power back on: nothing armed, every call works again. */
void md_power_on(struct memdisk *d);

/* A key-value table sorted as the store sorts, used as model and as snapshot. */
struct kv {
	uint8_t klen;
	uint8_t key[SFS_KEY_MAX];
	uint16_t vlen;
	uint8_t val[SFS_VALUE_MAX];
};

struct model {
	uint32_t n;
	struct kv kv[SFS_MAX_KEYS];
};

void model_put(struct model *m, const void *key, size_t klen, const void *val, size_t vlen);
void model_del(struct model *m, const void *key, size_t klen);
/* The entry of `key`, or NULL. */
const struct kv *model_get(const struct model *m, const void *key, size_t klen);
/* Every key and value of the store, read through sfs_list and sfs_get (the test fails on
 * any error). */
void model_snapshot(struct sfs_store *s, struct model *out);
bool model_equal(const struct model *a, const struct model *b);
/* The first difference between two tables, for a failure message. */
const char *model_diff(const struct model *want, const struct model *got);

/* Open `s` on `d`; the test fails unless it works. */
void open_ok(struct sfs_store *s, struct memdisk *d);
/* `s` holds exactly what `m` holds. */
void expect_state(struct sfs_store *s, const struct model *m, const char *when);

#endif
