/* The ability table generated from manifests/abilities.json, as the OS image compiles it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "lc/lifecycle.h"
#include "lc_wire.h"
#include "nx_abilities.h"

static void every_policy_is_one_the_lifecycle_core_takes(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		const struct lc_policy p = am_lc_policy(&nx_abilities[i].policy);
		if (lc_policy_check(&p) != 0)
			fail_msg("%s: policy refused by the core: %s", nx_abilities[i].name, lc_strerror(lc_policy_check(&p)));
	}
}

static void names_are_unique_task_names_and_modes_valid(void **state)
{
	(void)state;
	expect_eq("abilities within the core's capacity", 1, NX_ABILITY_COUNT <= LC_MAX_ABILITIES);
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++) {
		const struct nx_ability *a = &nx_abilities[i];
		expect_eq("name length 1..31", 1, strlen(a->name) >= 1 && strlen(a->name) <= APPMGR_NAME_MAX);
		expect_eq("image length 1..31", 1, strlen(a->image) >= 1 && strlen(a->image) <= NX_NAME_MAX);
		expect_eq("start mode", 1, a->start_mode == APPMGR_MODE_FG || a->start_mode == APPMGR_MODE_BG);
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(a->name, nx_abilities[j].name) == 0)
				fail_msg("ability %s listed twice", a->name);
		}
	}
}

static void schema_defaults_are_the_cores_defaults(void **state)
{
	(void)state;
	const struct appmgr_policy schema = NX_ABILITY_POLICY_DEFAULT;
	const struct lc_policy core = LC_POLICY_DEFAULT, got = am_lc_policy(&schema);
	expect_eq("schema defaults = LC_POLICY_DEFAULT", 0, memcmp(&got, &core, sizeof core));
}

static void demo_abilities_exercise_every_path(void **state)
{
	(void)state;
	const struct appmgr_policy def = NX_ABILITY_POLICY_DEFAULT;
	static const char *const names[] = { "hello",   "spinner", "crasher", "sleepy", "stubborn",
					     "storm-0", "storm-1", "storm-2", "storm-3", "dozer",   "slowpoke" };
	expect_eq("abilities", sizeof names / sizeof names[0], NX_ABILITY_COUNT);
	for (unsigned i = 0; i < NX_ABILITY_COUNT; i++)
		expect_eq(names[i], 0, strcmp(nx_abilities[i].name, names[i]));
	expect_eq("crasher uses the default policy", 0, memcmp(&nx_abilities[2].policy, &def, sizeof def));
	expect_eq("spinner has a CPU budget", 1, nx_abilities[1].policy.cpu_budget_ms_per_min > 0);
	expect_eq("spinner runs in the background", APPMGR_MODE_BG, nx_abilities[1].start_mode);
	expect_eq("spinner's FG limit is 500 ms", 500, nx_abilities[1].fg_cpu_limit_ms);
	expect_eq("crasher has the default FG limit", 10000, nx_abilities[2].fg_cpu_limit_ms);
	expect_eq("hello runs in the foreground", APPMGR_MODE_FG, nx_abilities[0].start_mode);
	expect_eq("sleepy's start timeout is short", 1, nx_abilities[3].policy.start_timeout_ms < def.start_timeout_ms);
	expect_eq("stubborn's stop timeout is short", 1, nx_abilities[4].policy.stop_timeout_ms < def.stop_timeout_ms);
	for (unsigned i = 5; i < 9; i++)
		expect_eq("the crash storm's abilities use the default policy", 0,
			  memcmp(&nx_abilities[i].policy, &def, sizeof def));
	expect_eq("dozer has spinner's CPU budget", nx_abilities[1].policy.cpu_budget_ms_per_min,
		  nx_abilities[9].policy.cpu_budget_ms_per_min);
	expect_eq("dozer runs in the background", APPMGR_MODE_BG, nx_abilities[9].start_mode);
	expect_eq("slowpoke's start timeout is 60 ms", 60, nx_abilities[10].policy.start_timeout_ms);
	expect_eq("slowpoke starts in the background", APPMGR_MODE_BG, nx_abilities[10].start_mode);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_policy_is_one_the_lifecycle_core_takes),
		cmocka_unit_test(names_are_unique_task_names_and_modes_valid),
		cmocka_unit_test(schema_defaults_are_the_cores_defaults),
		cmocka_unit_test(demo_abilities_exercise_every_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
