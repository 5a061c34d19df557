/*
 * execd: the spawner of abilities. It holds the kernel's spawn and kill rights (appmgrd holds
 * them too, only to restart and fault-inject the boot services it supervises), and it serves
 * spawn/kill only to the callers the policy table names (appmgrd); every other caller gets
 * DENIED and is counted. The requester becomes the new task's supervisor, so the kernel
 * sends it the task's exit notice directly.
 *
 * spawn_image spawns from an ELF image stored in statefsd in chunks (proto/execd.h): execd
 * reads them with its own authority into one static buffer, checks their lengths and SHA-512
 * against the request, and hands the bytes to the kernel, which checks the image completely
 * before mapping any of it. One image at a time: execd serves one request at a time.
 */
#include <stdio.h>
#include <string.h>

#include "client/statefs.h"
#include "crypto/sig.h"
#include "ipc/wire.h"
#include "proto/execd.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

_Static_assert(EXECD_DIGEST_LEN == SIG_DIGEST_LEN, "spawn_image carries a SHA-512 digest");

static struct {
	struct ipc_client store;     /* execd as a client of statefsd */
	struct execd_stats stats;
	uint8_t image[NX_SPAWN_ELF_MAX];
} ex;

/* The reply status for a kernel refusal of a spawn. */
static uint16_t spawn_status(long rc)
{
	switch (rc) {
	case -NX_EFULL:
		return IPC_STATUS_FULL;
	case -NX_ENOENT:
		return IPC_STATUS_UNKNOWN;
	case -NX_ENOEXEC:
		return EXECD_STATUS_BAD_IMAGE;
	case -NX_ENOMEM:
		return EXECD_STATUS_NO_MEMORY;
	default:
		return IPC_STATUS_MALFORMED;
	}
}

static uint16_t spawned(long task, uint8_t *out, size_t *out_len)
{
	if (ipc_put_u32(out, IPC_DATA_MAX, 0, (uint32_t)task) != 0)
		return IPC_STATUS_MALFORMED;
	*out_len = 4;
	return IPC_STATUS_OK;
}

static uint16_t do_spawn(uint64_t sender, const uint8_t *data, size_t len, uint8_t *out, size_t *out_len)
{
	struct execd_spawn s;
	if (execd_spawn_decode(data, len, &s) != 0)
		return IPC_STATUS_MALFORMED;
	struct nx_spawn_args args = {
		.supervisor_id = sender,
		.qos = s.qos,
		.page_quota = s.page_quota,
		.slack_fg_ms = s.slack_fg_ms,
		.slack_bg_ms = s.slack_bg_ms,
	};
	memcpy(args.image, s.image, sizeof args.image);
	memcpy(args.name, s.name, sizeof args.name);
	long task = nx_spawn(&args);
	return task < 0 ? spawn_status(task) : spawned(task, out, out_len);
}

/* Read the image `s` names into ex.image, all within EXECD_READ_MS, and check it against the
 * request's lengths and digest. */
static uint16_t read_image(const struct execd_spawn_image *s)
{
	const uint64_t deadline = nx_now_ms() + EXECD_READ_MS;
	uint32_t off = 0;
	for (unsigned i = 0; i < EXECD_CHUNKS_MAX && off < s->image_len; i++) {
		char key[STATEFS_KEY_MAX + 1];
		if (execd_chunk_key(s->prefix, s->prefix_len, i, key, sizeof key) < 0)
			return IPC_STATUS_MALFORMED;
		const uint64_t now = nx_now_ms();
		if (now >= deadline)
			return EXECD_STATUS_STORE;
		const uint32_t want = execd_chunk_len(s->image_len, i);
		size_t got = 0;
		int rc = statefs_get(&ex.store, key, ex.image + off, want, &got, deadline - now);
		if (rc == -STATEFS_ENOENT)
			return IPC_STATUS_UNKNOWN;
		if (rc == -STATEFS_EINVAL || (rc == 0 && got != want))
			return EXECD_STATUS_MISMATCH;
		if (rc != 0)
			return EXECD_STATUS_STORE;
		off += want;
	}
	uint8_t digest[SIG_DIGEST_LEN];
	if (sig_sha512(ex.image, s->image_len, digest) != 0 || memcmp(digest, s->sha512, sizeof digest) != 0)
		return EXECD_STATUS_MISMATCH;
	return IPC_STATUS_OK;
}

/* Count a spawn_image refusal by its status. */
static uint16_t refused(uint16_t status, uint32_t *counter)
{
	nx_count32(counter);
	return status;
}

static uint16_t do_spawn_image(uint64_t sender, const uint8_t *data, size_t len, uint8_t *out, size_t *out_len)
{
	struct execd_spawn_image s;
	if (execd_spawn_image_decode(data, len, &s) != 0)
		return IPC_STATUS_MALFORMED;
	if (s.image_len > sizeof ex.image)
		return refused(EXECD_STATUS_TOO_BIG, &ex.stats.too_big);
	uint16_t status = read_image(&s);
	if (status == EXECD_STATUS_MISMATCH)
		return refused(status, &ex.stats.mismatch);
	if (status != IPC_STATUS_OK)
		return refused(status, &ex.stats.store);
	struct nx_spawn_args args = {
		.supervisor_id = sender,
		.qos = s.qos,
		.page_quota = s.page_quota,
		.slack_fg_ms = s.slack_fg_ms,
		.slack_bg_ms = s.slack_bg_ms,
	};
	memcpy(args.name, s.name, sizeof args.name);
	long task = nx_spawn_elf(&args, ex.image, s.image_len);
	if (task < 0)
		return refused(spawn_status(task), &ex.stats.kernel);
	nx_count32(&ex.stats.images);
	return spawned(task, out, out_len);
}

static uint16_t do_kill(const uint8_t *data, size_t len)
{
	uint32_t task, reason;
	if (len != EXECD_KILL_LEN || ipc_get_u32(data, len, 0, &task) != 0 || ipc_get_u32(data, len, 4, &reason) != 0)
		return IPC_STATUS_MALFORMED;
	long rc = nx_kill(task, reason);
	if (rc == -NX_ENOENT)
		return IPC_STATUS_UNKNOWN;
	return rc == 0 ? IPC_STATUS_OK : IPC_STATUS_MALFORMED;
}

static uint16_t do_stats(size_t len, uint8_t *out, size_t *out_len)
{
	if (len != 0)
		return IPC_STATUS_MALFORMED;
	int n = execd_stats_encode(&ex.stats, out, IPC_DATA_MAX);
	if (n < 0)
		return IPC_STATUS_MALFORMED;
	*out_len = (size_t)n;
	return IPC_STATUS_OK;
}

static uint16_t execd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	(void)ctx;
	switch (r->op) {
	case EXECD_OP_SPAWN:
		return do_spawn(r->sender, r->data, r->len, out, out_len);
	case EXECD_OP_KILL:
		return do_kill(r->data, r->len);
	case EXECD_OP_SPAWN_IMAGE:
		return do_spawn_image(r->sender, r->data, r->len, out, out_len);
	case EXECD_OP_STATS:
		return do_stats(r->len, out, out_len);
	default:
		return IPC_STATUS_UNKNOWN;
	}
}

int main(void)
{
	struct nx_server srv;
	nx_server_init(&srv, NX_SVC_EXECD);
	nx_client_init(&ex.store, NX_SVC_EXECD);
	const struct nx_server_ops ops = { .request = execd_request };
	printf("execd: ready\n");
	return nx_serve_forever(&srv, &ops, NULL) < 0;
}
