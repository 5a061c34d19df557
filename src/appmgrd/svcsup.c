/*
 * appmgrd's service supervisor (svcsup.h): the lifecycle core run for boot services. The
 * core's callback only records and prints; spawns happen after the core call returns, in
 * reconcile(), as in appmgrd's ability side.
 */
#include "svcsup.h"

#include <stdio.h>
#include <string.h>

#include "nx/abi.h"
#include "nx/frame.h"

/* Reconcile rounds after one core call: a spawn applies one core event (ready, or a refused
 * spawn's exit crash, which leads to backoff); the second round finds nothing to do. */
#define SVCS_RECONCILE_ROUNDS 2

static void on_change(void *ctx, const struct lc_change *c)
{
	const struct am_svcs *v = ctx;
	const char *name = v->s[c->id].def->name;
	switch (c->to) {
	case LC_BACKOFF:
		printf("appmgrd: service died svc=%s reason=%s restart_in_ms=%u\n", name, lc_reason_name(c->reason),
		       (unsigned)c->delay_ms);
		break;
	case LC_BLOCKED:
		printf("appmgrd: service blocked crash-loop svc=%s\n", name);
		break;
	default:
		break;
	}
}

/* Every death of a service is a failure, even a clean exit: a service is meant to run for
 * good. The kernel's oom and signal stay as they are; anything else counts as a crash. */
static enum lc_reason death_reason(unsigned nx_reason)
{
	return nx_reason == NX_REASON_OOM || nx_reason == NX_REASON_SIGNAL ? (enum lc_reason)nx_reason
									   : LC_REASON_CRASH;
}

static void report(const struct am_svcs *v, uint32_t i, const char *event, int rc)
{
	if (rc != 0)
		printf("appmgrd: core refused %s of service %s: %s\n", event, v->s[i].def->name, lc_strerror(rc));
}

/* Spawn service `i`, which the core has in starting. @retval true a core event was applied */
static bool start_one(struct am_svcs *v, uint32_t i)
{
	struct am_svc *s = &v->s[i];
	const long task = v->ops.spawn(v->ops.ctx, s->def);
	if (task >= 0) {
		s->task = (int32_t)task;
		v->restarts++;
		printf("appmgrd: service restarted svc=%s task=%ld t=%llu\n", s->def->name, task, (unsigned long long)v->t);
		report(v, i, "ready", lc_event(&v->lc, v->t, i, LC_EV_READY_BG, LC_REASON_NONE));
		return true;
	}
	v->spawns_refused++;
	printf("appmgrd: service spawn refused svc=%s err=%ld refused=%u\n", s->def->name, task,
	       (unsigned)v->spawns_refused);
	report(v, i, "exit", lc_event(&v->lc, v->t, i, LC_EV_EXIT, LC_REASON_CRASH));
	return true;
}

static void reconcile(struct am_svcs *v)
{
	for (unsigned round = 0; round < SVCS_RECONCILE_ROUNDS; round++) {
		bool again = false;
		for (uint32_t i = 0; i < v->count; i++) {
			struct lc_status st;
			if (lc_status(&v->lc, i, &st) == 0 && st.state == LC_STARTING && v->s[i].task < 0)
				again |= start_one(v, i);
		}
		if (!again)
			return;
	}
}

static uint64_t raise_time(struct am_svcs *v, uint64_t now)
{
	v->t = now > v->t ? now : v->t;
	return v->t;
}

