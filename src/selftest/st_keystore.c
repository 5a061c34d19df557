/*
 * keystored proofs (proto/keystore.h), through the client library and raw requests: the
 * public key verifies the service's signatures (checked here with the signature library and
 * through the verify op) and derives from the first entropy rngd handed out; the bounds of
 * messages; refusals (the private key, the seed in statefsd, a caller without the sign
 * grant); keystored's own deadline on a stalled rngd; the same key after a reboot.
 *
 * When keystored made its key this boot, selftest knows the seed (the first SIG_SEED_LEN
 * bytes of tests/data/virtio-rng.bin, checked through the public key) and checks that no
 * public key, signature, raw reply or export refusal of keystored carries any SECRET_WINDOW
 * bytes of it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "client/statefs.h"
#include "crypto/sig.h"
#include "ipc/wire.h"
#include "proto/rng.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

#define TIMEOUT_MS 5000
/* How long keystored may take to say ready, counted from selftest's first wait. */
#define READY_WAIT_MS 10000
/* Where boot 1 of the persist lane records the public key: selftest's own namespace. */
#define PUBKEY_KEY "/selftest/keystored/pubkey"
/* Bytes of the seed that make a match: a reply with any 8 of them in a row leaks it. */
#define SECRET_WINDOW 8
/* The deadline test: rngd stalls STALL_MS (its longest); keystored's call has a deadline of
 * PROBE_MS, and its timeout must come no later than PROBE_SLACK_MS after it. */
#define STALL_MS RNGD_STALL_MAX_MS
#define PROBE_MS 100u
#define PROBE_SLACK_MS 100u
#define MSG_LEN 64

_Static_assert(PROBE_MS + PROBE_SLACK_MS < STALL_MS && STALL_MS <= RNGD_STALL_MAX_MS,
	       "the probe's timeout comes well inside the stall");

static uint8_t msg[KEYSTORE_MSG_MAX + 1];
/* keystored's seed, when this boot made it from the entropy selftest knows. */
static bool seed_known;
static uint8_t seed[SIG_SEED_LEN];

static struct keystore_stats ks_stats(struct st *st)
{
	struct keystore_stats s;
	const int rc = keystore_stats(&st->client, &s, TIMEOUT_MS);
	ST_CHECK(rc == 0, "keystored: stats: %s", keystore_strerror(rc));
	return s;
}

static void pubkey(struct st *st, uint8_t pk[SIG_PUBKEY_LEN], const char *what)
{
	const int rc = keystore_pubkey(&st->client, pk, TIMEOUT_MS);
	ST_CHECK(rc == 0, "%s: pubkey: %s", what, keystore_strerror(rc));
}

/* Fail when `len` bytes at `buf` hold SECRET_WINDOW consecutive bytes of the known seed. */
static void no_secret(const uint8_t *buf, size_t len, const char *what)
{
	for (size_t s = 0; seed_known && s + SECRET_WINDOW <= SIG_SEED_LEN; s++) {
		for (size_t i = 0; i + SECRET_WINDOW <= len; i++)
			ST_CHECK(memcmp(buf + i, seed + s, SECRET_WINDOW) != 0, "%s: bytes %zu.. of the seed at %zu", what,
				 s, i);
	}
}

