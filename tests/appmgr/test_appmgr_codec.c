/* appmgrd's request and reply data: byte layouts, round trips, and every malformed input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../ipc/expect.h"
#include "proto/appmgr.h"

static void names_of_1_to_31_bytes_decode_with_their_nul(void **state)
{
	(void)state;
	char name[APPMGR_NAME_MAX + 1];
	expect_eq("one byte", 0, appmgr_name_decode((const uint8_t *)"a", 1, name));
	expect_eq("one byte name", 0, strcmp(name, "a"));
	static const char longest[] = "abcdefghijklmnopqrstuvwxyz01234";
	expect_eq("31 bytes", 0, appmgr_name_decode((const uint8_t *)longest, 31, name));
	expect_eq("31 byte name", 0, strcmp(name, longest));
}

static void empty_long_and_nul_holding_names_are_refused(void **state)
{
	(void)state;
	char name[APPMGR_NAME_MAX + 1] = "untouched";
	static const char too_long[] = "abcdefghijklmnopqrstuvwxyz012345";
	expect_eq("empty", -NX_EINVAL, appmgr_name_decode((const uint8_t *)"a", 0, name));
	expect_eq("32 bytes", -NX_EINVAL, appmgr_name_decode((const uint8_t *)too_long, 32, name));
	expect_eq("NUL inside", -NX_EINVAL, appmgr_name_decode((const uint8_t *)"ab\0c", 4, name));
	expect_eq("name unchanged", 0, strcmp(name, "untouched"));
}

static void ready_mode_is_one_byte_fg_or_bg(void **state)
{
	(void)state;
	enum appmgr_mode mode;
	uint32_t version = 77;
	const uint8_t fg = 1, bg = 2, zero = 0, three = 3, two[2] = { 1, 1 };
	expect_eq("fg", 0, appmgr_ready_decode(&fg, 1, &mode, &version));
	expect_eq("fg mode", APPMGR_MODE_FG, mode);
	expect_eq("no version: 1", 1, version);
	expect_eq("bg", 0, appmgr_ready_decode(&bg, 1, &mode, &version));
	expect_eq("bg mode", APPMGR_MODE_BG, mode);
	expect_eq("0", -NX_EINVAL, appmgr_ready_decode(&zero, 1, &mode, &version));
	expect_eq("3", -NX_EINVAL, appmgr_ready_decode(&three, 1, &mode, &version));
	expect_eq("2 bytes", -NX_EINVAL, appmgr_ready_decode(two, 2, &mode, &version));
	expect_eq("0 bytes", -NX_EINVAL, appmgr_ready_decode(&fg, 0, &mode, &version));
	const uint8_t v7[5] = { 2, 7, 0, 0, 0 }, v0[5] = { 1, 0, 0, 0, 0 }, vmax[5] = { 1, 0xff, 0xff, 0xff, 0xff };
	expect_eq("with version", 0, appmgr_ready_decode(v7, 5, &mode, &version));
	expect_eq("version 7", 7, version);
	expect_eq("version UINT32_MAX", 0, appmgr_ready_decode(vmax, 5, &mode, &version));
	expect_eq("version UINT32_MAX value", UINT32_MAX, version);
	version = 5;
	enum appmgr_mode mode_before;
	memset(&mode, 0xA5, sizeof mode);
	memset(&mode_before, 0xA5, sizeof mode_before);
	expect_eq("version 0", -NX_EINVAL, appmgr_ready_decode(v0, 5, &mode, &version));
	expect_eq("4 bytes", -NX_EINVAL, appmgr_ready_decode(v7, 4, &mode, &version));
	expect_eq("6 bytes", -NX_EINVAL, appmgr_ready_decode(vmax, 6, &mode, &version));
	expect_eq("refusals leave the version", 5, version);
	expect_eq("refusals leave the mode", 1, same_bytes(&mode, &mode_before, sizeof mode));
}

static const struct appmgr_state sample_state = {
	.state = APPMGR_BACKOFF, .reason = APPMGR_REASON_CRASH, .timeout = 1, .start_mode = APPMGR_MODE_BG,
	.crash_count = 0x04030201, .delay_ms = 0x08070605, .next_restart_ms = 0x100f0e0d0c0b0a09ULL,
	.task = -1, .cpu_us = 0x1817161514131211ULL, .version = 0x1c1b1a19,
};

static void state_encodes_fields_in_order_little_endian(void **state)
{
	(void)state;
	static const uint8_t want[APPMGR_STATE_LEN] = {
		APPMGR_BACKOFF, APPMGR_REASON_CRASH, 1, APPMGR_MODE_BG,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
		0xff, 0xff, 0xff, 0xff,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x19, 0x1a, 0x1b, 0x1c,
	};
	uint8_t buf[APPMGR_STATE_LEN];
	expect_eq("encode", APPMGR_STATE_LEN, appmgr_state_encode(&sample_state, buf, sizeof buf));
	for (size_t i = 0; i < sizeof want; i++)
		expect_eq("state byte", want[i], buf[i]);
	struct appmgr_state got;
	expect_eq("decode", 0, appmgr_state_decode(buf, sizeof buf, &got));
	expect_eq("state", sample_state.state, got.state);
	expect_eq("reason", sample_state.reason, got.reason);
	expect_eq("timeout", sample_state.timeout, got.timeout);
	expect_eq("start_mode", sample_state.start_mode, got.start_mode);
	expect_eq("crash_count", sample_state.crash_count, got.crash_count);
	expect_eq("delay_ms", sample_state.delay_ms, got.delay_ms);
	expect_eq("next_restart_ms", sample_state.next_restart_ms, got.next_restart_ms);
	expect_eq("task", 1, got.task == -1);
	expect_eq("cpu_us", sample_state.cpu_us, got.cpu_us);
	expect_eq("version", sample_state.version, got.version);
}

static void state_out_of_range_or_wrong_length_is_refused(void **state)
{
	(void)state;
	uint8_t buf[APPMGR_STATE_LEN + 1];
	struct appmgr_state got;
	expect_eq("small buffer", -NX_EINVAL, appmgr_state_encode(&sample_state, buf, APPMGR_STATE_LEN - 1));
	expect_eq("encode", APPMGR_STATE_LEN, appmgr_state_encode(&sample_state, buf, sizeof buf));
	expect_eq("short", -NX_EINVAL, appmgr_state_decode(buf, APPMGR_STATE_LEN - 1, &got));
	expect_eq("long", -NX_EINVAL, appmgr_state_decode(buf, APPMGR_STATE_LEN + 1, &got));
	static const struct {
		size_t off;
		uint8_t value;
		const char *what;
	} bad[] = {
		{ 0, APPMGR_STATE_COUNT, "state" }, { 1, APPMGR_REASON_COUNT, "reason" }, { 2, 2, "timeout flag" },
		{ 3, 0, "mode 0" }, { 3, 3, "mode 3" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t copy[APPMGR_STATE_LEN];
		memcpy(copy, buf, sizeof copy);
		copy[bad[i].off] = bad[i].value;
		expect_eq(bad[i].what, -NX_EINVAL, appmgr_state_decode(copy, sizeof copy, &got));
	}
}

static void policy_is_eleven_u32_in_struct_order(void **state)
{
	(void)state;
	const struct appmgr_policy p = {
		.initial_ms = 1, .factor_milli = 2, .max_ms = 3, .loop_threshold = 4, .loop_window_ms = 5,
		.stable_reset_ms = 6, .start_timeout_ms = 7, .stop_timeout_ms = 8,
		.cpu_budget_ms_per_min = 9, .slack_fg_ms = 10, .slack_bg_ms = 0x0d0c0b0a,
	};
	uint8_t buf[APPMGR_POLICY_LEN];
	expect_eq("small buffer", -NX_EINVAL, appmgr_policy_encode(&p, buf, sizeof buf - 1));
	expect_eq("encode", APPMGR_POLICY_LEN, appmgr_policy_encode(&p, buf, sizeof buf));
	for (unsigned i = 0; i < 10; i++) {
		expect_eq("field low byte", i + 1, buf[4 * i]);
		expect_eq("field high bytes", 0, buf[4 * i + 1] | buf[4 * i + 2] | buf[4 * i + 3]);
	}
	expect_eq("slack_bg bytes", 0x0d0c0b0a, buf[40] | buf[41] << 8 | buf[42] << 16 | (uint32_t)buf[43] << 24);
	struct appmgr_policy got;
	expect_eq("decode", 0, appmgr_policy_decode(buf, sizeof buf, &got));
	expect_eq("round trip", 0, memcmp(&got, &p, sizeof got));
	expect_eq("short", -NX_EINVAL, appmgr_policy_decode(buf, sizeof buf - 1, &got));
}

static void history_round_trips_empty_and_full(void **state)
{
	(void)state;
	struct appmgr_history h = { .count = 0 }, got;
	uint8_t buf[1 + 13 * APPMGR_HISTORY_LEN];
	expect_eq("empty encode", 1, appmgr_history_encode(&h, buf, sizeof buf));
	expect_eq("empty count byte", 0, buf[0]);
	expect_eq("empty decode", 0, appmgr_history_decode(buf, 1, &got));
	expect_eq("empty count", 0, got.count);
	h.count = APPMGR_HISTORY_LEN;
	for (uint8_t i = 0; i < APPMGR_HISTORY_LEN; i++)
		h.e[i] = (struct appmgr_death){ .boot = 0x01000000u + i, .t_ms = 1000ULL * i + 0x0100000000ULL,
						.reason = i % APPMGR_REASON_COUNT };
	expect_eq("full encode", sizeof buf, appmgr_history_encode(&h, buf, sizeof buf));
	expect_eq("second boot low byte", 1, buf[14]);
	expect_eq("second boot high byte", 1, buf[17]);
	expect_eq("second t_ms low byte", (1000 + 0x0100000000ULL) & 0xff, buf[18]);
	expect_eq("second reason", 1, buf[26]);
	expect_eq("full decode", 0, appmgr_history_decode(buf, sizeof buf, &got));
	expect_eq("full count", APPMGR_HISTORY_LEN, got.count);
	for (unsigned i = 0; i < APPMGR_HISTORY_LEN; i++) {
		expect_eq("boot", h.e[i].boot, got.e[i].boot);
		expect_eq("t_ms", h.e[i].t_ms, got.e[i].t_ms);
		expect_eq("reason", h.e[i].reason, got.e[i].reason);
	}
}

static void history_with_bad_count_length_or_reason_is_refused(void **state)
{
	(void)state;
	struct appmgr_history h = { .count = 2, .e = { { 1, 5, APPMGR_REASON_CRASH }, { 2, 7, APPMGR_REASON_OOM } } }, got;
	uint8_t buf[1 + 13 * 2];
	expect_eq("small buffer", -NX_EINVAL, appmgr_history_encode(&h, buf, sizeof buf - 1));
	h.count = APPMGR_HISTORY_LEN + 1;
	expect_eq("count above the history", -NX_EINVAL, appmgr_history_encode(&h, buf, sizeof buf));
	h.count = 2;
	expect_eq("encode", sizeof buf, appmgr_history_encode(&h, buf, sizeof buf));
	expect_eq("empty buffer", -NX_EINVAL, appmgr_history_decode(buf, 0, &got));
	expect_eq("short", -NX_EINVAL, appmgr_history_decode(buf, sizeof buf - 1, &got));
	buf[0] = 1;
	expect_eq("trailing bytes", -NX_EINVAL, appmgr_history_decode(buf, sizeof buf, &got));
	buf[0] = 2;
	buf[26] = APPMGR_REASON_COUNT;
	expect_eq("bad reason", -NX_EINVAL, appmgr_history_decode(buf, sizeof buf, &got));
	uint8_t over[1] = { APPMGR_HISTORY_LEN + 1 };
	expect_eq("count above the history", -NX_EINVAL, appmgr_history_decode(over, sizeof over, &got));
}

static void list_round_trips_and_stops_where_the_reply_is_full(void **state)
{
	(void)state;
	struct appmgr_list_entry e[3] = { { "hello", APPMGR_RUNNING_FG }, { "b", APPMGR_STOPPED }, { "crasher", APPMGR_BLOCKED } };
	uint8_t buf[64];
	size_t taken = 99;
	int len = appmgr_list_encode(5, e, 3, buf, sizeof buf, &taken);
	expect_eq("all taken", 3, taken);
	expect_eq("length", 2 + (2 + 5) + (2 + 1) + (2 + 7), len);
	static const uint8_t head[] = { 5, 3, 5, 'h', 'e', 'l', 'l', 'o', APPMGR_RUNNING_FG, 1, 'b', APPMGR_STOPPED };
	for (size_t i = 0; i < sizeof head; i++)
		expect_eq("list byte", head[i], buf[i]);
	struct appmgr_list l;
	expect_eq("decode", 0, appmgr_list_decode(buf, (size_t)len, &l));
	expect_eq("total", 5, l.total);
	expect_eq("count", 3, l.count);
	for (unsigned i = 0; i < 3; i++) {
		expect_eq("name", 0, strcmp(l.e[i].name, e[i].name));
		expect_eq("state", e[i].state, l.e[i].state);
	}
	/* Room for the first two entries only: the third waits for the next page. */
	len = appmgr_list_encode(5, e, 3, buf, 2 + 7 + 3 + 8, &taken);
	expect_eq("page taken", 2, taken);
	expect_eq("page length", 2 + 7 + 3, len);
	expect_eq("page count byte", 2, buf[1]);
	len = appmgr_list_encode(0, e, 0, buf, 2, &taken);
	expect_eq("empty page", 2, len);
	expect_eq("empty taken", 0, taken);
}