int am_svcs_init(struct am_svcs *v, const struct nx_supervised *defs, uint32_t count, const struct am_svc_ops *ops,
		 uint64_t now, long (*task_of)(void *ctx, uint32_t i))
{
	if (v == NULL || defs == NULL || ops == NULL || ops->spawn == NULL || ops->kill == NULL || task_of == NULL ||
	    count > AM_SVCS_MAX)
		return -LC_EINVAL;
	memset(v, 0, sizeof *v);
	v->ops = *ops;
	v->t = now;
	const struct lc_ops lops = { .on_change = on_change, .ctx = v };
	int rc = lc_init(&v->lc, &lops);
	for (uint32_t i = 0; i < count && rc == 0; i++) {
		const struct nx_supervised *d = &defs[i];
		struct lc_policy p = LC_POLICY_DEFAULT;
		p.initial_ms = d->initial_ms;
		p.max_ms = d->max_ms;
		p.loop_threshold = d->loop_threshold;
		p.loop_window_ms = d->loop_window_ms;
		p.stable_reset_ms = d->stable_reset_ms;
		/* Ready as soon as its task exists, which reconcile() reports right after the
		 * spawn: a start timeout could only fire when a restart fell due while the
		 * supervisor was not looking, and must not count that as a crash. */
		p.start_timeout_ms = LC_MS_MAX;
		const int id = lc_register(&v->lc, &p);
		if (id < 0)
			return id;
		v->s[i] = (struct am_svc){ .def = d, .id = nx_service_id(d->name, strlen(d->name)), .task = -1 };
		v->count = i + 1;
		rc = lc_event(&v->lc, now, i, LC_EV_START, LC_REASON_NONE);
		const long task = task_of(ops->ctx, i);
		if (rc == 0 && task >= 0) {
			v->s[i].task = (int32_t)task;
			rc = lc_event(&v->lc, now, i, LC_EV_READY_BG, LC_REASON_NONE);
		}
	}
	if (rc == 0)
		reconcile(v);
	return rc;
}

bool am_svcs_exit(struct am_svcs *v, const struct nx_exit_notice *n)
{
	for (uint32_t i = 0; i < v->count; i++) {
		struct am_svc *s = &v->s[i];
		if (s->id != n->service_id)
			continue;
		if (s->task < 0 || n->task != (uint32_t)s->task)
			return true; /* not its live task: nothing to do */
		s->task = -1;
		report(v, i, "exit", lc_event(&v->lc, raise_time(v, n->time_ms), i, LC_EV_EXIT, death_reason(n->reason)));
		reconcile(v);
		return true;
	}
	return false;
}

void am_svcs_advance(struct am_svcs *v, uint64_t now)
{
	const int rc = lc_advance(&v->lc, raise_time(v, now));
	if (rc != 0)
		printf("appmgrd: core refused time %llu for services: %s\n", (unsigned long long)v->t, lc_strerror(rc));
	reconcile(v);
}

int am_svcs_deadline(const struct am_svcs *v, uint64_t *t_ms)
{
	return lc_next_deadline(&v->lc, t_ms);
}

int am_svcs_find(const struct am_svcs *v, const char *name)
{
	for (uint32_t i = 0; i < v->count; i++) {
		if (strcmp(v->s[i].def->name, name) == 0)
			return (int)i;
	}
	return -1;
}

int am_svcs_status(const struct am_svcs *v, uint32_t i, struct lc_status *st, int32_t *task)
{
	if (i >= v->count)
		return -LC_ENOENT;
	*task = v->s[i].task;
	return lc_status(&v->lc, i, st);
}

int am_svcs_kill(struct am_svcs *v, uint32_t i)
{
	if (i >= v->count || v->s[i].task < 0)
		return -LC_ENOENT;
	printf("appmgrd: kill_service svc=%s task=%d\n", v->s[i].def->name, (int)v->s[i].task);
	return v->ops.kill(v->ops.ctx, (uint32_t)v->s[i].task) == 0 ? 0 : -LC_ENOENT;
}

int am_svcs_unblock(struct am_svcs *v, uint32_t i, uint64_t now)
{
	if (i >= v->count)
		return -LC_ENOENT;
	int rc = lc_event(&v->lc, raise_time(v, now), i, LC_EV_UNBLOCK, LC_REASON_NONE);
	if (rc == 0)
		rc = lc_event(&v->lc, v->t, i, LC_EV_START, LC_REASON_NONE);
	if (rc == 0)
		printf("appmgrd: service unblocked svc=%s\n", v->s[i].def->name);
	reconcile(v);
	return rc;
}