/* `len` bytes that depend on `tag`. */
static void fill(uint8_t *b, size_t len, uint32_t tag)
{
	uint32_t x = tag * 2654435761u + 7;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

static void sign(struct st *st, size_t len, uint8_t sig[SIG_SIGNATURE_LEN], const char *what)
{
	const int rc = keystore_sign(&st->client, msg, len, sig, TIMEOUT_MS);
	ST_CHECK(rc == 0, "%s: sign of %zu bytes: %s", what, len, keystore_strerror(rc));
	no_secret(sig, SIG_SIGNATURE_LEN, what);
}

static bool verify(struct st *st, const uint8_t pk[SIG_PUBKEY_LEN], size_t len, const uint8_t sig[SIG_SIGNATURE_LEN],
		   const char *what)
{
	bool valid = false;
	const int rc = keystore_verify(&st->client, pk, msg, len, sig, &valid, TIMEOUT_MS);
	ST_CHECK(rc == 0, "%s: verify of %zu bytes: %s", what, len, keystore_strerror(rc));
	return valid;
}

/* A raw request to keystored carrying `attached` bytes of msg; its status. */
static uint16_t raw(struct st *st, uint16_t op, const void *data, size_t len, size_t attached)
{
	uint8_t reply[IPC_DATA_MAX];
	ST_CHECK(nx_attach_stage(msg, attached) == 0, "keystored raw request: stage");
	const struct ipc_outcome o = st_call(st, NX_SVC_KEYSTORED, op, data, len, reply, sizeof reply, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "keystored raw request: outcome %s",
		 ipc_outcome_name(o.kind));
	no_secret(reply, o.reply_len, "keystored raw request");
	return o.kind == IPC_OUTCOME_SUCCESS ? IPC_STATUS_OK : o.status;
}

void st_keystore_wait(struct st *st)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = READY_WAIT_MS;
	uint8_t reply[20];
	const struct ipc_outcome o = st_call(st, NX_SVC_KEYSTORED, NX_OP_SERVER_STATS, NULL, 0, reply, sizeof reply, &opts);
	st_expect_success(&o, "keystored ready");
}

/*
 * A key made this boot derives from the first SIG_SEED_LEN bytes rngd handed out (keystored
 * is the first to read): selftest derives the same public key from the file QEMU serves.
 */
static void key_from_entropy(const struct keystore_stats *s, const uint8_t pk[SIG_PUBKEY_LEN])
{
	if (s->created == 0)
		return;
	ST_CHECK(s->entropy_bytes == SIG_SEED_LEN && st_rng_seed_len >= SIG_SEED_LEN,
		 "keystored pubkey: %u bytes of entropy taken for a key of %u", (unsigned)s->entropy_bytes,
		 (unsigned)SIG_SEED_LEN);
	uint8_t want[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN];
	memcpy(seed, st_rng_seed, sizeof seed);
	ST_CHECK(sig_keypair_from_seed(seed, want, sk) == 0, "keystored pubkey: derive");
	sig_wipe(sk, sizeof sk);
	ST_CHECK(memcmp(pk, want, sizeof want) == 0, "keystored pubkey: not the key of the first %u entropy bytes",
		 (unsigned)SIG_SEED_LEN);
	seed_known = true;
}

/* The bounds of messages: at KEYSTORE_MSG_MAX and one past, and attachments that disagree. */
static unsigned message_bounds(struct st *st, const uint8_t pk[SIG_PUBKEY_LEN])
{
	uint8_t sig[SIG_SIGNATURE_LEN], req[KEYSTORE_VERIFY_REQ_LEN];
	fill(msg, KEYSTORE_MSG_MAX, 3);
	sign(st, KEYSTORE_MSG_MAX, sig, "keystored bounds");
	ST_CHECK(sig_verify(pk, msg, KEYSTORE_MSG_MAX, sig) == 0 && verify(st, pk, KEYSTORE_MSG_MAX, sig, "bounds"),
		 "keystored bounds: the signature of %u bytes does not verify", KEYSTORE_MSG_MAX);
	ST_CHECK(keystore_sign(&st->client, msg, KEYSTORE_MSG_MAX + 1, sig, TIMEOUT_MS) == -KEYSTORE_EINVAL &&
			 keystore_verify(&st->client, pk, msg, KEYSTORE_MSG_MAX + 1, sig, &(bool){ false }, TIMEOUT_MS) ==
				 -KEYSTORE_EINVAL,
		 "keystored bounds: a message of %u bytes was not refused", KEYSTORE_MSG_MAX + 1);
	/* keystored's own checks, each refused and counted. */
	ST_CHECK(ipc_put_u16(req, sizeof req, 0, KEYSTORE_MSG_MAX + 1) == 0, "keystored bounds: encode");
	unsigned refused = 0;
	refused += raw(st, KEYSTORED_OP_SIGN, req, KEYSTORE_SIGN_REQ_LEN, KEYSTORE_MSG_MAX) == IPC_STATUS_MALFORMED;
	ST_CHECK(ipc_put_u16(req, sizeof req, 0, 10) == 0, "keystored bounds: encode");
	refused += raw(st, KEYSTORED_OP_SIGN, req, KEYSTORE_SIGN_REQ_LEN, 9) == IPC_STATUS_MALFORMED;
	refused += raw(st, KEYSTORED_OP_SIGN, req, KEYSTORE_SIGN_REQ_LEN, 11) == IPC_STATUS_MALFORMED;
	refused += raw(st, KEYSTORED_OP_SIGN, req, KEYSTORE_SIGN_REQ_LEN + 1, 10) == IPC_STATUS_MALFORMED;
	refused += raw(st, KEYSTORED_OP_VERIFY, req, KEYSTORE_VERIFY_REQ_LEN - 1, 0) == IPC_STATUS_MALFORMED;
	refused += raw(st, KEYSTORED_OP_PUBKEY, req, 1, 0) == IPC_STATUS_MALFORMED;
	ST_CHECK(refused == 6, "keystored bounds: %u of 6 malformed requests refused", refused);
	return refused;
}

