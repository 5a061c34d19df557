/**
 * @file nx/notice.h
 * Exit notices on the wire: the data of the IPC NOTIFY frame (op NX_NOTIFY_EXIT) the kernel
 * sends a task's supervisor when the task ends.
 */
#ifndef NX_NOTICE_H
#define NX_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"

/** Encode `n` into exactly NX_EXIT_NOTICE_LEN bytes. */
void nx_exit_notice_encode(const struct nx_exit_notice *n, uint8_t out[NX_EXIT_NOTICE_LEN]);

/**
 * Decode an exit notice.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, or a reason or cause out of range; `*n` unchanged
 */
__attribute__((warn_unused_result)) int nx_exit_notice_decode(const uint8_t *buf, size_t len,
							      struct nx_exit_notice *n);

#endif