static void list_with_bad_entries_or_framing_is_refused(void **state)
{
	(void)state;
	struct appmgr_list_entry e[2] = { { "ok", APPMGR_STOPPED }, { "", APPMGR_STOPPED } };
	uint8_t buf[32];
	size_t taken;
	expect_eq("empty name", -NX_EINVAL, appmgr_list_encode(2, e, 2, buf, sizeof buf, &taken));
	memset(e[1].name, 'x', sizeof e[1].name);
	expect_eq("name without NUL", -NX_EINVAL, appmgr_list_encode(2, e, 2, buf, sizeof buf, &taken));
	expect_eq("too many", -NX_EINVAL, appmgr_list_encode(2, e, APPMGR_MAX_ABILITIES + 1, buf, sizeof buf, &taken));
	expect_eq("no room for the header", -NX_EINVAL, appmgr_list_encode(2, e, 1, buf, 1, &taken));

	struct appmgr_list l;
	const int len = appmgr_list_encode(2, e, 1, buf, sizeof buf, &taken);
	expect_eq("encode", 2 + 2 + 2, len);
	expect_eq("one byte", -NX_EINVAL, appmgr_list_decode(buf, 1, &l));
	expect_eq("truncated", -NX_EINVAL, appmgr_list_decode(buf, (size_t)len - 1, &l));
	expect_eq("trailing", -NX_EINVAL, appmgr_list_decode(buf, (size_t)len + 1, &l));
	static const uint8_t count_above_total[] = { 0, 1, 1, 'a', APPMGR_STOPPED };
	expect_eq("count above total", -NX_EINVAL, appmgr_list_decode(count_above_total, sizeof count_above_total, &l));
	static const uint8_t empty_name[] = { 1, 1, 0, APPMGR_STOPPED };
	expect_eq("empty name", -NX_EINVAL, appmgr_list_decode(empty_name, sizeof empty_name, &l));
	static const uint8_t nul_name[] = { 1, 1, 2, 'a', 0, APPMGR_STOPPED };
	expect_eq("NUL in a name", -NX_EINVAL, appmgr_list_decode(nul_name, sizeof nul_name, &l));
	static const uint8_t bad_state[] = { 1, 1, 1, 'a', APPMGR_STATE_COUNT };
	expect_eq("bad state", -NX_EINVAL, appmgr_list_decode(bad_state, sizeof bad_state, &l));
	static const uint8_t missing_entry[] = { 2, 2, 1, 'a', APPMGR_STOPPED };
	expect_eq("missing entry", -NX_EINVAL, appmgr_list_decode(missing_entry, sizeof missing_entry, &l));
}

