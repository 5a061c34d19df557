/*
 * Benchmarks run in the guest (profile=bench, scripts/bench.sh; SMP=1 so that one hart's
 * instret counts the whole round trip: client, kernel and server).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "client/ota.h"
#include "client/statefs.h"
#include "crypto/sig.h"
#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_bundles.h"
#include "nx_manifest.h"
#include "st.h"

#define RT_WARMUP 8
#define RT_CALLS 64u

static uint64_t rdinstret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* Guest instructions for one echo request/reply through the RFC-0025 helper and the kernel.
 * Not inlined: scripts/ipc-profile.py finds its two rdinstret reads by the function's name. */
static __attribute__((noinline)) void ipc_roundtrip(struct st *st)
{
	/* Eight bytes of data, aligned as a message of words would be. */
	_Alignas(8) static const uint8_t ping[8] = "ping-rt";
	_Alignas(8) uint8_t back[sizeof ping];
	uint64_t total = 0;
	for (unsigned i = 0; i < RT_WARMUP + RT_CALLS; i++) {
		const uint64_t before = rdinstret();
		struct ipc_outcome o = st_call(st, NX_SVC_ECHO, ECHO_OP_ECHO, ping, sizeof ping, back, sizeof back, NULL);
		const uint64_t after = rdinstret();
		st_expect_success(&o, "bench echo");
		if (i >= RT_WARMUP)
			total += after - before;
	}
	printf("bench: ipc roundtrip instret=%llu calls=%u\n", (unsigned long long)(total / RT_CALLS), RT_CALLS);
}

/* Nonces of the one-way requests: a range the route helper's calls do not reach here. */
#define ONEWAY_NONCE 0x0e5e0000u

/*
 * Guest instructions of a one-way send: NX_SYS_SEND of a 40-byte request (8 bytes of data)
 * to echo, which waits in its receive, so the kernel puts the message straight into echo's
 * buffer and queues echo; the caller goes on without a switch. Only the send is counted;
 * then the caller takes echo's reply (NX_SYS_WAIT: it blocks and the kernel switches to
 * echo through the run queue, the context switch scripts/ipc-profile.py measures) and checks
 * it. Not inlined: ipc-profile finds its rdinstret reads by the function's name.
 */
static __attribute__((noinline)) void ipc_oneway(struct st *st)
{
	_Alignas(8) static const uint8_t ping[8] = "ping-1w";
	_Alignas(8) uint8_t frame[NX_FRAME_MAX];
	uint64_t total = 0;
	for (unsigned i = 0; i < RT_WARMUP + RT_CALLS; i++) {
		const struct ipc_msg req = {
			.src = st->client.self_id, .dst = NX_SVC_ECHO_ID, .type = IPC_TYPE_REQUEST,
			.nonce = ONEWAY_NONCE + i, .op = ECHO_OP_ECHO, .data = ping, .data_len = sizeof ping,
		};
		size_t len = 0;
		ST_CHECK(ipc_msg_encode(&req, frame, sizeof frame, &len) == 0, "bench one-way send: encode");
		const uint64_t before = rdinstret();
		const long sent = nx_send(NX_SVC_ECHO_ID, frame, len);
		const uint64_t after = rdinstret();
		uint64_t sender = 0;
		const long n = nx_wait(NX_QUEUE_REPLY, frame, sizeof frame, nx_now_ms() + 1000, &sender);
		struct ipc_msg m;
		ST_CHECK(sent == 0 && n > 0 && ipc_msg_decode(frame, (size_t)n, &m) == 0, "bench one-way send: sent %ld, reply %ld",
			 sent, n);
		ST_CHECK(sender == NX_SVC_ECHO_ID && m.type == IPC_TYPE_REPLY && m.nonce == req.nonce &&
				 m.status == IPC_STATUS_OK && m.data_len == sizeof ping && memcmp(m.data, ping, sizeof ping) == 0,
			 "bench one-way send: wrong reply");
		if (i >= RT_WARMUP)
			total += after - before;
	}
	printf("bench: ipc oneway_send instret=%llu sends=%u\n", (unsigned long long)(total / RT_CALLS), RT_CALLS);
}

/* Phases of src/fixture/fixture.c's bench sleepers: 8 BG tasks (200 ms slack) from 3 s,
 * 8 SYS tasks (no slack) from 8 s, each 10 sleeps on the same schedule; then a phase with
 * no sleepers, whose interrupts are the background the other two also contain. */
static const struct {
	const char *name;
	uint64_t from_ms, to_ms;
} phases[] = {
	{ "bg_slack", 2900, 7000 },
	{ "no_slack", 7900, 12000 },
	{ "idle", 12900, 17000 },
};

static void timer_slack(void)
{
	uint64_t irqs[3];
	for (unsigned i = 0; i < 3; i++) {
		struct nx_kstats a, b;
		(void)nx_sleep_until(phases[i].from_ms);
		ST_CHECK(nx_kstats(&a) == 0, "bench kstats");
		(void)nx_sleep_until(phases[i].to_ms);
		ST_CHECK(nx_kstats(&b) == 0, "bench kstats");
		irqs[i] = b.timer_wake_irqs - a.timer_wake_irqs;
	}
	printf("bench: timer wake irqs sleepers=8 sleeps=10 bg_slack=%llu no_slack=%llu idle=%llu\n",
	       (unsigned long long)irqs[0], (unsigned long long)irqs[1], (unsigned long long)irqs[2]);
}