void st_keystore_pubkey(struct st *st)
{
	const struct keystore_stats before = ks_stats(st);
	uint8_t pk[SIG_PUBKEY_LEN], sig[SIG_SIGNATURE_LEN], again[SIG_SIGNATURE_LEN], empty[SIG_SIGNATURE_LEN];
	pubkey(st, pk, "keystored pubkey");
	key_from_entropy(&before, pk);
	no_secret(pk, sizeof pk, "keystored pubkey");
	fill(msg, MSG_LEN, 1);
	sign(st, MSG_LEN, sig, "keystored pubkey");
	ST_CHECK(sig_verify(pk, msg, MSG_LEN, sig) == 0, "keystored pubkey: the signature does not verify here");
	ST_CHECK(verify(st, pk, MSG_LEN, sig, "keystored pubkey"), "keystored pubkey: the verify op refuses the signature");
	sign(st, MSG_LEN, again, "keystored pubkey");
	ST_CHECK(memcmp(sig, again, sizeof sig) == 0, "keystored pubkey: two signatures of one message differ");
	msg[MSG_LEN / 2] ^= 1;
	ST_CHECK(sig_verify(pk, msg, MSG_LEN, sig) == -SIG_EBADSIG && !verify(st, pk, MSG_LEN, sig, "altered message"),
		 "keystored pubkey: the signature verifies for another message");
	msg[MSG_LEN / 2] ^= 1;
	sig[0] ^= 0x80;
	ST_CHECK(!verify(st, pk, MSG_LEN, sig, "altered signature"), "keystored pubkey: an altered signature verifies");
	sign(st, 0, empty, "keystored pubkey");
	ST_CHECK(sig_verify(pk, NULL, 0, empty) == 0, "keystored pubkey: the signature of no bytes does not verify");
	const unsigned refused = message_bounds(st, pk);
	const struct keystore_stats after = ks_stats(st);
	ST_CHECK(after.pubkeys - before.pubkeys == 1 && after.signs - before.signs == 4 &&
			 after.verifies - before.verifies == 4 && after.verify_bad - before.verify_bad == 2 &&
			 after.refused - before.refused == refused && after.export_refused == before.export_refused,
		 "keystored pubkey: pubkeys +%u signs +%u verifies +%u bad +%u refused +%u",
		 after.pubkeys - before.pubkeys, after.signs - before.signs, after.verifies - before.verifies,
		 after.verify_bad - before.verify_bad, after.refused - before.refused);
	printf("SELFTEST: keystored pubkey ok\n");
}

/* A nonce the helper's own calls do not reach in this run. */
#define EXPORT_NONCE 0x7F0000E1u

/*
 * export_private is refused, counted, and answers nothing: the request goes out as a raw
 * call (with a deadline), so that the whole reply frame is seen, not only what the helper
 * passes on. statefsd keeps the seed from everyone but keystored.
 */
