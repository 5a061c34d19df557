/* Wire format: byte layout, round trips, and every malformed frame rejected in bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"
#include "ipc/wire.h"

/* A reply frame with `data_len` data bytes counting up from 0; returns its length. */
static size_t sample_reply(uint8_t *buf, size_t cap, size_t data_len)
{
	uint8_t data[IPC_DATA_MAX];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	const struct ipc_msg m = {
		.src = 0x1111, .dst = 0x2222, .type = IPC_TYPE_REPLY,
		.nonce = 0x01020304, .op = 0x0506, .status = IPC_STATUS_OK,
		.data = data, .data_len = data_len,
	};
	size_t len = 0;
	expect_err("encode sample reply", 0, ipc_msg_encode(&m, buf, cap, &len));
	return len;
}

static void service_id_matches_fnv1a_64_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint64_t id;
	} vectors[] = {
		{ "", 0xcbf29ce484222325ULL },
		{ "a", 0xaf63dc4c8601ec8cULL },
		{ "b", 0xaf63df4c8601f1a5ULL },
		{ "foo", 0xdcb27518fed9d577ULL },
		{ "foobar", 0x85944171f73967e8ULL },
		{ "chongo was here!\n", 0x46810940eff5f915ULL },
	};
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		expect_eq(vectors[i].name, vectors[i].id,
			  ipc_service_id(vectors[i].name, strlen(vectors[i].name)));
	/* Bytes above 0x7f hash as unsigned bytes whatever the signedness of char. */
	expect_eq("\\xff", 0xaf64724c8602eb6eULL, ipc_service_id("\xff", 1));
}

static void header_encodes_little_endian_fields_at_fixed_offsets(void **state)
{
	(void)state;
	const struct ipc_header h = {
		.src = 0x0807060504030201ULL, .dst = 0x1817161514131211ULL,
		.type = IPC_TYPE_NOTIFY, .flags = 0, .len = 0x08,
	};
	static const uint8_t want[IPC_HEADER_SIZE] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	};
	uint8_t buf[IPC_HEADER_SIZE + IPC_BODY_SIZE] = { 0 };
	expect_err("encode header", 0, ipc_header_encode(&h, buf, sizeof(buf)));
	for (size_t i = 0; i < IPC_HEADER_SIZE; i++)
		expect_eq("header byte", want[i], buf[i]);

	struct ipc_header got;
	expect_err("decode header", 0, ipc_header_decode(buf, sizeof(buf), &got));
	expect_eq("src", h.src, got.src);
	expect_eq("dst", h.dst, got.dst);
	expect_eq("type", h.type, got.type);
	expect_eq("len", h.len, got.len);
}

static void msg_encodes_body_little_endian_after_header(void **state)
{
	(void)state;
	uint8_t buf[IPC_FRAME_MAX];
	size_t len = sample_reply(buf, sizeof(buf), 3);
	static const uint8_t want[] = { 0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x00, 0x00, 0, 1, 2 };
	expect_eq("frame length", IPC_HEADER_SIZE + sizeof(want), len);
	expect_eq("len field", sizeof(want), buf[20]);
	for (size_t i = 0; i < sizeof(want); i++)
		expect_eq("body byte", want[i], buf[IPC_HEADER_SIZE + i]);
}

static void msg_round_trips_every_type_with_empty_and_max_data(void **state)
{
	(void)state;
	static const uint16_t types[] = { IPC_TYPE_REQUEST, IPC_TYPE_REPLY, IPC_TYPE_NOTIFY };
	static const size_t sizes[] = { 0, 1, IPC_DATA_MAX };
	uint8_t data[IPC_DATA_MAX];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xff - i);
	for (size_t t = 0; t < 3; t++) {
		for (size_t s = 0; s < 3; s++) {
			const struct ipc_msg m = {
				.src = 0xaaaa000000000001ULL, .dst = 0xbbbb000000000002ULL,
				.type = types[t], .nonce = 0xfffffffeU, .op = 0xbeef,
				.status = types[t] == IPC_TYPE_REQUEST ? 0 : 0x1234,
				.data = data, .data_len = sizes[s],
			};
			uint8_t buf[IPC_FRAME_MAX];
			size_t len = 0;
			expect_err("encode", 0, ipc_msg_encode(&m, buf, sizeof(buf), &len));
			expect_eq("frame length", IPC_HEADER_SIZE + IPC_BODY_SIZE + sizes[s], len);
			struct ipc_msg got;
			expect_err("decode", 0, ipc_msg_decode(buf, len, &got));
			expect_eq("src", m.src, got.src);
			expect_eq("dst", m.dst, got.dst);
			expect_eq("type", m.type, got.type);
			expect_eq("nonce", m.nonce, got.nonce);
			expect_eq("op", m.op, got.op);
			expect_eq("status", m.status, got.status);
			expect_eq("data_len", m.data_len, got.data_len);
			expect_eq("data points into the frame", (uintptr_t)(buf + 32), (uintptr_t)got.data);
			assert_memory_equal(got.data, data, sizes[s]);
		}
	}
}

/* Aligned frames move a word at a time, others byte by byte: the bytes and the decoded
 * fields must be the same at every offset of the buffer. */
