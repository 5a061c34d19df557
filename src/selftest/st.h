/*
 * selftest: the in-OS proof. It checks each behaviour through the system's own interfaces
 * (exit notices, task info, kernel counters, service replies) and prints its SELFTEST
 * marker only after the check passed. The first failed check prints "SELFTEST: FAIL <what>"
 * and powers the machine off with failure status.
 */
#ifndef ST_H
#define ST_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"
#include "nx/notice.h"
#include "proto/appmgr.h"
#include "proto/ota.h"

#define ST_MAX_NOTICES 32
#define ST_MAX_CHANGES 64
/** Lateness a timer may show when the clock is real (QEMU without icount, a loaded host);
 * under icount every time is checked exactly. */
#define ST_REAL_CLOCK_LATE_MS 100

/** Selftest state: its IPC client, the exit notices and appmgrd's change notifications received. */
struct st {
	struct ipc_client client;
	int real_clock; /**< boot arg clock=real: QEMU without icount, whose timers may be late */
	unsigned rng_bytes; /**< boot arg rngbytes=<n>: the rng backend holds n bytes (profile=faults) */
	unsigned notice_count;
	struct nx_exit_notice notices[ST_MAX_NOTICES];
	unsigned change_count;                      /**< changes received while subscribed */
	struct appmgr_change changes[ST_MAX_CHANGES];
};

/** Print "SELFTEST: FAIL <what>" and power off with failure. (The attribute repeats
 * _Noreturn for cppcheck, which reads only the attribute.) */
_Noreturn void st_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/** Fail with the formatted text unless `cond`. */
#define ST_CHECK(cond, ...)               \
	do {                              \
		if (!(cond))              \
			st_fail(__VA_ARGS__); \
	} while (0)

/**
 * Wait until `deadline_ms` for the exit notice of the task called `name` (notices of other
 * tasks received meanwhile are kept for later calls).
 * @retval 0 found, `*out` set
 * @retval -NX_ETIMEDOUT not by the deadline
 */
int st_wait_notice(struct st *st, const char *name, uint64_t deadline_ms, struct nx_exit_notice *out);

/** Take what waits on the request queue (exit notices, appmgrd's changes), waiting until `deadline_ms` for the first. */
void st_take_notices(struct st *st, uint64_t deadline_ms);

/** Call `service` with the RFC-0025 helper (NULL opts = defaults). Inline, and with the
 * compiler's strlen (-ffreestanding turns the builtin off): a literal service name's length
 * is then a constant (the IPC benchmark calls through it). */
static inline struct ipc_outcome st_call(struct st *st, const char *service, uint16_t op, const void *data,
					 size_t len, void *reply, size_t cap, const struct ipc_route_opts *opts)
{
	return ipc_route_with_nonce_budgeted(&st->client, service, __builtin_strlen(service), op, data, len, reply, cap, opts);
}

/** Fail unless `o` is a success (naming `what`). */
void st_expect_success(const struct ipc_outcome *o, const char *what);

/** Counters of `service` via NX_OP_SERVER_STATS: [requests, denied, malformed, unanswered, notices]. */
void st_server_stats(struct st *st, const char *service, uint32_t out[5]);

/** Task id of the live task `name`, or fail. */
uint32_t st_task(const char *name);

/** Profile faults: BG spinners run on several harts at once (kernel per-hart counters), and
 * QoS moves keep the class bookkeeping exact while they are scheduled (src/selftest/st_smp.c). */
void st_smp_checks(struct st *st);
void st_ability_checks(struct st *st);
/** The persist lane: boot 1 drives crasher into blocked; boot 2 finds it still blocked. */
void st_ability_persist_write(struct st *st);
void st_ability_persist_check(struct st *st);
/** A boot fixture that must end by a fault, and how. */
struct st_fault {
	const char *name;
	uint8_t reason; /**< nx_reason */
	uint8_t cause;  /**< nx_cause */
};
/** The fault-* boot fixtures (manifests/system.json), one per kind of user fault. */
#define ST_FAULT_TASKS 7
extern const struct st_fault st_fault_tasks[ST_FAULT_TASKS];
/** Wait for each task of `list` to end, and fail (naming `what`) unless it ended as listed. */
void st_expect_ended(struct st *st, const struct st_fault *list, size_t count, const char *what);


/** appmgrd's answer to `op` on ability `name` (OK or the refusal's status); fails on a lost call. */
uint16_t st_am_call(struct st *st, uint16_t op, const char *name, void *reply, size_t cap, size_t *len);
/** appmgrd's state / history of `name`, or fail. */
void st_am_state(struct st *st, const char *name, struct appmgr_state *s);
void st_am_history(struct st *st, const char *name, struct appmgr_history *h);
/** Wait (bounded) until `name` is in `want` with `crashes` consecutive crashes, or fail naming `what`. */
void st_wait_state(struct st *st, const char *name, enum appmgr_app_state want, uint32_t crashes, const char *what,
		   struct appmgr_state *s);
/** Wait (bounded) until the task `name` has gone, or fail naming `what`. */
void st_wait_gone(const char *name, const char *what);

