/**
 * @file ipc/route.h
 * The IPC liveness contract (RFC-0025): one bounded, nonce-checked request/reply helper that
 * every cross-service call goes through, over a transport given as an ops table.
 *
 * ipc_route_with_nonce_budgeted() sends one request and waits for its reply under a single
 * deadline. It always ends: every loop in it is bounded by the deadline, by the nonce-mismatch
 * budget or by IPC_MAX_DROPPED, and its result is an ipc_outcome the caller must inspect.
 * The library has no global state; a client holds everything a caller's calls share.
 */
#ifndef IPC_ROUTE_H
#define IPC_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/wire.h"

/**
 * What a transport's ops return: the helper's own codes. A transport maps its own results
 * onto them (the kernel transport in src/ulib maps the kernel's error codes).
 */
enum ipc_transport_result {
	IPC_T_OK = 0,           /**< done */
	IPC_T_WOULD_BLOCK = -1, /**< the destination's request queue is full right now; try again later */
	IPC_T_TIMEOUT = -2,     /**< the receive deadline was reached with nothing received */
	IPC_T_NO_PEER = -3,     /**< no such destination */
	IPC_T_FAILED = -4,      /**< any other failure of the transport */
};

/** Default deadline of one call, from its start, covering both send and receive. */
#define IPC_DEFAULT_TIMEOUT_MS 2000
/** Default number of wrong-nonce replies one call tolerates. */
#define IPC_DEFAULT_NONCE_BUDGET 64
/** Largest nonce-mismatch budget; a larger one acts as this. */
#define IPC_NONCE_BUDGET_MAX 1024
/** Default number of would-block spins per clock read. */
#define IPC_DEFAULT_CLOCK_EVERY_SPINS 8
/** Largest number of spins per clock read; 0 acts as 1, a larger value as this. */
#define IPC_CLOCK_EVERY_SPINS_MAX 64
/**
 * Unparseable frames one call drops before it gives up with IPC_OUTCOME_TIMEOUT: ends a
 * flood of garbage even when the transport's clock does not advance.
 */
#define IPC_MAX_DROPPED 256

/**
 * What the kernel (or a test) provides. `send`, `recv_reply` and `now_ms` are required;
 * `call` and `yield` may be NULL. Results other than those listed are transport errors,
 * reported in ipc_outcome.transport_err (IPC_T_NO_PEER, IPC_T_FAILED).
 */
struct ipc_transport_ops {
	/**
	 * Send the `len`-byte frame to the request queue of service `dst_id`, without blocking.
	 * 0 = accepted, IPC_T_WOULD_BLOCK = queue full right now, other = transport error.
	 */
	int (*send)(void *ctx, uint64_t dst_id, const uint8_t *frame, size_t len);
	/**
	 * Take one message from the caller's reply queue into `buf` (`cap` bytes), waiting at
	 * most until the absolute time `deadline_ms`. 0 = got one (`*len` and `*sender_id` set;
	 * `*sender_id` is the sender_service_id the kernel stamped), IPC_T_TIMEOUT = the deadline
	 * was reached, other = transport error. The reply queue is separate from the request
	 * queue, so a server's own client calls never take its incoming requests.
	 */
	int (*recv_reply)(void *ctx, uint8_t *buf, size_t cap, uint64_t deadline_ms, size_t *len,
			  uint64_t *sender_id);
	/**
	 * Optional: `send` and then `recv_reply` in one step (the kernel's fast path). Send the
	 * `len`-byte frame in `buf` to `dst_id`; once it is accepted, receive into `buf` (`cap`
	 * bytes) exactly as recv_reply does. 0 = sent and one message received (`*rlen`,
	 * `*sender_id` set), IPC_T_WOULD_BLOCK = not sent (queue full right now), IPC_T_TIMEOUT =
	 * sent, and nothing received by `deadline_ms`, other = transport error.
	 */
	int (*call)(void *ctx, uint64_t dst_id, uint8_t *buf, size_t len, size_t cap, uint64_t deadline_ms,
		    size_t *rlen, uint64_t *sender_id);
	/** Monotonic clock, in milliseconds. */
	uint64_t (*now_ms)(void *ctx);
	/** Give up the CPU after a would-block; may be NULL. */
	void (*yield)(void *ctx);
};

/** A transport: its ops and the context passed to each of them. */
struct ipc_transport {
	const struct ipc_transport_ops *ops; /**< the operations */
	void *ctx;                           /**< passed as the first argument of every op */
};

/** How many wrong-nonce replies a call tolerates: a distinct type, not a bare count. */
struct ipc_nonce_budget {
	uint32_t tolerated; /**< 0..IPC_NONCE_BUDGET_MAX; a larger value acts as the maximum */
};

/** Per-call options. Pass NULL to ipc_route_with_nonce_budgeted() for IPC_ROUTE_OPTS_DEFAULT. */
struct ipc_route_opts {
	uint64_t timeout_ms;               /**< deadline = start + timeout_ms (saturating) */
	struct ipc_nonce_budget budget;    /**< wrong-nonce replies tolerated */
	uint32_t clock_every_spins;        /**< would-block spins per clock read (N), 1..64 */
};

