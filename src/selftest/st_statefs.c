/*
 * statefsd proofs, through the client library and raw requests: every operation and its
 * bounds, authority by namespace, compaction, persistence across a reboot, and the
 * power-cut workload and its check (scripts/test-powercut.sh sweeps the cut).
 */
#include <stdio.h>
#include <string.h>

#include "client/statefs.h"
#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

#define TIMEOUT_MS 5000

static uint8_t val[STATEFS_VALUE_MAX], got[STATEFS_VALUE_MAX];

/* `len` bytes that depend on `seed`; the first four are the seed itself. */
static void fill(uint8_t *b, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = i < 4 ? (uint8_t)(seed >> (8 * i)) : (uint8_t)x;
	}
}

static struct statefs_stats stats(struct st *st)
{
	struct statefs_stats s;
	const int rc = statefs_stats(&st->client, &s, TIMEOUT_MS);
	ST_CHECK(rc == 0, "statefs: stats: %s", statefs_strerror(rc));
	return s;
}

static void put(struct st *st, const char *key, const void *v, size_t len, const char *what)
{
	const int rc = statefs_put(&st->client, key, v, len, TIMEOUT_MS);
	ST_CHECK(rc == 0, "%s: put %s (%zu bytes): %s", what, key, len, statefs_strerror(rc));
}

static void sync_all(struct st *st, const char *what)
{
	const int rc = statefs_sync(&st->client, TIMEOUT_MS);
	ST_CHECK(rc == 0, "%s: sync: %s", what, statefs_strerror(rc));
}

/* `key` holds the `len` bytes fill(seed) makes. */
static void expect_value(struct st *st, const char *key, size_t len, uint32_t seed, const char *what)
{
	size_t n = 0;
	const int rc = statefs_get(&st->client, key, got, sizeof got, &n, TIMEOUT_MS);
	ST_CHECK(rc == 0 && n == len, "%s: get %s: %s, %zu bytes, want %zu", what, key, statefs_strerror(rc), n, len);
	fill(val, len, seed);
	ST_CHECK(memcmp(got, val, len) == 0, "%s: %s holds other bytes", what, key);
}

/* A raw put of `key` whose header says `vlen` bytes, with `attached` bytes attached. */
static uint16_t raw_put(struct st *st, const char *key, size_t klen, uint16_t vlen, size_t attached)
{
	uint8_t req[2 + STATEFS_KEY_MAX + 1];
	ST_CHECK(klen <= sizeof req - 2 && ipc_put_u16(req, sizeof req, 0, vlen) == 0, "raw put encode");
	memcpy(req + 2, key, klen);
	ST_CHECK(nx_attach_stage(val, attached) == 0, "raw put: stage");
	const struct ipc_outcome o = st_call(st, NX_SVC_STATEFSD, STATEFSD_OP_PUT, req, 2 + klen, NULL, 0, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "raw put: outcome %s",
		 ipc_outcome_name(o.kind));
	return o.kind == IPC_OUTCOME_SUCCESS ? IPC_STATUS_OK : o.status;
}

/* Bounds of keys and values, at and one past each, on the client's side and statefsd's. */
static void bounds(struct st *st)
{
	char key64[STATEFS_KEY_MAX + 2];
	memset(key64, 'k', sizeof key64);
	memcpy(key64, "/selftest/", 10);
	key64[STATEFS_KEY_MAX] = '\0';
	fill(val, STATEFS_VALUE_MAX, 64);
	put(st, key64, val, STATEFS_VALUE_MAX, "statefs bounds: 64-byte key, 4096-byte value");
	expect_value(st, key64, STATEFS_VALUE_MAX, 64, "statefs bounds");
	key64[STATEFS_KEY_MAX] = 'k';
	key64[STATEFS_KEY_MAX + 1] = '\0';
	ST_CHECK(statefs_put(&st->client, key64, val, 1, TIMEOUT_MS) == -STATEFS_EINVAL,
		 "statefs bounds: a 65-byte key was not refused");
	ST_CHECK(statefs_put(&st->client, "/selftest/v", val, STATEFS_VALUE_MAX + 1, TIMEOUT_MS) == -STATEFS_EINVAL,
		 "statefs bounds: a 4097-byte value was not refused");
	ST_CHECK(statefs_put(&st->client, "/selftest/has space", val, 1, TIMEOUT_MS) == -STATEFS_EINVAL,
		 "statefs bounds: a key with a space was not refused");
	/* statefsd's own checks: a 65-byte key, and attachments that disagree with the header. */
	const struct statefs_stats before = stats(st);
	ST_CHECK(raw_put(st, key64, STATEFS_KEY_MAX + 1, 1, 1) == IPC_STATUS_MALFORMED,
		 "statefs bounds: statefsd took a 65-byte key");
	ST_CHECK(raw_put(st, "/selftest/v", 11, 10, 9) == IPC_STATUS_MALFORMED,
		 "statefs bounds: statefsd took 9 bytes for 10");
	ST_CHECK(raw_put(st, "/selftest/v", 11, 10, 11) == IPC_STATUS_MALFORMED,
		 "statefs bounds: statefsd took 11 bytes for 10");
	ST_CHECK(raw_put(st, "/selftest/v", 11, 0, 1) == IPC_STATUS_MALFORMED,
		 "statefs bounds: statefsd took an attachment for an empty value");
	const struct statefs_stats after = stats(st);
	ST_CHECK(after.refused - before.refused == 4 && after.puts == before.puts && after.keys == before.keys,
		 "statefs bounds: refused +%u puts +%u keys %u -> %u", after.refused - before.refused,
		 after.puts - before.puts, before.keys, after.keys);
	size_t n = 0;
	ST_CHECK(statefs_get(&st->client, "/selftest/v", got, sizeof got, &n, TIMEOUT_MS) == -STATEFS_ENOENT,
		 "statefs bounds: a refused put stored something");
}

