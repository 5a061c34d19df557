/*
 * console: the `nx` shell on the UART.
 *
 *   help
 *   nx ability list
 *   nx ability start|stop|fg|bg|state|policy|unblock|history <app>
 *   nx ps          tasks, QoS class, state, CPU time, pages
 *   nx metrics     metricsd's and the kernel's counters
 *   nx state ls [prefix] | get <key> | put <key> <value> | del <key> | sync
 *                  the console's keys in statefsd: a key without a leading '/' is taken
 *                  under "/console/", its namespace; any other is refused by statefsd
 *   nx key pubkey  the device's public key (keystored), in hex
 *   nx ota status [app] | bundles | stage <bundle> | switch <app> | rollback <app>
 *                  updates through updated: the slots of one ability (or a line for each),
 *                  the bundles shipped in the image (nx_bundles.h), staging one of them,
 *                  running the staged version on trial, going back
 *
 * It reads the UART through NX_SYS_CONSOLE_READ (its manifest right) and talks to appmgrd
 * and metricsd like any client, through the RFC-0025 helper; what it may change is what the
 * policy table grants the `console` service. Lines are edited in place (backspace erases,
 * Ctrl-U clears, a tab separates words, arrow keys and other escape sequences are ignored)
 * and bounded to LINE_MAX bytes: a longer line, or one holding a byte that is not printable
 * ASCII, is refused whole with a message when Enter is pressed. Output of other tasks while
 * a line is being typed goes on a line of its own, and the line is redrawn under it.
 *
 * In profile=run (`just run`: no proof) and run-proof (the proof first) it prints its prompt
 * once selftest has finished; in the other profiles it stays silent until someone types.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "client/ota.h"
#include "client/statefs.h"
#include "ipc/wire.h"
#include "proto/appmgr.h"
#include "proto/bundle.h"
#include "proto/metrics.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_bundles.h"
#include "nx_manifest.h"

#define LINE_MAX 96
#define ARGS_MAX 6
#define INPUT_WAIT_MS 60000
#define SELFTEST_POLL_MS 50
#define SELFTEST_WAIT_POLLS 6000 /* 5 minutes of polling, then prompt anyway */
#define PROMPT "nx> "
#define STATE_NS "/console/"
#define STATE_TIMEOUT_MS 2000
#define STATE_PAGE 16
/* Most keys `nx state ls` lists: every key statefsd can hold. */
#define STATE_LS_MAX 128
/* Most bytes of a value `nx state get` prints. */
#define STATE_SHOW_MAX 200
#define KEY_TIMEOUT_MS 2000
/* Deadline of each call to updated: a stage_end writes an image and syncs. */
#define OTA_TIMEOUT_MS 10000

static struct ipc_client client;

static const char *const qos_names[NX_QOS_COUNT] = { "sys", "fg", "bg", "idle" };
static const char *const task_states[] = { "free", "queued", "running", "blocked" };

static void prompt(void)
{
	printf(PROMPT);
	fflush(stdout);
}

/* One request to `service`; prints the failure and returns -1 unless it succeeded. */
static int call(const char *service, uint16_t op, const void *data, size_t len, uint8_t *reply, size_t cap,
		size_t *reply_len)
{
	struct ipc_outcome o =
		ipc_route_with_nonce_budgeted(&client, service, strlen(service), op, data, len, reply, cap, NULL);
	if (o.kind == IPC_OUTCOME_REJECTED) {
		const char *why = ipc_status_name(o.status);
		printf("error: %s answered %s\n", service, why != NULL ? why : "an unknown status");
		return -1;
	}
	if (o.kind != IPC_OUTCOME_SUCCESS) {
		printf("error: %s: %s\n", service, ipc_outcome_name(o.kind));
		return -1;
	}
	if (reply_len != NULL)
		*reply_len = o.reply_len;
	return 0;
}

