/*
 * Translation between the lifecycle core's types (lc/lifecycle.h) and appmgrd's protocol
 * (proto/appmgr.h), and between the kernel's kill reasons and the core's. Only appmgrd
 * knows both sides; lc_wire.c checks at compile time that they agree.
 */
#ifndef AM_LC_WIRE_H
#define AM_LC_WIRE_H

#include <stdint.h>

#include "lc/lifecycle.h"
#include "proto/appmgr.h"

/** The core's policy of a protocol (ability table) policy: its first eight fields. */
struct lc_policy am_lc_policy(const struct appmgr_policy *p);

/** The protocol's value of a core state. */
uint8_t am_wire_state(enum lc_state s);

/** The protocol's value of a core reason. */
uint8_t am_wire_reason(enum lc_reason r);

/** The core's reason for a kernel kill reason (enum nx_reason, the same values); LC_REASON_CRASH if unknown. */
enum lc_reason am_lc_reason(unsigned nx_reason);

#endif
