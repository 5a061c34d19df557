#include "runq.h"

#include "nx/abi.h"

static unsigned at(const struct ks_runq *q, unsigned i)
{
	return (q->head + i) % q->cap;
}

int ks_runq_init(struct ks_runq *q, unsigned cap)
{
	if (cap == 0 || cap > KS_RUNQ_MAX)
		return -NX_EINVAL;
	q->head = 0;
	q->count = 0;
	q->cap = (uint16_t)cap;
	return 0;
}

int ks_runq_push(struct ks_runq *q, uint16_t task)
{
	if (q->count >= q->cap)
		return -NX_EFULL;
	q->slot[at(q, q->count)] = task;
	q->count++;
	return 0;
}

int ks_runq_pop(struct ks_runq *q, uint16_t *task)
{
	if (q->count == 0)
		return -NX_EEMPTY;
	*task = q->slot[q->head];
	q->head = (uint16_t)((q->head + 1U) % q->cap);
	q->count--;
	return 0;
}

int ks_runq_position(const struct ks_runq *q, uint16_t task)
{
	for (unsigned i = 0; i < q->count; i++) {
		if (q->slot[at(q, i)] == task)
			return (int)i;
	}
	return -NX_ENOENT;
}

int ks_runq_remove(struct ks_runq *q, uint16_t task)
{
	int pos = ks_runq_position(q, task);
	if (pos < 0)
		return pos;
	for (unsigned i = (unsigned)pos; i + 1 < q->count; i++)
		q->slot[at(q, i)] = q->slot[at(q, i + 1)];
	q->count--;
	return 0;
}

unsigned ks_runq_count(const struct ks_runq *q)
{
	return q->count;
}
