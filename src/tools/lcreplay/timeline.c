/*
 * timeline: the SVG picture of a replay's state changes (timeline.h). The document is drawn
 * twice: a first pass without output lays the labels out and counts those that find no room,
 * so that the second, real pass knows the picture's height before it writes it.
 */
#include "timeline.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

_Static_assert(LC_MAX_ABILITIES <= INT16_MAX, "a lane number fits lane_of and the lane fields");

/*
 * Geometry in px. Horizontal positions are computed in tenths of a px (the names ending in
 * 10) with integer arithmetic and printed with one decimal, so the output is the same on
 * every host.
 */
#define MARGIN 16U
#define PLOT_W 1000U        /* the time axis */
#define RIGHT 84U           /* right of the axis: room for the lanes' last states */
#define NAME_CHAR_W10 73U   /* a character of the 12 px monospace names */
#define LABEL_CHAR_W10 67U  /* a character of the 11 px monospace labels */
#define LABEL_GAP10 80U     /* between two labels in a row */
#define TITLE_Y 24U
#define LEGEND_Y 36U        /* top of the legend's swatches */
#define LANES_Y 62U
#define ROW_H 13U           /* a row of labels */
#define LABEL_ROWS 2U       /* rows above a lane's bar (deaths) and below it (backoff delays) */
#define BAR_DY (LABEL_ROWS * ROW_H + 6U) /* top of the bar in its lane */
#define BAR_H 18U
#define LANE_H (BAR_DY + BAR_H + 2U + LABEL_ROWS * ROW_H + 4U)
#define AXIS_H 36U
#define NOTE_H 16U
#define TICKS_MAX 10U
/* Times are shifted right until the axis' span is below 2^SPAN_BITS: times 10 * PLOT_W fit. */
#define SPAN_BITS 44

static const char *const fill[LC_STATE_COUNT] = {
	[LC_STOPPED] = "#d4d4d4",   [LC_STARTING] = "#9ecae1", [LC_RUNNING_FG] = "#2ca02c",
	[LC_RUNNING_BG] = "#98df8a", [LC_STOPPING] = "#ffbb78", [LC_CRASHED] = "#d62728",
	[LC_BACKOFF] = "#fdd835",   [LC_BLOCKED] = "#7e57c2",
};
#define DEATH_COLOUR "#333"   /* a death that does not restart */
#define RESTART_TEXT "#b71c1c" /* labels of restartable deaths, the note on dropped changes */

/* Update events: their names in event lines, their labels and colours. */
static const char *const update_names[TL_UPDATE_KIND_COUNT] = {
	[TL_STAGED] = "staged", [TL_SWITCHED] = "switched", [TL_COMMITTED] = "committed", [TL_ROLLED_BACK] = "rolled_back",
};
static const char *const update_text[TL_UPDATE_KIND_COUNT] = {
	[TL_STAGED] = "staged", [TL_SWITCHED] = "switched", [TL_COMMITTED] = "committed", [TL_ROLLED_BACK] = "rolled back",
};
static const char *const update_colour[TL_UPDATE_KIND_COUNT] = {
	[TL_STAGED] = "#1565c0", [TL_SWITCHED] = "#00838f", [TL_COMMITTED] = "#2e7d32", [TL_ROLLED_BACK] = "#e65100",
};
static const char *const why_names[TL_WHY_COUNT] = {
	[TL_WHY_NONE] = NULL,
	[TL_WHY_CRASH_LOOP] = "crash_loop",
	[TL_WHY_NO_READY] = "no_ready",
	[TL_WHY_WRONG_VERSION] = "wrong_version",
	[TL_WHY_REBOOT] = "reboot",
	[TL_WHY_REQUEST] = "request",
	[TL_WHY_APPMGRD] = "appmgrd",
};
#define UPDATE_SWATCH "#555" /* the legend's update mark */

const char *tl_update_name(unsigned k)
{
	return k < TL_UPDATE_KIND_COUNT ? update_names[k] : NULL;
}

const char *tl_why_name(unsigned w)
{
	return w < TL_WHY_COUNT ? why_names[w] : NULL;
}

void tl_init(struct tl *tl)
{
	memset(tl, 0, sizeof *tl);
	memset(tl->lane_of, -1, sizeof tl->lane_of);
}

