/**
 * @file ipc/wire.h
 * The IPC wire format (RFC-0025): the codec of the frames the kernel's ABI defines
 * (nx/frame.h), reply status codes, and service identity.
 *
 * Every frame is a 24-byte little-endian header followed by a body of `len` bytes:
 *
 *     header  src u64 | dst u64 | type u16 | flags u16 | len u32
 *     body    nonce u32 | op u16 | status u16 | data (0..IPC_DATA_MAX bytes)
 *
 * All three message types (request, reply, notify) carry the same 8-byte body prefix. The
 * layout never depends on the compiler's padding or the host's byte order: fields are put
 * and taken as little-endian values, a 64-bit word at a time when the frame buffer is 8-byte
 * aligned on a little-endian machine (through a may_alias word type), byte by byte
 * otherwise; the bytes are the same either way. Buffers are never cast to structs.
 *
 * `src` and `dst` in a frame are written by the sender and are informational only. Identity
 * is the `sender_service_id` the kernel stamps on every message it delivers (see
 * ipc_service_id()); never authorise on a frame field.
 *
 * Codec functions return 0 or a negative IPC_E* code (ipc_strerror() names it). They never
 * read or write outside the buffer they are given, and on error leave outputs unspecified
 * except where stated.
 */
#ifndef IPC_WIRE_H
#define IPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "nx/frame.h"

/** Marks a function whose result (status or outcome) the caller must look at. */
#define IPC_MUST_USE __attribute__((warn_unused_result))

/** Bytes in a frame header (the ABI's). */
#define IPC_HEADER_SIZE NX_FRAME_HEADER_SIZE
/** Bytes of the fixed body prefix: nonce, op, status (the ABI's). */
#define IPC_BODY_SIZE NX_FRAME_BODY_SIZE
/** Largest frame, header included: the kernel's message size limit. */
#define IPC_FRAME_MAX NX_FRAME_MAX
/** Largest data payload of one frame (224). */
#define IPC_DATA_MAX NX_FRAME_DATA_MAX
/** Longest service name, in bytes: a task name. */
#define IPC_SERVICE_NAME_MAX NX_NAME_MAX

/** Message types (the header's `type`, the ABI's). Any other value is malformed. */
enum ipc_type {
	IPC_TYPE_REQUEST = NX_FRAME_REQUEST, /**< a call; expects one reply with the same nonce */
	IPC_TYPE_REPLY = NX_FRAME_REPLY,     /**< the answer to a request */
	IPC_TYPE_NOTIFY = NX_FRAME_NOTIFY,   /**< one-way notification (e.g. task exit); no reply */
};

/**
 * Reply status codes. A reply may carry any 16-bit status: values above
 * IPC_STATUS_DENIED are well-formed and passed through, they just have no name.
 */
enum ipc_status {
	IPC_STATUS_OK = 0,                 /**< the request was carried out */
	IPC_STATUS_MALFORMED = 1,          /**< the request could not be parsed or is out of range */
	IPC_STATUS_UNKNOWN = 2,            /**< no such op or object */
	IPC_STATUS_INVALID_TRANSITION = 3, /**< the op is not allowed in the current state */
	IPC_STATUS_FULL = 4,               /**< a bounded table or queue of the service is full */
	IPC_STATUS_DENIED = 5,             /**< the caller lacks the authority */
};

/** Codec error codes, returned negated. */
enum ipc_err {
	IPC_OK = 0,
	IPC_ESHORT = 1,  /**< input shorter than a header, or than the field to read */
	IPC_ETOOBIG = 2, /**< frame above IPC_FRAME_MAX or data above IPC_DATA_MAX */
	IPC_ELEN = 3,    /**< header `len` is not the number of bytes after the header */
	IPC_ETYPE = 4,   /**< unknown message type, or not the type the function needs */
	IPC_EFLAGS = 5,  /**< reserved `flags` are not 0 */
	IPC_EBODY = 6,   /**< body shorter than IPC_BODY_SIZE */
	IPC_ESTATUS = 7, /**< a request with a status other than 0 */
	IPC_ENONCE = 8,  /**< a request or reply with nonce 0 */
	IPC_ESPACE = 9,  /**< the output buffer is too small */
	IPC_EINVAL = 10, /**< NULL pointer with a nonzero length */
	IPC_ERR_COUNT    /**< number of codes; not an error */
};

/** A decoded frame header. */
struct ipc_header {
	uint64_t src;   /**< sender's service id as the sender wrote it: informational only */
	uint64_t dst;   /**< destination service id as the sender wrote it */
	uint16_t type;  /**< an enum ipc_type value */
	uint16_t flags; /**< reserved, 0 */
	uint32_t len;   /**< bytes of body after the header */
};