static void image_requests_round_trip_and_malformed_ones_are_refused(void **state)
{
	(void)state;
	struct appmgr_image im = { .name = "hello", .stored = 1, .version = 3, .image_len = NX_SPAWN_ELF_MAX,
				   .prefix_len = 5, .prefix = "/u/x/" };
	for (unsigned i = 0; i < EXECD_DIGEST_LEN; i++)
		im.sha512[i] = (uint8_t)i;
	uint8_t buf[APPMGR_IMAGE_MAX + 1];
	struct appmgr_image got;
	const int len = appmgr_image_encode(&im, buf, sizeof buf);
	expect_eq("stored encode", 2 + 5 + 8 + EXECD_DIGEST_LEN + 1 + 5, len);
	expect_eq("small buffer", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_encode(&im, buf, (size_t)len - 1));
	expect_eq("decode", 0, appmgr_image_decode(buf, (size_t)len, &got));
	expect_eq("name", 0, strcmp(got.name, "hello"));
	expect_eq("version", 3, got.version);
	expect_eq("length", NX_SPAWN_ELF_MAX, got.image_len);
	expect_eq("digest", 0, memcmp(got.sha512, im.sha512, EXECD_DIGEST_LEN));
	expect_eq("prefix", 0, strcmp(got.prefix, "/u/x/"));
	expect_eq("one byte short", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_decode(buf, (size_t)len - 1, &got));
	expect_eq("one byte long", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_decode(buf, (size_t)len + 1, &got));
	im.image_len = NX_SPAWN_ELF_MAX + 1;
	expect_eq("image one byte too long", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_encode(&im, buf, sizeof buf));
	im.image_len = 0;
	expect_eq("empty image", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_encode(&im, buf, sizeof buf));
	im.image_len = 1;
	im.prefix_len = 0;
	expect_eq("empty prefix", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_encode(&im, buf, sizeof buf));
	const struct appmgr_image builtin = { .name = "hello", .stored = 0 };
	expect_eq("built-in encode", 7, appmgr_image_encode(&builtin, buf, sizeof buf));
	expect_eq("built-in decode", 0, appmgr_image_decode(buf, 7, &got));
	expect_eq("built-in", 0, got.stored);
	expect_eq("built-in with a tail", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_decode(buf, 8, &got));
	buf[6] = 2;
	expect_eq("stored 2", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_decode(buf, 7, &got));
}

