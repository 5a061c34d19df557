/*
 * statefsd: the key-value store for /state (proto/statefs.h), on the block device the
 * kernel gives to the task holding NX_RIGHT_BLK. The storage format is the freestanding
 * library of include/statefs/statefs.h; this task adds the protocol and the authority.
 *
 * Authority: every task owns the keys under "/<its task name>/". Its name comes from the
 * kernel: the kernel-stamped sender id names a live task (NX_SYS_FIND), whose name
 * (NX_SYS_TASK_INFO) must hash to that id. Keys under another prefix need a grant in the
 * system manifest (state_grants). A refusal for authority answers DENIED, changes nothing
 * and is counted.
 *
 * Values come and go as attachments. Every request starts by dropping anything staged, so
 * a reply only ever carries the attachment staged for it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "proto/statefs.h"
#include "statefs/statefs.h"
#include "ulib/policy.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

_Static_assert(STATEFS_KEY_MAX == SFS_KEY_MAX && STATEFS_VALUE_MAX == SFS_VALUE_MAX,
	       "the protocol's limits are the store's");
_Static_assert(SFS_SECTOR_SIZE == NX_BLK_SECTOR_SIZE && SFS_IO_MAX_SECTORS <= NX_BLK_MAX_SECTORS,
	       "the store's requests fit the kernel's block syscalls");

struct sfsd {
	struct nx_server srv;
	struct sfs_store store;
	struct statefs_stats st;
	_Alignas(8) uint8_t value[STATEFS_VALUE_MAX];
	_Alignas(8) uint8_t keys[NX_ATTACH_MAX];
	struct sfs_key page[STATEFS_LIST_MAX];
};

static struct sfsd sd;

static void count(uint32_t *c)
{
	nx_count32(c);
}

/* The block device, for the store. */
static int dev_read(void *ctx, uint64_t lba, void *buf, uint32_t n)
{
	(void)ctx;
	return (int)nx_blk_read(lba, buf, n);
}

static int dev_write(void *ctx, uint64_t lba, const void *buf, uint32_t n)
{
	(void)ctx;
	return (int)nx_blk_write(lba, buf, n);
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	return (int)nx_blk_flush();
}

/* The reply status of a store error. */
static uint16_t store_status(int rc)
{
	switch (rc) {
	case 0:
		return IPC_STATUS_OK;
	case -SFS_ENOENT:
		return IPC_STATUS_UNKNOWN;
	case -SFS_EFULL:
		return IPC_STATUS_FULL;
	case -SFS_ENOSPACE:
		return STATEFS_STATUS_NOSPACE;
	case -SFS_EIO:
		return STATEFS_STATUS_IO;
	case -SFS_ECORRUPT:
		return STATEFS_STATUS_CORRUPT;
	default:
		return IPC_STATUS_MALFORMED;
	}
}

/* A status to answer, counting refusals. */
static uint16_t answer(struct sfsd *d, uint16_t status)
{
	if (status == IPC_STATUS_DENIED)
		count(&d->st.denied);
	else if (status != IPC_STATUS_OK)
		count(&d->st.refused);
	return status;
}

/* Does `key` (`len` bytes) begin with the `plen` bytes of `prefix`? */
static bool under(const char *key, size_t len, const char *prefix, size_t plen)
{
	return len >= plen && memcmp(key, prefix, plen) == 0;
}

/*
 * May `sender` read (or, with `write`, change) the keys beginning with `key` (`len` bytes)?
 * Its own namespace "/<name>/", or a grant of the manifest.
 */
static bool allowed(uint64_t sender, const char *key, size_t len, bool write)
{
	struct nx_task_info info;
	const long task = nx_find(sender);
	if (task >= 0 && nx_task_info((uint32_t)task, &info) == 0 && info.service_id == sender) {
		const char *nul = memchr(info.name, '\0', sizeof info.name);
		const size_t n = nul == NULL ? 0 : (size_t)(nul - info.name);
		if (n != 0 && len >= n + 2 && key[0] == '/' &&
		    memcmp(key + 1, info.name, n) == 0 && key[n + 1] == '/')
			return true;
	}
	for (unsigned i = 0; i < NX_STATE_GRANT_COUNT; i++) {
		const struct nx_state_grant *g = &nx_state_grants[i];
		if (g->caller_id == sender && (g->write || !write) && under(key, len, g->prefix, strlen(g->prefix)))
			return true;
	}
	return false;
}

static uint16_t do_put(struct sfsd *d, const struct nx_request *r)
{
	uint16_t vlen;
	const char *key = (const char *)r->data + 2;
	if (ipc_get_u16(r->data, r->len, 0, &vlen) != 0 || !statefs_key_ok(key, r->len - 2) ||
	    vlen > STATEFS_VALUE_MAX)
		return IPC_STATUS_MALFORMED;
	const long got = nx_attach_take(d->value, sizeof d->value);
	if (got != (long)vlen)
		return IPC_STATUS_MALFORMED;
	if (!allowed(r->sender, key, r->len - 2, true))
		return IPC_STATUS_DENIED;
	const int rc = sfs_put(&d->store, key, r->len - 2, d->value, vlen);
	if (rc == 0)
		count(&d->st.puts);
	return store_status(rc);
}

