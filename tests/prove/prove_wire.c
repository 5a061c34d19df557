/*
 * Frama-C Eva harness: the IPC codec (src/ipc/wire.c) on every input of every size it can be
 * given. Each entry point is one analysis (scripts/prove.sh runs them with -main).
 *
 * A buffer of `n` bytes is the last `n` bytes of a larger array, so that an access past the
 * `n` bytes the codec was given leaves the array, which Eva reports as an alarm. Each entry
 * point loops over every `n` from 0 to beyond every limit, and the loop is unrolled
 * (`loop pragma UNROLL`), so each `n` is a call of its own, which Eva analyses knowing `n`
 * and the buffer's end exactly; every other input is the whole range of its type. What this
 * proves: docs/reliability.md.
 */
#include "prove_any.h"

#include "ipc/wire.h"

/* Longest buffer a harness hands over: beyond every limit the codec checks. */
#define STORE (IPC_FRAME_MAX + 8)

static uint8_t frame_store[STORE];
static uint8_t out_store[STORE];
static uint8_t data_store[STORE];

static size_t any_len(void)
{
	return Frama_C_size_t_interval(0, STORE);
}

/* Any message; its data is NULL or `data`, with any length up to beyond every limit. */
static struct ipc_msg any_msg(const uint8_t *data, size_t data_len)
{
	return (struct ipc_msg){
		.src = any_u64(),
		.dst = any_u64(),
		.type = any_u16(),
		.nonce = any_u32(),
		.op = any_u16(),
		.status = any_u16(),
		.data = data,
		.data_len = data_len,
	};
}

/*
 * Decode a frame of every length 0..STORE, of any contents; a request that decodes is
 * answered with its own data, as a server echoing it would.
 */
/* Decode the last `len` bytes of frame_store; a request that decodes is answered with its
 * own data, as a server echoing it would. */
static void decode_at(size_t len)
{
	const uint8_t *buf = frame_store + (STORE - len);
	/* Zeroed first: Eva does not tie a decoder's result to which outputs it wrote. */
	struct ipc_header h = { 0 };
	struct ipc_msg m = { 0 };
	if (ipc_header_decode(buf, len, &h) == 0) {
		//@ assert header_len: h.len == len - IPC_HEADER_SIZE;
	}
	if (ipc_msg_decode(buf, len, &m) == 0) {
		size_t flen;
		(void)ipc_reply_encode(&m, any_u64(), any_u64(), any_u16(), m.data, m.data_len,
				       out_store + (STORE - IPC_FRAME_MAX), IPC_FRAME_MAX, &flen);
	}
	struct ipc_msg r = { 0 };
	(void)ipc_reply_match(buf, len, any_u32(), &r);
	struct ipc_msg q = { 0 };
	(void)ipc_request_match(buf, len, &q);
}

/* A frame of every length 0..STORE, of any contents. */
void main_decode(void)
{
	Frama_C_make_unknown((char *)frame_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t len = 0; len <= STORE; len++)
		decode_at(len);
}

/* Encode any message (data NULL or data_store, any length) into the last `cap` bytes of
 * out_store: the writes stay inside the capacity. */
static void encode_into(size_t cap)
{
	uint8_t *buf = out_store + (STORE - cap);
	struct ipc_msg m = any_msg(Frama_C_nondet(0, 1) ? NULL : data_store, any_len());
	size_t flen;
	if (ipc_msg_encode(&m, buf, cap, &flen) == 0) {
		//@ assert frame_len: IPC_HEADER_SIZE + IPC_BODY_SIZE <= flen <= cap;
	}
	const struct ipc_header h = {
		.src = any_u64(), .dst = any_u64(), .type = any_u16(), .flags = any_u16(), .len = any_u32(),
	};
	(void)ipc_header_encode(&h, buf, cap);
	const struct ipc_msg req = any_msg(NULL, 0);
	(void)ipc_reply_encode(&req, any_u64(), any_u64(), any_u16(), m.data, m.data_len, buf, cap, &flen);
	(void)ipc_reply_encode_in_place(&req, any_u64(), any_u64(), any_u16(), any_len(), buf, cap, &flen);
	(void)ipc_request_encode(any_u64(), any_u64(), any_u32(), any_u16(), m.data, m.data_len, buf, cap, &flen);
}

/* Every output capacity 0..STORE. */
void main_encode_cap(void)
{
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t cap = 0; cap <= STORE; cap++)
		encode_into(cap);
}

/* Encode any message whose data is the last `data_len` bytes of data_store into an output of
 * any capacity: the reads stay inside the data. */
static void encode_from(size_t data_len)
{
	const uint8_t *data = data_store + (STORE - data_len);
	struct ipc_msg m = any_msg(data, data_len);
	size_t flen;
	(void)ipc_msg_encode(&m, out_store, any_len(), &flen);
	const struct ipc_msg req = any_msg(NULL, 0);
	(void)ipc_reply_encode(&req, any_u64(), any_u64(), any_u16(), data, data_len, out_store, any_len(),
			       &flen);
	(void)ipc_request_encode(any_u64(), any_u64(), any_u32(), any_u16(), data, data_len, out_store, any_len(),
				 &flen);
}

/* Every data length 0..STORE. */
void main_encode_data(void)
{
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t data_len = 0; data_len <= STORE; data_len++)
		encode_from(data_len);
}

/* The field accessors at any offset of the last `len` bytes of out_store. */
static void fields_in(size_t len)
{
	uint8_t *buf = out_store + (STORE - len);
	size_t off = Frama_C_size_t_interval(0, SIZE_MAX);
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	(void)ipc_put_u16(buf, len, off, any_u16());
	(void)ipc_put_u32(buf, len, off, any_u32());
	(void)ipc_put_u64(buf, len, off, any_u64());
	(void)ipc_get_u16(buf, len, off, &v16);
	(void)ipc_get_u32(buf, len, off, &v32);
	(void)ipc_get_u64(buf, len, off, &v64);
}

/* Every buffer length 0..STORE. */
void main_fields(void)
{
	Frama_C_make_unknown((char *)out_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t len = 0; len <= STORE; len++)
		fields_in(len);
}

/* Service ids of names of every length 0..STORE, and the names of codes and statuses. */
void main_names(void)
{
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t len = 0; len <= STORE; len++)
		(void)ipc_service_id((const char *)data_store + (STORE - len), len);
	(void)ipc_strerror(Frama_C_interval(-IPC_ERR_COUNT - 1, 1));
	(void)ipc_status_name(any_u16());
}
