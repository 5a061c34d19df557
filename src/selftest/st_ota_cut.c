/*
 * The OTA power-cut lane (scripts/test-ota-powercut.sh, docs/ota.md "Power cuts"). The
 * workload, on a fresh disk, makes two updates of hello and prints a line as updated
 * acknowledges each step:
 *   1. hello-2 into slot b (empty): stage, switch, the health window commits it;
 *   2. hello-3 into slot a (the built-in one, so its record says empty first): stage, switch,
 *      the crash loop rolls it back and version 2 runs again.
 * The kernel's blkcut knob cuts the power after one block write of it. The check boot on the
 * same disk reads what updated and appmgrd say: the record holds no trial, the active slot is
 * one that ran (never a half-installed image) and one always is, nothing acknowledged was
 * lost, hello runs as the active slot's version, and an update still goes through.
 */
#include <stdbool.h>
#include <stdio.h>

#include "client/ota.h"
#include "ipc/wire.h"
#include "proto/appmgr.h"
#include "nx_manifest.h"
#include "st.h"

#define APP "hello"
/* Update 1 (works) and update 2 (crashes at start), and the versions they carry. */
#define GOOD_BUNDLE "hello-2"
#define GOOD_VERSION 2U
#define BAD_BUNDLE "hello-3"
#define BAD_VERSION 3U

/* The last step the workload saw acknowledged (the check's `otaack` boot argument). */
enum cut_ack {
	ACK_NONE = 0,
	ACK_STAGED = 1,      /* hello-2: stage_end answered OK */
	ACK_SWITCHED = 2,    /* hello-2: switch answered OK */
	ACK_COMMITTED = 3,   /* hello-2: updated's status said committed */
	ACK_STAGED_BAD = 4,  /* hello-3: stage_end answered OK */
	ACK_SWITCHED_BAD = 5, /* hello-3: switch answered OK */
	ACK_ROLLED_BACK = 6, /* hello-3: updated's status said rolled back, version 2 runs */
	ACK_COUNT
};

static char letter(unsigned slot)
{
	return slot == 0 ? 'a' : 'b';
}

static void print_ack(enum cut_ack a, const char *what)
{
	printf("ota-cut: ack=%u %s\n", (unsigned)a, what);
}

/* Stage `bundle` (`version`); it must land in slot `slot`. */
static void stage_into(struct st *st, const char *bundle, uint32_t version, unsigned slot, const char *what)
{
	uint32_t v = 0;
	uint8_t got = 2;
	st_ota_expect(st_ota_stage(st, APP, bundle, &v, &got), IPC_STATUS_OK, what);
	ST_CHECK(v == version && got == slot, "%s: staged version %u into slot %c, want %u into %c", what, (unsigned)v,
		 letter(got), (unsigned)version, letter(slot));
}

/* Switch to the staged slot b (hello-2): hello runs as version 2, its health window commits it. */
static void switch_good(struct st *st, bool print_acks, const char *what)
{
	struct ota_status s;
	struct appmgr_state as;
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_OK, what);
	if (print_acks)
		print_ack(ACK_SWITCHED, "switch ok version=2 slot=b");
	st_ota_wait_running(st, APP, GOOD_VERSION, what, &as);
	st_ota_wait_event(st, APP, OTA_EV_COMMITTED, what, &s);
	st_ota_expect_slot(&s, 1, OTA_SLOT_GOOD, GOOD_VERSION, what);
	ST_CHECK(s.ctl.active == 1 && s.ctl.trial == 0, "%s: slot %c active, trial %u after the commit", what,
		 letter(s.ctl.active), (unsigned)s.ctl.trial);
	if (print_acks)
		print_ack(ACK_COMMITTED, "committed version=2 slot=b");
	st_am_state(st, APP, &as);
	ST_CHECK(as.state == APPMGR_RUNNING_FG && as.version == GOOD_VERSION, "%s: hello is %s as version %u", what,
		 appmgr_state_name(as.state), (unsigned)as.version);
}

/* Switch to the staged slot a (hello-3): it crashes at start, the crash loop rolls it back,
 * and version 2 runs again from slot b. */
static void switch_bad(struct st *st, bool print_acks, const char *what)
{
	struct ota_status s;
	struct appmgr_state as;
	st_ota_expect(st_ota_app_op(st, UPDATED_OP_SWITCH, APP), IPC_STATUS_OK, what);
	if (print_acks)
		print_ack(ACK_SWITCHED_BAD, "switch ok version=3 slot=a");
	st_ota_wait_event(st, APP, OTA_EV_ROLLED_BACK, what, &s);
	st_ota_expect_slot(&s, 0, OTA_SLOT_FAILED, BAD_VERSION, what);
	ST_CHECK(s.ctl.active == 1 && s.ctl.trial == 0 && s.ctl.failed_version == BAD_VERSION,
		 "%s: slot %c active, trial %u, failed version %u after the rollback", what, letter(s.ctl.active),
		 (unsigned)s.ctl.trial, (unsigned)s.ctl.failed_version);
	st_ota_wait_running(st, APP, GOOD_VERSION, what, &as);
	if (print_acks)
		print_ack(ACK_ROLLED_BACK, "rolled back version=3 slot=a");
}