static void codec_gives_the_same_bytes_at_every_buffer_alignment(void **state)
{
	(void)state;
	_Alignas(8) uint8_t ref[IPC_FRAME_MAX];
	const size_t len = sample_reply(ref, sizeof(ref), 5);
	for (size_t off = 0; off < 8; off++) {
		_Alignas(8) uint8_t area[IPC_FRAME_MAX + 8];
		memset(area, 0xEE, sizeof(area));
		uint8_t *buf = area + off;
		expect_eq("length at this offset", len, sample_reply(buf, IPC_FRAME_MAX, 5));
		assert_memory_equal(buf, ref, len);
		for (size_t i = 0; i < off; i++)
			expect_eq("byte before the frame", 0xEE, area[i]);
		expect_eq("byte after the frame", 0xEE, buf[len]);
		struct ipc_msg got;
		expect_err("decode at this offset", 0, ipc_msg_decode(buf, len, &got));
		expect_eq("src", 0x1111, got.src);
		expect_eq("dst", 0x2222, got.dst);
		expect_eq("type", IPC_TYPE_REPLY, got.type);
		expect_eq("nonce", 0x01020304, got.nonce);
		expect_eq("op", 0x0506, got.op);
		expect_eq("status", IPC_STATUS_OK, got.status);
		expect_eq("data_len", 5, got.data_len);
		struct ipc_header h;
		expect_err("header decode at this offset", 0, ipc_header_decode(buf, len, &h));
		expect_eq("len field", len - IPC_HEADER_SIZE, h.len);
		memset(area, 0xEE, sizeof(area));
		expect_err("header encode at this offset", 0, ipc_header_encode(&h, buf, IPC_HEADER_SIZE));
		assert_memory_equal(buf, ref, IPC_HEADER_SIZE);
		expect_eq("byte after the header", 0xEE, buf[IPC_HEADER_SIZE]);
	}
}

static void decode_rejects_every_truncation_of_a_valid_frame(void **state)
{
	(void)state;
	uint8_t buf[IPC_FRAME_MAX];
	size_t len = sample_reply(buf, sizeof(buf), 20);
	struct ipc_msg m;
	for (size_t n = 0; n < len; n++)
		expect_err("truncated frame", n < IPC_HEADER_SIZE ? -IPC_ESHORT : -IPC_ELEN,
			   ipc_msg_decode(buf, n, &m));
}

static void decode_rejects_trailing_bytes(void **state)
{
	(void)state;
	uint8_t buf[IPC_FRAME_MAX];
	size_t len = sample_reply(buf, sizeof(buf), 20);
	struct ipc_msg m;
	expect_err("one trailing byte", -IPC_ELEN, ipc_msg_decode(buf, len + 1, &m));
}

static void decode_rejects_frames_above_frame_max(void **state)
{
	(void)state;
	uint8_t buf[IPC_FRAME_MAX + 1];
	size_t len = sample_reply(buf, sizeof(buf), IPC_DATA_MAX);
	expect_eq("largest frame", IPC_FRAME_MAX, len);
	/* One more data byte, with a header that agrees: consistent but too large. */
	buf[20] = (uint8_t)(IPC_BODY_SIZE + IPC_DATA_MAX + 1);
	buf[IPC_FRAME_MAX] = 0;
	struct ipc_msg m;
	expect_err("257-byte frame", -IPC_ETOOBIG, ipc_msg_decode(buf, sizeof(buf), &m));
	/* A len field that claims more than the frame limit, in a short buffer. */
	len = sample_reply(buf, sizeof(buf), 0);
	buf[23] = 0x80;
	expect_err("len 0x80000008", -IPC_ELEN, ipc_msg_decode(buf, len, &m));
}

/* Each of `n` values written as a u16 at `off` of a copy of the frame makes decode fail with `err`. */
static void expect_u16_field_rejected(const char *what, const uint8_t *frame, size_t len, size_t off,
				      const uint16_t *values, size_t n, int err)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t f[IPC_FRAME_MAX];
		memcpy(f, frame, len);
		expect_err("patch", 0, ipc_put_u16(f, len, off, values[i]));
		struct ipc_msg m;
		expect_err(what, err, ipc_msg_decode(f, len, &m));
	}
}

static void decode_rejects_unknown_types_and_reserved_flags(void **state)
{
	(void)state;
	static const uint16_t bad_types[] = { 0, 4, 0x0100, 0xffff };
	static const uint16_t bad_flags[] = { 1, 0x0100, 0x8000 };
	uint8_t buf[IPC_FRAME_MAX];
	size_t len = sample_reply(buf, sizeof(buf), 4);
	expect_u16_field_rejected("unknown type", buf, len, 16, bad_types,
				  sizeof(bad_types) / sizeof(bad_types[0]), -IPC_ETYPE);
	expect_u16_field_rejected("flags set", buf, len, 18, bad_flags,
				  sizeof(bad_flags) / sizeof(bad_flags[0]), -IPC_EFLAGS);
}

