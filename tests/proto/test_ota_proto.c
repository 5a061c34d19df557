/*
 * updated's request and reply data and its boot-control record (proto/ota.h): byte layouts
 * against hand-written bytes, every rule of the record, every bound at and one past it, and
 * every refusal leaving its output as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "proto/execd.h"
#include "proto/ota.h"

#define REFUSED (-NX_EINVAL)
#define NAME31 "abcdefghijklmnopqrstuvwxyz01234"
#define NAME32 "abcdefghijklmnopqrstuvwxyz012345"

/* The fill of outputs whose bytes a refusal must leave alone. */
#define FILL 0xA5

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void expect_all(const char *what, const uint8_t *p, size_t n, uint8_t value)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != value)
			fail_msg("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, p[i], value);
	}
}

static void expect_bytes(const char *what, const uint8_t *want, const uint8_t *got, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (want[i] != got[i])
			fail_msg("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, got[i], want[i]);
	}
}

/* ---- records: the test's own layout (the header's table, no rules), and fixtures ---- */

/* A record's bytes as the header lays them out, whatever the rules say. */
static void record_layout(const struct ota_bootctl *c, uint8_t out[OTA_BOOTCTL_LEN])
{
	memset(out, 0, OTA_BOOTCTL_LEN);
	out[0] = OTA_BOOTCTL_FORMAT;
	out[1] = c->active;
	out[2] = c->trial;
	put32(out + 4, c->failed_version);
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *p = out + 8 + i * (16 + BUNDLE_DIGEST_LEN);
		p[0] = c->slot[i].state;
		put32(p + 4, c->slot[i].version);
		put32(p + 8, c->slot[i].image_len);
		put32(p + 12, c->slot[i].health_window_ms);
		memcpy(p + 16, c->slot[i].sha512, BUNDLE_DIGEST_LEN);
	}
}

/* A status reply's bytes as the header lays them out. */
static void status_layout(const struct ota_status *s, uint8_t out[OTA_STATUS_LEN])
{
	out[0] = s->ctl.active;
	out[1] = s->ctl.trial;
	out[2] = s->last_event;
	out[3] = 0;
	put32(out + 4, s->ctl.failed_version);
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *p = out + 8 + i * 13;
		p[0] = s->ctl.slot[i].state;
		put32(p + 1, s->ctl.slot[i].version);
		put32(p + 5, s->ctl.slot[i].image_len);
		put32(p + 9, s->ctl.slot[i].health_window_ms);
	}
	put64(out + 34, s->event_ms);
	put64(out + 42, s->ready_ms);
}

static struct ota_slot builtin_slot(void)
{
	return (struct ota_slot){ .state = OTA_SLOT_BUILTIN, .version = OTA_BUILTIN_VERSION };
}

static struct ota_slot empty_slot(void)
{
	return (struct ota_slot){ .state = OTA_SLOT_EMPTY };
}

static struct ota_slot stored_slot(uint8_t state, uint32_t version)
{
	struct ota_slot s = { .state = state, .version = version, .image_len = 1000, .health_window_ms = 5000 };
	for (unsigned i = 0; i < BUNDLE_DIGEST_LEN; i++)
		s.sha512[i] = (uint8_t)(0x40 + i);
	return s;
}

/* A slot of `state` that keeps every per-slot rule. */
static struct ota_slot slot_of(uint8_t state)
{
	if (state == OTA_SLOT_EMPTY)
		return empty_slot();
	if (state == OTA_SLOT_BUILTIN)
		return builtin_slot();
	return stored_slot(state, 2);
}

static struct ota_bootctl record(uint8_t active, uint8_t trial, struct ota_slot a, struct ota_slot b)
{
	struct ota_bootctl c;
	memset(&c, 0, sizeof c);
	c.active = active;
	c.trial = trial;
	c.slot[0] = a;
	c.slot[1] = b;
	return c;
}

/* Slot A built in and active, B on trial. */
static struct ota_bootctl trial_record(void)
{
	return record(0, 1, builtin_slot(), stored_slot(OTA_SLOT_TRIAL, 2));
}

static void expect_ctl_eq(const char *what, const struct ota_bootctl *want, const struct ota_bootctl *got,
			  bool digests)
{
	if (got->active != want->active || got->trial != want->trial || got->failed_version != want->failed_version)
		fail_msg("%s: active/trial/failed_version %u/%u/%u, expected %u/%u/%u", what, got->active, got->trial,
			 (unsigned)got->failed_version, want->active, want->trial, (unsigned)want->failed_version);
	for (unsigned i = 0; i < 2; i++) {
		const struct ota_slot *w = &want->slot[i], *g = &got->slot[i];
		if (g->state != w->state || g->version != w->version || g->image_len != w->image_len ||
		    g->health_window_ms != w->health_window_ms)
			fail_msg("%s: slot %u state/version/image_len/window %u/%u/%u/%u, expected %u/%u/%u/%u", what, i,
				 g->state, (unsigned)g->version, (unsigned)g->image_len, (unsigned)g->health_window_ms,
				 w->state, (unsigned)w->version, (unsigned)w->image_len, (unsigned)w->health_window_ms);
		for (unsigned k = 0; k < BUNDLE_DIGEST_LEN; k++) {
			const uint8_t expected = digests ? w->sha512[k] : 0;
			if (g->sha512[k] != expected)
				fail_msg("%s: slot %u digest byte %u is 0x%02x, expected 0x%02x", what, i, k, g->sha512[k],
					 expected);
		}
	}
}

/*
 * `c` as a record: valid, it encodes to exactly its layout (nothing past it written) and
 * the layout decodes back to it; otherwise the encoder refuses and writes nothing, and the
 * decoder refuses its layout and leaves the output as it was.
 */
static void expect_record(const char *what, const struct ota_bootctl *c, bool valid)
{
	uint8_t raw[OTA_BOOTCTL_LEN], buf[OTA_BOOTCTL_LEN + 8];
	struct ota_bootctl got, before;
	record_layout(c, raw);
	memset(buf, FILL, sizeof buf);
	memset(&got, FILL, sizeof got);
	memset(&before, FILL, sizeof before);
	const int n = ota_bootctl_encode(c, buf, sizeof buf);
	const int rc = ota_bootctl_decode(raw, sizeof raw, &got);
	if (valid) {
		if (n != (int)OTA_BOOTCTL_LEN)
			fail_msg("%s: a valid record's encode returned %d", what, n);
		expect_bytes(what, raw, buf, sizeof raw);
		expect_all("nothing past the record", buf + OTA_BOOTCTL_LEN, sizeof buf - OTA_BOOTCTL_LEN, FILL);
		if (rc != 0)
			fail_msg("%s: a valid record's decode returned %d", what, rc);
		expect_ctl_eq(what, c, &got, true);
	} else {
		if (n != REFUSED)
			fail_msg("%s: encode returned %d, expected a refusal", what, n);
		expect_all("nothing written by a refused encode", buf, sizeof buf, FILL);
		if (rc != REFUSED)
			fail_msg("%s: decode returned %d, expected a refusal", what, rc);
		if (!same_bytes(&got, &before, sizeof got))
			fail_msg("%s: a refused decode changed its output", what);
	}
}

