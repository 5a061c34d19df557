/*
 * Fuzz target: updated's codec (include/proto/ota.h) and appmgrd's image request decoder
 * (include/proto/appmgr.h) on arbitrary bytes. The first input byte picks what runs; the rest
 * is the data, in libFuzzer's own heap block of exactly its size, so ASan sees any read past it.
 *
 * Checks, for each decoder (record, status, stage_begin, stage_chunk, stats, health window,
 * image request): it accepts exactly what this file's own reading of the header's rules
 * accepts; what it accepts holds the values the bytes say, encodes back to the identical
 * bytes, and does not encode into one byte less of room (writing nothing there); a refusal
 * leaves every output as it was. Two more picks build a record and a status reply, or a name,
 * slot and room, from the input's bytes: the encoders and key functions must accept exactly
 * the valid ones, and what they write must decode back (or be the documented key).
 */
#include "fuzz.h"

#include "proto/appmgr.h"
#include "proto/ota.h"

enum { PICK_RECORD, PICK_STATUS, PICK_BEGIN, PICK_CHUNK, PICK_STATS, PICK_WINDOW, PICK_IMAGE, PICK_BUILD, PICK_NAMES, PICKS };

#define FILL 0xA5
#define SLOT_BYTES (16U + BUNDLE_DIGEST_LEN)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

static bool all_fill(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != FILL)
			return false;
	}
	return true;
}

/* ---- the header's rules, read independently of src/proto/ota.c ---- */

struct ref_slot {
	uint8_t state;
	uint32_t version, image_len, window;
	bool digest_zero;
};

/* What a slot of each state holds: BUILTIN version 1 and no image, EMPTY all zeros, the
 * stored states a version from 1, 1..NX_SPAWN_ELF_MAX bytes, a window of 1..max ms. */
static bool ref_slot_ok(const struct ref_slot *s)
{
	const bool no_image = s->image_len == 0 && s->window == 0 && s->digest_zero;
	if (s->state == OTA_SLOT_EMPTY)
		return s->version == 0 && no_image;
	if (s->state == OTA_SLOT_BUILTIN)
		return s->version == OTA_BUILTIN_VERSION && no_image;
	if (s->state >= OTA_SLOT_STATE_COUNT)
		return false;
	return s->version >= 1 && s->image_len >= 1 && s->image_len <= NX_SPAWN_ELF_MAX && s->window >= 1 &&
	       s->window <= OTA_HEALTH_WINDOW_MAX_MS;
}

/* The active slot is BUILTIN or GOOD; trial is 1 exactly when the other slot is TRIAL. */
static bool ref_rules_ok(uint8_t active, uint8_t trial, const struct ref_slot s[2])
{
	if (active > 1 || trial > 1)
		return false;
	const uint8_t a = s[active].state, other = s[1 - active].state;
	return (a == OTA_SLOT_BUILTIN || a == OTA_SLOT_GOOD) && (trial == 1) == (other == OTA_SLOT_TRIAL) &&
	       ref_slot_ok(&s[0]) && ref_slot_ok(&s[1]);
}

static bool ref_record_ok(const uint8_t *d, size_t n)
{
	if (n != OTA_BOOTCTL_LEN || d[0] != OTA_BOOTCTL_FORMAT || d[3] != 0)
		return false;
	struct ref_slot s[2];
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *p = d + 8 + i * SLOT_BYTES;
		if (!all_zero(p + 1, 3))
			return false;
		s[i] = (struct ref_slot){ p[0], le32(p + 4), le32(p + 8), le32(p + 12), all_zero(p + 16, BUNDLE_DIGEST_LEN) };
	}
	return ref_rules_ok(d[1], d[2], s);
}