static uint16_t do_get(struct sfsd *d, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	const char *key = (const char *)r->data;
	if (!statefs_key_ok(key, r->len))
		return IPC_STATUS_MALFORMED;
	if (!allowed(r->sender, key, r->len, false))
		return IPC_STATUS_DENIED;
	size_t vlen = 0;
	const int rc = sfs_get(&d->store, key, r->len, d->value, sizeof d->value, &vlen);
	if (rc != 0)
		return store_status(rc);
	if (nx_attach_stage(d->value, vlen) != 0 || ipc_put_u16(out, IPC_DATA_MAX, 0, (uint16_t)vlen) != 0)
		return IPC_STATUS_MALFORMED;
	*out_len = 2;
	count(&d->st.gets);
	return IPC_STATUS_OK;
}

static uint16_t do_delete(struct sfsd *d, const struct nx_request *r)
{
	const char *key = (const char *)r->data;
	if (!statefs_key_ok(key, r->len))
		return IPC_STATUS_MALFORMED;
	if (!allowed(r->sender, key, r->len, true))
		return IPC_STATUS_DENIED;
	const int rc = sfs_delete(&d->store, key, r->len);
	if (rc == 0)
		count(&d->st.deletes);
	return store_status(rc);
}

static uint16_t do_list(struct sfsd *d, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct statefs_list_req q;
	if (statefs_list_decode(r->data, r->len, &q) != 0)
		return IPC_STATUS_MALFORMED;
	if (!allowed(r->sender, q.prefix, q.prefix_len, false))
		return IPC_STATUS_DENIED;
	struct sfs_key after = { .len = q.after_len };
	memcpy(after.bytes, q.after, q.after_len);
	size_t n = 0;
	bool more = false;
	const int rc = sfs_list(&d->store, q.prefix, q.prefix_len, q.after_len ? &after : NULL, d->page, q.max, &n,
				&more);
	if (rc != 0)
		return store_status(rc);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		d->keys[len] = d->page[i].len;
		memcpy(d->keys + len + 1, d->page[i].bytes, d->page[i].len);
		len += 1 + (size_t)d->page[i].len;
	}
	if (nx_attach_stage(d->keys, len) != 0)
		return IPC_STATUS_MALFORMED;
	out[0] = (uint8_t)n;
	out[1] = more;
	*out_len = 2;
	return IPC_STATUS_OK;
}

static uint16_t do_stats(struct sfsd *d, uint8_t *out, size_t *out_len)
{
	struct sfs_stats s;
	if (sfs_stats(&d->store, &s) != 0)
		return IPC_STATUS_MALFORMED;
	d->st.keys = s.keys;
	d->st.bytes_live = s.bytes_live;
	d->st.bytes_free = s.bytes_free;
	d->st.write_calls = (uint32_t)s.write_calls;
	d->st.sectors_written = (uint32_t)s.sectors_written;
	d->st.flushes = (uint32_t)s.flushes;
	d->st.compactions = (uint32_t)s.compactions;
	d->st.replayed = (uint32_t)s.replayed;
	d->st.dropped = s.dropped;
	d->st.formatted = s.formatted;
	const int len = statefs_stats_encode(&d->st, out, IPC_DATA_MAX);
	if (len < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)len;
	return IPC_STATUS_OK;
}

static uint16_t sfsd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct sfsd *d = ctx;
	(void)nx_attach_stage(NULL, 0);
	switch (r->op) {
	case STATEFSD_OP_PUT:
		return answer(d, do_put(d, r));
	case STATEFSD_OP_GET:
		return answer(d, do_get(d, r, out, out_len));
	case STATEFSD_OP_DELETE:
		return answer(d, do_delete(d, r));
	case STATEFSD_OP_LIST:
		return answer(d, do_list(d, r, out, out_len));
	case STATEFSD_OP_SYNC: {
		const int rc = r->len == 0 ? sfs_sync(&d->store) : -SFS_EINVAL;
		if (rc == 0)
			count(&d->st.syncs);
		return answer(d, store_status(rc));
	}
	case STATEFSD_OP_STATS:
		return do_stats(d, out, out_len);
	default:
		return answer(d, IPC_STATUS_UNKNOWN);
	}
}

int main(void)
{
	struct nx_blk_info info;
	nx_server_init(&sd.srv, NX_SVC_STATEFSD);
	long rc = nx_blk_info(&info);
	if (rc != 0) {
		printf("statefsd: no block device: %s\n", nx_strerror((int)rc));
		return 1;
	}
	const struct sfs_dev dev = {
		.read = dev_read, .write = dev_write, .flush = dev_flush, .ctx = NULL, .sectors = info.sectors,
	};
	uint64_t t0, t1;
	__asm__ volatile("rdinstret %0" : "=r"(t0));
	const int orc = sfs_open(&sd.store, &dev);
	__asm__ volatile("rdinstret %0" : "=r"(t1));
	if (orc != 0) {
		printf("statefsd: cannot open the store: %s\n", sfs_strerror(orc));
		return 1;
	}
	struct sfs_stats s;
	if (sfs_stats(&sd.store, &s) != 0)
		return 1;
	printf("statefsd: store open sectors=%llu keys=%u replayed=%llu dropped=%u formatted=%u instret=%llu\n",
	       (unsigned long long)info.sectors, (unsigned)s.keys, (unsigned long long)s.replayed, (unsigned)s.dropped,
	       (unsigned)s.formatted, (unsigned long long)(t1 - t0));
	printf("statefsd: ready\n");
	const struct nx_server_ops ops = { .request = sfsd_request };
	return nx_serve_forever(&sd.srv, &ops, &sd) < 0;
}