/* The lane of ability `id`, given one now if it has none. */
static uint16_t lane_for(struct tl *tl, const char *app, uint32_t id)
{
	if (tl->lane_of[id] < 0) {
		tl->lane_of[id] = (int16_t)tl->nlanes;
		snprintf(tl->names[tl->nlanes], sizeof tl->names[0], "%s", app);
		tl->nlanes++;
	}
	return (uint16_t)tl->lane_of[id];
}

void tl_record(struct tl *tl, const char *app, const struct lc_change *c)
{
	if (tl->nkept == TL_CHANGES_MAX) {
		tl->ndropped++;
		return;
	}
	const uint16_t lane = lane_for(tl, app, c->id);
	tl->kept[tl->nkept++] = (struct tl_change){
		.t_ms = c->t_ms,
		.delay_ms = c->delay_ms,
		.lane = lane,
		.from = (uint8_t)c->from,
		.to = (uint8_t)c->to,
		.reason = (uint8_t)c->reason,
		.timeout = c->timeout,
	};
}

void tl_record_update(struct tl *tl, const char *app, uint32_t id, const struct tl_update *u)
{
	if (tl->nupdates == TL_UPDATES_MAX) {
		tl->nupdates_dropped++;
		return;
	}
	struct tl_update *k = &tl->updates[tl->nupdates++];
	*k = *u;
	k->lane = lane_for(tl, app, id);
}

/* --- text ------------------------------------------------------------------------------- */

struct text {
	char s[48];
};

/* `v10` tenths of a px as SVG text: "12" or "12.5". */
static struct text px(uint64_t v10)
{
	struct text n;
	if (v10 % 10)
		snprintf(n.s, sizeof n.s, "%" PRIu64 ".%u", v10 / 10, (unsigned)(v10 % 10));
	else
		snprintf(n.s, sizeof n.s, "%" PRIu64, v10 / 10);
	return n;
}

/* `t` ms as a reader wants it: "150 ms", "2 s", "9.25 s". */
static struct text duration(uint64_t t)
{
	struct text d;
	unsigned frac = (unsigned)(t % 1000), digits = 3;
	if (t < 1000) {
		snprintf(d.s, sizeof d.s, "%" PRIu64 " ms", t);
	} else if (frac == 0) {
		snprintf(d.s, sizeof d.s, "%" PRIu64 " s", t / 1000);
	} else {
		for (; frac % 10 == 0; frac /= 10)
			digits--;
		snprintf(d.s, sizeof d.s, "%" PRIu64 ".%0*u s", t / 1000, (int)digits, frac);
	}
	return d;
}

/* A death: a process ended, for a restartable reason (→ crashed) or not (→ stopped). */
static bool is_death(const struct tl_change *c)
{
	bool alive = c->from == LC_STARTING || c->from == LC_RUNNING_FG || c->from == LC_RUNNING_BG ||
		     c->from == LC_STOPPING;
	return alive && (c->to == LC_CRASHED || c->to == LC_STOPPED);
}

/* "crash", "exit" (reason none), "oom (start timeout)", "request (stop timeout)" */
static struct text death_text(const struct tl_change *c)
{
	struct text d;
	snprintf(d.s, sizeof d.s, "%s%s", c->reason == LC_REASON_NONE ? "exit" : lc_reason_name(c->reason),
		 !c->timeout ? "" : c->from == LC_STOPPING ? " (stop timeout)" : " (start timeout)");
	return d;
}

/* --- the canvas ------------------------------------------------------------------------- */

struct canvas {
	const struct tl *tl;
	FILE *f;            /* NULL in the layout pass */
	uint64_t end;       /* the picture's last ms */
	uint64_t span;      /* end (at least 1) >> shift */
	unsigned shift;     /* against overflow: times are shifted right by this before scaling */
	uint64_t plot_x10;  /* left end of the time axis */
	uint64_t width10;   /* the whole picture, a whole number of px */
	unsigned left_out;  /* labels without room, as the layout pass counted them */
	unsigned omitted;   /* labels without room so far in this pass */
	uint32_t updates_drawn;            /* update events up to `end` */
	bool marked[LC_MAX_ABILITIES];     /* by lane: it has update events drawn, and rows for them */
};