#define LIST_KEYS 10
#define LIST_PAGE 4

/* Ten keys listed in pages of four: 4, 4, 2, in byte order, `more` on all but the last. */
static void list_pages(struct st *st)
{
	char key[32];
	for (unsigned i = 0; i < LIST_KEYS; i++) {
		(void)snprintf(key, sizeof key, "/selftest/l/%02u", LIST_KEYS - 1 - i);
		fill(val, i, i);
		put(st, key, val, i, "statefs list");
	}
	struct statefs_key page[LIST_PAGE];
	char after[STATEFS_KEY_MAX + 1] = "";
	unsigned seen = 0;
	for (unsigned p = 0; p <= LIST_KEYS / LIST_PAGE; p++) {
		size_t n = 0;
		bool more = false;
		const int rc = statefs_list(&st->client, "/selftest/l/", after, page, LIST_PAGE, &n, &more, TIMEOUT_MS);
		ST_CHECK(rc == 0, "statefs list: page %u: %s", p, statefs_strerror(rc));
		const size_t want = p < LIST_KEYS / LIST_PAGE ? LIST_PAGE : LIST_KEYS % LIST_PAGE;
		ST_CHECK(n == want && more == (p < LIST_KEYS / LIST_PAGE), "statefs list: page %u has %zu keys, more %d",
			 p, n, more);
		for (size_t i = 0; i < n; i++, seen++) {
			(void)snprintf(key, sizeof key, "/selftest/l/%02u", seen);
			ST_CHECK(strcmp(page[i].bytes, key) == 0, "statefs list: key %u is %s, want %s", seen, page[i].bytes,
				 key);
		}
		memcpy(after, page[n - 1].bytes, (size_t)page[n - 1].len + 1);
	}
	ST_CHECK(seen == LIST_KEYS, "statefs list: %u keys listed", seen);
}

void st_statefs_checks(struct st *st)
{
	const struct statefs_stats before = stats(st);
	fill(val, 64, 1);
	put(st, "/selftest/a", val, 64, "statefs put");
	expect_value(st, "/selftest/a", 64, 1, "statefs put");
	fill(val, 100, 2);
	put(st, "/selftest/a", val, 100, "statefs put");
	expect_value(st, "/selftest/a", 100, 2, "statefs replace");
	put(st, "/selftest/empty", NULL, 0, "statefs put");
	size_t n = 1;
	ST_CHECK(statefs_get(&st->client, "/selftest/empty", got, sizeof got, &n, TIMEOUT_MS) == 0 && n == 0,
		 "statefs put: the empty value came back with %zu bytes", n);
	ST_CHECK(statefs_get(&st->client, "/selftest/a", got, 99, &n, TIMEOUT_MS) == -STATEFS_EINVAL && n == 100,
		 "statefs put: a get into 99 bytes of a 100-byte value was not refused");
	ST_CHECK(statefs_delete(&st->client, "/selftest/empty", TIMEOUT_MS) == 0 &&
			 statefs_get(&st->client, "/selftest/empty", got, sizeof got, &n, TIMEOUT_MS) == -STATEFS_ENOENT &&
			 statefs_delete(&st->client, "/selftest/empty", TIMEOUT_MS) == -STATEFS_ENOENT,
		 "statefs put: delete");
	bounds(st);
	list_pages(st);
	sync_all(st, "statefs put");
	const struct statefs_stats after = stats(st);
	ST_CHECK(after.puts - before.puts == 4 + LIST_KEYS && after.deletes - before.deletes == 1 &&
			 after.syncs - before.syncs == 1 && after.keys - before.keys == 2 + LIST_KEYS,
		 "statefs put: puts +%u deletes +%u syncs +%u keys +%u", after.puts - before.puts,
		 after.deletes - before.deletes, after.syncs - before.syncs, after.keys - before.keys);
	printf("SELFTEST: statefs put ok\n");
}

