/**
 * @file proto/metrics.h
 * metricsd's bounded counters: a series is (metric, label), both from closed sets, and at
 * most METRICS_MAX_SERIES series exist. Adding to a new series when the table is full is
 * refused with FULL and counted as dropped; an unknown metric or label is MALFORMED and
 * counted as rejected. Counters saturate.
 *
 * add:   metric u16, label u16, delta u32 -> reply: value u64
 * get:   metric u16, label u16            -> reply: value u64 (UNKNOWN if no such series)
 * stats:                                  -> reply: series u32, dropped u32, rejected u32
 */
#ifndef PROTO_METRICS_H
#define PROTO_METRICS_H

/** The closed set of metrics. */
enum nx_metric {
	NX_METRIC_ABILITY_STARTS = 0,
	NX_METRIC_ABILITY_CRASHES = 1,
	NX_METRIC_ABILITY_KILLS = 2,
	NX_METRIC_IPC_DENIALS = 3,
	NX_METRIC_SELFTEST = 4,
	NX_METRIC_COUNT
};

/** Labels are small ids (an ability's index in the manifest, a service's index). */
#define METRICS_LABEL_MAX 32
/** Most series metricsd keeps. */
#define METRICS_MAX_SERIES 16

#endif
