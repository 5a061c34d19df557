/*
 * Ability proofs: appmgrd runs the demo abilities of manifests/abilities.json through every
 * lifecycle path. Each step is driven by appmgrd requests and checked through appmgrd's own
 * state, history and policy replies (states, reasons, delays, restart times) and through the
 * kernel's view of the task; waits poll with short sleeps under an overall deadline, and
 * never assume how long anything takes.
 */
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "proto/appmgr.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_manifest.h"
#include "st.h"

#define POLL_MS 10
/* Overall deadline of one wait: longer than any delay or timeout of the demo policies. */
#define WAIT_MS 10000
#define CRASH_LOOP 5

/* appmgrd's answer to `op` on ability `name`: OK or the refusal's status. */
uint16_t st_am_call(struct st *st, uint16_t op, const char *name, void *reply, size_t cap, size_t *len)
{
	struct ipc_outcome o = st_call(st, NX_SVC_APPMGRD, op, name, strlen(name), reply, cap, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "appmgrd op %u on %s: %s",
		 (unsigned)op, name, ipc_outcome_name(o.kind));
	if (len != NULL)
		*len = o.reply_len;
	return o.kind == IPC_OUTCOME_SUCCESS ? IPC_STATUS_OK : o.status;
}

static void am_expect(struct st *st, uint16_t op, const char *name, uint16_t want, const char *what)
{
	const uint16_t got = st_am_call(st, op, name, NULL, 0, NULL);
	ST_CHECK(got == want, "%s: appmgrd answered %s, want %s", what, ipc_status_name(got), ipc_status_name(want));
}

/* The reply data of a query (`op`) that must succeed; returns its length. */
static size_t am_query(struct st *st, uint16_t op, const char *name, uint8_t r[IPC_DATA_MAX])
{
	size_t len;
	const uint16_t status = st_am_call(st, op, name, r, IPC_DATA_MAX, &len);
	ST_CHECK(status == IPC_STATUS_OK, "appmgrd op %u on %s: %s", (unsigned)op, name, ipc_status_name(status));
	return len;
}

void st_am_state(struct st *st, const char *name, struct appmgr_state *s)
{
	uint8_t r[IPC_DATA_MAX];
	ST_CHECK(appmgr_state_decode(r, am_query(st, APPMGRD_OP_STATE, name, r), s) == 0, "appmgrd state of %s", name);
}

void st_am_history(struct st *st, const char *name, struct appmgr_history *h)
{
	uint8_t r[IPC_DATA_MAX];
	ST_CHECK(appmgr_history_decode(r, am_query(st, APPMGRD_OP_HISTORY, name, r), h) == 0, "appmgrd history of %s",
		 name);
}

static const struct nx_ability *ability(const char *name)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(nx_abilities[i].name, name) == 0)
			return &nx_abilities[i];
	}
	st_fail("no ability %s in the table", name);
}

static void fail_state(const char *what, const char *name, const struct appmgr_state *s)
{
	st_fail("%s: %s is %s (reason %s, crashes %u, delay %u)", what, name, appmgr_state_name(s->state),
		appmgr_reason_name(s->reason), (unsigned)s->crash_count, (unsigned)s->delay_ms);
}

/*
 * Poll until `name` is in `want` with `crashes` consecutive crashes; a higher crash count
 * means a step was missed. In backoff the poll sleeps until appmgrd's restart time.
 */
void st_wait_state(struct st *st, const char *name, enum appmgr_app_state want, uint32_t crashes, const char *what,
		       struct appmgr_state *s)
{
	const uint64_t deadline = nx_now_ms() + WAIT_MS;
	for (unsigned poll = 0; poll <= WAIT_MS / POLL_MS; poll++) {
		st_am_state(st, name, s);
		if (s->state == want && s->crash_count == crashes)
			return;
		if (s->crash_count > crashes)
			fail_state(what, name, s);
		const uint64_t now = nx_now_ms();
		if (now >= deadline)
			break;
		uint64_t wake = now + POLL_MS;
		if (s->state == APPMGR_BACKOFF && s->next_restart_ms > wake)
			wake = s->next_restart_ms;
		(void)nx_sleep_until(wake < deadline ? wake : deadline);
	}
	fail_state(what, name, s);
}

