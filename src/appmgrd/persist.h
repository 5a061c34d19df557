/*
 * What appmgrd keeps of each ability across reboots, in statefsd under its own namespace
 * (docs/ability/appmgrd.md, "Across reboots"): whether it is blocked, its consecutive crash
 * count and latest backoff delay (given back to the core with lc_restore()), and its deaths,
 * each with the boot it happened in. The key "/appmgrd/boot" counts boots.
 *
 * Record (little-endian): version u8 = AM_RECORD_VERSION, blocked u8 (0 or 1),
 * crash_count u32, delay_ms u32, count u8 (0..AM_DEATHS_MAX), then count × (boot u32,
 * t_ms u64, reason u8), oldest first.
 */
#ifndef AM_PERSIST_H
#define AM_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "proto/appmgr.h"

#define AM_RECORD_VERSION 1
/** Deaths one record keeps: the newest, as many as a history reply carries. */
#define AM_DEATHS_MAX APPMGR_HISTORY_LEN
/** Bytes of a record with `n` deaths. */
#define AM_RECORD_LEN(n) (11U + 13U * (n))

/** One ability's persistent state. */
struct am_record {
	uint8_t blocked;
	uint32_t crash_count;
	uint32_t delay_ms;
	uint8_t count;                            /**< deaths in `deaths` */
	struct appmgr_death deaths[AM_DEATHS_MAX]; /**< oldest first */
};

/**
 * Encode `r`.
 * @return AM_RECORD_LEN(r->count)
 * @retval -NX_EINVAL count above AM_DEATHS_MAX, blocked not 0 or 1, or `cap` too small
 */
__attribute__((warn_unused_result)) int am_record_encode(const struct am_record *r, uint8_t *out, size_t cap);

/**
 * Decode a record.
 * @retval 0 done
 * @retval -NX_EINVAL another version, blocked not 0 or 1, a count above AM_DEATHS_MAX, a
 *         length that is not AM_RECORD_LEN(count), or a reason out of range; `*r` unchanged
 */
__attribute__((warn_unused_result)) int am_record_decode(const uint8_t *buf, size_t len, struct am_record *r);

/**
 * Append death `d` to `r`, dropping the oldest when AM_DEATHS_MAX are kept.
 */
void am_record_add_death(struct am_record *r, const struct appmgr_death *d);

#endif