static void decode_rejects_body_shorter_than_nonce_op_status(void **state)
{
	(void)state;
	for (uint32_t body = 0; body < IPC_BODY_SIZE; body++) {
		const struct ipc_header h = { .type = IPC_TYPE_REPLY, .len = body };
		uint8_t buf[IPC_HEADER_SIZE + IPC_BODY_SIZE] = { 0 };
		expect_err("encode header", 0, ipc_header_encode(&h, buf, sizeof(buf)));
		struct ipc_header got;
		expect_err("header alone is fine", 0, ipc_header_decode(buf, IPC_HEADER_SIZE + body, &got));
		struct ipc_msg m;
		expect_err("short body", -IPC_EBODY, ipc_msg_decode(buf, IPC_HEADER_SIZE + body, &m));
	}
}

/* A valid reply frame patched to `type`, `nonce` and `status`, past the encoder's checks. */
static size_t patched(uint8_t *buf, uint16_t type, uint32_t nonce, uint16_t status)
{
	size_t len = sample_reply(buf, IPC_FRAME_MAX, 2);
	expect_err("patch type", 0, ipc_put_u16(buf, len, 16, type));
	expect_err("patch nonce", 0, ipc_put_u32(buf, len, 24, nonce));
	expect_err("patch status", 0, ipc_put_u16(buf, len, 30, status));
	return len;
}

static void decode_applies_nonce_and_status_rules_per_type(void **state)
{
	(void)state;
	uint8_t buf[IPC_FRAME_MAX];
	struct ipc_msg m;
	size_t len = patched(buf, IPC_TYPE_REQUEST, 7, 1);
	expect_err("request with status 1", -IPC_ESTATUS, ipc_msg_decode(buf, len, &m));
	len = patched(buf, IPC_TYPE_REQUEST, 0, 0);
	expect_err("request with nonce 0", -IPC_ENONCE, ipc_msg_decode(buf, len, &m));
	len = patched(buf, IPC_TYPE_REPLY, 0, 0);
	expect_err("reply with nonce 0", -IPC_ENONCE, ipc_msg_decode(buf, len, &m));
	len = patched(buf, IPC_TYPE_REPLY, 7, 0xffff);
	expect_err("reply with unnamed status", 0, ipc_msg_decode(buf, len, &m));
	expect_eq("unnamed status carried", 0xffff, m.status);
	len = patched(buf, IPC_TYPE_NOTIFY, 0, 42);
	expect_err("notify with nonce 0 and a status", 0, ipc_msg_decode(buf, len, &m));
	expect_eq("notify status", 42, m.status);
}

/* A refused frame leaves the caller's message exactly as it was (ipc/wire.h). */
static void decode_writes_nothing_for_a_refused_frame(void **state)
{
	(void)state;
	uint8_t buf[IPC_FRAME_MAX];
	struct ipc_msg m, before;
	memset(&m, 0x5A, sizeof(m));
	before = m;
	size_t len = patched(buf, IPC_TYPE_REQUEST, 0, 0);
	expect_err("request with nonce 0", -IPC_ENONCE, ipc_msg_decode(buf, len, &m));
	assert_memory_equal(&m, &before, sizeof(m));
	len = patched(buf, IPC_TYPE_REQUEST, 7, 1);
	expect_err("request with status 1", -IPC_ESTATUS, ipc_msg_decode(buf, len, &m));
	assert_memory_equal(&m, &before, sizeof(m));
	expect_err("truncated frame", -IPC_ESHORT, ipc_msg_decode(buf, IPC_HEADER_SIZE - 1, &m));
	assert_memory_equal(&m, &before, sizeof(m));
}

static void decode_of_any_single_byte_corruption_stays_in_bounds(void **state)
{
	(void)state;
	static const uint8_t values[] = { 0x00, 0x01, 0x07, 0x08, 0x7f, 0x80, 0xff };
	uint8_t good[IPC_FRAME_MAX];
	size_t len = sample_reply(good, sizeof(good), 16);
	for (size_t pos = 0; pos < len; pos++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			uint8_t buf[IPC_FRAME_MAX];
			memcpy(buf, good, len);
			buf[pos] = values[v];
			struct ipc_msg m;
			if (ipc_msg_decode(buf, len, &m) == 0) {
				expect_eq("data_len of an accepted frame", len - 32, m.data_len);
				expect_eq("data offset", (uintptr_t)(buf + 32), (uintptr_t)m.data);
			}
		}
	}
}

