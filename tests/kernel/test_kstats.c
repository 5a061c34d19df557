/* The direct path's deliveries added into nx_kstats when it is read (kernel-shim/task.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "task.h"

/* Each delivery is one message sent and delivered, one handoff, one switch and one switch of
 * its hart into a task of its class; nothing else of the counters moves. */
static void direct_deliveries_add_to_the_four_counters_they_stand_for(void **state)
{
	(void)state;
	struct nx_kstats k = { .ipc_sent = 10, .ipc_delivered = 9, .handoffs = 2, .context_switches = 30,
			       .ipc_would_block = 4, .sleeps = 5 };
	k.qos_runs[1][2] = 5;
	ks_kstats_add_direct(&k, 1, 2, 7);
	assert_true(k.ipc_sent == 17);
	assert_true(k.ipc_delivered == 16);
	assert_true(k.handoffs == 9);
	assert_true(k.context_switches == 37);
	assert_true(k.qos_runs[1][2] == 12);
	assert_true(k.ipc_would_block == 4);
	assert_true(k.sleeps == 5);
	for (unsigned h = 0; h < NX_MAX_HARTS; h++) {
		for (unsigned c = 0; c < NX_QOS_COUNT; c++)
			assert_true(k.qos_runs[h][c] == (h == 1 && c == 2 ? 12 : 0));
	}
}

/* Counters saturate, never wrap (nx/abi.h): so does the sum, at and one past the limit. */
static void the_sum_saturates_and_never_wraps(void **state)
{
	(void)state;
	struct nx_kstats k = { .ipc_sent = UINT64_MAX - 3, .ipc_delivered = UINT64_MAX, .handoffs = 0,
			       .context_switches = 4 };
	k.qos_runs[0][0] = UINT64_MAX - 1;
	ks_kstats_add_direct(&k, 0, 0, 3);
	assert_true(k.qos_runs[0][0] == UINT64_MAX);
	assert_true(k.ipc_sent == UINT64_MAX);
	assert_true(k.ipc_delivered == UINT64_MAX);
	assert_true(k.handoffs == 3);
	k.ipc_sent = UINT64_MAX - 2;
	ks_kstats_add_direct(&k, 3, 1, UINT64_MAX);
	assert_true(k.qos_runs[3][1] == UINT64_MAX);
	assert_true(k.ipc_sent == UINT64_MAX);
	assert_true(k.handoffs == UINT64_MAX);
	assert_true(k.context_switches == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(direct_deliveries_add_to_the_four_counters_they_stand_for),
		cmocka_unit_test(the_sum_saturates_and_never_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