/** A request, reply or notify frame: the header fields and the body. */
struct ipc_msg {
	uint64_t src;        /**< as in struct ipc_header: informational only */
	uint64_t dst;        /**< as in struct ipc_header */
	uint16_t type;       /**< an enum ipc_type value */
	uint32_t nonce;      /**< request/reply: never 0; notify: any */
	uint16_t op;         /**< service-defined operation (a reply echoes the request's) */
	uint16_t status;     /**< request: 0; reply: an ipc_status; notify: service-defined */
	const uint8_t *data; /**< payload; after decode it points into the decoded buffer */
	size_t data_len;     /**< bytes at `data`, at most IPC_DATA_MAX */
};

/**
 * Text for `err` (0 or a negative IPC_E* code).
 * @retval "unknown error" for any other value
 */
const char *ipc_strerror(int err);

/**
 * Name of a reply status code ("ok", "malformed", ...).
 * @retval NULL for a status above IPC_STATUS_DENIED
 */
const char *ipc_status_name(uint16_t status);

/**
 * The service identity: the ABI's nx_service_id(), FNV-1a-64 of the service's name (offset
 * basis 0xcbf29ce484222325, prime 0x100000001b3). The kernel stamps this value on every
 * message as the sender's `sender_service_id`; a frame's `src` field is not identity.
 * @retval the hash of the `len` bytes at `name` (0xcbf29ce484222325 for len 0)
 */
uint64_t ipc_service_id(const char *name, size_t len);

/**
 * Copy `n` payload bytes from `src` to `dst` (not overlapping), as memcpy() does: a word at a
 * time while both are 8-byte aligned (every frame buffer of ours, and the data in it, is),
 * the rest with memcpy(). A payload of a few words costs a few instructions.
 */
void ipc_data_copy(uint8_t *dst, const uint8_t *src, size_t n);

/**
 * Encode `h` into the first IPC_HEADER_SIZE bytes of `buf`.
 * @retval 0 done
 * @retval -IPC_ESPACE `cap` is below IPC_HEADER_SIZE
 * @retval -IPC_ETYPE `h->type` is not an enum ipc_type value
 * @retval -IPC_EFLAGS `h->flags` is not 0
 * @retval -IPC_ETOOBIG `h->len` would make the frame larger than IPC_FRAME_MAX
 */
IPC_MUST_USE int ipc_header_encode(const struct ipc_header *h, uint8_t *buf, size_t cap);

/**
 * Decode and check the header of the frame of exactly `len` bytes at `buf`.
 * Checks, in this order, each failing with the first code that applies:
 * @retval 0 done
 * @retval -IPC_ESHORT `len` is below IPC_HEADER_SIZE
 * @retval -IPC_ETOOBIG `len` is above IPC_FRAME_MAX
 * @retval -IPC_ETYPE the type is not an enum ipc_type value
 * @retval -IPC_EFLAGS the flags are not 0
 * @retval -IPC_ELEN the header's `len` is not `len - IPC_HEADER_SIZE`
 */
IPC_MUST_USE int ipc_header_decode(const uint8_t *buf, size_t len, struct ipc_header *h);

/**
 * Encode `m` as one frame into `buf`; flags are 0 and the header's `len` is
 * IPC_BODY_SIZE + `m->data_len`. On success `*frame_len` is the frame's size.
 * @retval 0 done
 * @retval -IPC_EINVAL `m->data` is NULL and `m->data_len` is not 0
 * @retval -IPC_ETOOBIG `m->data_len` is above IPC_DATA_MAX
 * @retval -IPC_ETYPE `m->type` is not an enum ipc_type value
 * @retval -IPC_ENONCE a request or reply with nonce 0
 * @retval -IPC_ESTATUS a request with a status other than 0
 * @retval -IPC_ESPACE the frame does not fit in `cap` bytes; nothing is written
 */
IPC_MUST_USE int ipc_msg_encode(const struct ipc_msg *m, uint8_t *buf, size_t cap, size_t *frame_len);

/**
 * Client side: encode a request from `src` to `dst` carrying `nonce`, `op` and `data_len`
 * bytes of `data` into `buf`: the same bytes and the same errors as ipc_msg_encode() of that
 * request (status 0), without a struct ipc_msg to fill and check.
 * @retval 0 done, `*frame_len` set
 * @retval -IPC_EINVAL `data` is NULL and `data_len` is not 0
 * @retval -IPC_ETOOBIG `data_len` is above IPC_DATA_MAX
 * @retval -IPC_ENONCE `nonce` is 0
 * @retval -IPC_ESPACE the frame does not fit in `cap` bytes; nothing is written
 */
IPC_MUST_USE int ipc_request_encode(uint64_t src, uint64_t dst, uint32_t nonce, uint16_t op, const uint8_t *data,
				    size_t data_len, uint8_t *buf, size_t cap, size_t *frame_len);

/**
 * Decode and check the frame of exactly `len` bytes at `buf`. `m->data` points into `buf`.
 * `*m` is written only when the frame is valid.
 * @retval 0 done
 * @retval -IPC_ESHORT, -IPC_ETOOBIG, -IPC_ETYPE, -IPC_EFLAGS, -IPC_ELEN as ipc_header_decode()
 * @retval -IPC_EBODY the body is shorter than IPC_BODY_SIZE
 * @retval -IPC_ENONCE a request or reply with nonce 0
 * @retval -IPC_ESTATUS a request with a status other than 0
 */
