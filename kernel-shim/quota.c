#include "quota.h"

int ks_quota_init(struct ks_quota *q, const struct ks_quota_cfg *cfg)
{
	if (cfg->period == 0)
		return -NX_EINVAL;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		if (cfg->limit[c] == 0)
			return -NX_EINVAL;
		q->used[c] = 0;
	}
	q->cfg = *cfg;
	q->start = 0;
	q->throttled = 0;
	return 0;
}

/* Move to the period `now` falls in; a new period starts with nothing used. */
static void roll(struct ks_quota *q, uint64_t now)
{
	if (now < q->start || now - q->start < q->cfg.period)
		return;
	q->start = now - (now - q->start) % q->cfg.period;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++)
		q->used[c] = 0;
	q->throttled = 0;
}

/* Time class `qos` and the classes above it used together in the current period. */
static uint64_t used_up_to(const struct ks_quota *q, unsigned qos)
{
	uint64_t sum = 0;
	for (unsigned c = 0; c <= qos; c++)
		sum = q->used[c] <= UINT64_MAX - sum ? sum + q->used[c] : UINT64_MAX;
	return sum;
}

void ks_quota_charge(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t ticks)
{
	if (qos >= NX_QOS_COUNT)
		return;
	roll(q, now);
	q->used[qos] = ticks <= UINT64_MAX - q->used[qos] ? q->used[qos] + ticks : UINT64_MAX;
	/* Only a charge changes what is used, so the throttled set is worked out here, once,
	 * and the scheduler's frequent looks (ks_quota_throttled) cost a compare. */
	unsigned mask = 0;
	uint64_t sum = 0;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		sum = q->used[c] <= UINT64_MAX - sum ? sum + q->used[c] : UINT64_MAX;
		if (q->cfg.limit[c] < q->cfg.period && sum >= q->cfg.limit[c])
			mask |= 1u << c;
	}
	q->throttled = mask;
}

unsigned ks_quota_throttled(struct ks_quota *q, uint64_t now)
{
	roll(q, now);
	return q->throttled;
}

uint64_t ks_quota_until(struct ks_quota *q, uint64_t now, unsigned qos)
{
	if (qos >= NX_QOS_COUNT || q->cfg.limit[qos] >= q->cfg.period)
		return UINT64_MAX;
	roll(q, now);
	const uint64_t used = used_up_to(q, qos);
	if (used >= q->cfg.limit[qos] || now < q->start)
		return UINT64_MAX;
	const uint64_t at = now + (q->cfg.limit[qos] - used);
	return at - q->start < q->cfg.period ? at : UINT64_MAX;
}
