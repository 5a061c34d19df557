/*
 * appmgrd: the ability manager. It runs the abilities of manifests/abilities.json (the
 * generated nx_abilities table) through the lifecycle core (include/lc/lifecycle.h) and makes
 * the OS do what the core decides. The protocol is in include/proto/appmgr.h.
 *
 * One event loop: serve one request or exit notice with a deadline (the core's next timer,
 * the next CPU-budget poll, or NX_SERVE_IDLE_MS), then let the core's time run to now. Every event
 * and every step of time goes through am_event()/am_advance(), which then reconcile the OS
 * with the core (docs/ability/appmgrd.md):
 *
 *   core state        the OS side
 *   starting          spawn the task through execd (BG class; moved to its class at ready),
 *                     once no killed process of the ability is still to report its end;
 *                     a refused spawn is an immediate `exit crash` (the normal throttle)
 *   stopping          reason request: one stop notification (NOTIFY NX_NOTIFY_STOP); any
 *                     other reason: execd kills the task with that reason. No process at
 *                     all: it has ended, `exit none`
 *   timeout out of    the core counts the process dead but it still runs: execd kills it,
 *   starting/stopping and its exit notice, when it comes, is swallowed and counted
 *
 * The core's callback (am_on_change) only records and prints: it cannot call the core
 * back, so the actions above run after the core call returns, in am_reconcile().
 *
 * Identity is the kernel-stamped sender: an ability's task is named after it, so only that
 * task can report it ready. appmgrd never kills an ability: it asks execd, which makes
 * appmgrd the supervisor of every task it spawns for it, so exit notices come here.
 *
 * Across reboots (persist.h): a change that alters what a reboot must know (into backoff or
 * blocked, out of blocked) marks the ability; after the core call, am_persist() writes one
 * record per marked ability and one sync, so a change costs a bounded number of writes and
 * nothing is written while time merely passes. At boot, appmgrd counts the boot and gives
 * each ability's crash count, delay and blocked flag back to the core (lc_restore()).
 *
 * appmgrd is also the service supervisor (svcsup.h): the boot services with a `restart`
 * policy are run by a second core instance, restarted by NX_SYS_SPAWN of their boot task;
 * the state and unblock ops take their names too, and kill_service (a fault injection)
 * kills one with NX_SYS_KILL. Abilities are still spawned and killed through execd.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/statefs.h"
#include "ipc/route.h"
#include "ipc/wire.h"
#include "lc/lifecycle.h"
#include "lc_wire.h"
#include "persist.h"
#include "proto/appmgr.h"
#include "subs.h"
#include "svcsup.h"
#include "proto/execd.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_manifest.h"

/* The window cpu_budget_ms_per_min applies to. */
#define AM_BUDGET_WINDOW_MS 60000
/* Reconcile rounds after one core call. Reconciling an ability applies at most one core event
 * (a refused spawn: exit crash; stopping with no process: exit none), after which it is in a
 * state that needs nothing until time passes; the second round finds nothing to do. */
#define AM_RECONCILE_ROUNDS 2
#define AM_NO_TASK (-1)
/* Deadline of one call to statefsd. */
#define AM_STATE_TIMEOUT_MS 1000
#define AM_KEY_BOOT "/appmgrd/boot"
/* A start is starved when its task waited for a hart at least this share (percent) of its
 * start timeout: the timeout then starts again instead of counting as a crash, at most
 * AM_STARVED_MAX times per start; starved once more, the start ends with reason policy. */
#define AM_STARVED_PCT 50
#define AM_STARVED_MAX 3

_Static_assert(NX_ABILITY_COUNT <= LC_MAX_ABILITIES, "the lifecycle core holds every ability");
_Static_assert(NX_SUPERVISED_COUNT <= AM_SVCS_MAX, "the service supervisor holds every restarted service");

/* What appmgrd keeps of an ability besides the core's record. */
struct am_ability {
	const struct nx_ability *def;
	uint64_t id;           /* its identity: FNV-1a-64 of its name */
	int32_t task;          /* its live process, or AM_NO_TASK */
	int32_t zombie;        /* a process the core counted dead that was killed: its exit notice is still to come */
	uint8_t zombie_reason; /* kill reason of `zombie`, while its kill is still to be asked */
	bool stop_acted;       /* in stopping: the notification or kill has been sent */
	bool timeout;          /* a start or stop timeout caused the latest change */
	uint64_t window_ms;    /* CPU-budget window start: the ready, then every AM_BUDGET_WINDOW_MS */
	uint64_t bg_used_us;   /* CPU used in the background in this window, up to bg_since_us */
	uint64_t bg_since_us;  /* in runningBg: the task's CPU time when this background run (or window) began */
	uint64_t check_at;     /* running with a budget or an FG limit: when its CPU use is looked at next
				* (the earliest it could pass the limit); 0: at the next turn */
	uint8_t starved;       /* start timeouts restarted for starvation in this start */
	uint64_t wait_mark_us; /* the task's wait for a hart when its start timeout last (re)started */
	uint64_t ended_cpu_us; /* CPU time of its last process that ended (the kernel's exit notice) */
	bool dirty;            /* its persistent record is out of date */
	uint32_t version;      /* the version its running process reported at ready; 0: none */
	struct appmgr_image img; /* what it starts from: built-in unless updated said otherwise */
	struct am_record earlier; /* deaths of earlier boots (count, deaths); the rest unused */
};

