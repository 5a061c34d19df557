/* The timeline's update and rollback-reason names, at the last value and one past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "timeline.h"

static void update_name_of_the_last_kind_is_rolled_back_and_one_past_is_null(void **state)
{
	(void)state;
	assert_int_equal(TL_ROLLED_BACK, TL_UPDATE_KIND_COUNT - 1);
	assert_string_equal(tl_update_name(TL_STAGED), "staged");
	assert_string_equal(tl_update_name(TL_ROLLED_BACK), "rolled_back");
	assert_null(tl_update_name(TL_UPDATE_KIND_COUNT));
	assert_null(tl_update_name(~0U));
}

static void why_name_of_the_last_reason_is_appmgrd_and_one_past_is_null(void **state)
{
	(void)state;
	assert_int_equal(TL_WHY_APPMGRD, TL_WHY_COUNT - 1);
	assert_null(tl_why_name(TL_WHY_NONE));
	assert_string_equal(tl_why_name(TL_WHY_CRASH_LOOP), "crash_loop");
	assert_string_equal(tl_why_name(TL_WHY_APPMGRD), "appmgrd");
	assert_null(tl_why_name(TL_WHY_COUNT));
	assert_null(tl_why_name(~0U));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(update_name_of_the_last_kind_is_rolled_back_and_one_past_is_null),
		cmocka_unit_test(why_name_of_the_last_reason_is_appmgrd_and_one_past_is_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
