/*
 * updated: signed A/B updates of abilities (proto/ota.h, docs/ota.md).
 *
 * Each ability has two slots, A and B, and a boot-control record in updated's statefsd
 * namespace ("/updated/ctl/<app>"): which slot is active, whether the other one is on
 * trial, what each holds. A stored image lies in 4 KiB chunks under "/updated/img/<app>/<a|b>/",
 * where execd reads it when appmgrd starts the ability from it (spawn_image).
 *
 * stage: a bundle arrives in chunks into one static buffer; at its end updated checks the
 * layout, the name, that the version is above the active one, and the release key's signature
 * (keystored verifies), then writes the image into the inactive slot: the record first says
 * the slot is empty, then the chunks are written and synced, then the record says staged.
 * switch: the record says trial (synced), appmgrd's image op points the ability at the slot,
 * and the ability is restarted. From then on appmgrd's change notifications drive it: the
 * trial's process ready with the staged version starts the health window (the lifecycle
 * core's time of the ready); running through it commits; BLOCKED (a crash loop), no ready
 * within OTA_READY_DEADLINE_MS, or a reboot with the trial in the record rolls back.
 *
 * One event loop: serve one request or notification with a deadline (the nearest health
 * window or ready deadline), then act on the timers that are due. Every call updated makes
 * has a deadline; appmgrd never waits for updated (its notifications are one-way).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "client/statefs.h"
#include "crypto/sig.h"
#include "ipc/wire.h"
#include "proto/appmgr.h"
#include "proto/bundle.h"
#include "proto/execd.h"
#include "proto/ota.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_manifest.h"

_Static_assert(NX_ABILITY_COUNT <= APPMGR_MAX_ABILITIES, "one record per ability appmgrd runs");
_Static_assert(EXECD_CHUNK_SIZE <= STATEFS_VALUE_MAX, "an image chunk is one statefsd value");
_Static_assert(BUNDLE_SIGNING_MSG_LEN <= KEYSTORE_MSG_MAX, "keystored verifies the signing message");
_Static_assert(BUNDLE_DIGEST_LEN == EXECD_DIGEST_LEN, "the record's digest is the one execd checks");
_Static_assert(BUNDLE_DIGEST_LEN == SIG_DIGEST_LEN, "sig_sha512 gives the record's digest");

/* Deadline of each statefsd and keystored call (ms). */
#define UPD_STORE_MS 5000
/* Deadline of each appmgrd call: longer than a start, which has execd read an image. */
#define UPD_APPMGRD_MS 5000
/* Longest statefsd key updated builds. */
#define UPD_KEY_MAX 64

struct upd_app {
	const struct nx_ability *def;
	struct ota_bootctl ctl;
	uint8_t last_event;       /* enum ota_event, this boot */
	uint64_t event_ms;
	uint64_t ready_ms;        /* the trial's ready (appmgrd's time); 0: not ready */
	uint64_t health_deadline; /* commit when reached; 0: not running toward it */
	uint64_t ready_deadline;  /* roll back when reached; 0: none */
	bool restart;             /* stopped to start on a new image: start it once STOPPED */
};

struct upd {
	struct nx_server srv;
	struct ipc_client client;
	struct upd_app app[NX_ABILITY_COUNT];
	struct ota_stats st;
	uint32_t change_seq;   /* the last change notification's sequence number */
	/* The staging session. */
	bool open;
	uint64_t owner;
	struct upd_app *target;
	uint32_t total, got;
	uint64_t last_chunk_ms;
	_Alignas(8) uint8_t bundle[BUNDLE_MAX];
};

static struct upd ud;

static void count(struct upd *u, enum ota_stat s)
{
	nx_count32(&u->st.n[s]);
}

static struct upd_app *by_name(struct upd *u, const char *name)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(u->app[i].def->name, name) == 0)
			return &u->app[i];
	}
	return NULL;
}

static const char *slot_letter(unsigned s)
{
	return s == 0 ? "a" : "b";
}

/* Event `ev` of `a`, decided at `t_ms` (the record that says so is durable by now). */
static void event(struct upd_app *a, enum ota_event ev, uint32_t version, unsigned slot, const char *why, uint64_t t_ms)
{
	a->last_event = (uint8_t)ev;
	a->event_ms = t_ms;
	printf("updated: event t=%llu app=%s event=%s version=%u slot=%s%s%s\n", (unsigned long long)a->event_ms,
	       a->def->name, ota_event_name(ev), (unsigned)version, slot_letter(slot), why[0] != '\0' ? " why=" : "", why);
}

