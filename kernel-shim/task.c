/*
 * The task table: creating a task from an ELF image, ending it, finding it by identity.
 * Callers hold the big kernel lock.
 */
#include "task.h"

#include <string.h>

#include "console.h"
#include "load.h"
#include "riscv.h"
#include "sbi.h"
#include "sched.h"

struct ks_task ks_tasks[KS_MAX_TASKS];
struct ks_hart ks_harts[KS_MAX_HARTS];
struct nx_kstats ks_stats;

uint64_t ks_service_id(const char *name)
{
	return nx_service_id(name, strlen(name));
}

/*
 * Identity index: service id -> task slot, open addressing with linear probing in a table
 * twice the size of the task table (so probes stay short), deletion by backward shift.
 * Every message send looks its destination up here.
 */
#define ID_SLOTS (2 * KS_MAX_TASKS)
_Static_assert((ID_SLOTS & (ID_SLOTS - 1)) == 0, "ID_SLOTS must be a power of two");
_Static_assert(KS_MAX_TASKS == NX_TASK_MAX, "the ABI's task id bound is the task table's size");

static struct {
	uint64_t id;
	uint8_t slot1; /* task slot + 1; 0 = empty */
} id_index[ID_SLOTS];

static unsigned id_home(uint64_t id)
{
	return (unsigned)(id ^ (id >> 32)) & (ID_SLOTS - 1);
}

struct ks_task *ks_task_by_id(uint64_t service_id)
{
	for (unsigned i = 0, at = id_home(service_id); i < ID_SLOTS; i++, at = (at + 1) & (ID_SLOTS - 1)) {
		if (id_index[at].slot1 == 0)
			return NULL;
		if (id_index[at].id == service_id)
			return &ks_tasks[id_index[at].slot1 - 1];
	}
	return NULL;
}

/* Never full: at most KS_MAX_TASKS of the ID_SLOTS places are used. */
static void id_insert(uint64_t id, unsigned slot)
{
	unsigned at = id_home(id);
	while (id_index[at].slot1 != 0)
		at = (at + 1) & (ID_SLOTS - 1);
	id_index[at].id = id;
	id_index[at].slot1 = (uint8_t)(slot + 1);
}

static void id_remove(uint64_t id)
{
	unsigned at = id_home(id);
	for (unsigned i = 0; i < ID_SLOTS && id_index[at].id != id; i++)
		at = (at + 1) & (ID_SLOTS - 1);
	id_index[at].slot1 = 0;
	/* Move later members of the cluster back so every lookup still finds them. */
	for (unsigned next = (at + 1) & (ID_SLOTS - 1); id_index[next].slot1 != 0; next = (next + 1) & (ID_SLOTS - 1)) {
		unsigned home = id_home(id_index[next].id);
		int movable = at <= next ? (home <= at || home > next) : (home <= at && home > next);
		if (movable) {
			id_index[at] = id_index[next];
			id_index[next].slot1 = 0;
			at = next;
		}
	}
}

/* Every live task supervised by `sup_id` may still end and queue a notice: a new one is
 * admitted only while the supervisor's notice ring has room for all of them. */
static int notice_room(uint64_t sup_id)
{
	const struct ks_task *sup = ks_task_by_id(sup_id);
	if (sup == NULL)
		return 1;
	unsigned reserved = sup->ep.ncount;
	for (unsigned i = 0; i < KS_MAX_TASKS; i++) {
		if (ks_tasks[i].used && ks_tasks[i].supervisor_id == sup_id)
			reserved++;
	}
	return reserved < KS_MAX_TASKS;
}

int ks_name_ok(const char *s, size_t cap)
{
	const char *nul = memchr(s, '\0', cap);
	return nul != NULL && nul != s;
}

