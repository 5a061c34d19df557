/*
 * Fuzz target: appmgrd's request and reply decoders (include/proto/appmgr.h) on arbitrary bytes.
 * The first input byte picks the decoder; the rest is the data, in a heap block of exactly its
 * size (libFuzzer's own), so ASan sees any read past it.
 *
 * Checks: an ability name decodes only from 1..APPMGR_NAME_MAX bytes without a NUL and comes
 * back as those bytes, NUL-terminated; a mode only from one byte, fg or bg; a state, policy,
 * history or list reply that decodes encodes back to the identical bytes (so nothing a sender
 * writes is lost or invented), and encoding it into one byte too few fails.
 */
#include "fuzz.h"

#include "ipc/wire.h"
#include "proto/appmgr.h"

enum { PICK_NAME, PICK_MODE, PICK_STATE, PICK_POLICY, PICK_HISTORY, PICK_LIST, PICKS };

static void check_name(const uint8_t *d, size_t n)
{
	char name[APPMGR_NAME_MAX + 1];
	const int ok = appmgr_name_decode(d, n, name) == 0;
	const int valid = n >= 1 && n <= APPMGR_NAME_MAX && memchr(d, 0, n) == NULL;
	FZ_CHECK(ok == valid, "name of %zu bytes decoded %d, valid %d", n, ok, valid);
	if (ok)
		FZ_CHECK(memcmp(name, d, n) == 0 && name[n] == '\0', "the name is the bytes sent, NUL-terminated");
}

static void check_mode(const uint8_t *d, size_t n)
{
	enum appmgr_mode mode;
	uint32_t version = 0;
	const int ok = appmgr_ready_decode(d, n, &mode, &version) == 0;
	const uint32_t v = n == 5 ? (uint32_t)d[1] | (uint32_t)d[2] << 8 | (uint32_t)d[3] << 16 | (uint32_t)d[4] << 24 : 1;
	const int valid = (n == 1 || n == 5) && (d[0] == APPMGR_MODE_FG || d[0] == APPMGR_MODE_BG) && v != 0;
	FZ_CHECK(ok == valid, "mode of %zu bytes decoded %d, valid %d", n, ok, valid);
	if (ok)
		FZ_CHECK((uint8_t)mode == d[0] && version == v, "mode %u version %u from byte %u", (unsigned)mode,
			 (unsigned)version, d[0]);
}

/* A decoded reply re-encodes to exactly `d`; one byte less of room refuses. */
static void check_same(const uint8_t *d, size_t n, int len, const uint8_t *out, int short_len, const char *what)
{
	FZ_CHECK(len >= 0 && (size_t)len == n, "%s: re-encoded %d bytes from %zu", what, len, n);
	FZ_CHECK(memcmp(out, d, n) == 0, "%s: re-encodes to the bytes it came from", what);
	FZ_CHECK(short_len < 0, "%s: encoding into %zu bytes must fail, got %d", what, n - 1, short_len);
}

static void check_reply(int pick, const uint8_t *d, size_t n)
{
	uint8_t out[IPC_DATA_MAX], small[IPC_DATA_MAX];
	if (pick == PICK_STATE) {
		struct appmgr_state s;
		if (appmgr_state_decode(d, n, &s) == 0)
			check_same(d, n, appmgr_state_encode(&s, out, sizeof out), out,
				   appmgr_state_encode(&s, small, n - 1), "state");
	} else if (pick == PICK_POLICY) {
		struct appmgr_policy p;
		if (appmgr_policy_decode(d, n, &p) == 0)
			check_same(d, n, appmgr_policy_encode(&p, out, sizeof out), out,
				   appmgr_policy_encode(&p, small, n - 1), "policy");
	} else if (pick == PICK_HISTORY) {
		struct appmgr_history h;
		if (appmgr_history_decode(d, n, &h) == 0) {
			FZ_CHECK(h.count <= APPMGR_HISTORY_LEN, "history of %u deaths", h.count);
			check_same(d, n, appmgr_history_encode(&h, out, sizeof out), out,
				   appmgr_history_encode(&h, small, n - 1), "history");
		}
	} else {
		struct appmgr_list l;
		if (appmgr_list_decode(d, n, &l) == 0) {
			size_t taken = 0, small_taken = 0;
			FZ_CHECK(l.count <= l.total && l.count <= APPMGR_MAX_ABILITIES, "list of %u of %u", l.count, l.total);
			const int len = appmgr_list_encode(l.total, l.e, l.count, out, sizeof out, &taken);
			FZ_CHECK(taken == l.count, "list: re-encoded %zu of %u entries", taken, l.count);
			check_same(d, n, len, out, -1, "list");
			/* A list is cut to whole entries where room ends: fewer entries, never a partial one. */
			const int cut = appmgr_list_encode(l.total, l.e, l.count, small, n - 1, &small_taken);
			FZ_CHECK(l.count == 0 ? cut < 0 || (size_t)cut <= n - 1 : small_taken < l.count,
				 "list: %zu entries fit in %zu bytes", small_taken, n - 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const int pick = data[0] % PICKS;
	const uint8_t *d = data + 1;
	const size_t n = size - 1;
	if (pick == PICK_NAME)
		check_name(d, n);
	else if (pick == PICK_MODE)
		check_mode(d, n);
	else if (n > 0)
		check_reply(pick, d, n);
	return 0;
}