__attribute__((format(printf, 2, 3))) static void out(const struct canvas *cv, const char *fmt, ...)
{
	va_list ap;
	if (!cv->f)
		return;
	va_start(ap, fmt);
	vfprintf(cv->f, fmt, ap);
	va_end(ap);
}

static uint64_t x_of(const struct canvas *cv, uint64_t t)
{
	return cv->plot_x10 + (t >> cv->shift) * (PLOT_W * 10U) / cv->span;
}

/* Ticks every 1, 2 or 5 × 10^k ms: the smallest such step giving at most TICKS_MAX + 1. */
static uint64_t tick_step(uint64_t end)
{
	static const unsigned mult[] = { 1, 2, 5 };
	for (uint64_t p = 1;; p *= 10) {
		for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
			if (end / (p * mult[i]) <= TICKS_MAX)
				return p * mult[i];
		}
	}
}

/*
 * Put `text` left-aligned just right of `x`, in the first of `rows` where it has room; rows
 * count away from the bar from baseline `y0`, upwards if `up`. Counted in `omitted` if none
 * has room.
 */
static void label(struct canvas *cv, uint64_t rows[LABEL_ROWS], uint64_t x, uint64_t y0, bool up,
		  const char *colour, const char *text)
{
	uint64_t w = strlen(text) * LABEL_CHAR_W10, right = cv->width10 - 40;
	x += 20;
	if (x + w > right)
		x = right - w;
	for (unsigned row = 0; row < LABEL_ROWS; row++) {
		if (x >= rows[row]) {
			out(cv, "<text x=\"%s\" y=\"%" PRIu64 "\" fill=\"%s\">%s</text>\n", px(x).s,
			    up ? y0 - row * ROW_H : y0 + row * ROW_H, colour, text);
			rows[row] = x + w + LABEL_GAP10;
			return;
		}
	}
	cv->omitted++;
}

/* --- drawing ---------------------------------------------------------------------------- */

static void title(const struct canvas *cv)
{
	const struct tl *tl = cv->tl;
	const uint64_t updates = tl->nupdates + tl->nupdates_dropped;
	out(cv, "<text x=\"%u\" y=\"%u\" font-size=\"14\" font-weight=\"bold\">Ability lifecycle: ", MARGIN, TITLE_Y);
	if (tl->nkept == 0 && updates == 0) {
		out(cv, "no state changes</text>\n");
		return;
	}
	out(cv, "%" PRIu32 " %s, ", tl->nlanes, tl->nlanes == 1 ? "ability" : "abilities");
	if (tl->ndropped)
		out(cv, "%" PRIu32 " of %" PRIu64 " state changes drawn", tl->nkept, tl->nkept + tl->ndropped);
	else
		out(cv, "%" PRIu32 " state change%s", tl->nkept, tl->nkept == 1 ? "" : "s");
	if (updates != 0 && cv->updates_drawn == updates)
		out(cv, ", %" PRIu32 " update event%s", cv->updates_drawn, updates == 1 ? "" : "s");
	else if (updates != 0)
		out(cv, ", %" PRIu32 " of %" PRIu64 " update events drawn", cv->updates_drawn, updates);
	out(cv, ", 0 to %s</text>\n", duration(cv->end).s);
}

static void legend(const struct canvas *cv)
{
	uint64_t x = MARGIN * 10;
	for (unsigned s = 0; s < LC_STATE_COUNT; s++) {
		const char *name = lc_state_name((enum lc_state)s);
		out(cv, "<rect x=\"%s\" y=\"%u\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#666\" "
			"stroke-width=\"0.5\"/><text x=\"%s\" y=\"%u\">%s</text>\n",
		    px(x).s, LEGEND_Y, fill[s], px(x + 170).s, LEGEND_Y + 10, name);
		x += 170 + strlen(name) * LABEL_CHAR_W10 + 160;
	}
	out(cv, "<path d=\"M%s %uh12l-6 8z\"/><text x=\"%s\" y=\"%u\">timeout</text>\n", px(x).s, LEGEND_Y + 2,
	    px(x + 170).s, LEGEND_Y + 10);
	if (cv->updates_drawn == 0)
		return;
	x += 170 + strlen("timeout") * LABEL_CHAR_W10 + 160;
	out(cv, "<line x1=\"%s\" y1=\"%u\" x2=\"%s\" y2=\"%u\" stroke=\"%s\" stroke-width=\"1.5\" "
		"stroke-dasharray=\"4 2\"/><text x=\"%s\" y=\"%u\">update event</text>\n",
	    px(x + 60).s, LEGEND_Y, px(x + 60).s, LEGEND_Y + 12, UPDATE_SWATCH, px(x + 170).s, LEGEND_Y + 10);
}