/* The task `name` has gone (a kill of a task running on another hart completes a little later). */
void st_wait_gone(const char *name, const char *what)
{
	const uint64_t id = ipc_service_id(name, strlen(name));
	const uint64_t deadline = nx_now_ms() + WAIT_MS;
	for (unsigned poll = 0; nx_find(id) >= 0; poll++) {
		ST_CHECK(poll <= WAIT_MS / POLL_MS && nx_now_ms() < deadline, "%s: task %s still runs", what, name);
		(void)nx_sleep_until(nx_now_ms() + POLL_MS);
	}
}

/* The ability's task runs in `qos` with that class's timer slack. */
static void expect_class(const char *name, const struct appmgr_state *s, unsigned qos, uint32_t slack, const char *what)
{
	struct nx_task_info info;
	ST_CHECK(s->task >= 0 && nx_task_info((uint32_t)s->task, &info) == 0 && strcmp(info.name, name) == 0,
		 "%s: no task for %s", what, name);
	ST_CHECK(info.qos == qos && info.slack_ms == slack, "%s: %s runs in class %u with slack %u, want %u and %u", what,
		 name, (unsigned)info.qos, (unsigned)info.slack_ms, qos, (unsigned)slack);
}

/* list, policy and the refusals of bad requests, which change nothing. */
static void protocol(struct st *st)
{
	uint8_t r[IPC_DATA_MAX];
	const uint8_t start = 0;
	struct ipc_outcome o = st_call(st, NX_SVC_APPMGRD, APPMGRD_OP_LIST, &start, 1, r, sizeof r, NULL);
	struct appmgr_list l;
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS && appmgr_list_decode(r, o.reply_len, &l) == 0 &&
			 l.total == NX_ABILITY_COUNT && l.count == NX_ABILITY_COUNT,
		 "appmgrd list: %s", ipc_outcome_name(o.kind));
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		ST_CHECK(strcmp(l.e[i].name, nx_abilities[i].name) == 0 && l.e[i].state == APPMGR_STOPPED,
			 "appmgrd list: entry %u is %s", i, l.e[i].name);
		struct appmgr_policy p;
		ST_CHECK(appmgr_policy_decode(r, am_query(st, APPMGRD_OP_POLICY, nx_abilities[i].name, r), &p) == 0 &&
				 memcmp(&p, &nx_abilities[i].policy, sizeof p) == 0,
			 "appmgrd policy of %s differs from the manifest", nx_abilities[i].name);
	}
	const uint8_t last = NX_ABILITY_COUNT - 1, end = NX_ABILITY_COUNT, beyond = NX_ABILITY_COUNT + 1;
	o = st_call(st, NX_SVC_APPMGRD, APPMGRD_OP_LIST, &last, 1, r, sizeof r, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS && appmgr_list_decode(r, o.reply_len, &l) == 0 && l.count == 1 &&
			 strcmp(l.e[0].name, nx_abilities[last].name) == 0,
		 "appmgrd list from %u: %s", (unsigned)last, ipc_outcome_name(o.kind));
	o = st_call(st, NX_SVC_APPMGRD, APPMGRD_OP_LIST, &end, 1, r, sizeof r, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS && appmgr_list_decode(r, o.reply_len, &l) == 0 && l.count == 0 &&
			 l.total == NX_ABILITY_COUNT,
		 "appmgrd list from the end: %s", ipc_outcome_name(o.kind));
	o = st_call(st, NX_SVC_APPMGRD, APPMGRD_OP_LIST, &beyond, 1, r, sizeof r, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_REJECTED && o.status == IPC_STATUS_MALFORMED, "appmgrd list beyond the end: %s",
		 ipc_outcome_name(o.kind));
	static const char too_long[] = "abcdefghijklmnopqrstuvwxyz012345";
	am_expect(st, APPMGRD_OP_START, "nosuch", IPC_STATUS_UNKNOWN, "start of an unknown ability");
	am_expect(st, APPMGRD_OP_START, "", IPC_STATUS_MALFORMED, "start with an empty name");
	am_expect(st, APPMGRD_OP_STATE, too_long, IPC_STATUS_MALFORMED, "state of a 32-byte name");
	am_expect(st, APPMGRD_OP_STOP, "hello", IPC_STATUS_INVALID_TRANSITION, "stop of a stopped ability");
	const uint8_t fg = APPMGR_MODE_FG;
	o = st_call(st, NX_SVC_APPMGRD, APPMGRD_OP_READY, &fg, 1, NULL, 0, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_REJECTED && o.status == IPC_STATUS_DENIED, "appmgrd took ready from selftest: %s",
		 ipc_outcome_name(o.kind));
	struct appmgr_state s;
	st_am_state(st, "hello", &s);
	ST_CHECK(s.state == APPMGR_STOPPED && s.task == -1 && s.crash_count == 0, "refused requests changed hello");
}

