#include "sched_core.h"

#include "nx/abi.h"

static int task_ok(const struct ks_sched_core *s, unsigned task)
{
	return task < KS_MAX_TASKS && s->state[task] != KS_SCHED_NONE;
}

int ks_sched_core_init(struct ks_sched_core *s, const struct ks_qos_limits *limits)
{
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		if (ks_runq_init(&s->rq[c], limits->limit[c]) != 0)
			return -NX_EINVAL;
		s->members[c] = 0;
		s->limit[c] = limits->limit[c];
	}
	for (unsigned t = 0; t < KS_MAX_TASKS; t++) {
		s->qos[t] = NX_QOS_COUNT;
		s->state[t] = KS_SCHED_NONE;
	}
	return 0;
}

int ks_sched_core_admit(struct ks_sched_core *s, unsigned task, unsigned qos)
{
	if (task >= KS_MAX_TASKS || qos >= NX_QOS_COUNT || s->state[task] != KS_SCHED_NONE)
		return -NX_EINVAL;
	if (s->members[qos] >= s->limit[qos])
		return -NX_EFULL;
	s->members[qos]++;
	s->qos[task] = (uint8_t)qos;
	s->state[task] = KS_SCHED_BLOCKED;
	return 0;
}

void ks_sched_core_remove(struct ks_sched_core *s, unsigned task)
{
	if (!task_ok(s, task))
		return;
	unsigned c = s->qos[task];
	if (s->state[task] == KS_SCHED_QUEUED)
		(void)ks_runq_remove(&s->rq[c], (uint16_t)task);
	s->members[c]--;
	s->qos[task] = NX_QOS_COUNT;
	s->state[task] = KS_SCHED_NONE;
}

int ks_sched_core_wake(struct ks_sched_core *s, unsigned task)
{
	if (!task_ok(s, task))
		return -NX_EINVAL;
	if (s->state[task] != KS_SCHED_BLOCKED)
		return 0;
	/* Cannot fail: the queue's capacity equals the class's member limit. */
	if (ks_runq_push(&s->rq[s->qos[task]], (uint16_t)task) != 0)
		return -NX_EFULL;
	s->state[task] = KS_SCHED_QUEUED;
	return 0;
}

int ks_sched_core_run(struct ks_sched_core *s, unsigned task)
{
	if (!task_ok(s, task) || s->state[task] != KS_SCHED_BLOCKED)
		return -NX_EINVAL;
	s->state[task] = KS_SCHED_RUNNING;
	return 0;
}

void ks_sched_core_block(struct ks_sched_core *s, unsigned task)
{
	if (task_ok(s, task) && s->state[task] == KS_SCHED_RUNNING)
		s->state[task] = KS_SCHED_BLOCKED;
}

void ks_sched_core_handoff(struct ks_sched_core *s, unsigned from, unsigned to)
{
	s->state[from] = KS_SCHED_BLOCKED;
	s->state[to] = KS_SCHED_RUNNING;
}

int ks_sched_core_preempt(struct ks_sched_core *s, unsigned task)
{
	if (!task_ok(s, task) || s->state[task] != KS_SCHED_RUNNING)
		return -NX_EINVAL;
	s->state[task] = KS_SCHED_BLOCKED;
	return ks_sched_core_wake(s, task);
}

int ks_sched_core_pick(struct ks_sched_core *s, unsigned *task)
{
	return ks_sched_core_pick_ranked(s, 0, task);
}

unsigned ks_sched_core_rank(unsigned qos, unsigned throttled)
{
	return qos < NX_QOS_COUNT && (throttled & (1u << qos)) ? qos + NX_QOS_COUNT : qos;
}

unsigned ks_sched_core_best_rank(const struct ks_sched_core *s, unsigned throttled)
{
	unsigned best = 2 * NX_QOS_COUNT;
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		const unsigned r = ks_sched_core_rank(c, throttled);
		if (ks_runq_count(&s->rq[c]) != 0 && r < best)
			best = r;
	}
	return best;
}

int ks_sched_core_pick_ranked(struct ks_sched_core *s, unsigned throttled, unsigned *task)
{
	const unsigned best = ks_sched_core_best_rank(s, throttled);
	if (best >= 2 * NX_QOS_COUNT)
		return -NX_EEMPTY;
	uint16_t t;
	if (ks_runq_pop(&s->rq[best % NX_QOS_COUNT], &t) != 0)
		return -NX_EEMPTY;
	s->state[t] = KS_SCHED_RUNNING;
	*task = t;
	return 0;
}

int ks_sched_core_set_qos(struct ks_sched_core *s, unsigned task, unsigned qos)
{
	if (!task_ok(s, task) || qos >= NX_QOS_COUNT)
		return -NX_EINVAL;
	unsigned from = s->qos[task];
	if (from == qos)
		return 0;
	/* Every check happens before the first change: a refusal leaves no trace. */
	if (s->members[qos] >= s->limit[qos])
		return -NX_EFULL;
	if (s->state[task] == KS_SCHED_QUEUED) {
		if (ks_runq_push(&s->rq[qos], (uint16_t)task) != 0)
			return -NX_EFULL;
		(void)ks_runq_remove(&s->rq[from], (uint16_t)task);
	}
	s->members[from]--;
	s->members[qos]++;
	s->qos[task] = (uint8_t)qos;
	return 0;
}

unsigned ks_sched_core_qos(const struct ks_sched_core *s, unsigned task)
{
	return task < KS_MAX_TASKS ? s->qos[task] : NX_QOS_COUNT;
}

enum ks_sched_state ks_sched_core_state(const struct ks_sched_core *s, unsigned task)
{
	return task < KS_MAX_TASKS ? (enum ks_sched_state)s->state[task] : KS_SCHED_NONE;
}

int ks_sched_core_position(const struct ks_sched_core *s, unsigned task)
{
	if (!task_ok(s, task) || s->state[task] != KS_SCHED_QUEUED)
		return -NX_ENOENT;
	return ks_runq_position(&s->rq[s->qos[task]], (uint16_t)task);
}

unsigned ks_sched_core_best_queued(const struct ks_sched_core *s)
{
	for (unsigned c = 0; c < NX_QOS_COUNT; c++) {
		if (ks_runq_count(&s->rq[c]) != 0)
			return c;
	}
	return NX_QOS_COUNT;
}
