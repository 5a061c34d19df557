/* The updated client library (include/client/ota.h). */
#include "client/ota.h"

#include <string.h>

#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_manifest.h"

const char *ota_status_text(uint16_t status)
{
	switch (status) {
	case OTA_STATUS_BAD_BUNDLE:
		return "bad bundle";
	case OTA_STATUS_BAD_SIGNATURE:
		return "bad signature";
	case OTA_STATUS_WRONG_NAME:
		return "bundle for another ability";
	case OTA_STATUS_DOWNGRADE:
		return "not newer than the active version";
	case OTA_STATUS_TOO_BIG:
		return "bundle too big";
	case OTA_STATUS_STORE:
		return "storage failed";
	case OTA_STATUS_VERIFY:
		return "no verdict from keystored";
	case IPC_STATUS_INVALID_TRANSITION:
		return "not in this state";
	default: {
		const char *n = ipc_status_name(status);
		return n != NULL ? n : "unknown status";
	}
	}
}

/* One request; `*status` is the answer's. @retval 0 answered */
static int call(struct ipc_client *c, uint16_t op, const uint8_t *data, size_t len, uint8_t *reply, size_t cap,
		size_t *reply_len, uint16_t *status, uint64_t timeout_ms)
{
	struct ipc_route_opts opts = IPC_ROUTE_OPTS_DEFAULT;
	if (timeout_ms != 0)
		opts.timeout_ms = timeout_ms;
	const struct ipc_outcome o = ipc_route_with_nonce_budgeted(c, NX_SVC_UPDATED, sizeof NX_SVC_UPDATED - 1, op,
								   data, len, reply, cap, &opts);
	(void)nx_attach_stage(NULL, 0);
	switch (o.kind) {
	case IPC_OUTCOME_SUCCESS:
		*status = IPC_STATUS_OK;
		if (reply_len != NULL)
			*reply_len = o.reply_len;
		return 0;
	case IPC_OUTCOME_REJECTED:
		*status = o.status;
		return 0;
	case IPC_OUTCOME_TIMEOUT:
		return -OTA_ETIMEDOUT;
	default:
		return -OTA_EIPC;
	}
}

int ota_stage(struct ipc_client *c, const char *app, const uint8_t *bundle, size_t len, uint16_t *status,
	      uint32_t *version, uint8_t *slot, uint64_t timeout_ms)
{
	uint8_t req[4 + OTA_NAME_MAX];
	const int n = app == NULL ? -1 : ota_begin_encode((uint32_t)len, app, req, sizeof req);
	if (n < 0 || (bundle == NULL && len != 0) || len > UINT32_MAX)
		return -OTA_EINVAL;
	int rc = call(c, UPDATED_OP_STAGE_BEGIN, req, (size_t)n, NULL, 0, NULL, status, timeout_ms);
	for (size_t off = 0; rc == 0 && *status == IPC_STATUS_OK && off < len;) {
		const uint16_t part = (uint16_t)(len - off < OTA_CHUNK_MAX ? len - off : OTA_CHUNK_MAX);
		uint8_t q[OTA_CHUNK_REQ_LEN];
		if (ota_chunk_encode((uint32_t)off, part, q, sizeof q) < 0 || nx_attach_stage(bundle + off, part) != 0)
			return -OTA_EINVAL;
		rc = call(c, UPDATED_OP_STAGE_CHUNK, q, sizeof q, NULL, 0, NULL, status, timeout_ms);
		off += part;
	}
	if (rc != 0 || *status != IPC_STATUS_OK)
		return rc;
	uint8_t r[OTA_STAGED_LEN];
	size_t rlen = 0;
	rc = call(c, UPDATED_OP_STAGE_END, NULL, 0, r, sizeof r, &rlen, status, timeout_ms);
	if (rc != 0 || *status != IPC_STATUS_OK)
		return rc;
	if (rlen != OTA_STAGED_LEN || ipc_get_u32(r, rlen, 0, version) != 0 || r[4] > 1)
		return -OTA_EMALFORMED;
	*slot = r[4];
	return 0;
}

/* An app name as request data: its length, or -1. */
static int name_len(const char *app)
{
	const char *nul = app == NULL ? NULL : memchr(app, 0, OTA_NAME_MAX + 1);
	return nul == NULL || nul == app ? -1 : (int)(nul - app);
}

int ota_app_op(struct ipc_client *c, uint16_t op, const char *app, uint16_t *status, uint64_t timeout_ms)
{
	const int n = name_len(app);
	if (n < 0 || (op != UPDATED_OP_SWITCH && op != UPDATED_OP_ROLLBACK))
		return -OTA_EINVAL;
	return call(c, op, (const uint8_t *)app, (size_t)n, NULL, 0, NULL, status, timeout_ms);
}

int ota_get_status(struct ipc_client *c, const char *app, uint16_t *status, struct ota_status *s, uint64_t timeout_ms)
{
	const int n = name_len(app);
	if (n < 0 || s == NULL)
		return -OTA_EINVAL;
	uint8_t r[OTA_STATUS_LEN];
	size_t rlen = 0;
	const int rc = call(c, UPDATED_OP_STATUS, (const uint8_t *)app, (size_t)n, r, sizeof r, &rlen, status, timeout_ms);
	if (rc != 0 || *status != IPC_STATUS_OK)
		return rc;
	return ota_status_decode(r, rlen, s) == 0 ? 0 : -OTA_EMALFORMED;
}

int ota_get_stats(struct ipc_client *c, struct ota_stats *s, uint64_t timeout_ms)
{
	uint8_t r[OTA_STATS_LEN];
	size_t rlen = 0;
	uint16_t status = IPC_STATUS_MALFORMED;
	const int rc = call(c, UPDATED_OP_STATS, NULL, 0, r, sizeof r, &rlen, &status, timeout_ms);
	if (rc != 0)
		return rc;
	return status == IPC_STATUS_OK && ota_stats_decode(r, rlen, s) == 0 ? 0 : -OTA_EMALFORMED;
}