static bool ref_status_ok(const uint8_t *d, size_t n)
{
	if (n != OTA_STATUS_LEN || d[2] >= OTA_EV_COUNT || d[3] != 0)
		return false;
	struct ref_slot s[2];
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *p = d + 8 + i * 13;
		s[i] = (struct ref_slot){ p[0], le32(p + 1), le32(p + 5), le32(p + 9), true };
	}
	return ref_rules_ok(d[0], d[1], s);
}

/* An ability name: 1..OTA_NAME_MAX bytes, a lowercase letter, then letters, digits, _ and -. */
static bool ref_name_ok(const uint8_t *s, size_t n)
{
	if (n < 1 || n > OTA_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++) {
		const bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-';
		if (!ok)
			return false;
	}
	return true;
}

/* The first "health_window_ms": and the decimal digits after it: none is the default; a value
 * must be 1..OTA_HEALTH_WINDOW_MAX_MS without a leading zero (so at most 8 digits). */
static bool ref_window(const uint8_t *d, size_t n, uint32_t *ms)
{
	static const char key[] = "\"health_window_ms\":";
	const size_t k = sizeof key - 1;
	bool found = false;
	size_t at = 0;
	for (size_t i = 0; i + k <= n && !found; i++) {
		found = memcmp(d + i, key, k) == 0;
		at = i + k;
	}
	if (!found) {
		*ms = OTA_HEALTH_WINDOW_DEFAULT_MS;
		return true;
	}
	size_t digits = 0;
	while (at + digits < n && d[at + digits] >= '0' && d[at + digits] <= '9')
		digits++;
	if (digits < 1 || digits > 8 || d[at] == '0')
		return false;
	uint32_t v = 0;
	for (size_t i = 0; i < digits; i++)
		v = v * 10 + (uint32_t)(d[at + i] - '0');
	*ms = v;
	return v <= OTA_HEALTH_WINDOW_MAX_MS;
}

/* appmgrd's image request: name_len, name, stored 0 (nothing more) or 1 (version >= 1, image_len
 * 1..NX_SPAWN_ELF_MAX, digest, prefix_len 1..EXECD_PREFIX_MAX, that many key bytes). */
static bool ref_image_ok(const uint8_t *d, size_t n)
{
	if (n < 2 || d[0] < 1 || d[0] > APPMGR_NAME_MAX || n < 2U + d[0] || memchr(d + 1, 0, d[0]) != NULL)
		return false;
	const size_t at = 2U + d[0];
	const uint8_t stored = d[at - 1];
	if (stored == 0)
		return n == at;
	const size_t fixed = 8 + EXECD_DIGEST_LEN + 1;
	if (stored != 1 || n < at + fixed)
		return false;
	const uint32_t version = le32(d + at);
	const uint32_t image_len = le32(d + at + 4);
	const uint8_t plen = d[at + fixed - 1];
	if (version < 1 || image_len < 1 || image_len > NX_SPAWN_ELF_MAX || plen < 1 || plen > EXECD_PREFIX_MAX || n != at + fixed + plen)
		return false;
	for (size_t i = 0; i < plen; i++) {
		if (d[at + fixed + i] < 0x21 || d[at + fixed + i] > 0x7e)
			return false;
	}
	return true;
}

/* A record's and a status reply's bytes as the header's tables lay them out. */
static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void ref_record_layout(const struct ota_bootctl *c, uint8_t out[OTA_BOOTCTL_LEN])
{
	memset(out, 0, OTA_BOOTCTL_LEN);
	out[0] = OTA_BOOTCTL_FORMAT;
	out[1] = c->active;
	out[2] = c->trial;
	put32(out + 4, c->failed_version);
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *p = out + 8 + i * SLOT_BYTES;
		p[0] = c->slot[i].state;
		put32(p + 4, c->slot[i].version);
		put32(p + 8, c->slot[i].image_len);
		put32(p + 12, c->slot[i].health_window_ms);
		memcpy(p + 16, c->slot[i].sha512, BUNDLE_DIGEST_LEN);
	}
}

