/* metricsd: bounded counters (see include/proto/metrics.h for the protocol and the bounds). */
#include <stdio.h>

#include "ipc/wire.h"
#include "proto/metrics.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"


struct series {
	uint16_t metric;
	uint16_t label;
	uint64_t value;
};

struct metricsd {
	struct nx_server srv;
	struct series s[METRICS_MAX_SERIES];
	uint32_t count;
	uint32_t dropped;
	uint32_t rejected;
};

static struct series *find(struct metricsd *m, uint16_t metric, uint16_t label)
{
	for (uint32_t i = 0; i < m->count; i++) {
		if (m->s[i].metric == metric && m->s[i].label == label)
			return &m->s[i];
	}
	return NULL;
}

static uint16_t reply_value(uint64_t v, uint8_t *out, size_t *out_len)
{
	if (ipc_put_u64(out, IPC_DATA_MAX, 0, v) != 0)
		return IPC_STATUS_MALFORMED;
	*out_len = 8;
	return IPC_STATUS_OK;
}

static uint16_t do_add(struct metricsd *m, uint16_t metric, uint16_t label, const struct nx_request *r,
		       uint8_t *out, size_t *out_len)
{
	uint32_t delta;
	if (r->len != 8 || ipc_get_u32(r->data, r->len, 4, &delta) != 0)
		return IPC_STATUS_MALFORMED;
	struct series *s = find(m, metric, label);
	if (s == NULL) {
		if (m->count >= METRICS_MAX_SERIES) {
			nx_count32(&m->dropped);
			return IPC_STATUS_FULL;
		}
		s = &m->s[m->count++];
		*s = (struct series){ .metric = metric, .label = label };
	}
	s->value = s->value > UINT64_MAX - delta ? UINT64_MAX : s->value + delta;
	return reply_value(s->value, out, out_len);
}

static uint16_t metricsd_request(void *ctx, const struct nx_request *r, uint8_t *out, size_t *out_len)
{
	struct metricsd *m = ctx;
	if (r->op == METRICSD_OP_STATS) {
		const uint32_t v[] = { m->count, m->dropped, m->rejected };
		for (unsigned i = 0; i < 3; i++) {
			if (ipc_put_u32(out, IPC_DATA_MAX, 4 * i, v[i]) != 0)
				return IPC_STATUS_MALFORMED;
		}
		*out_len = sizeof v;
		return IPC_STATUS_OK;
	}
	if (r->op != METRICSD_OP_ADD && r->op != METRICSD_OP_GET)
		return IPC_STATUS_UNKNOWN;
	uint16_t metric, label;
	if (ipc_get_u16(r->data, r->len, 0, &metric) != 0 || ipc_get_u16(r->data, r->len, 2, &label) != 0 ||
	    metric >= NX_METRIC_COUNT || label >= METRICS_LABEL_MAX) {
		nx_count32(&m->rejected);
		return IPC_STATUS_MALFORMED;
	}
	if (r->op == METRICSD_OP_ADD)
		return do_add(m, metric, label, r, out, out_len);
	if (r->len != 4)
		return IPC_STATUS_MALFORMED;
	const struct series *s = find(m, metric, label);
	return s == NULL ? IPC_STATUS_UNKNOWN : reply_value(s->value, out, out_len);
}

static struct metricsd md;

int main(void)
{
	nx_server_init(&md.srv, NX_SVC_METRICSD);
	const struct nx_server_ops ops = { .request = metricsd_request };
	printf("metricsd: ready series_max=%u\n", (unsigned)METRICS_MAX_SERIES);
	return nx_serve_forever(&md.srv, &ops, &md) < 0;
}
