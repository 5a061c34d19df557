/*
 * lcreplay: replay a lifecycle trace through the lifecycle core and print every state change
 * as one JSON object per line; with --svg, also draw the changes as a timeline (timeline.h).
 * With --from-changes it reads such JSON lines instead of a trace and only draws them, so a
 * transcript's changes (scripts/timeline.py) give the same picture as the trace that made
 * them; there it also reads updated's update events as JSON lines and marks them on their
 * abilities' lanes. Trace format and output: docs/ability/overview.md.
 *
 * Exit status: 0 done; 2 for a usage error, an unreadable or invalid policy file, a malformed
 * trace or change line (reported as "lcreplay: line N: <what>" on stderr), or an SVG file that
 * cannot be written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lc/lifecycle.h"
#include "timeline.h"
#include "transitions.h"

#define NAME_LEN_MAX 32
#define LINE_MAX_LEN 1024
#define WORDS_MAX 32
#define POLICY_FILE_MAX (1024 * 1024)
#define IMAGE_LEN_MAX 64
/* Range of the FG/BG keys, which the replay checks but does not model. */
#define SLICE_MS_MAX 60000U

struct app {
	char name[NAME_LEN_MAX + 1];
	struct lc_policy policy;
};

/* Abilities of a --policy document: the ability schema's maxItems, whatever the core holds. */
#define DOC_ABILITIES_MAX 32U
/* Slots of the name index: twice the capacity, so that a lookup probes few. */
#define NAME_INDEX_LEN (2U * LC_MAX_ABILITIES)

struct replay {
	struct lc lc;
	struct app apps[LC_MAX_ABILITIES]; /* index = lifecycle id */
	uint32_t napps;
	uint16_t name_index[NAME_INDEX_LEN]; /* open addressing over apps: id + 1, 0 for empty */
	struct app file_apps[DOC_ABILITIES_MAX]; /* per-name policies of --policy */
	uint32_t nfile_apps;
	struct lc_policy defaults; /* LC_POLICY_DEFAULT under --policy's "defaults" */
	unsigned line;
	uint64_t last_t;
	uint64_t last_update_t; /* --from-changes: update events are in time order among themselves */
	struct tl *tl; /* with --svg: the changes to draw */
	json_object *doc; /* the --from-changes line being read; a line error releases it */
};

