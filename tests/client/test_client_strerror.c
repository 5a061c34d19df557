/* The client libraries' error names: each code has its own, the last one too; one past the
 * last, a positive value and INT_MIN are "unknown error" (and the table is not read past). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client/keystore.h"
#include "client/ota.h"
#include "client/rng.h"
#include "client/statefs.h"

/* Every code from 0 to the last has a name of its own, not the unknown one, and no two agree. */
static void expect_names(const char *(*name)(int), int count)
{
	for (int e = 0; e < count; e++) {
		const char *s = name(-e);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		for (int o = 0; o < e; o++)
			assert_string_not_equal(s, name(-o));
	}
	assert_string_equal(name(0), "ok");
	assert_string_equal(name(-count), "unknown error");
	assert_string_equal(name(1), "unknown error");
	assert_string_equal(name(INT_MIN), "unknown error");
}

static void statefs_strerror_names_the_last_code_and_not_one_past(void **state)
{
	(void)state;
	assert_int_equal(STATEFS_EMALFORMED, STATEFS_ERR_COUNT - 1);
	assert_string_equal(statefs_strerror(-STATEFS_EMALFORMED), "malformed request or reply");
	expect_names(statefs_strerror, STATEFS_ERR_COUNT);
}

static void ota_strerror_names_the_last_code_and_not_one_past(void **state)
{
	(void)state;
	assert_int_equal(OTA_EMALFORMED, OTA_ERR_COUNT - 1);
	assert_string_equal(ota_strerror(-OTA_EMALFORMED), "malformed reply");
	expect_names(ota_strerror, OTA_ERR_COUNT);
}

static void keystore_strerror_names_the_last_code_and_not_one_past(void **state)
{
	(void)state;
	assert_int_equal(KEYSTORE_EMALFORMED, KEYSTORE_ERR_COUNT - 1);
	assert_string_equal(keystore_strerror(-KEYSTORE_EMALFORMED), "malformed request or reply");
	expect_names(keystore_strerror, KEYSTORE_ERR_COUNT);
}

static void rng_strerror_names_the_last_code_and_not_one_past(void **state)
{
	(void)state;
	assert_int_equal(RNG_EIPC, RNG_ERR_COUNT - 1);
	assert_string_equal(rng_strerror(-RNG_EIPC), "the call to rngd failed");
	assert_string_equal(rng_strerror(-RNG_EEXHAUSTED), "the entropy source is exhausted");
	expect_names(rng_strerror, RNG_ERR_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(statefs_strerror_names_the_last_code_and_not_one_past),
		cmocka_unit_test(ota_strerror_names_the_last_code_and_not_one_past),
		cmocka_unit_test(keystore_strerror_names_the_last_code_and_not_one_past),
		cmocka_unit_test(rng_strerror_names_the_last_code_and_not_one_past),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