/* hello starts, reports ready in the foreground: FG class, FG slack. */
static void start_fg(struct st *st)
{
	const struct nx_ability *hello = ability("hello");
	struct appmgr_state s;
	am_expect(st, APPMGRD_OP_START, "hello", IPC_STATUS_OK, "start hello");
	st_wait_state(st, "hello", APPMGR_RUNNING_FG, 0, "ability start fg", &s);
	ST_CHECK(s.reason == APPMGR_REASON_NONE && s.timeout == 0 && s.start_mode == APPMGR_MODE_FG,
		 "ability start fg: hello reason %u timeout %u", (unsigned)s.reason, (unsigned)s.timeout);
	expect_class("hello", &s, NX_QOS_FG, hello->policy.slack_fg_ms, "ability start fg");
	am_expect(st, APPMGRD_OP_START, "hello", IPC_STATUS_INVALID_TRANSITION, "start of a running ability");
	am_expect(st, APPMGRD_OP_FG, "hello", IPC_STATUS_INVALID_TRANSITION, "fg of a foreground ability");
	printf("SELFTEST: ability start fg ok\n");
}

/* Boot fixtures holding FG places until selftest releases them (manifests/system.json). */
static const char *const fg_fillers[] = { "fill-fg-0", "fill-fg-1", "fill-fg-2", "fill-fg-3", "fill-fg-4" };
#define FG_FILLERS (sizeof fg_fillers / sizeof fg_fillers[0])

/* How many fillers live in the FG class. */
static unsigned fillers_in_fg(void)
{
	unsigned n = 0;
	for (size_t i = 0; i < FG_FILLERS; i++) {
		const long t = nx_find(ipc_service_id(fg_fillers[i], strlen(fg_fillers[i])));
		struct nx_task_info info;
		n += t >= 0 && nx_task_info((uint32_t)t, &info) == 0 && info.qos == NX_QOS_FG;
	}
	return n;
}

/* The QoS rollback invariant end to end: while the fillers and hello hold the six FG places,
 * `fg` of a background ability is answered FULL and changes nothing, in appmgrd or in the
 * kernel. Fillers leave only when selftest releases them (after this check). */
static void fg_full(struct st *st)
{
	const struct nx_ability *stubborn = ability("stubborn");
	struct appmgr_state before, after;
	am_expect(st, APPMGRD_OP_START, "stubborn", IPC_STATUS_OK, "start stubborn");
	st_wait_state(st, "stubborn", APPMGR_RUNNING_BG, 0, "fg full", &before);
	const unsigned held = fillers_in_fg();
	const uint16_t got = st_am_call(st, APPMGRD_OP_FG, "stubborn", NULL, 0, NULL);
	const unsigned alive = fillers_in_fg();
	st_am_state(st, "stubborn", &after);
	ST_CHECK(got == IPC_STATUS_FULL, "fg full: answered %s with %u then %u of %u fillers in FG: the FG class had room",
		 ipc_status_name(got), held, alive, (unsigned)FG_FILLERS);
	ST_CHECK(held == FG_FILLERS && alive == FG_FILLERS, "fg full: %u then %u of %u fillers in FG", held, alive,
		 (unsigned)FG_FILLERS);
	ST_CHECK(after.state == APPMGR_RUNNING_BG && after.task == before.task && after.reason == before.reason,
		 "fg full: a refused fg changed stubborn (%s)", appmgr_state_name(after.state));
	expect_class("stubborn", &after, NX_QOS_BG, stubborn->policy.slack_bg_ms, "fg full");
	am_expect(st, APPMGRD_OP_STOP, "stubborn", IPC_STATUS_OK, "stop stubborn");
	st_wait_state(st, "stubborn", APPMGR_STOPPED, 0, "fg full", &after);
	st_wait_gone("stubborn", "fg full");
	st_fillers_release(st);
	printf("selftest: ability fg full: refused with FULL, stubborn unchanged\n");
	printf("SELFTEST: ability fg full ok\n");
}