/* Put and sync `ctl` as `a`'s record; on success it becomes a->ctl. */
static int store_ctl(struct upd *u, struct upd_app *a, const struct ota_bootctl *ctl)
{
	char key[UPD_KEY_MAX];
	uint8_t buf[OTA_BOOTCTL_LEN];
	if (ota_ctl_key(a->def->name, key, sizeof key) != 0 || ota_bootctl_encode(ctl, buf, sizeof buf) < 0)
		return -STATEFS_EINVAL;
	int rc = statefs_put(&u->client, key, buf, sizeof buf, UPD_STORE_MS);
	if (rc == 0)
		rc = statefs_sync(&u->client, UPD_STORE_MS);
	if (rc != 0) {
		count(u, OTA_STAT_FAILED_CALLS);
		printf("updated: app=%s cannot store its record: %s\n", a->def->name, statefs_strerror(rc));
		return rc;
	}
	a->ctl = *ctl;
	return 0;
}

/* One call to appmgrd about ability `a` (`data` NULL: the name is the data). */
static struct ipc_outcome am_call(struct upd *u, uint16_t op, const struct upd_app *a, const uint8_t *data, size_t len,
				  uint8_t *reply, size_t cap)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = UPD_APPMGRD_MS;
	if (data == NULL && a != NULL) {
		data = (const uint8_t *)a->def->name;
		len = strlen(a->def->name);
	}
	const struct ipc_outcome o = ipc_route_with_nonce_budgeted(&u->client, NX_SVC_APPMGRD, sizeof NX_SVC_APPMGRD - 1,
								   op, data, len, reply, cap, &opts);
	if (o.kind != IPC_OUTCOME_SUCCESS && !(o.kind == IPC_OUTCOME_REJECTED && o.status == IPC_STATUS_INVALID_TRANSITION)) {
		count(u, OTA_STAT_FAILED_CALLS);
		printf("updated: appmgrd op %u app=%s: %s status %u\n", (unsigned)op, a != NULL ? a->def->name : "-",
		       ipc_outcome_name(o.kind), (unsigned)o.status);
	}
	return o;
}

/* appmgrd's state of `a`. @retval 0 done */
static int am_state(struct upd *u, const struct upd_app *a, struct appmgr_state *s)
{
	uint8_t r[APPMGR_STATE_LEN];
	const struct ipc_outcome o = am_call(u, APPMGRD_OP_STATE, a, NULL, 0, r, sizeof r);
	return o.kind == IPC_OUTCOME_SUCCESS && appmgr_state_decode(r, o.reply_len, s) == 0 ? 0 : -1;
}

/* Point appmgrd at slot `slot` of `a` for its next start. @retval 0 done */
static int set_image(struct upd *u, const struct upd_app *a, unsigned slot)
{
	const struct ota_slot *s = &a->ctl.slot[slot];
	struct appmgr_image im;
	memset(&im, 0, sizeof im);
	(void)snprintf(im.name, sizeof im.name, "%s", a->def->name);
	if (s->state != OTA_SLOT_BUILTIN) {
		im.stored = 1;
		im.version = s->version;
		im.image_len = s->image_len;
		memcpy(im.sha512, s->sha512, sizeof im.sha512);
		if (ota_image_prefix(a->def->name, slot, im.prefix, sizeof im.prefix) != 0)
			return -1;
		im.prefix_len = (uint8_t)strlen(im.prefix);
	}
	uint8_t req[APPMGR_IMAGE_MAX];
	const int len = appmgr_image_encode(&im, req, sizeof req);
	if (len < 0)
		return -1;
	const struct ipc_outcome o = am_call(u, APPMGRD_OP_IMAGE, NULL, req, (size_t)len, NULL, 0);
	return o.kind == IPC_OUTCOME_SUCCESS ? 0 : -1;
}

/* Start `a` again from the image appmgrd now has: stopped, it starts; blocked, it is unblocked
 * and started; running or starting, it is stopped and started once stopped (a->restart); in
 * a crash's backoff, appmgrd's own restart takes the new image. */
