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
#include "__fc_builtin.h"

#include "ipc/route.h"

/* Longest buffer a harness hands over: beyond every limit the helper checks. */
#define STORE (IPC_FRAME_MAX + 8)
#define NAME_STORE (IPC_SERVICE_NAME_MAX + 8)

static uint8_t data_store[STORE];
static uint8_t reply_store[STORE];
static char name_store[NAME_STORE];

static uint64_t any_u64(void)
{
	return Frama_C_unsigned_long_interval(0, UINT64_MAX);
}

static uint32_t any_u32(void)
{
	return Frama_C_unsigned_int_interval(0, UINT32_MAX);
}

static size_t any_size(void)
{
	return Frama_C_size_t_interval(0, SIZE_MAX);
}

/* Any result: 0, the named ones, or any other value, which is an error. */
static int any_result(void)
{
	return Frama_C_interval(INT32_MIN, INT32_MAX);
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
	int rc = any_result();
	if (rc == 0) {
		/* Any bytes, and any length: one beyond `cap` breaks the contract, yet may come. */
		Frama_C_make_unknown((char *)buf, cap);
		*len = any_size();
		*sender_id = any_u64();
	}
	return rc;
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

static const struct ipc_transport_ops ops_with_yield = {
	.send = t_send, .recv_reply = t_recv_reply, .now_ms = t_now_ms, .yield = t_yield,
};

static const struct ipc_transport_ops ops_without_yield = {
	.send = t_send, .recv_reply = t_recv_reply, .now_ms = t_now_ms,
};

/* A client in any state, over either transport. */
static void any_client(struct ipc_client *c)
{
	const struct ipc_transport t = {
		.ops = Frama_C_nondet(0, 1) ? &ops_with_yield : &ops_without_yield,
	};
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

/* What every outcome satisfies; `reply_cap` is checked where the harness knows it exactly. */
static void check_outcome(const struct ipc_outcome *o)
{
	//@ assert kind: o->kind < IPC_OUTCOME_COUNT;
	//@ assert reply_len: o->reply_len <= IPC_DATA_MAX;
	//@ assert dropped: o->dropped <= IPC_MAX_DROPPED;
	(void)ipc_outcome_name(o->kind);
}

/*
 * Every argument anything, NULL pointers included. The state is split by which pointers are
 * NULL and by whether the name's length is within the limit, so that Eva keeps apart the cases
 * the helper's first test tells apart.
 */
void main_route(void)
{
	struct ipc_client c;
	struct ipc_route_opts o;
	struct ipc_outcome out;
	any_client(&c);
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	int null_name = Frama_C_nondet(0, 1);
	int null_data = Frama_C_nondet(0, 1);
	int null_reply = Frama_C_nondet(0, 1);
	size_t name_len = any_size();
	//@ split null_name;
	//@ split null_data;
	//@ split null_reply;
	//@ split name_len <= IPC_SERVICE_NAME_MAX;
	out = ipc_route_with_nonce_budgeted(&c, null_name ? NULL : name_store, name_len,
					    (uint16_t)any_u32(), null_data ? NULL : data_store,
					    any_size(), null_reply ? NULL : reply_store, any_size(),
					    any_opts(&o));
	check_outcome(&out);
	(void)ipc_outcome_name((enum ipc_outcome_kind)Frama_C_interval(0, IPC_OUTCOME_COUNT + 1));
}

/* The name is read only within its `service_len` bytes, for every length up to beyond the limit. */
void main_route_name(void)
{
	struct ipc_client c;
	struct ipc_route_opts o;
	struct ipc_outcome out;
	any_client(&c);
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	size_t name_len = Frama_C_size_t_interval(0, NAME_STORE);
	size_t reply_cap = any_size();
	//@ split name_len;
	out = ipc_route_with_nonce_budgeted(
		&c, name_store + (NAME_STORE - name_len), name_len, (uint16_t)any_u32(), data_store,
		any_size(), reply_store, reply_cap, any_opts(&o));
	check_outcome(&out);
	//@ assert reply_fits: out.reply_len <= reply_cap;
}

/* The data is read only within its `data_len` bytes, for every length up to beyond the limit. */
void main_route_data(void)
{
	struct ipc_client c;
	struct ipc_route_opts o;
	struct ipc_outcome out;
	any_client(&c);
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	size_t data_len = Frama_C_size_t_interval(0, STORE);
	size_t reply_cap = any_size();
	//@ split data_len;
	out = ipc_route_with_nonce_budgeted(
		&c, name_store, any_size(), (uint16_t)any_u32(), data_store + (STORE - data_len),
		data_len, reply_store, reply_cap, any_opts(&o));
	check_outcome(&out);
	//@ assert reply_fits: out.reply_len <= reply_cap;
}

/* The reply is written only within its `reply_cap` bytes, for every capacity up to beyond the limit. */
void main_route_reply(void)
{
	struct ipc_client c;
	struct ipc_route_opts o;
	struct ipc_outcome out;
	any_client(&c);
	Frama_C_make_unknown(name_store, NAME_STORE);
	Frama_C_make_unknown((char *)data_store, STORE);
	size_t reply_cap = Frama_C_size_t_interval(0, STORE);
	//@ split reply_cap;
	out = ipc_route_with_nonce_budgeted(
		&c, name_store, any_size(), (uint16_t)any_u32(), data_store, any_size(),
		reply_store + (STORE - reply_cap), reply_cap, any_opts(&o));
	check_outcome(&out);
	//@ assert reply_fits: out.reply_len <= reply_cap;
}