/* How long dozer sleeps in the background after spinner was stopped: many of appmgrd's
 * 5 ms budget polls, and more than spinner needed to use its budget. */
#define DOZE_MS 500

/* spinner, in the background over its CPU budget, is stopped for policy, having used at
 * least its budget (the kernel's CPU time of its process, from its exit notice); dozer, in
 * the background with the same budget but asleep, runs on meanwhile and after. */
static void bg_budget_kill(struct st *st)
{
	const uint64_t budget_us = (uint64_t)ability("spinner")->policy.cpu_budget_ms_per_min * 1000;
	ST_CHECK(budget_us != 0 && ability("dozer")->policy.cpu_budget_ms_per_min * 1000ull == budget_us,
		 "spinner and dozer do not share a CPU budget");
	struct appmgr_state s, d;
	am_expect(st, APPMGRD_OP_START, "dozer", IPC_STATUS_OK, "start dozer");
	st_wait_state(st, "dozer", APPMGR_RUNNING_BG, 0, "ability bg budget", &d);
	am_expect(st, APPMGRD_OP_START, "spinner", IPC_STATUS_OK, "start spinner");
	st_wait_state(st, "spinner", APPMGR_STOPPED, 0, "ability bg budget", &s);
	ST_CHECK(s.reason == APPMGR_REASON_POLICY && s.timeout == 0 && s.task == -1,
		 "ability bg budget: spinner stopped with reason %s timeout %u", appmgr_reason_name(s.reason),
		 (unsigned)s.timeout);
	struct appmgr_history h;
	st_am_history(st, "spinner", &h);
	ST_CHECK(h.count == 0, "ability bg budget: a policy stop counted as a crash (%u)", (unsigned)h.count);
	st_wait_gone("spinner", "ability bg budget");
	/* Gone: its exit notice waits at appmgrd ahead of any request. */
	st_am_state(st, "spinner", &s);
	ST_CHECK(s.cpu_us >= budget_us, "ability bg budget: spinner was stopped after %llu us of CPU, budget %llu us",
		 (unsigned long long)s.cpu_us, (unsigned long long)budget_us);
	(void)nx_sleep_until(nx_now_ms() + DOZE_MS);
	st_am_state(st, "dozer", &d);
	ST_CHECK(d.state == APPMGR_RUNNING_BG && d.reason == APPMGR_REASON_NONE && d.task >= 0 && d.cpu_us < budget_us,
		 "ability bg budget: dozer is %s (reason %s) after %llu us of CPU", appmgr_state_name(d.state),
		 appmgr_reason_name(d.reason), (unsigned long long)d.cpu_us);
	const uint64_t dozed_us = d.cpu_us;
	am_expect(st, APPMGRD_OP_STOP, "dozer", IPC_STATUS_OK, "stop dozer");
	st_wait_state(st, "dozer", APPMGR_STOPPED, 0, "ability bg budget", &d);
	ST_CHECK(d.reason == APPMGR_REASON_REQUEST, "ability bg budget: dozer stopped with reason %s",
		 appmgr_reason_name(d.reason));
	st_wait_gone("dozer", "ability bg budget");
	printf("selftest: ability bg budget: spinner stopped after %llu us of CPU (budget %llu us); dozer kept, %llu us\n",
	       (unsigned long long)s.cpu_us, (unsigned long long)budget_us, (unsigned long long)dozed_us);
}

/* hello moves to the background (BG class and slack) and stops on request; spinner, in the
 * background over its CPU budget, is stopped for policy; dozer, asleep there, is not. */