static void usage(FILE *to)
{
	fputs("usage: lcreplay [--policy FILE.json] [--until T] [--svg OUT.svg] [TRACE]\n"
	      "       lcreplay --from-changes --svg OUT.svg [--until T] [CHANGES]\n"
	      "Replays TRACE (stdin if absent or \"-\") through the lifecycle core and prints every\n"
	      "state change as a JSON object per line; --svg also draws them as a timeline in OUT.svg.\n"
	      "--from-changes reads such JSON lines (CHANGES, stdin by default), and update events\n"
	      "{\"t\":T,\"app\":A,\"update\":KIND,\"version\":V,\"slot\":S[,\"why\":W]}, and only draws them.\n"
	      "Exit status 2 on any input error.\n",
	      to);
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("lcreplay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* --- numbers ---------------------------------------------------------------------------- */

/* A plain decimal integer (digits only) no larger than `max`. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Exact value in thousandths of a non-negative decimal number in JSON notation ("2", "2.5",
 * "1.001", "25e-1"), no larger than `max`. False for anything else, including a nonzero digit
 * beyond the thousandths. Past 17 significant digits only zeros may follow: such a value is
 * far above any `max` used here or has a digit beyond the thousandths.
 */
static bool parse_milli(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t m = 0;
	long shift = 3; /* value in thousandths = m * 10^shift */
	int digits = 0;

	for (bool fraction = false;; s++) {
		if (*s == '.' && !fraction && digits > 0 && is_digit(s[1])) {
			fraction = true;
			continue;
		}
		if (!is_digit(*s))
			break;
		digits++;
		if (m < UINT64_C(100000000000000000)) {
			m = m * 10 + (uint64_t)(*s - '0');
			shift -= fraction;
		} else if (*s != '0') {
			return false;
		} else {
			shift += !fraction;
		}
	}
	if (digits == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		long e = 0, sign = 1;
		s++;
		if (*s == '+' || *s == '-')
			sign = *s++ == '-' ? -1 : 1;
		if (!is_digit(*s))
			return false;
		for (; is_digit(*s); s++) {
			e = e * 10 + (*s - '0');
			if (e > 9999)
				return false;
		}
		shift += sign * e;
	}
	if (*s)
		return false;
	for (; m && shift > 0; shift--) {
		if (m > max / 10)
			return false;
		m *= 10;
	}
	for (; m && shift < 0; shift++) {
		if (m % 10)
			return false;
		m /= 10;
	}
	if (m > max)
		return false;
	*out = m;
	return true;
}

/* --- policy keys ------------------------------------------------------------------------ */

#define NO_FIELD SIZE_MAX

/* A policy key of the trace's `policy` lines and of the JSON documents. */
struct key {
	const char *name;
	size_t field; /* offset in struct lc_policy, or NO_FIELD for the FG/BG keys */
	uint32_t min, max;
	bool decimal; /* written as a decimal, stored in thousandths */
};

static const struct key keys[] = {
	{ "initial_ms", offsetof(struct lc_policy, initial_ms), 1, LC_MS_MAX, false },
	{ "factor", offsetof(struct lc_policy, factor_milli), LC_FACTOR_MILLI_MIN, LC_FACTOR_MILLI_MAX, true },
	{ "max_ms", offsetof(struct lc_policy, max_ms), 1, LC_MS_MAX, false },
	{ "loop_threshold", offsetof(struct lc_policy, loop_threshold), 0, LC_HISTORY_LEN, false },
	{ "loop_window_ms", offsetof(struct lc_policy, loop_window_ms), 1, LC_MS_MAX, false },
	{ "stable_reset_ms", offsetof(struct lc_policy, stable_reset_ms), 0, LC_MS_MAX, false },
	{ "start_timeout_ms", offsetof(struct lc_policy, start_timeout_ms), 1, LC_MS_MAX, false },
	{ "stop_timeout_ms", offsetof(struct lc_policy, stop_timeout_ms), 1, LC_MS_MAX, false },
	{ "cpu_budget_ms_per_min", NO_FIELD, 0, SLICE_MS_MAX, false },
	{ "timer_slack_fg_ms", NO_FIELD, 0, SLICE_MS_MAX, false },
	{ "timer_slack_bg_ms", NO_FIELD, 0, SLICE_MS_MAX, false },
	{ "health_window_ms", NO_FIELD, 1, LC_MS_MAX, false },
	{ "fg_cpu_limit_ms", NO_FIELD, 0, LC_MS_MAX, false },
};

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

/*
 * Parse `text` as key `k`'s value into `p`; false if it is not a valid value. Any decimal
 * notation of an integer counts as one ("500", "500.0", "5e2"), as in JSON Schema.
 */
static bool set_key(struct lc_policy *p, const struct key *k, const char *text)
{
	uint64_t v;
	if (!parse_milli(text, k->decimal ? k->max : (uint64_t)k->max * 1000, &v))
		return false;
	if (!k->decimal) {
		if (v % 1000)
			return false;
		v /= 1000;
	}
	if (v < k->min)
		return false;
	if (k->field != NO_FIELD)
		*(uint32_t *)(void *)((char *)p + k->field) = (uint32_t)v;
	return true;
}

/* The range of key `k` as a message fragment, e.g. "1..86400000" or "1..100, 3 decimals". */
static const char *key_range(const struct key *k, char *buf, size_t len)
{
	if (k->decimal)
		snprintf(buf, len, "%u..%u, at most 3 decimals", k->min / 1000, k->max / 1000);
	else
		snprintf(buf, len, "an integer %u..%u", k->min, k->max);
	return buf;
}

/* --- names ------------------------------------------------------------------------------ */

/* App names: ^[a-z][a-z0-9_-]{0,31}$ */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_LEN_MAX || *s < 'a' || *s > 'z')
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const struct app *find_in(const struct app *apps, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++) {
		if (strcmp(apps[i].name, name) == 0)
			return &apps[i];
	}
	return NULL;
}

/* --- --policy FILE.json ----------------------------------------------------------------- */

/* Stop on a problem at `at` (a path such as "abilities[2].policy") in document `file`. */
__attribute__((noreturn, format(printf, 3, 4))) static void doc_fail(const char *file, const char *at,
								      const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	die("%s: %s: %s", file, at, msg);
}

static void need_type(const char *file, const char *at, json_object *o, json_type t)
{
	if (!json_object_is_type(o, t))
		doc_fail(file, at, "must be a JSON %s", json_type_to_name(t));
}

/* Apply a policy object's keys onto `p`; the result must pass lc_policy_check(). */
static void load_policy(const char *file, const char *at, json_object *o, struct lc_policy *p)
{
	char where[128], range[64];
	need_type(file, at, o, json_type_object);
	json_object_object_foreach(o, name, val) {
		const struct key *k = find_key(name);
		snprintf(where, sizeof where, "%s.%s", at, name);
		if (!k)
			doc_fail(file, at, "unknown key \"%s\"", name);
		bool number = json_object_is_type(val, json_type_int) || json_object_is_type(val, json_type_double);
		if (!number || !set_key(p, k, json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN)))
			doc_fail(file, where, "must be %s", key_range(k, range, sizeof range));
	}
	if (lc_policy_check(p) != 0)
		doc_fail(file, at, "max_ms must be at least initial_ms");
}

