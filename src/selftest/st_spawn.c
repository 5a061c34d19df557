/*
 * Spawning from bytes (execd's spawn_image over the kernel's NX_SYS_SPAWN_ELF): the ELF image
 * of the demo bundle hello-2 (nx_bundles.h), taken out of the bundle by the bundle parser,
 * is staged in selftest's statefsd namespace in chunks and spawned by execd, and so is
 * hello-3's, which crashes at start; then broken copies and requests are refused, each with
 * its own status. Around every act the checks
 * compare what the system reports: the task table, the kernel's free pages and counters,
 * execd's counters. Nothing refused leaves a task or a page behind.
 */
#include <stdio.h>
#include <string.h>

#include "client/statefs.h"
#include "crypto/sig.h"
#include "ipc/wire.h"
#include "proto/bundle.h"
#include "proto/execd.h"
#include "ulib/sys.h"
#include "nx_bundles.h"
#include "nx_manifest.h"
#include "st.h"

#define TIMEOUT_MS 5000
/* execd reads for at most EXECD_READ_MS: the call waits longer. */
#define SPAWN_TIMEOUT_MS (EXECD_READ_MS + 2000)
#define PREFIX "/selftest/img/probe/"
#define CRASH_PREFIX "/selftest/img/v3/"
#define MISSING_PREFIX "/selftest/img/none/"
#define PROBE "spawn-probe"
#define CRASH_PROBE "spawn-probe-v3"
/* The abilities image ends with this exit code when its task name is no ability. */
#define NOT_AN_ABILITY_EXIT 2
/* An address far below the user range (gigapage 1, docs/kernel.md) for a segment. */
#define OUT_OF_RANGE_VADDR 0x1000u

/* Room for the demo image (12 744 bytes) and a little growth; checked when it is loaded. */
static uint8_t image[4 * EXECD_CHUNK_SIZE];
static size_t image_len;

/* What the system reports, before and after an act. */
struct snap {
	struct nx_kstats k;
	struct execd_stats ex;
	unsigned tasks;
};

static void take_snap(struct st *st, struct snap *s)
{
	ST_CHECK(nx_kstats(&s->k) == 0, "spawn: kstats");
	uint8_t reply[EXECD_STATS_LEN];
	struct ipc_outcome o = st_call(st, NX_SVC_EXECD, EXECD_OP_STATS, NULL, 0, reply, sizeof reply, NULL);
	st_expect_success(&o, "execd stats");
	ST_CHECK(execd_stats_decode(reply, o.reply_len, &s->ex) == 0, "spawn: execd stats of %zu bytes", o.reply_len);
	s->tasks = 0;
	for (uint32_t t = 0; t < NX_TASK_MAX; t++) {
		struct nx_task_info info;
		if (nx_task_info(t, &info) == 0)
			s->tasks++;
	}
}

static void put_chunk(struct st *st, const char *prefix, unsigned index, const uint8_t *bytes, size_t len)
{
	char key[STATEFS_KEY_MAX + 1];
	ST_CHECK(execd_chunk_key(prefix, strlen(prefix), index, key, sizeof key) > 0, "spawn: chunk key %u", index);
	const int rc = statefs_put(&st->client, key, bytes, len, TIMEOUT_MS);
	ST_CHECK(rc == 0, "spawn: put %s (%zu bytes): %s", key, len, statefs_strerror(rc));
}

/* Stage `image` in chunks under `prefix`; returns their number. */
static unsigned stage(struct st *st, const char *prefix)
{
	unsigned n = 0;
	for (; n < EXECD_CHUNKS_MAX && execd_chunk_len((uint32_t)image_len, n) != 0; n++)
		put_chunk(st, prefix, n, image + n * EXECD_CHUNK_SIZE, execd_chunk_len((uint32_t)image_len, n));
	return n;
}

static void unstage(struct st *st, const char *prefix, unsigned chunks)
{
	for (unsigned i = 0; i < chunks; i++) {
		char key[STATEFS_KEY_MAX + 1];
		ST_CHECK(execd_chunk_key(prefix, strlen(prefix), i, key, sizeof key) > 0 &&
				 statefs_delete(&st->client, key, TIMEOUT_MS) == 0,
			 "spawn: delete chunk %u of %s", i, prefix);
	}
}

/* Ask execd to spawn `name` from the `len` bytes under `prefix` whose SHA-512 is that of
 * `image`'s first `digest_len` bytes (flipped in one bit when `bad_digest`). Returns the reply
 * status; `*task` gets the task id on OK. */
