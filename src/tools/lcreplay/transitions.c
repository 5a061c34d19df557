/* transitions: the state changes the lifecycle core makes (transitions.h). */
#include "transitions.h"

#include <stdint.h>

#define TO(s) (1U << (s))

_Static_assert(LC_STATE_COUNT <= 8, "a state's successors are a byte");

/* By state: the states the core moves an ability on to from it. */
static const uint8_t successors[LC_STATE_COUNT] = {
	/* start; lc_restore() of a blocked ability */
	[LC_STOPPED] = TO(LC_STARTING) | TO(LC_BLOCKED),
	/* ready fg/bg; stop or kill; a restartable death (exit or start timeout); another exit */
	[LC_STARTING] = TO(LC_RUNNING_FG) | TO(LC_RUNNING_BG) | TO(LC_STOPPING) | TO(LC_CRASHED) | TO(LC_STOPPED),
	[LC_RUNNING_FG] = TO(LC_RUNNING_BG) | TO(LC_STOPPING) | TO(LC_CRASHED) | TO(LC_STOPPED),
	[LC_RUNNING_BG] = TO(LC_RUNNING_FG) | TO(LC_STOPPING) | TO(LC_CRASHED) | TO(LC_STOPPED),
	/* exit or stop timeout, with the recorded reason */
	[LC_STOPPING] = TO(LC_CRASHED) | TO(LC_STOPPED),
	/* in the same call: backoff, or blocked on a crash loop */
	[LC_CRASHED] = TO(LC_BACKOFF) | TO(LC_BLOCKED),
	/* restart time reached; stop */
	[LC_BACKOFF] = TO(LC_STARTING) | TO(LC_STOPPED),
	/* unblock */
	[LC_BLOCKED] = TO(LC_STOPPED),
};

bool tr_possible(enum lc_state from, enum lc_state to)
{
	if ((unsigned)from >= LC_STATE_COUNT || (unsigned)to >= LC_STATE_COUNT)
		return false;
	return (successors[from] & TO(to)) != 0;
}
