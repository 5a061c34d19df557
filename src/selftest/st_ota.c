/*
 * Update proofs (docs/ota.md): the demo bundles of the image (nx_bundles.h) go through
 * updated, keystored, statefsd, appmgrd and execd as an update would. Each check reads the
 * outcome back from the services themselves: updated's status and counters, keystored's
 * verification counters, appmgrd's state (the version the running process reported at its
 * ready) and history. Refusals must leave updated's status byte for byte as it was.
 */
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "client/ota.h"
#include "ipc/wire.h"
#include "proto/appmgr.h"
#include "proto/bundle.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_bundles.h"
#include "nx_manifest.h"
#include "st.h"

/* Deadline of each call to updated: a stage_end writes an image and syncs (ms). */
#define CALL_MS 10000
/* Poll period and the longest wait for a state of the ability or of its slots (ms): a trial
 * ends by its ready deadline plus the health window at the latest. A crash loop of the
 * default policy blocks after 500 + 1000 + 2000 + 4000 ms, but one that continues the
 * backoff a power cut left (appmgrd keeps crash counts across boots) takes longer. */
#define POLL_MS 10
#define WAIT_MS (OTA_READY_DEADLINE_MS + OTA_HEALTH_WINDOW_DEFAULT_MS + 5000U)
#define APP "hello"

static const struct nx_bundle_blob *blob(const char *name)
{
	for (unsigned i = 0; i < NX_BUNDLE_COUNT; i++) {
		if (strcmp(nx_bundles[i].name, name) == 0)
			return &nx_bundles[i];
	}
	st_fail("no bundle %s in the image", name);
}

void st_ota_status(struct st *st, const char *app, struct ota_status *s)
{
	uint16_t status = IPC_STATUS_MALFORMED;
	const int rc = ota_get_status(&st->client, app, &status, s, CALL_MS);
	ST_CHECK(rc == 0 && status == IPC_STATUS_OK, "updated status of %s: %s, %s", app, ota_strerror(rc),
		 ota_status_text(status));
}

void st_ota_stats(struct st *st, struct ota_stats *s)
{
	const int rc = ota_get_stats(&st->client, s, CALL_MS);
	ST_CHECK(rc == 0, "updated stats: %s", ota_strerror(rc));
}

/* Stage bundle `name` for `app`; updated's answer. */
uint16_t st_ota_stage(struct st *st, const char *app, const char *name, uint32_t *version, uint8_t *slot)
{
	const struct nx_bundle_blob *b = blob(name);
	uint16_t status = IPC_STATUS_MALFORMED;
	const int rc = ota_stage(&st->client, app, b->bytes, b->len, &status, version, slot, CALL_MS);
	ST_CHECK(rc == 0, "stage %s for %s: %s", name, app, ota_strerror(rc));
	return status;
}

uint16_t st_ota_app_op(struct st *st, uint16_t op, const char *app)
{
	uint16_t status = IPC_STATUS_MALFORMED;
	const int rc = ota_app_op(&st->client, op, app, &status, CALL_MS);
	ST_CHECK(rc == 0, "updated op %u on %s: %s", (unsigned)op, app, ota_strerror(rc));
	return status;
}

/* One raw request to updated; its answer. */
static uint16_t raw(struct st *st, uint16_t op, const void *data, size_t len)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = CALL_MS;
	const struct ipc_outcome o = st_call(st, NX_SVC_UPDATED, op, data, len, NULL, 0, &opts);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "updated op %u: %s", (unsigned)op,
		 ipc_outcome_name(o.kind));
	return o.kind == IPC_OUTCOME_SUCCESS ? IPC_STATUS_OK : o.status;
}

void st_ota_expect(uint16_t got, uint16_t want, const char *what)
{
	ST_CHECK(got == want, "%s: updated answered %s (%u), want %s (%u)", what, ota_status_text(got), (unsigned)got,
		 ota_status_text(want), (unsigned)want);
}