static void ability_list(void)
{
	uint8_t start = 0, r[IPC_DATA_MAX];
	for (unsigned page = 0; page < APPMGR_MAX_ABILITIES; page++) {
		size_t len;
		struct appmgr_list list;
		if (call(NX_SVC_APPMGRD, APPMGRD_OP_LIST, &start, 1, r, sizeof r, &len) != 0)
			return;
		if (appmgr_list_decode(r, len, &list) != 0) {
			printf("error: appmgrd sent a malformed list\n");
			return;
		}
		for (unsigned i = 0; i < list.count; i++)
			printf("%-12s %s\n", list.e[i].name, appmgr_state_name(list.e[i].state));
		start = (uint8_t)(start + list.count);
		if (list.count == 0 || start >= list.total)
			return;
	}
}

static void show_state(const char *app, const uint8_t *r, size_t len)
{
	struct appmgr_state s;
	if (appmgr_state_decode(r, len, &s) != 0) {
		printf("error: appmgrd sent a malformed state\n");
		return;
	}
	printf("%s: %s reason=%s%s crashes=%u delay_ms=%u", app, appmgr_state_name(s.state),
	       appmgr_reason_name(s.reason), s.timeout ? " timeout" : "", (unsigned)s.crash_count,
	       (unsigned)s.delay_ms);
	if (s.next_restart_ms != 0)
		printf(" next_restart_ms=%llu", (unsigned long long)s.next_restart_ms);
	if (s.task >= 0)
		printf(" task=%d cpu_us=%llu", (int)s.task, (unsigned long long)s.cpu_us);
	printf("\n");
}

static void show_policy(const char *app, const uint8_t *r, size_t len)
{
	struct appmgr_policy p;
	if (appmgr_policy_decode(r, len, &p) != 0) {
		printf("error: appmgrd sent a malformed policy\n");
		return;
	}
	printf("%s: initial_ms=%u factor=%u.%03u max_ms=%u loop_threshold=%u loop_window_ms=%u\n", app,
	       (unsigned)p.initial_ms, (unsigned)(p.factor_milli / 1000), (unsigned)(p.factor_milli % 1000),
	       (unsigned)p.max_ms, (unsigned)p.loop_threshold, (unsigned)p.loop_window_ms);
	printf("%s: stable_reset_ms=%u start_timeout_ms=%u stop_timeout_ms=%u cpu_budget_ms_per_min=%u "
	       "timer_slack_fg_ms=%u timer_slack_bg_ms=%u\n",
	       app, (unsigned)p.stable_reset_ms, (unsigned)p.start_timeout_ms, (unsigned)p.stop_timeout_ms,
	       (unsigned)p.cpu_budget_ms_per_min, (unsigned)p.slack_fg_ms, (unsigned)p.slack_bg_ms);
}

static void show_history(const char *app, const uint8_t *r, size_t len)
{
	struct appmgr_history h;
	if (appmgr_history_decode(r, len, &h) != 0) {
		printf("error: appmgrd sent a malformed history\n");
		return;
	}
	printf("%s: %u death%s\n", app, (unsigned)h.count, h.count == 1 ? "" : "s");
	for (unsigned i = 0; i < h.count; i++)
		printf("  boot %u t=%llu ms %s\n", (unsigned)h.e[i].boot, (unsigned long long)h.e[i].t_ms,
		       appmgr_reason_name(h.e[i].reason));
}

static const struct {
	const char *name;
	uint16_t op;
	void (*show)(const char *app, const uint8_t *r, size_t len); /* NULL: prints "ok" */
} ability_ops[] = {
	{ "start", APPMGRD_OP_START, NULL },     { "stop", APPMGRD_OP_STOP, NULL },
	{ "fg", APPMGRD_OP_FG, NULL },           { "bg", APPMGRD_OP_BG, NULL },
	{ "unblock", APPMGRD_OP_UNBLOCK, NULL }, { "state", APPMGRD_OP_STATE, show_state },
	{ "policy", APPMGRD_OP_POLICY, show_policy }, { "history", APPMGRD_OP_HISTORY, show_history },
};

