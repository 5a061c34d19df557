/**
 * @file proto/ota.h
 * updated's protocol (op codes: UPDATED_OP_* in the generated nx_manifest.h) and its
 * boot-control record (docs/ota.md). Every integer is little-endian.
 *
 * | op          | request data                        | attachment       | reply data (OK)            |
 * |-------------|-------------------------------------|------------------|----------------------------|
 * | stage_begin | total_len u32, app name             | none             | none                       |
 * | stage_chunk | offset u32, len u16                 | the chunk's bytes | none                      |
 * | stage_end   | none                                | none             | version u32, slot u8       |
 * | switch      | app name                            | none             | none                       |
 * | rollback    | app name                            | none             | none                       |
 * | status      | app name                            | none             | OTA_STATUS_LEN bytes: struct ota_status |
 * | stats       | none                                | none             | OTA_STATS_LEN bytes: struct ota_stats as u32s |
 *
 * - stage_begin opens the one staging session for the caller (its kernel-stamped id): a
 *   bundle of total_len bytes (1..BUNDLE_MAX) for ability `app`. A session of another caller
 *   that got a chunk within OTA_SESSION_IDLE_MS refuses it with FULL; an idle one is dropped.
 * - stage_chunk: the next 1..OTA_CHUNK_MAX bytes of the bundle, at `offset` (exactly the
 *   bytes received so far), as the attachment; len must be the attachment's length.
 * - stage_end: the bundle is complete; updated checks it (layout, ability name, version above
 *   the active one, the release key's signature through keystored) and stores its image in the
 *   ability's inactive slot. The session ends whatever the outcome.
 * - switch: the staged slot becomes the trial slot (persisted), and appmgrd restarts the
 *   ability from it; health decides whether it is committed or rolled back.
 * - rollback: a trial ends as failed; without a trial, the inactive slot, if it holds a
 *   version that ran (committed or built in), becomes active again.
 *
 * Reply status: OK; MALFORMED (data that does not decode, a chunk at the wrong offset or
 * past total_len, an attachment of another length, stage_end before all bytes came: the
 * session is dropped); UNKNOWN (no such ability, op, or session); INVALID_TRANSITION (switch
 * without a staged slot, stage or switch during a trial, rollback with nothing to roll back
 * to); FULL (another caller's session is open); DENIED (the policy table); and updated's own:
 * OTA_STATUS_* below. Every refusal leaves the slots as they were and is counted.
 */
#ifndef PROTO_OTA_H
#define PROTO_OTA_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"
#include "proto/bundle.h"

/** Longest ability name. */
#define OTA_NAME_MAX NX_NAME_MAX
/** Most bytes of one stage_chunk: one attachment. */
#define OTA_CHUNK_MAX 4096U
_Static_assert(OTA_CHUNK_MAX <= NX_ATTACH_MAX, "a chunk travels as one attachment");
/** A session with no chunk for this long (guest ms) may be taken over by another caller. */
#define OTA_SESSION_IDLE_MS 10000U
/** The version of the images built into the kernel. */
#define OTA_BUILTIN_VERSION 1U
/** Health window when the bundle's document names none (ms). */
#define OTA_HEALTH_WINDOW_DEFAULT_MS 10000U
/** Longest health window (ms), as the ability schema says. */
#define OTA_HEALTH_WINDOW_MAX_MS 86400000U
/** A trial whose ability is not ready this long (ms) after the switch is rolled back. */
#define OTA_READY_DEADLINE_MS 60000U

/** updated's own reply statuses (after ipc/wire.h's and the other services'). */
enum ota_status_code {
	OTA_STATUS_BAD_BUNDLE = 48, /**< the bundle's layout is broken (bundle_parse) */
	OTA_STATUS_BAD_SIGNATURE = 49, /**< the release key's signature does not verify */
	OTA_STATUS_WRONG_NAME = 50, /**< the bundle is for another ability than stage_begin named */
	OTA_STATUS_DOWNGRADE = 51,  /**< the version is not above the active one */
	OTA_STATUS_TOO_BIG = 52,    /**< total_len above BUNDLE_MAX */
	OTA_STATUS_STORE = 53,      /**< statefsd failed: the slot is left empty, the active one as it was */
	OTA_STATUS_VERIFY = 54,     /**< keystored did not answer the verification */
};