/* The status is exactly `before` (a refusal changed nothing). */
static void unchanged(struct st *st, const struct ota_status *before, const char *what)
{
	struct ota_status now;
	st_ota_status(st, APP, &now);
	uint8_t a[OTA_STATUS_LEN], b[OTA_STATUS_LEN];
	ST_CHECK(ota_status_encode(before, a, sizeof a) > 0 && ota_status_encode(&now, b, sizeof b) > 0 &&
			 memcmp(a, b, sizeof a) == 0,
		 "%s changed updated's status of %s", what, APP);
}

static uint32_t delta(const struct ota_stats *after, const struct ota_stats *before, enum ota_stat k)
{
	return after->n[k] - before->n[k];
}

uint32_t st_ota_elf_len(const char *name)
{
	struct bundle b;
	const struct nx_bundle_blob *blb = blob(name);
	ST_CHECK(bundle_parse(blb->bytes, blb->len, &b) == 0, "bundle %s does not parse", name);
	return b.elf_len;
}

static const struct nx_ability *ability_of(const char *app)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(nx_abilities[i].name, app) == 0)
			return &nx_abilities[i];
	}
	st_fail("no ability %s", app);
}

/* Poll updated until `app`'s latest event is `ev`, or fail naming `what`. */
void st_ota_wait_event(struct st *st, const char *app, enum ota_event ev, const char *what, struct ota_status *s)
{
	const uint64_t deadline = nx_now_ms() + WAIT_MS;
	for (unsigned poll = 0; poll <= WAIT_MS / POLL_MS; poll++) {
		st_ota_status(st, app, s);
		if (s->last_event == ev)
			return;
		if (nx_now_ms() >= deadline)
			break;
		st_take_notices(st, nx_now_ms() + POLL_MS);
	}
	st_fail("%s: %s's latest update event is %s, not %s", what, app, ota_event_name(s->last_event),
		ota_event_name(ev));
}

/* Poll appmgrd until `app` runs in the foreground as `version`, or fail naming `what`. */
void st_ota_wait_running(struct st *st, const char *app, uint32_t version, const char *what, struct appmgr_state *s)
{
	const uint64_t deadline = nx_now_ms() + WAIT_MS;
	for (unsigned poll = 0; poll <= WAIT_MS / POLL_MS; poll++) {
		st_am_state(st, app, s);
		if (s->state == APPMGR_RUNNING_FG && s->version == version)
			return;
		if (nx_now_ms() >= deadline)
			break;
		st_take_notices(st, nx_now_ms() + POLL_MS);
	}
	st_fail("%s: %s is %s as version %u, not running as version %u", what, app, appmgr_state_name(s->state),
		(unsigned)s->version, (unsigned)version);
}

void st_ota_expect_slot(const struct ota_status *s, unsigned slot, uint8_t state, uint32_t version, const char *what)
{
	const struct ota_slot *x = &s->ctl.slot[slot];
	ST_CHECK(x->state == state && x->version == version, "%s: slot %c is %s version %u, want %s version %u", what,
		 slot == 0 ? 'a' : 'b', ota_slot_state_name(x->state), (unsigned)x->version, ota_slot_state_name(state),
		 (unsigned)version);
}

void st_ota_wait(struct st *st)
{
	struct ota_stats s;
	st_ota_stats(st, &s);
}