/* A start of a blocked ability is refused by the lifecycle core; say why, in its words. */
static bool start_blocked(const char *app)
{
	uint8_t r[IPC_DATA_MAX];
	struct appmgr_state st;
	const struct ipc_outcome o = ipc_route_with_nonce_budgeted(&client, NX_SVC_APPMGRD, strlen(NX_SVC_APPMGRD),
								   APPMGRD_OP_STATE, (const uint8_t *)app, strlen(app), r, sizeof r, NULL);
	if (o.kind != IPC_OUTCOME_SUCCESS || appmgr_state_decode(r, o.reply_len, &st) != 0 || st.state != APPMGR_BLOCKED)
		return false;
	printf("error: %s is blocked (crash loop, %u crashes): nx ability unblock %s first\n", app,
	       (unsigned)st.crash_count, app);
	return true;
}

static void cmd_ability(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[2], "list") == 0) {
		ability_list();
		return;
	}
	for (size_t i = 0; argc >= 3 && i < sizeof ability_ops / sizeof ability_ops[0]; i++) {
		if (strcmp(argv[2], ability_ops[i].name) != 0)
			continue;
		if (argc != 4 || strlen(argv[3]) > APPMGR_NAME_MAX) {
			printf("usage: nx ability %s <app>\n", ability_ops[i].name);
			return;
		}
		uint8_t r[IPC_DATA_MAX];
		size_t len;
		if (ability_ops[i].op == APPMGRD_OP_START && start_blocked(argv[3]))
			return;
		if (call(NX_SVC_APPMGRD, ability_ops[i].op, argv[3], strlen(argv[3]), r, sizeof r, &len) != 0)
			return;
		if (ability_ops[i].show != NULL)
			ability_ops[i].show(argv[3], r, len);
		else
			printf("ok\n");
		return;
	}
	printf("usage: nx ability list|start|stop|fg|bg|state|policy|unblock|history <app>\n");
}

static void cmd_ps(void)
{
	printf("%-3s %-16s %-4s %-8s %10s %5s\n", "ID", "NAME", "QOS", "STATE", "CPU_US", "PAGES");
	for (uint32_t id = 0; id < NX_TASK_MAX; id++) {
		struct nx_task_info t;
		if (nx_task_info(id, &t) != 0)
			continue;
		printf("%-3u %-16s %-4s %-8s %10llu %5u\n", (unsigned)id, t.name, t.qos < NX_QOS_COUNT ? qos_names[t.qos] : "?",
		       t.state < sizeof task_states / sizeof task_states[0] ? task_states[t.state] : "?",
		       (unsigned long long)t.cpu_us, (unsigned)t.pages);
	}
}

static void cmd_metrics(void)
{
	uint8_t r[12];
	size_t len;
	uint32_t series, dropped, rejected;
	if (call(NX_SVC_METRICSD, METRICSD_OP_STATS, NULL, 0, r, sizeof r, &len) == 0 && len == sizeof r &&
	    ipc_get_u32(r, len, 0, &series) == 0 && ipc_get_u32(r, len, 4, &dropped) == 0 &&
	    ipc_get_u32(r, len, 8, &rejected) == 0)
		printf("metricsd: series=%u/%u dropped=%u rejected=%u\n", (unsigned)series, (unsigned)METRICS_MAX_SERIES,
		       (unsigned)dropped, (unsigned)rejected);
	struct nx_kstats k;
	if (nx_kstats(&k) != 0)
		return;
	printf("kernel: timer_irqs=%llu wake_irqs=%llu sleeps=%llu context_switches=%llu ipis=%llu\n",
	       (unsigned long long)k.timer_irqs, (unsigned long long)k.timer_wake_irqs, (unsigned long long)k.sleeps,
	       (unsigned long long)k.context_switches, (unsigned long long)k.ipis);
	printf("kernel: ipc_sent=%llu ipc_delivered=%llu ipc_would_block=%llu denied=%llu notices=%llu\n",
	       (unsigned long long)k.ipc_sent, (unsigned long long)k.ipc_delivered,
	       (unsigned long long)k.ipc_would_block, (unsigned long long)k.denied, (unsigned long long)k.notices_sent);
	printf("kernel: tasks_spawned=%llu tasks_ended=%llu faults=%llu console_dropped=%llu\n",
	       (unsigned long long)k.tasks_spawned, (unsigned long long)k.tasks_ended, (unsigned long long)k.faults,
	       (unsigned long long)k.console_dropped);
}

