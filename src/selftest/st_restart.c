/*
 * Supervised services (profile=faults; docs/reliability.md, "Supervised services"): each
 * boot service appmgrd supervises is killed once; a call made while it is down ends within
 * its deadline without an answer, and the service then answers again. What a service keeps
 * on disk survives its restart (statefsd's store, keystored's key); what it keeps in memory
 * does not (metricsd's series). Then one service is killed until its crash loop blocks it:
 * appmgrd reports it blocked, it stays down, and an unblock brings it back.
 */
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "client/statefs.h"
#include "ipc/wire.h"
#include "proto/metrics.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

/* Deadline of the call made while a service is down. */
#define DOWN_CALL_MS 10
/* Deadline of each call that waits for the service to answer again; the pause between
 * them; the longest wait (above every backoff the lane meets: 20..320 ms). */
#define UP_CALL_MS 100
#define UP_PAUSE_MS 5
#define UP_WAIT_MS 2000
/* Polls (UP_PAUSE_MS apart) for a killed task to be gone. */
#define GONE_TRIES 20
#define LOOP_SVC NX_SVC_METRICSD
#define KEPT_KEY "/selftest/restart-kept"

static const char kept_value[] = "kept across statefsd's restart";

/* One real request: the server loop's stats op, under `timeout_ms`. */
static struct ipc_outcome stats_call(struct st *st, const char *name, uint64_t timeout_ms)
{
	uint8_t reply[20];
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = timeout_ms;
	return st_call(st, name, NX_OP_SERVER_STATS, NULL, 0, reply, sizeof reply, &opts);
}

/* Have appmgrd kill `name` (reason crash) and wait until its task has gone. */
static void kill_service(struct st *st, const char *name)
{
	const uint64_t id = ipc_service_id(name, strlen(name));
	const uint16_t status = st_am_call(st, APPMGRD_OP_KILL_SERVICE, name, NULL, 0, NULL);
	ST_CHECK(status == IPC_STATUS_OK, "restart: kill_service %s gave status %u", name, (unsigned)status);
	for (unsigned i = 0; i < GONE_TRIES && nx_find(id) >= 0; i++)
		(void)nx_sleep_until(nx_now_ms() + 1);
	ST_CHECK(nx_find(id) < 0, "restart: %s still runs after its kill", name);
}

/* A call while `name` is down ends within its deadline, unanswered. */
static void expect_down(struct st *st, const char *name)
{
	const uint64_t t0 = nx_now_ms();
	const struct ipc_outcome o = stats_call(st, name, DOWN_CALL_MS);
	const uint64_t took = nx_now_ms() - t0;
	ST_CHECK(o.kind == IPC_OUTCOME_IPC_ERROR || o.kind == IPC_OUTCOME_TIMEOUT,
		 "restart: a call to %s while it was down ended %s", name, ipc_outcome_name(o.kind));
	ST_CHECK(took <= DOWN_CALL_MS, "restart: a call to %s while it was down took %llu ms, deadline %u", name,
		 (unsigned long long)took, DOWN_CALL_MS);
}

/* Wait (bounded) until `name` answers a real request; the ms since `since`. */
static uint64_t wait_up(struct st *st, const char *name, uint64_t since)
{
	for (unsigned i = 0; i < UP_WAIT_MS / UP_PAUSE_MS && nx_now_ms() - since < UP_WAIT_MS; i++) {
		if (stats_call(st, name, UP_CALL_MS).kind == IPC_OUTCOME_SUCCESS)
			return nx_now_ms() - since;
		(void)nx_sleep_until(nx_now_ms() + UP_PAUSE_MS);
	}
	st_fail("restart: %s does not answer again within %u ms", name, UP_WAIT_MS);
}

/* metricsd's series count (its stats op). */
static uint32_t metrics_series(struct st *st)
{
	uint8_t r[12];
	uint32_t series = 0;
	const struct ipc_outcome o = st_call(st, NX_SVC_METRICSD, METRICSD_OP_STATS, NULL, 0, r, sizeof r, NULL);
	st_expect_success(&o, "restart: metricsd stats");
	ST_CHECK(ipc_get_u32(r, sizeof r, 0, &series) == 0, "restart: metricsd stats decode");
	return series;
}

/* What each service must show across its restart: `before` runs before the kill, `after`
 * once it answers again. */
struct kept {
	uint8_t pubkey[KEYSTORE_PUBKEY_LEN];
};

static void before_kill(struct st *st, const char *name, struct kept *k)
{
	if (strcmp(name, NX_SVC_STATEFSD) == 0) {
		ST_CHECK(statefs_put(&st->client, KEPT_KEY, kept_value, sizeof kept_value, 0) == 0 &&
				 statefs_sync(&st->client, 0) == 0,
			 "restart: put and sync before statefsd's kill");
	} else if (strcmp(name, NX_SVC_KEYSTORED) == 0) {
		ST_CHECK(keystore_pubkey(&st->client, k->pubkey, 0) == 0, "restart: keystored's key before its kill");
	} else if (strcmp(name, NX_SVC_METRICSD) == 0) {
		uint8_t q[8], v[8];
		ST_CHECK(ipc_put_u16(q, 8, 0, NX_METRIC_SELFTEST) == 0 && ipc_put_u16(q, 8, 2, 0) == 0 &&
				 ipc_put_u32(q, 8, 4, 1) == 0,
			 "metrics encode");
		const struct ipc_outcome o = st_call(st, NX_SVC_METRICSD, METRICSD_OP_ADD, q, sizeof q, v, sizeof v, NULL);
		ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS && metrics_series(st) >= 1, "restart: no metricsd series before its kill");
	}
}