/* Refusals before anything is staged: each answered with its status, counted, and nothing changed. */
static void stage_refusals(struct st *st, const struct ota_status *s0)
{
	struct ota_stats a, b;
	uint32_t version;
	uint8_t slot;
	st_ota_stats(st, &a);
	st_ota_expect(st_ota_stage(st, "spinner", "hello-2", &version, &slot), OTA_STATUS_WRONG_NAME,
		      "ota stage for another ability");
	st_ota_expect(st_ota_stage(st, "nosuch", "hello-2", &version, &slot), IPC_STATUS_UNKNOWN, "ota stage for no ability");
	uint8_t req[4 + OTA_NAME_MAX];
	const int n = ota_begin_encode(BUNDLE_MAX + 1, APP, req, sizeof req);
	ST_CHECK(n > 0, "encode stage_begin");
	st_ota_expect(raw(st, UPDATED_OP_STAGE_BEGIN, req, (size_t)n), OTA_STATUS_TOO_BIG,
		      "ota stage of BUNDLE_MAX + 1 bytes");
	/* BUNDLE_MAX is taken; a chunk at the wrong offset ends the session. */
	ST_CHECK(ota_begin_encode(BUNDLE_MAX, APP, req, sizeof req) == n, "encode stage_begin");
	st_ota_expect(raw(st, UPDATED_OP_STAGE_BEGIN, req, (size_t)n), IPC_STATUS_OK, "ota stage_begin of BUNDLE_MAX bytes");
	uint8_t q[OTA_CHUNK_REQ_LEN];
	ST_CHECK(ota_chunk_encode(1, 1, q, sizeof q) == OTA_CHUNK_REQ_LEN, "encode stage_chunk");
	const uint8_t byte = 0;
	ST_CHECK(nx_attach_stage(&byte, 1) == 0, "stage an attachment");
	st_ota_expect(raw(st, UPDATED_OP_STAGE_CHUNK, q, sizeof q), IPC_STATUS_MALFORMED, "ota chunk at the wrong offset");
	st_ota_expect(raw(st, UPDATED_OP_STAGE_END, NULL, 0), IPC_STATUS_UNKNOWN, "ota stage_end of a dropped session");
	/* A bundle cut short is complete as far as its length goes, and broken. */
	const struct nx_bundle_blob *h2 = blob("hello-2");
	uint16_t status = IPC_STATUS_OK;
	ST_CHECK(ota_stage(&st->client, APP, h2->bytes, h2->len - 1, &status, &version, &slot, CALL_MS) == 0,
		 "ota stage of a short bundle");
	st_ota_expect(status, OTA_STATUS_BAD_BUNDLE, "ota stage of a bundle one byte short");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_INVALID_TRANSITION,
		      "ota switch with nothing staged");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_ROLLBACK, APP), IPC_STATUS_INVALID_TRANSITION,
		      "ota rollback with nothing to go to");
	st_ota_stats(st, &b);
	ST_CHECK(delta(&b, &a, OTA_STAT_WRONG_NAME) == 1 && delta(&b, &a, OTA_STAT_TOO_BIG) == 1 &&
			 delta(&b, &a, OTA_STAT_REFUSED) == 6 && delta(&b, &a, OTA_STAT_STAGED) == 0,
		 "ota stage refusals counted: wrong name +%u, too big +%u, other +%u, staged +%u",
		 (unsigned)delta(&b, &a, OTA_STAT_WRONG_NAME), (unsigned)delta(&b, &a, OTA_STAT_TOO_BIG),
		 (unsigned)delta(&b, &a, OTA_STAT_REFUSED), (unsigned)delta(&b, &a, OTA_STAT_STAGED));
	unchanged(st, s0, "a refused stage");
}

