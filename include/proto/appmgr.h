/**
 * @file proto/appmgr.h
 * appmgrd's protocol (op codes: APPMGRD_OP_* in the generated nx_manifest.h), shared by
 * appmgrd, its clients (selftest, a console) and the abilities it runs; and the type of the
 * ability table generated from manifests/abilities.json (nx_abilities.h).
 *
 * Every field is little-endian, without padding. A name is 1..APPMGR_NAME_MAX bytes of the
 * ability's name, without a NUL. States and reasons are this protocol's own enums (appmgrd
 * translates the lifecycle core's, with compile-time checks that they agree), so clients
 * need nothing of the core.
 *
 * | op      | request data | reply data (status OK)                                       |
 * |---------|--------------|--------------------------------------------------------------|
 * | list    | start u8     | total u8, count u8, count × (name_len u8, name, state u8)    |
 * | start   | name         | none                                                         |
 * | stop    | name         | none                                                         |
 * | fg      | name         | none                                                         |
 * | bg      | name         | none                                                         |
 * | state   | name         | APPMGR_STATE_LEN bytes: struct appmgr_state, fields in order  |
 * | policy  | name         | APPMGR_POLICY_LEN bytes: struct appmgr_policy as 11 × u32     |
 * | unblock | name         | none                                                         |
 * | history | name         | count u8, count × (boot u32, t_ms u64, reason u8), oldest first |
 * | ready   | mode u8 [, version u32] | none                                              |
 * | image   | struct appmgr_image (appmgr_image_encode()) | none                          |
 * | subscribe   | none     | none                                                         |
 * | unsubscribe | none     | none                                                         |
 * | kill_service | name    | none                                                         |
 *
 * Supervised services (docs/reliability.md): `state` and `unblock` also take the name of a
 * boot service appmgrd restarts (its state as an ability's; `start_mode` bg, no `cpu_us` or
 * `version`); unblock starts it again at once. kill_service ends such a service's live task
 * with reason crash, as a fault would (a fault injection, granted to selftest only); UNKNOWN
 * for a name that is not a supervised service, INVALID_TRANSITION when it has no live task.
 *
 * - list: abilities in manifest order from index `start` (≤ total), as many as fit in one
 *   reply; ask again from start + count for the rest.
 * - state: `task` is -1 while the ability has no process, and `cpu_us` then is the CPU time
 *   of its last process that ended (the kernel's exit notice; 0 if none); `next_restart_ms` is
 *   the restart time in backoff, 0 otherwise; `timeout` is 1 when a start or stop timeout
 *   caused the latest change.
 * - policy: the fields of struct appmgr_policy in order, each a u32.
 * - history: the restartable deaths since the ability was last unblocked, the newest
 *   APPMGR_HISTORY_LEN, earlier boots' included (appmgrd keeps them in statefsd); only this
 *   boot's count toward its crash-loop window.
 * - ready: only from the ability's own task (the kernel-stamped sender), while it is
 *   starting; appmgrd moves the task into the mode's QoS class first and then applies it.
 *   The version is the one the running image was built as (1 when absent); `state` reports
 *   it while the process lives.
 * - image: which image appmgrd starts the ability from from now on: the built-in one, or an
 *   ELF image stored in statefsd in chunks (execd's spawn_image, proto/execd.h) with its
 *   version, length and SHA-512. Only updated may set it (the policy table).
 *
 * Reply status (ipc/wire.h): OK; MALFORMED for data that does not decode; UNKNOWN for an
 * unknown ability or op; INVALID_TRANSITION when the lifecycle refuses the event in the
 * ability's state (start while blocked included); FULL when the kernel's QoS class is full
 * (nothing changed); DENIED when the policy table does not grant the op to the caller, or a
 * ready does not come from an ability's own task.
 *
 * Stop: appmgrd asks an ability to end with a one-way NOTIFY frame, op NX_NOTIFY_STOP, no
 * data, on the ability's request queue. An ability that does not exit within its
 * stop_timeout_ms is killed.
 *
 * Changes: a task that subscribes (at most APPMGR_SUBSCRIBERS_MAX; FULL beyond, nothing
 * changed) gets every lifecycle change of every ability as a one-way NOTIFY frame, op
 * NX_NOTIFY_CHANGE, on its request queue (data: struct appmgr_change, appmgr_change_encode()).
 * appmgrd never waits for a subscriber: a change whose send finds the subscriber's queue full
 * is dropped and counted, and the next one it gets carries a sequence number that shows the
 * gap, so the subscriber knows to ask `state` once instead of polling.
 *
 * Codec functions return 0 (or a length) or -NX_EINVAL, and never read or write outside the
 * buffer they are given.
 */