static void load_ability(const char *file, const char *at, json_object *o, struct app *out,
			 const struct app *seen, uint32_t nseen, const struct lc_policy *defaults)
{
	char where[128];
	json_object *v;
	need_type(file, at, o, json_type_object);
	if (!json_object_object_get_ex(o, "name", &v))
		doc_fail(file, at, "needs \"name\"");
	snprintf(where, sizeof where, "%s.name", at);
	need_type(file, where, v, json_type_string);
	if (!valid_name(json_object_get_string(v)))
		doc_fail(file, where, "must match ^[a-z][a-z0-9_-]{0,31}$");
	if (find_in(seen, nseen, json_object_get_string(v)))
		doc_fail(file, where, "\"%s\" is listed twice", json_object_get_string(v));
	snprintf(out->name, sizeof out->name, "%s", json_object_get_string(v));
	out->policy = *defaults;

	json_object_object_foreach(o, key, val) {
		snprintf(where, sizeof where, "%s.%s", at, key);
		if (strcmp(key, "name") == 0)
			continue;
		if (strcmp(key, "policy") == 0) {
			load_policy(file, where, val, &out->policy);
		} else if (strcmp(key, "start_mode") == 0) {
			need_type(file, where, val, json_type_string);
			if (strcmp(json_object_get_string(val), "fg") != 0 &&
			    strcmp(json_object_get_string(val), "bg") != 0)
				doc_fail(file, where, "must be \"fg\" or \"bg\"");
		} else if (strcmp(key, "image") == 0) {
			need_type(file, where, val, json_type_string);
			const char *s = json_object_get_string(val);
			size_t n = strlen(s);
			if (n == 0 || n > IMAGE_LEN_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
								  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") != n)
				doc_fail(file, where, "must be 1..%d of [A-Za-z0-9._/-]", IMAGE_LEN_MAX);
		} else {
			doc_fail(file, at, "unknown key \"%s\"", key);
		}
	}
}

/* --- JSON ------------------------------------------------------------------------------ */

/*
 * json-c's strict mode keeps the last of two equal keys of an object, and cuts a string or a
 * key at a NUL written \u0000 ("cam\u0000x" reads as "cam"). parse_json() refuses both: a
 * second pass over the text, once json-c has found it well formed, decodes each key with
 * json-c and keeps the keys of every open object in a set.
 */
#define JSON_DEPTH_MAX JSON_TOKENER_DEFAULT_DEPTH /* json-c refuses deeper documents */

/* The index just past the string literal that starts at s[i] (a '"'); n if it does not end. */
static size_t string_end(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* Whether string literal `s` of `len` bytes holds the escape \u0000. */
static bool has_nul_escape(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && len - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0)
			return true;
		i++;
	}
	return false;
}

/* Add the key written as literal `s` of `len` bytes to the set `seen`; false if it is in it. */
static bool add_key(json_object *seen, const char *s, size_t len)
{
	json_tokener *tok = json_tokener_new();
	if (!tok)
		die("out of memory");
	json_object *key = json_tokener_parse_ex(tok, s, (int)len);
	json_tokener_free(tok);
	if (!json_object_is_type(key, json_type_string))
		die("cannot decode the key %.*s", (int)len, s);
	const char *name = json_object_get_string(key);
	const bool fresh = !json_object_object_get_ex(seen, name, NULL);
	if (fresh && json_object_object_add(seen, name, NULL) != 0)
		die("out of memory");
	json_object_put(key);
	return fresh;
}

/*
 * Check well-formed JSON text `s` of `n` bytes for a key given twice in an object and for
 * \u0000 in a string or key. SIZE_MAX if it has neither; else the offset of the first such
 * string, with `why` saying what it is.
 */
static size_t strict_check(const char *s, size_t n, char *why, size_t why_len)
{
	json_object *seen[JSON_DEPTH_MAX]; /* by open container: an object's keys so far */
	bool object[JSON_DEPTH_MAX], want_key[JSON_DEPTH_MAX];
	unsigned depth = 0;
	size_t bad = SIZE_MAX;

	for (size_t i = 0; i < n && bad == SIZE_MAX;) {
		if (s[i] == '"') {
			const size_t end = string_end(s, i, n);
			const bool key = depth > 0 && want_key[depth - 1];
			const int len = (int)(end - i);
			if (has_nul_escape(s + i, end - i)) {
				snprintf(why, why_len, "a NUL (\\u0000) in the %s %.*s", key ? "key" : "string", len, s + i);
				bad = i;
			} else if (key && !add_key(seen[depth - 1], s + i, end - i)) {
				snprintf(why, why_len, "duplicate key %.*s", len, s + i);
				bad = i;
			}
			if (key)
				want_key[depth - 1] = false;
			i = end;
			continue;
		}
		if (s[i] == '{' || s[i] == '[') {
			if (depth == JSON_DEPTH_MAX)
				die("JSON nested deeper than %d", JSON_DEPTH_MAX);
			object[depth] = want_key[depth] = s[i] == '{';
			seen[depth] = object[depth] ? json_object_new_object() : NULL;
			if (object[depth] && !seen[depth])
				die("out of memory");
			depth++;
		} else if ((s[i] == '}' || s[i] == ']') && depth > 0) {
			json_object_put(seen[--depth]);
		} else if (s[i] == ',' && depth > 0) {
			want_key[depth - 1] = object[depth - 1];
		}
		i++;
	}
	while (depth > 0)
		json_object_put(seen[--depth]);
	return bad;
}

/*
 * `n` bytes of `buf` as exactly one JSON value (strict, with unique keys and no \u0000); NULL
 * with `why` set if they are not, and `*at` the offset of a key or string at fault (SIZE_MAX
 * if the text is no JSON at all).
 */