static void restart(struct upd *u, struct upd_app *a, bool start_if_stopped)
{
	struct appmgr_state s;
	if (am_state(u, a, &s) != 0)
		return;
	switch (s.state) {
	case APPMGR_BLOCKED:
		(void)am_call(u, APPMGRD_OP_UNBLOCK, a, NULL, 0, NULL, 0);
		(void)am_call(u, APPMGRD_OP_START, a, NULL, 0, NULL, 0);
		break;
	case APPMGR_STOPPED:
		if (start_if_stopped)
			(void)am_call(u, APPMGRD_OP_START, a, NULL, 0, NULL, 0);
		break;
	case APPMGR_STARTING:
	case APPMGR_RUNNING_FG:
	case APPMGR_RUNNING_BG:
		a->restart = true;
		(void)am_call(u, APPMGRD_OP_STOP, a, NULL, 0, NULL, 0);
		break;
	case APPMGR_STOPPING:
		a->restart = true;
		break;
	default:
		break;
	}
}

/*
 * End `a`'s trial, or make its inactive slot active again: the record first (synced), then
 * appmgrd's image, then the restart (`start`: also when stopped, as after a crash loop).
 * @retval 0 done @retval <0 the record could not be stored: nothing changed
 */
static int roll_back(struct upd *u, struct upd_app *a, const char *why, bool start)
{
	const uint64_t now = nx_now_ms();
	struct ota_bootctl c = a->ctl;
	const int from = ota_slots_rollback(&c);
	if (from < 0)
		return from;
	const int rc = store_ctl(u, a, &c);
	if (rc != 0)
		return rc;
	const unsigned to = c.active;
	const uint32_t version = c.failed_version;
	a->health_deadline = 0;
	a->ready_deadline = 0;
	a->ready_ms = 0;
	count(u, OTA_STAT_ROLLBACKS);
	event(a, OTA_EV_ROLLED_BACK, version, (unsigned)from, why, now);
	if (set_image(u, a, to) == 0)
		restart(u, a, start);
	return 0;
}

static void commit(struct upd *u, struct upd_app *a, uint64_t now)
{
	struct ota_bootctl c = a->ctl;
	if (ota_slots_commit(&c) != 0 || store_ctl(u, a, &c) != 0)
		return;
	const unsigned t = c.active;
	a->health_deadline = 0;
	a->ready_deadline = 0;
	count(u, OTA_STAT_COMMITS);
	event(a, OTA_EV_COMMITTED, c.slot[t].version, t, "", now);
}

/* `a` (on trial) changed to `to` at `t_ms`. */
static void trial_change(struct upd *u, struct upd_app *a, uint8_t to, uint64_t t_ms)
{
	const struct ota_slot *trial = &a->ctl.slot[1 - a->ctl.active];
	if (to == APPMGR_BLOCKED) {
		/* Unblocked (on the active image) before the record says rolled back: a power cut
		 * between the two must not leave the ability blocked on a good version, and only
		 * a record that still holds the trial makes the next boot unblock it. */
		if (set_image(u, a, a->ctl.active) == 0)
			(void)am_call(u, APPMGRD_OP_UNBLOCK, a, NULL, 0, NULL, 0);
		(void)roll_back(u, a, "crash_loop", true);
		return;
	}
	if (to != APPMGR_RUNNING_FG && to != APPMGR_RUNNING_BG) {
		a->health_deadline = 0;
		if (a->ready_deadline == 0)
			a->ready_deadline = nx_now_ms() + OTA_READY_DEADLINE_MS;
		return;
	}
	if (a->restart || a->health_deadline != 0)
		return; /* the old process, not stopped yet; or a change of class while healthy */
	struct appmgr_state s;
	if (am_state(u, a, &s) != 0 || (s.state != APPMGR_RUNNING_FG && s.state != APPMGR_RUNNING_BG))
		return;
	if (s.version != trial->version) {
		(void)roll_back(u, a, "wrong_version", true);
		return;
	}
	a->ready_ms = t_ms;
	a->ready_deadline = 0;
	a->health_deadline = t_ms + trial->health_window_ms;
	printf("updated: app=%s version=%u ready t=%llu health until %llu\n", a->def->name, (unsigned)s.version,
	       (unsigned long long)t_ms, (unsigned long long)a->health_deadline);
}