int ks_task_create(const struct ks_task_params *p)
{
	if (!ks_name_ok(p->name, NX_NAME_MAX + 1) || p->qos >= NX_QOS_COUNT)
		return -NX_EINVAL;
	uint64_t id = ks_service_id(p->name);
	if (ks_task_by_id(id) != NULL)
		return -NX_EINVAL;
	struct ks_task *t = NULL;
	unsigned slot = 0;
	for (unsigned i = 0; i < KS_MAX_TASKS && t == NULL; i++) {
		if (!ks_tasks[i].used) {
			t = &ks_tasks[i];
			slot = i;
		}
	}
	if (t == NULL || !notice_room(p->supervisor_id))
		return -NX_EFULL;

	memset(t, 0, sizeof *t);
	t->slot = (uint8_t)slot;
	uint64_t entry;
	int rc = ks_space_load(&t->space, p->img, p->img_len, p->page_quota ? p->page_quota : KS_TASK_PAGE_QUOTA,
			       &entry);
	if (rc != 0)
		return rc;
	t->used = 1;
	t->hart = -1;
	id_insert(id, ks_task_slot(t));
	memcpy(t->name, p->name, strlen(p->name) + 1);
	t->service_id = id;
	t->supervisor_id = p->supervisor_id;
	t->rights = p->rights;
	t->base_qos = (uint8_t)p->qos;
	t->slack_ms[NX_QOS_SYS] = 0;
	t->slack_ms[NX_QOS_FG] = p->slack_fg_ms;
	t->slack_ms[NX_QOS_BG] = p->slack_bg_ms;
	t->slack_ms[NX_QOS_IDLE] = p->slack_bg_ms;
	t->deadline = UINT64_MAX;
	t->tf.sepc = entry;
	t->tf.regs[KS_TF_SP] = KS_USER_TOP;
	t->tf.regs[KS_TF_A0] = ks_task_slot(t);
	ks_ipc_init(&t->ep);
	rc = ks_sched_admit(t, p->qos);
	if (rc != 0) {
		ks_space_destroy(&t->space);
		id_remove(id);
		t->used = 0;
		return rc;
	}
	ks_count(&ks_stats.tasks_spawned);
	return (int)ks_task_slot(t);
}

void ks_task_end(struct ks_task *t, unsigned reason, unsigned cause, uint64_t tval, uint64_t epc,
		 int exit_code)
{
	struct ks_hart *here = ks_this_hart();
	if (t->hart >= 0 && (unsigned long)t->hart != here->hartid) {
		/* Running elsewhere: that hart ends it when the IPI makes it trap. */
		t->dying = 1;
		t->kill_reason = (uint8_t)reason;
		t->kill_cause = (uint8_t)cause;
		ks_count(&ks_stats.ipis);
		(void)ks_sbi_send_ipi(1UL << t->hart, 0);
		return;
	}
	if (t->hart >= 0) {
		/* Its page table is live on this hart: leave it before freeing it. */
		ks_vm_switch(NULL);
		here->cur = -1;
	}
	struct nx_exit_notice n = {
		.service_id = t->service_id,
		.time_ms = ks_now() / NX_TICKS_PER_MS,
		.cpu_us = t->cpu_ticks / (NX_TICKS_PER_MS / 1000),
		.tval = tval,
		.epc = epc,
		.task = ks_task_slot(t),
		.reason = (uint8_t)reason,
		.cause = (uint8_t)cause,
		.exit_code = (int16_t)exit_code,
	};
	ks_sched_remove(t);
	ks_space_destroy(&t->space);
	id_remove(t->service_id);
	/* A hint to this slot (ks_task.peer_hint) then matches no identity a new task may take:
	 * the IPC direct path looks at the identity alone, and 0 leads it to a task that waits
	 * for nothing, which the general path answers. */
	t->service_id = 0;
	t->used = 0;
	t->hart = -1;
	ks_count(&ks_stats.tasks_ended);
	struct ks_task *sup = ks_task_by_id(t->supervisor_id);
	if (sup != NULL)
		ks_ipc_notify_exit(sup, &n);
}
