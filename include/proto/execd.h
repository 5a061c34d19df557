/**
 * @file proto/execd.h
 * execd's request data (op codes: EXECD_OP_* in the generated nx_manifest.h).
 *
 * spawn: image[32] name[32] (NUL-padded) qos u32 page_quota u32 slack_fg_ms u32
 *        slack_bg_ms u32 (all little-endian) -> reply: task id u32. The requester (the
 *        kernel-stamped caller) becomes the new task's supervisor and receives its exit notice.
 * kill:  task u32 reason u32 -> reply: empty.
 * Only callers the policy table names (appmgrd) may use either; others get DENIED.
 */
#ifndef PROTO_EXECD_H
#define PROTO_EXECD_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

#define EXECD_SPAWN_LEN (2 * (NX_NAME_MAX + 1) + 16)
#define EXECD_KILL_LEN 8

/** A spawn request's fields. */
struct execd_spawn {
	char image[NX_NAME_MAX + 1];
	char name[NX_NAME_MAX + 1];
	uint32_t qos;
	uint32_t page_quota;
	uint32_t slack_fg_ms;
	uint32_t slack_bg_ms;
};

/**
 * Encode a spawn request into `out` (names longer than NX_NAME_MAX are cut).
 * @return EXECD_SPAWN_LEN, or -NX_EINVAL if `cap` is smaller
 */
__attribute__((warn_unused_result)) int execd_spawn_encode(const struct execd_spawn *s, uint8_t *out, size_t cap);

/**
 * Decode a spawn request.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, or a name without its NUL
 */
__attribute__((warn_unused_result)) int execd_spawn_decode(const uint8_t *buf, size_t len, struct execd_spawn *s);

#endif