/* One change `c` of an ability. */
static void on_change(struct upd *u, const struct appmgr_change *c)
{
	struct upd_app *a = by_name(u, c->name);
	if (a == NULL)
		return;
	if (a->restart && c->to == APPMGR_STOPPED) {
		const struct ipc_outcome o = am_call(u, APPMGRD_OP_START, a, NULL, 0, NULL, 0);
		if (o.kind == IPC_OUTCOME_SUCCESS)
			a->restart = false;
		return;
	}
	if (a->ctl.trial)
		trial_change(u, a, c->to, c->t_ms);
}

/* Changes were lost (a gap in the sequence): take each trial's state from appmgrd once. */
static void resync(struct upd *u)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		struct upd_app *a = &u->app[i];
		struct appmgr_state s;
		if ((!a->ctl.trial && !a->restart) || am_state(u, a, &s) != 0)
			continue;
		struct appmgr_change c = { .t_ms = nx_now_ms(), .to = s.state };
		(void)snprintf(c.name, sizeof c.name, "%s", a->def->name);
		on_change(u, &c);
	}
}

static void upd_notify(void *ctx, uint64_t sender, const struct ipc_msg *m)
{
	struct upd *u = ctx;
	struct appmgr_change c;
	if (sender != NX_SVC_APPMGRD_ID || m->op != NX_NOTIFY_CHANGE ||
	    appmgr_change_decode(m->data, m->data_len, &c) != 0) {
		count(u, OTA_STAT_REFUSED);
		return;
	}
	const bool gap = c.seq != u->change_seq + 1;
	u->change_seq = c.seq;
	if (gap)
		resync(u);
	else
		on_change(u, &c);
}

/* --- staging --- */

static void end_session(struct upd *u)
{
	u->open = false;
	u->target = NULL;
	u->total = 0;
	u->got = 0;
}

static uint16_t do_begin(struct upd *u, const struct nx_request *r)
{
	uint32_t total;
	char name[OTA_NAME_MAX + 1];
	if (ota_begin_decode(r->data, r->len, &total, name) != 0)
		return IPC_STATUS_MALFORMED;
	struct upd_app *a = by_name(u, name);
	if (a == NULL)
		return IPC_STATUS_UNKNOWN;
	if (total > BUNDLE_MAX) {
		count(u, OTA_STAT_TOO_BIG);
		return OTA_STATUS_TOO_BIG;
	}
	if (total == 0)
		return IPC_STATUS_MALFORMED;
	if (a->ctl.trial)
		return IPC_STATUS_INVALID_TRANSITION;
	if (u->open && u->owner != r->sender && nx_now_ms() - u->last_chunk_ms < OTA_SESSION_IDLE_MS)
		return IPC_STATUS_FULL;
	u->open = true;
	u->owner = r->sender;
	u->target = a;
	u->total = total;
	u->got = 0;
	u->last_chunk_ms = nx_now_ms();
	return IPC_STATUS_OK;
}

static uint16_t do_chunk(struct upd *u, const struct nx_request *r)
{
	uint32_t offset;
	uint16_t len;
	if (!u->open || u->owner != r->sender)
		return IPC_STATUS_UNKNOWN;
	if (ota_chunk_decode(r->data, r->len, &offset, &len) != 0 || offset != u->got || len > u->total - u->got ||
	    nx_attach_take(u->bundle + u->got, len) != (long)len) {
		end_session(u);
		return IPC_STATUS_MALFORMED;
	}
	u->got += len;
	u->last_chunk_ms = nx_now_ms();
	return IPC_STATUS_OK;
}

/* Is `b`'s signature the release key's? @retval 1 yes @retval 0 no @retval <0 no verdict */
static int verified(struct upd *u, const struct bundle *b)
{
	uint8_t msg[BUNDLE_SIGNING_MSG_LEN];
	memcpy(msg, BUNDLE_SIG_DOMAIN, BUNDLE_SIG_DOMAIN_LEN);
	if (sig_sha512(b->signed_bytes, b->signed_len, msg + BUNDLE_SIG_DOMAIN_LEN) != 0)
		return -1;
	bool valid = false;
	const int rc = keystore_verify(&u->client, nx_release_key, msg, sizeof msg, b->signature, &valid, UPD_STORE_MS);
	if (rc != 0) {
		count(u, OTA_STAT_FAILED_CALLS);
		printf("updated: keystored gave no verdict: %s\n", keystore_strerror(rc));
		return -1;
	}
	return valid ? 1 : 0;
}