/* A stored image request for `name` with a prefix of `prefix_len` bytes of 'p'. */
static struct appmgr_image stored_image(const char *name, size_t prefix_len, uint32_t image_len)
{
	struct appmgr_image im;
	memset(&im, 0, sizeof im);
	memcpy(im.name, name, strlen(name) + 1);
	im.stored = 1;
	im.version = 0x04030201;
	im.image_len = image_len;
	for (unsigned i = 0; i < EXECD_DIGEST_LEN; i++)
		im.sha512[i] = (uint8_t)(0x80 + i);
	im.prefix_len = (uint8_t)prefix_len;
	memset(im.prefix, 'p', prefix_len);
	return im;
}

static void expect_image_eq(const char *what, const struct appmgr_image *want, const struct appmgr_image *got)
{
	if (strcmp(got->name, want->name) != 0 || got->stored != want->stored || got->version != want->version ||
	    got->image_len != want->image_len || got->prefix_len != want->prefix_len ||
	    strcmp(got->prefix, want->prefix) != 0 || memcmp(got->sha512, want->sha512, EXECD_DIGEST_LEN) != 0)
		fail_msg("%s: decoded \"%s\" stored %u version %u len %u prefix %u \"%s\", expected \"%s\" %u %u %u %u \"%s\"",
			 what, got->name, got->stored, (unsigned)got->version, (unsigned)got->image_len, got->prefix_len,
			 got->prefix, want->name, want->stored, (unsigned)want->version, (unsigned)want->image_len,
			 want->prefix_len, want->prefix);
}