/** The defaults: 2 s, budget 64, clock read every 8 spins. */
#define IPC_ROUTE_OPTS_DEFAULT                                                                  \
	((struct ipc_route_opts){                                                               \
		.timeout_ms = IPC_DEFAULT_TIMEOUT_MS,                                           \
		.budget = { IPC_DEFAULT_NONCE_BUDGET },                                         \
		.clock_every_spins = IPC_DEFAULT_CLOCK_EVERY_SPINS,                             \
	})

/** How a call ended. */
enum ipc_outcome_kind {
	IPC_OUTCOME_SUCCESS = 0,               /**< reply with status OK; data in reply_data */
	IPC_OUTCOME_TIMEOUT = 1,               /**< no matching reply by the deadline */
	IPC_OUTCOME_NONCE_BUDGET_EXCEEDED = 2, /**< more frames not for this call than the budget */
	IPC_OUTCOME_REJECTED = 3,              /**< refused: see `status` */
	IPC_OUTCOME_IPC_ERROR = 4,             /**< the transport failed: see `transport_err` */
	IPC_OUTCOME_COUNT                      /**< number of kinds; not an outcome */
};

/**
 * The result of one call. `status`, `transport_err` and `reply_len` are 0 outside the kinds
 * named; `wrong_nonces` and `dropped` count for every kind.
 */
struct ipc_outcome {
	enum ipc_outcome_kind kind; /**< how the call ended */
	/**
	 * REJECTED: the reply's status (any value but OK), or IPC_STATUS_MALFORMED when the
	 * helper refused the call itself (bad name, data or buffers; no I/O done) or the reply's
	 * data did not fit in `reply_cap`.
	 */
	uint16_t status;
	int transport_err;     /**< IPC_ERROR: the transport's result */
	size_t reply_len;      /**< SUCCESS: data bytes copied to reply_data */
	uint32_t wrong_nonces; /**< frames counted against the budget (at most budget + 1) */
	uint32_t dropped;      /**< unparseable frames dropped (at most IPC_MAX_DROPPED) */
};

/** A caller of services: the state its calls share. */
struct ipc_client {
	struct ipc_transport transport; /**< how messages move */
	uint64_t self_id;               /**< caller's service id, written as `src` (informational) */
	uint32_t next_nonce;            /**< nonce of the next request; 0 is skipped */
};

/** Set up `c` over `t` for the service whose id is `self_id`; its first call uses nonce 1. */
void ipc_client_init(struct ipc_client *c, struct ipc_transport t, uint64_t self_id);

/**
 * Call service `service` (`service_len` bytes, not NUL-terminated, no NUL inside): send one
 * request carrying `op` and `data_len` bytes of `data`, then wait for the reply with the same
 * nonce from that service, under one deadline. Deterministic for a given transport behaviour.
 *
 * Refused with no I/O and no nonce used (REJECTED, IPC_STATUS_MALFORMED): `service_len` 0 or
 * above IPC_SERVICE_NAME_MAX, a NUL in the name, `data_len` above IPC_DATA_MAX, or a NULL
 * `service`, `data` or `reply_data` with a nonzero length.
 *
 * Otherwise: the request uses the client's next nonce (1, 2, ... 0xFFFFFFFF, 1: never 0).
 * deadline = now + timeout_ms (saturating), read once. The request is sent once; only
 * IPC_T_WOULD_BLOCK is retried, calling `yield` after each, and reading the clock after
 * every N-th (N = clock_every_spins) until the deadline. Then replies are received with
 * that same deadline (with a `call` op, the send and the first receive are one call; the
 * outcomes are the same):
 * - a frame that does not decode is dropped, not counted (after IPC_MAX_DROPPED: TIMEOUT);
 * - a frame from a sender other than the service (by the kernel-stamped sender id), of a
 *   type other than REPLY, or with another nonce is not for this call: counted, and when
 *   the count exceeds the budget the call ends;
 * - the reply: status OK copies its data to `reply_data` (SUCCESS), any other status is
 *   REJECTED with that status; data longer than `reply_cap` is REJECTED MALFORMED.
 *
 * @retval IPC_OUTCOME_SUCCESS `reply_len` data bytes copied
 * @retval IPC_OUTCOME_TIMEOUT the deadline passed while the queue was full or no reply came,
 *         or IPC_MAX_DROPPED frames were dropped
 * @retval IPC_OUTCOME_NONCE_BUDGET_EXCEEDED budget + 1 frames not for this call
 * @retval IPC_OUTCOME_REJECTED refused by the helper or by the service: see `status`
 * @retval IPC_OUTCOME_IPC_ERROR send or receive failed: see `transport_err`
 */
IPC_MUST_USE struct ipc_outcome
ipc_route_with_nonce_budgeted(struct ipc_client *c, const char *service, size_t service_len,
			      uint16_t op, const uint8_t *data, size_t data_len, uint8_t *reply_data,
			      size_t reply_cap, const struct ipc_route_opts *opts);

/**
 * Name of an outcome kind ("success", "timeout", "nonce_budget_exceeded", "rejected",
 * "ipc_error").
 * @retval "unknown outcome" for any other value
 */
const char *ipc_outcome_name(enum ipc_outcome_kind kind);

#endif