/* Vertical lines at the ticks from `top` to `bottom`, and the axis with its labels below. */
static void axis(const struct canvas *cv, uint64_t top, uint64_t bottom)
{
	uint64_t step = tick_step(cv->end);
	for (uint64_t t = 0; t <= cv->end; t += step)
		out(cv, "<line x1=\"%s\" y1=\"%" PRIu64 "\" x2=\"%s\" y2=\"%" PRIu64 "\" stroke=\"#e2e2e2\"/>\n",
		    px(x_of(cv, t)).s, top, px(x_of(cv, t)).s, bottom);
	out(cv, "<line x1=\"%s\" y1=\"%" PRIu64 "\" x2=\"%s\" y2=\"%" PRIu64 "\" stroke=\"#222\"/>\n",
	    px(cv->plot_x10).s, bottom, px(x_of(cv, cv->end)).s, bottom);
	for (uint64_t t = 0; t <= cv->end; t += step)
		out(cv, "<line x1=\"%s\" y1=\"%" PRIu64 "\" x2=\"%s\" y2=\"%" PRIu64 "\" stroke=\"#222\"/>"
			"<text x=\"%s\" y=\"%" PRIu64 "\" text-anchor=\"middle\">%s</text>\n",
		    px(x_of(cv, t)).s, bottom, px(x_of(cv, t)).s, bottom + 5, px(x_of(cv, t)).s, bottom + 18,
		    t ? duration(t).s : "0");
}

/* The interval of lane `lane` from change `into` to change `until`: NULL `into` is time 0 in
 * the state `until` leaves, NULL `until` the end of the picture. */
static void interval(const struct canvas *cv, uint32_t lane, uint64_t bar, const struct tl_change *into,
		     const struct tl_change *until)
{
	if (into == NULL && until == NULL)
		return;
	uint64_t t0 = into ? into->t_ms : 0, t1 = until ? until->t_ms : cv->end;
	unsigned state = into ? into->to : until->from;
	if (t1 == t0)
		return;
	uint64_t x0 = x_of(cv, t0), x1 = x_of(cv, t1);
	out(cv, "<rect x=\"%s\" y=\"%" PRIu64 "\" width=\"%s\" height=\"%u\" fill=\"%s\"><title>%s: %s from %" PRIu64
		" to %" PRIu64 " ms",
	    px(x0).s, bar, px(x1 - x0).s, BAR_H, fill[state], cv->tl->names[lane],
	    lc_state_name((enum lc_state)state), t0, t1);
	if (into && into->reason != LC_REASON_NONE)
		out(cv, ", reason %s", lc_reason_name((enum lc_reason)into->reason));
	if (into && state == LC_BACKOFF)
		out(cv, ", restart delay %" PRIu32 " ms", into->delay_ms);
	out(cv, "</title></rect>\n");
}

/* A line across the bar at a death, its label above, and a triangle if a timeout caused it. */
static void death(struct canvas *cv, uint32_t lane, uint64_t bar, const struct tl_change *c,
		  uint64_t rows[LABEL_ROWS])
{
	uint64_t x = x_of(cv, c->t_ms);
	const char *colour = c->to == LC_CRASHED ? fill[LC_CRASHED] : DEATH_COLOUR;
	struct text what = death_text(c);
	out(cv, "<line x1=\"%s\" y1=\"%" PRIu64 "\" x2=\"%s\" y2=\"%" PRIu64 "\" stroke=\"%s\" stroke-width=\"2\">"
		"<title>%s: %s at %" PRIu64 " ms</title></line>\n",
	    px(x).s, bar - 3, px(x).s, bar + BAR_H + 3, colour, cv->tl->names[lane], what.s, c->t_ms);
	if (c->timeout)
		out(cv, "<path d=\"M%s %" PRIu64 "h12l-6 8z\"/>\n", px(x - 60).s, bar);
	label(cv, rows, x, bar - 4, true, c->to == LC_CRASHED ? RESTART_TEXT : DEATH_COLOUR, what.s);
}