void st_ota_cut(struct st *st)
{
	struct ota_status s;
	st_ota_status(st, APP, &s);
	ST_CHECK(s.ctl.active == 0 && s.ctl.trial == 0, "ota cut: hello starts with slot %c active, trial %u",
		 letter(s.ctl.active), (unsigned)s.ctl.trial);
	st_ota_expect_slot(&s, 0, OTA_SLOT_BUILTIN, OTA_BUILTIN_VERSION, "ota cut: before");
	st_ota_expect_slot(&s, 1, OTA_SLOT_EMPTY, 0, "ota cut: before");
	stage_into(st, GOOD_BUNDLE, GOOD_VERSION, 1, "ota cut: stage " GOOD_BUNDLE);
	print_ack(ACK_STAGED, "stage_end ok version=2 slot=b");
	switch_good(st, true, "ota cut: switch to " GOOD_BUNDLE);
	stage_into(st, BAD_BUNDLE, BAD_VERSION, 0, "ota cut: stage " BAD_BUNDLE);
	print_ack(ACK_STAGED_BAD, "stage_end ok version=3 slot=a");
	switch_bad(st, true, "ota cut: switch to " BAD_BUNDLE);
	printf("SELFTEST: ota cut workload ok acks=%u\n", (unsigned)ACK_COUNT - 1u);
}

/* Does `x` hold the image of `version` (`bundle`), in any stored state? */
static bool holds(const struct ota_slot *x, const char *bundle, uint32_t version)
{
	return x->state != OTA_SLOT_EMPTY && x->state != OTA_SLOT_BUILTIN && x->version == version &&
	       x->image_len == st_ota_elf_len(bundle);
}

/*
 * The record as the boot left it: no trial, and either
 *   update 1 not committed: a built in and active; b empty, staged 2, or failed 2 (the trial
 *   rolled back at this boot); or
 *   update 1 committed: b good 2 and active; a built in, empty, staged 3, or failed 3 (the
 *   trial rolled back at this boot, or by its crash loop before the cut).
 * A rollback at this boot happened exactly when the record held a trial.
 */
static void check_record(const struct ota_status *s, const struct ota_stats *n, bool rolled)
{
	const struct ota_slot *a = &s->ctl.slot[0], *b = &s->ctl.slot[1];
	ST_CHECK(n->n[OTA_STAT_FAILED_CALLS] == 0, "ota powercut check: updated counted %u failed calls at boot",
		 (unsigned)n->n[OTA_STAT_FAILED_CALLS]);
	ST_CHECK(s->ctl.trial == 0, "ota powercut check: the record still holds a trial of slot %c",
		 letter(1u - s->ctl.active));
	ST_CHECK(s->last_event == OTA_EV_NONE || rolled, "ota powercut check: updated's event at boot is %s",
		 ota_event_name(s->last_event));
	ST_CHECK(n->n[OTA_STAT_ROLLBACKS] == (rolled ? 1u : 0u), "ota powercut check: %u rollbacks at boot, event %s",
		 (unsigned)n->n[OTA_STAT_ROLLBACKS], ota_event_name(s->last_event));
	if (s->ctl.active == 0) {
		st_ota_expect_slot(s, 0, OTA_SLOT_BUILTIN, OTA_BUILTIN_VERSION, "ota powercut check: active slot a");
		ST_CHECK(b->state == OTA_SLOT_EMPTY || ((b->state == OTA_SLOT_STAGED || b->state == OTA_SLOT_FAILED) &&
							holds(b, GOOD_BUNDLE, GOOD_VERSION)),
			 "ota powercut check: inactive slot b is %s version %u (%u bytes)", ota_slot_state_name(b->state),
			 (unsigned)b->version, (unsigned)b->image_len);
		ST_CHECK(rolled == (b->state == OTA_SLOT_FAILED) && s->ctl.failed_version == (rolled ? GOOD_VERSION : 0u),
			 "ota powercut check: rolled back at boot %u, slot b %s, failed version %u", (unsigned)rolled,
			 ota_slot_state_name(b->state), (unsigned)s->ctl.failed_version);
		return;
	}
	ST_CHECK(b->state == OTA_SLOT_GOOD && holds(b, GOOD_BUNDLE, GOOD_VERSION),
		 "ota powercut check: active slot b is %s version %u", ota_slot_state_name(b->state), (unsigned)b->version);
	ST_CHECK(a->state == OTA_SLOT_BUILTIN || a->state == OTA_SLOT_EMPTY ||
			 ((a->state == OTA_SLOT_STAGED || a->state == OTA_SLOT_FAILED) && holds(a, BAD_BUNDLE, BAD_VERSION)),
		 "ota powercut check: inactive slot a is %s version %u (%u bytes)", ota_slot_state_name(a->state),
		 (unsigned)a->version, (unsigned)a->image_len);
	if (a->state == OTA_SLOT_BUILTIN)
		st_ota_expect_slot(s, 0, OTA_SLOT_BUILTIN, OTA_BUILTIN_VERSION, "ota powercut check: slot a");
	ST_CHECK((!rolled || a->state == OTA_SLOT_FAILED) &&
			 s->ctl.failed_version == (a->state == OTA_SLOT_FAILED ? BAD_VERSION : 0u),
		 "ota powercut check: rolled back at boot %u, slot a %s, failed version %u", (unsigned)rolled,
		 ota_slot_state_name(a->state), (unsigned)s->ctl.failed_version);
}