struct am {
	struct nx_server srv;
	struct ipc_client client;
	struct lc lc;
	uint64_t t;         /* latest time given to the core */
	uint32_t late_notices;
	uint32_t stops_dropped;
	uint32_t spawns_refused;
	uint32_t boot;          /* this boot's number; 0: no persistent state */
	struct am_subs subs;    /* subscribers to changes */
	uint32_t persist_failed;
	struct am_ability ab[NX_ABILITY_COUNT];
	struct am_svcs svcs;    /* the boot services appmgrd restarts */
};

static struct am am;

/* The time to give the core: now, never below a time it has seen. */
static uint64_t am_now(const struct am *m)
{
	uint64_t now = nx_now_ms();
	return now > m->t ? now : m->t;
}

static struct am_ability *by_sender(struct am *m, uint64_t sender, uint32_t *idx)
{
	for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++) {
		if (m->ab[i].id == sender) {
			*idx = i;
			return &m->ab[i];
		}
	}
	return NULL;
}

static int by_name(const char *name)
{
	for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(nx_abilities[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* Is `task` still the process with identity `id`? (A slot is reused only by a spawn, and
 * only appmgrd asks for spawns.) */
static bool task_is(int32_t task, uint64_t id, struct nx_task_info *info)
{
	return task >= 0 && nx_task_info((uint32_t)task, info) == 0 && info->service_id == id;
}

static uint64_t task_cpu_us(const struct am_ability *a)
{
	struct nx_task_info info;
	return task_is(a->task, a->id, &info) ? info.cpu_us : 0;
}

/* CPU time ability `a` used in the background since `bg_since_us` (its task's clock). */
static uint64_t bg_run_us(const struct am_ability *a)
{
	const uint64_t cpu = task_cpu_us(a);
	return cpu > a->bg_since_us ? cpu - a->bg_since_us : 0;
}

static enum lc_state state_of(const struct am *m, uint32_t i)
{
	struct lc_status st;
	return lc_status(&m->lc, i, &st) == 0 ? st.state : LC_STATE_COUNT;
}

/* Send change `c` of `name` to every subscriber, never waiting: a full queue drops it. */
static void notify_subscribers(struct am *m, const struct lc_change *c, const char *name)
{
	struct appmgr_change ch = {
		.t_ms = c->t_ms, .from = am_wire_state(c->from), .to = am_wire_state(c->to),
		.reason = am_wire_reason(c->reason), .timeout = c->timeout,
	};
	(void)snprintf(ch.name, sizeof ch.name, "%s", name);
	for (uint32_t i = 0; i < m->subs.n; i++) {
		struct am_sub *s = &m->subs.s[i];
		uint8_t data[IPC_DATA_MAX], frame[NX_FRAME_MAX];
		ch.seq = ++s->seq;
		const int len = appmgr_change_encode(&ch, data, sizeof data);
		const struct ipc_msg msg = {
			.src = m->srv.self_id, .dst = s->id, .type = IPC_TYPE_NOTIFY, .op = NX_NOTIFY_CHANGE,
			.data = data, .data_len = len > 0 ? (size_t)len : 0,
		};
		size_t flen = 0;
		if (len < 0 || ipc_msg_encode(&msg, frame, sizeof frame, &flen) != 0 || nx_send(s->id, frame, flen) != 0)
			nx_count32(&s->dropped);
	}
}

static void am_on_change(void *ctx, const struct lc_change *c)
{
	struct am *m = ctx;
	struct am_ability *a = &m->ab[c->id];
	const char *name = a->def->name;
	notify_subscribers(m, c, name);
	char extra[40] = "";
	if (c->to == LC_BACKOFF)
		(void)snprintf(extra, sizeof extra, " delay_ms=%u", (unsigned)c->delay_ms);
	printf("appmgrd: change t=%llu app=%s from=%s to=%s reason=%s%s%s\n", (unsigned long long)c->t_ms, name,
	       lc_state_name(c->from), lc_state_name(c->to), lc_reason_name(c->reason), extra,
	       c->timeout ? " timeout=1" : "");
	a->timeout = c->timeout;
	if (c->to == LC_BACKOFF || c->to == LC_BLOCKED || c->from == LC_BLOCKED)
		a->dirty = true;
	if (c->from == LC_BLOCKED)
		a->earlier.count = 0; /* an unblock clears the history, earlier boots' too */
	/* The budget window starts at the ready and survives fg/bg moves: only time in the
	 * background counts against it. */
	if (c->from == LC_STARTING && (c->to == LC_RUNNING_FG || c->to == LC_RUNNING_BG)) {
		a->window_ms = c->t_ms;
		a->bg_used_us = 0;
	}
	if (c->from == LC_RUNNING_BG)
		a->bg_used_us += bg_run_us(a);
	a->check_at = 0;
	if (c->to == LC_STARTING) {
		a->starved = 0;
		a->wait_mark_us = 0;
	}
	if (c->timeout && (c->from == LC_STARTING || c->from == LC_STOPPING) && a->task != AM_NO_TASK) {
		a->zombie = a->task;
		a->zombie_reason = (uint8_t)c->reason;
		a->task = AM_NO_TASK;
	}
	switch (c->to) {
	case LC_RUNNING_FG:
		printf("appmgrd: fg app=%s\n", name);
		break;
	case LC_RUNNING_BG:
		a->bg_since_us = task_cpu_us(a);
		printf("appmgrd: bg app=%s\n", name);
		break;
	case LC_STOPPING:
		a->stop_acted = false;
		break;
	case LC_CRASHED:
		printf("appmgrd: crash app=%s reason=%s\n", name, lc_reason_name(c->reason));
		break;
	case LC_BACKOFF:
		printf("appmgrd: backoff ms=%u\n", (unsigned)c->delay_ms);
		break;
	case LC_BLOCKED:
		printf("appmgrd: blocked crash-loop app=%s\n", name);
		break;
	case LC_STOPPED:
		printf("appmgrd: stopped app=%s reason=%s%s\n", name, lc_reason_name(c->reason), c->timeout ? " timeout=1" : "");
		break;
	case LC_STARTING:
	case LC_STATE_COUNT:
		break;
	}
}

/* An event the core must take in the ability's state: a refusal is a bug, and says so. */
static void expect_taken(const struct am *m, uint32_t i, const char *event, int rc)
{
	if (rc != 0)
		printf("appmgrd: core refused %s of %s: %s\n", event, m->ab[i].def->name, lc_strerror(rc));
}

/* Report the end of ability `i`'s process from within reconcile. */
static void core_exit(struct am *m, uint32_t i, enum lc_reason reason)
{
	expect_taken(m, i, "exit", lc_event(&m->lc, m->t, i, LC_EV_EXIT, reason));
}

/* Ask execd to end `task` (if it still is ability `a`'s process) with `reason`. */
static void execd_kill(struct am *m, const struct am_ability *a, int32_t task, uint8_t reason, const char *why)
{
	struct nx_task_info info;
	if (!task_is(task, a->id, &info)) {
		printf("appmgrd: %s app=%s task=%d already gone\n", why, a->def->name, (int)task);
		return;
	}
	uint8_t req[EXECD_KILL_LEN];
	if (ipc_put_u32(req, sizeof req, 0, (uint32_t)task) != 0 || ipc_put_u32(req, sizeof req, 4, reason) != 0)
		return;
	struct ipc_outcome o = ipc_route_with_nonce_budgeted(&m->client, NX_SVC_EXECD, strlen(NX_SVC_EXECD),
							     EXECD_OP_KILL, req, sizeof req, NULL, 0, NULL);
	printf("appmgrd: %s app=%s task=%d reason=%s outcome=%s status=%u\n", why, a->def->name, (int)task,
	       lc_reason_name((enum lc_reason)reason), ipc_outcome_name(o.kind), (unsigned)o.status);
}

/* One stop notification, sent once: a full queue is counted and the stop timeout then forces the kill. */
static void notify_stop(struct am *m, const struct am_ability *a)
{
	const struct ipc_msg n = { .src = m->srv.self_id, .dst = a->id, .type = IPC_TYPE_NOTIFY, .op = NX_NOTIFY_STOP };
	uint8_t frame[IPC_HEADER_SIZE + IPC_BODY_SIZE];
	size_t len = 0;
	long rc = -NX_EINVAL;
	if (ipc_msg_encode(&n, frame, sizeof frame, &len) == 0)
		rc = nx_send(a->id, frame, len);
	if (rc != 0) {
		nx_count32(&m->stops_dropped);
		printf("appmgrd: stop notification dropped app=%s err=%s dropped=%u\n", a->def->name, nx_strerror((int)rc),
		       (unsigned)m->stops_dropped);
		return;
	}
	printf("appmgrd: stop app=%s reason=request task=%d\n", a->def->name, (int)a->task);
}

/* Ask execd for ability `i`'s task: from its built-in image, or from the image updated
 * stored (spawn_image: execd reads and checks it, the kernel checks it again). */
static struct ipc_outcome ask_execd(struct am *m, const struct am_ability *a, uint8_t rep[4])
{
	const struct nx_ability *d = a->def;
	uint8_t req[EXECD_SPAWN_IMAGE_MAX];
	int len = -1;
	uint16_t op = EXECD_OP_SPAWN;
	if (a->img.stored) {
		struct execd_spawn_image s = {
			.qos = NX_QOS_BG, .slack_fg_ms = d->policy.slack_fg_ms, .slack_bg_ms = d->policy.slack_bg_ms,
			.image_len = a->img.image_len, .prefix_len = a->img.prefix_len,
		};
		(void)snprintf(s.name, sizeof s.name, "%s", d->name);
		memcpy(s.sha512, a->img.sha512, sizeof s.sha512);
		memcpy(s.prefix, a->img.prefix, sizeof s.prefix);
		len = execd_spawn_image_encode(&s, req, sizeof req);
		op = EXECD_OP_SPAWN_IMAGE;
	} else {
		struct execd_spawn s = {
			.qos = NX_QOS_BG, .slack_fg_ms = d->policy.slack_fg_ms, .slack_bg_ms = d->policy.slack_bg_ms,
		};
		(void)snprintf(s.image, sizeof s.image, "%s", d->image);
		(void)snprintf(s.name, sizeof s.name, "%s", d->name);
		len = execd_spawn_encode(&s, req, sizeof req);
	}
	if (len < 0)
		return (struct ipc_outcome){ .kind = IPC_OUTCOME_REJECTED, .status = IPC_STATUS_MALFORMED };
	return ipc_route_with_nonce_budgeted(&m->client, NX_SVC_EXECD, strlen(NX_SVC_EXECD), op, req, (size_t)len, rep,
					     4, NULL);
}

/* Spawn ability `i`'s task. @retval true refused: the core got `exit crash` */
static bool spawn(struct am *m, uint32_t i)
{
	struct am_ability *a = &m->ab[i];
	const struct nx_ability *d = a->def;
	uint8_t rep[4];
	const struct ipc_outcome o = ask_execd(m, a, rep);
	a->version = 0;
	uint32_t task;
	if (o.kind == IPC_OUTCOME_SUCCESS && o.reply_len == sizeof rep && ipc_get_u32(rep, sizeof rep, 0, &task) == 0) {
		a->task = (int32_t)task;
		printf("appmgrd: start app=%s\n", d->name);
		return false;
	}
	nx_count32(&m->spawns_refused);
	printf("appmgrd: spawn refused app=%s outcome=%s status=%u refused=%u\n", d->name, ipc_outcome_name(o.kind),
	       (unsigned)o.status, (unsigned)m->spawns_refused);
	core_exit(m, i, LC_REASON_CRASH);
	return true;
}

/* Make the OS match the core for ability `i`. @retval true a core event was applied */
static bool reconcile_one(struct am *m, uint32_t i)
{
	struct am_ability *a = &m->ab[i];
	if (a->zombie != AM_NO_TASK && a->zombie_reason != LC_REASON_NONE) {
		execd_kill(m, a, a->zombie, a->zombie_reason, "forced kill");
		a->zombie_reason = LC_REASON_NONE;
	}
	struct lc_status st;
	if (lc_status(&m->lc, i, &st) != 0)
		return false;
	if (st.state == LC_STARTING && a->task == AM_NO_TASK && a->zombie == AM_NO_TASK)
		return spawn(m, i);
	if (st.state != LC_STOPPING || a->stop_acted)
		return false;
	a->stop_acted = true;
	if (a->task == AM_NO_TASK) {
		core_exit(m, i, LC_REASON_NONE);
		return true;
	}
	if (st.reason == LC_REASON_REQUEST)
		notify_stop(m, a);
	else
		execd_kill(m, a, a->task, (uint8_t)st.reason, "kill");
	return false;
}

static void am_reconcile(struct am *m)
{
	for (unsigned round = 0; round < AM_RECONCILE_ROUNDS; round++) {
		bool again = false;
		for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++)
			again |= reconcile_one(m, i);
		if (!again)
			return;
	}
}

/* The record a reboot needs of ability `i`: earlier boots' deaths, then this boot's. */
static int build_record(const struct am *m, uint32_t i, struct am_record *r)
{
	const struct am_ability *a = &m->ab[i];
	struct lc_status st;
	if (lc_status(&m->lc, i, &st) != 0)
		return -1;
	*r = (struct am_record){ .blocked = st.state == LC_BLOCKED, .crash_count = st.crash_count, .delay_ms = st.delay_ms };
	for (uint32_t k = 0; k < a->earlier.count; k++)
		am_record_add_death(r, &a->earlier.deaths[k]);
	for (uint32_t k = 0; k < st.history_len; k++) {
		struct lc_death d;
		if (lc_history(&m->lc, i, k, &d) != 0)
			return -1;
		const struct appmgr_death death = { .boot = m->boot, .t_ms = d.t_ms, .reason = am_wire_reason(d.reason) };
		am_record_add_death(r, &death);
	}
	return 0;
}

static void record_key(const struct am_ability *a, char *key, size_t cap)
{
	(void)snprintf(key, cap, "/appmgrd/ab/%s", a->def->name);
}

static void persist_failed(struct am *m, const char *what, int rc)
{
	nx_count32(&m->persist_failed);
	printf("appmgrd: persist %s failed: %s\n", what, statefs_strerror(rc));
}

/* Write the record of every marked ability, then one sync. */
static void am_persist(struct am *m)
{
	uint8_t buf[AM_RECORD_LEN(AM_DEATHS_MAX)];
	char key[STATEFS_KEY_MAX + 1];
	bool wrote = false;
	for (uint32_t i = 0; i < NX_ABILITY_COUNT && m->boot != 0; i++) {
		struct am_ability *a = &m->ab[i];
		if (!a->dirty)
			continue;
		a->dirty = false;
		struct am_record r;
		int len = build_record(m, i, &r) == 0 ? am_record_encode(&r, buf, sizeof buf) : -1;
		if (len < 0)
			continue;
		record_key(a, key, sizeof key);
		const int rc = statefs_put(&m->client, key, buf, (size_t)len, AM_STATE_TIMEOUT_MS);
		if (rc != 0)
			persist_failed(m, a->def->name, rc);
		wrote |= rc == 0;
	}
	if (wrote) {
		const int rc = statefs_sync(&m->client, AM_STATE_TIMEOUT_MS);
		if (rc != 0)
			persist_failed(m, "sync", rc);
	}
}

/*
 * Before the core's time passes `now`: a start whose timeout is due by then, and whose task
 * waited for a hart (a higher class had the CPU) at least AM_STARVED_PCT of that timeout, did
 * not fail: it was not let run. Just before the deadline its timeout starts again
 * (LC_EV_STARVED), at most AM_STARVED_MAX times per start; starved once more, the start ends
 * with reason policy (stopped, no restart, no crash). Either way the ability is not blamed.
 */
static void spare_starved(struct am *m, uint64_t now)
{
	for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++) {
		struct am_ability *a = &m->ab[i];
		struct lc_status st;
		struct nx_task_info info;
		if (lc_status(&m->lc, i, &st) != 0 || st.state != LC_STARTING || !st.has_deadline ||
		    st.deadline_ms > now || st.deadline_ms <= m->t || !task_is(a->task, a->id, &info))
			continue;
		const uint64_t waited = info.wait_us - a->wait_mark_us;
		if (waited * 100 < (uint64_t)a->def->policy.start_timeout_ms * 1000 * AM_STARVED_PCT)
			continue;
		m->t = st.deadline_ms - 1;
		a->wait_mark_us = info.wait_us;
		const bool again = a->starved < AM_STARVED_MAX;
		printf("appmgrd: start starved app=%s wait_us=%llu cpu_us=%llu timeout_ms=%u: not a crash, %s %u/%u\n",
		       a->def->name, (unsigned long long)waited, (unsigned long long)info.cpu_us,
		       (unsigned)a->def->policy.start_timeout_ms, again ? "timeout restarted" : "stopped by policy",
		       (unsigned)(a->starved + (again ? 1U : 0U)), (unsigned)AM_STARVED_MAX);
		if (again) {
			a->starved++;
			expect_taken(m, i, "starved", lc_event(&m->lc, m->t, i, LC_EV_STARVED, LC_REASON_NONE));
		} else {
			expect_taken(m, i, "kill", lc_event(&m->lc, m->t, i, LC_EV_KILL, LC_REASON_POLICY));
		}
	}
}

/* Report an event to the core at `now` (raised to the core's time) and act on what it decided. */
__attribute__((warn_unused_result)) static int am_event(struct am *m, uint64_t now, uint32_t i,
							enum lc_event_kind kind, enum lc_reason reason)
{
	spare_starved(m, now);
	m->t = now > m->t ? now : m->t;
	int rc = lc_event(&m->lc, m->t, i, kind, reason);
	am_reconcile(m);
	am_persist(m);
	return rc;
}

static void am_advance(struct am *m, uint64_t now)
{
	spare_starved(m, now);
	m->t = now > m->t ? now : m->t;
	const int rc = lc_advance(&m->lc, m->t);
	if (rc != 0)
		printf("appmgrd: core refused time %llu: %s\n", (unsigned long long)m->t, lc_strerror(rc));
	am_reconcile(m);
	am_persist(m);
}

/* A refusal by the core is INVALID_TRANSITION (appmgrd's own arguments are always valid). */
static uint16_t am_code(int rc)
{
	return rc == 0 ? IPC_STATUS_OK : IPC_STATUS_INVALID_TRANSITION;
}

/*
 * Move ability `i` from `need` into `mode`: the task's QoS class first, then the core's
 * event. A class the kernel finds full answers FULL and changes nothing.
 */
static uint16_t move(struct am *m, uint32_t i, enum lc_state need, enum appmgr_mode mode, enum lc_event_kind kind)
{
	struct am_ability *a = &m->ab[i];
	if (state_of(m, i) != need || a->task == AM_NO_TASK)
		return IPC_STATUS_INVALID_TRANSITION;
	const unsigned qos = mode == APPMGR_MODE_FG ? NX_QOS_FG : NX_QOS_BG;
	long rc = nx_set_qos((uint32_t)a->task, qos);
	if (rc == -NX_EFULL) {
		printf("appmgrd: qos class full app=%s mode=%s\n", a->def->name, mode == APPMGR_MODE_FG ? "fg" : "bg");
		return IPC_STATUS_FULL;
	}
	if (rc != 0)
		return IPC_STATUS_INVALID_TRANSITION;
	return am_code(am_event(m, m->t, i, kind, LC_REASON_NONE));
}

/* The reply to a query whose data an encoder wrote (`len` bytes, or a negative error). */
static uint16_t encoded(int len, size_t *out_len)
{
	if (len < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)len;
	return IPC_STATUS_OK;
}

static uint16_t do_ready(struct am *m, const struct nx_request *r)
{
	enum appmgr_mode mode;
	uint32_t version;
	if (appmgr_ready_decode(r->data, r->len, &mode, &version) != 0)
		return IPC_STATUS_MALFORMED;
	uint32_t i;
	struct am_ability *a = by_sender(m, r->sender, &i);
	if (a == NULL)
		return IPC_STATUS_DENIED;
	const uint16_t status = move(m, i, LC_STARTING, mode, mode == APPMGR_MODE_FG ? LC_EV_READY_FG : LC_EV_READY_BG);
	if (status == IPC_STATUS_OK)
		a->version = version;
	return status;
}

/* The image ability `name` starts from next time (updated's op). */
static uint16_t do_image(struct am *m, const struct nx_request *r)
{
	struct appmgr_image im;
	if (appmgr_image_decode(r->data, r->len, &im) != 0)
		return IPC_STATUS_MALFORMED;
	const int i = by_name(im.name);
	if (i < 0)
		return IPC_STATUS_UNKNOWN;
	m->ab[i].img = im;
	printf("appmgrd: image app=%s %s version=%u\n", im.name, im.stored ? "stored" : "built-in",
	       (unsigned)(im.stored ? im.version : 1));
	return IPC_STATUS_OK;
}

static uint16_t do_list(const struct am *m, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	if (r->len != 1 || r->data[0] > NX_ABILITY_COUNT)
		return IPC_STATUS_MALFORMED;
	struct appmgr_list_entry e[NX_ABILITY_COUNT];
	memset(e, 0, sizeof e);
	const size_t first = r->data[0];
	for (size_t i = first; i < NX_ABILITY_COUNT; i++) {
		(void)snprintf(e[i - first].name, sizeof e[i - first].name, "%s", nx_abilities[i].name);
		e[i - first].state = am_wire_state(state_of(m, (uint32_t)i));
	}
	size_t taken;
	const int len = appmgr_list_encode(NX_ABILITY_COUNT, e, NX_ABILITY_COUNT - first, out, IPC_DATA_MAX, &taken);
	return encoded(len, out_len);
}

static uint16_t do_state(const struct am *m, uint32_t i, uint8_t *out, size_t *out_len)
{
	const struct am_ability *a = &m->ab[i];
	struct lc_status st;
	if (lc_status(&m->lc, i, &st) != 0)
		return IPC_STATUS_UNKNOWN;
	const struct appmgr_state s = {
		.state = am_wire_state(st.state),
		.reason = am_wire_reason(st.reason),
		.timeout = a->timeout,
		.start_mode = a->def->start_mode,
		.crash_count = st.crash_count,
		.delay_ms = st.delay_ms,
		.next_restart_ms = st.state == LC_BACKOFF ? st.deadline_ms : 0,
		.task = a->task,
		.cpu_us = a->task != AM_NO_TASK ? task_cpu_us(a) : a->ended_cpu_us,
		.version = a->task != AM_NO_TASK ? a->version : 0,
	};
	return encoded(appmgr_state_encode(&s, out, IPC_DATA_MAX), out_len);
}

static uint16_t do_history(const struct am *m, uint32_t i, uint8_t *out, size_t *out_len)
{
	struct am_record r;
	if (build_record(m, i, &r) != 0)
		return IPC_STATUS_UNKNOWN;
	struct appmgr_history h = { .count = r.count };
	memcpy(h.e, r.deaths, sizeof r.deaths[0] * r.count);
	return encoded(appmgr_history_encode(&h, out, IPC_DATA_MAX), out_len);
}

static uint16_t do_policy(uint32_t i, uint8_t *out, size_t *out_len)
{
	return encoded(appmgr_policy_encode(&nx_abilities[i].policy, out, IPC_DATA_MAX), out_len);
}

/* The state and unblock ops on a supervised service's name; other ops are for abilities. */
static uint16_t do_service(struct am *m, uint16_t op, const char *name, uint8_t *out, size_t *out_len)
{
	const int i = am_svcs_find(&m->svcs, name);
	if (i < 0)
		return IPC_STATUS_UNKNOWN;
	if (op == APPMGRD_OP_UNBLOCK)
		return am_code(am_svcs_unblock(&m->svcs, (uint32_t)i, am_now(m)));
	if (op == APPMGRD_OP_KILL_SERVICE)
		return am_svcs_kill(&m->svcs, (uint32_t)i) == 0 ? IPC_STATUS_OK : IPC_STATUS_INVALID_TRANSITION;
	if (op != APPMGRD_OP_STATE)
		return IPC_STATUS_UNKNOWN;
	struct lc_status st;
	int32_t task;
	if (am_svcs_status(&m->svcs, (uint32_t)i, &st, &task) != 0)
		return IPC_STATUS_UNKNOWN;
	const struct appmgr_state s = {
		.state = am_wire_state(st.state),
		.reason = am_wire_reason(st.reason),
		.start_mode = APPMGR_MODE_BG,
		.crash_count = st.crash_count,
		.delay_ms = st.delay_ms,
		.next_restart_ms = st.state == LC_BACKOFF ? st.deadline_ms : 0,
		.task = task,
	};
	return encoded(appmgr_state_encode(&s, out, IPC_DATA_MAX), out_len);
}

/* An op on a named ability. */
static uint16_t do_named(struct am *m, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	char name[APPMGR_NAME_MAX + 1];
	if (appmgr_name_decode(r->data, r->len, name) != 0)
		return IPC_STATUS_MALFORMED;
	const int found = by_name(name);
	if (found < 0)
		return do_service(m, r->op, name, out, out_len);
	const uint32_t i = (uint32_t)found;
	switch (r->op) {
	case APPMGRD_OP_START:
		return am_code(am_event(m, m->t, i, LC_EV_START, LC_REASON_NONE));
	case APPMGRD_OP_STOP:
		return am_code(am_event(m, m->t, i, LC_EV_STOP, LC_REASON_NONE));
	case APPMGRD_OP_FG:
		return move(m, i, LC_RUNNING_BG, APPMGR_MODE_FG, LC_EV_FG);
	case APPMGRD_OP_BG:
		return move(m, i, LC_RUNNING_FG, APPMGR_MODE_BG, LC_EV_BG);
	case APPMGRD_OP_UNBLOCK:
		return am_code(am_event(m, m->t, i, LC_EV_UNBLOCK, LC_REASON_NONE));
	case APPMGRD_OP_STATE:
		return do_state(m, i, out, out_len);
	case APPMGRD_OP_POLICY:
		return do_policy(i, out, out_len);
	case APPMGRD_OP_HISTORY:
		return do_history(m, i, out, out_len);
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

static uint16_t am_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct am *m = ctx;
	/* Every answer reflects the timers due by now. */
	am_advance(m, am_now(m));
	switch (r->op) {
	case APPMGRD_OP_LIST:
		return do_list(m, r, out, out_len);
	case APPMGRD_OP_READY:
		return do_ready(m, r);
	case APPMGRD_OP_IMAGE:
		return do_image(m, r);
	case APPMGRD_OP_SUBSCRIBE:
		if (r->len != 0)
			return IPC_STATUS_MALFORMED;
		return am_subs_add(&m->subs, r->sender) == 0 ? IPC_STATUS_OK : IPC_STATUS_FULL;
	case APPMGRD_OP_UNSUBSCRIBE:
		if (r->len != 0)
			return IPC_STATUS_MALFORMED;
		return am_subs_remove(&m->subs, r->sender) == 0 ? IPC_STATUS_OK : IPC_STATUS_UNKNOWN;
	default:
		return do_named(m, r, out, out_len);
	}
}

static void am_exit_notice(void *ctx, const struct nx_exit_notice *n)
{
	struct am *m = ctx;
	if (am_svcs_exit(&m->svcs, n))
		return;
	uint32_t i;
	struct am_ability *a = by_sender(m, n->service_id, &i);
	if (a != NULL)
		a->ended_cpu_us = n->cpu_us;
	if (a != NULL && a->task != AM_NO_TASK && n->task == (uint32_t)a->task) {
		a->task = AM_NO_TASK;
		/* The kernel's time of death, unless the core has seen a later time already. */
		const int rc = am_event(m, n->time_ms, i, LC_EV_EXIT, am_lc_reason(n->reason));
		if (rc != 0)
			printf("appmgrd: exit of %s after its timeout: %s\n", a->def->name, lc_strerror(rc));
		return;
	}
	nx_count32(&m->late_notices);
	printf("appmgrd: late exit notice app=%s task=%u reason=%s swallowed=%u\n", a != NULL ? a->def->name : "?",
	       (unsigned)n->task, lc_reason_name(am_lc_reason(n->reason)), (unsigned)m->late_notices);
	if (a != NULL && a->zombie != AM_NO_TASK && n->task == (uint32_t)a->zombie) {
		a->zombie = AM_NO_TASK;
		a->zombie_reason = LC_REASON_NONE;
		/* A restart may have waited for it. */
		am_advance(m, am_now(m));
	}
}

/* Is a background ability with a CPU budget, or a foreground one with an FG limit, running? */
static bool budget_watched(const struct am *m, uint32_t i)
{
	const struct am_ability *a = &m->ab[i];
	if (a->task == AM_NO_TASK)
		return false;
	const enum lc_state s = state_of(m, i);
	return (s == LC_RUNNING_BG && a->def->policy.cpu_budget_ms_per_min != 0) ||
	       (s == LC_RUNNING_FG && a->def->fg_cpu_limit_ms != 0);
}

/* Stop ability `i` with reason policy (its CPU use broke its document's limits). */
static void policy_kill(struct am *m, uint32_t i, uint64_t now)
{
	expect_taken(m, i, "kill", am_event(m, now, i, LC_EV_KILL, LC_REASON_POLICY));
}

/* When CPU time that stands `used_us` below `limit_us` can first pass it: a task's CPU time
 * grows no faster than the clock. One millisecond past the moment it could reach it, so
 * that the next look sees it past, and never sooner than the next millisecond. */
static uint64_t first_past(uint64_t now, uint64_t used_us, uint64_t limit_us)
{
	return now + (limit_us - used_us) / 1000 + 1;
}

/* A background ability that used more CPU in the background in its current window than its
 * budget is stopped with reason policy. Returns when to look again. */
static uint64_t bg_budget_check(struct am *m, uint32_t i, uint64_t now)
{
	struct am_ability *a = &m->ab[i];
	const uint64_t budget_us = (uint64_t)a->def->policy.cpu_budget_ms_per_min * 1000;
	if (now - a->window_ms >= AM_BUDGET_WINDOW_MS) {
		a->window_ms = now;
		a->bg_used_us = 0;
		a->bg_since_us = task_cpu_us(a);
		return first_past(now, 0, budget_us);
	}
	const uint64_t used = a->bg_used_us + bg_run_us(a);
	if (used <= budget_us) {
		const uint64_t at = first_past(now, used, budget_us), window_end = a->window_ms + AM_BUDGET_WINDOW_MS;
		return at < window_end ? at : window_end;
	}
	printf("appmgrd: cpu app=%s used_us=%llu budget_ms=%u\n", a->def->name, (unsigned long long)used,
	       (unsigned)a->def->policy.cpu_budget_ms_per_min);
	printf("appmgrd: bg budget exceeded app=%s\n", a->def->name);
	policy_kill(m, i, now);
	return UINT64_MAX;
}

/* A foreground ability whose task has used more CPU without blocking than its FG limit (a
 * hog) is stopped with reason policy. Returns when to look again (its task gone: at its
 * next change). */
static uint64_t fg_limit_check(struct am *m, uint32_t i, uint64_t now)
{
	const struct am_ability *a = &m->ab[i];
	const uint64_t limit_us = (uint64_t)a->def->fg_cpu_limit_ms * 1000;
	struct nx_task_info info;
	if (!task_is(a->task, a->id, &info))
		return UINT64_MAX;
	if (info.burst_us <= limit_us)
		return first_past(now, info.burst_us, limit_us);
	printf("appmgrd: fg cpu limit exceeded app=%s burst_us=%llu limit_ms=%u\n", a->def->name,
	       (unsigned long long)info.burst_us, (unsigned)a->def->fg_cpu_limit_ms);
	policy_kill(m, i, now);
	return UINT64_MAX;
}

/* Look at the CPU use of each watched ability whose time has come (not a fixed poll: each
 * is looked at when it could first have passed its limit). */
static void budget_look(struct am *m, uint64_t now)
{
	for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++) {
		if (!budget_watched(m, i) || m->ab[i].check_at > now)
			continue;
		/* After a kill the ability is not watched; its next change asks for a look. */
		m->ab[i].check_at = state_of(m, i) == LC_RUNNING_BG ? bg_budget_check(m, i, now) : fg_limit_check(m, i, now);
	}
}

/* When the loop must look again: the core's next timer, the next budget poll, or idle. */
static uint64_t am_deadline(const struct am *m, uint64_t now)
{
	uint64_t deadline = now + NX_SERVE_IDLE_MS, t;
	if (lc_next_deadline(&m->lc, &t) == 0 && t < deadline)
		deadline = t;
	if (am_svcs_deadline(&m->svcs, &t) == 0 && t < deadline)
		deadline = t;
	for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++) {
		if (budget_watched(m, i) && m->ab[i].check_at < deadline)
			deadline = m->ab[i].check_at;
	}
	return deadline;
}