static void ref_status_layout(const struct ota_status *s, uint8_t out[OTA_STATUS_LEN])
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
	put32(out + 34, (uint32_t)s->event_ms);
	put32(out + 38, (uint32_t)(s->event_ms >> 32));
	put32(out + 42, (uint32_t)s->ready_ms);
	put32(out + 46, (uint32_t)(s->ready_ms >> 32));
}

/* ---- the checks ---- */

/* An encode that re-created `n` bytes: they are `d`; into n - 1 bytes it must fail and write nothing. */
static void check_same(const char *what, const uint8_t *d, size_t n, int len, const uint8_t *out, int short_len,
		       const uint8_t *small, size_t small_cap)
{
	FZ_CHECK(len >= 0 && (size_t)len == n, "%s: re-encoded %d bytes from %zu", what, len, n);
	FZ_CHECK(memcmp(out, d, n) == 0, "%s: re-encodes to the bytes it came from", what);
	FZ_CHECK(short_len == -NX_EINVAL, "%s: encoding into %zu bytes returned %d", what, n - 1, short_len);
	FZ_CHECK(all_fill(small, small_cap), "%s: a refused encode wrote", what);
}

static void check_slot_fields(const struct ota_slot *s, const uint8_t *state, const uint8_t *version,
			      const uint8_t *image_len, const uint8_t *window)
{
	FZ_CHECK(s->state == *state && s->version == le32(version) && s->image_len == le32(image_len) &&
			 s->health_window_ms == le32(window),
		 "a slot decoded to other values than its bytes");
}

static void check_record(const uint8_t *d, size_t n)
{
	struct ota_bootctl c;
	memset(&c, FILL, sizeof c);
	const int rc = ota_bootctl_decode(d, n, &c);
	const bool valid = ref_record_ok(d, n);
	FZ_CHECK(rc == (valid ? 0 : -NX_EINVAL), "record of %zu bytes: decode %d, the rules say %d", n, rc, valid);
	if (rc != 0) {
		FZ_CHECK(all_fill(&c, sizeof c), "a refused record changed the output");
		return;
	}
	FZ_CHECK(c.active == d[1] && c.trial == d[2] && c.failed_version == le32(d + 4), "record head values");
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *p = d + 8 + i * SLOT_BYTES;
		check_slot_fields(&c.slot[i], p, p + 4, p + 8, p + 12);
		FZ_CHECK(memcmp(c.slot[i].sha512, p + 16, BUNDLE_DIGEST_LEN) == 0, "slot %u digest", i);
	}
	uint8_t out[OTA_BOOTCTL_LEN], small[OTA_BOOTCTL_LEN];
	memset(small, FILL, sizeof small);
	check_same("record", d, n, ota_bootctl_encode(&c, out, sizeof out), out,
		   ota_bootctl_encode(&c, small, n - 1), small, sizeof small);
}

static void check_status(const uint8_t *d, size_t n)
{
	struct ota_status s;
	memset(&s, FILL, sizeof s);
	const int rc = ota_status_decode(d, n, &s);
	const bool valid = ref_status_ok(d, n);
	FZ_CHECK(rc == (valid ? 0 : -NX_EINVAL), "status of %zu bytes: decode %d, the rules say %d", n, rc, valid);
	if (rc != 0) {
		FZ_CHECK(all_fill(&s, sizeof s), "a refused status changed the output");
		return;
	}
	FZ_CHECK(s.ctl.active == d[0] && s.ctl.trial == d[1] && s.last_event == d[2] &&
			 s.ctl.failed_version == le32(d + 4) && s.event_ms == le64(d + 34) && s.ready_ms == le64(d + 42),
		 "status head and times");
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *p = d + 8 + i * 13;
		check_slot_fields(&s.ctl.slot[i], p, p + 1, p + 5, p + 9);
		FZ_CHECK(all_zero(s.ctl.slot[i].sha512, BUNDLE_DIGEST_LEN), "a status slot's digest not zero");
	}
	uint8_t out[OTA_STATUS_LEN], small[OTA_STATUS_LEN];
	memset(small, FILL, sizeof small);
	check_same("status", d, n, ota_status_encode(&s, out, sizeof out), out, ota_status_encode(&s, small, n - 1),
		   small, sizeof small);
}

