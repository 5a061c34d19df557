/*
 * Benchmarks run in the guest (profile=bench, scripts/bench.sh; SMP=1 so that one hart's
 * instret counts the whole round trip: client, kernel and server).
 */
#include <stdio.h>

#include "ipc/wire.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

#define RT_WARMUP 8
#define RT_CALLS 64u

static uint64_t rdinstret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* Guest instructions for one echo request/reply through the RFC-0025 helper and the kernel. */
static void ipc_roundtrip(struct st *st)
{
	/* Eight bytes of data, aligned as a message of words would be. */
	_Alignas(8) static const uint8_t ping[8] = "ping-rt";
	_Alignas(8) uint8_t back[sizeof ping];
	uint64_t total = 0;
	for (unsigned i = 0; i < RT_WARMUP + RT_CALLS; i++) {
		const uint64_t before = rdinstret();
		struct ipc_outcome o = st_call(st, NX_SVC_ECHO, ECHO_OP_ECHO, ping, sizeof ping, back, sizeof back, NULL);
		const uint64_t after = rdinstret();
		st_expect_success(&o, "bench echo");
		if (i >= RT_WARMUP)
			total += after - before;
	}
	printf("bench: ipc roundtrip instret=%llu calls=%u\n", (unsigned long long)(total / RT_CALLS), RT_CALLS);
}

/* Phases of src/fixture/fixture.c's bench sleepers: 8 BG tasks (200 ms slack) from 3 s,
 * 8 SYS tasks (no slack) from 8 s, each 10 sleeps on the same schedule; then a phase with
 * no sleepers, whose interrupts are the background the other two also contain. */
static const struct {
	const char *name;
	uint64_t from_ms, to_ms;
} phases[] = {
	{ "bg_slack", 2900, 7000 },
	{ "no_slack", 7900, 12000 },
	{ "idle", 12900, 17000 },
};

static void timer_slack(void)
{
	uint64_t irqs[3];
	for (unsigned i = 0; i < 3; i++) {
		struct nx_kstats a, b;
		(void)nx_sleep_until(phases[i].from_ms);
		ST_CHECK(nx_kstats(&a) == 0, "bench kstats");
		(void)nx_sleep_until(phases[i].to_ms);
		ST_CHECK(nx_kstats(&b) == 0, "bench kstats");
		irqs[i] = b.timer_wake_irqs - a.timer_wake_irqs;
	}
	printf("bench: timer wake irqs sleepers=8 sleeps=10 bg_slack=%llu no_slack=%llu idle=%llu\n",
	       (unsigned long long)irqs[0], (unsigned long long)irqs[1], (unsigned long long)irqs[2]);
}

void st_bench(struct st *st)
{
	ipc_roundtrip(st);
	timer_slack();
}