static void encode_rejects_messages_that_would_be_malformed(void **state)
{
	(void)state;
	uint8_t data[IPC_DATA_MAX + 1] = { 0 };
	const struct {
		const char *what;
		struct ipc_msg m;
		int err;
	} cases[] = {
		{ "data above IPC_DATA_MAX",
		  { .type = IPC_TYPE_REQUEST, .nonce = 1, .data = data, .data_len = IPC_DATA_MAX + 1 },
		  -IPC_ETOOBIG },
		{ "NULL data with a length", { .type = IPC_TYPE_REQUEST, .nonce = 1, .data_len = 1 },
		  -IPC_EINVAL },
		{ "type 0", { .type = 0, .nonce = 1 }, -IPC_ETYPE },
		{ "request nonce 0", { .type = IPC_TYPE_REQUEST }, -IPC_ENONCE },
		{ "reply nonce 0", { .type = IPC_TYPE_REPLY }, -IPC_ENONCE },
		{ "request with a status", { .type = IPC_TYPE_REQUEST, .nonce = 1, .status = 5 },
		  -IPC_ESTATUS },
		{ "notify with nonce 0 and a status", { .type = IPC_TYPE_NOTIFY, .status = 5 }, 0 },
		{ "reply with an unnamed status", { .type = IPC_TYPE_REPLY, .nonce = 1, .status = 99 }, 0 },
		{ "data of IPC_DATA_MAX",
		  { .type = IPC_TYPE_REQUEST, .nonce = 1, .data = data, .data_len = IPC_DATA_MAX }, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[IPC_FRAME_MAX + 64];
		size_t len = 0;
		expect_err(cases[i].what, cases[i].err, ipc_msg_encode(&cases[i].m, buf, sizeof(buf), &len));
	}
}

static void encode_never_writes_past_cap(void **state)
{
	(void)state;
	uint8_t data[40];
	memset(data, 0x5a, sizeof(data));
	const struct ipc_msg m = { .type = IPC_TYPE_REPLY, .nonce = 9, .data = data, .data_len = sizeof(data) };
	const size_t need = IPC_HEADER_SIZE + IPC_BODY_SIZE + sizeof(data);
	for (size_t cap = 0; cap < need; cap++) {
		uint8_t buf[IPC_FRAME_MAX];
		memset(buf, 0xee, sizeof(buf));
		size_t len = 12345;
		expect_err("too small a buffer", -IPC_ESPACE, ipc_msg_encode(&m, buf, cap, &len));
		expect_eq("frame_len untouched", 12345, len);
		for (size_t i = 0; i < sizeof(buf); i++)
			expect_eq("buffer untouched", 0xee, buf[i]);
	}
	uint8_t buf[IPC_FRAME_MAX];
	memset(buf, 0xee, sizeof(buf));
	size_t len = 0;
	expect_err("exact fit", 0, ipc_msg_encode(&m, buf, need, &len));
	expect_eq("frame_len", need, len);
	expect_eq("byte after the frame", 0xee, buf[need]);
}

static void header_encode_rejects_small_buffer_and_invalid_fields(void **state)
{
	(void)state;
	uint8_t buf[IPC_HEADER_SIZE];
	struct ipc_header h = { .type = IPC_TYPE_REQUEST, .len = 8 };
	expect_err("23-byte buffer", -IPC_ESPACE, ipc_header_encode(&h, buf, IPC_HEADER_SIZE - 1));
	h.type = 9;
	expect_err("type 9", -IPC_ETYPE, ipc_header_encode(&h, buf, sizeof(buf)));
	h.type = IPC_TYPE_REQUEST;
	h.flags = 2;
	expect_err("flags 2", -IPC_EFLAGS, ipc_header_encode(&h, buf, sizeof(buf)));
	h.flags = 0;
	h.len = IPC_FRAME_MAX - IPC_HEADER_SIZE + 1;
	expect_err("len one above the limit", -IPC_ETOOBIG, ipc_header_encode(&h, buf, sizeof(buf)));
	h.len = IPC_FRAME_MAX - IPC_HEADER_SIZE;
	expect_err("len at the limit", 0, ipc_header_encode(&h, buf, sizeof(buf)));
}

static void reply_encode_echoes_nonce_and_op_and_addresses_the_stamped_requester(void **state)
{
	(void)state;
	const uint8_t data[] = { 9, 8, 7 };
	const struct ipc_msg req = {
		.src = 0x5555, .dst = 0x6666, .type = IPC_TYPE_REQUEST, .nonce = 77, .op = 3,
	};
	uint8_t buf[IPC_FRAME_MAX];
	size_t len = 0;
	expect_err("encode reply", 0,
		   ipc_reply_encode(&req, 0x6666, 0x7777, IPC_STATUS_FULL, data, sizeof(data), buf,
				    sizeof(buf), &len));
	struct ipc_msg got;
	expect_err("decode reply", 0, ipc_msg_decode(buf, len, &got));
	expect_eq("type", IPC_TYPE_REPLY, got.type);
	expect_eq("nonce", 77, got.nonce);
	expect_eq("op", 3, got.op);
	expect_eq("status", IPC_STATUS_FULL, got.status);
	expect_eq("src is the server", 0x6666, got.src);
	expect_eq("dst is the stamped requester, not req.src", 0x7777, got.dst);
	expect_eq("data_len", sizeof(data), got.data_len);
	assert_memory_equal(got.data, data, sizeof(data));

	struct ipc_msg notify = req;
	notify.type = IPC_TYPE_NOTIFY;
	expect_err("reply to a notify", -IPC_ETYPE,
		   ipc_reply_encode(&notify, 1, 2, 0, NULL, 0, buf, sizeof(buf), &len));
	struct ipc_msg zero = req;
	zero.nonce = 0;
	expect_err("reply to nonce 0", -IPC_ENONCE,
		   ipc_reply_encode(&zero, 1, 2, 0, NULL, 0, buf, sizeof(buf), &len));
	expect_err("reply data too large", -IPC_ETOOBIG,
		   ipc_reply_encode(&req, 1, 2, 0, buf, IPC_DATA_MAX + 1, buf, sizeof(buf), &len));
}

/* ipc_request_encode() gives ipc_msg_encode()'s bytes for the same request, at every
 * data length class and buffer alignment, and writes nothing past the frame. */
static void request_encode_gives_the_bytes_of_msg_encode(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, 8, 13, IPC_DATA_MAX };
	uint8_t data[IPC_DATA_MAX + 8];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(3 * i + 1);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t off = 0; off < 8; off++) {
			const struct ipc_msg m = {
				.src = 0xaaaa000000000001ULL, .dst = 0xbbbb000000000002ULL, .type = IPC_TYPE_REQUEST,
				.nonce = 0xfffffffeU, .op = 0xbeef, .data = data + off, .data_len = sizes[s],
			};
			_Alignas(8) uint8_t want[IPC_FRAME_MAX];
			_Alignas(8) uint8_t area[IPC_FRAME_MAX + 16];
			size_t want_len = 0, len = 0;
			expect_err("msg encode", 0, ipc_msg_encode(&m, want, sizeof(want), &want_len));
			memset(area, 0xEE, sizeof(area));
			expect_err("request encode", 0,
				   ipc_request_encode(m.src, m.dst, m.nonce, m.op, m.data, m.data_len, area + off,
						      IPC_FRAME_MAX, &len));
			expect_eq("frame length", want_len, len);
			assert_memory_equal(area + off, want, len);
			expect_eq("byte after the frame", 0xEE, area[off + len]);
		}
	}
}