/* The key a console argument names: as given when it starts with '/', else under STATE_NS. */
static int state_key(const char *arg, char key[STATEFS_KEY_MAX + 1])
{
	const int n = snprintf(key, STATEFS_KEY_MAX + 1, "%s%s", arg[0] == '/' ? "" : STATE_NS, arg);
	if (n < 0 || n > (int)STATEFS_KEY_MAX || !statefs_key_ok(key, (size_t)n)) {
		printf("error: a key is 1..%u printable bytes, namespace included\n", (unsigned)STATEFS_KEY_MAX);
		return -1;
	}
	return 0;
}

/* Report a statefs error; 0 if there was none. */
static int state_error(int rc, const char *key)
{
	if (rc == -STATEFS_EDENIED)
		printf("error: %s: denied: the console may use only keys under %s\n", key, STATE_NS);
	else if (rc != 0)
		printf("error: %s: %s\n", key, statefs_strerror(rc));
	return rc;
}

static void state_ls(const char *arg)
{
	char prefix[STATEFS_KEY_MAX + 1], after[STATEFS_KEY_MAX + 1] = "";
	if (state_key(arg != NULL ? arg : "", prefix) != 0)
		return;
	struct statefs_key page[STATE_PAGE];
	unsigned total = 0;
	bool more = true;
	for (unsigned p = 0; more && p < STATE_LS_MAX / STATE_PAGE; p++) {
		size_t n = 0;
		if (state_error(statefs_list(&client, prefix, after, page, STATE_PAGE, &n, &more, STATE_TIMEOUT_MS),
				prefix) != 0)
			return;
		for (size_t i = 0; i < n; i++)
			printf("%s\n", page[i].bytes);
		total += (unsigned)n;
		if (n > 0)
			memcpy(after, page[n - 1].bytes, (size_t)page[n - 1].len + 1);
	}
	printf("%u key%s\n", total, total == 1 ? "" : "s");
}

static void state_get(const char *key)
{
	static uint8_t v[STATEFS_VALUE_MAX];
	size_t len = 0;
	if (state_error(statefs_get(&client, key, v, sizeof v, &len, STATE_TIMEOUT_MS), key) != 0)
		return;
	bool text = true;
	for (size_t i = 0; i < len; i++)
		text = text && v[i] >= ' ' && v[i] < 0x7f;
	printf("%s: %zu byte%s ", key, len, len == 1 ? "" : "s");
	for (size_t i = 0; i < len && i < STATE_SHOW_MAX; i++)
		printf(text ? "%c" : "%02x", v[i]);
	printf("%s\n", len > STATE_SHOW_MAX ? " ..." : "");
}

static void cmd_state(int argc, char **argv)
{
	char key[STATEFS_KEY_MAX + 1];
	const char *sub = argc >= 3 ? argv[2] : "";
	if (strcmp(sub, "ls") == 0 && argc <= 4) {
		state_ls(argc == 4 ? argv[3] : NULL);
	} else if (strcmp(sub, "get") == 0 && argc == 4) {
		if (state_key(argv[3], key) == 0)
			state_get(key);
	} else if (strcmp(sub, "put") == 0 && argc == 5) {
		if (state_key(argv[3], key) == 0 &&
		    state_error(statefs_put(&client, key, argv[4], strlen(argv[4]), STATE_TIMEOUT_MS), key) == 0)
			printf("ok (durable after nx state sync)\n");
	} else if (strcmp(sub, "del") == 0 && argc == 4) {
		if (state_key(argv[3], key) == 0 && state_error(statefs_delete(&client, key, STATE_TIMEOUT_MS), key) == 0)
			printf("ok\n");
	} else if (strcmp(sub, "sync") == 0 && argc == 3) {
		if (state_error(statefs_sync(&client, STATE_TIMEOUT_MS), "sync") == 0)
			printf("ok: synced\n");
	} else {
		printf("usage: nx state ls [prefix] | get <key> | put <key> <value> | del <key> | sync\n");
	}
}

