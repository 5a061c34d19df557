/*
 * The boot-control record's transitions (proto/ota.h, ota_slots_*): every transition from
 * every valid record, against a model written here from docs/ota.md's table of a slot's
 * states, and every bound of a staged image at and one past it. A refusal must leave the
 * record byte for byte as it was; a success must leave a valid record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ota.h"

/* Valid records: the active slot BUILTIN or GOOD (2) at A or B (2); with a trial the other is
 * TRIAL (1), without one EMPTY, BUILTIN, STAGED, GOOD or FAILED (5): 2 * 2 * (1 + 5). */
#define VALID_RECORDS 24u
#define MAX_RECORDS (2u * 2u * OTA_SLOT_STATE_COUNT * OTA_SLOT_STATE_COUNT)

/* A slot of `state` with the fields its state calls for; `v` is the version of a stored image. */
static struct ota_slot slot_of(uint8_t state, uint32_t v)
{
	struct ota_slot s;
	memset(&s, 0, sizeof s);
	s.state = state;
	if (state == OTA_SLOT_BUILTIN) {
		s.version = OTA_BUILTIN_VERSION;
	} else if (state != OTA_SLOT_EMPTY) {
		s.version = v;
		s.image_len = 1000u + v;
		s.health_window_ms = 2000u + v;
		memset(s.sha512, (int)v, sizeof s.sha512);
	}
	return s;
}

/* Every record the encoder takes, of every active index, trial flag and pair of states. */
static unsigned valid_records(struct ota_bootctl *out)
{
	unsigned n = 0;
	for (uint8_t active = 0; active < 2; active++) {
		for (uint8_t trial = 0; trial < 2; trial++) {
			for (unsigned sa = 0; sa < OTA_SLOT_STATE_COUNT; sa++) {
				for (unsigned sb = 0; sb < OTA_SLOT_STATE_COUNT; sb++) {
					struct ota_bootctl c;
					memset(&c, 0, sizeof c);
					c.active = active;
					c.trial = trial;
					c.failed_version = 77;
					c.slot[0] = slot_of((uint8_t)sa, 5);
					c.slot[1] = slot_of((uint8_t)sb, 9);
					uint8_t buf[OTA_BOOTCTL_LEN];
					if (ota_bootctl_encode(&c, buf, sizeof buf) == (int)OTA_BOOTCTL_LEN)
						out[n++] = c;
				}
			}
		}
	}
	return n;
}

/* The encoded bytes of a valid record. */
static void bytes_of(const struct ota_bootctl *c, uint8_t out[OTA_BOOTCTL_LEN])
{
	assert_int_equal(ota_bootctl_encode(c, out, OTA_BOOTCTL_LEN), OTA_BOOTCTL_LEN);
}

static void expect_same(const struct ota_bootctl *got, const struct ota_bootctl *want)
{
	uint8_t a[OTA_BOOTCTL_LEN], b[OTA_BOOTCTL_LEN];
	bytes_of(got, a);
	bytes_of(want, b);
	assert_memory_equal(a, b, sizeof a);
}

enum op { OP_CLEAR_UP, OP_CLEAR_SAME, OP_STAGED, OP_SWITCH, OP_COMMIT, OP_ROLLBACK, OP_COUNT };

static const uint8_t digest[BUNDLE_DIGEST_LEN] = { 0x42 };

static int apply(enum op op, struct ota_bootctl *c)
{
	const uint32_t active_version = c->slot[c->active].version;
	switch (op) {
	case OP_CLEAR_UP:
		return ota_slots_clear(c, active_version + 1);
	case OP_CLEAR_SAME:
		return ota_slots_clear(c, active_version);
	case OP_STAGED:
		return ota_slots_staged(c, 12, 3000, 4000, digest);
	case OP_SWITCH:
		return ota_slots_switch(c);
	case OP_COMMIT:
		return ota_slots_commit(c);
	default:
		return ota_slots_rollback(c);
	}
}