/* This boot's number: one more than the last one statefsd has (1 on a blank disk), synced. */
static uint32_t count_boot(struct am *m)
{
	uint8_t b[4];
	size_t len = 0;
	uint32_t last = 0;
	int rc = statefs_get(&m->client, AM_KEY_BOOT, b, sizeof b, &len, AM_STATE_TIMEOUT_MS);
	if (rc == 0 && (len != 4 || ipc_get_u32(b, len, 0, &last) != 0 || last == UINT32_MAX))
		rc = -STATEFS_EMALFORMED;
	if (rc != 0 && rc != -STATEFS_ENOENT) {
		persist_failed(m, "boot count", rc);
		return 0;
	}
	if (ipc_put_u32(b, sizeof b, 0, last + 1) != 0)
		return 0;
	rc = statefs_put(&m->client, AM_KEY_BOOT, b, sizeof b, AM_STATE_TIMEOUT_MS);
	if (rc == 0)
		rc = statefs_sync(&m->client, AM_STATE_TIMEOUT_MS);
	if (rc != 0) {
		persist_failed(m, "boot count", rc);
		return 0;
	}
	return last + 1;
}

/* Count the boot, then give every ability what earlier boots left of it. */
static void am_restore(struct am *m)
{
	m->boot = count_boot(m);
	printf("appmgrd: boot %u\n", (unsigned)m->boot);
	uint8_t buf[AM_RECORD_LEN(AM_DEATHS_MAX)];
	char key[STATEFS_KEY_MAX + 1];
	for (uint32_t i = 0; i < NX_ABILITY_COUNT && m->boot != 0; i++) {
		struct am_ability *a = &m->ab[i];
		struct am_record r;
		size_t len = 0;
		record_key(a, key, sizeof key);
		const int rc = statefs_get(&m->client, key, buf, sizeof buf, &len, AM_STATE_TIMEOUT_MS);
		if (rc == -STATEFS_ENOENT)
			continue;
		if (rc != 0 || am_record_decode(buf, len, &r) != 0) {
			persist_failed(m, a->def->name, rc != 0 ? rc : -STATEFS_EMALFORMED);
			continue;
		}
		const int lrc = lc_restore(&m->lc, am_now(m), i, r.crash_count, r.delay_ms, r.blocked != 0);
		printf("appmgrd: restored app=%s blocked=%u crashes=%u delay_ms=%u deaths=%u%s%s\n", a->def->name,
		       (unsigned)r.blocked, (unsigned)r.crash_count, (unsigned)r.delay_ms, (unsigned)r.count,
		       lrc != 0 ? " refused: " : "", lrc != 0 ? lc_strerror(lrc) : "");
		a->earlier = r;
		a->dirty = false;
	}
}