/* Chunks of an image of `len` bytes. */
static uint32_t chunk_count(uint32_t len)
{
	return (len + EXECD_CHUNK_SIZE - 1) / EXECD_CHUNK_SIZE;
}

/* Write `b`'s image into slot `slot` of `a` (its record says empty meanwhile), then say staged. */
static uint16_t install(struct upd *u, struct upd_app *a, const struct bundle *b, uint32_t window, unsigned *slot_out)
{
	struct ota_bootctl c = a->ctl;
	const int cleared = ota_slots_clear(&c, b->version);
	if (cleared < 0)
		return IPC_STATUS_INVALID_TRANSITION;
	const unsigned slot = (unsigned)cleared;
	const uint32_t old_chunks = chunk_count(a->ctl.slot[slot].image_len);
	if (a->ctl.slot[slot].state != OTA_SLOT_EMPTY && store_ctl(u, a, &c) != 0)
		return OTA_STATUS_STORE;
	char prefix[EXECD_PREFIX_MAX + 1], key[UPD_KEY_MAX];
	if (ota_image_prefix(a->def->name, slot, prefix, sizeof prefix) != 0)
		return OTA_STATUS_STORE;
	const uint32_t chunks = chunk_count(b->elf_len);
	const size_t plen = strlen(prefix);
	int rc = 0;
	for (unsigned i = 0; i < chunks && rc == 0; i++) {
		rc = execd_chunk_key(prefix, plen, i, key, sizeof key) < 0 ? -STATEFS_EINVAL : 0;
		if (rc == 0)
			rc = statefs_put(&u->client, key, b->elf + (size_t)i * EXECD_CHUNK_SIZE,
					 execd_chunk_len(b->elf_len, i), UPD_STORE_MS);
	}
	for (unsigned i = chunks; i < old_chunks && rc == 0; i++) {
		rc = execd_chunk_key(prefix, plen, i, key, sizeof key) < 0 ? -STATEFS_EINVAL : 0;
		if (rc == 0) {
			rc = statefs_delete(&u->client, key, UPD_STORE_MS);
			rc = rc == -STATEFS_ENOENT ? 0 : rc;
		}
	}
	if (rc == 0)
		rc = statefs_sync(&u->client, UPD_STORE_MS);
	uint8_t digest[BUNDLE_DIGEST_LEN];
	if (rc == 0)
		rc = sig_sha512(b->elf, b->elf_len, digest) == 0 ? 0 : -STATEFS_EINVAL;
	if (rc != 0) {
		count(u, OTA_STAT_FAILED_CALLS);
		printf("updated: app=%s cannot store the image: %s\n", a->def->name, statefs_strerror(rc));
		return OTA_STATUS_STORE;
	}
	if (ota_slots_staged(&c, b->version, b->elf_len, window, digest) != 0 || store_ctl(u, a, &c) != 0)
		return OTA_STATUS_STORE;
	*slot_out = slot;
	return IPC_STATUS_OK;
}

static uint16_t stage(struct upd *u, struct upd_app *a, uint8_t *out, size_t *out_len)
{
	struct bundle b;
	uint32_t window;
	const int perr = bundle_parse(u->bundle, u->total, &b);
	if (perr != 0 || ota_doc_health_window(b.doc, b.doc_len, &window) != 0) {
		printf("updated: app=%s bundle refused: %s\n", a->def->name,
		       perr != 0 ? bundle_strerror(perr) : "bad health_window_ms");
		return OTA_STATUS_BAD_BUNDLE;
	}
	if (strcmp(b.name, a->def->name) != 0) {
		count(u, OTA_STAT_WRONG_NAME);
		return OTA_STATUS_WRONG_NAME;
	}
	struct ota_bootctl probe = a->ctl;
	if (ota_slots_clear(&probe, b.version) < 0) {
		count(u, OTA_STAT_DOWNGRADE);
		return OTA_STATUS_DOWNGRADE;
	}
	const int v = verified(u, &b);
	if (v < 0)
		return OTA_STATUS_VERIFY;
	if (v == 0) {
		count(u, OTA_STAT_BAD_SIGNATURE);
		printf("updated: app=%s version=%u bad signature: refused\n", a->def->name, (unsigned)b.version);
		return OTA_STATUS_BAD_SIGNATURE;
	}
	unsigned slot = 0;
	const uint64_t now = nx_now_ms();
	const uint16_t status = install(u, a, &b, window, &slot);
	if (status != IPC_STATUS_OK)
		return status;
	count(u, OTA_STAT_STAGED);
	event(a, OTA_EV_STAGED, b.version, slot, "", now);
	if (ipc_put_u32(out, OTA_STAGED_LEN, 0, b.version) != 0)
		return IPC_STATUS_MALFORMED;
	out[4] = (uint8_t)slot;
	*out_len = OTA_STAGED_LEN;
	return IPC_STATUS_OK;
}

