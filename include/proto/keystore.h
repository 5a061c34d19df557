/**
 * @file proto/keystore.h
 * keystored's protocol (op codes: KEYSTORED_OP_* in the generated nx_manifest.h): the
 * device's Ed25519 identity key, which never leaves keystored (docs/crypto.md, "keystored").
 *
 * Messages to sign or verify are 0..KEYSTORE_MSG_MAX bytes and travel as the request's
 * attachment (nx/abi.h, NX_SYS_ATTACH_STAGE), never in the frame; a reply never carries an
 * attachment. Every field is little-endian.
 *
 * | op             | request data                              | attachment  | reply data (OK)          |
 * |----------------|-------------------------------------------|-------------|--------------------------|
 * | pubkey         | none                                      | none        | public key (32 bytes)    |
 * | sign           | msg_len u16                               | the message | signature (64 bytes)     |
 * | verify         | public key (32), signature (64), msg_len u16 | the message | verdict u8: 1 valid, 0 not |
 * | export_private | anything                                  | anything    | never OK                 |
 * | stats          | none                                      | none        | KEYSTORE_STATS_LEN bytes: struct keystore_stats as u32s |
 * | rng_probe      | timeout_ms u32 (1..KEYSTORE_PROBE_MAX_MS) | none        | KEYSTORE_PROBE_LEN bytes: struct keystore_probe |
 *
 * - sign: the attachment must be exactly msg_len bytes (none when 0). Only callers the
 *   system manifest grants `sign` reach keystored; the others get DENIED from the server
 *   loop (counted in NX_OP_SERVER_STATS `denied`).
 * - verify: pure, needs no key: any public key, signature and message.
 * - export_private: always answered DENIED with no data, counted in `export_refused`.
 * - rng_probe: keystored asks rngd for KEYSTORE_PROBE_BYTES of entropy under a deadline of
 *   timeout_ms and reports how that call ended; the bytes are wiped and the key does not
 *   change. A test of keystored's own deadline (selftest only, by the manifest).
 *
 * Reply status: OK; MALFORMED (data or attachment out of bounds or disagreeing with
 * msg_len: nothing done, counted in `refused`); UNKNOWN (no such op, counted in
 * `refused`); DENIED (export_private, or an op the manifest does not grant the caller).
 */
#ifndef PROTO_KEYSTORE_H
#define PROTO_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

/** Bytes of a public key. */
#define KEYSTORE_PUBKEY_LEN 32U
/** Bytes of a signature. */
#define KEYSTORE_SIG_LEN 64U
/** Longest message to sign or verify (bytes): one attachment. */
#define KEYSTORE_MSG_MAX 4096U
/** Longest deadline of an rng_probe (ms). */
#define KEYSTORE_PROBE_MAX_MS 1000U
/** Bytes of entropy an rng_probe asks rngd for. */
#define KEYSTORE_PROBE_BYTES 1U

_Static_assert(KEYSTORE_MSG_MAX <= NX_ATTACH_MAX, "a message travels as one attachment");

/** Bytes of sign request data. */
#define KEYSTORE_SIGN_REQ_LEN 2U
/** Bytes of verify request data. */
#define KEYSTORE_VERIFY_REQ_LEN (KEYSTORE_PUBKEY_LEN + KEYSTORE_SIG_LEN + 2U)

/** A decoded verify request. */
struct keystore_verify_req {
	uint8_t pubkey[KEYSTORE_PUBKEY_LEN];
	uint8_t sig[KEYSTORE_SIG_LEN];
	uint16_t msg_len; /**< 0..KEYSTORE_MSG_MAX: bytes of the attached message */
};

/** keystored's counters (stats reply, in this order; all saturating). */
struct keystore_stats {
	uint32_t pubkeys;        /**< pubkey requests answered */
	uint32_t signs;          /**< signatures made */
	uint32_t verifies;       /**< verify requests answered (either verdict) */
	uint32_t verify_bad;     /**< of which the signature did not verify */
	uint32_t export_refused; /**< export_private requests (all refused) */
	uint32_t refused;        /**< requests refused as MALFORMED or UNKNOWN */
	uint32_t probes;         /**< rng_probe requests carried out */
	uint32_t probe_timeouts; /**< of which the call to rngd ended in TIMEOUT */
	uint32_t created;        /**< 1: this boot made the key from rngd's entropy; 0: loaded it */
	uint32_t entropy_bytes;  /**< bytes of entropy keystored took from rngd since it started */
};
/** Bytes of a stats reply. */
#define KEYSTORE_STATS_LEN 40U

