/*
 * A scripted fake of struct ipc_transport for the route tests. The script says what each
 * send returns and which messages arrive on the reply queue, and when; a fake clock advances
 * by a fixed cost per call. Every call is counted, and every deadline given to recv_reply is
 * recorded.
 */
#ifndef TESTS_IPC_FAKE_TRANSPORT_H
#define TESTS_IPC_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/route.h"

#define FAKE_SENDS_MAX 16
#define FAKE_REPLIES_MAX 80
/* Bytes a scripted message can hold: more than a frame, to script oversized ones. */
#define FAKE_FRAME_CAP (IPC_FRAME_MAX + 8)
/* More calls than this in one test fail it: a loop in the helper is not bounded. */
#define FAKE_CALLS_LIMIT 100000u

/* One scripted receive: a message (or an error) that can be taken once the clock reaches `at_ms`. */
struct fake_delivery {
	uint64_t at_ms;
	uint64_t sender; /* the kernel-stamped sender id */
	int err;         /* nonzero: recv_reply returns this instead of a message */
	size_t len;      /* reported length; may exceed the receive buffer */
	uint8_t bytes[FAKE_FRAME_CAP];
};

struct fake {
	/* Script. */
	int send_script[FAKE_SENDS_MAX]; /* results of the first sends */
	size_t n_send_script;
	int send_then; /* result of every later send */
	struct fake_delivery deliveries[FAKE_REPLIES_MAX];
	size_t n_deliveries;
	bool repeat_last; /* once the script is used up, deliver its last entry forever */
	bool no_yield;    /* the transport has no yield op */
	bool with_call;   /* the transport has a call op: send, then on success recv_reply */
	uint64_t now;     /* the clock */
	struct ipc_transport_ops ops; /* what fake_transport() hands out, by the flags above */
	uint64_t send_cost_ms, yield_cost_ms, now_cost_ms;

	/* Observations. */
	unsigned sends, recvs, now_reads, yields, calls;
	size_t next_delivery;
	uint64_t first_deadline, max_deadline;
	bool deadlines_differ;
	uint64_t last_dst;
	uint8_t last_frame[IPC_FRAME_MAX];
	size_t last_len;
};

/* An empty script: sends succeed, nothing arrives, the clock stands at `now`. */
void fake_init(struct fake *f, uint64_t now);
/* Script the results of the next sends, in order. */
void fake_sends(struct fake *f, const int *results, size_t n);
/* Script a message of `len` raw bytes at `bytes` (at most FAKE_FRAME_CAP). */
void fake_raw(struct fake *f, uint64_t at_ms, uint64_t sender, const uint8_t *bytes, size_t len);
/* Script the frame encoding `m`. */
void fake_msg(struct fake *f, uint64_t at_ms, uint64_t sender, const struct ipc_msg *m);
/* Script a reply frame with `data_len` bytes of 0xA5 as data. */
void fake_reply(struct fake *f, uint64_t at_ms, uint64_t sender, uint32_t nonce, uint16_t status,
		size_t data_len);
/* Script a receive that fails with `err`. */
void fake_recv_error(struct fake *f, uint64_t at_ms, int err);
/* The transport over `f`. */
struct ipc_transport fake_transport(struct fake *f);
/* Decode the last frame sent; fails the test if it does not decode. */
struct ipc_msg fake_last_request(const struct fake *f);

#endif