/* The model: what `op` makes of `c` (returns false when the op must be refused). */
static bool model(enum op op, const struct ota_bootctl *c, struct ota_bootctl *want, int *ret)
{
	const unsigned act = c->active, other = 1u - act;
	const uint8_t o = c->slot[other].state;
	*want = *c;
	*ret = 0;
	switch (op) {
	case OP_CLEAR_UP:
		if (c->trial)
			return false;
		memset(&want->slot[other], 0, sizeof want->slot[other]);
		*ret = (int)other;
		return true;
	case OP_CLEAR_SAME:
		return false; /* not above the active version: a downgrade */
	case OP_STAGED:
		if (c->trial || o != OTA_SLOT_EMPTY)
			return false;
		want->slot[other] = slot_of(OTA_SLOT_STAGED, 12);
		want->slot[other].image_len = 3000;
		want->slot[other].health_window_ms = 4000;
		memcpy(want->slot[other].sha512, digest, sizeof digest);
		return true;
	case OP_SWITCH:
		if (c->trial || o != OTA_SLOT_STAGED)
			return false;
		want->slot[other].state = OTA_SLOT_TRIAL;
		want->trial = 1;
		return true;
	case OP_COMMIT:
		if (!c->trial)
			return false;
		want->slot[other].state = OTA_SLOT_GOOD;
		want->active = (uint8_t)other;
		want->trial = 0;
		return true;
	default: {
		if (!c->trial && o != OTA_SLOT_GOOD && o != OTA_SLOT_BUILTIN)
			return false;
		const unsigned from = c->trial ? other : act;
		want->failed_version = c->slot[from].version;
		if (c->slot[from].state == OTA_SLOT_BUILTIN)
			memset(&want->slot[from], 0, sizeof want->slot[from]);
		else
			want->slot[from].state = OTA_SLOT_FAILED;
		want->active = (uint8_t)(1u - from);
		want->trial = 0;
		*ret = (int)from;
		return true;
	}
	}
}

static void test_there_are_24_valid_records(void **state)
{
	(void)state;
	struct ota_bootctl all[MAX_RECORDS];
	assert_int_equal(valid_records(all), VALID_RECORDS);
}

static void test_every_transition_from_every_record_follows_the_model(void **state)
{
	(void)state;
	struct ota_bootctl all[MAX_RECORDS];
	const unsigned n = valid_records(all);
	unsigned taken[OP_COUNT] = { 0 };
	for (unsigned i = 0; i < n; i++) {
		for (unsigned op = 0; op < OP_COUNT; op++) {
			struct ota_bootctl c = all[i], want;
			int ret;
			const bool allowed = model((enum op)op, &all[i], &want, &ret);
			const int got = apply((enum op)op, &c);
			if (!allowed) {
				assert_int_equal(got, -NX_EINVAL);
				expect_same(&c, &all[i]);
				continue;
			}
			taken[op]++;
			assert_int_equal(got, ret);
			expect_same(&c, &want); /* valid (it encodes) and as the model says */
		}
	}
	/* How many records allow each op (counted from the rules, not from the code):
	 * clear: the 20 without a trial; staged: EMPTY other, 2 * 2; switch: STAGED other, 4;
	 * commit: the 4 with a trial; rollback: the 4 trials + GOOD or BUILTIN other, 2 * 2 * 2. */
	assert_int_equal(taken[OP_CLEAR_UP], 20);
	assert_int_equal(taken[OP_CLEAR_SAME], 0);
	assert_int_equal(taken[OP_STAGED], 4);
	assert_int_equal(taken[OP_SWITCH], 4);
	assert_int_equal(taken[OP_COMMIT], 4);
	assert_int_equal(taken[OP_ROLLBACK], 12);
}