/* The same for a status reply carrying `c` (digests are not sent, so they do not count). */
static void expect_status(const char *what, const struct ota_bootctl *c, bool valid)
{
	const struct ota_status s = { .ctl = *c, .last_event = OTA_EV_ROLLED_BACK, .event_ms = 5, .ready_ms = 6 };
	uint8_t raw[OTA_STATUS_LEN], buf[OTA_STATUS_LEN + 8];
	struct ota_status got, before;
	status_layout(&s, raw);
	memset(buf, FILL, sizeof buf);
	memset(&got, FILL, sizeof got);
	memset(&before, FILL, sizeof before);
	const int n = ota_status_encode(&s, buf, sizeof buf);
	const int rc = ota_status_decode(raw, sizeof raw, &got);
	if (valid) {
		if (n != (int)OTA_STATUS_LEN)
			fail_msg("%s: a valid status encode returned %d", what, n);
		expect_bytes(what, raw, buf, sizeof raw);
		expect_all("nothing past the status", buf + OTA_STATUS_LEN, sizeof buf - OTA_STATUS_LEN, FILL);
		if (rc != 0)
			fail_msg("%s: a valid status decode returned %d", what, rc);
		expect_ctl_eq(what, c, &got.ctl, false);
		expect_eq("last_event", OTA_EV_ROLLED_BACK, got.last_event);
		expect_eq("event_ms", 5, got.event_ms);
		expect_eq("ready_ms", 6, got.ready_ms);
	} else {
		if (n != REFUSED)
			fail_msg("%s: status encode returned %d, expected a refusal", what, n);
		expect_all("nothing written by a refused status encode", buf, sizeof buf, FILL);
		if (rc != REFUSED)
			fail_msg("%s: status decode returned %d, expected a refusal", what, rc);
		if (!same_bytes(&got, &before, sizeof got))
			fail_msg("%s: a refused status decode changed its output", what);
	}
}

/* A rule of the record: the record and a status reply carrying it agree. */
static void expect_rule(const char *what, const struct ota_bootctl *c, bool valid)
{
	expect_record(what, c, valid);
	expect_status(what, c, valid);
}

/* ---- names ---- */

static void slot_and_event_names_match_their_enums_and_others_are_a_question_mark(void **state)
{
	(void)state;
	static const char *const slots[] = { "empty", "builtin", "staged", "trial", "good", "failed" };
	static const char *const events[] = { "none", "staged", "switched", "committed", "rolled_back" };
	expect_eq("six states", OTA_SLOT_STATE_COUNT, sizeof slots / sizeof slots[0]);
	expect_eq("five events", OTA_EV_COUNT, sizeof events / sizeof events[0]);
	for (unsigned i = 0; i < OTA_SLOT_STATE_COUNT; i++) {
		if (strcmp(ota_slot_state_name(i), slots[i]) != 0)
			fail_msg("state %u named \"%s\", expected \"%s\"", i, ota_slot_state_name(i), slots[i]);
	}
	for (unsigned i = 0; i < OTA_EV_COUNT; i++) {
		if (strcmp(ota_event_name(i), events[i]) != 0)
			fail_msg("event %u named \"%s\", expected \"%s\"", i, ota_event_name(i), events[i]);
	}
	expect_eq("state past the count", 0, strcmp(ota_slot_state_name(OTA_SLOT_STATE_COUNT), "?"));
	expect_eq("state UINT_MAX", 0, strcmp(ota_slot_state_name(~0U), "?"));
	expect_eq("event past the count", 0, strcmp(ota_event_name(OTA_EV_COUNT), "?"));
	expect_eq("event UINT_MAX", 0, strcmp(ota_event_name(~0U), "?"));
}

/* ---- statefsd keys ---- */

static void image_prefix_is_updated_img_app_then_a_for_slot_0_and_b_for_slot_1(void **state)
{
	(void)state;
	char out[64];
	expect_eq("slot 0", 0, ota_image_prefix("hello", 0, out, sizeof out));
	expect_eq("slot 0 prefix", 0, strcmp(out, "/updated/img/hello/a/"));
	expect_eq("slot 1", 0, ota_image_prefix("hello", 1, out, sizeof out));
	expect_eq("slot 1 prefix", 0, strcmp(out, "/updated/img/hello/b/"));
	expect_eq("31-byte name", 0, ota_image_prefix(NAME31, 1, out, sizeof out));
	expect_eq("31-byte name prefix", 0, strcmp(out, "/updated/img/" NAME31 "/b/"));
	expect_eq("longest prefix fits execd's", 1, strlen(out) <= EXECD_PREFIX_MAX);
	memset(out, FILL, sizeof out);
	expect_eq("slot 2", REFUSED, ota_image_prefix("hello", 2, out, sizeof out));
	expect_eq("slot UINT_MAX", REFUSED, ota_image_prefix("hello", ~0U, out, sizeof out));
	expect_all("nothing written for a bad slot", (const uint8_t *)out, sizeof out, FILL);
}

static void ctl_key_is_updated_ctl_app(void **state)
{
	(void)state;
	char out[64];
	expect_eq("hello", 0, ota_ctl_key("hello", out, sizeof out));
	expect_eq("hello key", 0, strcmp(out, "/updated/ctl/hello"));
	expect_eq("31-byte name", 0, ota_ctl_key(NAME31, out, sizeof out));
	expect_eq("31-byte name key", 0, strcmp(out, "/updated/ctl/" NAME31));
}

static void keys_fit_in_exactly_their_length_and_nul_and_one_less_writes_nothing(void **state)
{
	(void)state;
	static const char prefix[] = "/updated/img/hello/a/", ctl[] = "/updated/ctl/hello";
	char out[64];
	memset(out, FILL, sizeof out);
	expect_eq("prefix, exact room", 0, ota_image_prefix("hello", 0, out, sizeof prefix));
	expect_eq("prefix, exact room: the prefix", 0, strcmp(out, prefix));
	expect_all("prefix, exact room: nothing past its NUL", (const uint8_t *)out + sizeof prefix,
		   sizeof out - sizeof prefix, FILL);
	memset(out, FILL, sizeof out);
	expect_eq("prefix, one byte short", REFUSED, ota_image_prefix("hello", 0, out, sizeof prefix - 1));
	expect_all("prefix, one byte short: nothing written", (const uint8_t *)out, sizeof out, FILL);
	expect_eq("ctl, exact room", 0, ota_ctl_key("hello", out, sizeof ctl));
	expect_eq("ctl, exact room: the key", 0, strcmp(out, ctl));
	memset(out, FILL, sizeof out);
	expect_eq("ctl, one byte short", REFUSED, ota_ctl_key("hello", out, sizeof ctl - 1));
	expect_eq("ctl, no room", REFUSED, ota_ctl_key("hello", out, 0));
	expect_all("ctl, one byte short: nothing written", (const uint8_t *)out, sizeof out, FILL);
}