static void bg_budget(struct st *st)
{
	const struct nx_ability *hello = ability("hello");
	struct appmgr_state s;
	am_expect(st, APPMGRD_OP_BG, "hello", IPC_STATUS_OK, "bg hello");
	st_am_state(st, "hello", &s);
	ST_CHECK(s.state == APPMGR_RUNNING_BG, "bg hello: hello is %s", appmgr_state_name(s.state));
	expect_class("hello", &s, NX_QOS_BG, hello->policy.slack_bg_ms, "bg hello");
	am_expect(st, APPMGRD_OP_STOP, "hello", IPC_STATUS_OK, "stop hello");
	st_wait_state(st, "hello", APPMGR_STOPPED, 0, "stop hello", &s);
	ST_CHECK(s.reason == APPMGR_REASON_REQUEST && s.timeout == 0 && s.task == -1,
		 "stop hello: reason %s timeout %u task %d", appmgr_reason_name(s.reason), (unsigned)s.timeout,
		 (int)s.task);
	st_wait_gone("hello", "stop hello");

	bg_budget_kill(st);
	printf("SELFTEST: ability bg budget ok\n");
}

/* crasher (the default policy) crashes after each start: backoff 500, 1000, 2000, 4000 ms,
 * each restart at its crash time plus its delay, then blocked by the fifth crash within the
 * 60 s window; start is refused until unblock, which clears the history. */
static void backoff_unblock(struct st *st)
{
	const struct appmgr_policy def = NX_ABILITY_POLICY_DEFAULT;
	ST_CHECK(memcmp(&ability("crasher")->policy, &def, sizeof def) == 0, "crasher does not use the default policy");
	static const uint32_t delays[CRASH_LOOP - 1] = { 500, 1000, 2000, 4000 };
	struct appmgr_state s;
	struct appmgr_history h;
	am_expect(st, APPMGRD_OP_START, "crasher", IPC_STATUS_OK, "start crasher");
	for (uint32_t k = 1; k <= CRASH_LOOP; k++) {
		const int blocked = k == CRASH_LOOP;
		st_wait_state(st, "crasher", blocked ? APPMGR_BLOCKED : APPMGR_BACKOFF, k, "ability backoff", &s);
		st_am_history(st, "crasher", &h);
		ST_CHECK(s.reason == APPMGR_REASON_CRASH && s.timeout == 0 && s.task == -1 && h.count == k,
			 "ability backoff: crash %u: reason %s, %u deaths in the history", k,
			 appmgr_reason_name(s.reason), (unsigned)h.count);
		for (uint32_t j = 0; j < k; j++)
			ST_CHECK(h.e[j].reason == APPMGR_REASON_CRASH, "ability backoff: death %u has reason %u", j, h.e[j].reason);
		if (k > 1)
			ST_CHECK(h.e[k - 1].t_ms >= h.e[k - 2].t_ms + delays[k - 2],
				 "ability backoff: crash %u at %llu ms, before the restart at %llu + %u", k,
				 (unsigned long long)h.e[k - 1].t_ms, (unsigned long long)h.e[k - 2].t_ms, delays[k - 2]);
		if (blocked)
			break;
		ST_CHECK(s.delay_ms == delays[k - 1] && s.next_restart_ms == h.e[k - 1].t_ms + delays[k - 1],
			 "ability backoff: crash %u at %llu ms: delay %u, restart at %llu, want %u", k,
			 (unsigned long long)h.e[k - 1].t_ms, (unsigned)s.delay_ms, (unsigned long long)s.next_restart_ms,
			 delays[k - 1]);
	}
	ST_CHECK(s.next_restart_ms == 0 && h.e[CRASH_LOOP - 1].t_ms - h.e[0].t_ms < def.loop_window_ms,
		 "ability backoff: blocked with restart %llu, crashes %llu ms apart", (unsigned long long)s.next_restart_ms,
		 (unsigned long long)(h.e[CRASH_LOOP - 1].t_ms - h.e[0].t_ms));
	am_expect(st, APPMGRD_OP_START, "crasher", IPC_STATUS_INVALID_TRANSITION, "start of a blocked ability");
	am_expect(st, APPMGRD_OP_UNBLOCK, "crasher", IPC_STATUS_OK, "unblock crasher");
	st_am_state(st, "crasher", &s);
	st_am_history(st, "crasher", &h);
	ST_CHECK(s.state == APPMGR_STOPPED && s.reason == APPMGR_REASON_NONE && s.crash_count == 0 && s.delay_ms == 0 && h.count == 0,
		 "unblock crasher: %s with %u crashes, delay %u, %u deaths", appmgr_state_name(s.state),
		 (unsigned)s.crash_count, (unsigned)s.delay_ms, (unsigned)h.count);
	am_expect(st, APPMGRD_OP_UNBLOCK, "crasher", IPC_STATUS_INVALID_TRANSITION, "unblock of a stopped ability");
	printf("SELFTEST: ability backoff+unblock ok\n");
}