/* hello-2 is staged into slot b; slot a stays the built-in, active one. */
static void stage_ok(struct st *st)
{
	struct ota_status s0, s;
	struct ota_stats a, b;
	st_ota_status(st, APP, &s0);
	ST_CHECK(s0.ctl.active == 0 && s0.ctl.trial == 0, "ota stage: %s starts with slot %u active, trial %u", APP,
		 (unsigned)s0.ctl.active, (unsigned)s0.ctl.trial);
	st_ota_expect_slot(&s0, 0, OTA_SLOT_BUILTIN, OTA_BUILTIN_VERSION, "ota stage: before");
	stage_refusals(st, &s0);
	st_ota_stats(st, &a);
	uint32_t version = 0;
	uint8_t slot = 2;
	st_ota_expect(st_ota_stage(st, APP, "hello-2", &version, &slot), IPC_STATUS_OK, "ota stage hello-2");
	st_ota_status(st, APP, &s);
	st_ota_stats(st, &b);
	ST_CHECK(version == 2 && slot == 1, "ota stage: staged version %u into slot %u", (unsigned)version, (unsigned)slot);
	st_ota_expect_slot(&s, 0, OTA_SLOT_BUILTIN, OTA_BUILTIN_VERSION, "ota stage: the active slot");
	st_ota_expect_slot(&s, 1, OTA_SLOT_STAGED, 2, "ota stage: the staged slot");
	ST_CHECK(s.ctl.active == 0 && s.ctl.trial == 0 && s.last_event == OTA_EV_STAGED &&
			 s.ctl.slot[1].image_len == st_ota_elf_len("hello-2") &&
			 s.ctl.slot[1].health_window_ms == ability_of(APP)->health_window_ms && delta(&b, &a, OTA_STAT_STAGED) == 1,
		 "ota stage: active %u trial %u event %s image %u bytes window %u ms staged +%u", (unsigned)s.ctl.active,
		 (unsigned)s.ctl.trial, ota_event_name(s.last_event), (unsigned)s.ctl.slot[1].image_len,
		 (unsigned)s.ctl.slot[1].health_window_ms, (unsigned)delta(&b, &a, OTA_STAT_STAGED));
	printf("SELFTEST: ota stage ok\n");
}

/* hello-4-badsig: keystored's verdict is "not the release key's", and nothing changes. */
static void bad_signature(struct st *st)
{
	struct ota_status s0;
	struct ota_stats a, b;
	struct keystore_stats ka, kb;
	st_ota_status(st, APP, &s0);
	st_ota_stats(st, &a);
	ST_CHECK(keystore_stats(&st->client, &ka, CALL_MS) == 0, "keystored stats");
	uint32_t version;
	uint8_t slot;
	st_ota_expect(st_ota_stage(st, APP, "hello-4-badsig", &version, &slot), OTA_STATUS_BAD_SIGNATURE,
		      "ota stage hello-4-badsig");
	st_ota_stats(st, &b);
	ST_CHECK(keystore_stats(&st->client, &kb, CALL_MS) == 0, "keystored stats");
	ST_CHECK(delta(&b, &a, OTA_STAT_BAD_SIGNATURE) == 1 && delta(&b, &a, OTA_STAT_STAGED) == 0 &&
			 kb.verifies - ka.verifies == 1 && kb.verify_bad - ka.verify_bad == 1,
		 "ota bad signature: refusals +%u staged +%u; keystored verifies +%u bad +%u",
		 (unsigned)delta(&b, &a, OTA_STAT_BAD_SIGNATURE), (unsigned)delta(&b, &a, OTA_STAT_STAGED),
		 (unsigned)(kb.verifies - ka.verifies), (unsigned)(kb.verify_bad - ka.verify_bad));
	unchanged(st, &s0, "a bad signature");
	printf("SELFTEST: ota bad signature rejected ok\n");
}

/* switch: slot b is on trial, and hello runs again as the version it reports: 2. */
static void switch_ok(struct st *st, struct appmgr_state *as)
{
	struct ota_status s;
	struct ota_stats a, b;
	st_ota_stats(st, &a);
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_OK, "ota switch hello");
	st_ota_status(st, APP, &s);
	ST_CHECK(s.ctl.trial == 1 && s.ctl.active == 0 && s.last_event == OTA_EV_SWITCHED,
		 "ota switch: trial %u active %u event %s", (unsigned)s.ctl.trial, (unsigned)s.ctl.active,
		 ota_event_name(s.last_event));
	st_ota_expect_slot(&s, 1, OTA_SLOT_TRIAL, 2, "ota switch");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_INVALID_TRANSITION, "ota switch during a trial");
	uint32_t version;
	uint8_t slot;
	st_ota_expect(st_ota_stage(st, APP, "hello-3", &version, &slot), IPC_STATUS_INVALID_TRANSITION,
		      "ota stage during a trial");
	st_ota_wait_running(st, APP, 2, "ota switch", as);
	st_ota_stats(st, &b);
	ST_CHECK(delta(&b, &a, OTA_STAT_SWITCHES) == 1 && as->crash_count == 0, "ota switch: switches +%u, crashes %u",
		 (unsigned)delta(&b, &a, OTA_STAT_SWITCHES), (unsigned)as->crash_count);
	printf("selftest: ota switch: %s runs as version %u\n", APP, (unsigned)as->version);
	printf("SELFTEST: ota switch ok\n");
}