/* Its refusals are ipc_msg_encode()'s, in the same order, and write nothing. */
static void request_encode_refuses_as_msg_encode_and_writes_nothing(void **state)
{
	(void)state;
	uint8_t data[IPC_DATA_MAX + 1] = { 0 };
	const size_t need = IPC_HEADER_SIZE + IPC_BODY_SIZE + 40;
	const struct {
		const char *what;
		const uint8_t *data;
		size_t data_len, cap;
		uint32_t nonce;
		int err;
	} cases[] = {
		{ "NULL data with a length", NULL, 1, IPC_FRAME_MAX, 1, -IPC_EINVAL },
		{ "NULL data, length 0", NULL, 0, IPC_FRAME_MAX, 1, 0 },
		{ "data one above IPC_DATA_MAX", data, IPC_DATA_MAX + 1, IPC_FRAME_MAX + 8, 1, -IPC_ETOOBIG },
		{ "data of IPC_DATA_MAX", data, IPC_DATA_MAX, IPC_FRAME_MAX, 1, 0 },
		{ "nonce 0", data, 1, IPC_FRAME_MAX, 0, -IPC_ENONCE },
		{ "too big before nonce 0", data, IPC_DATA_MAX + 1, IPC_FRAME_MAX, 0, -IPC_ETOOBIG },
		{ "one byte too few", data, 40, need - 1, 1, -IPC_ESPACE },
		{ "no space at all", data, 0, 0, 1, -IPC_ESPACE },
		{ "exact fit", data, 40, need, 1, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ipc_msg m = { .src = 5, .dst = 6, .type = IPC_TYPE_REQUEST, .nonce = cases[i].nonce,
					   .op = 7, .data = cases[i].data, .data_len = cases[i].data_len };
		uint8_t ref[IPC_FRAME_MAX + 8], buf[IPC_FRAME_MAX + 8];
		size_t ref_len = 0, len = 12345;
		expect_err(cases[i].what, cases[i].err, ipc_msg_encode(&m, ref, cases[i].cap, &ref_len));
		memset(buf, 0xEE, sizeof(buf));
		expect_err(cases[i].what, cases[i].err,
			   ipc_request_encode(m.src, m.dst, m.nonce, m.op, m.data, m.data_len, buf, cases[i].cap, &len));
		if (cases[i].err == 0)
			continue;
		expect_eq("frame_len untouched", 12345, len);
		for (size_t b = 0; b < sizeof(buf); b++)
			expect_eq("buffer untouched", 0xEE, buf[b]);
	}
}

/* Whether ipc_reply_match() must take the `len`-byte frame at `buf` as the reply to `nonce`:
 * ipc_msg_decode() accepts it, and it is a REPLY with that nonce. */
static int is_reply_to(const uint8_t *buf, size_t len, uint32_t nonce, struct ipc_msg *m)
{
	return ipc_msg_decode(buf, len, m) == 0 && m->type == IPC_TYPE_REPLY && m->nonce == nonce;
}

/* A matcher's answer `matched` and output `got` (filled with 0x5A before the call): the
 * answer is `expected`; a match set what ipc_msg_decode() set (`want`), and no match wrote
 * nothing. */
static void expect_as_decode(const char *what, int expected, int matched, const struct ipc_msg *want,
			     const struct ipc_msg *got)
{
	struct ipc_msg untouched;
	memset(&untouched, 0x5A, sizeof(untouched));
	expect_eq(what, expected, matched);
	if (!expected) {
		if (!same_bytes(got, &untouched, sizeof(*got)))
			fail_msg("%s: a frame not matched wrote the output", what);
		return;
	}
	expect_eq("src", want->src, got->src);
	expect_eq("dst", want->dst, got->dst);
	expect_eq("type", want->type, got->type);
	expect_eq("nonce", want->nonce, got->nonce);
	expect_eq("op", want->op, got->op);
	expect_eq("status", want->status, got->status);
	expect_eq("data", (uintptr_t)want->data, (uintptr_t)got->data);
	expect_eq("data_len", want->data_len, got->data_len);
}

/* ipc_reply_match() matches what is expected, sets what ipc_msg_decode() sets, and writes
 * nothing otherwise. */
static void expect_match_as_decode(const char *what, const uint8_t *buf, size_t len, uint32_t nonce)
{
	struct ipc_msg want, got;
	memset(&got, 0x5A, sizeof(got));
	const int expected = is_reply_to(buf, len, nonce, &want);
	expect_as_decode(what, expected, ipc_reply_match(buf, len, nonce, &got), &want, &got);
}

static void reply_match_takes_exactly_the_reply_decode_accepts(void **state)
{
	(void)state;
	static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x7f, 0x80, 0xff };
	_Alignas(8) uint8_t good[IPC_FRAME_MAX];
	const size_t len = sample_reply(good, sizeof(good), 16);
	expect_eq("the sample itself", 1, is_reply_to(good, len, 0x01020304, &(struct ipc_msg){ 0 }));
	expect_match_as_decode("the reply", good, len, 0x01020304);
	expect_match_as_decode("another nonce", good, len, 0x01020305);
	expect_match_as_decode("nonce 0", good, len, 0);
	for (size_t cut = 0; cut <= len + 1; cut++)
		expect_match_as_decode("a truncation or a trailing byte", good, cut, 0x01020304);
	expect_match_as_decode("a length above IPC_FRAME_MAX", good, IPC_FRAME_MAX + 1, 0x01020304);
	for (size_t pos = 0; pos < len; pos++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			_Alignas(8) uint8_t buf[IPC_FRAME_MAX];
			memcpy(buf, good, len);
			buf[pos] = values[v];
			expect_match_as_decode("a single-byte change", buf, len, 0x01020304);
		}
	}
	static const uint16_t others[] = { IPC_TYPE_REQUEST, IPC_TYPE_NOTIFY };
	for (size_t t = 0; t < 2; t++) {
		const struct ipc_msg m = { .type = others[t], .nonce = 0x01020304 };
		_Alignas(8) uint8_t buf[IPC_FRAME_MAX];
		size_t n = 0;
		expect_err("encode another type", 0, ipc_msg_encode(&m, buf, sizeof(buf), &n));
		expect_eq("another type with the nonce", 0, ipc_reply_match(buf, n, 0x01020304, &(struct ipc_msg){ 0 }));
	}
	_Alignas(8) uint8_t buf[IPC_FRAME_MAX];
	memcpy(buf, good, len);
	buf[IPC_HEADER_SIZE] = buf[IPC_HEADER_SIZE + 1] = buf[IPC_HEADER_SIZE + 2] = buf[IPC_HEADER_SIZE + 3] = 0;
	expect_eq("a reply with nonce 0 is malformed", -IPC_ENONCE, ipc_msg_decode(buf, len, &(struct ipc_msg){ 0 }));
	expect_eq("so nonce 0 matches nothing", 0, ipc_reply_match(buf, len, 0, &(struct ipc_msg){ 0 }));
	for (size_t off = 1; off < 8; off++) {
		_Alignas(8) uint8_t area[IPC_FRAME_MAX + 8];
		memcpy(area + off, good, len);
		expect_match_as_decode("an unaligned reply", area + off, len, 0x01020304);
	}
}

