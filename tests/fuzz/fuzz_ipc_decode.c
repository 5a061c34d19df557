/*
 * Fuzz target: the IPC frame decoders on arbitrary bytes (libFuzzer hands over a heap block
 * of exactly the input's size, so ASan sees any read past the frame).
 *
 * Checks: ipc_msg_decode() fails with ipc_header_decode()'s error when the header is bad;
 * every header and every frame that decodes re-encodes to the identical bytes; an encode into
 * one byte too few fails with -IPC_ESPACE and writes nothing; a decoded request's reply
 * decodes back to its nonce and op, and it re-encodes through ipc_request_encode(); the reply
 * matcher takes exactly the replies the decoder accepts; the payload getters read exactly the
 * bytes that fit.
 */
#include "fuzz.h"

#include "ipc/wire.h"

#define FRAME_DATA (IPC_HEADER_SIZE + IPC_BODY_SIZE)

static void check_header(const uint8_t *data, size_t size, int err, const struct ipc_header *h)
{
	FZ_CHECK(err <= 0 && err > -IPC_ERR_COUNT, "a codec error, got %d", err);
	if (err != 0)
		return;
	FZ_CHECK(size >= IPC_HEADER_SIZE && size <= IPC_FRAME_MAX, "decoded %zu bytes", size);
	FZ_CHECK(h->len == size - IPC_HEADER_SIZE, "len %u for a %zu-byte frame", h->len, size);
	uint8_t out[IPC_HEADER_SIZE];
	int rc = ipc_header_encode(h, out, sizeof(out));
	FZ_CHECK(rc == 0, "a decoded header re-encodes, got %s", ipc_strerror(rc));
	FZ_CHECK(memcmp(out, data, IPC_HEADER_SIZE) == 0, "the header re-encodes to its own bytes");
}

/* Encoding `m` into `size - 1` bytes must fail and leave the buffer as it was. */
static void check_no_partial_write(const struct ipc_msg *m, size_t size)
{
	uint8_t out[IPC_FRAME_MAX];
	memset(out, 0x5A, sizeof(out));
	size_t flen = 0;
	int rc = ipc_msg_encode(m, out, size - 1, &flen);
	FZ_CHECK(rc == -IPC_ESPACE, "encode into %zu bytes: -IPC_ESPACE, got %s", size - 1,
		 ipc_strerror(rc));
	for (size_t i = 0; i < sizeof(out); i++)
		FZ_CHECK(out[i] == 0x5A, "a refused encode wrote byte %zu", i);
}

