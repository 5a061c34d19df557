/*
 * The RFC-0025 wire format: little-endian codec of the ABI's frames, status names, service ids.
 * Every decoder checks a length before it reads, and every encoder checks the space before
 * it writes, so no input can make them touch bytes outside the buffer they were given.
 */
#include "ipc/wire.h"

#include <string.h>

/* Where the data begins: after the header and the fixed body. */
#define OFF_DATA NX_FRAME_DATA_OFF

static const char *const err_names[IPC_ERR_COUNT] = {
	[IPC_OK] = "ok",
	[IPC_ESHORT] = "frame or field truncated",
	[IPC_ETOOBIG] = "frame or data too large",
	[IPC_ELEN] = "header length does not match the frame",
	[IPC_ETYPE] = "wrong or unknown message type",
	[IPC_EFLAGS] = "reserved flags set",
	[IPC_EBODY] = "body too short",
	[IPC_ESTATUS] = "request with a status",
	[IPC_ENONCE] = "nonce 0 on a request or reply",
	[IPC_ESPACE] = "output buffer too small",
	[IPC_EINVAL] = "NULL buffer with a length",
};

static const char *const status_names[] = {
	[IPC_STATUS_OK] = "ok",
	[IPC_STATUS_MALFORMED] = "malformed",
	[IPC_STATUS_UNKNOWN] = "unknown",
	[IPC_STATUS_INVALID_TRANSITION] = "invalid transition",
	[IPC_STATUS_FULL] = "full",
	[IPC_STATUS_DENIED] = "denied",
};

const char *ipc_strerror(int err)
{
	if (err > 0 || err <= -IPC_ERR_COUNT)
		return "unknown error";
	return err_names[-err];
}

const char *ipc_status_name(uint16_t status)
{
	if (status >= sizeof(status_names) / sizeof(status_names[0]))
		return NULL;
	return status_names[status];
}

uint64_t ipc_service_id(const char *name, size_t len)
{
	return nx_service_id(name, len);
}

/* Unchecked little-endian access of `n` bytes; callers have checked the bounds. */
static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/*
 * The header and the fixed body are four little-endian 64-bit words: src, dst,
 * type | flags << 16 | len << 32, and nonce | op << 32 | status << 48. A frame in an 8-byte
 * aligned buffer on a little-endian machine (every frame buffer of ours) moves a word per
 * load or store; any other moves byte by byte. The bytes are the same either way.
 */
enum { W_SRC, W_DST, W_TYPE_FLAGS_LEN, W_HEADER_WORDS, W_BODY = W_HEADER_WORDS, W_WORDS };
_Static_assert(8 * W_HEADER_WORDS == IPC_HEADER_SIZE && 8 * W_WORDS == OFF_DATA, "four words before the data");

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* A 64-bit word that may alias the frame's bytes (GCC's and Clang's may_alias). */
typedef uint64_t __attribute__((may_alias)) frame_word;
#define WORDWISE(p) (((uintptr_t)(p) & 7u) == 0)
#else
typedef uint64_t frame_word;
#define WORDWISE(p) 0
#endif

/* Read words [from, to) of the frame at `buf`, which has at least 8 * `to` bytes. Inlined
 * with constant bounds and unrolled, the word-wise loop is that many loads. */
static inline __attribute__((always_inline)) void get_words(const uint8_t *buf, uint64_t *w, unsigned from,
							    unsigned to)
{
	if (WORDWISE(buf)) {
		const frame_word *fw = (const frame_word *)(const void *)buf;
#pragma GCC unroll 4
		for (unsigned i = from; i < to; i++)
			w[i] = fw[i];
	} else {
		for (unsigned i = from; i < to; i++)
			w[i] = get_le(buf + 8 * i, 8);
	}
}

/* Write words [from, to) into the frame at `buf`, which has at least 8 * `to` bytes (inlined
 * as get_words() is). */
static inline __attribute__((always_inline)) void put_words(uint8_t *buf, const uint64_t *w, unsigned from,
							    unsigned to)
{
	if (WORDWISE(buf)) {
		frame_word *fw = (frame_word *)(void *)buf;
#pragma GCC unroll 4
		for (unsigned i = from; i < to; i++)
			fw[i] = w[i];
	} else {
		for (unsigned i = from; i < to; i++)
			put_le(buf + 8 * i, w[i], 8);
	}
}

