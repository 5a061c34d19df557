/**
 * @file ulib/policy.h
 * The authority table servers check: which caller may invoke which op of which service.
 * scripts/gen-manifest.py generates it from manifests/system.json (the generated
 * nx_manifest.h declares it); src/ulib/policy.c looks rules up.
 */
#ifndef ULIB_POLICY_H
#define ULIB_POLICY_H

#include <stdint.h>

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

/**
 * The part of the rule table that holds every rule of one service: rules [from, to), by
 * pointer, so that a server's check per request starts at its first rule with two loads.
 */
struct nx_policy_slice {
	const struct nx_policy_rule *from;
	const struct nx_policy_rule *to;
};

/** The slice holding every rule of `service_id` (empty if it has none), found once by a server. */
struct nx_policy_slice nx_policy_slice_of(uint64_t service_id);

/** nx_policy_allows(), looking only at `slice`, which must come from nx_policy_slice_of(service_id). */
int nx_policy_slice_allows(struct nx_policy_slice slice, uint64_t service_id, uint16_t op, uint64_t caller_id);

/**
 * A boot service the service supervisor restarts (manifest `restart`), with its policy for
 * the lifecycle core; a key the manifest leaves out holds the core's default.
 */
struct nx_supervised {
	const char *name;         /**< task name */
	const char *image;        /**< built-in image it restarts from */
	uint32_t initial_ms;      /**< backoff after the first crash */
	uint32_t max_ms;          /**< largest backoff */
	uint32_t loop_threshold;  /**< deaths within loop_window_ms that block it */
	uint32_t loop_window_ms;  /**< crash-loop window */
	uint32_t stable_reset_ms; /**< a run this long resets the crash count */
};

/** A grant of statefsd keys beyond the caller's own namespace (manifest `state_grants`). */
struct nx_state_grant {
	uint64_t caller_id;   /**< the task it is granted to */
	const char *prefix;   /**< keys beginning with this */
	uint8_t write;        /**< 1: read and write; 0: read only (get, list) */
};

#endif