/* health: still on trial until the window has passed since the ready; then committed. */
static void health_ok(struct st *st)
{
	struct ota_status s;
	struct ota_stats a, b;
	st_ota_stats(st, &a);
	st_ota_status(st, APP, &s);
	ST_CHECK(s.ctl.trial == 1 && s.ready_ms != 0 && nx_now_ms() < s.ready_ms + s.ctl.slot[1].health_window_ms,
		 "ota health: trial %u ready at %llu, now %llu", (unsigned)s.ctl.trial, (unsigned long long)s.ready_ms,
		 (unsigned long long)nx_now_ms());
	const uint64_t ready = s.ready_ms;
	const uint32_t window = s.ctl.slot[1].health_window_ms;
	/* Nothing to ask updated before the window's end: polling it every 10 ms through the
	 * 10 s window took a fifth of the default lane's wall time. Notices are still taken. */
	for (unsigned round = 0; round <= ST_MAX_NOTICES + ST_MAX_CHANGES && nx_now_ms() < ready + window; round++)
		st_take_notices(st, ready + window);
	st_ota_wait_event(st, APP, OTA_EV_COMMITTED, "ota health", &s);
	st_ota_stats(st, &b);
	st_ota_expect_slot(&s, 1, OTA_SLOT_GOOD, 2, "ota health");
	st_ota_expect_slot(&s, 0, OTA_SLOT_BUILTIN, OTA_BUILTIN_VERSION, "ota health: the previous slot");
	/* Exactly at the window's end under icount; never before it. */
	const uint64_t late = st->real_clock ? ST_REAL_CLOCK_LATE_MS : 0;
	ST_CHECK(s.ctl.active == 1 && s.ctl.trial == 0 && s.event_ms >= ready + window && s.event_ms <= ready + window + late &&
			 delta(&b, &a, OTA_STAT_COMMITS) == 1,
		 "ota health: active %u trial %u committed at %llu, ready at %llu + window %u; commits +%u",
		 (unsigned)s.ctl.active, (unsigned)s.ctl.trial, (unsigned long long)s.event_ms, (unsigned long long)ready,
		 (unsigned)window, (unsigned)delta(&b, &a, OTA_STAT_COMMITS));
	struct appmgr_state as;
	st_am_state(st, APP, &as);
	ST_CHECK(as.state == APPMGR_RUNNING_FG && as.version == 2, "ota health: hello is %s as version %u",
		 appmgr_state_name(as.state), (unsigned)as.version);
	printf("selftest: ota health: committed %u ms after the ready\n", (unsigned)(s.event_ms - ready));
	printf("SELFTEST: ota health ok\n");
}

/* The changes of `app` selftest received: crashes, and whether a block came before the last run. */
static void loop_seen(const struct st *st, const char *app, uint32_t *crashes, int *blocked_then_ran)
{
	int blocked = 0;
	*crashes = 0;
	*blocked_then_ran = 0;
	for (unsigned i = 0; i < st->change_count; i++) {
		const struct appmgr_change *c = &st->changes[i];
		ST_CHECK(c->seq == st->changes[0].seq + i, "ota rollback: change %u has number %u after %u", i,
			 (unsigned)c->seq, (unsigned)st->changes[0].seq);
		if (strcmp(c->name, app) != 0)
			continue;
		*crashes += c->to == APPMGR_CRASHED;
		blocked |= c->to == APPMGR_BLOCKED;
		*blocked_then_ran = blocked && c->to == APPMGR_RUNNING_FG;
	}
}