/** What a slot holds. */
enum ota_slot_state {
	OTA_SLOT_EMPTY = 0,   /**< nothing (or a staging that did not finish) */
	OTA_SLOT_BUILTIN = 1, /**< the image built into the kernel, OTA_BUILTIN_VERSION */
	OTA_SLOT_STAGED = 2,  /**< a verified image, never run */
	OTA_SLOT_TRIAL = 3,   /**< the switched-to image, in its health window */
	OTA_SLOT_GOOD = 4,    /**< an image that passed its health window */
	OTA_SLOT_FAILED = 5,  /**< an image that was rolled back */
	OTA_SLOT_STATE_COUNT  /**< number of states; not a state */
};

/** The latest thing that happened to an ability's slots (status, the event lines). */
enum ota_event {
	OTA_EV_NONE = 0,
	OTA_EV_STAGED = 1,
	OTA_EV_SWITCHED = 2,
	OTA_EV_COMMITTED = 3,
	OTA_EV_ROLLED_BACK = 4,
	OTA_EV_COUNT /**< number of events; not an event */
};

/** One slot of the boot-control record. */
struct ota_slot {
	uint8_t state;             /**< enum ota_slot_state */
	uint32_t version;          /**< OTA_BUILTIN_VERSION when built in; 0 when empty */
	uint32_t image_len;        /**< stored image: 1..NX_SPAWN_ELF_MAX; 0 otherwise */
	uint32_t health_window_ms; /**< stored image: 1..OTA_HEALTH_WINDOW_MAX_MS; 0 otherwise */
	uint8_t sha512[BUNDLE_DIGEST_LEN]; /**< stored image: its digest; zeros otherwise */
};

/**
 * An ability's boot-control record, kept by updated at "/updated/ctl/<app>". Rules (the
 * decoder refuses a record that breaks one): the active slot is BUILTIN or GOOD; when
 * `trial` is 1 the other slot is TRIAL, otherwise no slot is; a BUILTIN slot has version
 * OTA_BUILTIN_VERSION and no image; an EMPTY one all zeros; every other one a version of at
 * least 1, an image of 1..NX_SPAWN_ELF_MAX bytes and a health window of
 * 1..OTA_HEALTH_WINDOW_MAX_MS.
 */
struct ota_bootctl {
	uint8_t active;          /**< 0: slot A, 1: slot B */
	uint8_t trial;           /**< 1: the other slot is on trial */
	uint32_t failed_version; /**< the latest version rolled back; 0: none */
	struct ota_slot slot[2];
};
/** Bytes of an encoded record: format u8 (1), active u8, trial u8, 0 u8, failed_version u32,
 * then per slot: state u8, 3 zero bytes, version u32, image_len u32, health_window_ms u32, sha512. */
#define OTA_BOOTCTL_LEN (8U + 2U * (16U + BUNDLE_DIGEST_LEN))
/** The record's format byte. */
#define OTA_BOOTCTL_FORMAT 1U

/** A status reply: the record without digests, and what this boot saw. */
struct ota_status {
	struct ota_bootctl ctl;  /**< the record (digests zero) */
	uint8_t last_event;      /**< enum ota_event this boot; OTA_EV_NONE if none */
	uint64_t event_ms;       /**< when (guest ms); 0 if none */
	uint64_t ready_ms;       /**< when the trial's process became ready (appmgrd's time); 0 if not */
};
/** Bytes of a status reply: active, trial, last_event, 0, failed_version u32, per slot state
 * u8, version u32, image_len u32, health_window_ms u32, then event_ms u64, ready_ms u64. */
#define OTA_STATUS_LEN (8U + 2U * 13U + 16U)