/* sleepy never reports ready: its start timeout is a crash (backoff); a stop in backoff ends
 * it. stubborn ignores stop: its stop timeout ends it and its task is killed. */
static void timeouts(struct st *st)
{
	const struct nx_ability *sleepy = ability("sleepy");
	struct appmgr_state s;
	struct appmgr_history h;
	const uint64_t asked = nx_now_ms();
	am_expect(st, APPMGRD_OP_START, "sleepy", IPC_STATUS_OK, "start sleepy");
	st_wait_state(st, "sleepy", APPMGR_BACKOFF, 1, "start timeout", &s);
	st_am_history(st, "sleepy", &h);
	ST_CHECK(s.reason == APPMGR_REASON_CRASH && s.timeout == 1 && s.delay_ms == sleepy->policy.initial_ms &&
			 h.count == 1 && h.e[0].t_ms >= asked + sleepy->policy.start_timeout_ms &&
			 s.next_restart_ms == h.e[0].t_ms + s.delay_ms,
		 "start timeout: sleepy reason %s timeout %u delay %u, death at %llu ms (asked at %llu)",
		 appmgr_reason_name(s.reason), (unsigned)s.timeout, (unsigned)s.delay_ms,
		 (unsigned long long)h.e[0].t_ms, (unsigned long long)asked);
	am_expect(st, APPMGRD_OP_STOP, "sleepy", IPC_STATUS_OK, "stop sleepy");
	st_wait_state(st, "sleepy", APPMGR_STOPPED, 1, "stop sleepy", &s);
	ST_CHECK(s.reason == APPMGR_REASON_REQUEST, "stop sleepy: reason %s", appmgr_reason_name(s.reason));
	st_wait_gone("sleepy", "start timeout");

	am_expect(st, APPMGRD_OP_START, "stubborn", IPC_STATUS_OK, "start stubborn");
	st_wait_state(st, "stubborn", APPMGR_RUNNING_BG, 0, "stop timeout", &s);
	am_expect(st, APPMGRD_OP_STOP, "stubborn", IPC_STATUS_OK, "stop stubborn");
	st_am_state(st, "stubborn", &s);
	ST_CHECK(s.state == APPMGR_STOPPING && s.reason == APPMGR_REASON_REQUEST && s.task >= 0,
		 "stop timeout: stubborn is %s after stop", appmgr_state_name(s.state));
	st_wait_state(st, "stubborn", APPMGR_STOPPED, 0, "stop timeout", &s);
	ST_CHECK(s.reason == APPMGR_REASON_REQUEST && s.timeout == 1 && s.task == -1,
		 "stop timeout: stubborn stopped with reason %s timeout %u", appmgr_reason_name(s.reason),
		 (unsigned)s.timeout);
	st_wait_gone("stubborn", "stop timeout");
	printf("SELFTEST: ability timeouts ok\n");
}