static uint16_t spawn_image(struct st *st, const char *name, const char *prefix, uint32_t len, size_t digest_len,
			    int bad_digest, uint32_t quota, long *task)
{
	struct execd_spawn_image r = {
		.qos = NX_QOS_BG,
		.page_quota = quota,
		.slack_fg_ms = 5,
		.slack_bg_ms = 200,
		.image_len = len,
		.prefix_len = (uint8_t)strlen(prefix),
	};
	memcpy(r.name, name, strlen(name) + 1);
	memcpy(r.prefix, prefix, strlen(prefix) + 1);
	ST_CHECK(sig_sha512(image, digest_len, r.sha512) == 0, "spawn: sha512");
	r.sha512[0] ^= (uint8_t)(bad_digest != 0);
	uint8_t req[EXECD_SPAWN_IMAGE_MAX], reply[4];
	const int n = execd_spawn_image_encode(&r, req, sizeof req);
	ST_CHECK(n > 0, "spawn: encode spawn_image");
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	opts.timeout_ms = SPAWN_TIMEOUT_MS;
	struct ipc_outcome o = st_call(st, NX_SVC_EXECD, EXECD_OP_SPAWN_IMAGE, req, (size_t)n, reply, sizeof reply, &opts);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "spawn: spawn_image call: %s",
		 ipc_outcome_name(o.kind));
	if (o.kind == IPC_OUTCOME_SUCCESS) {
		uint32_t t;
		ST_CHECK(o.reply_len == 4 && ipc_get_u32(reply, 4, 0, &t) == 0, "spawn: reply of %zu bytes", o.reply_len);
		*task = (long)t;
		return IPC_STATUS_OK;
	}
	return o.status;
}

/* The image of the demo bundle `name`, through the bundle parser, into `image`. */
static void load_demo(const char *name)
{
	for (unsigned i = 0; i < NX_BUNDLE_COUNT; i++) {
		if (strcmp(nx_bundles[i].name, name) != 0)
			continue;
		struct bundle b;
		const int rc = bundle_parse(nx_bundles[i].bytes, nx_bundles[i].len, &b);
		ST_CHECK(rc == 0, "spawn: bundle %s: %s", name, bundle_strerror(rc));
		ST_CHECK(b.elf_len <= sizeof image, "spawn: the image of %s is %u bytes, above %zu", name,
			 (unsigned)b.elf_len, sizeof image);
		memcpy(image, b.elf, b.elf_len);
		image_len = b.elf_len;
		return;
	}
	st_fail("spawn: no demo bundle %s", name);
}

static void spawn_ok(struct st *st, unsigned chunks)
{
	struct snap before, after;
	take_snap(st, &before);
	long task = -1;
	const uint16_t status = spawn_image(st, PROBE, PREFIX, (uint32_t)image_len, image_len, 0, 0, &task);
	ST_CHECK(status == IPC_STATUS_OK, "spawn from bytes: execd answered status %u", (unsigned)status);
	/* Under icount the probe is still there when execd's answer arrives. With a real clock
	 * (MTTCG) it may have run to its end on the other hart already: then its exit notice,
	 * which only its supervisor gets, is what shows selftest supervised it. */
	struct nx_task_info info;
	const int alive = nx_task_info((uint32_t)task, &info) == 0 && strcmp(info.name, PROBE) == 0;
	ST_CHECK(alive ? info.supervisor_id == NX_SVC_SELFTEST_ID && info.pages > 0 : st->real_clock,
		 "spawn from bytes: task %ld is not %s supervised by selftest", task, PROBE);
	if (!alive)
		info.pages = 0;
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, PROBE, nx_now_ms() + TIMEOUT_MS, &n) == 0, "spawn from bytes: %s never ended", PROBE);
	ST_CHECK(n.cause == NX_CAUSE_EXIT && n.exit_code == NOT_AN_ABILITY_EXIT,
		 "spawn from bytes: %s ended with cause %u code %d, want exit %d", PROBE, (unsigned)n.cause,
		 (int)n.exit_code, NOT_AN_ABILITY_EXIT);
	take_snap(st, &after);
	ST_CHECK(after.k.tasks_spawned == before.k.tasks_spawned + 1 && after.k.spawn_refused == before.k.spawn_refused &&
			 after.ex.images == before.ex.images + 1,
		 "spawn from bytes: kernel spawned %llu, refused %llu, execd images %u (deltas)",
		 (unsigned long long)(after.k.tasks_spawned - before.k.tasks_spawned),
		 (unsigned long long)(after.k.spawn_refused - before.k.spawn_refused), after.ex.images - before.ex.images);
	ST_CHECK(after.tasks == before.tasks && after.k.pages_free == before.k.pages_free,
		 "spawn from bytes: %u tasks and %llu free pages after, %u and %llu before", after.tasks,
		 (unsigned long long)after.k.pages_free, before.tasks, (unsigned long long)before.k.pages_free);
	printf("selftest: spawn from bytes: hello-2's image (%zu bytes, %u chunks) ran as task %ld using %u pages, "
	       "exit %d\n",
	       image_len, chunks, task, (unsigned)info.pages, (int)n.exit_code);
}