/* A dashed line across the bar at an update event, its label in the rows above the deaths'. */
static void update_mark(struct canvas *cv, uint32_t lane, uint64_t bar, const struct tl_update *u,
			uint64_t rows[LABEL_ROWS])
{
	uint64_t x = x_of(cv, u->t_ms), y0 = bar - 4 - LABEL_ROWS * ROW_H;
	const char *why = tl_why_name(u->why), *colour = update_colour[u->kind];
	char text[48];
	snprintf(text, sizeof text, "v%" PRIu32 " %s", u->version, update_text[u->kind]);
	out(cv, "<line class=\"update\" x1=\"%s\" y1=\"%" PRIu64 "\" x2=\"%s\" y2=\"%" PRIu64 "\" stroke=\"%s\" "
		"stroke-width=\"1.5\" stroke-dasharray=\"4 2\"><title>%s: version %" PRIu32 " %s, slot %c, at %" PRIu64
		" ms%s%s%s</title></line>\n",
	    px(x).s, y0 + 3, px(x).s, bar + BAR_H + 3, colour, cv->tl->names[lane], u->version, update_text[u->kind],
	    u->slot == 0 ? 'a' : 'b', u->t_ms, why ? " (" : "", why ? why : "", why ? ")" : "");
	label(cv, rows, x, y0, true, colour, text);
}

/* Height of lane `lane`: rows for update labels on top if it has update events drawn. */
static uint64_t lane_h(const struct canvas *cv, uint32_t lane)
{
	return LANE_H + (cv->marked[lane] ? LABEL_ROWS * ROW_H : 0);
}

static void lane(struct canvas *cv, uint32_t lane, uint64_t y)
{
	const struct tl *tl = cv->tl;
	uint64_t bar = y + lane_h(cv, lane) - LANE_H + BAR_DY, above[LABEL_ROWS] = { 0 }, below[LABEL_ROWS] = { 0 };
	const struct tl_change *into = NULL;

	out(cv, "<g class=\"lane\" data-app=\"%s\">\n", tl->names[lane]);
	if (lane % 2)
		out(cv, "<rect x=\"0\" y=\"%" PRIu64 "\" width=\"%s\" height=\"%" PRIu64 "\" fill=\"#f5f5f5\"/>\n", y,
		    px(cv->width10).s, lane_h(cv, lane));
	out(cv, "<text x=\"%u\" y=\"%" PRIu64 "\" font-size=\"12\" font-weight=\"bold\">%s</text>\n", MARGIN,
	    bar + 13, tl->names[lane]);
	for (uint32_t i = 0; i < tl->nkept; i++) {
		if (tl->kept[i].lane == lane) {
			interval(cv, lane, bar, into, &tl->kept[i]);
			into = &tl->kept[i];
		}
	}
	/* A lane without a change kept has only update events: no bar, no last state. */
	if (into != NULL) {
		interval(cv, lane, bar, into, NULL);
		out(cv, "<text class=\"end\" x=\"%s\" y=\"%" PRIu64 "\" fill=\"#555\">%s</text>\n",
		    px(x_of(cv, cv->end) + 60).s, bar + 13, lc_state_name((enum lc_state)into->to));
	}

	for (uint32_t i = 0; i < tl->nkept; i++) {
		const struct tl_change *c = &tl->kept[i];
		if (c->lane != lane)
			continue;
		if (is_death(c))
			death(cv, lane, bar, c, above);
		if (c->to == LC_BACKOFF) {
			char text[64];
			snprintf(text, sizeof text, "backoff %s", duration(c->delay_ms).s);
			label(cv, below, x_of(cv, c->t_ms), bar + BAR_H + 12, false, "#222", text);
		}
	}
	uint64_t marks[LABEL_ROWS] = { 0 };
	for (uint32_t i = 0; i < tl->nupdates; i++) {
		const struct tl_update *u = &tl->updates[i];
		if (u->lane == lane && u->t_ms <= cv->end)
			update_mark(cv, lane, bar, u, marks);
	}
	out(cv, "</g>\n");
}

