/* appmgrd's persistent record of an ability (src/appmgrd/persist.h): layout, bounds, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "persist.h"

static struct am_record full(void)
{
	struct am_record r = { .blocked = 1, .crash_count = 0x01020304u, .delay_ms = 15000, .count = AM_DEATHS_MAX };
	for (uint8_t i = 0; i < AM_DEATHS_MAX; i++)
		r.deaths[i] = (struct appmgr_death){ .boot = 7u + i, .t_ms = 0x0100000000ULL + i, .reason = i % APPMGR_REASON_COUNT };
	return r;
}

/* Do `a` and `b` hold the same record (field by field: the structs have padding)? */
static int same_record(const struct am_record *a, const struct am_record *b)
{
	if (a->blocked != b->blocked || a->crash_count != b->crash_count || a->delay_ms != b->delay_ms ||
	    a->count != b->count)
		return 0;
	for (size_t i = 0; i < AM_DEATHS_MAX; i++) {
		const struct appmgr_death *x = &a->deaths[i], *y = &b->deaths[i];
		if (x->boot != y->boot || x->t_ms != y->t_ms || x->reason != y->reason)
			return 0;
	}
	return 1;
}

/* Is every byte of the `n` at `p` `v` (a struct a refused decode must not have written)? */
static int all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != v)
			return 0;
	}
	return 1;
}

static void a_full_record_round_trips_byte_for_byte(void **state)
{
	(void)state;
	const struct am_record r = full();
	struct am_record got;
	uint8_t buf[AM_RECORD_LEN(AM_DEATHS_MAX)];
	expect_eq("small buffer", (unsigned)-NX_EINVAL, (unsigned)am_record_encode(&r, buf, sizeof buf - 1));
	expect_eq("encode", sizeof buf, am_record_encode(&r, buf, sizeof buf));
	expect_eq("version", AM_RECORD_VERSION, buf[0]);
	expect_eq("blocked", 1, buf[1]);
	expect_eq("crash count low byte", 4, buf[2]);
	expect_eq("count", AM_DEATHS_MAX, buf[10]);
	expect_eq("first death's boot", 7, buf[11]);
	expect_eq("second death's reason", 1, buf[11 + 13 + 12]);
	memset(&got, 0, sizeof got);
	expect_eq("decode", 0, am_record_decode(buf, sizeof buf, &got));
	expect_eq("round trip", 1, same_record(&got, &r));
}

static void malformed_records_are_refused_and_change_nothing(void **state)
{
	(void)state;
	struct am_record r = full(), got;
	uint8_t buf[AM_RECORD_LEN(AM_DEATHS_MAX) + 1];
	const int len = am_record_encode(&r, buf, sizeof buf);
	struct {
		const char *what;
		size_t at;
		uint8_t value;
		size_t len;
	} bad[] = {
		{ "version 2", 0, 2, (size_t)len },
		{ "blocked 2", 1, 2, (size_t)len },
		{ "count 17", 10, AM_DEATHS_MAX + 1, (size_t)len },
		{ "reason out of range", 11 + 12, APPMGR_REASON_COUNT, (size_t)len },
		{ "one byte short", 0, AM_RECORD_VERSION, (size_t)len - 1 },
		{ "one byte long", 0, AM_RECORD_VERSION, (size_t)len + 1 },
		{ "header only, count 16", 0, AM_RECORD_VERSION, AM_RECORD_LEN(0) },
		{ "below a header", 0, AM_RECORD_VERSION, AM_RECORD_LEN(0) - 1 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t copy[sizeof buf];
		memcpy(copy, buf, sizeof buf);
		copy[bad[i].at] = bad[i].value;
		memset(&got, 0x33, sizeof got);
		if (am_record_decode(copy, bad[i].len, &got) != -NX_EINVAL)
			fail_msg("%s: not refused", bad[i].what);
		if (!all_bytes(&got, sizeof got, 0x33))
			fail_msg("%s: refused but written", bad[i].what);
	}
	r.count = AM_DEATHS_MAX + 1;
	expect_eq("encode of 17 deaths", (unsigned)-NX_EINVAL, (unsigned)am_record_encode(&r, buf, sizeof buf));
	r.count = 0;
	r.blocked = 2;
	expect_eq("encode of blocked 2", (unsigned)-NX_EINVAL, (unsigned)am_record_encode(&r, buf, sizeof buf));
}

static void adding_a_death_to_a_full_record_drops_the_oldest(void **state)
{
	(void)state;
	struct am_record r = { .count = 0 };
	for (uint32_t i = 0; i < AM_DEATHS_MAX + 3; i++) {
		const struct appmgr_death d = { .boot = 1, .t_ms = i, .reason = APPMGR_REASON_CRASH };
		am_record_add_death(&r, &d);
	}
	expect_eq("count stays at the bound", AM_DEATHS_MAX, r.count);
	expect_eq("oldest kept", 3, r.deaths[0].t_ms);
	expect_eq("newest last", AM_DEATHS_MAX + 2, r.deaths[AM_DEATHS_MAX - 1].t_ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_full_record_round_trips_byte_for_byte),
		cmocka_unit_test(malformed_records_are_refused_and_change_nothing),
		cmocka_unit_test(adding_a_death_to_a_full_record_drops_the_oldest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
