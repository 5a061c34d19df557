/**
 * @file nx/notice.h
 * Exit notices: when a task ends, the kernel queues one for its supervisor, which receives
 * it on its request queue as a NOTIFY frame (nx/frame.h) from NX_KERNEL_NAME, op
 * NX_NOTIFY_EXIT, whose data is the notice (NX_EXIT_NOTICE_LEN bytes, little-endian,
 * fields in order, no padding).
 */
#ifndef NX_NOTICE_H
#define NX_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

/** Why and when a task ended. */
struct nx_exit_notice {
	uint64_t service_id; /**< the task that ended */
	uint64_t time_ms;
	uint64_t cpu_us;
	uint64_t tval;       /**< stval of the fault (address or instruction), 0 otherwise */
	uint64_t epc;        /**< pc of the fault, 0 otherwise */
	uint32_t task;
	uint8_t reason;      /**< nx_reason */
	uint8_t cause;       /**< nx_cause */
	int16_t exit_code;
};
/** Size of struct nx_exit_notice on the wire. */
#define NX_EXIT_NOTICE_LEN 48
/** NOTIFY op code of an exit notice. */
#define NX_NOTIFY_EXIT 1
/** Size of the whole NOTIFY frame that carries one exit notice. */
#define NX_EXIT_NOTICE_FRAME_LEN (NX_FRAME_DATA_OFF + NX_EXIT_NOTICE_LEN)

/** Encode `n` into exactly NX_EXIT_NOTICE_LEN bytes. */
void nx_exit_notice_encode(const struct nx_exit_notice *n, uint8_t out[NX_EXIT_NOTICE_LEN]);

/**
 * Decode an exit notice.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, or a reason or cause out of range; `*n` unchanged
 */
__attribute__((warn_unused_result)) int nx_exit_notice_decode(const uint8_t *buf, size_t len,
							      struct nx_exit_notice *n);

/**
 * Encode the whole NOTIFY frame the kernel sends the supervisor `dst_id` for `n`: src is
 * the kernel's id, nonce and status 0, op NX_NOTIFY_EXIT.
 */
void nx_exit_notice_frame(const struct nx_exit_notice *n, uint64_t dst_id,
			  uint8_t out[NX_EXIT_NOTICE_FRAME_LEN]);

#endif