static void check_begin(const uint8_t *d, size_t n)
{
	uint32_t total = 0xA5A5A5A5;
	char app[OTA_NAME_MAX + 1];
	memset(app, FILL, sizeof app);
	const int rc = ota_begin_decode(d, n, &total, app);
	const bool valid = n >= 5 && ref_name_ok(d + 4, n - 4);
	FZ_CHECK(rc == (valid ? 0 : -NX_EINVAL), "begin of %zu bytes: decode %d, valid %d", n, rc, valid);
	if (rc != 0) {
		FZ_CHECK(total == 0xA5A5A5A5 && all_fill(app, sizeof app), "a refused begin changed an output");
		return;
	}
	FZ_CHECK(total == le32(d) && memcmp(app, d + 4, n - 4) == 0 && app[n - 4] == '\0', "begin values");
	uint8_t out[4 + OTA_NAME_MAX], small[4 + OTA_NAME_MAX];
	memset(small, FILL, sizeof small);
	check_same("begin", d, n, ota_begin_encode(total, app, out, sizeof out), out,
		   ota_begin_encode(total, app, small, n - 1), small, sizeof small);
}

static void check_chunk(const uint8_t *d, size_t n)
{
	uint32_t off = 0xA5A5A5A5;
	uint16_t len = 0xA5A5;
	const int rc = ota_chunk_decode(d, n, &off, &len);
	const uint16_t want = n == OTA_CHUNK_REQ_LEN ? (uint16_t)(d[4] | d[5] << 8) : 0;
	const bool valid = n == OTA_CHUNK_REQ_LEN && want >= 1 && want <= OTA_CHUNK_MAX;
	FZ_CHECK(rc == (valid ? 0 : -NX_EINVAL), "chunk of %zu bytes: decode %d, valid %d", n, rc, valid);
	if (rc != 0) {
		FZ_CHECK(off == 0xA5A5A5A5 && len == 0xA5A5, "a refused chunk changed an output");
		return;
	}
	FZ_CHECK(off == le32(d) && len == want, "chunk values");
	uint8_t out[OTA_CHUNK_REQ_LEN], small[OTA_CHUNK_REQ_LEN];
	memset(small, FILL, sizeof small);
	check_same("chunk", d, n, ota_chunk_encode(off, len, out, sizeof out), out, ota_chunk_encode(off, len, small, n - 1),
		   small, sizeof small);
}

static void check_stats(const uint8_t *d, size_t n)
{
	struct ota_stats s;
	memset(&s, FILL, sizeof s);
	const int rc = ota_stats_decode(d, n, &s);
	FZ_CHECK(rc == (n == OTA_STATS_LEN ? 0 : -NX_EINVAL), "stats of %zu bytes: decode %d", n, rc);
	if (rc != 0) {
		FZ_CHECK(all_fill(&s, sizeof s), "refused stats changed the output");
		return;
	}
	for (unsigned i = 0; i < OTA_STAT_COUNT; i++)
		FZ_CHECK(s.n[i] == le32(d + 4 * i), "counter %u", i);
	uint8_t out[OTA_STATS_LEN], small[OTA_STATS_LEN];
	memset(small, FILL, sizeof small);
	check_same("stats", d, n, ota_stats_encode(&s, out, sizeof out), out, ota_stats_encode(&s, small, n - 1), small,
		   sizeof small);
}