/* The change `from` -> `to` of `name` among those received, or NULL. */
static const struct appmgr_change *change_seen(const struct st *st, const char *name, uint8_t from, uint8_t to)
{
	for (unsigned i = 0; i < st->change_count; i++) {
		const struct appmgr_change *c = &st->changes[i];
		if (c->from == from && c->to == to && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/*
 * Subscribed, selftest gets hello's changes as they happen, numbered 1, 2, ... without a
 * gap; a second subscribe is no second subscription; after unsubscribing, nothing more.
 */
static void subscription(struct st *st)
{
	am_expect(st, APPMGRD_OP_SUBSCRIBE, "", IPC_STATUS_OK, "subscribe");
	am_expect(st, APPMGRD_OP_SUBSCRIBE, "", IPC_STATUS_OK, "subscribe again");
	st->change_count = 0;
	am_expect(st, APPMGRD_OP_START, "hello", IPC_STATUS_OK, "subscription: start hello");
	const uint64_t deadline = nx_now_ms() + WAIT_MS;
	while (change_seen(st, "hello", APPMGR_STARTING, APPMGR_RUNNING_FG) == NULL && nx_now_ms() < deadline)
		st_take_notices(st, deadline);
	ST_CHECK(change_seen(st, "hello", APPMGR_STOPPED, APPMGR_STARTING) != NULL &&
			 change_seen(st, "hello", APPMGR_STARTING, APPMGR_RUNNING_FG) != NULL,
		 "subscription: %u changes, not hello's start and ready", st->change_count);
	for (unsigned i = 0; i < st->change_count; i++)
		ST_CHECK(st->changes[i].seq == i + 1, "subscription: change %u has seq %u", i, (unsigned)st->changes[i].seq);
	const unsigned seen = st->change_count;
	am_expect(st, APPMGRD_OP_UNSUBSCRIBE, "", IPC_STATUS_OK, "unsubscribe");
	am_expect(st, APPMGRD_OP_UNSUBSCRIBE, "", IPC_STATUS_UNKNOWN, "unsubscribe again");
	am_expect(st, APPMGRD_OP_STOP, "hello", IPC_STATUS_OK, "subscription: stop hello");
	struct appmgr_state s;
	st_wait_state(st, "hello", APPMGR_STOPPED, 0, "subscription: stop hello", &s);
	st_take_notices(st, NX_DEADLINE_NOW);
	ST_CHECK(st->change_count == seen, "subscription: %u changes after unsubscribing", st->change_count - seen);
	printf("SELFTEST: appmgrd change subscription ok changes=%u\n", seen);
}

void st_ability_checks(struct st *st)
{
	protocol(st);
	start_fg(st);
	fg_full(st);
	bg_budget(st);
	backoff_unblock(st);
	timeouts(st);
	subscription(st);
}

/* The persist lane, boot 1: crasher crash-loops into blocked, which appmgrd persists. */
void st_ability_persist_write(struct st *st)
{
	struct appmgr_state s;
	am_expect(st, APPMGRD_OP_START, "crasher", IPC_STATUS_OK, "persist: start crasher");
	st_wait_state(st, "crasher", APPMGR_BLOCKED, CRASH_LOOP, "persist: crash loop", &s);
	printf("SELFTEST: ability blocked written crashes=%u\n", (unsigned)s.crash_count);
}

/*
 * The persist lane, boot 2 (same disk): crasher is blocked from the start with its crash
 * count, its deaths are those of boot 1, start is refused, and unblock clears it all.
 */
void st_ability_persist_check(struct st *st)
{
	struct appmgr_state s;
	struct appmgr_history h;
	st_am_state(st, "crasher", &s);
	st_am_history(st, "crasher", &h);
	ST_CHECK(s.state == APPMGR_BLOCKED && s.reason == APPMGR_REASON_CRASH && s.crash_count == CRASH_LOOP &&
			 s.task == -1,
		 "ability blocked persists: crasher is %s with %u crashes after the reboot", appmgr_state_name(s.state),
		 (unsigned)s.crash_count);
	ST_CHECK(h.count == CRASH_LOOP, "ability blocked persists: %u deaths, want %u", (unsigned)h.count, CRASH_LOOP);
	for (unsigned i = 0; i < h.count; i++)
		ST_CHECK(h.e[i].boot == 1 && h.e[i].reason == APPMGR_REASON_CRASH && (i == 0 || h.e[i].t_ms > h.e[i - 1].t_ms),
			 "ability blocked persists: death %u: boot %u reason %s at %llu", i, (unsigned)h.e[i].boot,
			 appmgr_reason_name(h.e[i].reason), (unsigned long long)h.e[i].t_ms);
	const unsigned deaths = h.count;
	am_expect(st, APPMGRD_OP_START, "crasher", IPC_STATUS_INVALID_TRANSITION, "ability blocked persists: start");
	am_expect(st, APPMGRD_OP_UNBLOCK, "crasher", IPC_STATUS_OK, "ability blocked persists: unblock");
	st_am_state(st, "crasher", &s);
	st_am_history(st, "crasher", &h);
	ST_CHECK(s.state == APPMGR_STOPPED && s.crash_count == 0 && h.count == 0,
		 "ability blocked persists: after unblock crasher is %s with %u crashes, %u deaths",
		 appmgr_state_name(s.state), (unsigned)s.crash_count, (unsigned)h.count);
	printf("SELFTEST: ability blocked persists ok deaths=%u\n", deaths);
}