IPC_MUST_USE int ipc_msg_decode(const uint8_t *buf, size_t len, struct ipc_msg *m);

/**
 * Client side, the awaited reply in a few loads: whether the frame of exactly `len` bytes at
 * `buf` is one that ipc_msg_decode() accepts, of type REPLY and with nonce `nonce`. When it
 * is, `*m` is set as ipc_msg_decode() sets it and 1 is returned. Otherwise 0, `*m` is not
 * written, and the frame is either malformed or another valid frame: ipc_msg_decode() tells
 * which. A `nonce` of 0 matches nothing (no valid reply carries it).
 * @retval 1 the reply to `nonce`
 * @retval 0 any other frame
 */
IPC_MUST_USE int ipc_reply_match(const uint8_t *buf, size_t len, uint32_t nonce, struct ipc_msg *m);

/**
 * Server side, a request in a few loads: whether the frame of exactly `len` bytes at `buf` is
 * one that ipc_msg_decode() accepts, of type REQUEST. When it is, `*m` is set as
 * ipc_msg_decode() sets it and 1 is returned. Otherwise 0, `*m` is not written, and the frame
 * is either malformed or another valid frame: ipc_msg_decode() tells which.
 * @retval 1 a request
 * @retval 0 any other frame
 */
IPC_MUST_USE int ipc_request_match(const uint8_t *buf, size_t len, struct ipc_msg *m);

/**
 * Server side: encode the reply to the decoded request `req` into `buf`: type REPLY, the
 * request's nonce and op, `status` and `data_len` bytes of `data`. `src` is the server's own
 * id `self_id`; `dst` is `requester_id`, the `sender_service_id` the kernel stamped on the
 * request (never `req->src`).
 * @retval 0 done, `*frame_len` set
 * @retval -IPC_ETYPE `req` is not a request
 * @retval -IPC_ENONCE `req` has nonce 0
 * @retval -IPC_EINVAL, -IPC_ETOOBIG, -IPC_ESPACE as ipc_msg_encode()
 */
IPC_MUST_USE int ipc_reply_encode(const struct ipc_msg *req, uint64_t self_id, uint64_t requester_id,
				  uint16_t status, const uint8_t *data, size_t data_len, uint8_t *buf,
				  size_t cap, size_t *frame_len);

/**
 * Server side, reply built in place: as ipc_reply_encode() when the `data_len` data bytes
 * are already in `buf` where the data of a frame goes (IPC_HEADER_SIZE + IPC_BODY_SIZE on,
 * written there by the handler); only the header and the body prefix are written.
 * @retval 0 done, `*frame_len` set
 * @retval -IPC_ETYPE `req` is not a request
 * @retval -IPC_ETOOBIG `data_len` is above IPC_DATA_MAX
 * @retval -IPC_ENONCE `req` has nonce 0
 * @retval -IPC_ESPACE the frame does not fit in `cap` bytes; nothing is written
 */
IPC_MUST_USE int ipc_reply_encode_in_place(const struct ipc_msg *req, uint64_t self_id, uint64_t requester_id,
					   uint16_t status, size_t data_len, uint8_t *buf, size_t cap,
					   size_t *frame_len);

/**
 * Little-endian field access for service payloads: put/get a value at byte offset `off` of
 * a buffer of `cap` (put) or `len` (get) bytes, only when it fits entirely.
 * @retval 0 done
 * @retval -IPC_ESPACE (put) the value does not fit; the buffer is unchanged
 * @retval -IPC_ESHORT (get) the value lies past the end; `*v` is unchanged
 */
IPC_MUST_USE int ipc_put_u16(uint8_t *buf, size_t cap, size_t off, uint16_t v);
/** As ipc_put_u16(), 4 bytes. @retval 0 done @retval -IPC_ESPACE does not fit */
IPC_MUST_USE int ipc_put_u32(uint8_t *buf, size_t cap, size_t off, uint32_t v);
/** As ipc_put_u16(), 8 bytes. @retval 0 done @retval -IPC_ESPACE does not fit */
IPC_MUST_USE int ipc_put_u64(uint8_t *buf, size_t cap, size_t off, uint64_t v);
/** As ipc_put_u16(), reading. @retval 0 done @retval -IPC_ESHORT past the end */
IPC_MUST_USE int ipc_get_u16(const uint8_t *buf, size_t len, size_t off, uint16_t *v);
/** As ipc_get_u16(), 4 bytes. @retval 0 done @retval -IPC_ESHORT past the end */
IPC_MUST_USE int ipc_get_u32(const uint8_t *buf, size_t len, size_t off, uint32_t *v);
/** As ipc_get_u16(), 8 bytes. @retval 0 done @retval -IPC_ESHORT past the end */
IPC_MUST_USE int ipc_get_u64(const uint8_t *buf, size_t len, size_t off, uint64_t *v);

#endif
