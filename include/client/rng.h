/**
 * @file client/rng.h
 * The rngd client library: entropy from the virtio-rng device through rngd (proto/rng.h).
 */
#ifndef CLIENT_RNG_H
#define CLIENT_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"
#include "proto/rng.h"

/** Errors (negated) of the rngd client. */
enum rng_err {
	RNG_OK = 0,
	RNG_EINVAL = 1,     /**< a bad argument: nothing was sent */
	RNG_EBUSY = 2,      /**< the device did not answer within rngd's deadline; try again */
	RNG_EEXHAUSTED = 3, /**< the entropy source ran dry (proto/rng.h, EXHAUSTED) */
	RNG_EDEVICE = 4,    /**< the device failed, or rngd refused the request */
	RNG_ETIMEDOUT = 5,  /**< rngd did not answer by the caller's deadline */
	RNG_EIPC = 6,       /**< the call failed (rngd not running, transport error, nonce budget) */
	RNG_ERR_COUNT       /**< number of codes; not an error */
};

/** Text for `err` (0 or a negative RNG_E* code); "unknown error" for anything else. */
const char *rng_strerror(int err);

/**
 * Read exactly `len` bytes of entropy into `out`, under a deadline of `timeout_ms` (0: the
 * helper's default).
 * @retval 0 done
 * @retval -RNG_EINVAL `out` is NULL, or `len` is 0 or above RNGD_READ_MAX
 * @retval -RNG_EBUSY, -RNG_EEXHAUSTED, -RNG_EDEVICE, -RNG_ETIMEDOUT, -RNG_EIPC as the enum says
 */
__attribute__((warn_unused_result)) int rng_read(struct ipc_client *c, void *out, uint32_t len, uint64_t timeout_ms);

#endif