/* Word-wise only where words may alias bytes (WORDWISE() is 0 elsewhere); the loop runs to a
 * bound worked out once, so a payload of one word is a handful of instructions. Inlined into
 * the encoders. */
static inline __attribute__((always_inline)) void copy_data(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;
	if (WORDWISE(dst) && WORDWISE(src)) {
		for (const size_t whole = n & ~(size_t)7; i < whole; i += 8)
			*(frame_word *)(void *)(dst + i) = *(const frame_word *)(const void *)(src + i);
	}
	if (i < n)
		memcpy(dst + i, src + i, n - i);
}

void ipc_data_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	copy_data(dst, src, n);
}

static uint64_t type_flags_len(uint16_t type, uint16_t flags, uint32_t len)
{
	return (uint64_t)type | (uint64_t)flags << 16 | (uint64_t)len << 32;
}

static uint64_t body_word(uint32_t nonce, uint16_t op, uint16_t status)
{
	return (uint64_t)nonce | (uint64_t)op << 32 | (uint64_t)status << 48;
}

/*
 * Whether `n` bytes at `off` lie inside `size` bytes, without overflow. A macro, so that a
 * caller's test bounds `off` itself, which lets Frama-C Eva prove the access that follows.
 */
#define FITS(size, off, n) ((off) <= (size) && (size) - (off) >= (n))

static int known_type(uint16_t type)
{
	return type == IPC_TYPE_REQUEST || type == IPC_TYPE_REPLY || type == IPC_TYPE_NOTIFY;
}

/* Body rules shared by the encoder and the decoder. */
static int check_body(uint16_t type, uint32_t nonce, uint16_t status)
{
	if (type != IPC_TYPE_NOTIFY && nonce == 0)
		return -IPC_ENONCE;
	if (type == IPC_TYPE_REQUEST && status != 0)
		return -IPC_ESTATUS;
	return 0;
}

/* The header words of `h`. */
static void header_words(const struct ipc_header *h, uint64_t *w)
{
	w[W_SRC] = h->src;
	w[W_DST] = h->dst;
	w[W_TYPE_FLAGS_LEN] = type_flags_len(h->type, h->flags, h->len);
}

int ipc_header_encode(const struct ipc_header *h, uint8_t *buf, size_t cap)
{
	if (cap < IPC_HEADER_SIZE)
		return -IPC_ESPACE;
	if (!known_type(h->type))
		return -IPC_ETYPE;
	if (h->flags != 0)
		return -IPC_EFLAGS;
	if (h->len > IPC_FRAME_MAX - IPC_HEADER_SIZE)
		return -IPC_ETOOBIG;
	uint64_t w[W_HEADER_WORDS];
	header_words(h, w);
	put_words(buf, w, 0, W_HEADER_WORDS);
	return 0;
}

int ipc_header_decode(const uint8_t *buf, size_t len, struct ipc_header *h)
{
	if (len < IPC_HEADER_SIZE)
		return -IPC_ESHORT;
	if (len > IPC_FRAME_MAX)
		return -IPC_ETOOBIG;
	uint64_t w[W_HEADER_WORDS];
	get_words(buf, w, 0, W_HEADER_WORDS);
	h->src = w[W_SRC];
	h->dst = w[W_DST];
	h->type = (uint16_t)w[W_TYPE_FLAGS_LEN];
	h->flags = (uint16_t)(w[W_TYPE_FLAGS_LEN] >> 16);
	h->len = (uint32_t)(w[W_TYPE_FLAGS_LEN] >> 32);
	if (!known_type(h->type))
		return -IPC_ETYPE;
	if (h->flags != 0)
		return -IPC_EFLAGS;
	if (h->len != len - IPC_HEADER_SIZE)
		return -IPC_ELEN;
	return 0;
}

/* Write the header and body words of a checked frame of `data_len` data bytes (the data is
 * the caller's to place). */
static inline __attribute__((always_inline)) void put_frame(uint8_t *buf, uint64_t src, uint64_t dst,
							    uint16_t type, uint32_t nonce, uint16_t op,
							    uint16_t status, size_t data_len)
{
	const uint64_t w[W_WORDS] = {
		[W_SRC] = src,
		[W_DST] = dst,
		[W_TYPE_FLAGS_LEN] = type_flags_len(type, 0, (uint32_t)(IPC_BODY_SIZE + data_len)),
		[W_BODY] = body_word(nonce, op, status),
	};
	put_words(buf, w, 0, W_WORDS);
}