/* Whether ipc_request_match() must take the `len`-byte frame at `buf`: ipc_msg_decode()
 * accepts it, and it is a REQUEST. */
static int is_request(const uint8_t *buf, size_t len, struct ipc_msg *m)
{
	return ipc_msg_decode(buf, len, m) == 0 && m->type == IPC_TYPE_REQUEST;
}

/* ipc_request_match() matches what is expected, sets what ipc_msg_decode() sets, and writes
 * nothing otherwise. */
static void expect_request_as_decode(const char *what, const uint8_t *buf, size_t len)
{
	struct ipc_msg want, got;
	memset(&got, 0x5A, sizeof(got));
	const int expected = is_request(buf, len, &want);
	expect_as_decode(what, expected, ipc_request_match(buf, len, &got), &want, &got);
}

static void request_match_takes_exactly_the_request_decode_accepts(void **state)
{
	(void)state;
	static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x7f, 0x80, 0xff };
	uint8_t data[IPC_DATA_MAX];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	_Alignas(8) uint8_t good[IPC_FRAME_MAX];
	size_t len = 0;
	expect_err("encode the sample", 0,
		   ipc_request_encode(0x1111, 0x2222, 0x01020304, 0x0506, data, 16, good, sizeof(good), &len));
	expect_eq("the sample itself", 1, is_request(good, len, &(struct ipc_msg){ 0 }));
	expect_request_as_decode("the request", good, len);
	for (size_t cut = 0; cut <= len + 1; cut++)
		expect_request_as_decode("a truncation or a trailing byte", good, cut);
	expect_request_as_decode("a length above IPC_FRAME_MAX", good, IPC_FRAME_MAX + 1);
	for (size_t pos = 0; pos < len; pos++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			_Alignas(8) uint8_t buf[IPC_FRAME_MAX];
			memcpy(buf, good, len);
			buf[pos] = values[v];
			expect_request_as_decode("a single-byte change", buf, len);
		}
	}
	_Alignas(8) uint8_t buf[IPC_FRAME_MAX];
	memcpy(buf, good, len);
	buf[IPC_HEADER_SIZE + 7] = 0x01;
	expect_eq("a request with status 1 is malformed", -IPC_ESTATUS, ipc_msg_decode(buf, len, &(struct ipc_msg){ 0 }));
	expect_eq("so it is not taken", 0, ipc_request_match(buf, len, &(struct ipc_msg){ 0 }));
	expect_eq("nor a reply", 0, ipc_request_match(buf, sample_reply(buf, sizeof(buf), 16), &(struct ipc_msg){ 0 }));
	for (size_t off = 1; off < 8; off++) {
		_Alignas(8) uint8_t area[IPC_FRAME_MAX + 8];
		memcpy(area + off, good, len);
		expect_request_as_decode("an unaligned request", area + off, len);
	}
}