void st_keystore_export(struct st *st)
{
	uint8_t pk[SIG_PUBKEY_LEN], pk_after[SIG_PUBKEY_LEN];
	pubkey(st, pk, "keystored export");
	const struct keystore_stats before = ks_stats(st);
	const struct ipc_msg req = {
		.src = NX_SVC_SELFTEST_ID, .dst = NX_SVC_KEYSTORED_ID, .type = IPC_TYPE_REQUEST, .nonce = EXPORT_NONCE,
		.op = KEYSTORED_OP_EXPORT_PRIVATE, .data = (const uint8_t *)"all", .data_len = 3,
	};
	_Alignas(8) uint8_t frame[NX_FRAME_MAX];
	size_t len = 0;
	uint64_t sender = 0;
	struct ipc_msg m;
	ST_CHECK(ipc_msg_encode(&req, frame, sizeof frame, &len) == 0, "keystored export: encode");
	(void)nx_attach_stage(NULL, 0);
	const long n = nx_call(NX_SVC_KEYSTORED_ID, frame, len, sizeof frame, nx_now_ms() + TIMEOUT_MS, &sender);
	ST_CHECK(n > 0 && ipc_msg_decode(frame, (size_t)n, &m) == 0 && sender == NX_SVC_KEYSTORED_ID &&
			 m.type == IPC_TYPE_REPLY && m.nonce == EXPORT_NONCE,
		 "keystored export: no reply (%ld)", n);
	const long attached = nx_attach_take(msg, sizeof msg);
	no_secret(frame, (size_t)n, "keystored export");
	ST_CHECK(m.status == IPC_STATUS_DENIED && m.data_len == 0 && attached == 0,
		 "keystored export: answered status %u with %zu bytes and an attachment of %ld, want denied and nothing",
		 (unsigned)m.status, m.data_len, attached);
	const struct keystore_stats after = ks_stats(st);
	pubkey(st, pk_after, "keystored export");
	ST_CHECK(after.export_refused - before.export_refused == 1 && after.signs == before.signs &&
			 memcmp(pk, pk_after, sizeof pk) == 0,
		 "keystored export: export_refused +%u, signs +%u", after.export_refused - before.export_refused,
		 after.signs - before.signs);
	struct statefs_stats sb, sa;
	ST_CHECK(statefs_stats(&st->client, &sb, TIMEOUT_MS) == 0, "keystored export: statefs stats");
	size_t got = 0;
	struct statefs_key page[1];
	bool more = false;
	ST_CHECK(statefs_get(&st->client, "/keystored/seed", msg, sizeof msg, &got, TIMEOUT_MS) == -STATEFS_EDENIED,
		 "keystored export: statefsd gave keystored's seed to selftest");
	ST_CHECK(statefs_list(&st->client, "/keystored/", NULL, page, 1, &got, &more, TIMEOUT_MS) == -STATEFS_EDENIED,
		 "keystored export: statefsd listed keystored's keys to selftest");
	ST_CHECK(statefs_stats(&st->client, &sa, TIMEOUT_MS) == 0 && sa.denied - sb.denied == 2,
		 "keystored export: statefsd denied +%u, want +2", sa.denied - sb.denied);
	printf("SELFTEST: keystored private export rejected ok\n");
}

/* key-thief (src/fixture/fixture.c), which holds no sign grant, acts on selftest's request. */
void st_keystore_sign_denied(struct st *st)
{
	uint32_t srv_before[5], srv_after[5];
	struct statefs_stats sb, sa;
	st_server_stats(st, NX_SVC_KEYSTORED, srv_before);
	const struct keystore_stats before = ks_stats(st);
	ST_CHECK(statefs_stats(&st->client, &sb, TIMEOUT_MS) == 0, "keystored sign denied: statefs stats");
	uint8_t reply[4];
	uint32_t bad = 0;
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = TIMEOUT_MS;
	const struct ipc_outcome o = st_call(st, "key-thief", 1, NULL, 0, reply, sizeof reply, &opts);
	st_expect_success(&o, "keystored sign denied: key-thief");
	ST_CHECK(o.reply_len == 4 && ipc_get_u32(reply, 4, 0, &bad) == 0 && bad == 0,
		 "keystored sign denied: %u acts of key-thief did not end as they must", (unsigned)bad);
	st_server_stats(st, NX_SVC_KEYSTORED, srv_after);
	const struct keystore_stats after = ks_stats(st);
	ST_CHECK(statefs_stats(&st->client, &sa, TIMEOUT_MS) == 0, "keystored sign denied: statefs stats");
	/* Server counters: [requests, denied, ...]; the two ks_stats calls are requests too. */
	ST_CHECK(srv_after[1] - srv_before[1] == 1 && srv_after[0] - srv_before[0] == 3 && after.signs == before.signs &&
			 after.export_refused - before.export_refused == 1 && after.pubkeys - before.pubkeys == 1 &&
			 sa.denied - sb.denied == 1,
		 "keystored sign denied: denied +%u requests +%u signs +%u export_refused +%u pubkeys +%u statefs denied +%u",
		 srv_after[1] - srv_before[1], srv_after[0] - srv_before[0], after.signs - before.signs,
		 after.export_refused - before.export_refused, after.pubkeys - before.pubkeys, sa.denied - sb.denied);
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, "key-thief", nx_now_ms() + TIMEOUT_MS, &n) == 0, "keystored sign denied: no exit notice");
	ST_CHECK(n.reason == NX_REASON_NONE && n.exit_code == 0, "keystored sign denied: key-thief ended with reason %u code %d",
		 (unsigned)n.reason, (int)n.exit_code);
	printf("SELFTEST: keystored sign denied ok\n");
}