static void check_window(const uint8_t *d, size_t n)
{
	uint32_t ms = 0xA5A5A5A5, want = 0;
	const int rc = ota_doc_health_window(d, n, &ms);
	const bool valid = ref_window(d, n, &want);
	FZ_CHECK(rc == (valid ? 0 : -NX_EINVAL), "window of %zu bytes: %d, valid %d", n, rc, valid);
	FZ_CHECK(ms == (valid ? want : 0xA5A5A5A5), "window %u ms, expected %u (valid %d)", (unsigned)ms,
		 (unsigned)want, valid);
}

static void check_image(const uint8_t *d, size_t n)
{
	struct appmgr_image im;
	memset(&im, FILL, sizeof im);
	const int rc = appmgr_image_decode(d, n, &im);
	const bool valid = ref_image_ok(d, n);
	FZ_CHECK(rc == (valid ? 0 : -NX_EINVAL), "image request of %zu bytes: decode %d, valid %d", n, rc, valid);
	if (rc != 0) {
		FZ_CHECK(all_fill(&im, sizeof im), "a refused image request changed the output");
		return;
	}
	uint8_t out[APPMGR_IMAGE_MAX], small[APPMGR_IMAGE_MAX];
	memset(small, FILL, sizeof small);
	check_same("image", d, n, appmgr_image_encode(&im, out, sizeof out), out, appmgr_image_encode(&im, small, n - 1),
		   small, sizeof small);
}

/* A record and a status reply from the input's fields: encoded exactly when valid, and back. */
static void check_build(const uint8_t *d, size_t n)
{
	struct fz_in in = { d, n };
	struct ota_bootctl c;
	struct ref_slot r[2];
	memset(&c, 0, sizeof c);
	c.active = fz_u8(&in);
	c.trial = fz_u8(&in);
	c.failed_version = fz_u32(&in);
	for (unsigned i = 0; i < 2; i++) {
		struct ota_slot *s = &c.slot[i];
		s->state = fz_u8(&in);
		s->version = fz_u32(&in);
		s->image_len = fz_u32(&in);
		s->health_window_ms = fz_u32(&in);
		/* One byte says how many digest bytes come from the input (0: all zero). */
		fz_bytes(&in, s->sha512, fz_u8(&in) % (BUNDLE_DIGEST_LEN + 1));
		r[i] = (struct ref_slot){ s->state, s->version, s->image_len, s->health_window_ms,
					  all_zero(s->sha512, BUNDLE_DIGEST_LEN) };
	}
	uint8_t out[OTA_BOOTCTL_LEN + 1];
	memset(out, FILL, sizeof out);
	const int len = ota_bootctl_encode(&c, out, sizeof out);
	const bool valid = ref_rules_ok(c.active, c.trial, r);
	FZ_CHECK(len == (valid ? (int)OTA_BOOTCTL_LEN : -NX_EINVAL), "record encode %d, the rules say %d", len, valid);
	if (valid) {
		uint8_t want[OTA_BOOTCTL_LEN];
		ref_record_layout(&c, want);
		FZ_CHECK(memcmp(out, want, sizeof want) == 0, "record encode: not the header's layout");
		FZ_CHECK(out[OTA_BOOTCTL_LEN] == FILL, "record encode wrote past its length");
		check_record(out, OTA_BOOTCTL_LEN);
	} else {
		FZ_CHECK(all_fill(out, sizeof out), "a refused record encode wrote");
	}

	struct ota_status s = { .ctl = c };
	s.last_event = fz_u8(&in);
	s.event_ms = fz_u64(&in);
	s.ready_ms = fz_u64(&in);
	r[0].digest_zero = r[1].digest_zero = true;
	uint8_t sout[OTA_STATUS_LEN + 1];
	memset(sout, FILL, sizeof sout);
	const int slen = ota_status_encode(&s, sout, sizeof sout);
	const bool svalid = s.last_event < OTA_EV_COUNT && ref_rules_ok(c.active, c.trial, r);
	FZ_CHECK(slen == (svalid ? (int)OTA_STATUS_LEN : -NX_EINVAL), "status encode %d, the rules say %d", slen, svalid);
	if (svalid) {
		uint8_t want[OTA_STATUS_LEN];
		ref_status_layout(&s, want);
		FZ_CHECK(memcmp(sout, want, sizeof want) == 0, "status encode: not the header's layout");
		FZ_CHECK(sout[OTA_STATUS_LEN] == FILL, "status encode wrote past its length");
		check_status(sout, OTA_STATUS_LEN);
	} else {
		FZ_CHECK(all_fill(sout, sizeof sout), "a refused status encode wrote");
	}
}

