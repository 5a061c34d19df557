/*
 * The foreground hog (profile=faults, issue 20). spinner, moved to the foreground, spins
 * without ever blocking; stubborn is started meanwhile in the background. The kernel's class
 * quota (kernel-shim/quota.h) leaves the BG class its share of every hart, so stubborn gets
 * ready while the hog still runs; appmgrd stops the hog with reason policy once it has been
 * on the CPU without blocking past its FG limit; stubborn's start is never counted a crash
 * and it is never blocked. slowpoke, started next while the hog still runs, needs more CPU
 * before its ready than its start timeout leaves it at the BG class's share: its timeout
 * passes while it waits for the hart, and the start is not counted a crash (appmgrd restarts
 * the timeout, LC_EV_STARVED).
 */
#include <stdio.h>
#include <string.h>

#include "proto/appmgr.h"
#include "ulib/sys.h"
#include "nx_abilities.h"
#include "nx_manifest.h"
#include "st.h"

#define HOG_POLL_MS 1
#define HOG_WAIT_MS 5000
/* The BG window check: rounds of this many ms in the background between fg/bg moves (below
 * spinner's budget of 20 ms per minute), at most BG_ROUNDS of them. */
#define BG_ROUND_MS 4
#define BG_ROUNDS 50

static const struct nx_ability *find_ability(const char *name)
{
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		if (strcmp(nx_abilities[i].name, name) == 0)
			return &nx_abilities[i];
	}
	st_fail("fg hog: no ability %s in the table", name);
}

/* Start spinner and see it running in the background, looking every HOG_POLL_MS: it spins
 * there against its CPU budget, so the caller's next move must come soon. */
static void start_spinner(struct st *st, const char *what, struct appmgr_state *s)
{
	ST_CHECK(st_am_call(st, APPMGRD_OP_START, "spinner", NULL, 0, NULL) == IPC_STATUS_OK, "%s: start spinner", what);
	for (unsigned poll = 0;; poll++) {
		st_am_state(st, "spinner", s);
		if (s->state == APPMGR_RUNNING_BG)
			return;
		ST_CHECK(poll < HOG_WAIT_MS / HOG_POLL_MS, "%s: spinner is %s, not running", what, appmgr_state_name(s->state));
		(void)nx_sleep_until(nx_now_ms() + HOG_POLL_MS);
	}
}

/* stubborn, polled while the hog runs: never a crash, never blocked. */
static void innocent_unharmed(struct st *st, struct appmgr_state *s)
{
	st_am_state(st, "stubborn", s);
	ST_CHECK(s->state != APPMGR_BLOCKED && s->crash_count == 0,
		 "fg hog: stubborn is %s with %u crashes while spinner hogs the CPU", appmgr_state_name(s->state),
		 (unsigned)s->crash_count);
}

/*
 * A starved start is not a crash: slowpoke, started in the background while the hog holds
 * the foreground, gets ready later than its start timeout, with no crash and no death. With
 * one hart that must happen (qemu-test.sh requires the ok line at SMP=1); with more, a free
 * hart may let it start in time, and the line says the path was not shown.
 */
static void starved_start_not_blamed(struct st *st, const struct nx_ability *slowpoke)
{
	struct appmgr_state s, hog;
	struct nx_kstats ks;
	ST_CHECK(nx_kstats(&ks) == 0, "starved start: kstats");
	const uint64_t start_at = nx_now_ms();
	ST_CHECK(st_am_call(st, APPMGRD_OP_START, "slowpoke", NULL, 0, NULL) == IPC_STATUS_OK,
		 "starved start: start slowpoke");
	for (unsigned poll = 0;; poll++) {
		st_am_state(st, "slowpoke", &s);
		ST_CHECK(s.crash_count == 0 && s.state != APPMGR_BLOCKED && s.state != APPMGR_BACKOFF,
			 "starved start: slowpoke is %s with %u crashes", appmgr_state_name(s.state),
			 (unsigned)s.crash_count);
		if (s.state == APPMGR_RUNNING_BG)
			break;
		ST_CHECK(poll < HOG_WAIT_MS / HOG_POLL_MS && s.state == APPMGR_STARTING, "starved start: slowpoke is %s",
			 appmgr_state_name(s.state));
		(void)nx_sleep_until(nx_now_ms() + HOG_POLL_MS);
	}
	const uint64_t ready_ms = nx_now_ms() - start_at;
	st_am_state(st, "spinner", &hog);
	ST_CHECK(hog.state == APPMGR_RUNNING_FG, "starved start: the hog was %s when slowpoke got ready",
		 appmgr_state_name(hog.state));
	struct appmgr_history h;
	st_am_history(st, "slowpoke", &h);
	ST_CHECK(h.count == 0, "starved start: slowpoke has %u deaths", (unsigned)h.count);
	ST_CHECK(st_am_call(st, APPMGRD_OP_STOP, "slowpoke", NULL, 0, NULL) == IPC_STATUS_OK,
		 "starved start: stop slowpoke");
	st_wait_state(st, "slowpoke", APPMGR_STOPPED, 0, "starved start", &s);
	st_wait_gone("slowpoke", "starved start");
	const uint32_t timeout_ms = slowpoke->policy.start_timeout_ms;
	printf("selftest: starved start: slowpoke ready after %llu ms (start timeout %u ms) behind the hog, 0 crashes\n",
	       (unsigned long long)ready_ms, (unsigned)timeout_ms);
	if (ready_ms > timeout_ms)
		printf("SELFTEST: starved start not blamed ok harts=%llu\n", (unsigned long long)ks.harts_online);
	else
		printf("SELFTEST: starved start not shown harts=%llu\n", (unsigned long long)ks.harts_online);
}