int ipc_msg_encode(const struct ipc_msg *m, uint8_t *buf, size_t cap, size_t *frame_len)
{
	if (m->data == NULL && m->data_len != 0)
		return -IPC_EINVAL;
	if (m->data_len > IPC_DATA_MAX)
		return -IPC_ETOOBIG;
	if (!known_type(m->type))
		return -IPC_ETYPE;
	int err = check_body(m->type, m->nonce, m->status);
	if (err)
		return err;
	if (!FITS(cap, OFF_DATA, m->data_len))
		return -IPC_ESPACE;
	put_frame(buf, m->src, m->dst, m->type, m->nonce, m->op, m->status, m->data_len);
	copy_data(buf + OFF_DATA, m->data, m->data_len);
	*frame_len = OFF_DATA + m->data_len;
	return 0;
}

int ipc_request_encode(uint64_t src, uint64_t dst, uint32_t nonce, uint16_t op, const uint8_t *data,
		       size_t data_len, uint8_t *buf, size_t cap, size_t *frame_len)
{
	if (data == NULL && data_len != 0)
		return -IPC_EINVAL;
	if (data_len > IPC_DATA_MAX)
		return -IPC_ETOOBIG;
	if (nonce == 0)
		return -IPC_ENONCE;
	if (!FITS(cap, OFF_DATA, data_len))
		return -IPC_ESPACE;
	put_frame(buf, src, dst, IPC_TYPE_REQUEST, nonce, op, 0, data_len);
	copy_data(buf + OFF_DATA, data, data_len);
	*frame_len = OFF_DATA + data_len;
	return 0;
}

int ipc_msg_decode(const uint8_t *buf, size_t len, struct ipc_msg *m)
{
	struct ipc_header h;
	int err = ipc_header_decode(buf, len, &h);
	if (err)
		return err;
	if (h.len < IPC_BODY_SIZE)
		return -IPC_EBODY;
	uint64_t w[W_WORDS];
	get_words(buf, w, W_BODY, W_WORDS);
	const uint32_t nonce = (uint32_t)w[W_BODY];
	const uint16_t status = (uint16_t)(w[W_BODY] >> 48);
	err = check_body(h.type, nonce, status);
	if (err)
		return err;
	m->src = h.src;
	m->dst = h.dst;
	m->type = h.type;
	m->nonce = nonce;
	m->op = (uint16_t)(w[W_BODY] >> 32);
	m->status = status;
	m->data = buf + OFF_DATA;
	m->data_len = h.len - IPC_BODY_SIZE;
	return 0;
}

/*
 * A reply to `nonce` passes every check of ipc_msg_decode() exactly when its type-flags-len
 * word is REPLY, flags 0 and the length the frame has, and its nonce is `nonce` (not 0): a
 * REPLY's status is free, and a frame of at least OFF_DATA bytes has a whole body.
 */
int ipc_reply_match(const uint8_t *buf, size_t len, uint32_t nonce, struct ipc_msg *m)
{
	if (len < OFF_DATA || len > IPC_FRAME_MAX || nonce == 0)
		return 0;
	uint64_t w[W_WORDS];
	get_words(buf, w, W_TYPE_FLAGS_LEN, W_WORDS);
	if (w[W_TYPE_FLAGS_LEN] != type_flags_len(IPC_TYPE_REPLY, 0, (uint32_t)(len - IPC_HEADER_SIZE)) ||
	    (uint32_t)w[W_BODY] != nonce)
		return 0;
	get_words(buf, w, W_SRC, W_TYPE_FLAGS_LEN);
	m->src = w[W_SRC];
	m->dst = w[W_DST];
	m->type = IPC_TYPE_REPLY;
	m->nonce = nonce;
	m->op = (uint16_t)(w[W_BODY] >> 32);
	m->status = (uint16_t)(w[W_BODY] >> 48);
	m->data = buf + OFF_DATA;
	m->data_len = len - OFF_DATA;
	return 1;
}

