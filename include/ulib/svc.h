/**
 * @file ulib/svc.h
 * Userspace IPC for services and clients (src/ulib).
 *
 * Clients make every cross-service request through ipc_route_with_nonce_budgeted() (RFC-0025)
 * on a client made by nx_client_init(), whose transport is the kernel's IPC syscalls.
 *
 * Servers run nx_serve_one() in their loop: it takes one request (or kernel notice, or a
 * task's NOTIFY frame) with a deadline, checks the caller's authority in the manifest's
 * policy table against the kernel-stamped sender id, runs the handler and sends the one reply.
 */
#ifndef ULIB_SVC_H
#define ULIB_SVC_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"
#include "nx/abi.h"
#include "nx/notice.h"
#include "ulib/policy.h"

/** Set up `c` as a client named `self_name` using the kernel transport. */
void nx_client_init(struct ipc_client *c, const char *self_name);

/** A decoded request, as a handler sees it. */
struct nx_request {
	uint64_t sender;     /**< kernel-stamped sender_service_id of the caller */
	uint32_t nonce;      /**< the caller's nonce (a deferred reply must echo it) */
	uint16_t op;
	const uint8_t *data; /**< request data, valid during the handler call only */
	size_t len;
};

/** Status a handler returns to answer later with nx_reply_deferred() instead of now. */
#define NX_REPLY_DEFERRED 0xFFFFu

/**
 * A request handler. Write up to IPC_DATA_MAX reply bytes to `out` and set `*out_len`.
 * @return the reply status (enum ipc_status), or NX_REPLY_DEFERRED
 */
typedef uint16_t (*nx_request_fn)(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len);

/** What a server does with requests and kernel notices. */
struct nx_server_ops {
	nx_request_fn request;
	/** An exit notice from the kernel (may be NULL: notices are then counted and dropped). */
	void (*exit_notice)(void *ctx, const struct nx_exit_notice *n);
	/**
	 * A one-way NOTIFY frame from a task (its kernel-stamped id `sender`), e.g. appmgrd's
	 * change notifications; `m->data` is valid during the call only. May be NULL: such
	 * frames are then counted as malformed.
	 */
	void (*notify)(void *ctx, uint64_t sender, const struct ipc_msg *m);
};

/**
 * Op every server answers for any caller, before the policy check: its counters as five
 * little-endian u32 (requests, denied, malformed, unanswered, notices). Read-only.
 */
#define NX_OP_SERVER_STATS 0xFFFF

/** Counters of a server (all saturating). */
struct nx_server_stats {
	uint32_t requests;  /**< requests handled (any status) */
	uint32_t denied;    /**< refused: the policy table does not grant the op to the caller */
	uint32_t malformed; /**< frames that did not decode, or were not requests */
	uint32_t unanswered;/**< replies the kernel refused (the caller's reply queue was full) */
	uint32_t notices;   /**< kernel exit notices received */
};

/** A server: its identity, counters, policy rules and the reply it is sending. */
struct nx_server {
	uint64_t self_id;
	struct nx_server_stats stats;
	struct nx_policy_slice rules; /**< its rules in the manifest's policy table */
	uint64_t out_to;              /**< the reply in `out` goes to this service */
	size_t out_len;
	_Alignas(8) uint8_t out[NX_FRAME_MAX]; /**< the reply; aligned for the codec */
};

/**
 * How long a server's loop waits for a request before it goes round again. Every wait has a
 * deadline; this one is long because an idle service has nothing to do, and each expiry
 * costs a timer interrupt.
 */
#define NX_SERVE_IDLE_MS 60000

/** Set up a server named `self_name`. */
void nx_server_init(struct nx_server *s, const char *self_name);

/**
 * Wait until `deadline_ms` for one request or notice and handle it.
 * @retval 1 something was handled
 * @retval 0 the deadline passed with nothing to do
 * @retval <0 a receive error (-NX_E*)
 */
__attribute__((warn_unused_result)) int nx_serve_one(struct nx_server *s, const struct nx_server_ops *ops,
						     void *ctx, uint64_t deadline_ms);

/**
 * Serve requests forever as nx_serve_one() does, each wait lasting at most
 * NX_SERVE_IDLE_MS, but sending each reply together with the wait for the next request
 * (NX_SYS_REPLY_WAIT, the IPC fast path): for servers that do nothing between requests.
 * Returns only on a receive error (its -NX_E* code).
 */
int nx_serve_forever(struct nx_server *s, const struct nx_server_ops *ops, void *ctx);

/**
 * Send the reply to a request whose handler returned NX_REPLY_DEFERRED (the caller of
 * the handler kept a copy of `r`'s sender, nonce and op; `r->data` is not used).
 * @retval 0 sent
 * @retval <0 it could not be encoded or the kernel refused it (counted as unanswered)
 */
int nx_reply_deferred(struct nx_server *s, const struct nx_request *r, uint16_t status, const uint8_t *data,
		      size_t len);

/** Saturating increment for 32-bit counters. */
static inline void nx_count32(uint32_t *c)
{
	if (*c != UINT32_MAX)
		(*c)++;
}

/** The kernel's identity on notices: FNV-1a-64 of "kernel". */
uint64_t nx_kernel_id(void);

#endif
