#include "quota.h"

int ks_quota_init(struct ks_quota *q, const struct ks_quota_cfg *cfg)
{
	if (cfg->period == 0)
		return -NX_EINVAL;
	uint64_t fresh_room = UINT64_MAX;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		if (cfg->limit[c] == 0)
			return -NX_EINVAL;
		if (cfg->limit[c] < cfg->period && cfg->limit[c] < fresh_room)
			fresh_room = cfg->limit[c];
		q->used[c] = 0;
	}
	q->cfg = *cfg;
	q->start = 0;
	q->end = cfg->period;
	q->throttled = 0;
	q->fresh_room = fresh_room;
	q->room = fresh_room;
	return 0;
}

/* a + b, or UINT64_MAX if that does not fit. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a <= UINT64_MAX - b ? a + b : UINT64_MAX;
}

/* Move to the period `now` falls in; a new period starts with nothing used. */
static void roll(struct ks_quota *q, uint64_t now)
{
	if (now < q->start || now - q->start < q->cfg.period)
		return;
	q->start = now - (now - q->start) % q->cfg.period;
	q->end = sat_add(q->start, q->cfg.period);
	for (unsigned c = 0; c < NX_QOS_COUNT; c++)
		q->used[c] = 0;
	q->throttled = 0;
	q->room = q->fresh_room;
}

/* Time class `qos` and the classes above it used together in the current period. */
static uint64_t used_up_to(const struct ks_quota *q, unsigned qos)
{
	uint64_t sum = 0;
	for (unsigned c = 0; c <= qos; c++)
		sum = sat_add(sum, q->used[c]);
	return sum;
}

void ks_quota_charge_full(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t ticks)
{
	if (qos >= NX_QOS_COUNT)
		return;
	roll(q, now);
	q->used[qos] = sat_add(q->used[qos], ticks);
	/* A charge adds to the sums of its class and the classes below it, so no class reaches
	 * its limit while the charges stay below the room: most charges (each trap) stop here. */
	if (ticks < q->room) {
		q->room -= ticks;
		return;
	}
	/* Only a charge changes what is used, so the throttled set and the room are worked out
	 * here, and the scheduler's frequent looks (ks_quota_throttled) cost a compare. */
	unsigned mask = 0;
	uint64_t sum = 0, room = UINT64_MAX;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		sum = sat_add(sum, q->used[c]);
		if (q->cfg.limit[c] >= q->cfg.period)
			continue;
		if (sum >= q->cfg.limit[c])
			mask |= 1u << c;
		else if (q->cfg.limit[c] - sum < room)
			room = q->cfg.limit[c] - sum;
	}
	q->throttled = mask;
	/* While a class is throttled every charge works the set out again (a room of 0): so a
	 * room above a charge also says that no class is throttled (ks_quota_fits_quick). */
	q->room = mask != 0 ? 0 : room;
}

unsigned ks_quota_throttled_full(struct ks_quota *q, uint64_t now)
{
	roll(q, now);
	return q->throttled;
}

uint64_t ks_quota_until_full(struct ks_quota *q, uint64_t now, unsigned qos, uint64_t cap)
{
	if (qos >= NX_QOS_COUNT || q->cfg.limit[qos] >= q->cfg.period)
		return cap;
	roll(q, now);
	/* The class has at least the room left: nothing to work out before that. */
	if (now < q->start || (q->room <= UINT64_MAX - now && now + q->room >= cap))
		return cap;
	const uint64_t used = used_up_to(q, qos);
	if (used >= q->cfg.limit[qos])
		return cap;
	const uint64_t at = now + (q->cfg.limit[qos] - used);
	return at - q->start < q->cfg.period && at < cap ? at : cap;
}
