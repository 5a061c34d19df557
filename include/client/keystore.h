/**
 * @file client/keystore.h
 * The keystored client library: the device's public key, signatures by the device key (for
 * callers the manifest grants `sign`) and verification (proto/keystore.h has the protocol).
 * Every call is one request through the RFC-0025 helper on the caller's client, under one
 * deadline (`timeout_ms` from the call's start; IPC_DEFAULT_TIMEOUT_MS when 0); messages
 * travel as attachments. There is no call for export_private: keystored refuses it always.
 */
#ifndef CLIENT_KEYSTORE_H
#define CLIENT_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"
#include "proto/keystore.h"

/** Errors, returned negated. */
enum keystore_err {
	KEYSTORE_OK = 0,
	KEYSTORE_EINVAL = 1,     /**< a bad argument: nothing was sent */
	KEYSTORE_ETIMEDOUT = 2,  /**< no answer by the deadline */
	KEYSTORE_EIPC = 3,       /**< the call failed (transport error, nonce budget) */
	KEYSTORE_EDENIED = 4,    /**< the manifest does not grant the op to the caller */
	KEYSTORE_EMALFORMED = 5, /**< keystored refused the request as malformed, or its reply was */
	KEYSTORE_ERR_COUNT       /**< number of codes; not an error */
};

/** Text for `err` (0 or a negative KEYSTORE_E* code); "unknown error" for anything else. */
const char *keystore_strerror(int err);

/**
 * The device's public key into `pk`.
 * @retval 0 done
 * @retval -KEYSTORE_EINVAL `pk` is NULL
 * @retval -KEYSTORE_EMALFORMED, -KEYSTORE_ETIMEDOUT, -KEYSTORE_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int keystore_pubkey(struct ipc_client *c, uint8_t pk[KEYSTORE_PUBKEY_LEN],
							uint64_t timeout_ms);

/**
 * The device key's signature of the `len` bytes at `msg` (NULL allowed when `len` is 0) into `sig`.
 * @retval 0 done
 * @retval -KEYSTORE_EINVAL `len` above KEYSTORE_MSG_MAX, NULL `msg` with `len`, or NULL `sig`
 * @retval -KEYSTORE_EDENIED the caller may not sign
 * @retval -KEYSTORE_EMALFORMED, -KEYSTORE_ETIMEDOUT, -KEYSTORE_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int keystore_sign(struct ipc_client *c, const void *msg, size_t len,
						      uint8_t sig[KEYSTORE_SIG_LEN], uint64_t timeout_ms);

/**
 * Does `sig` verify as `pk`'s signature of the `len` bytes at `msg`? `*valid` says.
 * @retval 0 done (`*valid` is the verdict)
 * @retval -KEYSTORE_EINVAL `len` above KEYSTORE_MSG_MAX, NULL `msg` with `len`, or a NULL
 *         `pk`, `sig` or `valid`
 * @retval -KEYSTORE_EMALFORMED, -KEYSTORE_ETIMEDOUT, -KEYSTORE_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int keystore_verify(struct ipc_client *c, const uint8_t pk[KEYSTORE_PUBKEY_LEN],
							const void *msg, size_t len,
							const uint8_t sig[KEYSTORE_SIG_LEN], bool *valid,
							uint64_t timeout_ms);

/**
 * keystored's counters.
 * @retval 0 done
 * @retval -KEYSTORE_EINVAL `s` is NULL
 * @retval -KEYSTORE_EMALFORMED, -KEYSTORE_ETIMEDOUT, -KEYSTORE_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int keystore_stats(struct ipc_client *c, struct keystore_stats *s,
						       uint64_t timeout_ms);

/**
 * Ask keystored to call rngd under a deadline of `probe_ms` (1..KEYSTORE_PROBE_MAX_MS) and
 * report how that call ended into `*p` (the op is granted to selftest only).
 * @retval 0 done
 * @retval -KEYSTORE_EINVAL `probe_ms` out of bounds, or `p` is NULL
 * @retval -KEYSTORE_EDENIED, -KEYSTORE_EMALFORMED, -KEYSTORE_ETIMEDOUT, -KEYSTORE_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int keystore_rng_probe(struct ipc_client *c, uint32_t probe_ms,
							   struct keystore_probe *p, uint64_t timeout_ms);

#endif