/* Keys outside selftest's namespace and grants (a read grant on /appmgrd/) are refused,
 * counted, and change nothing. */
void st_statefs_authority(struct st *st)
{
	const struct statefs_stats before = stats(st);
	size_t n = 0;
	struct statefs_key page[1];
	bool more;
	ST_CHECK(statefs_put(&st->client, "/appmgrd/intruder", val, 8, TIMEOUT_MS) == -STATEFS_EDENIED,
		 "statefs authority: a write under a read grant was not denied");
	ST_CHECK(statefs_delete(&st->client, "/console/x", TIMEOUT_MS) == -STATEFS_EDENIED,
		 "statefs authority: a delete in console's namespace was not denied");
	ST_CHECK(statefs_get(&st->client, "/statefsd/x", got, sizeof got, &n, TIMEOUT_MS) == -STATEFS_EDENIED,
		 "statefs authority: a get in statefsd's namespace was not denied");
	ST_CHECK(statefs_list(&st->client, "/", NULL, page, 1, &n, &more, TIMEOUT_MS) == -STATEFS_EDENIED,
		 "statefs authority: a list of every key was not denied");
	ST_CHECK(statefs_put(&st->client, "/selftestx/a", val, 8, TIMEOUT_MS) == -STATEFS_EDENIED,
		 "statefs authority: a namespace that only begins with selftest's name was not denied");
	const struct statefs_stats after = stats(st);
	ST_CHECK(statefs_get(&st->client, "/appmgrd/intruder", got, sizeof got, &n, TIMEOUT_MS) == -STATEFS_ENOENT,
		 "statefs authority: the denied write stored something");
	ST_CHECK(after.denied - before.denied == 5 && after.puts == before.puts && after.deletes == before.deletes &&
			 after.keys == before.keys,
		 "statefs authority: denied +%u puts +%u deletes +%u keys %u -> %u", after.denied - before.denied,
		 after.puts - before.puts, after.deletes - before.deletes, before.keys, after.keys);
	printf("SELFTEST: statefs unauthorized access rejected ok\n");
}

#define COMPACT_KEYS 8
#define COMPACT_PUTS_MAX 1024

/* Overwrite eight 4 KiB values until the journal compacts, then every key has its latest. */
void st_statefs_compaction(struct st *st)
{
	const struct statefs_stats before = stats(st);
	char key[32];
	unsigned i = 0;
	for (; i < COMPACT_PUTS_MAX; i++) {
		(void)snprintf(key, sizeof key, "/selftest/c/%u", i % COMPACT_KEYS);
		fill(val, STATEFS_VALUE_MAX, 1000 + i);
		put(st, key, val, STATEFS_VALUE_MAX, "statefs compaction");
		if (i % COMPACT_KEYS == COMPACT_KEYS - 1 && stats(st).compactions > before.compactions)
			break;
	}
	sync_all(st, "statefs compaction");
	const struct statefs_stats after = stats(st);
	ST_CHECK(after.compactions - before.compactions == 1, "statefs compaction: %u compactions in %u puts",
		 after.compactions - before.compactions, i + 1);
	for (unsigned k = 0; k < COMPACT_KEYS; k++) {
		(void)snprintf(key, sizeof key, "/selftest/c/%u", k);
		expect_value(st, key, STATEFS_VALUE_MAX, 1000 + i - (COMPACT_KEYS - 1 - k), "statefs compaction");
	}
	ST_CHECK(after.bytes_live < before.bytes_live + (COMPACT_KEYS + 1) * (STATEFS_VALUE_MAX + 128),
		 "statefs compaction: %u live bytes after it", after.bytes_live);
	printf("SELFTEST: statefs compaction ok puts=%u\n", i + 1);
}

/* Boot 1 of the persist lane writes and syncs; boot 2 (same disk) reads it all back. */
#define PERSIST_KEYS 5

void st_statefs_persist_write(struct st *st)
{
	char key[32];
	const struct statefs_stats before = stats(st);
	for (unsigned k = 0; k < PERSIST_KEYS; k++) {
		(void)snprintf(key, sizeof key, "/selftest/p/%u", k);
		fill(val, 700 * k + 1, 500 + k);
		put(st, key, val, 700 * k + 1, "statefs persist");
	}
	sync_all(st, "statefs persist");
	const unsigned written = stats(st).puts - before.puts;
	/* Not synced: may or may not survive, and the check does not look at it. */
	put(st, "/selftest/p/unsynced", val, 10, "statefs persist");
	printf("SELFTEST: statefs persist written keys=%u\n", written);
}