/*
 * The BG budget's window survives fg/bg moves: spinner, moved to the foreground and back
 * every BG_ROUND_MS, still reaches its per-minute budget and is stopped by policy. (A window
 * that each entry to runningBg restarted would never see more than one round's CPU.)
 */
static void bg_window_across_moves(struct st *st, const struct nx_ability *spinner)
{
	struct appmgr_state s;
	start_spinner(st, "bg window", &s);
	unsigned moves = 0;
	for (unsigned round = 0; round < BG_ROUNDS; round++) {
		(void)nx_sleep_until(nx_now_ms() + BG_ROUND_MS);
		if (st_am_call(st, APPMGRD_OP_FG, "spinner", NULL, 0, NULL) != IPC_STATUS_OK)
			break;
		if (st_am_call(st, APPMGRD_OP_BG, "spinner", NULL, 0, NULL) != IPC_STATUS_OK)
			break;
		moves++;
	}
	st_wait_state(st, "spinner", APPMGR_STOPPED, 0, "bg window", &s);
	/* Stopped while the moves went on (a refused move ended them), after at least one. */
	ST_CHECK(s.reason == APPMGR_REASON_POLICY && moves >= 1 && moves < BG_ROUNDS,
		 "bg window: spinner stopped with reason %s after %u fg/bg moves of %u ms", appmgr_reason_name(s.reason),
		 moves, (unsigned)BG_ROUND_MS);
	st_wait_gone("spinner", "bg window");
	printf("selftest: bg window: spinner stopped by its budget of %u ms per minute after %u fg/bg moves, %u ms apart\n",
	       (unsigned)spinner->policy.cpu_budget_ms_per_min, moves, (unsigned)BG_ROUND_MS);
}

void st_fg_hog_checks(struct st *st)
{
	const struct nx_ability *spinner = find_ability("spinner");
	ST_CHECK(spinner->fg_cpu_limit_ms != 0, "fg hog: spinner has no FG limit");
	struct appmgr_state hog, innocent;
	start_spinner(st, "fg hog", &hog);
	const uint16_t fg = st_am_call(st, APPMGRD_OP_FG, "spinner", NULL, 0, NULL);
	ST_CHECK(fg == IPC_STATUS_OK, "fg hog: fg spinner answered %u", (unsigned)fg);
	const uint64_t fg_at = nx_now_ms();
	ST_CHECK(st_am_call(st, APPMGRD_OP_START, "stubborn", NULL, 0, NULL) == IPC_STATUS_OK, "fg hog: start stubborn");

	/* stubborn gets ready while the hog is still in the foreground: it had its share. */
	for (unsigned poll = 0;; poll++) {
		innocent_unharmed(st, &innocent);
		if (innocent.state == APPMGR_RUNNING_BG)
			break;
		ST_CHECK(poll < HOG_WAIT_MS / HOG_POLL_MS, "fg hog: stubborn is %s, not running",
			 appmgr_state_name(innocent.state));
		(void)nx_sleep_until(nx_now_ms() + HOG_POLL_MS);
	}
	const uint64_t ready_ms = nx_now_ms() - fg_at;
	st_am_state(st, "spinner", &hog);
	ST_CHECK(hog.state == APPMGR_RUNNING_FG,
		 "fg hog: stubborn got ready only once the hog was %s: the BG class had no share of the hart",
		 appmgr_state_name(hog.state));
	starved_start_not_blamed(st, find_ability("slowpoke"));

	/* The hog is stopped by policy, and stubborn stays unharmed meanwhile. */
	for (unsigned poll = 0;; poll++) {
		st_am_state(st, "spinner", &hog);
		if (hog.state == APPMGR_STOPPED)
			break;
		innocent_unharmed(st, &innocent);
		ST_CHECK(poll < HOG_WAIT_MS / HOG_POLL_MS && (hog.state == APPMGR_RUNNING_FG || hog.state == APPMGR_STOPPING),
			 "fg hog: spinner is %s, not stopped", appmgr_state_name(hog.state));
		(void)nx_sleep_until(nx_now_ms() + HOG_POLL_MS);
	}
	const uint64_t hog_ms = nx_now_ms() - fg_at;
	ST_CHECK(hog.reason == APPMGR_REASON_POLICY && hog.timeout == 0 && hog.crash_count == 0,
		 "fg hog: spinner stopped with reason %s timeout %u crashes %u", appmgr_reason_name(hog.reason),
		 (unsigned)hog.timeout, (unsigned)hog.crash_count);
	st_wait_gone("spinner", "fg hog");
	innocent_unharmed(st, &innocent);
	ST_CHECK(innocent.state == APPMGR_RUNNING_BG, "fg hog: stubborn is %s after the hog", appmgr_state_name(innocent.state));
	struct appmgr_history h;
	st_am_history(st, "stubborn", &h);
	ST_CHECK(h.count == 0, "fg hog: stubborn has %u deaths", (unsigned)h.count);

	ST_CHECK(st_am_call(st, APPMGRD_OP_STOP, "stubborn", NULL, 0, NULL) == IPC_STATUS_OK, "fg hog: stop stubborn");
	st_wait_state(st, "stubborn", APPMGR_STOPPED, 0, "fg hog", &innocent);
	st_wait_gone("stubborn", "fg hog");
	printf("selftest: fg hog: spinner in the foreground stopped by policy after %llu ms (FG limit %u ms of CPU); "
	       "stubborn ready after %llu ms while it ran, 0 crashes, never blocked\n",
	       (unsigned long long)hog_ms, (unsigned)spinner->fg_cpu_limit_ms, (unsigned long long)ready_ms);
	printf("SELFTEST: fg hog stopped ok\n");
	bg_window_across_moves(st, spinner);
	printf("SELFTEST: bg window kept ok\n");
}