static const char *const bad_names[] = {
	"", NAME32, "Hello", "0abc", "_abc", "-abc", "aBc", "a.b", "a/b", "a b", "a\x80", "a\xff", "a:b",
};

static void keys_refuse_names_not_1_to_31_bytes_of_a_z_then_a_z_0_9_dash_underscore(void **state)
{
	(void)state;
	char out[64];
	memset(out, FILL, sizeof out);
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		if (ota_image_prefix(bad_names[i], 0, out, sizeof out) != REFUSED)
			fail_msg("image prefix of \"%s\" not refused", bad_names[i]);
		if (ota_ctl_key(bad_names[i], out, sizeof out) != REFUSED)
			fail_msg("ctl key of \"%s\" not refused", bad_names[i]);
	}
	expect_all("nothing written for bad names", (const uint8_t *)out, sizeof out, FILL);
	expect_eq("one letter", 0, ota_ctl_key("a", out, sizeof out));
	expect_eq("every allowed kind", 0, ota_ctl_key("z09_-a", out, sizeof out));
}

/* ---- stage_begin ---- */

static void begin_is_total_len_little_endian_then_the_name_and_carries_any_u32(void **state)
{
	(void)state;
	static const uint8_t want[] = { 0x01, 0x02, 0x03, 0x04, 'h', 'e', 'l', 'l', 'o' };
	uint8_t buf[4 + OTA_NAME_MAX + 1];
	uint32_t total = 0;
	char app[OTA_NAME_MAX + 1];
	expect_eq("encode", sizeof want, ota_begin_encode(0x04030201, "hello", buf, sizeof buf));
	expect_bytes("begin layout", want, buf, sizeof want);
	expect_eq("decode", 0, ota_begin_decode(buf, sizeof want, &total, app));
	expect_eq("total_len", 0x04030201, total);
	expect_eq("app", 0, strcmp(app, "hello"));
	const uint32_t totals[] = { 0, 1, BUNDLE_MAX, BUNDLE_MAX + 1, UINT32_MAX };
	const char *const names[] = { "a", NAME31 };
	for (unsigned t = 0; t < sizeof totals / sizeof totals[0]; t++) {
		for (unsigned k = 0; k < 2; k++) {
			const size_t n = strlen(names[k]);
			expect_eq("any total_len encodes", 4 + n, ota_begin_encode(totals[t], names[k], buf, sizeof buf));
			expect_eq("total_len byte 3", totals[t] >> 24, buf[3]);
			memset(app, FILL, sizeof app);
			expect_eq("any total_len decodes", 0, ota_begin_decode(buf, 4 + n, &total, app));
			expect_eq("total_len back", totals[t], total);
			expect_eq("name back with its NUL", 0, strcmp(app, names[k]));
		}
	}
}

static void begin_encode_refuses_bad_names_and_one_byte_less_of_room_writing_nothing(void **state)
{
	(void)state;
	uint8_t buf[4 + OTA_NAME_MAX + 2];
	memset(buf, FILL, sizeof buf);
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		if (ota_begin_encode(7, bad_names[i], buf, sizeof buf) != REFUSED)
			fail_msg("begin with name \"%s\" not refused", bad_names[i]);
	}
	expect_eq("31-byte name, room one short", REFUSED, ota_begin_encode(7, NAME31, buf, 4 + 31 - 1));
	expect_eq("no room", REFUSED, ota_begin_encode(7, "a", buf, 0));
	expect_eq("room for total_len only", REFUSED, ota_begin_encode(7, "a", buf, 4));
	expect_all("nothing written", buf, sizeof buf, FILL);
	expect_eq("31-byte name, exact room", 4 + 31, ota_begin_encode(7, NAME31, buf, 4 + 31));
	expect_all("nothing past it", buf + 4 + 31, sizeof buf - 4 - 31, FILL);
}

/* Decode `len` bytes of stage_begin and expect a refusal that leaves both outputs alone. */
static void begin_refused(const char *what, const uint8_t *buf, size_t len)
{
	uint32_t total = 0xEEEEEEEE;
	char app[OTA_NAME_MAX + 1];
	memset(app, FILL, sizeof app);
	if (ota_begin_decode(buf, len, &total, app) != REFUSED)
		fail_msg("%s: accepted", what);
	expect_eq("total_len untouched", 0xEEEEEEEE, total);
	expect_all("name untouched", (const uint8_t *)app, sizeof app, FILL);
}

static void begin_decode_refuses_short_data_and_names_not_1_to_31_good_bytes(void **state)
{
	(void)state;
	uint8_t buf[4 + 40];
	memset(buf, 0, 4);
	for (size_t len = 0; len <= 4; len++)
		begin_refused("no name", buf, len);
	memcpy(buf + 4, NAME32, sizeof NAME32);
	begin_refused("32-byte name", buf, 4 + 32);
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		const size_t n = strlen(bad_names[i]);
		memcpy(buf + 4, bad_names[i], n + 1);
		begin_refused(bad_names[i], buf, 4 + n);
	}
	memcpy(buf + 4, "ab\0c", sizeof "ab\0c");
	begin_refused("a NUL inside the name", buf, 8);
	memcpy(buf + 4, "abc", 4);
	begin_refused("the name's NUL sent", buf, 8);
}

/* ---- stage_chunk ---- */