/* `im` encodes into exactly its length, nothing past it, and decodes back to itself. */
static size_t image_round_trip(const char *what, const struct appmgr_image *im, uint8_t *buf, size_t cap)
{
	memset(buf, 0xEE, cap);
	const int n = appmgr_image_encode(im, buf, cap);
	if (n <= 0 || (size_t)n >= cap)
		fail_msg("%s: encode returned %d", what, n);
	if (buf[n] != 0xEE)
		fail_msg("%s: a byte past the request written", what);
	struct appmgr_image got;
	memset(&got, 0x77, sizeof got);
	if (appmgr_image_decode(buf, (size_t)n, &got) != 0)
		fail_msg("%s: its own encoding refused", what);
	expect_image_eq(what, im, &got);
	return (size_t)n;
}

static void image_encode_refused(const char *what, const struct appmgr_image *im)
{
	uint8_t buf[APPMGR_IMAGE_MAX + 8];
	memset(buf, 0xEE, sizeof buf);
	if (appmgr_image_encode(im, buf, sizeof buf) != -NX_EINVAL)
		fail_msg("%s: encoded", what);
	for (size_t i = 0; i < sizeof buf; i++) {
		if (buf[i] != 0xEE)
			fail_msg("%s: refused but byte %zu written", what, i);
	}
}

static void image_decode_refused(const char *what, const uint8_t *buf, size_t len)
{
	struct appmgr_image got, untouched;
	memset(&got, 0x77, sizeof got);
	memset(&untouched, 0x77, sizeof untouched);
	if (appmgr_image_decode(buf, len, &got) != -NX_EINVAL)
		fail_msg("%s: decoded", what);
	if (!same_bytes(&got, &untouched, sizeof got))
		fail_msg("%s: refused but written", what);
}