static json_object *parse_json(const char *buf, size_t n, char *why, size_t why_len, size_t *at)
{
	*at = SIZE_MAX;
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *root = json_tokener_parse_ex(tok, buf, (int)n);
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err == json_tokener_continue)
		snprintf(why, why_len, "not JSON: the document ends early");
	else if (err != json_tokener_success)
		snprintf(why, why_len, "not JSON: %s", json_tokener_error_desc(err));
	else if (!root)
		snprintf(why, why_len, "not JSON: the document is null");
	else if (strspn(buf + used, " \t\r\n") != n - used)
		snprintf(why, why_len, "not JSON: text after the document");
	else if ((*at = strict_check(buf, n, why, why_len)) == SIZE_MAX)
		return root;
	json_object_put(root);
	return NULL;
}

/* The line (from 1) of offset `at` in `buf`. */
static unsigned line_of(const char *buf, size_t at)
{
	unsigned line = 1;
	for (size_t i = 0; i < at; i++)
		line += buf[i] == '\n';
	return line;
}

static json_object *read_json(const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		die("%s: cannot open", file);
	char *buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf)
		die("%s: out of memory", file);
	size_t n = fread(buf, 1, POLICY_FILE_MAX + 1, f);
	bool failed = ferror(f);
	fclose(f);
	if (failed)
		die("%s: cannot read", file);
	if (n > POLICY_FILE_MAX)
		die("%s: larger than %d bytes", file, POLICY_FILE_MAX);
	buf[n] = '\0';

	char why[256];
	size_t at = SIZE_MAX;
	json_object *root = NULL;
	const char *nul = memchr(buf, '\0', n);
	if (nul) {
		at = (size_t)(nul - buf);
		snprintf(why, sizeof why, "a NUL byte");
	} else {
		root = parse_json(buf, n, why, sizeof why, &at);
	}
	const unsigned line = at == SIZE_MAX ? 0 : line_of(buf, at);
	free(buf);
	if (!root && line == 0)
		die("%s: %s", file, why);
	if (!root)
		die("%s: line %u: %s", file, line, why);
	return root;
}

/* Read a document valid under schemas/ability_v1_1.schema.json into `r`. */
static void load_policy_file(struct replay *r, const char *file)
{
	char where[64];
	json_object *root = read_json(file), *v, *abilities = NULL;

	need_type(file, "document", root, json_type_object);
	if (!json_object_object_get_ex(root, "schema_version", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "1.1") != 0)
		doc_fail(file, "schema_version", "must be \"1.1\"");
	json_object_object_foreach(root, key, val) {
		if (strcmp(key, "defaults") == 0)
			load_policy(file, "defaults", val, &r->defaults);
		else if (strcmp(key, "abilities") == 0)
			abilities = val;
		else if (strcmp(key, "schema_version") != 0)
			doc_fail(file, "document", "unknown key \"%s\"", key);
	}
	if (!abilities)
		doc_fail(file, "document", "needs \"abilities\"");
	need_type(file, "abilities", abilities, json_type_array);
	size_t n = json_object_array_length(abilities);
	if (n > DOC_ABILITIES_MAX)
		doc_fail(file, "abilities", "more than %u entries", DOC_ABILITIES_MAX);
	for (size_t i = 0; i < n; i++) {
		snprintf(where, sizeof where, "abilities[%zu]", i);
		load_ability(file, where, json_object_array_get_idx(abilities, i), &r->file_apps[i], r->file_apps,
			     (uint32_t)i, &r->defaults);
	}
	r->nfile_apps = (uint32_t)n;
	json_object_put(root);
}

/* --- output ----------------------------------------------------------------------------- */

static void print_change(void *ctx, const struct lc_change *c)
{
	const struct replay *r = ctx;
	if (r->tl)
		tl_record(r->tl, r->apps[c->id].name, c);
	printf("{\"t\":%" PRIu64 ",\"app\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"reason\":\"%s\"", c->t_ms,
	       r->apps[c->id].name, lc_state_name(c->from), lc_state_name(c->to), lc_reason_name(c->reason));
	if (c->to == LC_BACKOFF)
		printf(",\"delay_ms\":%" PRIu32, c->delay_ms);
	if (c->timeout)
		fputs(",\"timeout\":true", stdout);
	fputs("}\n", stdout);
}

static void print_refusal(uint64_t t, const char *app, const char *event, const char *error)
{
	printf("{\"t\":%" PRIu64 ",\"app\":\"%s\",\"event\":\"%s\",\"error\":\"%s\"}\n", t, app, event, error);
}

/* --- trace lines ------------------------------------------------------------------------ */

__attribute__((noreturn, format(printf, 2, 3))) static void line_fail(const struct replay *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->doc != NULL)
		json_object_put(r->doc);
	die("line %u: %s", r->line, msg);
}

