#include "nx_manifest.h"

int nx_policy_slice_allows(struct nx_policy_slice slice, uint64_t service_id, uint16_t op, uint64_t caller_id)
{
	for (unsigned i = slice.from; i < slice.to && i < NX_POLICY_RULE_COUNT; i++) {
		const struct nx_policy_rule *r = &nx_policy_rules[i];
		if (r->service_id == service_id && r->op == op &&
		    (r->caller_id == NX_POLICY_ANY || r->caller_id == caller_id))
			return 1;
	}
	return 0;
}

int nx_policy_allows(uint64_t service_id, uint16_t op, uint64_t caller_id)
{
	const struct nx_policy_slice all = { .from = 0, .to = NX_POLICY_RULE_COUNT };
	return nx_policy_slice_allows(all, service_id, op, caller_id);
}

struct nx_policy_slice nx_policy_slice_of(uint64_t service_id)
{
	struct nx_policy_slice slice = { .from = 0, .to = 0 };
	for (unsigned i = 0; i < NX_POLICY_RULE_COUNT; i++) {
		if (nx_policy_rules[i].service_id != service_id)
			continue;
		if (slice.to == 0)
			slice.from = (uint16_t)i;
		slice.to = (uint16_t)(i + 1);
	}
	return slice;
}