static void after_restart(struct st *st, const char *name, const struct kept *k)
{
	if (strcmp(name, NX_SVC_STATEFSD) == 0) {
		char got[sizeof kept_value];
		size_t len = 0;
		ST_CHECK(statefs_get(&st->client, KEPT_KEY, got, sizeof got, &len, 0) == 0 && len == sizeof kept_value &&
				 memcmp(got, kept_value, len) == 0,
			 "restart: statefsd lost a synced value across its restart");
	} else if (strcmp(name, NX_SVC_KEYSTORED) == 0) {
		uint8_t pk[KEYSTORE_PUBKEY_LEN];
		ST_CHECK(keystore_pubkey(&st->client, pk, 0) == 0 && memcmp(pk, k->pubkey, sizeof pk) == 0,
			 "restart: keystored's key changed across its restart");
	} else if (strcmp(name, NX_SVC_METRICSD) == 0) {
		const uint32_t series = metrics_series(st);
		ST_CHECK(series == 0, "restart: metricsd kept %u series in memory across its restart", series);
	}
}

/* Kill every supervised service once; each must answer again. @return how many did */
static unsigned restart_each(struct st *st)
{
	unsigned answered = 0;
	for (unsigned i = 0; i < NX_SUPERVISED_COUNT; i++) {
		const char *name = nx_supervised[i].name;
		struct kept k;
		ST_CHECK(stats_call(st, name, UP_CALL_MS).kind == IPC_OUTCOME_SUCCESS, "restart: %s does not answer", name);
		before_kill(st, name, &k);
		const uint64_t t0 = nx_now_ms();
		kill_service(st, name);
		expect_down(st, name);
		const uint64_t ms = wait_up(st, name, t0);
		after_restart(st, name, &k);
		printf("selftest: restart: %s killed, answered again after %llu ms\n", name, (unsigned long long)ms);
		answered++;
	}
	return answered;
}

/* appmgrd's state of the supervised service `name`. */
static struct appmgr_state svc_state(struct st *st, const char *name)
{
	struct appmgr_state s;
	st_am_state(st, name, &s);
	return s;
}

/* Kill LOOP_SVC each time it is back, until its crash loop blocks it: appmgrd reports it
 * blocked after loop_threshold deaths within the window, it stays down, and an unblock
 * brings it back. */
static unsigned crash_loop(struct st *st)
{
	const struct nx_supervised *def = NULL;
	for (unsigned i = 0; i < NX_SUPERVISED_COUNT; i++) {
		if (strcmp(nx_supervised[i].name, LOOP_SVC) == 0)
			def = &nx_supervised[i];
	}
	ST_CHECK(def != NULL && def->loop_threshold > 0, "crash loop: %s is not supervised or never blocks", LOOP_SVC);
	const unsigned threshold = def->loop_threshold;
	/* restart_each() killed it once already. */
	unsigned deaths = 1, kills = 0;
	struct appmgr_state s = svc_state(st, LOOP_SVC);
	for (; kills < threshold && s.state != APPMGR_BLOCKED; kills++) {
		(void)wait_up(st, LOOP_SVC, nx_now_ms());
		kill_service(st, LOOP_SVC);
		deaths++;
		s = svc_state(st, LOOP_SVC);
	}
	ST_CHECK(s.state == APPMGR_BLOCKED, "crash loop: %s is %s after %u deaths", LOOP_SVC, appmgr_state_name(s.state),
		 deaths);
	ST_CHECK(deaths == threshold && s.crash_count == threshold && s.task < 0,
		 "crash loop: %s blocked after %u deaths (crash count %u, task %d), policy says %u", LOOP_SVC, deaths,
		 (unsigned)s.crash_count, (int)s.task, threshold);
	/* Blocked stays down, for twice the backoff it last had: nothing restarts it, and calls
	 * end within their deadline. */
	(void)nx_sleep_until(nx_now_ms() + 2u * s.delay_ms + UP_CALL_MS);
	expect_down(st, LOOP_SVC);
	ST_CHECK(svc_state(st, LOOP_SVC).state == APPMGR_BLOCKED, "crash loop: %s left blocked by itself", LOOP_SVC);
	ST_CHECK(st_am_call(st, APPMGRD_OP_UNBLOCK, LOOP_SVC, NULL, 0, NULL) == IPC_STATUS_OK, "crash loop: unblock %s",
		 LOOP_SVC);
	const uint64_t ms = wait_up(st, LOOP_SVC, nx_now_ms());
	s = svc_state(st, LOOP_SVC);
	ST_CHECK(s.state == APPMGR_RUNNING_BG && s.crash_count == 0, "crash loop: %s is %s with %u crashes after unblock",
		 LOOP_SVC, appmgr_state_name(s.state), (unsigned)s.crash_count);
	printf("SELFTEST: service crash-loop blocked ok svc=%s deaths=%u unblocked_answered_ms=%llu\n", LOOP_SVC, deaths,
	       (unsigned long long)ms);
	return kills;
}

unsigned st_service_restarts(struct st *st)
{
	const unsigned answered = restart_each(st);
	ST_CHECK(answered == NX_SUPERVISED_COUNT, "restart: %u of %u services answered again", answered,
		 NX_SUPERVISED_COUNT);
	printf("SELFTEST: services restarted ok count=%u\n", answered);
	return answered + crash_loop(st);
}