/*
 * A request passes every check of ipc_msg_decode() exactly when its type-flags-len word is
 * REQUEST, flags 0 and the length the frame has, its nonce is not 0 and its status is 0.
 */
int ipc_request_match(const uint8_t *buf, size_t len, struct ipc_msg *m)
{
	if (len < OFF_DATA || len > IPC_FRAME_MAX)
		return 0;
	uint64_t w[W_WORDS];
	get_words(buf, w, W_TYPE_FLAGS_LEN, W_WORDS);
	if (w[W_TYPE_FLAGS_LEN] != type_flags_len(IPC_TYPE_REQUEST, 0, (uint32_t)(len - IPC_HEADER_SIZE)) ||
	    (uint32_t)w[W_BODY] == 0 || (uint16_t)(w[W_BODY] >> 48) != 0)
		return 0;
	get_words(buf, w, W_SRC, W_TYPE_FLAGS_LEN);
	m->src = w[W_SRC];
	m->dst = w[W_DST];
	m->type = IPC_TYPE_REQUEST;
	m->nonce = (uint32_t)w[W_BODY];
	m->op = (uint16_t)(w[W_BODY] >> 32);
	m->status = 0;
	m->data = buf + OFF_DATA;
	m->data_len = len - OFF_DATA;
	return 1;
}

int ipc_reply_encode(const struct ipc_msg *req, uint64_t self_id, uint64_t requester_id,
		     uint16_t status, const uint8_t *data, size_t data_len, uint8_t *buf,
		     size_t cap, size_t *frame_len)
{
	if (req->type != IPC_TYPE_REQUEST)
		return -IPC_ETYPE;
	const struct ipc_msg reply = {
		.src = self_id,
		.dst = requester_id,
		.type = IPC_TYPE_REPLY,
		.nonce = req->nonce,
		.op = req->op,
		.status = status,
		.data = data,
		.data_len = data_len,
	};
	return ipc_msg_encode(&reply, buf, cap, frame_len);
}

int ipc_reply_encode_in_place(const struct ipc_msg *req, uint64_t self_id, uint64_t requester_id,
			      uint16_t status, size_t data_len, uint8_t *buf, size_t cap, size_t *frame_len)
{
	if (req->type != IPC_TYPE_REQUEST)
		return -IPC_ETYPE;
	if (data_len > IPC_DATA_MAX)
		return -IPC_ETOOBIG;
	if (req->nonce == 0)
		return -IPC_ENONCE;
	if (!FITS(cap, OFF_DATA, data_len))
		return -IPC_ESPACE;
	put_frame(buf, self_id, requester_id, IPC_TYPE_REPLY, req->nonce, req->op, status, data_len);
	*frame_len = OFF_DATA + data_len;
	return 0;
}

static int put_checked(uint8_t *buf, size_t cap, size_t off, uint64_t v, unsigned n)
{
	if (!FITS(cap, off, n))
		return -IPC_ESPACE;
	put_le(buf + off, v, n);
	return 0;
}

static int get_checked(const uint8_t *buf, size_t len, size_t off, uint64_t *v, unsigned n)
{
	if (!FITS(len, off, n))
		return -IPC_ESHORT;
	*v = get_le(buf + off, n);
	return 0;
}

int ipc_put_u16(uint8_t *buf, size_t cap, size_t off, uint16_t v)
{
	return put_checked(buf, cap, off, v, 2);
}

int ipc_put_u32(uint8_t *buf, size_t cap, size_t off, uint32_t v)
{
	return put_checked(buf, cap, off, v, 4);
}

int ipc_put_u64(uint8_t *buf, size_t cap, size_t off, uint64_t v)
{
	return put_checked(buf, cap, off, v, 8);
}

int ipc_get_u16(const uint8_t *buf, size_t len, size_t off, uint16_t *v)
{
	uint64_t w;
	int err = get_checked(buf, len, off, &w, 2);
	if (err == 0)
		*v = (uint16_t)w;
	return err;
}

int ipc_get_u32(const uint8_t *buf, size_t len, size_t off, uint32_t *v)
{
	uint64_t w;
	int err = get_checked(buf, len, off, &w, 4);
	if (err == 0)
		*v = (uint32_t)w;
	return err;
}

int ipc_get_u64(const uint8_t *buf, size_t len, size_t off, uint64_t *v)
{
	return get_checked(buf, len, off, v, 8);
}
