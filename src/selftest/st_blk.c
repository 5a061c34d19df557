/*
 * Block device proofs (NX_SYS_BLK_*). Only statefsd holds NX_RIGHT_BLK (manifests/system.json):
 * the data path is proven through it (st_statefs.c, the persist and power-cut lanes), the
 * refusals here, and the range and count checks by the host tests (tests/kernel/test_blk.c).
 */
#include <stdio.h>
#include <string.h>

#include "client/statefs.h"
#include "ulib/sys.h"
#include "st.h"

static struct nx_blk_stats blk_stats(void)
{
	struct nx_kstats ks;
	ST_CHECK(nx_kstats(&ks) == 0, "blk: kstats");
	return ks.blk;
}

/* selftest itself and the fixture blk-nobody hold no NX_RIGHT_BLK: every block syscall of
 * theirs is denied, counted, and reaches no device. */
static void blk_denied(struct st *st)
{
	struct nx_kstats before, after;
	ST_CHECK(nx_kstats(&before) == 0, "blk denied: kstats");
	static uint8_t buf[NX_BLK_SECTOR_SIZE];
	struct nx_blk_info info;
	ST_CHECK(nx_blk_info(&info) == -NX_EDENIED && nx_blk_read(0, buf, 1) == -NX_EDENIED &&
			 nx_blk_write(0, buf, 1) == -NX_EDENIED && nx_blk_flush() == -NX_EDENIED,
		 "blk denied: a block syscall of selftest was not denied");
	ST_CHECK(nx_kstats(&after) == 0, "blk denied: kstats");
	ST_CHECK(after.denied - before.denied == 4 && after.blk.requests == before.blk.requests,
		 "blk denied: denied +%llu requests +%llu, want +4 and +0",
		 (unsigned long long)(after.denied - before.denied),
		 (unsigned long long)(after.blk.requests - before.blk.requests));
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, "blk-nobody", nx_now_ms() + 10000, &n) == 0, "blk denied: no exit notice");
	ST_CHECK(n.reason == NX_REASON_NONE && n.exit_code == 0,
		 "blk denied: blk-nobody ended with reason %u, %d block syscalls not denied", (unsigned)n.reason,
		 (int)n.exit_code);
	printf("SELFTEST: blk denied ok\n");
}

void st_blk_checks(struct st *st)
{
	blk_denied(st);
}

/*
 * profile=blk: a fixed load of block requests through statefsd, for measuring how the
 * kernel waits for the device (docs/kernel.md, "Block device"; scripts/blk-probe.py): puts
 * of 64 bytes and of 4 KiB each followed by a sync (a write and a flush each), and gets of
 * 4 KiB (reads: statefsd reads every value back from the disk). Each line gives the block
 * requests it caused and the guest time per request.
 */
#define BLK_LOAD_ROUNDS 20u
#define BLK_LOAD_TIMEOUT_MS 5000

enum load_kind { LOAD_PUT_64, LOAD_PUT_4K, LOAD_GET_4K, LOAD_KINDS };
static const char *const load_names[LOAD_KINDS] = { "put_64_sync", "put_4k_sync", "get_4k" };

static int load_step(struct st *st, enum load_kind k, unsigned i)
{
	static uint8_t v[STATEFS_VALUE_MAX];
	char key[32];
	size_t n;
	(void)snprintf(key, sizeof key, "/selftest/load/%u", i % 4u);
	memset(v, (int)i, sizeof v);
	switch (k) {
	case LOAD_PUT_64:
	case LOAD_PUT_4K: {
		const int rc = statefs_put(&st->client, key, v, k == LOAD_PUT_64 ? 64 : sizeof v, BLK_LOAD_TIMEOUT_MS);
		return rc != 0 ? rc : statefs_sync(&st->client, BLK_LOAD_TIMEOUT_MS);
	}
	default:
		return statefs_get(&st->client, key, v, sizeof v, &n, BLK_LOAD_TIMEOUT_MS);
	}
}

void st_blk_load(struct st *st)
{
	const struct nx_blk_stats before = blk_stats();
	for (unsigned k = 0; k < LOAD_KINDS; k++) {
		const uint64_t start = nx_now_ms();
		const struct nx_blk_stats from = blk_stats();
		uint64_t ticks, end;
		__asm__ volatile("rdtime %0" : "=r"(ticks));
		for (unsigned i = 0; i < BLK_LOAD_ROUNDS; i++) {
			const int rc = load_step(st, (enum load_kind)k, i);
			ST_CHECK(rc == 0, "blk load: %s %u: %s", load_names[k], i, statefs_strerror(rc));
		}
		__asm__ volatile("rdtime %0" : "=r"(end));
		const uint64_t requests = blk_stats().requests - from.requests;
		ST_CHECK(requests > 0, "blk load: %s made no block request", load_names[k]);
		const uint64_t per = (end - ticks) / (requests > 0 ? requests : 1);
		printf("blk: load %s requests=%llu ticks_per_request=%llu from_ms=%llu\n", load_names[k],
		       (unsigned long long)requests, (unsigned long long)per,
		       (unsigned long long)start);
	}
	const struct nx_blk_stats after = blk_stats();
	printf("blk: load done requests=%llu late=%llu errors=%llu\n",
	       (unsigned long long)(after.requests - before.requests), (unsigned long long)(after.late - before.late),
	       (unsigned long long)(after.errors - before.errors));
}