/* The reply to a decoded request carries its nonce and op back (and, here, its op as status). */
static void check_reply(const struct ipc_msg *req)
{
	uint8_t out[IPC_FRAME_MAX];
	size_t flen = 0;
	int rc = ipc_reply_encode(req, 7, 9, req->op, req->data, req->data_len, out, sizeof(out),
				  &flen);
	FZ_CHECK(rc == 0, "the reply to a decoded request encodes, got %s", ipc_strerror(rc));
	struct ipc_msg rep;
	rc = ipc_msg_decode(out, flen, &rep);
	FZ_CHECK(rc == 0, "the reply decodes, got %s", ipc_strerror(rc));
	FZ_CHECK(rep.type == IPC_TYPE_REPLY && rep.nonce == req->nonce && rep.op == req->op &&
			 rep.status == req->op && rep.src == 7 && rep.dst == 9 && rep.data_len == req->data_len,
		 "reply: type %u nonce %u op %u, for request nonce %u op %u", rep.type, rep.nonce,
		 rep.op, req->nonce, req->op);
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Every getter at every offset up to past the end: a value exactly when it fits. */
static void check_getters(const uint8_t *p, size_t len)
{
	for (size_t off = 0; off <= len + 8; off++) {
		uint16_t v16 = 0xBEEF;
		uint32_t v32 = 0xDEADBEEF;
		uint64_t v64 = 0xFEEDFACE;
		int r16 = ipc_get_u16(p, len, off, &v16);
		int r32 = ipc_get_u32(p, len, off, &v32);
		int r64 = ipc_get_u64(p, len, off, &v64);
		FZ_CHECK(r16 == (off + 2 <= len ? 0 : -IPC_ESHORT), "u16 at %zu of %zu: %d", off, len, r16);
		FZ_CHECK(r32 == (off + 4 <= len ? 0 : -IPC_ESHORT), "u32 at %zu of %zu: %d", off, len, r32);
		FZ_CHECK(r64 == (off + 8 <= len ? 0 : -IPC_ESHORT), "u64 at %zu of %zu: %d", off, len, r64);
		FZ_CHECK(v16 == (r16 == 0 ? le(p + off, 2) : 0xBEEF), "u16 at %zu", off);
		FZ_CHECK(v32 == (r32 == 0 ? le(p + off, 4) : 0xDEADBEEF), "u32 at %zu", off);
		FZ_CHECK(v64 == (r64 == 0 ? le(p + off, 8) : 0xFEEDFACE), "u64 at %zu", off);
	}
}

/* ipc_reply_match() takes the frame for the nonce it carries (and for that nonce + 1) exactly
 * when ipc_msg_decode() accepted it (`merr` 0, as `m`) as a REPLY with that nonce. */
static void check_reply_match(const uint8_t *data, size_t size, int merr, const struct ipc_msg *m)
{
	const uint32_t carried = size >= FRAME_DATA ? (uint32_t)le(data + IPC_HEADER_SIZE, 4) : 0;
	for (uint32_t i = 0; i < 2; i++) {
		const uint32_t nonce = carried + i;
		struct ipc_msg r;
		const int want = merr == 0 && m->type == IPC_TYPE_REPLY && m->nonce == nonce;
		const int got = ipc_reply_match(data, size, nonce, &r);
		FZ_CHECK(got == want, "reply match for nonce %u: expected %d, got %d", nonce, want, got);
		if (got)
			FZ_CHECK(r.src == m->src && r.dst == m->dst && r.type == m->type && r.nonce == m->nonce &&
					 r.op == m->op && r.status == m->status && r.data == m->data &&
					 r.data_len == m->data_len,
				 "a matched reply decodes as ipc_msg_decode() decodes it");
	}
}

/* ipc_request_match() takes the frame exactly when ipc_msg_decode() accepted it (`merr` 0, as
 * `m`) as a REQUEST. */
static void check_request_match(const uint8_t *data, size_t size, int merr, const struct ipc_msg *m)
{
	struct ipc_msg r;
	const int want = merr == 0 && m->type == IPC_TYPE_REQUEST;
	const int got = ipc_request_match(data, size, &r);
	FZ_CHECK(got == want, "request match: expected %d, got %d", want, got);
	if (got)
		FZ_CHECK(r.src == m->src && r.dst == m->dst && r.type == m->type && r.nonce == m->nonce &&
				 r.op == m->op && r.status == m->status && r.data == m->data && r.data_len == m->data_len,
			 "a matched request decodes as ipc_msg_decode() decodes it");
}

/* A decoded request re-encodes through ipc_request_encode() to its own bytes. */
static void check_request_encode(const uint8_t *data, size_t size, const struct ipc_msg *m)
{
	uint8_t out[IPC_FRAME_MAX];
	size_t flen = 0;
	int rc = ipc_request_encode(m->src, m->dst, m->nonce, m->op, m->data, m->data_len, out, sizeof(out), &flen);
	FZ_CHECK(rc == 0, "a decoded request re-encodes, got %s", ipc_strerror(rc));
	FZ_CHECK(flen == size && memcmp(out, data, size) == 0, "the request re-encodes to its own %zu bytes", size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_header h;
	int herr = ipc_header_decode(data, size, &h);
	check_header(data, size, herr, &h);

	struct ipc_msg m;
	int merr = ipc_msg_decode(data, size, &m);
	check_reply_match(data, size, merr, &m);
	check_request_match(data, size, merr, &m);
	if (herr != 0) {
		FZ_CHECK(merr == herr, "msg decode fails as the header: %s, got %s", ipc_strerror(herr),
			 ipc_strerror(merr));
		return 0;
	}
	FZ_CHECK(merr == 0 || merr == -IPC_EBODY || merr == -IPC_ENONCE || merr == -IPC_ESTATUS,
		 "a body error after a good header, got %s", ipc_strerror(merr));
	if (merr != 0)
		return 0;

	FZ_CHECK(m.data == data + FRAME_DATA && m.data_len == size - FRAME_DATA &&
			 m.data_len <= IPC_DATA_MAX,
		 "data at +%td, %zu bytes, of a %zu-byte frame", m.data - data, m.data_len, size);
	uint8_t out[IPC_FRAME_MAX];
	size_t flen = 0;
	int rc = ipc_msg_encode(&m, out, sizeof(out), &flen);
	FZ_CHECK(rc == 0, "a decoded frame re-encodes, got %s", ipc_strerror(rc));
	FZ_CHECK(flen == size && memcmp(out, data, size) == 0,
		 "the frame re-encodes to its own %zu bytes, got %zu", size, flen);
	check_no_partial_write(&m, size);
	if (m.type == IPC_TYPE_REQUEST) {
		check_reply(&m);
		check_request_encode(data, size, &m);
	}
	check_getters(m.data, m.data_len);
	return 0;
}