/* The slot of `name` in the name index: where it is, or the empty slot where it goes. */
static uint32_t name_slot(const struct replay *r, const char *name)
{
	uint32_t h = 2166136261U; /* FNV-1a */
	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619U;
	uint32_t i = h % NAME_INDEX_LEN;
	/* At most LC_MAX_ABILITIES of the slots are taken: the probe meets an empty one. */
	while (r->name_index[i] != 0 && strcmp(r->apps[r->name_index[i] - 1U].name, name) != 0)
		i = (i + 1U) % NAME_INDEX_LEN;
	return i;
}

/* The id of a known app `name`, or -1; in a linear scan's time no more as the apps grow. */
static int known_app(const struct replay *r, const char *name)
{
	return (int)r->name_index[name_slot(r, name)] - 1;
}

/* Name app `id` `name` (not known yet) and index it. */
static void name_app(struct replay *r, uint32_t id, const char *name)
{
	snprintf(r->apps[id].name, sizeof r->apps[id].name, "%s", name);
	r->name_index[name_slot(r, r->apps[id].name)] = (uint16_t)(id + 1U);
}

/* Register `name` with `policy`; its id, or -LC_EFULL. */
static int add_app(struct replay *r, const char *name, const struct lc_policy *policy)
{
	int id = lc_register(&r->lc, policy);
	if (id == -LC_EFULL)
		return id;
	if (id < 0)
		line_fail(r, "cannot register \"%s\": %s", name, lc_strerror(id));
	name_app(r, (uint32_t)id, name);
	r->apps[id].policy = *policy;
	r->napps++;
	return id;
}

/* The id of app `name`, registering it on first mention; -LC_EFULL past capacity. */
static int app_id(struct replay *r, const char *name)
{
	int id = known_app(r, name);
	if (id >= 0)
		return id;
	const struct app *f = find_in(r->file_apps, r->nfile_apps, name);
	return add_app(r, name, f ? &f->policy : &r->defaults);
}

static void check_name(const struct replay *r, const char *name)
{
	if (!valid_name(name))
		line_fail(r, "bad app name \"%s\" (want ^[a-z][a-z0-9_-]{0,31}$)", name);
}

/* policy app=NAME key=value ... */
static void policy_line(struct replay *r, char **w, int n)
{
	const char *name = NULL;
	for (int i = 1; i < n; i++) {
		if (strncmp(w[i], "app=", 4) == 0) {
			if (name)
				line_fail(r, "app= given twice");
			name = w[i] + 4;
		}
	}
	if (!name)
		line_fail(r, "policy line needs app=NAME");
	check_name(r, name);
	int id = app_id(r, name);
	if (id < 0)
		line_fail(r, "cannot add \"%s\": all %u apps are taken", name, LC_MAX_ABILITIES);

	struct lc_policy p = r->apps[id].policy;
	char range[64];
	uint32_t given = 0; /* by index in keys[] */
	_Static_assert(sizeof keys / sizeof keys[0] <= 32, "the keys given are a 32-bit mask");
	for (int i = 1; i < n; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq)
			line_fail(r, "bad policy setting \"%s\" (want key=value)", w[i]);
		*eq = '\0';
		if (strcmp(w[i], "app") == 0)
			continue;
		const struct key *k = find_key(w[i]);
		if (!k)
			line_fail(r, "unknown policy key \"%s\"", w[i]);
		const uint32_t bit = UINT32_C(1) << (k - keys);
		if (given & bit)
			line_fail(r, "policy key \"%s\" given twice", w[i]);
		given |= bit;
		if (!set_key(&p, k, eq + 1))
			line_fail(r, "bad policy value %s=%s (want %s)", w[i], eq + 1, key_range(k, range, sizeof range));
	}
	if (lc_set_policy(&r->lc, (uint32_t)id, &p) != 0)
		line_fail(r, "bad policy value: max_ms (%" PRIu32 ") is below initial_ms (%" PRIu32 ")", p.max_ms,
			  p.initial_ms);
	r->apps[id].policy = p;
}

enum arg { ARG_NONE, ARG_MODE, ARG_REASON };

static const struct {
	const char *word;
	enum arg arg;
	enum lc_event_kind kind; /* for ARG_MODE, the kind of "fg" */
} events[] = {
	{ "start", ARG_NONE, LC_EV_START },     { "ready", ARG_MODE, LC_EV_READY_FG },
	{ "fg", ARG_NONE, LC_EV_FG },           { "bg", ARG_NONE, LC_EV_BG },
	{ "stop", ARG_NONE, LC_EV_STOP },       { "kill", ARG_REASON, LC_EV_KILL },
	{ "exit", ARG_REASON, LC_EV_EXIT },     { "unblock", ARG_NONE, LC_EV_UNBLOCK },
	{ "starved", ARG_NONE, LC_EV_STARVED },
};

static enum lc_reason parse_reason(const struct replay *r, const char *w)
{
	for (int i = 0; i < LC_REASON_COUNT; i++) {
		if (strcmp(w, lc_reason_name((enum lc_reason)i)) == 0)
			return (enum lc_reason)i;
	}
	line_fail(r, "unknown reason \"%s\"", w);
}

__attribute__((noreturn)) static void time_backwards(const struct replay *r, uint64_t t)
{
	line_fail(r, "time goes backwards (%" PRIu64 " after %" PRIu64 ")", t, r->last_t);
}

