/**
 * @file client/ota.h
 * The updated client library: staging a bundle in chunks, switching, rolling back, status
 * (proto/ota.h has the protocol). Every call goes through the RFC-0025 helper on the
 * caller's client, each request under `timeout_ms` (IPC_DEFAULT_TIMEOUT_MS when 0).
 */
#ifndef CLIENT_OTA_H
#define CLIENT_OTA_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"
#include "proto/ota.h"

/** Errors, returned negated. updated's refusals come back as their reply status instead. */
enum ota_err {
	OTA_OK = 0,
	OTA_EINVAL = 1,    /**< a bad argument: nothing was sent */
	OTA_ETIMEDOUT = 2, /**< no answer by the deadline */
	OTA_EIPC = 3,      /**< the call failed (transport error, nonce budget) */
	OTA_EMALFORMED = 4, /**< a reply that does not decode */
	OTA_ERR_COUNT      /**< number of codes; not an error */
};

/** Text for `err` (0 or a negative OTA_E* code); "unknown error" for anything else. */
const char *ota_strerror(int err);

/** Text for a reply status of updated (ipc/wire.h's or OTA_STATUS_*). */
const char *ota_status_text(uint16_t status);

/**
 * Stage the `len`-byte bundle at `bundle` for ability `app`: stage_begin, the chunks in
 * order, stage_end. `*status` is updated's answer to the first request it refused, or OK.
 * @retval 0 every request was answered (`*status` says how); when OK, `*version` and `*slot`
 *         are the staged version and slot
 * @retval -OTA_EINVAL a bad name, NULL `bundle` with `len`, or `len` above UINT32_MAX
 * @retval -OTA_ETIMEDOUT, -OTA_EIPC, -OTA_EMALFORMED as the enum says
 */
__attribute__((warn_unused_result)) int ota_stage(struct ipc_client *c, const char *app, const uint8_t *bundle,
						  size_t len, uint16_t *status, uint32_t *version, uint8_t *slot,
						  uint64_t timeout_ms);

/**
 * switch (`op` UPDATED_OP_SWITCH) or rollback (UPDATED_OP_ROLLBACK) of `app`.
 * @retval 0 answered, `*status` says how
 * @retval -OTA_EINVAL a bad name or op; -OTA_ETIMEDOUT, -OTA_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int ota_app_op(struct ipc_client *c, uint16_t op, const char *app,
						   uint16_t *status, uint64_t timeout_ms);

/**
 * updated's status of `app`.
 * @retval 0 answered, `*status` says how; when OK, `*s` is set
 * @retval -OTA_EINVAL, -OTA_ETIMEDOUT, -OTA_EIPC, -OTA_EMALFORMED as the enum says
 */
__attribute__((warn_unused_result)) int ota_get_status(struct ipc_client *c, const char *app, uint16_t *status,
						       struct ota_status *s, uint64_t timeout_ms);

/**
 * updated's counters.
 * @retval 0 done
 * @retval -OTA_ETIMEDOUT, -OTA_EIPC, -OTA_EMALFORMED (a refusal included) as the enum says
 */
__attribute__((warn_unused_result)) int ota_get_stats(struct ipc_client *c, struct ota_stats *s, uint64_t timeout_ms);

#endif
