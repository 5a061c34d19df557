/*
 * transitions: the state changes the lifecycle core makes, so that `lcreplay --from-changes`
 * can refuse a change line no replay could have printed.
 *
 * The core changes an ability's state in lc_event() (the transition table of
 * docs/ability/overview.md, with the cascade out of the transient `crashed`), when a timer
 * fires in lc_advance() or lc_event(), and in lc_restore() (a blocked ability enters
 * `blocked` from `stopped`). tests/lifecycle/test_lcreplay_transitions.c drives the core
 * through every event, reason, timer and restore in every state it reaches and checks that
 * tr_possible() is true for exactly the pairs it saw.
 */
#ifndef LCREPLAY_TRANSITIONS_H
#define LCREPLAY_TRANSITIONS_H

#include <stdbool.h>

#include "lc/lifecycle.h"

/**
 * Whether the core ever changes an ability from state `from` to state `to`.
 * @return true for such a pair; false for any other, and for a value out of range
 */
bool tr_possible(enum lc_state from, enum lc_state to);

#endif