/* The in-place reply encoder gives ipc_reply_encode()'s bytes without touching the data. */
static void reply_encode_in_place_gives_the_bytes_of_reply_encode(void **state)
{
	(void)state;
	const struct ipc_msg req = { .src = 0x5555, .dst = 0x6666, .type = IPC_TYPE_REQUEST, .nonce = 77, .op = 3 };
	static const size_t sizes[] = { 0, 3, 8, IPC_DATA_MAX };
	uint8_t data[IPC_DATA_MAX];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0xA5);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		_Alignas(8) uint8_t want[IPC_FRAME_MAX], buf[IPC_FRAME_MAX];
		size_t want_len = 0, len = 0;
		expect_err("reply encode", 0,
			   ipc_reply_encode(&req, 0x6666, 0x7777, IPC_STATUS_FULL, data, sizes[s], want, sizeof(want),
					    &want_len));
		memset(buf, 0xEE, sizeof(buf));
		memcpy(buf + IPC_HEADER_SIZE + IPC_BODY_SIZE, data, sizes[s]);
		expect_err("in place", 0,
			   ipc_reply_encode_in_place(&req, 0x6666, 0x7777, IPC_STATUS_FULL, sizes[s], buf, sizeof(buf),
						     &len));
		expect_eq("frame length", want_len, len);
		assert_memory_equal(buf, want, len);
	}
	struct ipc_msg notify = req, zero = req;
	notify.type = IPC_TYPE_NOTIFY;
	zero.nonce = 0;
	const size_t need = IPC_HEADER_SIZE + IPC_BODY_SIZE + 8;
	const struct {
		const char *what;
		const struct ipc_msg *req;
		size_t data_len, cap;
		int err;
	} cases[] = {
		{ "reply to a notify", &notify, 0, IPC_FRAME_MAX, -IPC_ETYPE },
		{ "data one above IPC_DATA_MAX", &req, IPC_DATA_MAX + 1, IPC_FRAME_MAX + 8, -IPC_ETOOBIG },
		{ "reply to nonce 0", &zero, 0, IPC_FRAME_MAX, -IPC_ENONCE },
		{ "one byte too few", &req, 8, need - 1, -IPC_ESPACE },
		{ "exact fit", &req, 8, need, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t big[IPC_FRAME_MAX + 8] = { 0 }, ref[IPC_FRAME_MAX + 8], buf[IPC_FRAME_MAX + 8];
		size_t ref_len = 0, len = 12345;
		expect_err(cases[i].what, cases[i].err,
			   ipc_reply_encode(cases[i].req, 1, 2, 0, big, cases[i].data_len, ref, cases[i].cap, &ref_len));
		memset(buf, 0xEE, sizeof(buf));
		expect_err(cases[i].what, cases[i].err,
			   ipc_reply_encode_in_place(cases[i].req, 1, 2, 0, cases[i].data_len, buf, cases[i].cap, &len));
		if (cases[i].err == 0)
			continue;
		expect_eq("frame_len untouched", 12345, len);
		for (size_t b = 0; b < sizeof(buf); b++)
			expect_eq("buffer untouched", 0xEE, buf[b]);
	}
}

/* ipc_data_copy() copies exactly `n` bytes, word-wise or not, at every pair of alignments. */
static void data_copy_copies_exactly_n_bytes_at_every_alignment(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, 7, 8, 9, 16, 23, IPC_DATA_MAX };
	_Alignas(8) uint8_t src[IPC_DATA_MAX + 8];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(7 * i + 3);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t so = 0; so < 8; so++) {
			for (size_t d = 0; d < 8; d++) {
				_Alignas(8) uint8_t dst[IPC_DATA_MAX + 16];
				memset(dst, 0xEE, sizeof(dst));
				ipc_data_copy(dst + d, src + so, sizes[s]);
				assert_memory_equal(dst + d, src + so, sizes[s]);
				for (size_t i = 0; i < d; i++)
					expect_eq("byte before the copy", 0xEE, dst[i]);
				for (size_t i = d + sizes[s]; i < sizeof(dst); i++)
					expect_eq("byte after the copy", 0xEE, dst[i]);
			}
		}
	}
}

