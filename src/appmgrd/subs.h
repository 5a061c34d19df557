/*
 * appmgrd's subscribers to lifecycle changes (proto/appmgr.h, "Changes"): a table of at most
 * APPMGR_SUBSCRIBERS_MAX tasks by kernel-stamped id, each with its own change count.
 */
#ifndef AM_SUBS_H
#define AM_SUBS_H

#include <stdint.h>

#include "proto/appmgr.h"

/** One subscriber. */
struct am_sub {
	uint64_t id;      /**< its kernel-stamped service id */
	uint32_t seq;     /**< changes numbered for it so far */
	uint32_t dropped; /**< changes its full queue refused */
};

/** The table. */
struct am_subs {
	struct am_sub s[APPMGR_SUBSCRIBERS_MAX];
	uint32_t n;
};

/**
 * Add `id` (already there: nothing changes).
 * @retval 0 subscribed
 * @retval -NX_EFULL APPMGR_SUBSCRIBERS_MAX others are subscribed; nothing changed
 */
__attribute__((warn_unused_result)) int am_subs_add(struct am_subs *t, uint64_t id);

/**
 * Remove `id`, keeping the others in order.
 * @retval 0 removed
 * @retval -NX_ENOENT not subscribed; nothing changed
 */
__attribute__((warn_unused_result)) int am_subs_remove(struct am_subs *t, uint64_t id);

#endif