/** updated's counters, in the order of the stats reply. */
enum ota_stat {
	OTA_STAT_STAGED = 0,        /**< bundles stored in a slot */
	OTA_STAT_SWITCHES = 1,      /**< trials begun */
	OTA_STAT_COMMITS = 2,       /**< trials committed */
	OTA_STAT_ROLLBACKS = 3,     /**< trials or versions rolled back */
	OTA_STAT_BAD_SIGNATURE = 4, /**< refused: OTA_STATUS_BAD_SIGNATURE */
	OTA_STAT_WRONG_NAME = 5,    /**< refused: OTA_STATUS_WRONG_NAME */
	OTA_STAT_DOWNGRADE = 6,     /**< refused: OTA_STATUS_DOWNGRADE */
	OTA_STAT_TOO_BIG = 7,       /**< refused: OTA_STATUS_TOO_BIG */
	OTA_STAT_REFUSED = 8,       /**< refused otherwise (malformed, unknown, transitions, bad bundles, full) */
	OTA_STAT_FAILED_CALLS = 9,  /**< statefsd, keystored or appmgrd calls that failed */
	OTA_STAT_COUNT              /**< number of counters; not a counter */
};
/** updated's counters (the stats reply: OTA_STAT_COUNT u32s). */
struct ota_stats {
	uint32_t n[OTA_STAT_COUNT];
};
#define OTA_STATS_LEN (4U * OTA_STAT_COUNT)

/** Bytes of stage_chunk's data. */
#define OTA_CHUNK_REQ_LEN 6U
/** Bytes of stage_end's reply. */
#define OTA_STAGED_LEN 5U

/**
 * The statefsd key prefix of slot `slot` (0/1) of `app`'s image chunks ("/updated/img/<app>/<a|b>/").
 * @retval 0 `out` holds it, NUL-terminated
 * @retval -NX_EINVAL a bad name, slot above 1, or `cap` below its length + 1; nothing is written
 */
__attribute__((warn_unused_result)) int ota_image_prefix(const char *app, unsigned slot, char *out, size_t cap);
/**
 * The statefsd key of `app`'s boot-control record ("/updated/ctl/<app>").
 * @retval 0 `out` holds it, NUL-terminated
 * @retval -NX_EINVAL a bad name, or `cap` below its length + 1; nothing is written
 */
__attribute__((warn_unused_result)) int ota_ctl_key(const char *app, char *out, size_t cap);

/**
 * Encode stage_begin: total_len u32, then the name (1..OTA_NAME_MAX bytes, no NUL).
 * @return bytes written
 * @retval -NX_EINVAL a bad name or `cap` too small (total_len is the server's to judge)
 */
__attribute__((warn_unused_result)) int ota_begin_encode(uint32_t total_len, const char *app, uint8_t *out,
							 size_t cap);
/** Decode stage_begin. @retval -NX_EINVAL too short, or a bad name; outputs unchanged */
__attribute__((warn_unused_result)) int ota_begin_decode(const uint8_t *buf, size_t len, uint32_t *total_len,
							 char app[OTA_NAME_MAX + 1]);

/**
 * Encode / decode stage_chunk's data (offset, len 1..OTA_CHUNK_MAX).
 * @return encode: OTA_CHUNK_REQ_LEN; decode: 0
 * @retval -NX_EINVAL len outside 1..OTA_CHUNK_MAX, `cap` below OTA_CHUNK_REQ_LEN (nothing is
 *         written), or data of another length (outputs unchanged)
 */
__attribute__((warn_unused_result)) int ota_chunk_encode(uint32_t offset, uint16_t len, uint8_t *out, size_t cap);
__attribute__((warn_unused_result)) int ota_chunk_decode(const uint8_t *buf, size_t len, uint32_t *offset,
							 uint16_t *chunk_len);

/**
 * Encode a boot-control record (OTA_BOOTCTL_LEN bytes).
 * @retval -NX_EINVAL it breaks a rule of struct ota_bootctl, or `cap` too small
 */