void st_statefs_persist_check(struct st *st)
{
	char key[32];
	const struct statefs_stats s = stats(st);
	ST_CHECK(s.formatted == 0 && s.replayed >= PERSIST_KEYS, "statefs persist: formatted %u, %u records replayed",
		 s.formatted, s.replayed);
	unsigned verified = 0;
	for (unsigned k = 0; k < PERSIST_KEYS; k++, verified++) {
		(void)snprintf(key, sizeof key, "/selftest/p/%u", k);
		expect_value(st, key, 700 * k + 1, 500 + k, "statefs persist");
	}
	printf("SELFTEST: statefs persist ok keys=%u\n", verified);
}

/*
 * The power-cut workload (profile powercut): op i (1..PC_OPS) puts pc_len(i) bytes of
 * fill(i) into key i % PC_KEYS, or, every PC_DELETE_EVERY-th op, deletes that key; a sync
 * follows every PC_SYNC_EVERY-th op and then prints its op number. The kernel's blkcut knob
 * cuts the power after some write; the check boot then finds a state that is the state
 * after some op no earlier than the last synced one.
 */
#define PC_OPS 30u
#define PC_KEYS 4u
#define PC_SYNC_EVERY 3u
#define PC_DELETE_EVERY 7u

static size_t pc_len(unsigned i)
{
	return (i * 997u) % (STATEFS_VALUE_MAX - 3u) + 4u;
}

static bool pc_deletes(unsigned i)
{
	return i % PC_DELETE_EVERY == 0;
}

static void pc_key(unsigned k, char *key, size_t cap)
{
	(void)snprintf(key, cap, "/selftest/pc/%u", k);
}

void st_statefs_powercut(struct st *st)
{
	char key[32];
	unsigned done = 0;
	for (unsigned i = 1; i <= PC_OPS; i++, done++) {
		pc_key(i % PC_KEYS, key, sizeof key);
		if (pc_deletes(i)) {
			const int rc = statefs_delete(&st->client, key, TIMEOUT_MS);
			ST_CHECK(rc == 0 || rc == -STATEFS_ENOENT, "statefs powercut: delete %s: %s", key, statefs_strerror(rc));
		} else {
			fill(val, pc_len(i), i);
			put(st, key, val, pc_len(i), "statefs powercut");
		}
		if (i % PC_SYNC_EVERY == 0) {
			sync_all(st, "statefs powercut");
			printf("statefs: powercut synced op=%u\n", i);
		}
	}
	printf("SELFTEST: statefs powercut workload ops=%u\n", done);
}

/* The op that `key k` shows after ops 1..m: 0 = absent. */
static unsigned pc_state(unsigned k, unsigned m)
{
	for (unsigned i = m; i >= 1; i--) {
		if (i % PC_KEYS == k)
			return pc_deletes(i) ? 0 : i;
	}
	return 0;
}

void st_statefs_powercut_check(struct st *st, unsigned synced)
{
	unsigned seen[PC_KEYS];
	char key[32];
	for (unsigned k = 0; k < PC_KEYS; k++) {
		pc_key(k, key, sizeof key);
		size_t n = 0;
		const int rc = statefs_get(&st->client, key, got, sizeof got, &n, TIMEOUT_MS);
		seen[k] = 0;
		if (rc == -STATEFS_ENOENT)
			continue;
		ST_CHECK(rc == 0 && n >= 4, "statefs powercut check: get %s: %s (%zu bytes)", key, statefs_strerror(rc), n);
		const unsigned op = (unsigned)got[0] | (unsigned)got[1] << 8 | (unsigned)got[2] << 16 | (unsigned)got[3] << 24;
		ST_CHECK(op >= 1 && op <= PC_OPS && op % PC_KEYS == k && !pc_deletes(op) && n == pc_len(op),
			 "statefs powercut check: %s holds a value of op %u (%zu bytes) it never had", key, op, n);
		fill(val, n, op);
		ST_CHECK(memcmp(got, val, n) == 0, "statefs powercut check: %s: the value of op %u is damaged", key, op);
		seen[k] = op;
	}
	/* The first state after op m >= synced that is the state seen. */
	unsigned recovered = 0;
	bool found = false;
	for (unsigned m = synced; m <= PC_OPS && !found; m++) {
		bool match = true;
		for (unsigned k = 0; k < PC_KEYS; k++)
			match = match && seen[k] == pc_state(k, m);
		found = match;
		recovered = m;
	}
	unsigned lost = 0;
	for (unsigned k = 0; !found && k < PC_KEYS; k++)
		lost += seen[k] != pc_state(k, synced);
	ST_CHECK(found, "statefs powercut check: no state after op %u or later matches (%u keys differ from it)", synced,
		 lost);
	printf("SELFTEST: statefs powercut check ok synced=%u recovered=%u lost=%u\n", synced, recovered, lost);
}
