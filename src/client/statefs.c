/* The statefsd client library (include/client/statefs.h). */
#include "client/statefs.h"

#include <string.h>

#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

/* The error of a call that did not succeed. */
static int call_error(const struct ipc_outcome *o)
{
	switch (o->kind) {
	case IPC_OUTCOME_TIMEOUT:
		return -STATEFS_ETIMEDOUT;
	case IPC_OUTCOME_REJECTED:
		break;
	default:
		return -STATEFS_EIPC;
	}
	switch (o->status) {
	case IPC_STATUS_DENIED:
		return -STATEFS_EDENIED;
	case IPC_STATUS_UNKNOWN:
		return -STATEFS_ENOENT;
	case IPC_STATUS_FULL:
		return -STATEFS_EFULL;
	case STATEFS_STATUS_NOSPACE:
		return -STATEFS_ENOSPACE;
	case STATEFS_STATUS_IO:
		return -STATEFS_EIO;
	case STATEFS_STATUS_CORRUPT:
		return -STATEFS_ECORRUPT;
	default:
		return -STATEFS_EMALFORMED;
	}
}

/* One request to statefsd; reply data into `reply` (`cap` bytes). */
static int call(struct ipc_client *c, uint16_t op, const uint8_t *data, size_t len, uint8_t *reply, size_t cap,
		size_t *reply_len, uint64_t timeout_ms)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	if (timeout_ms != 0)
		opts.timeout_ms = timeout_ms;
	const struct ipc_outcome o = ipc_route_with_nonce_budgeted(c, NX_SVC_STATEFSD, sizeof NX_SVC_STATEFSD - 1, op,
								   data, len, reply, cap, &opts);
	if (o.kind != IPC_OUTCOME_SUCCESS)
		return call_error(&o);
	if (reply_len != NULL)
		*reply_len = o.reply_len;
	return 0;
}

/* A key argument: its length, or 0 when it is not a key. */
static size_t key_len(const char *key)
{
	if (key == NULL)
		return 0;
	const char *nul = memchr(key, '\0', STATEFS_KEY_MAX + 1);
	const size_t n = nul == NULL ? 0 : (size_t)(nul - key);
	return statefs_key_ok(key, n) ? n : 0;
}

int statefs_put(struct ipc_client *c, const char *key, const void *value, size_t len, uint64_t timeout_ms)
{
	const size_t klen = key_len(key);
	uint8_t req[2 + STATEFS_KEY_MAX];
	if (klen == 0 || len > STATEFS_VALUE_MAX || (value == NULL && len != 0) ||
	    ipc_put_u16(req, sizeof req, 0, (uint16_t)len) != 0)
		return -STATEFS_EINVAL;
	memcpy(req + 2, key, klen);
	/* Staging 0 bytes drops anything staged before: the request then carries none. */
	if (nx_attach_stage(value, len) != 0)
		return -STATEFS_EINVAL;
	return call(c, STATEFSD_OP_PUT, req, 2 + klen, NULL, 0, NULL, timeout_ms);
}

int statefs_get(struct ipc_client *c, const char *key, void *buf, size_t cap, size_t *len, uint64_t timeout_ms)
{
	const size_t klen = key_len(key);
	if (klen == 0 || len == NULL || (buf == NULL && cap != 0))
		return -STATEFS_EINVAL;
	uint8_t reply[2];
	size_t reply_len = 0;
	(void)nx_attach_stage(NULL, 0);
	int rc = call(c, STATEFSD_OP_GET, (const uint8_t *)key, klen, reply, sizeof reply, &reply_len, timeout_ms);
	if (rc != 0)
		return rc;
	uint16_t vlen;
	if (ipc_get_u16(reply, reply_len, 0, &vlen) != 0 || reply_len != 2 || vlen > STATEFS_VALUE_MAX)
		return -STATEFS_EMALFORMED;
	*len = vlen;
	if (vlen > cap)
		return -STATEFS_EINVAL;
	const long got = vlen == 0 ? 0 : nx_attach_take(buf, cap);
	return got == (long)vlen ? 0 : -STATEFS_EMALFORMED;
}

int statefs_delete(struct ipc_client *c, const char *key, uint64_t timeout_ms)
{
	const size_t klen = key_len(key);
	if (klen == 0)
		return -STATEFS_EINVAL;
	(void)nx_attach_stage(NULL, 0);
	return call(c, STATEFSD_OP_DELETE, (const uint8_t *)key, klen, NULL, 0, NULL, timeout_ms);
}

int statefs_list(struct ipc_client *c, const char *prefix, const char *after, struct statefs_key *out, size_t max,
		 size_t *n, bool *more, uint64_t timeout_ms)
{
	const size_t plen = key_len(prefix);
	const size_t alen = after == NULL || after[0] == '\0' ? 0 : key_len(after);
	uint8_t req[3 + 2 * STATEFS_KEY_MAX];
	if (plen == 0 || (after != NULL && after[0] != '\0' && alen == 0) || out == NULL || n == NULL ||
	    more == NULL || max == 0 || max > STATEFS_LIST_MAX)
		return -STATEFS_EINVAL;
	const int len = statefs_list_encode((uint8_t)max, prefix, plen, after, alen, req, sizeof req);
	if (len < 0)
		return -STATEFS_EINVAL;
	(void)nx_attach_stage(NULL, 0);
	uint8_t reply[2];
	size_t reply_len = 0;
	int rc = call(c, STATEFSD_OP_LIST, req, (size_t)len, reply, sizeof reply, &reply_len, timeout_ms);
	if (rc != 0)
		return rc;
	static uint8_t keys[NX_ATTACH_MAX];
	const long klen = nx_attach_take(keys, sizeof keys);
	if (reply_len != 2 || reply[1] > 1 || klen < 0 ||
	    statefs_keys_decode(keys, (size_t)klen, reply[0], max, out) != 0)
		return -STATEFS_EMALFORMED;
	*n = reply[0];
	*more = reply[1] != 0;
	return 0;
}

int statefs_sync(struct ipc_client *c, uint64_t timeout_ms)
{
	(void)nx_attach_stage(NULL, 0);
	return call(c, STATEFSD_OP_SYNC, NULL, 0, NULL, 0, NULL, timeout_ms);
}

int statefs_stats(struct ipc_client *c, struct statefs_stats *s, uint64_t timeout_ms)
{
	uint8_t reply[STATEFS_STATS_LEN];
	size_t reply_len = 0;
	(void)nx_attach_stage(NULL, 0);
	int rc = call(c, STATEFSD_OP_STATS, NULL, 0, reply, sizeof reply, &reply_len, timeout_ms);
	if (rc != 0)
		return rc;
	return statefs_stats_decode(reply, reply_len, s) == 0 ? 0 : -STATEFS_EMALFORMED;
}