/* Nothing the workload saw acknowledged is lost. */
static void check_acks(const struct ota_status *s, unsigned ack)
{
	const struct ota_slot *a = &s->ctl.slot[0], *b = &s->ctl.slot[1];
	const bool committed = s->ctl.active == 1;
	ST_CHECK(ack < ACK_STAGED || holds(b, GOOD_BUNDLE, GOOD_VERSION),
		 "ota powercut check: stage of version 2 acknowledged, but slot b is %s version %u",
		 ota_slot_state_name(b->state), (unsigned)b->version);
	ST_CHECK(ack < ACK_SWITCHED || committed || b->state == OTA_SLOT_FAILED,
		 "ota powercut check: switch to version 2 acknowledged, but slot b is %s", ota_slot_state_name(b->state));
	ST_CHECK(ack < ACK_COMMITTED || committed, "ota powercut check: commit reported, but slot %c is active",
		 letter(s->ctl.active));
	ST_CHECK(ack < ACK_STAGED_BAD || holds(a, BAD_BUNDLE, BAD_VERSION),
		 "ota powercut check: stage of version 3 acknowledged, but slot a is %s version %u",
		 ota_slot_state_name(a->state), (unsigned)a->version);
	ST_CHECK(ack < ACK_SWITCHED_BAD || a->state == OTA_SLOT_FAILED,
		 "ota powercut check: switch to version 3 acknowledged, but slot a is %s", ota_slot_state_name(a->state));
}

/*
 * hello as the boot left it: stopped; or, when a rollback at boot found it blocked by the
 * trial's crash loop, unblocked and started by updated. Start it if stopped; it must run as
 * the active slot's version.
 */
static void check_runs(struct st *st, uint32_t version)
{
	struct appmgr_state as;
	st_am_state(st, APP, &as);
	if (as.state == APPMGR_STOPPED)
		ST_CHECK(st_am_call(st, APPMGRD_OP_START, APP, NULL, 0, NULL) == IPC_STATUS_OK,
			 "ota powercut check: start hello");
	st_ota_wait_running(st, APP, version, "ota powercut check: hello runs", &as);
}

void st_ota_cut_check(struct st *st, unsigned ack)
{
	struct ota_status s;
	struct ota_stats n;
	ST_CHECK(ack < ACK_COUNT, "ota powercut check: otaack=%u is no step", ack);
	st_ota_status(st, APP, &s);
	st_ota_stats(st, &n);
	printf("selftest: ota record at boot: active=%c trial=%u a=%s/%u b=%s/%u failed_version=%u event=%s\n",
	       letter(s.ctl.active), (unsigned)s.ctl.trial, ota_slot_state_name(s.ctl.slot[0].state),
	       (unsigned)s.ctl.slot[0].version, ota_slot_state_name(s.ctl.slot[1].state), (unsigned)s.ctl.slot[1].version,
	       (unsigned)s.ctl.failed_version, ota_event_name(s.last_event));
	const bool rolled = s.last_event == OTA_EV_ROLLED_BACK;
	check_record(&s, &n, rolled);
	check_acks(&s, ack);
	const uint32_t active = s.ctl.slot[s.ctl.active].version;
	const unsigned staged = (unsigned)holds(&s.ctl.slot[1], GOOD_BUNDLE, GOOD_VERSION) +
				(unsigned)holds(&s.ctl.slot[0], BAD_BUNDLE, BAD_VERSION);
	check_runs(st, active);
	/* The system still updates: the update in whose course the cut came, once more. */
	if (s.ctl.active == 0) {
		if (s.ctl.slot[1].state != OTA_SLOT_STAGED)
			stage_into(st, GOOD_BUNDLE, GOOD_VERSION, 1, "ota powercut check: stage " GOOD_BUNDLE " again");
		switch_good(st, false, "ota powercut check: switch to " GOOD_BUNDLE);
	} else {
		if (s.ctl.slot[0].state != OTA_SLOT_STAGED)
			stage_into(st, BAD_BUNDLE, BAD_VERSION, 0, "ota powercut check: stage " BAD_BUNDLE " again");
		switch_bad(st, false, "ota powercut check: switch to " BAD_BUNDLE);
	}
	printf("SELFTEST: ota powercut check ok ack=%u active=%u staged=%u rolled_back=%u\n", ack, (unsigned)active,
	       staged, rolled ? 1u : 0u);
}
