/**
 * @file proto/rng.h
 * rngd's protocol (op codes: RNGD_OP_* in the generated nx_manifest.h): entropy from the
 * virtio-rng device. Every field is little-endian.
 *
 * read:  len u32 (1..RNGD_READ_MAX) -> reply: len bytes. FULL when the device has not
 *        answered in time (the kernel keeps the request posted; the next read takes its bytes);
 *        EXHAUSTED when the source ran dry: the device left a request unfilled for
 *        NX_RNG_DRY_MS (nx/abi.h), within rngd's deadline RNGD_DEVICE_MS.
 * stall: ms u32 (1..RNGD_STALL_MAX_MS) -> reply: none; then rngd takes no request for ms
 *        milliseconds. A fault injection for the callers' deadlines (selftest only, by the
 *        manifest): requests sent meanwhile wait in rngd's queue and are answered late.
 *
 * Reply status: OK; MALFORMED (a length or duration out of bounds); UNKNOWN (no such op, or
 * the device failed); FULL (the device is busy); RNGD_STATUS_EXHAUSTED (the source ran dry).
 * The client library (client/rng.h) turns them into errors with a text.
 */
#ifndef PROTO_RNG_H
#define PROTO_RNG_H

/** rngd's own reply status: the entropy source ran dry. */
#define RNGD_STATUS_EXHAUSTED 64U
/** rngd's deadline for the device, per read (ms); above NX_RNG_DRY_MS, so a dry source is
 * reported as EXHAUSTED, not FULL. */
#define RNGD_DEVICE_MS 500U

/** Most bytes one read returns. */
#define RNGD_READ_MAX 64U
/** Longest stall (ms). */
#define RNGD_STALL_MAX_MS 2000U

#endif
