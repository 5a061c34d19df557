/*
 * Frama-C Eva harness: the RFC-0025 route helper (src/ipc/route.c, with the codec) over a
 * transport that does anything its contract in ipc/route.h allows: a send accepted, queue
 * full or failed; a receive that times out, fails, or brings any bytes from any sender with
 * any length (beyond the buffer included); any clock value, in any order. Each entry point is
 * one analysis (scripts/prove.sh runs them with -main).
 *
 * main_route gives every argument its whole range: any client state, any name, data and
 * reply buffers of any length, NULL pointers included, any options or NULL. The other entry
 * points check that the helper reads and writes only the bytes it was given: the buffer under
 * test is the last `n` bytes of a larger array, `n` split into one state per value, so an
 * access past them leaves the array. What this proves: docs/reliability.md.
 */
#include "prove_any.h"

#include <stdbool.h>

#include "ipc/route.h"

/* Longest buffer a harness hands over: beyond every limit the helper checks. */
#define STORE (IPC_FRAME_MAX + 8)
#define NAME_STORE (IPC_SERVICE_NAME_MAX + 8)

static uint8_t data_store[STORE];
static uint8_t reply_store[STORE];
static char name_store[NAME_STORE];

/* Any failure: one of the named ones or any other negative value. (A positive one takes the
 * helper's paths of an unnamed negative one; an interval of both would hold 0 too, and Eva
 * could not keep a failed receive apart from one that wrote the buffer.) */
static int any_error(void)
{
	return Frama_C_interval(INT32_MIN, -1);
}

/* Any result: 0 or any failure, as states of their own (prove_route.eva splits on 0). */
static int any_result(void)
{
	return Frama_C_nondet(0, 1) ? 0 : any_error();
}

static int t_send(void *ctx, uint64_t dst_id, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)dst_id;
	//@ assert frame_readable: len <= IPC_FRAME_MAX && \valid_read(frame + (0 .. len - 1));
	return any_result();
}

static int t_recv_reply(void *ctx, uint8_t *buf, size_t cap, uint64_t deadline_ms, size_t *len,
			uint64_t *sender_id)
{
	(void)ctx;
	(void)deadline_ms;
	/* Any bytes, even when the receive fails (what the helper then finds in `buf` it must
	 * not use: shown by the outcomes, not here). */
	Frama_C_make_unknown((char *)buf, cap);
	if (Frama_C_nondet(0, 1))
		return any_error();
	/* Any length: one beyond `cap` breaks the contract, yet may come. */
	*len = any_size();
	*sender_id = any_u64();
	return 0;
}

static int t_call(void *ctx, uint64_t dst_id, uint8_t *buf, size_t len, size_t cap, uint64_t deadline_ms,
		  size_t *rlen, uint64_t *sender_id)
{
	//@ assert call_buffer: len <= cap && cap == IPC_FRAME_MAX && \valid(buf + (0 .. cap - 1));
	(void)t_send(ctx, dst_id, buf, len);
	return t_recv_reply(ctx, buf, cap, deadline_ms, rlen, sender_id);
}

static uint64_t t_now_ms(void *ctx)
{
	(void)ctx;
	return any_u64();
}

static void t_yield(void *ctx)
{
	(void)ctx;
}

/* A client in any state, over a transport with the combined call op or without, as
 * `with_call` says, and with or without the yield op. */
static void any_client(struct ipc_client *c, struct ipc_transport_ops *ops, bool with_call)
{
	*ops = (struct ipc_transport_ops){
		.send = t_send,
		.recv_reply = t_recv_reply,
		.call = with_call ? t_call : NULL,
		.now_ms = t_now_ms,
		.yield = Frama_C_nondet(0, 1) ? t_yield : NULL,
	};
	const struct ipc_transport t = { .ops = ops };
	ipc_client_init(c, t, any_u64());
	c->next_nonce = any_u32();
}

/* NULL or any options. */
static const struct ipc_route_opts *any_opts(struct ipc_route_opts *o)
{
	*o = (struct ipc_route_opts){
		.timeout_ms = any_u64(),
		.budget = { any_u32() },
		.clock_every_spins = any_u32(),
	};
	return Frama_C_nondet(0, 1) ? o : NULL;
}

/* One call with these buffers and everything else anything; what every outcome satisfies.
 * (That the reply stays within `reply_cap` is shown by main_route_reply: a write past it
 * would leave reply_store.) */
static void route_with(bool with_call, const char *name, size_t name_len, const uint8_t *data, size_t data_len,
		       uint8_t *reply, size_t reply_cap)
{
	struct ipc_client c;
	struct ipc_transport_ops ops;
	struct ipc_route_opts o;
	any_client(&c, &ops, with_call);
	const struct ipc_outcome out = ipc_route_with_nonce_budgeted(&c, name, name_len, (uint16_t)any_u32(), data,
								     data_len, reply, reply_cap, any_opts(&o));
	//@ assert kind: out.kind < IPC_OUTCOME_COUNT;
	//@ assert reply_len: out.reply_len <= IPC_DATA_MAX;
	//@ assert dropped: out.dropped <= IPC_MAX_DROPPED;
	(void)ipc_outcome_name(out.kind);
}

/* route_with() over either kind of transport (chosen here, as an argument: a choice inside
 * any_client() leaves Eva with states in which a frame the call received looks like the
 * request frame, written only in part). */
static void route_once(const char *name, size_t name_len, const uint8_t *data, size_t data_len, uint8_t *reply,
		       size_t reply_cap)
{
	route_with(Frama_C_nondet(0, 1), name, name_len, data, data_len, reply, reply_cap);
}

/*
 * Every argument anything, NULL pointers included: each combination of NULL and non-NULL
 * pointers is a call of its own (the loop is unrolled), with lengths of any value.
 */
void main_route(void)
{
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 10; */
	for (unsigned nulls = 0; nulls < 8; nulls++)
		route_once(nulls & 1 ? NULL : name_store, any_size(), nulls & 2 ? NULL : data_store, any_size(),
			   nulls & 4 ? NULL : reply_store, any_size());
	(void)ipc_outcome_name((enum ipc_outcome_kind)Frama_C_interval(0, IPC_OUTCOME_COUNT + 1));
}

/* The name is read only within its `service_len` bytes, for every length up to beyond the
 * limit: the last `len` bytes of name_store, one call per length. */
void main_route_name(void)
{
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 100; */
	for (size_t len = 0; len <= NAME_STORE; len++)
		route_once(name_store + (NAME_STORE - len), len, data_store, any_size(), reply_store, any_size());
}

/* The data is read only within its `data_len` bytes, for every length up to beyond the limit. */
void main_route_data(void)
{
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t len = 0; len <= STORE; len++)
		route_with(true, name_store, any_size(), data_store + (STORE - len), len, reply_store, any_size());
}

/* The reply is written only within its `reply_cap` bytes, for every capacity up to beyond
 * the limit. */
void main_route_reply(void)
{
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	/*@ loop pragma UNROLL 300; */
	for (size_t cap = 0; cap <= STORE; cap++)
		route_with(true, name_store, any_size(), data_store, any_size(), reply_store + (STORE - cap), cap);
}
