/* Service proofs: entropy through virtio-rng, bounded metrics. */
#include <stdio.h>
#include <string.h>

#include "client/keystore.h"
#include "ipc/wire.h"
#include "proto/metrics.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

static void metrics_stats(struct st *st, uint32_t out[3])
{
	uint8_t r[12];
	struct ipc_outcome o = st_call(st, NX_SVC_METRICSD, METRICSD_OP_STATS, NULL, 0, r, sizeof r, NULL);
	st_expect_success(&o, "metricsd stats");
	for (unsigned i = 0; i < 3; i++)
		ST_CHECK(ipc_get_u32(r, sizeof r, 4 * i, &out[i]) == 0, "metricsd stats decode");
}

static uint16_t metrics_add(struct st *st, uint16_t metric, uint16_t label)
{
	uint8_t q[8];
	ST_CHECK(ipc_put_u16(q, 8, 0, metric) == 0 && ipc_put_u16(q, 8, 2, label) == 0 && ipc_put_u32(q, 8, 4, 1) == 0,
		 "metrics encode");
	uint8_t value[8];
	struct ipc_outcome o = st_call(st, NX_SVC_METRICSD, METRICSD_OP_ADD, q, sizeof q, value, sizeof value, NULL);
	ST_CHECK(o.kind == IPC_OUTCOME_SUCCESS || o.kind == IPC_OUTCOME_REJECTED, "metrics add: %s",
		 ipc_outcome_name(o.kind));
	return o.kind == IPC_OUTCOME_SUCCESS ? IPC_STATUS_OK : o.status;
}

/* More series than metricsd keeps: the excess is refused with FULL and counted as dropped;
 * a label outside the closed set is refused as MALFORMED. */
static void metrics_bounded(struct st *st)
{
	uint32_t before[3], after[3];
	metrics_stats(st, before);
	unsigned ok = 0, full = 0;
	for (uint16_t label = 0; label < METRICS_LABEL_MAX; label++) {
		uint16_t status = metrics_add(st, NX_METRIC_SELFTEST, label);
		ST_CHECK(status == IPC_STATUS_OK || status == IPC_STATUS_FULL, "metrics: add gave status %u", status);
		status == IPC_STATUS_OK ? ok++ : full++;
	}
	ST_CHECK(metrics_add(st, NX_METRIC_SELFTEST, METRICS_LABEL_MAX) == IPC_STATUS_MALFORMED,
		 "metrics: label outside the closed set accepted");
	ST_CHECK(metrics_add(st, NX_METRIC_COUNT, 0) == IPC_STATUS_MALFORMED, "metrics: unknown metric accepted");
	metrics_stats(st, after);
	ST_CHECK(after[0] == METRICS_MAX_SERIES && ok == METRICS_MAX_SERIES - before[0] && full == METRICS_LABEL_MAX - ok,
		 "metrics: %u series, %u accepted, %u full", after[0], ok, full);
	ST_CHECK(after[1] == before[1] + full && after[2] == before[2] + 2, "metrics: dropped %u rejected %u",
		 after[1] - before[1], after[2] - before[2]);
	printf("SELFTEST: metrics bounded ok\n");
}

#define RNG_READ 32
#define RNG_ROUNDS 2

/* Entropy read through rngd, the kernel and the modern virtio-rng device is exactly the
 * backend file's bytes, in order: the second read proves the ring and offset advance. The
 * only reader before selftest is keystored, which says how many bytes it took. */
static void virtio_rng(struct st *st)
{
	struct keystore_stats ks;
	const int rc = keystore_stats(&st->client, &ks, 0);
	ST_CHECK(rc == 0, "virtio-rng: keystored stats: %s", keystore_strerror(rc));
	for (unsigned round = 0; round < RNG_ROUNDS; round++) {
		uint8_t q[4], bytes[RNG_READ];
		ST_CHECK(ipc_put_u32(q, sizeof q, 0, RNG_READ) == 0, "rng encode");
		struct ipc_outcome o = st_call(st, NX_SVC_RNGD, RNGD_OP_READ, q, sizeof q, bytes, sizeof bytes, NULL);
		st_expect_success(&o, "virtio-rng: rngd read");
		ST_CHECK(o.reply_len == RNG_READ, "virtio-rng: %zu bytes, want %u", o.reply_len, RNG_READ);
		const size_t off = ks.entropy_bytes + (size_t)round * RNG_READ;
		ST_CHECK(off + RNG_READ <= st_rng_seed_len, "virtio-rng: seed file too short");
		for (size_t i = 0; i < RNG_READ; i++)
			ST_CHECK(bytes[i] == st_rng_seed[off + i], "virtio-rng: byte %zu is 0x%02x, file has 0x%02x", off + i,
				 bytes[i], st_rng_seed[off + i]);
	}
	printf("SELFTEST: virtio-rng ok\n");
}

/*
 * The end of the default profile: every service still answers, and selftest, their
 * supervisor, was told of no service's end (this lane kills none).
 */
void st_services_answer(struct st *st)
{
	static const char *const services[] = { NX_SVC_EXECD,    NX_SVC_STATEFSD, NX_SVC_KEYSTORED, NX_SVC_APPMGRD,
						NX_SVC_UPDATED,  NX_SVC_RNGD,     NX_SVC_TIMED,     NX_SVC_POLICYD,
						NX_SVC_METRICSD, NX_SVC_ECHO,     NX_SVC_LIAR };
	const size_t count = sizeof services / sizeof services[0];
	st_take_notices(st, NX_DEADLINE_NOW);
	for (unsigned i = 0; i < st->notice_count; i++) {
		for (size_t j = 0; j < count; j++)
			ST_CHECK(st->notices[i].service_id != ipc_service_id(services[j], strlen(services[j])),
				 "services answer: %s ended (reason %u cause %u code %d)", services[j],
				 (unsigned)st->notices[i].reason, (unsigned)st->notices[i].cause,
				 (int)st->notices[i].exit_code);
	}
	for (size_t i = 0; i < count; i++) {
		uint32_t stats[5];
		st_server_stats(st, services[i], stats);
	}
	printf("SELFTEST: services answer ok services=%zu\n", count);
}

void st_service_checks(struct st *st)
{
	virtio_rng(st);
	metrics_bounded(st);
}
