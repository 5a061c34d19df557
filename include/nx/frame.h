/**
 * @file nx/frame.h
 * The message format of the kernel/user ABI: what one IPC message is, and what identity is.
 *
 * The kernel carries opaque messages of 1..NX_FRAME_MAX bytes. Every message the kernel
 * itself writes (an exit notice), and every message of the user-side wire format
 * (ipc/wire.h builds on this file), is one frame: a 24-byte header and an 8-byte body prefix,
 * little-endian, followed by 0..NX_FRAME_DATA_MAX bytes of data:
 *
 *     offset  0  src    u64   sender's id as the sender wrote it (informational only)
 *     offset  8  dst    u64   destination's id as the sender wrote it
 *     offset 16  type   u16   enum nx_frame_type
 *     offset 18  flags  u16   reserved, 0
 *     offset 20  len    u32   bytes after the header (NX_FRAME_BODY_SIZE + data)
 *     offset 24  nonce  u32   request/reply: never 0; notify: any
 *     offset 28  op     u16   what the frame asks or tells
 *     offset 30  status u16   request: 0; reply: the answer's status
 *     offset 32  data
 *
 * Identity is not a frame field: the kernel stamps every message it delivers with the
 * sender's service id, nx_service_id() of the sender's task name.
 */
#ifndef NX_FRAME_H
#define NX_FRAME_H

#include <stddef.h>
#include <stdint.h>

/** Largest message the kernel carries, header included (bytes). */
#define NX_FRAME_MAX 256
/** Bytes of a frame header. */
#define NX_FRAME_HEADER_SIZE 24
/** Bytes of the body prefix every frame carries after the header: nonce, op, status. */
#define NX_FRAME_BODY_SIZE 8
/** Where a frame's data begins. */
#define NX_FRAME_DATA_OFF (NX_FRAME_HEADER_SIZE + NX_FRAME_BODY_SIZE)
/** Largest data of one frame (224 bytes). */
#define NX_FRAME_DATA_MAX (NX_FRAME_MAX - NX_FRAME_DATA_OFF)

/** Frame types (the header's `type`). Any other value is malformed. */
enum nx_frame_type {
	NX_FRAME_REQUEST = 1, /**< a call; expects one reply with the same nonce */
	NX_FRAME_REPLY = 2,   /**< the answer to a request */
	NX_FRAME_NOTIFY = 3,  /**< one-way notification; no reply */
};

/**
 * Largest attachment of one message (bytes): bulk data the kernel copies along with a frame,
 * for what does not fit in NX_FRAME_DATA_MAX (nx/abi.h, NX_SYS_ATTACH_STAGE).
 */
#define NX_ATTACH_MAX 4096

/** Longest task (and so service) name, without a NUL. */
#define NX_NAME_MAX 31

/** The name whose id the kernel stamps on the notices it sends itself. */
#define NX_KERNEL_NAME "kernel"

/** FNV-1a-64 parameters of nx_service_id(). */
#define NX_FNV64_OFFSET_BASIS 0xcbf29ce484222325ULL
#define NX_FNV64_PRIME 0x100000001b3ULL

/**
 * A service's identity: FNV-1a-64 of the `len` bytes of its name. The kernel stamps this
 * value on every message as the sender's `sender_service_id`.
 * @return the hash (NX_FNV64_OFFSET_BASIS for len 0)
 */
static inline uint64_t nx_service_id(const char *name, size_t len)
{
	uint64_t h = NX_FNV64_OFFSET_BASIS;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= NX_FNV64_PRIME;
	}
	return h;
}

#endif