#ifndef PROTO_APPMGR_H
#define PROTO_APPMGR_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"
#include "proto/execd.h"

/** Longest ability name: a task name. */
#define APPMGR_NAME_MAX NX_NAME_MAX
/** Most abilities appmgrd runs (list replies hold at most this many entries). */
#define APPMGR_MAX_ABILITIES 32U
/** Most deaths a history reply holds. */
#define APPMGR_HISTORY_LEN 16U
/** NOTIFY op code of a stop notification (appmgrd to an ability). */
#define NX_NOTIFY_STOP 2
/** NOTIFY op code of a change notification (appmgrd to a subscriber). */
#define NX_NOTIFY_CHANGE 3
/** Most subscribers to changes. */
#define APPMGR_SUBSCRIBERS_MAX 4U

/** An ability's lifecycle state on the wire. */
enum appmgr_app_state {
	APPMGR_STOPPED = 0,    /**< no process */
	APPMGR_STARTING = 1,   /**< spawned, not ready yet */
	APPMGR_RUNNING_FG = 2, /**< ready, in the foreground */
	APPMGR_RUNNING_BG = 3, /**< ready, in the background */
	APPMGR_STOPPING = 4,   /**< asked to end, not gone yet */
	APPMGR_CRASHED = 5,    /**< died for a restartable reason (transient) */
	APPMGR_BACKOFF = 6,    /**< waiting for its restart time */
	APPMGR_BLOCKED = 7,    /**< crash loop: no restart until unblocked */
	APPMGR_STATE_COUNT     /**< number of states; not a state */
};

/** Why an ability's latest change happened, on the wire (the kernel's nx_reason values). */
enum appmgr_reason {
	APPMGR_REASON_NONE = 0,    /**< a clean exit, or a start, ready or unblock */
	APPMGR_REASON_CRASH = 1,   /**< the process failed */
	APPMGR_REASON_POLICY = 2,  /**< the OS decided it must not run */
	APPMGR_REASON_OOM = 3,     /**< killed for memory */
	APPMGR_REASON_SIGNAL = 4,  /**< ended by a signal */
	APPMGR_REASON_REQUEST = 5, /**< someone asked it to stop */
	APPMGR_REASON_COUNT        /**< number of reasons; not a reason */
};

/** Name of a state ("stopped", "runningFg", ...), or "?" for a value out of range. */
const char *appmgr_state_name(unsigned state);

/** Name of a reason ("none", "crash", ...), or "?" for a value out of range. */
const char *appmgr_reason_name(unsigned reason);

/** How an ability runs once ready: the `ready` data and an ability's start mode. */
enum appmgr_mode {
	APPMGR_MODE_FG = 1, /**< foreground: QoS class FG, slack slack_fg_ms */
	APPMGR_MODE_BG = 2, /**< background: QoS class BG, slack slack_bg_ms, CPU budget */
};

/**
 * An ability's policy (the ability document's keys, docs/ability/overview.md): restart,
 * crash-loop and timeout policy, then the FG/BG keys.
 */
struct appmgr_policy {
	uint32_t initial_ms;            /**< backoff delay after the first consecutive crash */
	uint32_t factor_milli;          /**< each further crash multiplies the delay by this / 1000 */
	uint32_t max_ms;                /**< the delay never exceeds this */
	uint32_t loop_threshold;        /**< deaths within the window that block; 0: never block */
	uint32_t loop_window_ms;        /**< the crash-loop window */
	uint32_t stable_reset_ms;       /**< a run this long restarts the crash count; 0: never */
	uint32_t start_timeout_ms;      /**< starting this long without ready counts as a crash */
	uint32_t stop_timeout_ms;       /**< stopping this long without exit counts as the exit */
	uint32_t cpu_budget_ms_per_min; /**< CPU a background run may use per minute; 0: no limit */
	uint32_t slack_fg_ms;           /**< timer slack in the foreground */
	uint32_t slack_bg_ms;           /**< timer slack in the background */
};
/** Bytes of a policy reply. */
#define APPMGR_POLICY_LEN 44

/** One entry of the ability table (nx_abilities.h, generated from manifests/abilities.json). */
struct nx_ability {
	const char *name;            /**< ability and task name: its identity is FNV-1a-64 of it */
	const char *image;           /**< built-in task image */
	uint8_t start_mode;          /**< enum appmgr_mode its runtime reports at ready */
	uint32_t health_window_ms;   /**< after an update, run this long to be committed (docs/ota.md) */
	uint32_t fg_cpu_limit_ms;    /**< in the foreground, CPU time without blocking past which it is
					  stopped with reason policy; 0: no limit */
	struct appmgr_policy policy; /**< merged: built-in defaults, `defaults`, its own */
};