/* The image of hello-3 (the update that must roll back) crashes before it reports ready. It
 * is loaded last: `image` keeps hello-2's for the refusals. */
static void spawn_crashing(struct st *st)
{
	load_demo("hello-3");
	const unsigned chunks = stage(st, CRASH_PREFIX);
	long task = -1;
	const uint16_t status = spawn_image(st, CRASH_PROBE, CRASH_PREFIX, (uint32_t)image_len, image_len, 0, 0, &task);
	ST_CHECK(status == IPC_STATUS_OK, "spawn from bytes: hello-3: execd answered status %u", (unsigned)status);
	struct nx_exit_notice n;
	ST_CHECK(st_wait_notice(st, CRASH_PROBE, nx_now_ms() + TIMEOUT_MS, &n) == 0, "spawn from bytes: %s never ended",
		 CRASH_PROBE);
	ST_CHECK(n.reason == NX_REASON_CRASH && n.cause == NX_CAUSE_ILLEGAL_INSN,
		 "spawn from bytes: hello-3's image ended with reason %u cause %u, want a crash on an illegal instruction",
		 (unsigned)n.reason, (unsigned)n.cause);
	unstage(st, CRASH_PREFIX, chunks);
	printf("selftest: spawn from bytes: hello-3's image (%u chunks) crashed at start (illegal instruction)\n",
	       chunks);
	load_demo("hello-2");
}

/* One refusal: its status, and the counters that must move (kernel, execd), nothing else. */
struct refusal {
	const char *what;
	uint16_t status;
	unsigned kernel; /* 1: the kernel refused (nx_kstats.spawn_refused) */
};

static void expect_refused(struct st *st, const struct refusal *r, const struct snap *before, uint16_t status,
			   unsigned *refusals)
{
	struct snap after;
	take_snap(st, &after);
	ST_CHECK(status == r->status, "spawn refusals: %s: status %u, want %u", r->what, (unsigned)status,
		 (unsigned)r->status);
	ST_CHECK(nx_find(ipc_service_id(PROBE, strlen(PROBE))) < 0 && after.tasks == before->tasks &&
			 after.k.pages_free == before->k.pages_free && after.k.tasks_spawned == before->k.tasks_spawned,
		 "spawn refusals: %s left a task or pages (%u tasks, %llu free; before %u, %llu)", r->what, after.tasks,
		 (unsigned long long)after.k.pages_free, before->tasks, (unsigned long long)before->k.pages_free);
	const uint64_t kernel = after.k.spawn_refused - before->k.spawn_refused;
	const uint32_t execd = (after.ex.too_big - before->ex.too_big) + (after.ex.store - before->ex.store) +
			       (after.ex.mismatch - before->ex.mismatch) + (after.ex.kernel - before->ex.kernel);
	ST_CHECK(kernel == r->kernel && execd == 1 && after.ex.images == before->ex.images,
		 "spawn refusals: %s: kernel counted %llu, execd %u; want %u and 1", r->what, (unsigned long long)kernel,
		 execd, r->kernel);
	*refusals += 1;
}

/* Put chunk 0 of `image` back after a case changed it. */
static void restore_chunk0(struct st *st)
{
	put_chunk(st, PREFIX, 0, image, execd_chunk_len((uint32_t)image_len, 0));
}