__attribute__((warn_unused_result)) int ota_bootctl_encode(const struct ota_bootctl *c, uint8_t *out, size_t cap);
/** Decode one. @retval -NX_EINVAL another length or format, nonzero padding, or a broken rule; `*c` unchanged */
__attribute__((warn_unused_result)) int ota_bootctl_decode(const uint8_t *buf, size_t len, struct ota_bootctl *c);
/** The record of an ability updated never touched: slot A built in and active, B empty. */
void ota_bootctl_initial(struct ota_bootctl *c);

/*
 * The record's transitions (docs/ota.md, "A slot's states"): what updated writes, decided
 * here so that host tests can drive every transition from every valid record. Each takes a
 * valid record; on a refusal it returns -NX_EINVAL and leaves `*c` as it was; on success the
 * record is valid again.
 */

/**
 * Empty the inactive slot for a stage of `version`.
 * @return the slot emptied (0 or 1)
 * @retval -NX_EINVAL a trial runs, or `version` is not above the active slot's (a downgrade)
 */
__attribute__((warn_unused_result)) int ota_slots_clear(struct ota_bootctl *c, uint32_t version);

/**
 * The empty inactive slot now holds a verified image: STAGED with these fields.
 * @retval -NX_EINVAL the inactive slot is not EMPTY, a trial runs, or a field is out of bounds
 */
__attribute__((warn_unused_result)) int ota_slots_staged(struct ota_bootctl *c, uint32_t version, uint32_t image_len,
							 uint32_t health_window_ms, const uint8_t sha512[BUNDLE_DIGEST_LEN]);

/**
 * switch: the STAGED inactive slot goes on trial.
 * @retval -NX_EINVAL a trial runs already, or the inactive slot is not STAGED
 */
__attribute__((warn_unused_result)) int ota_slots_switch(struct ota_bootctl *c);

/**
 * The trial passed its health window: its slot is GOOD and active.
 * @retval -NX_EINVAL no trial runs
 */
__attribute__((warn_unused_result)) int ota_slots_commit(struct ota_bootctl *c);

/**
 * Roll back: a trial's slot becomes FAILED; without a trial, the inactive slot, when it is
 * GOOD or BUILTIN, becomes active again and the active one FAILED (EMPTY if it was the
 * built-in image, which has no bytes to keep). `failed_version` is the version left.
 * @return the slot left (0 or 1)
 * @retval -NX_EINVAL nothing to roll back to
 */
__attribute__((warn_unused_result)) int ota_slots_rollback(struct ota_bootctl *c);

/** Encode / decode a status reply. @retval -NX_EINVAL a broken rule, bad length, or `cap` too small */
__attribute__((warn_unused_result)) int ota_status_encode(const struct ota_status *s, uint8_t *out, size_t cap);
__attribute__((warn_unused_result)) int ota_status_decode(const uint8_t *buf, size_t len, struct ota_status *s);

/**
 * Encode / decode the stats reply.
 * @return encode: OTA_STATS_LEN; decode: 0
 * @retval -NX_EINVAL `cap` below OTA_STATS_LEN, or data of another length; `*s` unchanged
 */
__attribute__((warn_unused_result)) int ota_stats_encode(const struct ota_stats *s, uint8_t *out, size_t cap);
__attribute__((warn_unused_result)) int ota_stats_decode(const uint8_t *buf, size_t len, struct ota_stats *s);

/**
 * The health window a bundle's document gives: the first `"health_window_ms":<digits>` in
 * it. pack-bundle.py writes documents with keys sorted, so the ability's own policy comes
 * before the defaults'; the signature says the packer wrote it.
 * @retval 0 `*ms` set (OTA_HEALTH_WINDOW_DEFAULT_MS when the document names none)
 * @retval -NX_EINVAL a value that is not 1..OTA_HEALTH_WINDOW_MAX_MS in decimal digits
 */
__attribute__((warn_unused_result)) int ota_doc_health_window(const uint8_t *doc, size_t len, uint32_t *ms);

/** Names of slot states and events ("?" for others). */
const char *ota_slot_state_name(unsigned s);
const char *ota_event_name(unsigned e);

#endif