static void note(const struct canvas *cv, uint64_t *y, const char *colour, const char *text)
{
	out(cv, "<text x=\"%u\" y=\"%" PRIu64 "\" fill=\"%s\">%s</text>\n", MARGIN, *y, colour, text);
	*y += NOTE_H;
}

static void draw(struct canvas *cv)
{
	const struct tl *tl = cv->tl;
	const uint64_t updates = tl->nupdates + tl->nupdates_dropped;
	const bool unmarked = cv->updates_drawn != updates;
	uint64_t lanes_h = 0;
	for (uint32_t i = 0; i < tl->nlanes; i++)
		lanes_h += lane_h(cv, i);
	uint64_t axis_y = LANES_Y + lanes_h + 4, notes_y = axis_y + AXIS_H;
	uint64_t height = tl->nkept == 0 && updates == 0 ? 40
							 : notes_y + (!!tl->ndropped + !!cv->left_out + unmarked) * NOTE_H + 4;
	char text[200];

	cv->omitted = 0;
	out(cv, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%" PRIu64 "\" viewBox=\"0 0 %s %" PRIu64
		"\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"11\" fill=\"#222\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
	    px(cv->width10).s, height, px(cv->width10).s, height);
	title(cv);
	if (tl->nkept > 0 || updates > 0) {
		legend(cv);
		axis(cv, LANES_Y, axis_y);
		uint64_t y = LANES_Y;
		for (uint32_t i = 0; i < tl->nlanes; i++) {
			lane(cv, i, y);
			y += lane_h(cv, i);
		}
		if (tl->ndropped) {
			snprintf(text, sizeof text,
				 "Drawing stops at %s: only the first %u state changes are drawn, %" PRIu64 " more are not.",
				 duration(cv->end).s, TL_CHANGES_MAX, tl->ndropped);
			note(cv, &notes_y, RESTART_TEXT, text);
		}
		if (unmarked) {
			snprintf(text, sizeof text,
				 "%" PRIu64 " of %" PRIu64 " update events are not drawn: only the first %u are kept, and "
				 "drawing stops at %s.",
				 updates - cv->updates_drawn, updates, TL_UPDATES_MAX, duration(cv->end).s);
			note(cv, &notes_y, RESTART_TEXT, text);
		}
		if (cv->left_out) {
			snprintf(text, sizeof text,
				 "%u labels are left out where they would overlap; every bar and mark has a tooltip.",
				 cv->left_out);
			note(cv, &notes_y, "#222", text);
		}
	}
	out(cv, "</svg>\n");
}

int tl_write_svg(const struct tl *tl, bool has_until, uint64_t until, FILE *f)
{
	struct canvas cv = { .tl = tl };
	size_t name_len = 0;

	cv.end = tl->nkept ? tl->kept[tl->nkept - 1].t_ms : 0;
	/* Update events are in time order among themselves: the last one kept is the latest. */
	if (!tl->ndropped && tl->nupdates && tl->updates[tl->nupdates - 1].t_ms > cv.end)
		cv.end = tl->updates[tl->nupdates - 1].t_ms;
	if (has_until && !tl->ndropped && until > cv.end)
		cv.end = until;
	for (uint32_t i = 0; i < tl->nupdates; i++) {
		if (tl->updates[i].t_ms <= cv.end) {
			cv.updates_drawn++;
			cv.marked[tl->updates[i].lane] = true;
		}
	}
	for (cv.span = cv.end ? cv.end : 1; cv.span >> SPAN_BITS; cv.span >>= 1)
		cv.shift++;
	for (uint32_t i = 0; i < tl->nlanes; i++) {
		size_t n = strlen(tl->names[i]);
		name_len = n > name_len ? n : name_len;
	}
	cv.plot_x10 = MARGIN * 10 + name_len * NAME_CHAR_W10 + 120;
	cv.width10 = (cv.plot_x10 + (PLOT_W + RIGHT) * 10 + 9) / 10 * 10;

	draw(&cv);
	cv.left_out = cv.omitted;
	cv.f = f;
	draw(&cv);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