static void cmd_key(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[2], "pubkey") != 0) {
		printf("usage: nx key pubkey\n");
		return;
	}
	uint8_t pk[KEYSTORE_PUBKEY_LEN];
	const int rc = keystore_pubkey(&client, pk, KEY_TIMEOUT_MS);
	if (rc != 0) {
		printf("error: keystored: %s\n", keystore_strerror(rc));
		return;
	}
	for (size_t i = 0; i < sizeof pk; i++)
		printf("%02x", pk[i]);
	printf("\n");
}

/* --- nx ota ------------------------------------------------------------------------------ */

static char slot_letter(unsigned slot)
{
	return slot == 0 ? 'a' : 'b';
}

/* Is `app` an ability? Says so when it is not. */
static bool ota_known(const char *app)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(nx_abilities[i].name, app) == 0)
			return true;
	}
	printf("error: no ability '%s' (nx ability list names them)\n", app);
	return false;
}

/* updated's status of `app`; prints why and returns -1 if there is none. */
static int ota_status_of(const char *app, struct ota_status *s)
{
	uint16_t status = IPC_STATUS_MALFORMED;
	const int rc = ota_get_status(&client, app, &status, s, OTA_TIMEOUT_MS);
	if (rc != 0) {
		printf("error: updated: %s\n", ota_strerror(rc));
		return -1;
	}
	if (status != IPC_STATUS_OK) {
		printf("error: updated refused the status of %s: %s\n", app, ota_status_text(status));
		return -1;
	}
	return 0;
}

static void show_slot(const struct ota_status *s, unsigned slot)
{
	const struct ota_slot *x = &s->ctl.slot[slot];
	printf("  slot %c: %s", slot_letter(slot), ota_slot_state_name(x->state));
	if (x->state != OTA_SLOT_EMPTY)
		printf(" version=%u", (unsigned)x->version);
	if (x->image_len != 0)
		printf(" image_bytes=%u health_window_ms=%u", (unsigned)x->image_len, (unsigned)x->health_window_ms);
	printf("%s\n", slot == s->ctl.active ? " (active)" : "");
}

/* The status block of `app`: its record, its slots, the trial's progress, the latest event. */
static void print_status(const char *app, const struct ota_status *s)
{
	const struct ota_bootctl *c = &s->ctl;
	const unsigned other = 1u - c->active;
	printf("%s: active=%c version=%u trial=", app, slot_letter(c->active), (unsigned)c->slot[c->active].version);
	if (c->trial)
		printf("%c", slot_letter(other));
	else
		printf("no");
	if (c->failed_version != 0)
		printf(" failed_version=%u", (unsigned)c->failed_version);
	printf("\n");
	show_slot(s, 0);
	show_slot(s, 1);
	const uint64_t commit_ms = s->ready_ms + c->slot[other].health_window_ms;
	if (c->trial && s->ready_ms != 0)
		printf("  trial: ready t=%llu, committed at t=%llu if it stays up\n", (unsigned long long)s->ready_ms,
		       (unsigned long long)commit_ms);
	else if (c->trial)
		printf("  trial: waiting for its ready\n");
	if (s->last_event != OTA_EV_NONE)
		printf("  last_event=%s t=%llu\n", ota_event_name(s->last_event), (unsigned long long)s->event_ms);
	else
		printf("  last_event=none (this boot)\n");
}

/* "good v2", "empty": a slot in the one-line summary. */
static void summary_slot(const struct ota_slot *x)
{
	char v[16] = "";
	if (x->state != OTA_SLOT_EMPTY)
		(void)snprintf(v, sizeof v, " v%u", (unsigned)x->version);
	char text[32];
	(void)snprintf(text, sizeof text, "%s%s", ota_slot_state_name(x->state), v);
	printf(" %-12s", text);
}