/** A state reply. */
struct appmgr_state {
	uint8_t state;            /**< enum appmgr_app_state */
	uint8_t reason;           /**< enum appmgr_reason */
	uint8_t timeout;          /**< 1: a start or stop timeout caused the latest change */
	uint8_t start_mode;       /**< enum appmgr_mode */
	uint32_t crash_count;     /**< consecutive restartable deaths */
	uint32_t delay_ms;        /**< delay of the latest backoff */
	uint64_t next_restart_ms; /**< restart time in backoff; 0 otherwise */
	int32_t task;             /**< task id of its process; -1 if none */
	uint64_t cpu_us;          /**< CPU time of its process; with none, of its last ended one (0 if none) */
	uint32_t version;         /**< version its running process reported at ready; 0 if none yet */
};
/** Bytes of a state reply. */
#define APPMGR_STATE_LEN 36

/** The image an ability starts from (the image op). */
struct appmgr_image {
	char name[APPMGR_NAME_MAX + 1];       /**< the ability, NUL-terminated */
	uint8_t stored;                        /**< 0: its built-in image (the rest unused); 1: stored */
	uint32_t version;                      /**< the stored image's version: at least 1 */
	uint32_t image_len;                    /**< 1..NX_SPAWN_ELF_MAX */
	uint8_t sha512[EXECD_DIGEST_LEN];      /**< of the image */
	uint8_t prefix_len;                    /**< 1..EXECD_PREFIX_MAX */
	char prefix[EXECD_PREFIX_MAX + 1];     /**< statefsd key prefix of its chunks, NUL-terminated */
};
/** Longest image request. */
#define APPMGR_IMAGE_MAX (1 + APPMGR_NAME_MAX + 1 + 8 + EXECD_DIGEST_LEN + 1 + EXECD_PREFIX_MAX)
_Static_assert(APPMGR_IMAGE_MAX <= NX_FRAME_DATA_MAX, "an image request fits one frame");

/**
 * Encode an image request: name_len u8, name, stored u8, and when stored version u32,
 * image_len u32, sha512, prefix_len u8, prefix.
 * @return bytes written
 * @retval -NX_EINVAL an empty or too long name, stored not 0 or 1, a stored image of version 0 or length 0
 *         or above NX_SPAWN_ELF_MAX, a prefix not 1..EXECD_PREFIX_MAX key bytes, or `cap` too small
 */
__attribute__((warn_unused_result)) int appmgr_image_encode(const struct appmgr_image *im, uint8_t *out, size_t cap);

/**
 * Decode an image request.
 * @retval 0 done
 * @retval -NX_EINVAL any rule of appmgr_image_encode() broken, or truncated or trailing
 *         bytes; `*im` unchanged
 */
__attribute__((warn_unused_result)) int appmgr_image_decode(const uint8_t *buf, size_t len, struct appmgr_image *im);

/** One remembered death in a history reply. */
struct appmgr_death {
	uint32_t boot;  /**< the boot it happened in (appmgrd counts boots, from 1) */
	uint64_t t_ms;  /**< guest time in that boot */
	uint8_t reason; /**< enum appmgr_reason */
};

/** A change notification: ability `name` went from `from` to `to`. */
struct appmgr_change {
	uint32_t seq;                     /**< this subscriber's count of changes, from 1; a gap is a loss */
	uint64_t t_ms;                    /**< when (the core's time) */
	uint8_t from;                     /**< enum appmgr_app_state */
	uint8_t to;                       /**< enum appmgr_app_state */
	uint8_t reason;                   /**< enum appmgr_reason */
	uint8_t timeout;                  /**< 1: a start or stop timeout caused it */
	char name[APPMGR_NAME_MAX + 1];   /**< the ability, NUL-terminated */
};

/**
 * Encode a change notification: seq u32, t_ms u64, from u8, to u8, reason u8, timeout u8,
 * then the name (1..APPMGR_NAME_MAX bytes, no NUL).
 * @return bytes written
 * @retval -NX_EINVAL a state, reason or flag out of range, an empty or too long name, or
 *         `cap` too small
 */
__attribute__((warn_unused_result)) int appmgr_change_encode(const struct appmgr_change *c, uint8_t *out, size_t cap);

