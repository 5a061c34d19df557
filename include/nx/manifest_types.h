/**
 * @file nx/manifest_types.h
 * Types of the tables scripts/gen-manifest.py generates from manifests/system.json
 * (the generated nx_manifest.h declares the tables themselves).
 */
#ifndef NX_MANIFEST_TYPES_H
#define NX_MANIFEST_TYPES_H

#include <stdint.h>

/** A service the kernel starts at boot. */
struct nx_boot_service {
	const char *name;  /**< service name: its identity is FNV-1a-64 of it */
	const char *image; /**< built-in task image */
	uint8_t qos;       /**< enum nx_qos */
	uint32_t rights;   /**< enum nx_right bits */
	const char *profiles; /**< fixtures: comma-separated profiles to start in (NULL: all) */
};

/** Caller id in a policy rule that matches every caller. */
#define NX_POLICY_ANY 0ULL

/** One authority grant: `caller_id` may invoke `op` of `service_id`. */
struct nx_policy_rule {
	uint64_t service_id;
	uint64_t caller_id; /**< a service id, or NX_POLICY_ANY */
	uint16_t op;
};

/**
 * May the task with kernel-stamped identity `caller_id` invoke `op` of `service_id`?
 * @retval 1 a rule grants it
 * @retval 0 no rule does (deny by default)
 */
int nx_policy_allows(uint64_t service_id, uint16_t op, uint64_t caller_id);

/** The part of the rule table that holds every rule of one service: rules [from, to). */
struct nx_policy_slice {
	uint16_t from;
	uint16_t to;
};

/** The slice holding every rule of `service_id` (empty if it has none), found once by a server. */
struct nx_policy_slice nx_policy_slice_of(uint64_t service_id);

/** nx_policy_allows(), looking only at `slice`, which must come from nx_policy_slice_of(service_id). */
int nx_policy_slice_allows(struct nx_policy_slice slice, uint64_t service_id, uint16_t op, uint64_t caller_id);

#endif