static void le_helpers_round_trip_and_refuse_out_of_bounds(void **state)
{
	(void)state;
	uint8_t buf[14];
	memset(buf, 0, sizeof(buf));
	expect_err("put u16", 0, ipc_put_u16(buf, sizeof(buf), 0, 0xa1b2));
	expect_err("put u32", 0, ipc_put_u32(buf, sizeof(buf), 2, 0xc1c2c3c4));
	expect_err("put u64 ending at the last byte", 0,
		   ipc_put_u64(buf, sizeof(buf), 6, 0x0102030405060708ULL));
	static const uint8_t want[] = { 0xb2, 0xa1, 0xc4, 0xc3, 0xc2, 0xc1, 8, 7, 6, 5, 4, 3, 2, 1 };
	assert_memory_equal(buf, want, sizeof(want));

	uint16_t a = 0;
	uint32_t b = 0;
	uint64_t c = 0;
	expect_err("get u16", 0, ipc_get_u16(buf, sizeof(buf), 0, &a));
	expect_err("get u32", 0, ipc_get_u32(buf, sizeof(buf), 2, &b));
	expect_err("get u64", 0, ipc_get_u64(buf, sizeof(buf), 6, &c));
	expect_eq("u16", 0xa1b2, a);
	expect_eq("u32", 0xc1c2c3c4, b);
	expect_eq("u64", 0x0102030405060708ULL, c);

	expect_err("put u16 one past", -IPC_ESPACE, ipc_put_u16(buf, sizeof(buf), 13, 1));
	expect_err("put u32 one past", -IPC_ESPACE, ipc_put_u32(buf, sizeof(buf), 11, 1));
	expect_err("put u64 one past", -IPC_ESPACE, ipc_put_u64(buf, sizeof(buf), 7, 1));
	expect_err("put at SIZE_MAX", -IPC_ESPACE, ipc_put_u16(buf, sizeof(buf), SIZE_MAX, 1));
	assert_memory_equal(buf, want, sizeof(want));
	expect_err("get u16 one past", -IPC_ESHORT, ipc_get_u16(buf, sizeof(buf), 13, &a));
	expect_err("get u32 one past", -IPC_ESHORT, ipc_get_u32(buf, sizeof(buf), 11, &b));
	expect_err("get u64 one past", -IPC_ESHORT, ipc_get_u64(buf, sizeof(buf), 7, &c));
	expect_err("get at SIZE_MAX - 1", -IPC_ESHORT, ipc_get_u64(buf, sizeof(buf), SIZE_MAX - 1, &c));
	expect_eq("u16 unchanged on error", 0xa1b2, a);
	expect_eq("u64 unchanged on error", 0x0102030405060708ULL, c);
}

static void every_error_and_known_status_has_a_name(void **state)
{
	(void)state;
	for (int e = 0; e < IPC_ERR_COUNT; e++) {
		const char *s = ipc_strerror(-e);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
	}
	assert_string_equal(ipc_strerror(1), "unknown error");
	assert_string_equal(ipc_strerror(-IPC_ERR_COUNT), "unknown error");
	static const char *const want[] = { "ok", "malformed", "unknown", "invalid transition", "full", "denied" };
	for (unsigned s = 0; s <= IPC_STATUS_DENIED; s++)
		assert_string_equal(ipc_status_name(s), want[s]);
	assert_null(ipc_status_name(IPC_STATUS_DENIED + 1));
	assert_null(ipc_status_name(0xffff));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(service_id_matches_fnv1a_64_vectors),
		cmocka_unit_test(header_encodes_little_endian_fields_at_fixed_offsets),
		cmocka_unit_test(msg_encodes_body_little_endian_after_header),
		cmocka_unit_test(msg_round_trips_every_type_with_empty_and_max_data),
		cmocka_unit_test(decode_rejects_every_truncation_of_a_valid_frame),
		cmocka_unit_test(decode_rejects_trailing_bytes),
		cmocka_unit_test(decode_rejects_frames_above_frame_max),
		cmocka_unit_test(decode_rejects_unknown_types_and_reserved_flags),
		cmocka_unit_test(decode_rejects_body_shorter_than_nonce_op_status),
		cmocka_unit_test(decode_applies_nonce_and_status_rules_per_type),
		cmocka_unit_test(decode_of_any_single_byte_corruption_stays_in_bounds),
		cmocka_unit_test(encode_rejects_messages_that_would_be_malformed),
		cmocka_unit_test(encode_never_writes_past_cap),
		cmocka_unit_test(header_encode_rejects_small_buffer_and_invalid_fields),
		cmocka_unit_test(reply_encode_echoes_nonce_and_op_and_addresses_the_stamped_requester),
		cmocka_unit_test(request_encode_gives_the_bytes_of_msg_encode),
		cmocka_unit_test(request_encode_refuses_as_msg_encode_and_writes_nothing),
		cmocka_unit_test(reply_match_takes_exactly_the_reply_decode_accepts),
		cmocka_unit_test(request_match_takes_exactly_the_request_decode_accepts),
		cmocka_unit_test(reply_encode_in_place_gives_the_bytes_of_reply_encode),
		cmocka_unit_test(data_copy_copies_exactly_n_bytes_at_every_alignment),
		cmocka_unit_test(le_helpers_round_trip_and_refuse_out_of_bounds),
		cmocka_unit_test(codec_gives_the_same_bytes_at_every_buffer_alignment),
		cmocka_unit_test(decode_writes_nothing_for_a_refused_frame),
		cmocka_unit_test(every_error_and_known_status_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
