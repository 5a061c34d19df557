/*
 * timeline: lcreplay's picture of the state changes of a replay, as an SVG document.
 *
 * One lane per ability, in the order of the abilities' first changes; a rectangle per
 * interval in a state, coloured by state; a line at each death labelled with its reason
 * (and the timeout that caused it, marked with a triangle); a label at each backoff with its
 * delay; the state each ability ends in, right of its lane; a time axis from 0 to the end
 * and a legend. Update events (updated's event lines, read by `--from-changes`) are dashed
 * marks across their ability's bar, labelled in rows of their own above it ("v2 staged",
 * "v3 rolled back"); a lane with none has no such rows, and a picture without any is drawn as
 * before they existed. The picture is a function of the changes, the update events and the
 * end time alone, byte for byte: no clock, no randomness, integer geometry. So a trace replayed
 * with `--svg` and the same changes read back with `--from-changes` give the same file.
 *
 * Bounded: the first TL_CHANGES_MAX changes and TL_UPDATES_MAX update events are kept; later
 * ones are only counted, and the picture says so. Once changes were dropped it stops at the
 * last change kept, and update events after that are not drawn.
 */
#ifndef LCREPLAY_TIMELINE_H
#define LCREPLAY_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lc/lifecycle.h"

/** Changes kept for drawing. */
#define TL_CHANGES_MAX 4096U
/** Update events kept for drawing. */
#define TL_UPDATES_MAX 1024U
/** Longest ability name (names match ^[a-z][a-z0-9_-]{0,31}$, so need no XML escaping). */
#define TL_NAME_LEN_MAX 32U

/** What updated did to an ability's slots (the `event=` of its event lines, proto/ota.h). */
enum tl_update_kind {
	TL_STAGED = 0,      /**< a verified bundle was stored in the inactive slot */
	TL_SWITCHED = 1,    /**< the staged slot went on trial */
	TL_COMMITTED = 2,   /**< the trial passed its health window */
	TL_ROLLED_BACK = 3, /**< the version was rolled back */
	TL_UPDATE_KIND_COUNT /**< number of kinds; not a kind */
};

/** Why a version was rolled back (the `why=` of a rolled_back event line). */
enum tl_why {
	TL_WHY_NONE = 0,          /**< not a rollback */
	TL_WHY_CRASH_LOOP = 1,    /**< the crash loop blocked the trial */
	TL_WHY_NO_READY = 2,      /**< the trial was not ready in time */
	TL_WHY_WRONG_VERSION = 3, /**< the trial's process reported another version */
	TL_WHY_REBOOT = 4,        /**< the machine went down during the trial */
	TL_WHY_REQUEST = 5,       /**< someone asked for it */
	TL_WHY_APPMGRD = 6,       /**< appmgrd did not take the new image */
	TL_WHY_COUNT              /**< number of reasons; not a reason */
};

/** One update event kept for drawing. */
struct tl_update {
	uint64_t t_ms;    /**< when */
	uint32_t version; /**< the version it concerns, 1..UINT32_MAX */
	uint16_t lane;    /**< the ability's lane */
	uint8_t kind;     /**< enum tl_update_kind */
	uint8_t slot;     /**< 0: slot a, 1: slot b */
	uint8_t why;      /**< enum tl_why: TL_WHY_NONE unless kind is TL_ROLLED_BACK */
};

/** One change kept for drawing. */
struct tl_change {
	uint64_t t_ms;     /**< when */
	uint32_t delay_ms; /**< on a change into backoff: the restart delay */
	uint16_t lane;     /**< the ability's lane */
	uint8_t from;      /**< enum lc_state before */
	uint8_t to;        /**< enum lc_state after */
	uint8_t reason;    /**< enum lc_reason after the change */
	bool timeout;      /**< a start or stop timeout caused it */
};

/** The changes of one replay. Zero it with tl_init(); fill it with tl_record(). */
struct tl {
	struct tl_change kept[TL_CHANGES_MAX];
	char names[LC_MAX_ABILITIES][TL_NAME_LEN_MAX + 1]; /**< by lane */
	int16_t lane_of[LC_MAX_ABILITIES];                  /**< by ability id; -1: none yet */
	uint32_t nlanes;                                    /**< lanes in use */
	uint32_t nkept;                                     /**< changes in `kept` */
	uint64_t ndropped;                                  /**< changes past TL_CHANGES_MAX */
	struct tl_update updates[TL_UPDATES_MAX];           /**< update events kept */
	uint32_t nupdates;                                  /**< update events in `updates` */
	uint64_t nupdates_dropped;                          /**< update events past TL_UPDATES_MAX */
};

/** The line's name of update kind `k` ("staged", ..., "rolled_back"); NULL for another value. */
const char *tl_update_name(unsigned k);
/** The line's name of rollback reason `w` ("crash_loop", ...); NULL for TL_WHY_NONE or another value. */
const char *tl_why_name(unsigned w);

/** Start an empty timeline. */
void tl_init(struct tl *tl);

/**
 * Keep change `c` of ability `app` (its id `c->id` < LC_MAX_ABILITIES names the same ability
 * in every call); the ability gets a lane at its first kept change. Past TL_CHANGES_MAX
 * changes it is only counted in `ndropped`. Changes come in time order.
 */
void tl_record(struct tl *tl, const char *app, const struct lc_change *c);

/**
 * Keep update event `u` of ability `app` (`u->lane` is ignored; `id` < LC_MAX_ABILITIES names
 * the same ability as in tl_record()); the ability gets a lane at its first kept change or
 * update event. Past TL_UPDATES_MAX update events it is only counted in `nupdates_dropped`.
 * Update events come in time order among themselves.
 */
void tl_record_update(struct tl *tl, const char *app, uint32_t id, const struct tl_update *u);

/**
 * Draw the timeline as an SVG document on `f`. It ends at the last change or update event
 * kept (at the last change kept if changes were dropped), or at `until` if `has_until` and no
 * change was dropped (the caller makes sure `until` is not before the last change or event).
 * @retval 0 written
 * @retval -1 a write failed (errno says why)
 */
int tl_write_svg(const struct tl *tl, bool has_until, uint64_t until, FILE *f);

#endif