static void ota_summary(void)
{
	printf("%-12s %-6s %-5s %-12s %-12s %s\n", "APP", "ACTIVE", "TRIAL", "SLOT_A", "SLOT_B", "LAST_EVENT");
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		const char *app = nx_abilities[i].name;
		struct ota_status s;
		if (ota_status_of(app, &s) != 0)
			continue;
		const struct ota_bootctl *c = &s.ctl;
		char active[16];
		(void)snprintf(active, sizeof active, "%c v%u", slot_letter(c->active), (unsigned)c->slot[c->active].version);
		printf("%-12s %-6s %-5c", app, active, c->trial ? slot_letter(1u - c->active) : '-');
		summary_slot(&c->slot[0]);
		summary_slot(&c->slot[1]);
		if (s.last_event != OTA_EV_NONE)
			printf(" %s t=%llu\n", ota_event_name(s.last_event), (unsigned long long)s.event_ms);
		else
			printf(" -\n");
	}
}

static void ota_bundles(void)
{
	printf("%-16s %-12s %7s %6s\n", "BUNDLE", "APP", "VERSION", "BYTES");
	for (unsigned i = 0; i < NX_BUNDLE_COUNT; i++) {
		struct bundle b;
		const int rc = bundle_parse(nx_bundles[i].bytes, nx_bundles[i].len, &b);
		if (rc != 0)
			printf("%-16s does not parse: %s\n", nx_bundles[i].name, bundle_strerror(rc));
		else
			printf("%-16s %-12s %7u %6u\n", nx_bundles[i].name, b.name, (unsigned)b.version,
			       (unsigned)nx_bundles[i].len);
	}
}

static void ota_stage_bundle(const char *name)
{
	const struct nx_bundle_blob *blob = NULL;
	for (unsigned i = 0; i < NX_BUNDLE_COUNT && blob == NULL; i++) {
		if (strcmp(nx_bundles[i].name, name) == 0)
			blob = &nx_bundles[i];
	}
	if (blob == NULL) {
		printf("error: no bundle '%s' in the image (nx ota bundles lists them)\n", name);
		return;
	}
	struct bundle b;
	const int perr = bundle_parse(blob->bytes, blob->len, &b);
	if (perr != 0) {
		printf("error: bundle %s does not parse: %s\n", name, bundle_strerror(perr));
		return;
	}
	uint16_t status = IPC_STATUS_MALFORMED;
	uint32_t version = 0;
	uint8_t slot = 0;
	const int rc = ota_stage(&client, b.name, blob->bytes, blob->len, &status, &version, &slot, OTA_TIMEOUT_MS);
	if (rc != 0)
		printf("error: updated: %s\n", ota_strerror(rc));
	else if (status != IPC_STATUS_OK)
		printf("error: updated refused %s: %s\n", name, ota_status_text(status));
	else
		printf("ok: staged %s version %u in slot %c (nx ota switch %s runs it on trial)\n", b.name,
		       (unsigned)version, slot_letter(slot), b.name);
}

/* switch or rollback of `app`, then the status it led to. */
static void ota_op(uint16_t op, const char *app)
{
	const bool sw = op == UPDATED_OP_SWITCH;
	uint16_t status = IPC_STATUS_MALFORMED;
	const int rc = ota_app_op(&client, op, app, &status, OTA_TIMEOUT_MS);
	if (rc != 0) {
		printf("error: updated: %s\n", ota_strerror(rc));
		return;
	}
	if (status != IPC_STATUS_OK) {
		printf("error: updated refused the %s of %s: %s\n", sw ? "switch" : "rollback", app,
		       ota_status_text(status));
		return;
	}
	printf("ok: %s %s\n", app, sw ? "switched" : "rolled back");
	struct ota_status s;
	if (ota_status_of(app, &s) == 0)
		print_status(app, &s);
}