/** What an rng_probe saw (its reply). */
struct keystore_probe {
	uint8_t outcome;     /**< enum ipc_outcome_kind of keystored's call to rngd */
	uint16_t status;     /**< the call's status when outcome is REJECTED, else 0 */
	uint32_t elapsed_ms; /**< from just before the call to just after it, keystored's clock */
};
/** Bytes of an rng_probe reply. */
#define KEYSTORE_PROBE_LEN 7U

/**
 * Encode sign request data.
 * @return KEYSTORE_SIGN_REQ_LEN
 * @retval -NX_EINVAL `msg_len` above KEYSTORE_MSG_MAX, or `cap` too small
 */
__attribute__((warn_unused_result)) int keystore_sign_encode(size_t msg_len, uint8_t *out, size_t cap);

/**
 * Decode sign request data.
 * @retval 0 done, `*msg_len` set
 * @retval -NX_EINVAL not KEYSTORE_SIGN_REQ_LEN bytes, or msg_len above KEYSTORE_MSG_MAX;
 *         `*msg_len` unchanged
 */
__attribute__((warn_unused_result)) int keystore_sign_decode(const uint8_t *buf, size_t len, uint16_t *msg_len);

/**
 * Encode verify request data.
 * @return KEYSTORE_VERIFY_REQ_LEN
 * @retval -NX_EINVAL msg_len above KEYSTORE_MSG_MAX, or `cap` too small
 */
__attribute__((warn_unused_result)) int keystore_verify_encode(const struct keystore_verify_req *q, uint8_t *out,
							       size_t cap);

/**
 * Decode verify request data.
 * @retval 0 done
 * @retval -NX_EINVAL not KEYSTORE_VERIFY_REQ_LEN bytes, or msg_len above KEYSTORE_MSG_MAX;
 *         `*q` unchanged
 */
__attribute__((warn_unused_result)) int keystore_verify_decode(const uint8_t *buf, size_t len,
							       struct keystore_verify_req *q);

/**
 * Encode a stats reply.
 * @return KEYSTORE_STATS_LEN
 * @retval -NX_EINVAL `cap` below KEYSTORE_STATS_LEN
 */
__attribute__((warn_unused_result)) int keystore_stats_encode(const struct keystore_stats *s, uint8_t *out,
							      size_t cap);

/**
 * Decode a stats reply.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length; `*s` unchanged
 */
__attribute__((warn_unused_result)) int keystore_stats_decode(const uint8_t *buf, size_t len,
							      struct keystore_stats *s);

/**
 * Encode rng_probe request data.
 * @return 4
 * @retval -NX_EINVAL `timeout_ms` outside 1..KEYSTORE_PROBE_MAX_MS, or `cap` below 4
 */
__attribute__((warn_unused_result)) int keystore_probe_req_encode(uint32_t timeout_ms, uint8_t *out, size_t cap);

/**
 * Decode rng_probe request data.
 * @retval 0 done, `*timeout_ms` set
 * @retval -NX_EINVAL not 4 bytes, or a timeout outside 1..KEYSTORE_PROBE_MAX_MS;
 *         `*timeout_ms` unchanged
 */
__attribute__((warn_unused_result)) int keystore_probe_req_decode(const uint8_t *buf, size_t len,
								  uint32_t *timeout_ms);

/**
 * Encode an rng_probe reply.
 * @return KEYSTORE_PROBE_LEN
 * @retval -NX_EINVAL an outcome that is not an enum ipc_outcome_kind, or `cap` too small
 */
__attribute__((warn_unused_result)) int keystore_probe_encode(const struct keystore_probe *p, uint8_t *out,
							      size_t cap);

/**
 * Decode an rng_probe reply.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, or an outcome that is not an enum ipc_outcome_kind;
 *         `*p` unchanged
 */
__attribute__((warn_unused_result)) int keystore_probe_decode(const uint8_t *buf, size_t len,
							      struct keystore_probe *p);

#endif