/* hello-3 crashes at start: the crash loop blocks it, updated rolls back, version 2 runs again. */
static void rollback_ok(struct st *st)
{
	struct ota_status s;
	struct ota_stats a, b;
	uint32_t version;
	uint8_t slot;
	st_ota_expect(st_ota_stage(st, APP, "hello-2", &version, &slot), OTA_STATUS_DOWNGRADE,
		      "ota stage of the active version");
	st_ota_stats(st, &a);
	st_ota_expect(st_ota_stage(st, APP, "hello-3", &version, &slot), IPC_STATUS_OK, "ota stage hello-3");
	ST_CHECK(version == 3 && slot == 0, "ota rollback: staged version %u into slot %u", (unsigned)version,
		 (unsigned)slot);
	st->change_count = 0;
	ST_CHECK(st_am_call(st, APPMGRD_OP_SUBSCRIBE, "", NULL, 0, NULL) == IPC_STATUS_OK, "ota rollback: subscribe");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_OK, "ota switch to hello-3");
	st_ota_wait_event(st, APP, OTA_EV_ROLLED_BACK, "ota rollback", &s);
	struct appmgr_state as;
	st_ota_wait_running(st, APP, 2, "ota rollback", &as);
	ST_CHECK(st_am_call(st, APPMGRD_OP_UNSUBSCRIBE, "", NULL, 0, NULL) == IPC_STATUS_OK, "ota rollback: unsubscribe");
	st_take_notices(st, NX_DEADLINE_NOW);
	st_ota_stats(st, &b);
	st_ota_expect_slot(&s, 0, OTA_SLOT_FAILED, 3, "ota rollback");
	st_ota_expect_slot(&s, 1, OTA_SLOT_GOOD, 2, "ota rollback: the active slot");
	ST_CHECK(s.ctl.active == 1 && s.ctl.trial == 0 && s.ctl.failed_version == 3 && delta(&b, &a, OTA_STAT_ROLLBACKS) == 1 &&
			 delta(&b, &a, OTA_STAT_COMMITS) == 0 && as.crash_count == 0,
		 "ota rollback: active %u trial %u failed %u rollbacks +%u commits +%u crashes %u", (unsigned)s.ctl.active,
		 (unsigned)s.ctl.trial, (unsigned)s.ctl.failed_version, (unsigned)delta(&b, &a, OTA_STAT_ROLLBACKS),
		 (unsigned)delta(&b, &a, OTA_STAT_COMMITS), (unsigned)as.crash_count);
	uint32_t crashes;
	int blocked_then_ran;
	loop_seen(st, APP, &crashes, &blocked_then_ran);
	const uint32_t loop = ability_of(APP)->policy.loop_threshold;
	ST_CHECK(crashes == loop && blocked_then_ran, "ota rollback: %u crashes seen (loop at %u), %s",
		 (unsigned)crashes, (unsigned)loop,
		 blocked_then_ran ? "blocked, then ran" : "not blocked before the last run");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_ROLLBACK, APP), IPC_STATUS_INVALID_TRANSITION,
		      "ota rollback to a failed slot");
	printf("selftest: ota rollback: %u crashes, then version %u again; failed version %u\n", (unsigned)crashes,
	       (unsigned)as.version, (unsigned)s.ctl.failed_version);
	printf("SELFTEST: ota rollback ok\n");
}

