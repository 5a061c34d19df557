/**
 * @file proto/statefs.h
 * statefsd's protocol (op codes: STATEFSD_OP_* in the generated nx_manifest.h): a key-value
 * store for /state, durable at `sync` (docs/statefs.md).
 *
 * Keys are 1..STATEFS_KEY_MAX printable ASCII bytes (0x21..0x7e), in the namespace
 * "/<caller's task name>/" or under a prefix the system manifest grants the caller. Values
 * are 0..STATEFS_VALUE_MAX bytes and travel as the message's attachment (nx/abi.h,
 * NX_SYS_ATTACH_STAGE), never in the frame. Every field is little-endian.
 *
 * | op     | request data                               | attachment | reply data (OK)     | reply attachment |
 * |--------|--------------------------------------------|------------|---------------------|------------------|
 * | put    | value_len u16, key                         | the value  | none                | none             |
 * | get    | key                                        | none       | value_len u16       | the value        |
 * | delete | key                                        | none       | none                | none             |
 * | list   | max u8, prefix_len u8, prefix, after_len u8, after | none | count u8, more u8 | count × (key_len u8, key) |
 * | sync   | none                                       | none       | none                | none             |
 * | stats  | none                                       | none       | STATEFS_STATS_LEN bytes: struct statefs_stats as u32s | none |
 *
 * - put: the attachment must be exactly value_len bytes (none when 0).
 * - list: the keys beginning with `prefix` (1..STATEFS_KEY_MAX bytes, inside the caller's
 *   namespace or a grant) after the cursor `after` (empty: from the first), in byte order,
 *   at most `max` (1..STATEFS_LIST_MAX); `more` is 1 when further keys follow.
 * - sync: every put and delete the store accepted before it survives any power cut once it
 *   answers OK.
 *
 * Reply status: OK; MALFORMED (data, key or attachment out of bounds); UNKNOWN (no such key,
 * or op); FULL (the store holds its most keys); DENIED (outside the caller's namespace and
 * grants: nothing changed, counted); STATEFS_STATUS_NOSPACE (the live data would not fit);
 * STATEFS_STATUS_IO (the disk failed); STATEFS_STATUS_CORRUPT (a stored record fails its
 * checks: its value is never returned).
 */
#ifndef PROTO_STATEFS_H
#define PROTO_STATEFS_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

/** Longest key (bytes). */
#define STATEFS_KEY_MAX 64U
/** Longest value (bytes): one attachment. */
#define STATEFS_VALUE_MAX 4096U
/** Most keys one list reply carries. */
#define STATEFS_LIST_MAX 32U

_Static_assert(STATEFS_VALUE_MAX <= NX_ATTACH_MAX, "a value travels as one attachment");
_Static_assert(STATEFS_LIST_MAX * (1U + STATEFS_KEY_MAX) <= NX_ATTACH_MAX, "a list page fits one attachment");

/** Reply statuses of statefsd beyond ipc/wire.h's. */
enum statefs_status {
	STATEFS_STATUS_NOSPACE = 16, /**< the live data with this value would not fit the disk */
	STATEFS_STATUS_IO = 17,      /**< the disk failed; statefsd refuses until it restarts */
	STATEFS_STATUS_CORRUPT = 18, /**< the record holding the value fails its checks */
};

/** statefsd's counters (stats reply, in this order). */
struct statefs_stats {
	uint32_t keys;            /**< keys stored */
	uint32_t bytes_live;      /**< bytes of the live records */
	uint32_t bytes_free;      /**< bytes of the journal region not used yet */
	uint32_t puts;            /**< puts done */
	uint32_t gets;            /**< gets answered with a value */
	uint32_t deletes;         /**< deletes done */
	uint32_t syncs;           /**< syncs done */
	uint32_t denied;          /**< requests refused for authority */
	uint32_t refused;         /**< other refusals (malformed, unknown key, full, no space) */
	uint32_t write_calls;     /**< disk write requests since the store was opened */
	uint32_t sectors_written; /**< sectors they wrote */
	uint32_t flushes;         /**< disk flushes */
	uint32_t compactions;     /**< compactions done */
	uint32_t replayed;        /**< journal records replayed at open */
	uint32_t dropped;         /**< 1 if the open dropped a torn or corrupt tail */
	uint32_t formatted;       /**< 1 if the open formatted a blank disk, else 0 */
};
/** Bytes of a stats reply. */
#define STATEFS_STATS_LEN 64

/** A key of a list reply. */
struct statefs_key {
	uint8_t len;                      /**< 1..STATEFS_KEY_MAX */
	char bytes[STATEFS_KEY_MAX + 1];  /**< NUL-terminated */
};

/**
 * Is `key` (`len` bytes) a well-formed key: 1..STATEFS_KEY_MAX printable ASCII bytes?
 * @retval 1 yes
 * @retval 0 no
 */
int statefs_key_ok(const char *key, size_t len);

/**
 * Encode a stats reply.
 * @return STATEFS_STATS_LEN
 * @retval -NX_EINVAL `cap` below STATEFS_STATS_LEN
 */
__attribute__((warn_unused_result)) int statefs_stats_encode(const struct statefs_stats *s, uint8_t *out, size_t cap);

/**
 * Decode a stats reply.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length; `*s` unchanged
 */
__attribute__((warn_unused_result)) int statefs_stats_decode(const uint8_t *buf, size_t len, struct statefs_stats *s);

/**
 * Encode list request data: `max`, then `prefix` and `after` with their lengths.
 * @return bytes written
 * @retval -NX_EINVAL max outside 1..STATEFS_LIST_MAX, a length above STATEFS_KEY_MAX, a
 *         prefix of 0 bytes, or `cap` too small
 */
__attribute__((warn_unused_result)) int statefs_list_encode(uint8_t max, const char *prefix, size_t prefix_len,
							    const char *after, size_t after_len, uint8_t *out,
							    size_t cap);

/** A decoded list request; `prefix` and `after` point into the decoded buffer. */
struct statefs_list_req {
	uint8_t max;
	uint8_t prefix_len;
	uint8_t after_len;
	const char *prefix;
	const char *after;
};

/**
 * Decode list request data.
 * @retval 0 done
 * @retval -NX_EINVAL truncated or trailing bytes, max outside 1..STATEFS_LIST_MAX, a prefix
 *         that is not a key, or a cursor that is neither empty nor a key; `*r` unchanged
 */
__attribute__((warn_unused_result)) int statefs_list_decode(const uint8_t *buf, size_t len, struct statefs_list_req *r);

/**
 * Decode the keys of a list reply's attachment: `count` entries of (len u8, key).
 * @retval 0 done
 * @retval -NX_EINVAL count above STATEFS_LIST_MAX or `max`, truncated or trailing bytes, or
 *         a key that is not well-formed
 */
__attribute__((warn_unused_result)) int statefs_keys_decode(const uint8_t *buf, size_t len, size_t count, size_t max,
							    struct statefs_key *out);

#endif