static void image_request_is_name_len_name_stored_then_version_len_digest_prefix_len_prefix(void **state)
{
	(void)state;
	struct appmgr_image im = stored_image("ab", 3, NX_SPAWN_ELF_MAX);
	memcpy(im.prefix, "/p/", 4);
	static const uint8_t head[13] = { 2, 'a', 'b', 1, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x01, 0x00, 0x80 };
	uint8_t buf[APPMGR_IMAGE_MAX + 1];
	const size_t n = image_round_trip("stored", &im, buf, sizeof buf);
	expect_eq("stored length", 2 + 2 + 8 + EXECD_DIGEST_LEN + 1 + 3, n);
	for (size_t i = 0; i < sizeof head; i++)
		expect_eq("name_len, name, stored, version, image_len, digest", head[i], buf[i]);
	for (unsigned i = 0; i < EXECD_DIGEST_LEN; i++)
		expect_eq("digest at 12", 0x80 + i, buf[12 + i]);
	expect_eq("prefix_len at 76", 3, buf[76]);
	expect_eq("prefix at 77", 0, memcmp(buf + 77, "/p/", 3));
	const struct appmgr_image builtin = { .name = "ab", .stored = 0, .version = 9, .image_len = 9 };
	memset(buf, 0xEE, sizeof buf);
	expect_eq("built-in: 4 bytes", 4, appmgr_image_encode(&builtin, buf, sizeof buf));
	static const uint8_t want_builtin[5] = { 2, 'a', 'b', 0, 0xEE };
	for (size_t i = 0; i < sizeof want_builtin; i++)
		expect_eq("built-in: name_len, name, 0, nothing more", want_builtin[i], buf[i]);
	struct appmgr_image got;
	expect_eq("built-in decode", 0, appmgr_image_decode(buf, 4, &got));
	expect_eq("built-in: the unused fields zero", 0, got.version | got.image_len | got.prefix_len);
}

static void image_names_are_1_to_31_bytes_and_stored_is_0_or_1_both_ways(void **state)
{
	(void)state;
	uint8_t buf[APPMGR_IMAGE_MAX + 1];
	static const char longest[] = "abcdefghijklmnopqrstuvwxyz01234";
	struct appmgr_image im = stored_image(longest, EXECD_PREFIX_MAX, 1);
	expect_eq("the longest request", APPMGR_IMAGE_MAX, image_round_trip("31-byte name", &im, buf, sizeof buf));
	im = stored_image("a", 1, 1);
	image_round_trip("1-byte name", &im, buf, sizeof buf);
	const struct appmgr_image builtin31 = { .name = "abcdefghijklmnopqrstuvwxyz01234", .stored = 0 };
	image_round_trip("31-byte name, built in", &builtin31, buf, sizeof buf);
	im = stored_image("a", 1, 1);
	im.name[0] = '\0';
	image_encode_refused("an empty name", &im);
	memset(im.name, 'n', sizeof im.name);
	image_encode_refused("a 32-byte name (no NUL in the field)", &im);
	im = stored_image("a", 1, 1);
	im.stored = 2;
	image_encode_refused("stored 2", &im);
	im.stored = 0xff;
	image_encode_refused("stored 255", &im);

	const struct appmgr_image builtin = { .name = "hello", .stored = 0 };
	uint8_t good[8];
	expect_eq("built-in encode", 7, appmgr_image_encode(&builtin, good, sizeof good));
	uint8_t bad[2 + 32 + 1];
	memcpy(bad, good, 7);
	bad[0] = 0;
	image_decode_refused("name_len 0", bad, 7);
	bad[0] = 32;
	memset(bad + 1, 'n', 32);
	bad[33] = 0;
	image_decode_refused("name_len 32", bad, 34);
	memcpy(bad, good, 7);
	bad[3] = '\0';
	image_decode_refused("a NUL in the name", bad, 7);
	memcpy(bad, good, 7);
	bad[6] = 2;
	image_decode_refused("stored 2", bad, 7);
	bad[6] = 0xff;
	image_decode_refused("stored 255", bad, 7);
}