static void cmd_ota(int argc, char **argv)
{
	const char *sub = argc >= 3 ? argv[2] : "";
	const char *arg = argc == 4 ? argv[3] : NULL;
	struct ota_status s;
	if (strcmp(sub, "status") == 0 && argc == 3) {
		ota_summary();
	} else if (strcmp(sub, "bundles") == 0 && argc == 3) {
		ota_bundles();
	} else if (strcmp(sub, "stage") == 0 && arg != NULL) {
		ota_stage_bundle(arg);
	} else if (strcmp(sub, "status") == 0 && arg != NULL) {
		if (ota_known(arg) && ota_status_of(arg, &s) == 0)
			print_status(arg, &s);
	} else if (strcmp(sub, "switch") == 0 && arg != NULL) {
		if (ota_known(arg))
			ota_op(UPDATED_OP_SWITCH, arg);
	} else if (strcmp(sub, "rollback") == 0 && arg != NULL) {
		if (ota_known(arg))
			ota_op(UPDATED_OP_ROLLBACK, arg);
	} else {
		printf("usage: nx ota status [app] | bundles | stage <bundle> | switch <app> | rollback <app>\n");
	}
}

static void cmd_help(void)
{
	printf("commands:\n"
	       "  nx ability list                 abilities and their states\n"
	       "  nx ability start|stop|fg|bg|unblock <app>\n"
	       "  nx ability state|policy|history <app>\n"
	       "  nx ps                           tasks: QoS class, state, CPU time, pages\n"
	       "  nx metrics                      metricsd and kernel counters\n"
	       "  nx state ls [prefix]            the console's keys in statefsd (under /console/)\n"
	       "  nx state get|del <key>          a key without a leading / is under /console/\n"
	       "  nx state put <key> <value>      set it (durable after nx state sync)\n"
	       "  nx state sync                   make every put and del durable\n"
	       "  nx key pubkey                   the device's public key (keystored), in hex\n"
	       "  nx ota status [app]             update slots of one ability, or a line for each\n"
	       "  nx ota bundles                  the update bundles shipped in the image\n"
	       "  nx ota stage <bundle>           stage one (updated checks it and its signature)\n"
	       "  nx ota switch <app>             run the staged version on trial (health decides)\n"
	       "  nx ota rollback <app>           end a trial, or go back to the other slot\n"
	       "  help                            this text\n");
}