static void chunk_is_offset_then_len_little_endian_and_len_is_1_to_4096(void **state)
{
	(void)state;
	static const uint8_t want[OTA_CHUNK_REQ_LEN] = { 0x01, 0x02, 0x03, 0x04, 0x00, 0x10 };
	uint8_t buf[OTA_CHUNK_REQ_LEN + 2];
	uint32_t off = 0;
	uint16_t len = 0;
	memset(buf, FILL, sizeof buf);
	expect_eq("encode 4096", OTA_CHUNK_REQ_LEN, ota_chunk_encode(0x04030201, OTA_CHUNK_MAX, buf, sizeof buf));
	expect_bytes("chunk layout", want, buf, sizeof want);
	expect_all("nothing past the chunk data", buf + OTA_CHUNK_REQ_LEN, 2, FILL);
	expect_eq("decode 4096", 0, ota_chunk_decode(buf, OTA_CHUNK_REQ_LEN, &off, &len));
	expect_eq("offset", 0x04030201, off);
	expect_eq("len", OTA_CHUNK_MAX, len);
	expect_eq("encode len 1, offset UINT32_MAX", OTA_CHUNK_REQ_LEN, ota_chunk_encode(UINT32_MAX, 1, buf, sizeof buf));
	expect_eq("decode len 1", 0, ota_chunk_decode(buf, OTA_CHUNK_REQ_LEN, &off, &len));
	expect_eq("offset UINT32_MAX", UINT32_MAX, off);
	expect_eq("len 1", 1, len);
	memset(buf, FILL, sizeof buf);
	expect_eq("encode len 0", REFUSED, ota_chunk_encode(0, 0, buf, sizeof buf));
	expect_eq("encode len 4097", REFUSED, ota_chunk_encode(0, OTA_CHUNK_MAX + 1, buf, sizeof buf));
	expect_eq("encode len 65535", REFUSED, ota_chunk_encode(0, UINT16_MAX, buf, sizeof buf));
	expect_all("nothing written for a bad len", buf, sizeof buf, FILL);
	const uint16_t bad[] = { 0, OTA_CHUNK_MAX + 1, UINT16_MAX };
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t data[OTA_CHUNK_REQ_LEN] = { 0, 0, 0, 0, (uint8_t)bad[i], (uint8_t)(bad[i] >> 8) };
		off = 0xEEEEEEEE;
		len = 0xEEEE;
		expect_eq("decode a bad len", REFUSED, ota_chunk_decode(data, sizeof data, &off, &len));
		expect_eq("offset untouched", 0xEEEEEEEE, off);
		expect_eq("len untouched", 0xEEEE, len);
	}
}

static void chunk_data_is_exactly_6_bytes_and_encode_needs_6_of_room(void **state)
{
	(void)state;
	uint8_t buf[OTA_CHUNK_REQ_LEN + 1];
	uint32_t off = 0xEEEEEEEE;
	uint16_t len = 0xEEEE;
	memset(buf, FILL, sizeof buf);
	for (size_t cap = 0; cap < OTA_CHUNK_REQ_LEN; cap++) {
		if (ota_chunk_encode(1, 1, buf, cap) != REFUSED)
			fail_msg("chunk encoded into %zu bytes", cap);
		expect_all("nothing written into too little room", buf, sizeof buf, FILL);
	}
	expect_eq("exact room", OTA_CHUNK_REQ_LEN, ota_chunk_encode(1, 1, buf, OTA_CHUNK_REQ_LEN));
	buf[OTA_CHUNK_REQ_LEN] = 0;
	expect_eq("5 bytes", REFUSED, ota_chunk_decode(buf, OTA_CHUNK_REQ_LEN - 1, &off, &len));
	expect_eq("7 bytes", REFUSED, ota_chunk_decode(buf, OTA_CHUNK_REQ_LEN + 1, &off, &len));
	expect_eq("0 bytes", REFUSED, ota_chunk_decode(buf, 0, &off, &len));
	expect_eq("offset untouched", 0xEEEEEEEE, off);
	expect_eq("len untouched", 0xEEEE, len);
}

/* ---- the boot-control record ---- */

static void record_of_an_untouched_ability_is_a_builtin_and_active_b_empty(void **state)
{
	(void)state;
	struct ota_bootctl c;
	memset(&c, FILL, sizeof c);
	ota_bootctl_initial(&c);
	uint8_t buf[OTA_BOOTCTL_LEN];
	expect_eq("encode", OTA_BOOTCTL_LEN, ota_bootctl_encode(&c, buf, sizeof buf));
	static const uint8_t head[24] = {
		1, 0, 0, 0, 0, 0, 0, 0,                                   /* format, active A, no trial, no failure */
		OTA_SLOT_BUILTIN, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* A: built in, version 1 */
	};
	expect_bytes("initial record head", head, buf, sizeof head);
	expect_all("A's digest, and B empty", buf + sizeof head, OTA_BOOTCTL_LEN - sizeof head, 0);
	expect_rule("the initial record", &c, true);
}