static void image_len_and_prefix_len_are_bounded_at_and_one_past_both_ways(void **state)
{
	(void)state;
	uint8_t buf[APPMGR_IMAGE_MAX + 8];
	const uint32_t lens[] = { 1, NX_SPAWN_ELF_MAX };
	for (unsigned i = 0; i < 2; i++) {
		struct appmgr_image im = stored_image("hello", 4, lens[i]);
		image_round_trip("an image length in bounds", &im, buf, sizeof buf);
	}
	const size_t prefixes[] = { 1, EXECD_PREFIX_MAX };
	for (unsigned i = 0; i < 2; i++) {
		struct appmgr_image im = stored_image("hello", prefixes[i], 1);
		image_round_trip("a prefix length in bounds", &im, buf, sizeof buf);
	}
	struct appmgr_image im = stored_image("hello", 4, 1);
	im.version = 0;
	image_encode_refused("a stored version 0", &im);
	im = stored_image("hello", 4, 0);
	image_encode_refused("image_len 0", &im);
	im.image_len = NX_SPAWN_ELF_MAX + 1;
	image_encode_refused("image_len one past", &im);
	im = stored_image("hello", 0, 1);
	image_encode_refused("prefix_len 0", &im);
	im = stored_image("hello", EXECD_PREFIX_MAX, 1);
	im.prefix_len = EXECD_PREFIX_MAX + 1;
	im.prefix[EXECD_PREFIX_MAX] = 'p';
	image_encode_refused("prefix_len one past (its 63 bytes all key bytes)", &im);
	im = stored_image("hello", 4, 1);
	im.prefix[1] = ' ';
	image_encode_refused("a space in the prefix", &im);

	/* The decoder, on one good request patched: hello, then image_len at 11, prefix_len at 79. */
	im = stored_image("hello", 4, 1);
	uint8_t good[APPMGR_IMAGE_MAX + 8], bad[sizeof good];
	const size_t n = image_round_trip("hello", &im, good, sizeof good);
	expect_eq("85 bytes", 2 + 5 + 8 + EXECD_DIGEST_LEN + 1 + 4, n);
	expect_eq("image_len at 11", 1, good[11]);
	expect_eq("prefix_len at 79", 4, good[79]);
	memcpy(bad, good, n);
	memset(bad + 7, 0, 4);
	image_decode_refused("a stored version 0", bad, n);
	memcpy(bad, good, n);
	memset(bad + 11, 0, 4);
	image_decode_refused("image_len 0", bad, n);
	memcpy(bad, good, n);
	bad[11] = 0x01;
	bad[12] = 0x00;
	bad[13] = 0x01;
	image_decode_refused("image_len one past", bad, n);
	memcpy(bad, good, n);
	bad[79] = 0;
	image_decode_refused("prefix_len 0", bad, 80);
	memcpy(bad, good, 80);
	bad[79] = EXECD_PREFIX_MAX + 1;
	memset(bad + 80, 'p', EXECD_PREFIX_MAX + 1);
	image_decode_refused("prefix_len one past", bad, 80 + EXECD_PREFIX_MAX + 1);
	memcpy(bad, good, n);
	bad[81] = 0x7f;
	image_decode_refused("a DEL in the prefix", bad, n);
	memcpy(bad, good, n);
	bad[6] = 2;
	image_decode_refused("stored 2 with a stored image's bytes", bad, n);
}

static void image_decode_refuses_truncated_or_trailing_bytes_leaving_the_output(void **state)
{
	(void)state;
	struct appmgr_image im = stored_image("hello", 4, 1);
	uint8_t buf[APPMGR_IMAGE_MAX + 8];
	const size_t n = image_round_trip("hello", &im, buf, sizeof buf);
	buf[n] = 'p';
	for (size_t len = 0; len < n; len++)
		image_decode_refused("truncated", buf, len);
	image_decode_refused("a trailing key byte", buf, n + 1);
	const struct appmgr_image builtin = { .name = "hello", .stored = 0 };
	expect_eq("built-in", 7, appmgr_image_encode(&builtin, buf, sizeof buf));
	buf[7] = 0;
	for (size_t len = 0; len < 7; len++)
		image_decode_refused("built-in truncated", buf, len);
	image_decode_refused("built-in with a trailing byte", buf, 8);
	memset(buf, 0xEE, sizeof buf);
	expect_eq("room one short", (unsigned)-NX_EINVAL, (unsigned)appmgr_image_encode(&builtin, buf, 6));
	expect_eq("refused into too little room: nothing written", 0xEE, buf[0]);
}

