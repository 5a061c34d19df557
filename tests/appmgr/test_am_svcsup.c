/*
 * appmgrd's service supervisor (src/appmgrd/svcsup.h) against a fake spawner: restarts after
 * the policy's backoff, a crash loop ends blocked and stays so until unblocked, a refused
 * spawn counts as a crash, stale and foreign notices change nothing, the table's bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "svcsup.h"

#define INITIAL_MS 20
#define THRESHOLD 3

/* alpha, beta, then services s2.. up to one past the table's bound. */
static struct nx_supervised defs[AM_SVCS_MAX + 1];
static char names[AM_SVCS_MAX + 1][8];

static int fill_defs(void **state)
{
	(void)state;
	for (unsigned i = 0; i <= AM_SVCS_MAX; i++) {
		(void)snprintf(names[i], sizeof names[i], i == 0 ? "alpha" : i == 1 ? "beta" : "s%u", i);
		defs[i] = (struct nx_supervised){ names[i], names[i], INITIAL_MS, 1000, THRESHOLD, 60000, 60000 };
	}
	return 0;
}

/* The fake OS: spawns count, hand out task ids from 100, or fail with `refuse`. */
struct fake {
	unsigned spawns;
	long next_task;
	long refuse;
	long boot_task; /* what task_of() reports for every service */
	uint32_t killed;
};

static long fake_spawn(void *ctx, const struct nx_supervised *s)
{
	struct fake *f = ctx;
	(void)s;
	f->spawns++;
	return f->refuse != 0 ? f->refuse : f->next_task++;
}

static long fake_kill(void *ctx, uint32_t task)
{
	struct fake *f = ctx;
	f->killed = task;
	return 0;
}

static long fake_task_of(void *ctx, uint32_t i)
{
	const struct fake *f = ctx;
	return f->boot_task < 0 ? -1 : f->boot_task + (long)i;
}

static void setup(struct am_svcs *v, struct fake *f, uint32_t count)
{
	*f = (struct fake){ .next_task = 100, .boot_task = 10 };
	const struct am_svc_ops ops = { .spawn = fake_spawn, .kill = fake_kill, .ctx = f };
	expect_eq("init", 0, am_svcs_init(v, defs, count, &ops, 1000, fake_task_of));
}

static struct nx_exit_notice death(uint32_t task, uint64_t t_ms)
{
	return (struct nx_exit_notice){ .service_id = nx_service_id("alpha", 5), .task = task, .time_ms = t_ms,
					.reason = NX_REASON_CRASH, .cause = NX_CAUSE_KILLED };
}

static struct lc_status status(const struct am_svcs *v, int32_t *task)
{
	struct lc_status st;
	expect_eq("status", 0, am_svcs_status(v, 0, &st, task));
	return st;
}

static void a_dead_service_is_restarted_after_the_initial_backoff_not_before(void **state)
{
	(void)state;
	struct am_svcs v;
	struct fake f;
	setup(&v, &f, 2);
	expect_eq("boot tasks are taken, not spawned", 0, f.spawns);
	const struct nx_exit_notice n = death(10, 2000);
	expect_eq("a supervised service's notice", true, am_svcs_exit(&v, &n));
	int32_t task;
	expect_eq("in backoff", LC_BACKOFF, status(&v, &task).state);
	expect_eq("no task while down", (unsigned)-1, (unsigned)task);
	am_svcs_advance(&v, 2000 + INITIAL_MS - 1);
	expect_eq("not restarted one ms early", 0, f.spawns);
	am_svcs_advance(&v, 2000 + INITIAL_MS);
	expect_eq("restarted at the backoff", 1, f.spawns);
	const struct lc_status st = status(&v, &task);
	expect_eq("running again", LC_RUNNING_BG, st.state);
	expect_eq("its new task", 100, task);
	expect_eq("one crash counted", 1, st.crash_count);
}

static void a_crash_loop_ends_blocked_and_stays_down_until_unblocked(void **state)
{
	(void)state;
	struct am_svcs v;
	struct fake f;
	setup(&v, &f, 1);
	uint32_t task = 10;
	uint64_t t = 2000;
	for (unsigned k = 1; k < THRESHOLD; k++) {
		const struct nx_exit_notice n = death(task, t);
		expect_eq("notice", true, am_svcs_exit(&v, &n));
		am_svcs_advance(&v, t + 10000);
		expect_eq("restarted below the threshold", k, f.spawns);
		task = (uint32_t)f.next_task - 1;
		t += 10000;
	}
	const struct nx_exit_notice n = death(task, t);
	expect_eq("notice", true, am_svcs_exit(&v, &n));
	int32_t live;
	const struct lc_status st = status(&v, &live);
	expect_eq("blocked at the threshold", LC_BLOCKED, st.state);
	expect_eq("crash count", THRESHOLD, st.crash_count);
	am_svcs_advance(&v, t + 3600000);
	expect_eq("never restarted while blocked", THRESHOLD - 1, f.spawns);
	uint64_t next;
	expect_eq("no timer while blocked", (unsigned)-LC_ENOENT, (unsigned)am_svcs_deadline(&v, &next));
	expect_eq("unblock", 0, am_svcs_unblock(&v, 0, t + 3600000));
	expect_eq("started by the unblock", THRESHOLD, f.spawns);
	const struct lc_status after = status(&v, &live);
	expect_eq("running", LC_RUNNING_BG, after.state);
	expect_eq("crash count cleared", 0, after.crash_count);
	expect_eq("unblock of a running service", (unsigned)-LC_EINVALID_TRANSITION,
		  (unsigned)am_svcs_unblock(&v, 0, t + 3600001));
	expect_eq("kill its live task", 0, am_svcs_kill(&v, 0));
	expect_eq("the task killed", (unsigned)live, f.killed);
	expect_eq("kill past the table", (unsigned)-LC_ENOENT, (unsigned)am_svcs_kill(&v, 1));
}