static void record_encodes_to_the_documented_little_endian_layout(void **state)
{
	(void)state;
	struct ota_bootctl c = trial_record();
	c.failed_version = 0x04030201;
	c.slot[1].version = 0x0c0b0a09;
	c.slot[1].image_len = 0xfedc;
	c.slot[1].health_window_ms = 0x01234567;
	uint8_t buf[OTA_BOOTCTL_LEN];
	expect_eq("168 bytes", 168, OTA_BOOTCTL_LEN);
	expect_eq("encode", OTA_BOOTCTL_LEN, ota_bootctl_encode(&c, buf, sizeof buf));
	static const uint8_t head[8] = { 1, 0, 1, 0, 0x01, 0x02, 0x03, 0x04 };
	static const uint8_t slot_a[16] = { OTA_SLOT_BUILTIN, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t slot_b[16] = {
		OTA_SLOT_TRIAL, 0, 0, 0, 0x09, 0x0a, 0x0b, 0x0c, 0xdc, 0xfe, 0x00, 0x00, 0x67, 0x45, 0x23, 0x01,
	};
	expect_bytes("format, active, trial, 0, failed_version", head, buf, 8);
	expect_bytes("slot A at 8", slot_a, buf + 8, 16);
	expect_all("slot A's digest at 24", buf + 24, 64, 0);
	expect_bytes("slot B at 88", slot_b, buf + 88, 16);
	for (unsigned i = 0; i < 64; i++)
		expect_eq("slot B's digest at 104", 0x40 + i, buf[104 + i]);
	struct ota_bootctl got;
	memset(&got, FILL, sizeof got);
	expect_eq("decode", 0, ota_bootctl_decode(buf, sizeof buf, &got));
	expect_ctl_eq("round trip", &c, &got, true);
}

/* Decode `len` bytes of a record and expect a refusal that leaves the output alone. */
static void record_refused(const char *what, const uint8_t *buf, size_t len)
{
	struct ota_bootctl got, before;
	memset(&got, FILL, sizeof got);
	memset(&before, FILL, sizeof before);
	if (ota_bootctl_decode(buf, len, &got) != REFUSED)
		fail_msg("%s: accepted", what);
	if (!same_bytes(&got, &before, sizeof got))
		fail_msg("%s: a refused decode changed its output", what);
}

static void record_is_exactly_OTA_BOOTCTL_LEN_bytes_and_encode_needs_that_room(void **state)
{
	(void)state;
	const struct ota_bootctl c = trial_record();
	uint8_t buf[OTA_BOOTCTL_LEN + 1];
	record_layout(&c, buf);
	buf[OTA_BOOTCTL_LEN] = 0;
	record_refused("one byte short", buf, OTA_BOOTCTL_LEN - 1);
	record_refused("one byte long", buf, OTA_BOOTCTL_LEN + 1);
	record_refused("empty", buf, 0);
	memset(buf, FILL, sizeof buf);
	expect_eq("room one short", REFUSED, ota_bootctl_encode(&c, buf, OTA_BOOTCTL_LEN - 1));
	expect_eq("no room", REFUSED, ota_bootctl_encode(&c, buf, 0));
	expect_all("nothing written", buf, sizeof buf, FILL);
	expect_eq("exact room", OTA_BOOTCTL_LEN, ota_bootctl_encode(&c, buf, OTA_BOOTCTL_LEN));
	expect_eq("nothing past it", FILL, buf[OTA_BOOTCTL_LEN]);
}

static void record_refuses_another_format_byte_and_nonzero_padding(void **state)
{
	(void)state;
	const struct ota_bootctl c = trial_record();
	uint8_t good[OTA_BOOTCTL_LEN], buf[OTA_BOOTCTL_LEN];
	record_layout(&c, good);
	struct ota_bootctl got;
	expect_eq("the unchanged layout decodes", 0, ota_bootctl_decode(good, sizeof good, &got));
	static const struct {
		size_t off;
		uint8_t value;
		const char *what;
	} bad[] = {
		{ 0, 0, "format 0" },           { 0, 2, "format 2" },           { 0, 0xff, "format 255" },
		{ 3, 1, "byte 3" },             { 9, 1, "slot A padding 9" },   { 10, 0x80, "slot A padding 10" },
		{ 11, 1, "slot A padding 11" }, { 89, 1, "slot B padding 89" }, { 90, 1, "slot B padding 90" },
		{ 91, 0xff, "slot B padding 91" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(buf, good, sizeof buf);
		buf[bad[i].off] = bad[i].value;
		record_refused(bad[i].what, buf, sizeof buf);
	}
}

static void record_active_slot_must_be_builtin_or_good(void **state)
{
	(void)state;
	for (unsigned active = 0; active < 2; active++) {
		for (unsigned s = 0; s < OTA_SLOT_STATE_COUNT; s++) {
			struct ota_bootctl c = record((uint8_t)active, 0, empty_slot(), empty_slot());
			c.slot[active] = slot_of((uint8_t)s);
			char what[64];
			(void)snprintf(what, sizeof what, "slot %c active and %s", 'A' + active, ota_slot_state_name(s));
			expect_rule(what, &c, s == OTA_SLOT_BUILTIN || s == OTA_SLOT_GOOD);
		}
	}
}

static void record_trial_is_1_exactly_when_the_other_slot_is_trial(void **state)
{
	(void)state;
	const uint8_t actives[] = { OTA_SLOT_BUILTIN, OTA_SLOT_GOOD };
	for (unsigned active = 0; active < 2; active++) {
		for (unsigned a = 0; a < 2; a++) {
			for (unsigned trial = 0; trial < 2; trial++) {
				for (unsigned s = 0; s < OTA_SLOT_STATE_COUNT; s++) {
					struct ota_bootctl c = record((uint8_t)active, (uint8_t)trial, empty_slot(), empty_slot());
					c.slot[active] = slot_of(actives[a]);
					c.slot[1 - active] = slot_of((uint8_t)s);
					char what[96];
					(void)snprintf(what, sizeof what, "active %c %s, trial %u, other %s", 'A' + active,
						       ota_slot_state_name(actives[a]), trial, ota_slot_state_name(s));
					expect_rule(what, &c, (trial == 1) == (s == OTA_SLOT_TRIAL));
				}
			}
		}
	}
}

static void record_active_and_trial_take_only_0_and_1(void **state)
{
	(void)state;
	struct ota_bootctl c = record(0, 0, builtin_slot(), builtin_slot());
	expect_rule("both built in, A active", &c, true);
	c.active = 1;
	expect_rule("both built in, B active", &c, true);
	c.active = 2;
	expect_rule("active 2", &c, false);
	c.active = 0xff;
	expect_rule("active 255", &c, false);
	c = trial_record();
	expect_rule("trial 1", &c, true);
	c.trial = 2;
	expect_rule("trial 2", &c, false);
	c.trial = 0xff;
	expect_rule("trial 255", &c, false);
}

static void record_builtin_slot_has_version_1_and_no_image(void **state)
{
	(void)state;
	for (unsigned as_active = 0; as_active < 2; as_active++) {
		/* Built in as the active slot A, or as the inactive slot A behind a good B. */
		struct ota_bootctl base = as_active ? record(0, 0, builtin_slot(), empty_slot())
						    : record(1, 0, builtin_slot(), stored_slot(OTA_SLOT_GOOD, 2));
		struct ota_bootctl c = base;
		expect_rule("version 1", &c, true);
		const uint32_t versions[] = { 0, 2, UINT32_MAX };
		for (unsigned i = 0; i < 3; i++) {
			c = base;
			c.slot[0].version = versions[i];
			expect_rule("a built-in version other than 1", &c, false);
		}
		c = base;
		c.slot[0].image_len = 1;
		expect_rule("a built-in image_len", &c, false);
		c = base;
		c.slot[0].health_window_ms = 1;
		expect_rule("a built-in health window", &c, false);
		const unsigned at[] = { 0, BUNDLE_DIGEST_LEN - 1 };
		for (unsigned i = 0; i < 2; i++) {
			c = base;
			c.slot[0].sha512[at[i]] = 1;
			expect_record("a built-in digest byte", &c, false);
			expect_status("a built-in digest byte (not in a status)", &c, true);
		}
	}
}

static void record_empty_slot_is_all_zeros(void **state)
{
	(void)state;
	const struct ota_bootctl base = record(0, 0, builtin_slot(), empty_slot());
	struct ota_bootctl c = base;
	expect_rule("all zeros", &c, true);
	c.slot[1].version = 1;
	expect_rule("an empty slot's version", &c, false);
	c = base;
	c.slot[1].image_len = 1;
	expect_rule("an empty slot's image_len", &c, false);
	c = base;
	c.slot[1].health_window_ms = 1;
	expect_rule("an empty slot's health window", &c, false);
	const unsigned at[] = { 0, BUNDLE_DIGEST_LEN - 1 };
	for (unsigned i = 0; i < 2; i++) {
		c = base;
		c.slot[1].sha512[at[i]] = 0x80;
		expect_record("an empty slot's digest byte", &c, false);
		expect_status("an empty slot's digest byte (not in a status)", &c, true);
	}
}

/* Every place a stored slot may be: the field bounds hold in each. */
static void record_stored_slot_has_version_from_1_image_1_to_64k_and_window_1_to_86400000_ms(void **state)
{
	(void)state;
	const struct ota_bootctl places[] = {
		record(0, 0, builtin_slot(), stored_slot(OTA_SLOT_STAGED, 2)),
		record(0, 1, builtin_slot(), stored_slot(OTA_SLOT_TRIAL, 2)),
		record(1, 0, stored_slot(OTA_SLOT_GOOD, 2), stored_slot(OTA_SLOT_GOOD, 3)),
		record(1, 0, stored_slot(OTA_SLOT_FAILED, 2), stored_slot(OTA_SLOT_GOOD, 3)),
	};
	static const struct {
		unsigned field; /* 0 version, 1 image_len, 2 health_window_ms */
		uint32_t value;
		bool valid;
	} cases[] = {
		{ 0, 0, false },
		{ 0, 1, true },
		{ 0, UINT32_MAX, true },
		{ 1, 0, false },
		{ 1, 1, true },
		{ 1, NX_SPAWN_ELF_MAX, true },
		{ 1, NX_SPAWN_ELF_MAX + 1, false },
		{ 1, UINT32_MAX, false },
		{ 2, 0, false },
		{ 2, 1, true },
		{ 2, OTA_HEALTH_WINDOW_MAX_MS, true },
		{ 2, OTA_HEALTH_WINDOW_MAX_MS + 1, false },
		{ 2, UINT32_MAX, false },
	};
	static const char *const fields[] = { "version", "image_len", "health_window_ms" };
	for (unsigned p = 0; p < sizeof places / sizeof places[0]; p++) {
		/* The slot under test: the inactive one, and (GOOD records) the active one too. */
		for (unsigned which = 0; which < 2; which++) {
			const unsigned slot = which == 0 ? 1U - places[p].active : places[p].active;
			if (which == 1 && places[p].slot[slot].state != OTA_SLOT_GOOD)
				continue;
			for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
				struct ota_bootctl c = places[p];
				uint32_t *f[] = { &c.slot[slot].version, &c.slot[slot].image_len,
						  &c.slot[slot].health_window_ms };
				*f[cases[k].field] = cases[k].value;
				char what[96];
				(void)snprintf(what, sizeof what, "%s slot %c, %s %u", ota_slot_state_name(c.slot[slot].state),
					       'A' + slot, fields[cases[k].field], (unsigned)cases[k].value);
				expect_rule(what, &c, cases[k].valid);
			}
		}
	}
}

static void record_refuses_states_past_failed(void **state)
{
	(void)state;
	const uint8_t bad[] = { OTA_SLOT_STATE_COUNT, 0x80, 0xff };
	for (unsigned i = 0; i < 3; i++) {
		struct ota_bootctl c = record(0, 0, builtin_slot(), stored_slot(bad[i], 2));
		expect_rule("an inactive slot's unknown state", &c, false);
		c = record(1, 0, builtin_slot(), stored_slot(bad[i], 2));
		expect_rule("the active slot's unknown state", &c, false);
	}
}

static void record_failed_version_is_any_u32(void **state)
{
	(void)state;
	struct ota_bootctl c = record(1, 0, stored_slot(OTA_SLOT_FAILED, 3), stored_slot(OTA_SLOT_GOOD, 2));
	c.failed_version = 0;
	expect_rule("failed_version 0", &c, true);
	c.failed_version = 3;
	expect_rule("failed_version 3", &c, true);
	c.failed_version = UINT32_MAX;
	expect_rule("failed_version UINT32_MAX", &c, true);
}

/* ---- status ---- */

static void status_reply_is_50_bytes_in_the_documented_layout_without_digests(void **state)
{
	(void)state;
	struct ota_status s = {
		.ctl = trial_record(),
		.last_event = OTA_EV_SWITCHED,
		.event_ms = 0x1817161514131211ULL,
		.ready_ms = 0x2827262524232221ULL,
	};
	s.ctl.failed_version = 0x04030201;
	s.ctl.slot[1].version = 0x0c0b0a09;
	s.ctl.slot[1].image_len = 0xfedc;
	s.ctl.slot[1].health_window_ms = 0x01234567;
	static const uint8_t want[OTA_STATUS_LEN] = {
		0, 1, OTA_EV_SWITCHED, 0, 0x01, 0x02, 0x03, 0x04,                        /* active, trial, event, 0, failed */
		OTA_SLOT_BUILTIN, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                     /* slot A at 8 */
		OTA_SLOT_TRIAL, 0x09, 0x0a, 0x0b, 0x0c, 0xdc, 0xfe, 0, 0, 0x67, 0x45, 0x23, 0x01, /* slot B at 21 */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,                           /* event_ms at 34 */
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,                           /* ready_ms at 42 */
	};
	uint8_t buf[OTA_STATUS_LEN];
	expect_eq("50 bytes", 50, OTA_STATUS_LEN);
	expect_eq("encode", OTA_STATUS_LEN, ota_status_encode(&s, buf, sizeof buf));
	expect_bytes("status layout", want, buf, sizeof want);
	struct ota_status got;
	memset(&got, FILL, sizeof got);
	expect_eq("decode", 0, ota_status_decode(buf, sizeof buf, &got));
	expect_ctl_eq("status round trip, digests zero", &s.ctl, &got.ctl, false);
	expect_eq("last_event", OTA_EV_SWITCHED, got.last_event);
	expect_eq("event_ms", s.event_ms, got.event_ms);
	expect_eq("ready_ms", s.ready_ms, got.ready_ms);
	s.event_ms = UINT64_MAX;
	s.ready_ms = UINT64_MAX;
	expect_eq("encode the largest times", OTA_STATUS_LEN, ota_status_encode(&s, buf, sizeof buf));
	expect_eq("decode the largest times", 0, ota_status_decode(buf, sizeof buf, &got));
	expect_eq("event_ms UINT64_MAX", UINT64_MAX, got.event_ms);
	expect_eq("ready_ms UINT64_MAX", UINT64_MAX, got.ready_ms);
}

/* Decode `len` bytes of a status reply and expect a refusal that leaves the output alone. */
static void status_refused(const char *what, const uint8_t *buf, size_t len)
{
	struct ota_status got, before;
	memset(&got, FILL, sizeof got);
	memset(&before, FILL, sizeof before);
	if (ota_status_decode(buf, len, &got) != REFUSED)
		fail_msg("%s: accepted", what);
	if (!same_bytes(&got, &before, sizeof got))
		fail_msg("%s: a refused decode changed its output", what);
}

static void status_event_is_below_OTA_EV_COUNT(void **state)
{
	(void)state;
	struct ota_status s = { .ctl = trial_record() };
	uint8_t buf[OTA_STATUS_LEN];
	struct ota_status got;
	for (unsigned e = 0; e < OTA_EV_COUNT; e++) {
		s.last_event = (uint8_t)e;
		expect_eq("encode an event", OTA_STATUS_LEN, ota_status_encode(&s, buf, sizeof buf));
		expect_eq("event byte", e, buf[2]);
		expect_eq("decode an event", 0, ota_status_decode(buf, sizeof buf, &got));
		expect_eq("event back", e, got.last_event);
	}
	const uint8_t bad[] = { OTA_EV_COUNT, 0xff };
	for (unsigned i = 0; i < 2; i++) {
		s.last_event = OTA_EV_NONE;
		expect_eq("encode", OTA_STATUS_LEN, ota_status_encode(&s, buf, sizeof buf));
		buf[2] = bad[i];
		status_refused("an event past the count", buf, sizeof buf);
		s.last_event = bad[i];
		memset(buf, FILL, sizeof buf);
		expect_eq("encode an event past the count", REFUSED, ota_status_encode(&s, buf, sizeof buf));
		expect_all("nothing written", buf, sizeof buf, FILL);
	}
}

static void status_is_exactly_50_bytes_with_byte_3_zero_and_encode_needs_that_room(void **state)
{
	(void)state;
	const struct ota_status s = { .ctl = trial_record(), .last_event = OTA_EV_STAGED };
	uint8_t buf[OTA_STATUS_LEN + 1];
	expect_eq("encode", OTA_STATUS_LEN, ota_status_encode(&s, buf, sizeof buf));
	buf[OTA_STATUS_LEN] = 0;
	status_refused("one byte short", buf, OTA_STATUS_LEN - 1);
	status_refused("one byte long", buf, OTA_STATUS_LEN + 1);
	status_refused("empty", buf, 0);
	buf[3] = 1;
	status_refused("byte 3 not zero", buf, OTA_STATUS_LEN);
	memset(buf, FILL, sizeof buf);
	expect_eq("room one short", REFUSED, ota_status_encode(&s, buf, OTA_STATUS_LEN - 1));
	expect_all("nothing written", buf, sizeof buf, FILL);
	expect_eq("exact room", OTA_STATUS_LEN, ota_status_encode(&s, buf, OTA_STATUS_LEN));
	expect_eq("nothing past it", FILL, buf[OTA_STATUS_LEN]);
}

/* ---- stats ---- */

static void stats_reply_is_ten_u32_in_counter_order(void **state)
{
	(void)state;
	struct ota_stats s, got;
	for (unsigned i = 0; i < OTA_STAT_COUNT; i++)
		s.n[i] = (uint32_t)(4 * i + 1) | (uint32_t)(4 * i + 2) << 8 | (uint32_t)(4 * i + 3) << 16 |
			 (uint32_t)(4 * i + 4) << 24;
	uint8_t buf[OTA_STATS_LEN + 1];
	memset(buf, FILL, sizeof buf);
	expect_eq("40 bytes", 40, OTA_STATS_LEN);
	expect_eq("encode", OTA_STATS_LEN, ota_stats_encode(&s, buf, sizeof buf));
	for (unsigned i = 0; i < OTA_STATS_LEN; i++)
		expect_eq("bytes 1..40 in order", i + 1, buf[i]);
	expect_eq("nothing past it", FILL, buf[OTA_STATS_LEN]);
	expect_eq("staged first", 0x04030201, s.n[OTA_STAT_STAGED]);
	memset(&got, FILL, sizeof got);
	expect_eq("decode", 0, ota_stats_decode(buf, OTA_STATS_LEN, &got));
	for (unsigned i = 0; i < OTA_STAT_COUNT; i++)
		expect_eq("counter back", s.n[i], got.n[i]);
}

static void stats_reply_is_exactly_40_bytes_and_encode_needs_that_room(void **state)
{
	(void)state;
	struct ota_stats s = { { 0 } }, got, before;
	s.n[OTA_STAT_FAILED_CALLS] = UINT32_MAX;
	uint8_t buf[OTA_STATS_LEN + 1];
	memset(buf, FILL, sizeof buf);
	expect_eq("room one short", REFUSED, ota_stats_encode(&s, buf, OTA_STATS_LEN - 1));
	expect_all("nothing written", buf, sizeof buf, FILL);
	expect_eq("exact room", OTA_STATS_LEN, ota_stats_encode(&s, buf, OTA_STATS_LEN));
	buf[OTA_STATS_LEN] = 0;
	memset(&got, FILL, sizeof got);
	memset(&before, FILL, sizeof before);
	expect_eq("one byte short", REFUSED, ota_stats_decode(buf, OTA_STATS_LEN - 1, &got));
	expect_eq("one byte long", REFUSED, ota_stats_decode(buf, OTA_STATS_LEN + 1, &got));
	expect_eq("empty", REFUSED, ota_stats_decode(buf, 0, &got));
	expect_eq("refusals leave the output", 1, same_bytes(&got, &before, sizeof got));
	expect_eq("decode", 0, ota_stats_decode(buf, OTA_STATS_LEN, &got));
	expect_eq("UINT32_MAX back", UINT32_MAX, got.n[OTA_STAT_FAILED_CALLS]);
}

/* ---- the health window of a bundle's document ---- */

/* ota_doc_health_window over exactly the bytes of `doc` (a heap block of its length, so a
 * read past it is a sanitizer's report); `*ms` starts at 77. */
static int window_of(const char *doc, uint32_t *ms)
{
	const size_t n = strlen(doc);
	uint8_t *copy = malloc(n != 0 ? n : 1);
	assert_non_null(copy);
	for (size_t i = 0; i < n; i++) /* no NUL copied: the document ends at its length */
		copy[i] = (uint8_t)doc[i];
	*ms = 77;
	const int rc = ota_doc_health_window(copy, n, ms);
	free(copy);
	return rc;
}

static void expect_window(const char *doc, uint32_t want)
{
	uint32_t ms;
	const int rc = window_of(doc, &ms);
	if (rc != 0 || ms != want)
		fail_msg("%s: returned %d with %u ms, expected 0 with %u", doc, rc, (unsigned)ms, (unsigned)want);
}

static void expect_window_refused(const char *doc)
{
	uint32_t ms;
	const int rc = window_of(doc, &ms);
	if (rc != REFUSED || ms != 77)
		fail_msg("%s: returned %d with %u ms, expected a refusal leaving 77", doc, rc, (unsigned)ms);
}

static void health_window_is_10000_ms_when_the_document_names_none(void **state)
{
	(void)state;
	expect_eq("the default", 10000, OTA_HEALTH_WINDOW_DEFAULT_MS);
	expect_window("", OTA_HEALTH_WINDOW_DEFAULT_MS);
	expect_window("{\"name\":\"hello\",\"version\":2}", OTA_HEALTH_WINDOW_DEFAULT_MS);
	expect_window("{\"health_window\":5}", OTA_HEALTH_WINDOW_DEFAULT_MS);
	expect_window("{\"health_window_ms\"", OTA_HEALTH_WINDOW_DEFAULT_MS);
	expect_window("{\"health_window_ms\" :5}", OTA_HEALTH_WINDOW_DEFAULT_MS);
	expect_window("{\"x\":\"\\\"health_window_ms\\\":5\"}", OTA_HEALTH_WINDOW_DEFAULT_MS);
}

static void health_window_takes_1_to_86400000_ms(void **state)
{
	(void)state;
	expect_window("{\"health_window_ms\":1}", 1);
	expect_window("{\"health_window_ms\":5000,\"x\":1}", 5000);
	expect_window("{\"health_window_ms\":86400000}", OTA_HEALTH_WINDOW_MAX_MS);
	expect_window_refused("{\"health_window_ms\":86400001}");
	expect_window_refused("{\"health_window_ms\":0}");
	expect_window_refused("{\"health_window_ms\":4294967296}");
	expect_window_refused("{\"health_window_ms\":9999999999}");
}

static void health_window_refuses_leading_zeros_missing_digits_and_11_digits(void **state)
{
	(void)state;
	expect_window_refused("{\"health_window_ms\":01}");
	expect_window_refused("{\"health_window_ms\":0000000001}");
	expect_window_refused("{\"health_window_ms\":}");
	expect_window_refused("{\"health_window_ms\":\"5000\"}");
	expect_window_refused("{\"health_window_ms\": 5000}");
	expect_window_refused("{\"health_window_ms\":-5}");
	expect_window_refused("{\"health_window_ms\":+5}");
	expect_window_refused("{\"health_window_ms\":10000000000}");
	expect_window_refused("{\"health_window_ms\":00000000001}");
	expect_window_refused("{\"health_window_ms\":12345678901}");
	/* 2^64 + 5: a parser without a digit bound would wrap to 5. */
	expect_window_refused("{\"health_window_ms\":18446744073709551621}");
}

static void health_window_key_at_the_end_of_the_buffer_is_refused_and_digits_end_with_it(void **state)
{
	(void)state;
	expect_window_refused("\"health_window_ms\":");
	expect_window_refused("{\"a\":1,\"health_window_ms\":");
	expect_window("\"health_window_ms\":7", 7);
	expect_window("\"health_window_ms\":86400000", OTA_HEALTH_WINDOW_MAX_MS);
	/* `len` ends the digits, not the bytes after it. */
	static const uint8_t doc[] = "\"health_window_ms\":12";
	uint32_t ms = 77;
	expect_eq("the buffer ends after the 1", 0, ota_doc_health_window(doc, sizeof doc - 2, &ms));
	expect_eq("1 ms", 1, ms);
	ms = 77;
	expect_eq("the buffer ends before the digits", REFUSED, ota_doc_health_window(doc, sizeof doc - 3, &ms));
	expect_eq("refused: 77 left", 77, ms);
	ms = 77;
	expect_eq("the buffer ends inside the key", 0, ota_doc_health_window(doc, sizeof doc - 5, &ms));
	expect_eq("a cut key is no key", OTA_HEALTH_WINDOW_DEFAULT_MS, ms);
}

static void health_window_first_occurrence_wins(void **state)
{
	(void)state;
	expect_window("{\"a\":{\"health_window_ms\":500},\"health_window_ms\":7}", 500);
	expect_window("{\"health_window_ms\":500,\"health_window_ms\":0}", 500);
	expect_window_refused("{\"health_window_ms\":0,\"health_window_ms\":500}");
	expect_window_refused("{\"health_window_ms\":x,\"health_window_ms\":500}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slot_and_event_names_match_their_enums_and_others_are_a_question_mark),
		cmocka_unit_test(image_prefix_is_updated_img_app_then_a_for_slot_0_and_b_for_slot_1),
		cmocka_unit_test(ctl_key_is_updated_ctl_app),
		cmocka_unit_test(keys_fit_in_exactly_their_length_and_nul_and_one_less_writes_nothing),
		cmocka_unit_test(keys_refuse_names_not_1_to_31_bytes_of_a_z_then_a_z_0_9_dash_underscore),
		cmocka_unit_test(begin_is_total_len_little_endian_then_the_name_and_carries_any_u32),
		cmocka_unit_test(begin_encode_refuses_bad_names_and_one_byte_less_of_room_writing_nothing),
		cmocka_unit_test(begin_decode_refuses_short_data_and_names_not_1_to_31_good_bytes),
		cmocka_unit_test(chunk_is_offset_then_len_little_endian_and_len_is_1_to_4096),
		cmocka_unit_test(chunk_data_is_exactly_6_bytes_and_encode_needs_6_of_room),
		cmocka_unit_test(record_of_an_untouched_ability_is_a_builtin_and_active_b_empty),
		cmocka_unit_test(record_encodes_to_the_documented_little_endian_layout),
		cmocka_unit_test(record_is_exactly_OTA_BOOTCTL_LEN_bytes_and_encode_needs_that_room),
		cmocka_unit_test(record_refuses_another_format_byte_and_nonzero_padding),
		cmocka_unit_test(record_active_slot_must_be_builtin_or_good),
		cmocka_unit_test(record_trial_is_1_exactly_when_the_other_slot_is_trial),
		cmocka_unit_test(record_active_and_trial_take_only_0_and_1),
		cmocka_unit_test(record_builtin_slot_has_version_1_and_no_image),
		cmocka_unit_test(record_empty_slot_is_all_zeros),
		cmocka_unit_test(record_stored_slot_has_version_from_1_image_1_to_64k_and_window_1_to_86400000_ms),
		cmocka_unit_test(record_refuses_states_past_failed),
		cmocka_unit_test(record_failed_version_is_any_u32),
		cmocka_unit_test(status_reply_is_50_bytes_in_the_documented_layout_without_digests),
		cmocka_unit_test(status_event_is_below_OTA_EV_COUNT),
		cmocka_unit_test(status_is_exactly_50_bytes_with_byte_3_zero_and_encode_needs_that_room),
		cmocka_unit_test(stats_reply_is_ten_u32_in_counter_order),
		cmocka_unit_test(stats_reply_is_exactly_40_bytes_and_encode_needs_that_room),
		cmocka_unit_test(health_window_is_10000_ms_when_the_document_names_none),
		cmocka_unit_test(health_window_takes_1_to_86400000_ms),
		cmocka_unit_test(health_window_refuses_leading_zeros_missing_digits_and_11_digits),
		cmocka_unit_test(health_window_key_at_the_end_of_the_buffer_is_refused_and_digits_end_with_it),
		cmocka_unit_test(health_window_first_occurrence_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
