/* appmgrd's table of change subscribers (src/appmgrd/subs.h): its bound, idempotence, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "subs.h"

static void the_table_takes_its_most_subscribers_and_refuses_one_more(void **state)
{
	(void)state;
	struct am_subs t = { .n = 0 };
	for (uint64_t id = 1; id <= APPMGR_SUBSCRIBERS_MAX; id++)
		expect_eq("add", 0, am_subs_add(&t, id));
	expect_eq("full", (unsigned)-NX_EFULL, (unsigned)am_subs_add(&t, 99));
	expect_eq("count unchanged by the refusal", APPMGR_SUBSCRIBERS_MAX, t.n);
	expect_eq("a subscriber again is no new entry", 0, am_subs_add(&t, 2));
	expect_eq("count", APPMGR_SUBSCRIBERS_MAX, t.n);
}

static void removing_keeps_the_others_in_order_and_frees_a_place(void **state)
{
	(void)state;
	struct am_subs t = { .n = 0 };
	for (uint64_t id = 1; id <= 3; id++)
		expect_eq("add", 0, am_subs_add(&t, id));
	t.s[2].seq = 7;
	expect_eq("remove the first", 0, am_subs_remove(&t, 1));
	expect_eq("count", 2, t.n);
	expect_eq("order kept", 2, t.s[0].id);
	expect_eq("state moves with its entry", 7, t.s[1].seq);
	expect_eq("not subscribed", (unsigned)-NX_ENOENT, (unsigned)am_subs_remove(&t, 1));
	expect_eq("count unchanged", 2, t.n);
	expect_eq("remove the last", 0, am_subs_remove(&t, 3));
	expect_eq("remove the only one", 0, am_subs_remove(&t, 2));
	expect_eq("empty", 0, t.n);
	expect_eq("empty: nothing to remove", (unsigned)-NX_ENOENT, (unsigned)am_subs_remove(&t, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_table_takes_its_most_subscribers_and_refuses_one_more),
		cmocka_unit_test(removing_keeps_the_others_in_order_and_frees_a_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