/*
 * RFC-0025's TIMEOUT in the OS: rngd stalls; keystored's call to it must end in TIMEOUT at
 * its deadline, and keystored must answer the next request at once. rngd answers the stale
 * read after its stall (its request count shows it).
 */
/* A stall of `ms` (raw: out-of-bounds values too); rngd's status. */
static uint16_t stall(struct st *st, uint32_t ms)
{
	uint8_t q[4];
	ST_CHECK(ipc_put_u32(q, sizeof q, 0, ms) == 0, "ipc deadline: encode");
	const struct ipc_outcome o = st_call(st, NX_SVC_RNGD, RNGD_OP_STALL, q, sizeof q, NULL, 0, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "ipc deadline: stall: %s",
		 ipc_outcome_name(o.kind));
	return o.kind == IPC_OUTCOME_SUCCESS ? IPC_STATUS_OK : o.status;
}

void st_keystore_deadline(struct st *st)
{
	uint32_t rng_before[5], rng_after[5];
	uint8_t pk[SIG_PUBKEY_LEN], pk_after[SIG_PUBKEY_LEN], q[4];
	pubkey(st, pk, "ipc deadline");
	st_server_stats(st, NX_SVC_RNGD, rng_before);
	const struct keystore_stats before = ks_stats(st);
	/* The bounds, one past each: refused at once, no stall, no probe. */
	ST_CHECK(stall(st, 0) == IPC_STATUS_MALFORMED && stall(st, RNGD_STALL_MAX_MS + 1) == IPC_STATUS_MALFORMED,
		 "ipc deadline: rngd took a stall of 0 or %u ms", RNGD_STALL_MAX_MS + 1);
	ST_CHECK(ipc_put_u32(q, sizeof q, 0, 0) == 0 &&
			 raw(st, KEYSTORED_OP_RNG_PROBE, q, sizeof q, 0) == IPC_STATUS_MALFORMED &&
			 ipc_put_u32(q, sizeof q, 0, KEYSTORE_PROBE_MAX_MS + 1) == 0 &&
			 raw(st, KEYSTORED_OP_RNG_PROBE, q, sizeof q, 0) == IPC_STATUS_MALFORMED,
		 "ipc deadline: keystored took a probe of 0 or %u ms", KEYSTORE_PROBE_MAX_MS + 1);
	const uint64_t stall_from = nx_now_ms();
	ST_CHECK(stall(st, STALL_MS) == IPC_STATUS_OK, "ipc deadline: rngd refused a stall of %u ms", STALL_MS);
	struct keystore_probe p;
	const int rc = keystore_rng_probe(&st->client, PROBE_MS, &p, TIMEOUT_MS);
	ST_CHECK(rc == 0, "ipc deadline: rng_probe: %s", keystore_strerror(rc));
	ST_CHECK(p.outcome == IPC_OUTCOME_TIMEOUT && p.elapsed_ms >= PROBE_MS && p.elapsed_ms <= PROBE_MS + PROBE_SLACK_MS,
		 "ipc deadline: keystored's call ended %s after %u ms, want timeout after %u..%u ms",
		 ipc_outcome_name((enum ipc_outcome_kind)p.outcome), (unsigned)p.elapsed_ms, PROBE_MS,
		 PROBE_MS + PROBE_SLACK_MS);
	pubkey(st, pk_after, "ipc deadline");
	const uint64_t answered = nx_now_ms();
	ST_CHECK(memcmp(pk, pk_after, sizeof pk) == 0 && answered < stall_from + STALL_MS,
		 "ipc deadline: keystored's next answer came at %llu ms, the stall began at %llu ms",
		 (unsigned long long)answered, (unsigned long long)stall_from);
	const struct keystore_stats after = ks_stats(st);
	ST_CHECK(after.probes - before.probes == 1 && after.probe_timeouts - before.probe_timeouts == 1 &&
			 after.refused - before.refused == 2 && after.entropy_bytes == before.entropy_bytes,
		 "ipc deadline: probes +%u timeouts +%u refused +%u entropy +%u", after.probes - before.probes,
		 after.probe_timeouts - before.probe_timeouts, after.refused - before.refused,
		 after.entropy_bytes - before.entropy_bytes);
	/* rngd answers once the stall is over, having answered keystored's read first: with the
	 * two refused stalls, four requests. */
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = STALL_MS + TIMEOUT_MS;
	uint8_t reply[20];
	const struct ipc_outcome o = st_call(st, NX_SVC_RNGD, NX_OP_SERVER_STATS, NULL, 0, reply, sizeof reply, &opts);
	st_expect_success(&o, "ipc deadline: rngd after its stall");
	for (unsigned i = 0; i < 2; i++)
		ST_CHECK(ipc_get_u32(reply, o.reply_len, 4 * i, &rng_after[i]) == 0, "ipc deadline: rngd stats decode");
	ST_CHECK(nx_now_ms() >= stall_from + STALL_MS && rng_after[0] - rng_before[0] == 4,
		 "ipc deadline: rngd answered at %llu ms (stall from %llu ms) after +%u requests, want +4",
		 (unsigned long long)nx_now_ms(), (unsigned long long)stall_from, rng_after[0] - rng_before[0]);
	printf("SELFTEST: ipc deadline timeout ok deadline_ms=%u elapsed_ms=%u\n", PROBE_MS, (unsigned)p.elapsed_ms);
}

