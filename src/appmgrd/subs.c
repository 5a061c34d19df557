/* appmgrd's table of change subscribers (subs.h). */
#include "subs.h"

static int find(const struct am_subs *t, uint64_t id)
{
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->s[i].id == id)
			return (int)i;
	}
	return -1;
}

int am_subs_add(struct am_subs *t, uint64_t id)
{
	if (find(t, id) >= 0)
		return 0;
	if (t->n >= APPMGR_SUBSCRIBERS_MAX)
		return -NX_EFULL;
	t->s[t->n++] = (struct am_sub){ .id = id };
	return 0;
}

int am_subs_remove(struct am_subs *t, uint64_t id)
{
	const int at = find(t, id);
	if (at < 0)
		return -NX_ENOENT;
	for (uint32_t i = (uint32_t)at; i + 1 < t->n; i++)
		t->s[i] = t->s[i + 1];
	t->n--;
	return 0;
}