static void refusals(struct st *st, unsigned chunks)
{
	static const struct refusal truncated = { "truncated", EXECD_STATUS_BAD_IMAGE, 1 },
				    magic = { "bad magic", EXECD_STATUS_BAD_IMAGE, 1 },
				    range = { "segment out of range", EXECD_STATUS_BAD_IMAGE, 1 },
				    quota = { "over quota", EXECD_STATUS_NO_MEMORY, 1 },
				    name = { "name taken", IPC_STATUS_MALFORMED, 1 },
				    oversize = { "oversize", EXECD_STATUS_TOO_BIG, 0 },
				    digest = { "digest mismatch", EXECD_STATUS_MISMATCH, 0 },
				    missing = { "missing chunks", IPC_STATUS_UNKNOWN, 0 };
	unsigned count = 0;
	long task = -1;
	struct snap before;
	ST_CHECK(chunks >= 2, "spawn refusals: an image of %u chunks", chunks);

	/* Cut after half of chunk 1: the text segment's bytes no longer lie inside the image. */
	const uint32_t cut = EXECD_CHUNK_SIZE + EXECD_CHUNK_SIZE / 2;
	put_chunk(st, PREFIX, 1, image + EXECD_CHUNK_SIZE, EXECD_CHUNK_SIZE / 2);
	take_snap(st, &before);
	expect_refused(st, &truncated, &before, spawn_image(st, PROBE, PREFIX, cut, cut, 0, 0, &task), &count);
	put_chunk(st, PREFIX, 1, image + EXECD_CHUNK_SIZE, execd_chunk_len((uint32_t)image_len, 1));

	image[1] ^= 0x20; /* "\x7f" "eLF" */
	put_chunk(st, PREFIX, 0, image, EXECD_CHUNK_SIZE);
	take_snap(st, &before);
	expect_refused(st, &magic, &before,
		       spawn_image(st, PROBE, PREFIX, (uint32_t)image_len, image_len, 0, 0, &task), &count);
	image[1] ^= 0x20;

	/* The first program header's p_vaddr (e_phoff at 32, p_vaddr at 16 in the header). */
	uint32_t phoff;
	ST_CHECK(ipc_get_u32(image, image_len, 32, &phoff) == 0 && phoff + 24 <= EXECD_CHUNK_SIZE,
		 "spawn refusals: e_phoff %u", (unsigned)phoff);
	uint8_t vaddr[8];
	memcpy(vaddr, image + phoff + 16, sizeof vaddr);
	ST_CHECK(ipc_put_u64(image, image_len, phoff + 16, OUT_OF_RANGE_VADDR) == 0, "spawn refusals: p_vaddr");
	put_chunk(st, PREFIX, 0, image, EXECD_CHUNK_SIZE);
	take_snap(st, &before);
	expect_refused(st, &range, &before,
		       spawn_image(st, PROBE, PREFIX, (uint32_t)image_len, image_len, 0, 0, &task), &count);
	memcpy(image + phoff + 16, vaddr, sizeof vaddr);
	restore_chunk0(st);

	take_snap(st, &before);
	expect_refused(st, &quota, &before,
		       spawn_image(st, PROBE, PREFIX, (uint32_t)image_len, image_len, 0, 8, &task), &count);
	take_snap(st, &before);
	expect_refused(st, &name, &before,
		       spawn_image(st, NX_SVC_POLICYD, PREFIX, (uint32_t)image_len, image_len, 0, 0, &task), &count);
	take_snap(st, &before);
	expect_refused(st, &oversize, &before,
		       spawn_image(st, PROBE, PREFIX, NX_SPAWN_ELF_MAX + 1, image_len, 0, 0, &task), &count);
	take_snap(st, &before);
	expect_refused(st, &digest, &before,
		       spawn_image(st, PROBE, PREFIX, (uint32_t)image_len, image_len, 1, 0, &task), &count);
	take_snap(st, &before);
	expect_refused(st, &missing, &before,
		       spawn_image(st, PROBE, MISSING_PREFIX, (uint32_t)image_len, image_len, 0, 0, &task), &count);

	/* The kernel itself: selftest holds no spawn right. */
	take_snap(st, &before);
	const struct nx_spawn_args args = { .name = PROBE, .qos = NX_QOS_BG };
	const long rc = nx_spawn_elf(&args, image, image_len);
	struct snap after;
	take_snap(st, &after);
	ST_CHECK(rc == -NX_EDENIED && after.k.denied == before.k.denied + 1 &&
			 after.k.spawn_refused == before.k.spawn_refused && after.tasks == before.tasks,
		 "spawn refusals: selftest's own NX_SYS_SPAWN_ELF gave %s", nx_strerror((int)rc));
	count++;

	unstage(st, PREFIX, chunks);
	printf("selftest: spawn from bytes: %u refusals, each with its status, no task or page left\n", count);
}

void st_spawn_checks(struct st *st)
{
	load_demo("hello-2");
	const unsigned chunks = stage(st, PREFIX);
	spawn_ok(st, chunks);
	spawn_crashing(st);
	printf("SELFTEST: spawn from bytes ok\n");
	refusals(st, chunks);
	printf("SELFTEST: spawn from bytes refusals ok\n");
}