/* The update's path end to end: stage, switch, commit; again, then a rollback; then back. */
static void test_a_slot_goes_empty_staged_trial_good_then_failed(void **state)
{
	(void)state;
	struct ota_bootctl c;
	ota_bootctl_initial(&c);
	assert_int_equal(ota_slots_clear(&c, 2), 1);
	assert_int_equal(ota_slots_staged(&c, 2, 100, 10000, digest), 0);
	assert_int_equal(ota_slots_switch(&c), 0);
	assert_int_equal(ota_slots_commit(&c), 0);
	assert_int_equal(c.active, 1);
	assert_int_equal(c.slot[1].state, OTA_SLOT_GOOD);
	assert_int_equal(c.slot[0].state, OTA_SLOT_BUILTIN);
	assert_int_equal(ota_slots_clear(&c, 2), -NX_EINVAL); /* version 2 again: a downgrade */
	assert_int_equal(ota_slots_clear(&c, 3), 0);          /* over the built-in image */
	assert_int_equal(ota_slots_staged(&c, 3, 200, 10000, digest), 0);
	assert_int_equal(ota_slots_switch(&c), 0);
	assert_int_equal(ota_slots_rollback(&c), 0);
	assert_int_equal(c.active, 1);
	assert_int_equal(c.slot[0].state, OTA_SLOT_FAILED);
	assert_int_equal(c.failed_version, 3);
	assert_int_equal(ota_slots_rollback(&c), -NX_EINVAL); /* a failed slot is no way back */
	assert_int_equal(ota_slots_switch(&c), -NX_EINVAL);   /* nor a trial */
}

/* Rolling back the built-in image (no trial) leaves its slot empty: it has no bytes. */
static void test_rollback_away_from_the_builtin_image_empties_its_slot(void **state)
{
	(void)state;
	struct ota_bootctl c;
	ota_bootctl_initial(&c);
	c.slot[1] = slot_of(OTA_SLOT_GOOD, 4);
	assert_int_equal(ota_slots_rollback(&c), 0);
	assert_int_equal(c.active, 1);
	assert_int_equal(c.slot[0].state, OTA_SLOT_EMPTY);
	assert_int_equal(c.slot[0].version, 0);
	assert_int_equal(c.failed_version, OTA_BUILTIN_VERSION);
}

static void staged_bound(uint32_t version, uint32_t len, uint32_t window, int want)
{
	struct ota_bootctl c, before;
	ota_bootctl_initial(&c);
	before = c;
	assert_int_equal(ota_slots_staged(&c, version, len, window, digest), want);
	if (want != 0)
		expect_same(&c, &before);
	else
		assert_int_equal(c.slot[1].state, OTA_SLOT_STAGED);
}

static void test_a_staged_image_is_checked_at_every_bound(void **state)
{
	(void)state;
	staged_bound(1, 1, 1, 0);
	staged_bound(0, 1, 1, -NX_EINVAL);
	staged_bound(UINT32_MAX, NX_SPAWN_ELF_MAX, OTA_HEALTH_WINDOW_MAX_MS, 0);
	staged_bound(2, 0, 1, -NX_EINVAL);
	staged_bound(2, NX_SPAWN_ELF_MAX + 1, 1, -NX_EINVAL);
	staged_bound(2, 1, 0, -NX_EINVAL);
	staged_bound(2, 1, OTA_HEALTH_WINDOW_MAX_MS + 1, -NX_EINVAL);
}

/* clear: a version at the active one is refused, one above it taken, at every active version. */
static void test_clear_needs_a_version_above_the_active_one(void **state)
{
	(void)state;
	struct ota_bootctl c;
	ota_bootctl_initial(&c);
	c.active = 1;
	c.slot[1] = slot_of(OTA_SLOT_GOOD, 40);
	c.slot[0] = slot_of(OTA_SLOT_FAILED, 41);
	const struct ota_bootctl before = c;
	assert_int_equal(ota_slots_clear(&c, 39), -NX_EINVAL);
	assert_int_equal(ota_slots_clear(&c, 40), -NX_EINVAL);
	expect_same(&c, &before);
	assert_int_equal(ota_slots_clear(&c, 41), 0);
	assert_int_equal(c.slot[0].state, OTA_SLOT_EMPTY);
	assert_int_equal(c.slot[1].version, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_there_are_24_valid_records),
		cmocka_unit_test(test_every_transition_from_every_record_follows_the_model),
		cmocka_unit_test(test_a_slot_goes_empty_staged_trial_good_then_failed),
		cmocka_unit_test(test_rollback_away_from_the_builtin_image_empties_its_slot),
		cmocka_unit_test(test_a_staged_image_is_checked_at_every_bound),
		cmocka_unit_test(test_clear_needs_a_version_above_the_active_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
