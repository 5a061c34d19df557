#include "nx_manifest.h"

int nx_policy_allows(uint64_t service_id, uint16_t op, uint64_t caller_id)
{
	for (unsigned i = 0; i < NX_POLICY_RULE_COUNT; i++) {
		const struct nx_policy_rule *r = &nx_policy_rules[i];
		if (r->service_id == service_id && r->op == op &&
		    (r->caller_id == NX_POLICY_ANY || r->caller_id == caller_id))
			return 1;
	}
	return 0;
}