static void change_round_trips_and_malformed_ones_are_refused(void **state)
{
	(void)state;
	const struct appmgr_change c = { .seq = 0x01020304u, .t_ms = 0x0102030405ULL, .from = APPMGR_STARTING,
					  .to = APPMGR_RUNNING_FG, .reason = APPMGR_REASON_NONE, .timeout = 1,
					  .name = "hello" };
	uint8_t buf[16 + APPMGR_NAME_MAX + 1];
	struct appmgr_change got, untouched;
	expect_eq("encode", 21, appmgr_change_encode(&c, buf, sizeof buf));
	expect_eq("small buffer", (unsigned)-NX_EINVAL, (unsigned)appmgr_change_encode(&c, buf, 20));
	expect_eq("seq low byte", 4, buf[0]);
	expect_eq("to", APPMGR_RUNNING_FG, buf[13]);
	memset(&got, 0, sizeof got);
	expect_eq("decode", 0, appmgr_change_decode(buf, 21, &got));
	expect_eq("seq", c.seq, got.seq);
	expect_eq("t_ms", c.t_ms, got.t_ms);
	expect_eq("from", c.from, got.from);
	expect_eq("to", c.to, got.to);
	expect_eq("reason", c.reason, got.reason);
	expect_eq("timeout", c.timeout, got.timeout);
	expect_eq("name", 0, strcmp(got.name, "hello"));
	memset(&untouched, 0x77, sizeof untouched);
	const struct {
		const char *what;
		size_t at;
		uint8_t v;
		size_t len;
	} bad[] = {
		{ "no name", 0, 4, 16 },          { "from out of range", 12, APPMGR_STATE_COUNT, 21 },
		{ "to out of range", 13, APPMGR_STATE_COUNT, 21 }, { "reason out of range", 14, APPMGR_REASON_COUNT, 21 },
		{ "timeout 2", 15, 2, 21 },       { "NUL in the name", 17, 0, 21 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t copy[sizeof buf];
		memcpy(copy, buf, sizeof buf);
		copy[bad[i].at] = bad[i].v;
		got = untouched;
		if (appmgr_change_decode(copy, bad[i].len, &got) != -NX_EINVAL)
			fail_msg("%s: not refused", bad[i].what);
		if (!same_bytes(&got, &untouched, sizeof got))
			fail_msg("%s: refused but written", bad[i].what);
	}
	uint8_t longest[16 + APPMGR_NAME_MAX + 1];
	memcpy(longest, buf, 16);
	memset(longest + 16, 'n', APPMGR_NAME_MAX + 1);
	expect_eq("31-byte name", 0, appmgr_change_decode(longest, 16 + APPMGR_NAME_MAX, &got));
	expect_eq("32-byte name", (unsigned)-NX_EINVAL, (unsigned)appmgr_change_decode(longest, 16 + APPMGR_NAME_MAX + 1, &got));
}


/* The last state and reason have their names; one past each is "?". */
static void state_and_reason_names_at_the_last_value_and_unknown_one_past(void **state)
{
	(void)state;
	assert_int_equal(APPMGR_BLOCKED, APPMGR_STATE_COUNT - 1);
	assert_string_equal(appmgr_state_name(APPMGR_STOPPED), "stopped");
	assert_string_equal(appmgr_state_name(APPMGR_BLOCKED), "blocked");
	assert_string_equal(appmgr_state_name(APPMGR_STATE_COUNT), "?");
	assert_string_equal(appmgr_state_name(~0U), "?");
	assert_int_equal(APPMGR_REASON_REQUEST, APPMGR_REASON_COUNT - 1);
	assert_string_equal(appmgr_reason_name(APPMGR_REASON_NONE), "none");
	assert_string_equal(appmgr_reason_name(APPMGR_REASON_REQUEST), "request");
	assert_string_equal(appmgr_reason_name(APPMGR_REASON_COUNT), "?");
	assert_string_equal(appmgr_reason_name(~0U), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_and_reason_names_at_the_last_value_and_unknown_one_past),
		cmocka_unit_test(change_round_trips_and_malformed_ones_are_refused),
		cmocka_unit_test(image_requests_round_trip_and_malformed_ones_are_refused),
		cmocka_unit_test(image_request_is_name_len_name_stored_then_version_len_digest_prefix_len_prefix),
		cmocka_unit_test(image_names_are_1_to_31_bytes_and_stored_is_0_or_1_both_ways),
		cmocka_unit_test(image_len_and_prefix_len_are_bounded_at_and_one_past_both_ways),
		cmocka_unit_test(image_decode_refuses_truncated_or_trailing_bytes_leaving_the_output),
		cmocka_unit_test(names_of_1_to_31_bytes_decode_with_their_nul),
		cmocka_unit_test(empty_long_and_nul_holding_names_are_refused),
		cmocka_unit_test(ready_mode_is_one_byte_fg_or_bg),
		cmocka_unit_test(state_encodes_fields_in_order_little_endian),
		cmocka_unit_test(state_out_of_range_or_wrong_length_is_refused),
		cmocka_unit_test(policy_is_eleven_u32_in_struct_order),
		cmocka_unit_test(history_round_trips_empty_and_full),
		cmocka_unit_test(history_with_bad_count_length_or_reason_is_refused),
		cmocka_unit_test(list_round_trips_and_stops_where_the_reply_is_full),
		cmocka_unit_test(list_with_bad_entries_or_framing_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