void st_ota_checks(struct st *st)
{
	struct appmgr_state as;
	stage_ok(st);
	bad_signature(st);
	switch_ok(st, &as);
	health_ok(st);
	rollback_ok(st);
	ST_CHECK(st_am_call(st, APPMGRD_OP_STOP, APP, NULL, 0, NULL) == IPC_STATUS_OK, "ota: stop hello");
	st_wait_state(st, APP, APPMGR_STOPPED, 0, "ota: stop hello", &as);
}

/*
 * The persist lane, boot 1 (fresh disk): hello-2 is staged, switched to and committed; then
 * hello-3 is staged and switched to, and the machine powers off with that trial pending.
 */
void st_ota_persist_write(struct st *st)
{
	struct ota_status s;
	struct appmgr_state as;
	uint32_t version;
	uint8_t slot;
	st_ota_expect(st_ota_stage(st, APP, "hello-2", &version, &slot), IPC_STATUS_OK, "bootctl persist: stage hello-2");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_OK, "bootctl persist: switch to hello-2");
	st_ota_wait_running(st, APP, 2, "bootctl persist: switch to hello-2", &as);
	st_ota_wait_event(st, APP, OTA_EV_COMMITTED, "bootctl persist: commit hello-2", &s);
	st_ota_expect(st_ota_stage(st, APP, "hello-3", &version, &slot), IPC_STATUS_OK, "bootctl persist: stage hello-3");
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_OK, "bootctl persist: switch to hello-3");
	st_ota_status(st, APP, &s);
	ST_CHECK(s.ctl.trial == 1 && s.ctl.active == 1, "bootctl persist: trial %u active %u before the power-off",
		 (unsigned)s.ctl.trial, (unsigned)s.ctl.active);
	st_ota_expect_slot(&s, 0, OTA_SLOT_TRIAL, 3, "bootctl persist: before the power-off");
	st_ota_expect_slot(&s, 1, OTA_SLOT_GOOD, 2, "bootctl persist: before the power-off");
	printf("SELFTEST: bootctl written trial_version=%u\n", (unsigned)s.ctl.slot[0].version);
}

/*
 * Boot 2 (same disk): updated found the trial pending and rolled it back at boot: slot b
 * (version 2) is active, slot a failed with version 3; hello starts as version 2.
 */
void st_ota_persist_check(struct st *st)
{
	struct ota_status s;
	struct appmgr_state as;
	st_ota_status(st, APP, &s);
	ST_CHECK(s.ctl.active == 1 && s.ctl.trial == 0 && s.ctl.failed_version == 3 && s.last_event == OTA_EV_ROLLED_BACK,
		 "bootctl persist: active %u trial %u failed %u event %s after the reboot", (unsigned)s.ctl.active,
		 (unsigned)s.ctl.trial, (unsigned)s.ctl.failed_version, ota_event_name(s.last_event));
	st_ota_expect_slot(&s, 0, OTA_SLOT_FAILED, 3, "bootctl persist: the trial slot");
	st_ota_expect_slot(&s, 1, OTA_SLOT_GOOD, 2, "bootctl persist: the active slot");
	st_am_state(st, APP, &as);
	if (as.state == APPMGR_BLOCKED)
		ST_CHECK(st_am_call(st, APPMGRD_OP_UNBLOCK, APP, NULL, 0, NULL) == IPC_STATUS_OK, "bootctl persist: unblock");
	ST_CHECK(st_am_call(st, APPMGRD_OP_START, APP, NULL, 0, NULL) == IPC_STATUS_OK, "bootctl persist: start hello");
	st_ota_wait_running(st, APP, 2, "bootctl persist: start hello", &as);
	ST_CHECK(st_am_call(st, APPMGRD_OP_STOP, APP, NULL, 0, NULL) == IPC_STATUS_OK, "bootctl persist: stop hello");
	printf("selftest: bootctl persist: slot b version %u active, slot a failed with version %u, %s runs as version %u\n",
	       (unsigned)s.ctl.slot[1].version, (unsigned)s.ctl.slot[0].version, APP, (unsigned)as.version);
	printf("SELFTEST: bootctl persist ok\n");
}