static void a_refused_spawn_counts_as_a_crash_with_the_next_backoff(void **state)
{
	(void)state;
	struct am_svcs v;
	struct fake f;
	setup(&v, &f, 1);
	const struct nx_exit_notice n = death(10, 2000);
	expect_eq("notice", true, am_svcs_exit(&v, &n));
	f.refuse = -NX_EFULL;
	am_svcs_advance(&v, 2000 + INITIAL_MS);
	int32_t task;
	const struct lc_status st = status(&v, &task);
	expect_eq("one spawn tried", 1, f.spawns);
	expect_eq("back in backoff", LC_BACKOFF, st.state);
	expect_eq("doubled delay", 2 * INITIAL_MS, st.delay_ms);
	f.refuse = 0;
	am_svcs_advance(&v, 2000 + 3 * INITIAL_MS);
	expect_eq("running after the second try", LC_RUNNING_BG, status(&v, &task).state);
}

static void stale_and_foreign_notices_change_nothing(void **state)
{
	(void)state;
	struct am_svcs v;
	struct fake f;
	setup(&v, &f, 1);
	struct nx_exit_notice n = death(99, 2000);
	expect_eq("an old task of the service is still its notice", true, am_svcs_exit(&v, &n));
	int32_t task;
	expect_eq("still running", LC_RUNNING_BG, status(&v, &task).state);
	n.service_id = nx_service_id("gamma", 5);
	n.task = 10;
	expect_eq("not a supervised service", false, am_svcs_exit(&v, &n));
	expect_eq("still running", LC_RUNNING_BG, status(&v, &task).state);
	expect_eq("no spawn", 0, f.spawns);
}

static void a_service_without_a_task_at_init_is_started_at_once(void **state)
{
	(void)state;
	struct am_svcs v;
	struct fake f = { .next_task = 100, .boot_task = -1 };
	const struct am_svc_ops ops = { .spawn = fake_spawn, .kill = fake_kill, .ctx = &f };
	expect_eq("init", 0, am_svcs_init(&v, defs, 2, &ops, 1000, fake_task_of));
	expect_eq("both spawned", 2, f.spawns);
	int32_t task;
	expect_eq("running", LC_RUNNING_BG, status(&v, &task).state);
	expect_eq("find", 1, (unsigned)am_svcs_find(&v, "beta"));
	expect_eq("find unknown", (unsigned)-1, (unsigned)am_svcs_find(&v, "gamma"));
}

static void the_table_holds_its_most_services_and_refuses_one_more(void **state)
{
	(void)state;
	static struct am_svcs v;
	struct fake f = { .next_task = 100, .boot_task = 10 };
	const struct am_svc_ops ops = { .spawn = fake_spawn, .kill = fake_kill, .ctx = &f };
	expect_eq("AM_SVCS_MAX", 0, am_svcs_init(&v, defs, AM_SVCS_MAX, &ops, 1000, fake_task_of));
	expect_eq("one more", (unsigned)-LC_EINVAL, (unsigned)am_svcs_init(&v, defs, AM_SVCS_MAX + 1, &ops, 1000,
									  fake_task_of));
	struct lc_status st;
	expect_eq("status past the end", (unsigned)-LC_ENOENT, (unsigned)am_svcs_status(&v, AM_SVCS_MAX, &st, &(int32_t){ 0 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_dead_service_is_restarted_after_the_initial_backoff_not_before),
		cmocka_unit_test(a_crash_loop_ends_blocked_and_stays_down_until_unblocked),
		cmocka_unit_test(a_refused_spawn_counts_as_a_crash_with_the_next_backoff),
		cmocka_unit_test(stale_and_foreign_notices_change_nothing),
		cmocka_unit_test(a_service_without_a_task_at_init_is_started_at_once),
		cmocka_unit_test(the_table_holds_its_most_services_and_refuses_one_more),
	};
	return cmocka_run_group_tests(tests, fill_defs, NULL);
}