static uint16_t do_end(struct upd *u, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	if (!u->open || u->owner != r->sender)
		return IPC_STATUS_UNKNOWN;
	struct upd_app *a = u->target;
	const bool complete = r->len == 0 && u->got == u->total;
	const uint16_t status = complete ? (a->ctl.trial ? IPC_STATUS_INVALID_TRANSITION : stage(u, a, out, out_len))
					 : IPC_STATUS_MALFORMED;
	end_session(u);
	return status;
}

/* --- switch, rollback, status --- */

static struct upd_app *named(struct upd *u, const struct nx_request *r, uint16_t *status)
{
	char name[OTA_NAME_MAX + 1];
	*status = IPC_STATUS_MALFORMED;
	if (appmgr_name_decode(r->data, r->len, name) != 0)
		return NULL;
	struct upd_app *a = by_name(u, name);
	*status = a == NULL ? IPC_STATUS_UNKNOWN : IPC_STATUS_OK;
	return a;
}

static uint16_t do_switch(struct upd *u, const struct nx_request *r)
{
	uint16_t status;
	struct upd_app *a = named(u, r, &status);
	if (a == NULL)
		return status;
	const unsigned t = 1u - a->ctl.active;
	const uint64_t now = nx_now_ms();
	struct ota_bootctl c = a->ctl;
	if (ota_slots_switch(&c) != 0)
		return IPC_STATUS_INVALID_TRANSITION;
	if (store_ctl(u, a, &c) != 0)
		return OTA_STATUS_STORE;
	a->health_deadline = 0;
	a->ready_ms = 0;
	a->ready_deadline = now + OTA_READY_DEADLINE_MS;
	count(u, OTA_STAT_SWITCHES);
	event(a, OTA_EV_SWITCHED, c.slot[t].version, t, "", now);
	if (set_image(u, a, t) != 0) {
		(void)roll_back(u, a, "appmgrd", false);
		return OTA_STATUS_STORE;
	}
	restart(u, a, true);
	return IPC_STATUS_OK;
}

static uint16_t do_rollback(struct upd *u, const struct nx_request *r)
{
	uint16_t status;
	struct upd_app *a = named(u, r, &status);
	if (a == NULL)
		return status;
	struct ota_bootctl probe = a->ctl;
	if (ota_slots_rollback(&probe) < 0)
		return IPC_STATUS_INVALID_TRANSITION;
	return roll_back(u, a, "request", a->ctl.trial != 0) == 0 ? IPC_STATUS_OK : OTA_STATUS_STORE;
}

static uint16_t do_status(struct upd *u, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	uint16_t status;
	const struct upd_app *a = named(u, r, &status);
	if (a == NULL)
		return status;
	const struct ota_status s = {
		.ctl = a->ctl, .last_event = a->last_event, .event_ms = a->event_ms, .ready_ms = a->ready_ms,
	};
	const int len = ota_status_encode(&s, out, IPC_DATA_MAX);
	if (len < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)len;
	return IPC_STATUS_OK;
}

static uint16_t do_stats(struct upd *u, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	const int len = r->len == 0 ? ota_stats_encode(&u->st, out, IPC_DATA_MAX) : -1;
	if (len < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)len;
	return IPC_STATUS_OK;
}