#define SFS_ROUNDS 16u
#define SFS_TIMEOUT_MS 5000

static struct nx_blk_stats blk_now(void)
{
	struct nx_kstats k;
	ST_CHECK(nx_kstats(&k) == 0, "bench kstats");
	return k.blk;
}

/* Guest instructions (client, kernel, statefsd, on one hart) and block traffic per put of
 * `len` bytes followed by a sync, and per put when `batch` puts share one sync. */
static void statefs_put_sync(struct st *st, size_t len, unsigned batch)
{
	static uint8_t v[STATEFS_VALUE_MAX];
	char key[32];
	memset(v, 0x5a, len);
	const struct nx_blk_stats before = blk_now();
	uint64_t total = 0;
	for (unsigned i = 0; i < SFS_ROUNDS; i++) {
		(void)snprintf(key, sizeof key, "/selftest/bench/%u", i % 4u);
		const uint64_t t0 = rdinstret();
		int rc = statefs_put(&st->client, key, v, len, SFS_TIMEOUT_MS);
		if (rc == 0 && (i + 1) % batch == 0)
			rc = statefs_sync(&st->client, SFS_TIMEOUT_MS);
		total += rdinstret() - t0;
		ST_CHECK(rc == 0, "bench statefs: %s", statefs_strerror(rc));
	}
	const struct nx_blk_stats after = blk_now();
	printf("bench: statefs put_sync bytes=%zu batch=%u instret=%llu sectors_written_x100=%llu flushes_x100=%llu\n",
	       len, batch, (unsigned long long)(total / SFS_ROUNDS),
	       (unsigned long long)((after.sectors_written - before.sectors_written) * 100 / SFS_ROUNDS),
	       (unsigned long long)((after.flushes - before.flushes) * 100 / SFS_ROUNDS));
}

/* Overwrite four 4 KiB values until one more record would not fit the journal region, so that
 * the next boot (profile=bench-reopen) recovers a full journal. */
static void statefs_fill(struct st *st)
{
	static uint8_t v[STATEFS_VALUE_MAX];
	struct statefs_stats s;
	char key[32];
	unsigned puts = 0;
	ST_CHECK(statefs_stats(&st->client, &s, SFS_TIMEOUT_MS) == 0, "bench statefs: stats");
	const uint32_t compactions = s.compactions;
	for (; puts < 4096 && s.bytes_free > 2 * (STATEFS_VALUE_MAX + STATEFS_KEY_MAX + 64); puts++) {
		(void)snprintf(key, sizeof key, "/selftest/fill/%u", puts % 4u);
		memset(v, (int)puts, sizeof v);
		ST_CHECK(statefs_put(&st->client, key, v, sizeof v, SFS_TIMEOUT_MS) == 0 &&
				 statefs_stats(&st->client, &s, SFS_TIMEOUT_MS) == 0,
			 "bench statefs: fill");
	}
	ST_CHECK(statefs_sync(&st->client, SFS_TIMEOUT_MS) == 0 && statefs_stats(&st->client, &s, SFS_TIMEOUT_MS) == 0 &&
			 s.compactions == compactions,
		 "bench statefs: the fill compacted");
	printf("bench: statefs fill puts=%u bytes_free=%u\n", puts, (unsigned)s.bytes_free);
}

#define SIG_ROUNDS 8u
#define SIG_MSG 64u
#define KS_TIMEOUT_MS 5000

/* Guest instructions of Ed25519 on a 64-byte message: the library alone (in selftest, with a
 * key pair of its own from a fixed seed), and one round trip through keystored each (the
 * device key signs; client, kernel and keystored on one hart). Averages of SIG_ROUNDS after
 * one round not counted. */
