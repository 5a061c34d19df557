/*
 * timeline: lcreplay's picture of the state changes of a replay, as an SVG document.
 *
 * One lane per ability, in the order of the abilities' first changes; a rectangle per
 * interval in a state, coloured by state; a line at each death labelled with its reason
 * (and the timeout that caused it, marked with a triangle); a label at each backoff with its
 * delay; the state each ability ends in, right of its lane; a time axis from 0 to the end
 * and a legend. The picture is a function of the changes and the end
 * time alone, byte for byte: no clock, no randomness, integer geometry. So a trace replayed
 * with `--svg` and the same changes read back with `--from-changes` give the same file.
 *
 * Bounded: the first TL_CHANGES_MAX changes are kept; later ones are only counted, and the
 * picture then stops at the last change kept and says so.
 */
#ifndef LCREPLAY_TIMELINE_H
#define LCREPLAY_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lc/lifecycle.h"

/** Changes kept for drawing. */
#define TL_CHANGES_MAX 4096U
/** Longest ability name (names match ^[a-z][a-z0-9_-]{0,31}$, so need no XML escaping). */
#define TL_NAME_LEN_MAX 32U

/** One change kept for drawing. */
struct tl_change {
	uint64_t t_ms;     /**< when */
	uint32_t delay_ms; /**< on a change into backoff: the restart delay */
	uint8_t lane;      /**< the ability's lane */
	uint8_t from;      /**< enum lc_state before */
	uint8_t to;        /**< enum lc_state after */
	uint8_t reason;    /**< enum lc_reason after the change */
	bool timeout;      /**< a start or stop timeout caused it */
};

/** The changes of one replay. Zero it with tl_init(); fill it with tl_record(). */
struct tl {
	struct tl_change kept[TL_CHANGES_MAX];
	char names[LC_MAX_ABILITIES][TL_NAME_LEN_MAX + 1]; /**< by lane */
	int8_t lane_of[LC_MAX_ABILITIES];                   /**< by ability id; -1: none yet */
	uint32_t nlanes;                                    /**< lanes in use */
	uint32_t nkept;                                     /**< changes in `kept` */
	uint64_t ndropped;                                  /**< changes past TL_CHANGES_MAX */
};

/** Start an empty timeline. */
void tl_init(struct tl *tl);

/**
 * Keep change `c` of ability `app` (its id `c->id` < LC_MAX_ABILITIES names the same ability
 * in every call); the ability gets a lane at its first kept change. Past TL_CHANGES_MAX
 * changes it is only counted in `ndropped`. Changes come in time order.
 */
void tl_record(struct tl *tl, const char *app, const struct lc_change *c);

/**
 * Draw the timeline as an SVG document on `f`. It ends at the last change kept, or at
 * `until` if `has_until` and nothing was dropped (the caller makes sure `until` is not before
 * the last change).
 * @retval 0 written
 * @retval -1 a write failed (errno says why)
 */
int tl_write_svg(const struct tl *tl, bool has_until, uint64_t until, FILE *f);

#endif