/* Stop on an error of the core that is not a refused event. */
static void fail_on(const struct replay *r, uint64_t t, int err)
{
	if (err == -LC_ETIME)
		time_backwards(r, t);
	if (err)
		line_fail(r, "%s", lc_strerror(err));
}

/* <app> <event> [arg] at time `t`: words w[1] to w[n - 1]. */
static void replay_event(struct replay *r, uint64_t t, char **w, int n)
{
	check_name(r, w[1]);

	size_t e = 0;
	while (e < sizeof events / sizeof events[0] && strcmp(events[e].word, w[2]) != 0)
		e++;
	if (e == sizeof events / sizeof events[0])
		line_fail(r, "unknown event \"%s\"", w[2]);
	enum lc_event_kind kind = events[e].kind;
	enum lc_reason reason = LC_REASON_NONE;
	int want = events[e].arg == ARG_NONE ? 3 : 4;
	if (n != want)
		line_fail(r, "%s takes %s", w[2], events[e].arg == ARG_NONE ? "no argument" :
						  events[e].arg == ARG_MODE ? "fg or bg" : "a reason");
	if (events[e].arg == ARG_MODE) {
		if (strcmp(w[3], "bg") == 0)
			kind = LC_EV_READY_BG;
		else if (strcmp(w[3], "fg") != 0)
			line_fail(r, "ready takes fg or bg, not \"%s\"", w[3]);
	} else if (events[e].arg == ARG_REASON) {
		reason = parse_reason(r, w[3]);
	}

	int id = app_id(r, w[1]);
	if (id < 0) {
		fail_on(r, t, lc_advance(&r->lc, t));
		print_refusal(t, w[1], w[2], "full");
		return;
	}
	int err = lc_event(&r->lc, t, (uint32_t)id, kind, reason);
	if (err == -LC_EINVALID_TRANSITION || err == -LC_EBLOCKED)
		print_refusal(t, w[1], w[2], err == -LC_EBLOCKED ? "blocked" : "invalid_transition");
	else
		fail_on(r, t, err);
}

/* <t_ms> <app> <event> [arg]   or   <t_ms> - tick */
static void timed_line(struct replay *r, char **w, int n)
{
	uint64_t t;
	if (!parse_uint(w[0], LC_T_MAX, &t))
		line_fail(r, "bad number \"%s\" (want a time in ms, 0..%" PRIu64 ")", w[0], (uint64_t)LC_T_MAX);
	if (n < 3)
		line_fail(r, "want <t_ms> <app> <event> [arg]");
	if (strcmp(w[1], "-") != 0)
		replay_event(r, t, w, n);
	else if (strcmp(w[2], "tick") == 0 && n == 3)
		fail_on(r, t, lc_advance(&r->lc, t));
	else
		line_fail(r, "want <t_ms> - tick");
	r->last_t = t;
}

/* Split `s` in place at blanks into `w`; the number of words. */
static int split_words(const struct replay *r, char *s, char *w[WORDS_MAX])
{
	static const char blanks[] = " \t\r\n";
	int n = 0;
	for (s += strspn(s, blanks); *s; s += strspn(s, blanks)) {
		if (n == WORDS_MAX)
			line_fail(r, "more than %d words", WORDS_MAX);
		w[n++] = s;
		s += strcspn(s, blanks);
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/* A line of a trace: a policy line, a timed line, or blank. */
static void trace_line(struct replay *r, char *text)
{
	char *hash = strchr(text, '#');
	if (hash)
		*hash = '\0';
	char *w[WORDS_MAX];
	int n = split_words(r, text, w);
	if (n == 0)
		return;
	if (strcmp(w[0], "policy") == 0)
		policy_line(r, w, n);
	else
		timed_line(r, w, n);
}

/* --- --from-changes: lcreplay's own output as input ------------------------------------- */

static enum lc_state parse_state(const struct replay *r, const char *w)
{
	for (int i = 0; i < LC_STATE_COUNT; i++) {
		if (strcmp(w, lc_state_name((enum lc_state)i)) == 0)
			return (enum lc_state)i;
	}
	line_fail(r, "unknown state \"%s\"", w);
}

static uint64_t change_number(const struct replay *r, const char *key, json_object *v, uint64_t max)
{
	uint64_t n;
	if (!json_object_is_type(v, json_type_int) ||
	    !parse_uint(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), max, &n))
		line_fail(r, "\"%s\" must be an integer 0..%" PRIu64, key, max);
	return n;
}

static const char *change_string(const struct replay *r, const char *key, json_object *v)
{
	if (!json_object_is_type(v, json_type_string))
		line_fail(r, "\"%s\" must be a string", key);
	return json_object_get_string(v);
}

/* The id of app `app` of a --from-changes line, a new one at its first line. */
static uint32_t line_app(struct replay *r, const char *app)
{
	int id = known_app(r, app);
	if (id >= 0)
		return (uint32_t)id;
	if (r->napps == LC_MAX_ABILITIES)
		line_fail(r, "more than %u apps", LC_MAX_ABILITIES);
	name_app(r, r->napps, app);
	return r->napps++;
}

static void needs(const struct replay *r, json_object *o, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!json_object_object_get_ex(o, names[i], NULL))
			line_fail(r, "needs \"%s\"", names[i]);
	}
}