/**
 * Decode a change notification.
 * @retval 0 done
 * @retval -NX_EINVAL too short, a state, reason or flag out of range, or a name empty, too
 *         long or holding a NUL; `*c` unchanged
 */
__attribute__((warn_unused_result)) int appmgr_change_decode(const uint8_t *buf, size_t len, struct appmgr_change *c);

/** A history reply: the restartable deaths appmgrd's lifecycle core remembers. */
struct appmgr_history {
	uint8_t count;
	struct appmgr_death e[APPMGR_HISTORY_LEN];
};

/** One entry of a list reply. */
struct appmgr_list_entry {
	char name[APPMGR_NAME_MAX + 1]; /**< NUL-terminated */
	uint8_t state;                  /**< enum appmgr_app_state */
};

/** A decoded list reply. */
struct appmgr_list {
	uint8_t total; /**< abilities appmgrd has */
	uint8_t count; /**< entries in this reply */
	struct appmgr_list_entry e[APPMGR_MAX_ABILITIES];
};

/**
 * Decode a name (request data of every op but list and ready) into `name`, NUL-terminated.
 * @retval 0 done
 * @retval -NX_EINVAL `len` is 0 or above APPMGR_NAME_MAX, or the bytes hold a NUL
 */
__attribute__((warn_unused_result)) int appmgr_name_decode(const uint8_t *data, size_t len,
							   char name[APPMGR_NAME_MAX + 1]);

/**
 * Decode ready's data: a mode, then optionally the version (1 when absent).
 * @retval 0 done
 * @retval -NX_EINVAL not 1 or 5 bytes, not an enum appmgr_mode value, or version 0;
 *         outputs unchanged
 */
__attribute__((warn_unused_result)) int appmgr_ready_decode(const uint8_t *data, size_t len, enum appmgr_mode *mode,
							    uint32_t *version);

/**
 * Encode a state reply.
 * @return APPMGR_STATE_LEN
 * @retval -NX_EINVAL `cap` is below APPMGR_STATE_LEN
 */
__attribute__((warn_unused_result)) int appmgr_state_encode(const struct appmgr_state *s, uint8_t *out, size_t cap);

/**
 * Decode a state reply.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, or a state, reason, timeout flag or mode out of range
 */
__attribute__((warn_unused_result)) int appmgr_state_decode(const uint8_t *buf, size_t len, struct appmgr_state *s);

/**
 * Encode a policy reply.
 * @return APPMGR_POLICY_LEN
 * @retval -NX_EINVAL `cap` is below APPMGR_POLICY_LEN
 */
__attribute__((warn_unused_result)) int appmgr_policy_encode(const struct appmgr_policy *p, uint8_t *out, size_t cap);

/**
 * Decode a policy reply (its values are not range-checked: appmgrd checks policies).
 * @retval 0 done
 * @retval -NX_EINVAL wrong length
 */
__attribute__((warn_unused_result)) int appmgr_policy_decode(const uint8_t *buf, size_t len, struct appmgr_policy *p);

/**
 * Encode a history reply.
 * @return bytes written: 1 + 13 × count
 * @retval -NX_EINVAL count above APPMGR_HISTORY_LEN, or `cap` too small
 */
__attribute__((warn_unused_result)) int appmgr_history_encode(const struct appmgr_history *h, uint8_t *out, size_t cap);

/**
 * Decode a history reply.
 * @retval 0 done
 * @retval -NX_EINVAL the length does not match the count, count above APPMGR_HISTORY_LEN, or a
 *         reason out of range
 */
__attribute__((warn_unused_result)) int appmgr_history_decode(const uint8_t *buf, size_t len, struct appmgr_history *h);

/**
 * Encode a list reply: `total`, then entries from `e` (`n` of them) as long as they fit in
 * `cap` bytes.
 * @return bytes written; `*taken` is the number of entries in them
 * @retval -NX_EINVAL `cap` below 2, `n` above APPMGR_MAX_ABILITIES, or an entry with an empty or
 *         too long name
 */
__attribute__((warn_unused_result)) int appmgr_list_encode(uint8_t total, const struct appmgr_list_entry *e, size_t n,
							   uint8_t *out, size_t cap, size_t *taken);

/**
 * Decode a list reply.
 * @retval 0 done
 * @retval -NX_EINVAL truncated or trailing bytes, a count above APPMGR_MAX_ABILITIES or above
 *         the total, a name empty, too long or holding a NUL, or a state out of range
 */
__attribute__((warn_unused_result)) int appmgr_list_decode(const uint8_t *buf, size_t len, struct appmgr_list *l);

#endif
