/*
 * The demo abilities' runtime: find this task's entry in the ability table, report ready to
 * appmgrd, and wait for appmgrd's stop notification. Every wait has a deadline.
 */
#ifndef AB_RUNTIME_H
#define AB_RUNTIME_H

#include <stdint.h>

#include "ipc/route.h"
#include "proto/appmgr.h"

/** An ability's runtime state. */
struct ab_rt {
	struct ipc_client client;
	const struct nx_ability *def; /**< this task's entry of nx_abilities */
};

/**
 * Find this task's ability (by its task name) and set up its client.
 * @retval 0 done
 * @retval -NX_ENOENT the task name is no ability of the table
 */
__attribute__((warn_unused_result)) int ab_init(struct ab_rt *rt);

/**
 * Report ready to appmgrd, in the ability's start mode, through the RFC-0025 helper.
 * @retval 0 appmgrd took it: the task now runs in its mode's QoS class
 * @retval -NX_EFULL the class was full (nothing changed)
 * @retval -NX_EDENIED appmgrd refused it otherwise (printed)
 */
__attribute__((warn_unused_result)) int ab_ready(struct ab_rt *rt);

/**
 * Wait until `deadline_ms` for appmgrd's stop notification (NX_DEADLINE_NOW: only look);
 * other frames are dropped.
 * @retval 1 asked to stop
 * @retval 0 not by the deadline
 */
__attribute__((warn_unused_result)) int ab_wait_stop(uint64_t deadline_ms);

#endif