/* A state change: {"t":…,"app":…,"from":…,"to":…,"reason":…} with "delay_ms" on a change
 * into backoff and "timeout":true where a timeout caused it. */
static void state_change(struct replay *r, json_object *o)
{
	static const char *const needed[] = { "t", "app", "from", "to", "reason" };
	needs(r, o, needed, sizeof needed / sizeof needed[0]);

	struct lc_change c = { .reason = LC_REASON_NONE };
	const char *app = "";
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "t") == 0) {
			c.t_ms = change_number(r, key, val, LC_T_MAX);
		} else if (strcmp(key, "app") == 0) {
			app = change_string(r, key, val);
			check_name(r, app);
		} else if (strcmp(key, "from") == 0) {
			c.from = parse_state(r, change_string(r, key, val));
		} else if (strcmp(key, "to") == 0) {
			c.to = parse_state(r, change_string(r, key, val));
		} else if (strcmp(key, "reason") == 0) {
			c.reason = parse_reason(r, change_string(r, key, val));
		} else if (strcmp(key, "delay_ms") == 0) {
			c.delay_ms = (uint32_t)change_number(r, key, val, LC_MS_MAX);
		} else if (strcmp(key, "timeout") == 0) {
			if (!json_object_is_type(val, json_type_boolean) || !json_object_get_boolean(val))
				line_fail(r, "\"timeout\" must be true (or left out)");
			c.timeout = true;
		} else {
			line_fail(r, "unknown key \"%s\"", key);
		}
	}
	if ((c.to == LC_BACKOFF) != json_object_object_get_ex(o, "delay_ms", NULL))
		line_fail(r, c.to == LC_BACKOFF ? "a change into backoff needs \"delay_ms\""
						: "\"delay_ms\" belongs to changes into backoff only");
	if (c.t_ms < r->last_t)
		time_backwards(r, c.t_ms);
	if (!tr_possible(c.from, c.to))
		line_fail(r, "impossible transition %s -> %s (the lifecycle core never makes it)", lc_state_name(c.from),
			  lc_state_name(c.to));
	c.id = line_app(r, app);
	r->last_t = c.t_ms;
	tl_record(r->tl, app, &c);
}

/* The value of `w` in names `name(0)`, `name(1)`, ... (`what` for the message). */
static uint8_t parse_named(const struct replay *r, const char *what, const char *w, const char *(*name)(unsigned),
			   unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		const char *n = name(i);
		if (n && strcmp(w, n) == 0)
			return (uint8_t)i;
	}
	line_fail(r, "unknown %s \"%s\"", what, w);
}

/* An update event: {"t":…,"app":…,"update":…,"version":…,"slot":…} with "why" exactly on a
 * "rolled_back" one. Update events are in time order among themselves, not with changes. */
static void update_event(struct replay *r, json_object *o)
{
	static const char *const needed[] = { "t", "app", "update", "version", "slot" };
	needs(r, o, needed, sizeof needed / sizeof needed[0]);

	struct tl_update u = { .why = TL_WHY_NONE };
	const char *app = "";
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "t") == 0) {
			u.t_ms = change_number(r, key, val, LC_T_MAX);
		} else if (strcmp(key, "app") == 0) {
			app = change_string(r, key, val);
			check_name(r, app);
		} else if (strcmp(key, "update") == 0) {
			u.kind = parse_named(r, "update", change_string(r, key, val), tl_update_name, TL_UPDATE_KIND_COUNT);
		} else if (strcmp(key, "version") == 0) {
			uint64_t v;
			if (!json_object_is_type(val, json_type_int) ||
			    !parse_uint(json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN), UINT32_MAX, &v) || v == 0)
				line_fail(r, "\"version\" must be an integer 1..%" PRIu32, UINT32_MAX);
			u.version = (uint32_t)v;
		} else if (strcmp(key, "slot") == 0) {
			const char *slot = change_string(r, key, val);
			if (strcmp(slot, "a") != 0 && strcmp(slot, "b") != 0)
				line_fail(r, "unknown slot \"%s\" (want \"a\" or \"b\")", slot);
			u.slot = slot[0] == 'b';
		} else if (strcmp(key, "why") == 0) {
			u.why = parse_named(r, "why", change_string(r, key, val), tl_why_name, TL_WHY_COUNT);
		} else {
			line_fail(r, "unknown key \"%s\"", key);
		}
	}
	if ((u.kind == TL_ROLLED_BACK) != json_object_object_get_ex(o, "why", NULL))
		line_fail(r, u.kind == TL_ROLLED_BACK ? "a \"rolled_back\" update needs \"why\""
						      : "\"why\" belongs to \"rolled_back\" updates only");
	if (u.t_ms < r->last_update_t)
		line_fail(r, "update time goes backwards (%" PRIu64 " after %" PRIu64 ")", u.t_ms, r->last_update_t);
	const uint32_t id = line_app(r, app);
	r->last_update_t = u.t_ms;
	tl_record_update(r->tl, app, id, &u);
}