static uint16_t dispatch(struct upd *u, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	switch (r->op) {
	case UPDATED_OP_STAGE_BEGIN:
		return do_begin(u, r);
	case UPDATED_OP_STAGE_CHUNK:
		return do_chunk(u, r);
	case UPDATED_OP_STAGE_END:
		return do_end(u, r, out, out_len);
	case UPDATED_OP_SWITCH:
		return do_switch(u, r);
	case UPDATED_OP_ROLLBACK:
		return do_rollback(u, r);
	case UPDATED_OP_STATUS:
		return do_status(u, r, out, out_len);
	case UPDATED_OP_STATS:
		return do_stats(u, r, out, out_len);
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

static uint16_t upd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct upd *u = ctx;
	const uint16_t status = dispatch(u, r, out, out_len);
	/* Whatever a handler staged (a statefsd value) rides on no reply. */
	(void)nx_attach_stage(NULL, 0);
	if (status != IPC_STATUS_OK && status != OTA_STATUS_BAD_SIGNATURE && status != OTA_STATUS_WRONG_NAME &&
	    status != OTA_STATUS_DOWNGRADE && status != OTA_STATUS_TOO_BIG)
		count(u, OTA_STAT_REFUSED);
	return status;
}

/* --- timers, boot, loop --- */

static void run_timers(struct upd *u, uint64_t now)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		struct upd_app *a = &u->app[i];
		if (!a->ctl.trial)
			continue;
		if (a->health_deadline != 0 && now >= a->health_deadline)
			commit(u, a, now);
		else if (a->ready_deadline != 0 && now >= a->ready_deadline)
			(void)roll_back(u, a, "no_ready", true);
	}
	if (u->open && now - u->last_chunk_ms >= OTA_SESSION_IDLE_MS)
		end_session(u);
}

static uint64_t next_deadline(const struct upd *u, uint64_t now)
{
	uint64_t d = now + NX_SERVE_IDLE_MS;
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		const struct upd_app *a = &u->app[i];
		if (a->health_deadline != 0 && a->health_deadline < d)
			d = a->health_deadline;
		if (a->ready_deadline != 0 && a->ready_deadline < d)
			d = a->ready_deadline;
	}
	return d;
}

/* `a`'s record from statefsd; none yet: slot A built in. A trial in it means the machine went
 * down during one: it is rolled back. */
static int load(struct upd *u, struct upd_app *a)
{
	char key[UPD_KEY_MAX];
	uint8_t buf[OTA_BOOTCTL_LEN];
	size_t len = 0;
	ota_bootctl_initial(&a->ctl);
	if (ota_ctl_key(a->def->name, key, sizeof key) != 0)
		return -1;
	const int rc = statefs_get(&u->client, key, buf, sizeof buf, &len, UPD_STORE_MS);
	if (rc == -STATEFS_ENOENT)
		return 0;
	if (rc != 0 || ota_bootctl_decode(buf, len, &a->ctl) != 0) {
		printf("updated: app=%s record unreadable (%s): its built-in image\n", a->def->name,
		       rc != 0 ? statefs_strerror(rc) : "does not decode");
		count(u, OTA_STAT_FAILED_CALLS);
		return 0;
	}
	if (a->ctl.trial) {
		if (roll_back(u, a, "reboot", false) != 0)
			return -1;
	} else if (a->ctl.slot[a->ctl.active].state == OTA_SLOT_GOOD && set_image(u, a, a->ctl.active) != 0) {
		return -1;
	}
	printf("updated: app=%s active=%s version=%u\n", a->def->name, slot_letter(a->ctl.active),
	       (unsigned)a->ctl.slot[a->ctl.active].version);
	return 0;
}

int main(void)
{
	nx_server_init(&ud.srv, NX_SVC_UPDATED);
	nx_client_init(&ud.client, NX_SVC_UPDATED);
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++)
		ud.app[i].def = &nx_abilities[i];
	/* Subscribed before anything is set: no change after this point is missed. */
	if (am_call(&ud, APPMGRD_OP_SUBSCRIBE, NULL, NULL, 0, NULL, 0).kind != IPC_OUTCOME_SUCCESS) {
		printf("updated: appmgrd refused the subscription\n");
		return 1;
	}
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (load(&ud, &ud.app[i]) != 0) {
			printf("updated: app=%s cannot be set up\n", ud.app[i].def->name);
			return 1;
		}
	}
	printf("updated: ready\n");
	const struct nx_server_ops ops = { .request = upd_request, .notify = upd_notify };
	for (;;) {
		const uint64_t now = nx_now_ms();
		if (nx_serve_one(&ud.srv, &ops, &ud, next_deadline(&ud, now)) < 0)
			return 1;
		run_timers(&ud, nx_now_ms());
	}
}