/* Recreate boot service `s` as its boot table says (nx/abi.h, "Spawning"), supervised by appmgrd. */
static long svc_spawn(void *ctx, const struct nx_supervised *s)
{
	const struct am *m = ctx;
	struct nx_spawn_args args = { .supervisor_id = m->srv.self_id, .qos = NX_QOS_SYS };
	(void)snprintf(args.image, sizeof args.image, "%s", s->image);
	(void)snprintf(args.name, sizeof args.name, "%s", s->name);
	return nx_spawn(&args);
}

static long svc_kill(void *ctx, uint32_t task)
{
	(void)ctx;
	return nx_kill(task, NX_REASON_CRASH);
}

static long svc_task(void *ctx, uint32_t i)
{
	(void)ctx;
	return nx_find(nx_service_id(nx_supervised[i].name, strlen(nx_supervised[i].name)));
}

static int am_init(struct am *m)
{
	nx_server_init(&m->srv, NX_SVC_APPMGRD);
	nx_client_init(&m->client, NX_SVC_APPMGRD);
	const struct lc_ops ops = { .on_change = am_on_change, .ctx = m };
	if (lc_init(&m->lc, &ops) != 0)
		return -1;
	/* Supervise the services first: one that dies while appmgrd waits for statefsd below is
	 * then restarted as soon as appmgrd serves. */
	const struct am_svc_ops svc_ops = { .spawn = svc_spawn, .kill = svc_kill, .ctx = m };
	const int src = am_svcs_init(&m->svcs, nx_supervised, NX_SUPERVISED_COUNT, &svc_ops, am_now(m), svc_task);
	if (src != 0) {
		printf("appmgrd: service supervisor: %s\n", lc_strerror(src));
		return -1;
	}
	for (uint32_t i = 0; i < NX_ABILITY_COUNT; i++) {
		struct am_ability *a = &m->ab[i];
		a->def = &nx_abilities[i];
		a->id = ipc_service_id(a->def->name, strlen(a->def->name));
		a->task = AM_NO_TASK;
		a->zombie = AM_NO_TASK;
		const struct lc_policy policy = am_lc_policy(&a->def->policy);
		if (lc_register(&m->lc, &policy) != (int)i) {
			printf("appmgrd: ability %s has an invalid policy\n", a->def->name);
			return -1;
		}
	}
	am_restore(m);
	/* Abilities are of no use without the spawner: wait until execd answers. */
	uint8_t stats[20];
	struct ipc_outcome o = ipc_route_with_nonce_budgeted(&m->client, NX_SVC_EXECD, strlen(NX_SVC_EXECD),
							     NX_OP_SERVER_STATS, NULL, 0, stats, sizeof stats, NULL);
	if (o.kind != IPC_OUTCOME_SUCCESS) {
		printf("appmgrd: execd does not answer: %s\n", ipc_outcome_name(o.kind));
		return -1;
	}
	return 0;
}

int main(void)
{
	if (am_init(&am) != 0)
		return 1;
	const struct nx_server_ops ops = { .request = am_request, .exit_notice = am_exit_notice };
	printf("appmgrd: ready\n");
	for (;;) {
		uint64_t now = am_now(&am);
		if (nx_serve_one(&am.srv, &ops, &am, am_deadline(&am, now)) < 0)
			return 1;
		now = am_now(&am);
		am_advance(&am, now);
		am_svcs_advance(&am.svcs, now);
		budget_look(&am, now);
	}
}
