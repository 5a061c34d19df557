/**
 * @file client/statefs.h
 * The statefsd client library: what services use to keep state (proto/statefs.h has the
 * protocol). Every call is one request through the RFC-0025 helper on the caller's client,
 * under one deadline (`timeout_ms` from the call's start; IPC_DEFAULT_TIMEOUT_MS when 0);
 * values travel as attachments. A key is a NUL-terminated string of 1..STATEFS_KEY_MAX
 * printable ASCII bytes in the caller's namespace "/<its name>/" or a granted prefix.
 */
#ifndef CLIENT_STATEFS_H
#define CLIENT_STATEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"
#include "proto/statefs.h"

/** Errors, returned negated. */
enum statefs_err {
	STATEFS_OK = 0,
	STATEFS_EINVAL = 1,    /**< a bad argument: nothing was sent */
	STATEFS_ETIMEDOUT = 2, /**< no answer by the deadline */
	STATEFS_EIPC = 3,      /**< the call failed (transport error, nonce budget) */
	STATEFS_EDENIED = 4,   /**< outside the caller's namespace and grants */
	STATEFS_ENOENT = 5,    /**< no such key */
	STATEFS_EFULL = 6,     /**< the store holds its most keys */
	STATEFS_ENOSPACE = 7,  /**< the live data would not fit */
	STATEFS_EIO = 8,       /**< the disk failed */
	STATEFS_ECORRUPT = 9,  /**< the stored record fails its checks */
	STATEFS_EMALFORMED = 10, /**< statefsd refused the request as malformed, or its reply was */
	STATEFS_ERR_COUNT      /**< number of codes; not an error */
};

/** Text for `err` (0 or a negative STATEFS_E* code); "unknown error" for anything else. */
const char *statefs_strerror(int err);

/**
 * Set `key` to the `len` bytes at `value` (NULL allowed when `len` is 0).
 * @retval 0 done (durable after the next statefs_sync())
 * @retval -STATEFS_EINVAL bad key, `len` above STATEFS_VALUE_MAX, or NULL `value` with `len`
 * @retval -STATEFS_EDENIED, -STATEFS_EFULL, -STATEFS_ENOSPACE, -STATEFS_EIO, -STATEFS_EMALFORMED,
 *         -STATEFS_ETIMEDOUT, -STATEFS_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int statefs_put(struct ipc_client *c, const char *key, const void *value,
						    size_t len, uint64_t timeout_ms);

/**
 * Copy the value of `key` into `buf` (`cap` bytes); `*len` is its length.
 * @retval 0 done
 * @retval -STATEFS_ENOENT no such key
 * @retval -STATEFS_EINVAL bad key, or `cap` below the value's length (`*len` is set to it)
 * @retval -STATEFS_EDENIED, -STATEFS_ECORRUPT, -STATEFS_EIO, -STATEFS_EMALFORMED,
 *         -STATEFS_ETIMEDOUT, -STATEFS_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int statefs_get(struct ipc_client *c, const char *key, void *buf, size_t cap,
						    size_t *len, uint64_t timeout_ms);

/**
 * Remove `key`.
 * @retval 0 done (durable after the next statefs_sync())
 * @retval -STATEFS_ENOENT no such key
 * @retval -STATEFS_EINVAL, -STATEFS_EDENIED, -STATEFS_EIO, -STATEFS_EMALFORMED,
 *         -STATEFS_ETIMEDOUT, -STATEFS_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int statefs_delete(struct ipc_client *c, const char *key, uint64_t timeout_ms);

/**
 * One page of the keys beginning with `prefix`, after the cursor `after` (NULL or "" for
 * the first page), at most `max` (1..STATEFS_LIST_MAX) into `out`; `*more` says whether
 * keys follow the last one (pass it as `after` for the next page).
 * @retval 0 done, `*n` keys in `out`
 * @retval -STATEFS_EINVAL, -STATEFS_EDENIED, -STATEFS_EIO, -STATEFS_EMALFORMED,
 *         -STATEFS_ETIMEDOUT, -STATEFS_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int statefs_list(struct ipc_client *c, const char *prefix, const char *after,
						     struct statefs_key *out, size_t max, size_t *n, bool *more,
						     uint64_t timeout_ms);

/**
 * Make every put and delete statefsd accepted so far durable.
 * @retval 0 done
 * @retval -STATEFS_EIO, -STATEFS_ETIMEDOUT, -STATEFS_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int statefs_sync(struct ipc_client *c, uint64_t timeout_ms);

/**
 * statefsd's counters.
 * @retval 0 done
 * @retval -STATEFS_EMALFORMED, -STATEFS_ETIMEDOUT, -STATEFS_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int statefs_stats(struct ipc_client *c, struct statefs_stats *s, uint64_t timeout_ms);

#endif
