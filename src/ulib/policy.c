#include "nx_manifest.h"

/* The slice [from, to) of the table: both bounded by its size here, once, so that a check
 * walks a slice without a bound of its own. */
static struct nx_policy_slice slice(unsigned from, unsigned to)
{
	if (to > NX_POLICY_RULE_COUNT)
		to = NX_POLICY_RULE_COUNT;
	if (from > to)
		from = to;
	const struct nx_policy_slice s = { .from = nx_policy_rules + from, .to = nx_policy_rules + to };
	return s;
}

int nx_policy_slice_allows(struct nx_policy_slice slice, uint64_t service_id, uint16_t op, uint64_t caller_id)
{
	for (const struct nx_policy_rule *r = slice.from; r < slice.to; r++) {
		if (r->service_id == service_id && r->op == op &&
		    (r->caller_id == NX_POLICY_ANY || r->caller_id == caller_id))
			return 1;
	}
	return 0;
}

int nx_policy_allows(uint64_t service_id, uint16_t op, uint64_t caller_id)
{
	return nx_policy_slice_allows(slice(0, NX_POLICY_RULE_COUNT), service_id, op, caller_id);
}

struct nx_policy_slice nx_policy_slice_of(uint64_t service_id)
{
	unsigned from = 0, to = 0;
	for (unsigned i = 0; i < NX_POLICY_RULE_COUNT; i++) {
		if (nx_policy_rules[i].service_id != service_id)
			continue;
		if (to == 0)
			from = i;
		to = i + 1;
	}
	return slice(from, to);
}