static void signatures(struct st *st)
{
	static const uint8_t seed[SIG_SEED_LEN] = "selftest bench key, not a secret";
	uint8_t pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN], dev_pk[SIG_PUBKEY_LEN];
	uint8_t m[SIG_MSG];
	memset(m, 0x6d, sizeof m);
	uint64_t t0 = rdinstret();
	ST_CHECK(sig_keypair_from_seed(seed, pk, sk) == 0, "bench sig: key pair");
	const uint64_t keypair = rdinstret() - t0;
	ST_CHECK(keystore_pubkey(&st->client, dev_pk, KS_TIMEOUT_MS) == 0, "bench keystored: pubkey");
	uint64_t sign = 0, verify = 0, ks_sign = 0, ks_verify = 0;
	for (unsigned i = 0; i <= SIG_ROUNDS; i++) {
		bool valid = false;
		const uint64_t a = rdinstret();
		const int s1 = sig_sign(sk, m, sizeof m, sig);
		const uint64_t b = rdinstret();
		const int v1 = sig_verify(pk, m, sizeof m, sig);
		const uint64_t c = rdinstret();
		const int s2 = keystore_sign(&st->client, m, sizeof m, sig, KS_TIMEOUT_MS);
		const uint64_t d = rdinstret();
		const int v2 = keystore_verify(&st->client, dev_pk, m, sizeof m, sig, &valid, KS_TIMEOUT_MS);
		const uint64_t e = rdinstret();
		ST_CHECK(s1 == 0 && v1 == 0 && s2 == 0 && v2 == 0 && valid, "bench sig: %d %d %d %d %d", s1, v1, s2, v2,
			 valid);
		if (i == 0)
			continue;
		sign += b - a;
		verify += c - b;
		ks_sign += d - c;
		ks_verify += e - d;
	}
	sig_wipe(sk, sizeof sk);
	printf("bench: sig bytes=%u keypair=%llu sign=%llu verify=%llu\n", SIG_MSG, (unsigned long long)keypair,
	       (unsigned long long)(sign / SIG_ROUNDS), (unsigned long long)(verify / SIG_ROUNDS));
	printf("bench: keystored bytes=%u sign=%llu verify=%llu rounds=%u\n", SIG_MSG,
	       (unsigned long long)(ks_sign / SIG_ROUNDS), (unsigned long long)(ks_verify / SIG_ROUNDS), SIG_ROUNDS);
}

/* An update through updated: staging hello-2 (chunks in, keystored's verification, the image
 * written and synced in statefsd), then the switch until hello-2's process is ready (appmgrd,
 * execd reading and checking the image, the kernel loading it). Guest instructions on the
 * one hart and guest ms (icount). */
static void ota(struct st *st)
{
	const struct nx_bundle_blob *b = NULL;
	for (unsigned i = 0; i < NX_BUNDLE_COUNT; i++)
		b = strcmp(nx_bundles[i].name, "hello-2") == 0 ? &nx_bundles[i] : b;
	ST_CHECK(b != NULL, "bench ota: no bundle hello-2");
	uint16_t status = IPC_STATUS_MALFORMED;
	uint32_t version = 0;
	uint8_t slot = 0;
	uint64_t t0 = nx_now_ms(), i0 = rdinstret();
	int rc = ota_stage(&st->client, "hello", b->bytes, b->len, &status, &version, &slot, 10000);
	const uint64_t stage_i = rdinstret() - i0, stage_ms = nx_now_ms() - t0;
	ST_CHECK(rc == 0 && status == IPC_STATUS_OK && version == 2, "bench ota: stage: %s, %s", ota_strerror(rc),
		 ota_status_text(status));
	/* The ready is awaited as appmgrd's change notification: selftest sleeps meanwhile. */
	st->change_count = 0;
	ST_CHECK(st_am_call(st, APPMGRD_OP_SUBSCRIBE, "", NULL, 0, NULL) == IPC_STATUS_OK, "bench ota: subscribe");
	t0 = nx_now_ms();
	i0 = rdinstret();
	rc = ota_app_op(&st->client, UPDATED_OP_SWITCH, "hello", &status, 10000);
	ST_CHECK(rc == 0 && status == IPC_STATUS_OK, "bench ota: switch: %s, %s", ota_strerror(rc), ota_status_text(status));
	bool ready = false;
	for (unsigned round = 0; !ready && round < ST_MAX_CHANGES && nx_now_ms() < t0 + 5000; round++) {
		st_take_notices(st, t0 + 5000);
		for (unsigned i = 0; i < st->change_count; i++)
			ready |= strcmp(st->changes[i].name, "hello") == 0 && st->changes[i].to == APPMGR_RUNNING_FG;
	}
	const uint64_t switch_i = rdinstret() - i0, switch_ms = nx_now_ms() - t0;
	ST_CHECK(st_am_call(st, APPMGRD_OP_UNSUBSCRIBE, "", NULL, 0, NULL) == IPC_STATUS_OK, "bench ota: unsubscribe");
	struct appmgr_state s;
	st_am_state(st, "hello", &s);
	ST_CHECK(ready && s.state == APPMGR_RUNNING_FG && s.version == 2, "bench ota: hello is %s as version %u",
		 appmgr_state_name(s.state), (unsigned)s.version);
	printf("bench: ota stage bytes=%zu instret=%llu guest_ms=%llu\n", b->len, (unsigned long long)stage_i,
	       (unsigned long long)stage_ms);
	printf("bench: ota switch_to_ready instret=%llu guest_ms=%llu\n", (unsigned long long)switch_i,
	       (unsigned long long)switch_ms);
}

void st_bench(struct st *st)
{
	/* Every service done with its start (keystored's key, statefsd's first writes): the
	 * round trip is measured on an otherwise idle system. */
	uint32_t stats[5];
	st_server_stats(st, NX_SVC_KEYSTORED, stats);
	ipc_roundtrip(st);
	ipc_oneway(st);
	timer_slack();
	statefs_put_sync(st, 64, 1);
	statefs_put_sync(st, STATEFS_VALUE_MAX, 1);
	statefs_put_sync(st, 64, SFS_ROUNDS);
	ota(st);
	statefs_fill(st);
	signatures(st);
}