/* The persist lane: boot 1 records the public key keystored made; boot 2 must find the same
 * key, which still signs. */
void st_keystore_persist_write(struct st *st)
{
	uint8_t pk[SIG_PUBKEY_LEN];
	const struct keystore_stats s = ks_stats(st);
	ST_CHECK(s.created == 1, "keystored persist: the key of a fresh disk was not made this boot");
	pubkey(st, pk, "keystored persist");
	int rc = statefs_put(&st->client, PUBKEY_KEY, pk, sizeof pk, TIMEOUT_MS);
	if (rc == 0)
		rc = statefs_sync(&st->client, TIMEOUT_MS);
	ST_CHECK(rc == 0, "keystored persist: record the public key: %s", statefs_strerror(rc));
	printf("SELFTEST: keystored pubkey written\n");
}

void st_keystore_persist_check(struct st *st)
{
	uint8_t recorded[SIG_PUBKEY_LEN], pk[SIG_PUBKEY_LEN], sig[SIG_SIGNATURE_LEN];
	size_t n = 0;
	const struct keystore_stats s = ks_stats(st);
	ST_CHECK(s.created == 0 && s.entropy_bytes == 0, "keystored persist: created %u, %u entropy bytes taken",
		 (unsigned)s.created, (unsigned)s.entropy_bytes);
	const int rc = statefs_get(&st->client, PUBKEY_KEY, recorded, sizeof recorded, &n, TIMEOUT_MS);
	ST_CHECK(rc == 0 && n == sizeof recorded, "keystored persist: the recorded key: %s, %zu bytes",
		 statefs_strerror(rc), n);
	pubkey(st, pk, "keystored persist");
	ST_CHECK(memcmp(pk, recorded, sizeof pk) == 0, "keystored persist: another public key after the reboot");
	fill(msg, MSG_LEN, 2);
	sign(st, MSG_LEN, sig, "keystored persist");
	ST_CHECK(sig_verify(recorded, msg, MSG_LEN, sig) == 0,
		 "keystored persist: a signature made now does not verify with boot 1's key");
	printf("SELFTEST: keystored persist ok\n");
}