/** The bytes QEMU's rng-random backend reads from tests/data/virtio-rng.bin, in order. */
extern const uint8_t st_rng_seed[];
extern const size_t st_rng_seed_len;

void st_kernel_checks(struct st *st);
/** Ask the FG fillers (fill-fg-<k>, which hold FG places from boot) to exit, and wait until
 * each has exited with code 0, or fail. */
void st_fillers_release(struct st *st);
void st_ipc_checks(struct st *st);
void st_service_checks(struct st *st);
/** The default profile's last check: every service answers, and none has ended. */
void st_services_answer(struct st *st);
void st_bench(struct st *st);
void st_fault_checks(struct st *st);
/** profile=faults: kill each supervised service once and see it answer again; a crash loop
 * blocks one, which is reported and unblocked. @return the kills */
unsigned st_service_restarts(struct st *st);
/** profile=faults: the rng backend's `file_bytes` run out; rngd answers "exhausted" in time. */
void st_entropy_exhaustion(struct st *st, unsigned file_bytes);
/** profile=faults: an FG ability that never blocks is stopped by policy; a BG start meanwhile is unharmed. */
void st_fg_hog_checks(struct st *st);
/** Block device: I/O, refusals, denial (default profile). */
void st_blk_checks(struct st *st);
/** profile=blk: a fixed load of block requests through statefsd, timed in guest time. */
void st_blk_load(struct st *st);

/** Spawning from bytes through execd and the kernel: a demo image runs; broken ones are refused. */
void st_spawn_checks(struct st *st);

/** statefsd: operations and bounds; authority; compaction (default profile). */
void st_statefs_checks(struct st *st);
void st_statefs_authority(struct st *st);
void st_statefs_compaction(struct st *st);
/** The persist lane: boot 1 writes and syncs, boot 2 (same disk) reads back. */
void st_statefs_persist_write(struct st *st);
void st_statefs_persist_check(struct st *st);
/** The power-cut lane: the workload, and the check after a cut (`synced`: last op synced). */
void st_statefs_powercut(struct st *st);
void st_statefs_powercut_check(struct st *st, unsigned synced);

/** Wait (bounded) until keystored answers: it serves only once its key is usable. */
void st_keystore_wait(struct st *st);
/** keystored (default profile): its key and signatures, the refusals, its deadline. */
void st_keystore_pubkey(struct st *st);
void st_keystore_export(struct st *st);
void st_keystore_sign_denied(struct st *st);
void st_keystore_deadline(struct st *st);
/** The persist lane: boot 1 records keystored's public key, boot 2 finds the same key. */
void st_keystore_persist_write(struct st *st);
void st_keystore_persist_check(struct st *st);

/** Wait (bounded) until updated answers: it serves once every ability's record is loaded. */
void st_ota_wait(struct st *st);
/** Updates (default profile): stage and its refusals, bad signature, switch, health, rollback. */
void st_ota_checks(struct st *st);
/** The persist lane: boot 1 commits hello-2 and powers off during hello-3's trial; boot 2
 * finds the trial rolled back and version 2 active. */
void st_ota_persist_write(struct st *st);
void st_ota_persist_check(struct st *st);
/** updated's status of `app` / its counters, or fail. */
void st_ota_status(struct st *st, const char *app, struct ota_status *s);
void st_ota_stats(struct st *st, struct ota_stats *s);
/** Stage the embedded bundle `name` (nx_bundles.h) for `app`: updated's answer (`*version`,
 * `*slot` set when OK); fails on a lost call. */
uint16_t st_ota_stage(struct st *st, const char *app, const char *name, uint32_t *version, uint8_t *slot);
/** switch or rollback (`op`) of `app`: updated's answer; fails on a lost call. */
uint16_t st_ota_app_op(struct st *st, uint16_t op, const char *app);
/** Fail (naming `what`) unless updated answered `want`. */
void st_ota_expect(uint16_t got, uint16_t want, const char *what);
/** The image length of the embedded bundle `name`, or fail. */
uint32_t st_ota_elf_len(const char *name);
/** Wait (bounded) until `app`'s latest update event is `ev` (`*s` its status), or fail naming `what`. */
void st_ota_wait_event(struct st *st, const char *app, enum ota_event ev, const char *what, struct ota_status *s);
/** Wait (bounded) until `app` runs in the foreground as `version` (`*s` its state), or fail naming `what`. */
void st_ota_wait_running(struct st *st, const char *app, uint32_t version, const char *what, struct appmgr_state *s);
/** Fail (naming `what`) unless slot `slot` (0: a) of `s` is `state` with `version`. */
void st_ota_expect_slot(const struct ota_status *s, unsigned slot, uint8_t state, uint32_t version, const char *what);
/** The OTA power-cut lane (scripts/test-ota-powercut.sh): the workload (hello-2 staged, switched,
 * committed; hello-3 staged, switched, rolled back by its crash loop), and the check after a cut
 * (`ack`: the last step the cut run saw acknowledged, 0 none .. 6, st_ota_cut.c). */
void st_ota_cut(struct st *st);
void st_ota_cut_check(struct st *st, unsigned ack);

#endif