/* A name (up to the first NUL, at most 40 bytes), a slot and a room from the input: the keys
 * and stage_begin are written exactly when the name is good and they fit, as documented. */
static void check_names(const uint8_t *d, size_t n)
{
	struct fz_in in = { d, n };
	const unsigned slot = fz_u8(&in) % 4;
	const size_t cap = fz_u8(&in) % 72;
	char name[41];
	fz_bytes(&in, (uint8_t *)name, sizeof name - 1);
	name[sizeof name - 1] = '\0';
	const size_t len = strlen(name);
	const bool good = ref_name_ok((const uint8_t *)name, len);

	char want[80], out[80];
	const size_t plen = (size_t)snprintf(want, sizeof want, "/updated/img/%s/%c/", name, slot == 0 ? 'a' : 'b');
	memset(out, FILL, sizeof out);
	int rc = ota_image_prefix(name, slot, out, cap);
	bool ok = good && slot <= 1 && cap > plen;
	FZ_CHECK(rc == (ok ? 0 : -NX_EINVAL), "prefix of \"%s\" slot %u in %zu: %d", name, slot, cap, rc);
	FZ_CHECK(ok ? strcmp(out, want) == 0 && all_fill(out + plen + 1, sizeof out - plen - 1) : all_fill(out, sizeof out),
		 "prefix of \"%s\" slot %u in %zu: wrong bytes", name, slot, cap);

	const size_t klen = (size_t)snprintf(want, sizeof want, "/updated/ctl/%s", name);
	memset(out, FILL, sizeof out);
	rc = ota_ctl_key(name, out, cap);
	ok = good && cap > klen;
	FZ_CHECK(rc == (ok ? 0 : -NX_EINVAL), "ctl key of \"%s\" in %zu: %d", name, cap, rc);
	FZ_CHECK(ok ? strcmp(out, want) == 0 && all_fill(out + klen + 1, sizeof out - klen - 1) : all_fill(out, sizeof out),
		 "ctl key of \"%s\" in %zu: wrong bytes", name, cap);

	uint8_t req[80];
	memset(req, FILL, sizeof req);
	const uint32_t total = (uint32_t)cap * 0x01010101U;
	rc = ota_begin_encode(total, name, req, cap);
	ok = good && cap >= 4 + len;
	FZ_CHECK(rc == (ok ? (int)(4 + len) : -NX_EINVAL), "begin of \"%s\" in %zu: %d", name, cap, rc);
	if (ok)
		check_begin(req, 4 + len);
	else
		FZ_CHECK(all_fill(req, sizeof req), "a refused begin encode wrote");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const uint8_t *d = data + 1;
	const size_t n = size - 1;
	switch (data[0] % PICKS) {
	case PICK_RECORD:
		check_record(d, n);
		break;
	case PICK_STATUS:
		check_status(d, n);
		break;
	case PICK_BEGIN:
		check_begin(d, n);
		break;
	case PICK_CHUNK:
		check_chunk(d, n);
		break;
	case PICK_STATS:
		check_stats(d, n);
		break;
	case PICK_WINDOW:
		check_window(d, n);
		break;
	case PICK_IMAGE:
		check_image(d, n);
		break;
	case PICK_BUILD:
		check_build(d, n);
		break;
	default:
		check_names(d, n);
		break;
	}
	return 0;
}
