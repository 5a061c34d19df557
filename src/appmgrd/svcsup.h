/*
 * appmgrd's service supervisor (docs/reliability.md, "Supervised services"): the boot
 * services with a `restart` policy in the system manifest are run by a second instance of
 * the lifecycle core, the one abilities use. The kernel sends their exit notices here; a
 * death is the core's `exit` with the kernel's reason, and when the core moves a service
 * back to starting, `ops.spawn` recreates it (NX_SYS_SPAWN of the boot task, which gives it
 * its boot rights back). A service counts as ready as soon as its task exists. A service
 * that dies loop_threshold times within loop_window_ms is blocked: not restarted until
 * am_svcs_unblock(), and reported (a line, and its state through appmgrd's state op).
 */
#ifndef AM_SVCSUP_H
#define AM_SVCSUP_H

#include <stdbool.h>
#include <stdint.h>

#include "lc/lifecycle.h"
#include "nx/notice.h"
#include "ulib/policy.h"

/** Most services one supervisor holds. */
#define AM_SVCS_MAX 16U

/** How the supervisor reaches the OS. */
struct am_svc_ops {
	/** Recreate service `s`: its new task id (>= 0), or a negative NX_E* code. */
	long (*spawn)(void *ctx, const struct nx_supervised *s);
	/** End task `task` with reason crash: 0, or a negative NX_E* code. */
	long (*kill)(void *ctx, uint32_t task);
	void *ctx; /**< passed to spawn */
};

/** One supervised service. */
struct am_svc {
	const struct nx_supervised *def;
	uint64_t id;  /**< its identity: FNV-1a-64 of its name */
	int32_t task; /**< its live task, or -1 */
};

/** The supervisor's state. Fields are private: use the functions. */
struct am_svcs {
	struct lc lc;
	struct am_svc_ops ops;
	uint64_t t;                     /* latest time given to the core */
	uint32_t count;
	uint32_t restarts;              /* spawns that succeeded */
	uint32_t spawns_refused;
	struct am_svc s[AM_SVCS_MAX];
};

/**
 * Take the services `defs[0..count)` as running now: `task_of(ctx, i)` gives the live task
 * of each (-1: none; the service is then started at once).
 * @retval 0 done
 * @retval -LC_EINVAL count above AM_SVCS_MAX, or a NULL argument
 * @retval -LC_EPOLICY a service's policy is out of the core's bounds
 */
__attribute__((warn_unused_result)) int am_svcs_init(struct am_svcs *v, const struct nx_supervised *defs,
						     uint32_t count, const struct am_svc_ops *ops, uint64_t now,
						     long (*task_of)(void *ctx, uint32_t i));

/**
 * An exit notice: if it is of a supervised service's live task, report the death to the
 * core and act on its decision. @retval true the notice was a supervised service's
 */
bool am_svcs_exit(struct am_svcs *v, const struct nx_exit_notice *n);

/** Let the core's time run to `now` (restarts that are due happen). */
void am_svcs_advance(struct am_svcs *v, uint64_t now);

/**
 * The core's next timer. @retval 0 `*t_ms` set @retval -LC_ENOENT no timer pending
 */
__attribute__((warn_unused_result)) int am_svcs_deadline(const struct am_svcs *v, uint64_t *t_ms);

/** Index of the service named `name`, or -1. */
int am_svcs_find(const struct am_svcs *v, const char *name);

/**
 * What the core knows of service `i`, and its live task (-1: none).
 * @retval 0 done
 * @retval -LC_ENOENT no service `i`
 */
__attribute__((warn_unused_result)) int am_svcs_status(const struct am_svcs *v, uint32_t i, struct lc_status *st,
						       int32_t *task);

/**
 * Kill service `i`'s live task with reason crash (a fault injection): its exit notice then
 * comes as for any death.
 * @retval 0 done
 * @retval -LC_ENOENT no service `i`, or it has no live task
 */
__attribute__((warn_unused_result)) int am_svcs_kill(struct am_svcs *v, uint32_t i);

/**
 * Unblock service `i` and start it again.
 * @retval 0 done
 * @retval -LC_ENOENT no service `i`
 * @retval -LC_EINVALID_TRANSITION it is not blocked
 */
__attribute__((warn_unused_result)) int am_svcs_unblock(struct am_svcs *v, uint32_t i, uint64_t now);

#endif