/*
 * A line of lcreplay's output, drawn: a state change, or an update event (an object with
 * "update"); a refused event, any object with "error", and blank lines are skipped.
 */
static void change_line(struct replay *r, char *text)
{
	if (text[strspn(text, " \t\r\n")] == '\0')
		return;
	char why[256];
	size_t at;
	json_object *o = parse_json(text, strlen(text), why, sizeof why, &at);
	if (!o)
		line_fail(r, "%s", why);
	r->doc = o;
	if (!json_object_is_type(o, json_type_object))
		line_fail(r, "not a JSON object");
	if (!json_object_object_get_ex(o, "error", NULL)) {
		if (json_object_object_get_ex(o, "update", NULL))
			update_event(r, o);
		else
			state_change(r, o);
	}
	r->doc = NULL;
	json_object_put(o);
}

/* --- main ------------------------------------------------------------------------------- */

/*
 * Feed each line of `in` to `line`, counting them in r->line. A line holding a NUL byte is
 * malformed: the text after it would go unread.
 */
static void read_lines(struct replay *r, FILE *in, void (*line)(struct replay *r, char *text))
{
	char buf[LINE_MAX_LEN];
	for (;;) {
		size_t len = 0;
		int c = 0;
		while (len < sizeof buf - 1 && c != '\n' && (c = getc(in)) != EOF)
			buf[len++] = (char)c;
		if (len == 0)
			break;
		r->line++;
		if (len == sizeof buf - 1 && buf[len - 1] != '\n')
			line_fail(r, "longer than %d characters", LINE_MAX_LEN - 2);
		const char *nul = memchr(buf, '\0', len);
		if (nul)
			line_fail(r, "a NUL byte at column %zu", (size_t)(nul - buf) + 1);
		buf[len] = '\0';
		line(r, buf);
	}
	if (ferror(in))
		die("cannot read the input");
}

/* Draw `tl` into file `out`; a note on stderr if it had to leave changes out. */
static void write_svg(const struct tl *tl, const char *out, bool has_until, uint64_t until)
{
	FILE *f = fopen(out, "w");
	if (!f)
		die("cannot write %s: %s", out, strerror(errno));
	int err = tl_write_svg(tl, has_until, until, f) == 0 ? 0 : errno;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (err)
		die("cannot write %s: %s", out, strerror(err));
	if (tl->ndropped)
		fprintf(stderr,
			"lcreplay: %s: more than %u state changes: drew the first %u, up to t=%" PRIu64
			" ms, and left out %" PRIu64 "\n",
			out, TL_CHANGES_MAX, TL_CHANGES_MAX, tl->kept[TL_CHANGES_MAX - 1].t_ms, tl->ndropped);
}

int main(int argc, char **argv)
{
	const char *policy_file = NULL, *trace = NULL, *until = NULL, *svg = NULL;
	bool from_changes = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			policy_file = argv[++i];
		} else if (strcmp(argv[i], "--until") == 0 && i + 1 < argc) {
			until = argv[++i];
		} else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc) {
			svg = argv[++i];
		} else if (strcmp(argv[i], "--from-changes") == 0) {
			from_changes = true;
		} else if ((argv[i][0] == '-' && argv[i][1] != '\0') || trace) {
			usage(stderr);
			return 2;
		} else {
			trace = argv[i];
		}
	}
	if (from_changes && !svg)
		die("--from-changes only draws: it needs --svg OUT.svg");
	if (from_changes && policy_file)
		die("--from-changes replays nothing: it takes no --policy");

	static struct replay state = { .defaults = LC_POLICY_DEFAULT };
	static struct tl timeline;
	struct replay *r = &state;
	uint64_t until_t = 0;
	if (until && !parse_uint(until, LC_T_MAX, &until_t))
		die("--until: bad number \"%s\"", until);
	const struct lc_ops ops = { .on_change = print_change, .ctx = r };
	if (lc_init(&r->lc, &ops) != 0)
		die("cannot set up the lifecycle core");
	if (policy_file)
		load_policy_file(r, policy_file);
	if (svg) {
		tl_init(&timeline);
		r->tl = &timeline;
	}

	FILE *in = stdin;
	if (trace && strcmp(trace, "-") != 0) {
		in = fopen(trace, "r");
		if (!in)
			die("%s: cannot open", trace);
	}
	read_lines(r, in, from_changes ? change_line : trace_line);
	if (in != stdin)
		fclose(in);
	if (until && from_changes && until_t < r->last_t)
		die("--until %s is before the last change's time %" PRIu64, until, r->last_t);
	if (until && from_changes && until_t < r->last_update_t)
		die("--until %s is before the last update event's time %" PRIu64, until, r->last_update_t);
	if (until && !from_changes && lc_advance(&r->lc, until_t) != 0)
		die("--until %s is before the trace's last time %" PRIu64, until, r->last_t);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("cannot write the output");
	if (svg)
		write_svg(&timeline, svg, until != NULL, until_t);
	return 0;
}
