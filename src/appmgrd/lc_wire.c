/*
 * appmgrd's translation tables between the lifecycle core and the wire (lc_wire.h). Each
 * table has one entry per value of its source enum, and the counts of both sides must
 * match, so adding a state or reason on one side without the other does not compile.
 */
#include "lc_wire.h"

#include "nx/abi.h"

_Static_assert((int)LC_STATE_COUNT == (int)APPMGR_STATE_COUNT, "a wire state for every core state");
_Static_assert((int)LC_REASON_COUNT == (int)APPMGR_REASON_COUNT, "a wire reason for every core reason");
/* The kernel's kill reasons are the core's, value for value (execd passes them through). */
_Static_assert(NX_REASON_NONE == (int)LC_REASON_NONE && NX_REASON_CRASH == (int)LC_REASON_CRASH &&
		       NX_REASON_POLICY == (int)LC_REASON_POLICY && NX_REASON_OOM == (int)LC_REASON_OOM &&
		       NX_REASON_SIGNAL == (int)LC_REASON_SIGNAL && NX_REASON_REQUEST == (int)LC_REASON_REQUEST &&
		       NX_REASON_COUNT == (int)LC_REASON_COUNT,
	       "kernel kill reasons are the lifecycle core's");
_Static_assert(LC_HISTORY_LEN == APPMGR_HISTORY_LEN, "a history reply holds the core's whole history");
_Static_assert(LC_MAX_ABILITIES == APPMGR_MAX_ABILITIES, "a list covers every ability the core holds");

static const uint8_t wire_state[] = {
	[LC_STOPPED] = APPMGR_STOPPED,       [LC_STARTING] = APPMGR_STARTING, [LC_RUNNING_FG] = APPMGR_RUNNING_FG,
	[LC_RUNNING_BG] = APPMGR_RUNNING_BG, [LC_STOPPING] = APPMGR_STOPPING, [LC_CRASHED] = APPMGR_CRASHED,
	[LC_BACKOFF] = APPMGR_BACKOFF,       [LC_BLOCKED] = APPMGR_BLOCKED,
};
_Static_assert(sizeof wire_state == LC_STATE_COUNT, "wire_state covers every core state");

static const uint8_t wire_reason[] = {
	[LC_REASON_NONE] = APPMGR_REASON_NONE,     [LC_REASON_CRASH] = APPMGR_REASON_CRASH,
	[LC_REASON_POLICY] = APPMGR_REASON_POLICY, [LC_REASON_OOM] = APPMGR_REASON_OOM,
	[LC_REASON_SIGNAL] = APPMGR_REASON_SIGNAL, [LC_REASON_REQUEST] = APPMGR_REASON_REQUEST,
};
_Static_assert(sizeof wire_reason == LC_REASON_COUNT, "wire_reason covers every core reason");

struct lc_policy am_lc_policy(const struct appmgr_policy *p)
{
	return (struct lc_policy){
		.initial_ms = p->initial_ms,
		.factor_milli = p->factor_milli,
		.max_ms = p->max_ms,
		.loop_threshold = p->loop_threshold,
		.loop_window_ms = p->loop_window_ms,
		.stable_reset_ms = p->stable_reset_ms,
		.start_timeout_ms = p->start_timeout_ms,
		.stop_timeout_ms = p->stop_timeout_ms,
	};
}

uint8_t am_wire_state(enum lc_state s)
{
	return (unsigned)s < LC_STATE_COUNT ? wire_state[s] : APPMGR_STATE_COUNT;
}

uint8_t am_wire_reason(enum lc_reason r)
{
	return (unsigned)r < LC_REASON_COUNT ? wire_reason[r] : APPMGR_REASON_COUNT;
}

enum lc_reason am_lc_reason(unsigned nx_reason)
{
	return nx_reason < NX_REASON_COUNT ? (enum lc_reason)nx_reason : LC_REASON_CRASH;
}