/* Split `line` in place at blanks; returns the word count (at most ARGS_MAX + 1 = too many). */
static int split(char *line, char **argv)
{
	int argc = 0;
	for (char *p = line; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (argc == ARGS_MAX)
			return ARGS_MAX + 1;
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

static void run(char *line)
{
	char *argv[ARGS_MAX];
	int argc = split(line, argv);
	if (argc == 0)
		return;
	if (argc > ARGS_MAX) {
		printf("error: more than %d words\n", ARGS_MAX);
	} else if (strcmp(argv[0], "help") == 0 && argc == 1) {
		cmd_help();
	} else if (strcmp(argv[0], "nx") != 0) {
		printf("unknown command '%s' (try help)\n", argv[0]);
	} else if (argc >= 2 && strcmp(argv[1], "ability") == 0) {
		cmd_ability(argc, argv);
	} else if (argc == 2 && strcmp(argv[1], "ps") == 0) {
		cmd_ps();
	} else if (argc == 2 && strcmp(argv[1], "metrics") == 0) {
		cmd_metrics();
	} else if (argc >= 2 && strcmp(argv[1], "state") == 0) {
		cmd_state(argc, argv);
	} else if (argc >= 2 && strcmp(argv[1], "key") == 0) {
		cmd_key(argc, argv);
	} else if (argc >= 2 && strcmp(argv[1], "ota") == 0) {
		cmd_ota(argc, argv);
	} else {
		printf("usage: nx ability ... | nx ps | nx metrics | nx state ... | nx key pubkey | nx ota ... (try help)\n");
	}
}

/* Line editor state. A line that cannot be run as typed is refused whole at its end, never
 * run cut short or with bytes left out: `over` counts printable bytes typed past LINE_MAX,
 * `bad` is the first byte that is not printable ASCII (0: none). Escape sequences (arrow
 * keys: ESC [ ... final byte, or ESC O x) are consumed, up to ESC_MAX bytes. */
#define ESC_MAX 8
enum esc_state { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

struct editor {
	char line[LINE_MAX + 1];
	size_t len;
	size_t over;
	uint8_t bad;
	enum esc_state esc;
	unsigned esc_len;
};

static void editor_clear(struct editor *ed)
{
	ed->len = 0;
	ed->over = 0;
	ed->bad = 0;
	ed->esc = ESC_NONE;
	ed->esc_len = 0;
}

/* One byte of an escape sequence: consumed; the sequence ends at its final byte. */
static void feed_escape(struct editor *ed, uint8_t c)
{
	ed->esc_len++;
	if (ed->esc == ESC_START)
		ed->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
	else if (ed->esc == ESC_SS3 || (c >= 0x40 && c <= 0x7e) || ed->esc_len >= ESC_MAX)
		ed->esc = ESC_NONE;
	if (ed->esc == ESC_NONE)
		ed->esc_len = 0;
}

static void erase_one(struct editor *ed)
{
	if (ed->over > 0) {
		ed->over--;
	} else if (ed->len > 0) {
		ed->len--;
		printf("\b \b");
	}
}

/* Feed one input byte.
 * @retval 0 the line goes on
 * @retval 1 a line is complete and may run (in ed->line)
 * @retval -1 a line is complete and was refused (the message is printed) */
static int feed(struct editor *ed, char ch)
{
	const uint8_t c = (uint8_t)ch;
	if (ed->esc != ESC_NONE) {
		feed_escape(ed, c);
		return 0;
	}
	switch (c) {
	case '\r':
	case '\n':
		printf("\n");
		ed->line[ed->len] = '\0';
		if (ed->over > 0)
			printf("error: line longer than %d bytes: not run\n", LINE_MAX);
		else if (ed->bad != 0)
			printf("error: byte 0x%02x is not printable ASCII: line not run\n", (unsigned)ed->bad);
		return ed->over == 0 && ed->bad == 0 ? 1 : -1;
	case 0x1b:
		ed->esc = ESC_START;
		ed->esc_len = 1;
		return 0;
	case '\b':
	case 0x7f:
		erase_one(ed);
		break;
	case 0x15: /* Ctrl-U */
		for (; ed->len > 0; ed->len--)
			printf("\b \b");
		editor_clear(ed);
		break;
	default:
		if (c == '\t' || (c >= ' ' && c < 0x7f)) {
			/* A tab separates words as a space does (split()). */
			const char shown = c == '\t' ? ' ' : (char)c;
			if (ed->len < LINE_MAX) {
				ed->line[ed->len++] = shown;
				putchar(shown);
			} else {
				ed->over++;
			}
		} else if (ed->bad == 0) {
			ed->bad = c;
		}
		break;
	}
	fflush(stdout);
	return 0;
}

/* profile=run and run-proof: the prompt comes once selftest has ended (strstr matches both). */
static void wait_for_selftest(void)
{
	char args[NX_BOOTARGS_MAX];
	if (nx_bootargs(args, sizeof args) < 0 || strstr(args, "profile=run") == NULL)
		return;
	for (unsigned i = 0; i < SELFTEST_WAIT_POLLS && nx_find(NX_SVC_SELFTEST_ID) >= 0; i++)
		(void)nx_sleep_until(nx_now_ms() + SELFTEST_POLL_MS);
	printf("nxos console: type help\n");
	prompt();
}

int main(void)
{
	nx_client_init(&client, NX_SVC_CONSOLE);
	wait_for_selftest();
	struct editor ed;
	editor_clear(&ed);
	for (;;) {
		char in[16];
		/* While a line is being typed, other output may not land inside its echo: the
		 * kernel puts that output on a fresh line and returns 0, and the line is redrawn. */
		const bool typing = ed.len > 0 || ed.over > 0 || ed.bad != 0;
		long n = nx_console_read(in, sizeof in, nx_now_ms() + INPUT_WAIT_MS, typing ? NX_CONSOLE_KEEP_LINE : 0);
		if (n == -NX_ETIMEDOUT)
			continue;
		if (n == 0) {
			printf(PROMPT "%.*s", (int)ed.len, ed.line);
			fflush(stdout);
			continue;
		}
		if (n < 0)
			return 1;
		for (long i = 0; i < n; i++) {
			const int done = feed(&ed, in[i]);
			if (done == 0)
				continue;
			if (done > 0)
				run(ed.line);
			editor_clear(&ed);
			prompt();
		}
	}
}
