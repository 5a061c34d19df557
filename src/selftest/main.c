#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipc/wire.h"
#include "nx/notice.h"
#include "ulib/svc.h"
#include "ulib/sys.h"
#include "nx_manifest.h"
#include "st.h"

_Noreturn void st_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("SELFTEST: FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	(void)nx_poweroff(1);
	nx_exit(1);
}

static const struct nx_exit_notice *find_notice(const struct st *st, uint64_t id)
{
	for (unsigned i = 0; i < st->notice_count; i++) {
		if (st->notices[i].service_id == id)
			return &st->notices[i];
	}
	return NULL;
}

/* One NOTIFY frame from appmgrd: a change notification, kept while there is room. */
static void take_change(struct st *st, const struct ipc_msg *m)
{
	struct appmgr_change c;
	ST_CHECK(m->op == NX_NOTIFY_CHANGE && appmgr_change_decode(m->data, m->data_len, &c) == 0,
		 "malformed change notification");
	ST_CHECK(st->change_count < ST_MAX_CHANGES, "more than %u change notifications", ST_MAX_CHANGES);
	st->changes[st->change_count++] = c;
}

void st_take_notices(struct st *st, uint64_t deadline_ms)
{
	uint8_t buf[NX_FRAME_MAX];
	struct nx_msg_info info;
	long n = nx_recv(NX_QUEUE_REQUEST, buf, sizeof buf, deadline_ms, &info);
	for (unsigned i = 0; n > 0 && i < ST_MAX_NOTICES + ST_MAX_CHANGES; i++) {
		struct ipc_msg m;
		struct nx_exit_notice notice;
		ST_CHECK(ipc_msg_decode(buf, (size_t)n, &m) == 0 && m.type == IPC_TYPE_NOTIFY, "malformed notice");
		if (info.sender_id == NX_SVC_APPMGRD_ID) {
			take_change(st, &m);
		} else {
			ST_CHECK(info.sender_id == nx_kernel_id(), "unexpected request from 0x%llx",
				 (unsigned long long)info.sender_id);
			ST_CHECK(nx_exit_notice_decode(m.data, m.data_len, &notice) == 0, "malformed kernel notice");
			ST_CHECK(st->notice_count < ST_MAX_NOTICES, "more than %u exit notices", ST_MAX_NOTICES);
			st->notices[st->notice_count++] = notice;
		}
		n = nx_recv(NX_QUEUE_REQUEST, buf, sizeof buf, NX_DEADLINE_NOW, &info);
	}
}

int st_wait_notice(struct st *st, const char *name, uint64_t deadline_ms, struct nx_exit_notice *out)
{
	const uint64_t id = ipc_service_id(name, strlen(name));
	for (unsigned round = 0; round <= ST_MAX_NOTICES; round++) {
		const struct nx_exit_notice *n = find_notice(st, id);
		if (n != NULL) {
			*out = *n;
			return 0;
		}
		if (nx_now_ms() >= deadline_ms)
			break;
		st_take_notices(st, deadline_ms);
	}
	return -NX_ETIMEDOUT;
}

void st_expect_success(const struct ipc_outcome *o, const char *what)
{
	ST_CHECK(o->kind == IPC_OUTCOME_SUCCESS, "%s: outcome %s status %u", what, ipc_outcome_name(o->kind),
		 (unsigned)o->status);
}

void st_server_stats(struct st *st, const char *service, uint32_t out[5])
{
	uint8_t reply[20];
	struct ipc_outcome o = st_call(st, service, NX_OP_SERVER_STATS, NULL, 0, reply, sizeof reply, NULL);
	st_expect_success(&o, service);
	ST_CHECK(o.reply_len == sizeof reply, "%s stats: %zu bytes", service, o.reply_len);
	for (unsigned i = 0; i < 5; i++)
		ST_CHECK(ipc_get_u32(reply, sizeof reply, 4 * i, &out[i]) == 0, "%s stats decode", service);
}

uint32_t st_task(const char *name)
{
	long t = nx_find(ipc_service_id(name, strlen(name)));
	ST_CHECK(t >= 0, "task %s not found", name);
	return (uint32_t)t;
}

/* Is `word` one of the space-separated words of `args`? */
static bool has_word(const char *args, const char *word)
{
	const size_t n = strlen(word);
	for (const char *p = strstr(args, word); p != NULL; p = strstr(p + 1, word)) {
		if ((p == args || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* The number after `key=` in `args` (0 if absent or not a number). */
static unsigned arg_u32(const char *args, const char *key)
{
	const char *p = strstr(args, key);
	unsigned v = 0;
	if (p == NULL || (p != args && p[-1] != ' ') || p[strlen(key)] != '=')
		return 0;
	for (p += strlen(key) + 1; *p >= '0' && *p <= '9' && v < 100000u; p++)
		v = v * 10u + (unsigned)(*p - '0');
	return v;
}

static struct st st;

int main(void)
{
	nx_client_init(&st.client, NX_SVC_SELFTEST);
	char args[NX_BOOTARGS_MAX];
	if (nx_bootargs(args, sizeof args) < 0)
		args[0] = '\0';
	/* profile=run (`just run`) boots straight to the console: no proof, no wait for the
	 * services (the console's commands wait for them); profile=run-proof plays the proof. */
	if (has_word(args, "profile=run")) {
		printf("selftest: proof skipped in profile=run (PROFILE=run-proof just run plays it)\n");
		return 0;
	}
	/* appmgrd answers only once it is ready (and it is ready only once execd answers);
	 * keystored only once its key is usable. */
	uint32_t appmgrd_stats[5];
	st_server_stats(&st, NX_SVC_APPMGRD, appmgrd_stats);
	st_keystore_wait(&st);
	st_ota_wait(&st);
	st.real_clock = has_word(args, "clock=real");
	st.rng_bytes = arg_u32(args, "rngbytes");
	printf("selftest: start\n");
	if (has_word(args, "profile=bench")) {
		st_bench(&st);
	} else if (has_word(args, "profile=bench-reopen")) {
		/* statefsd's open of the full journal the bench boot left is the measurement. */
	} else if (has_word(args, "profile=faults")) {
		st_fault_checks(&st);
		st_smp_checks(&st);
		st_fg_hog_checks(&st);
	} else if (has_word(args, "profile=blk")) {
		st_blk_load(&st);
	} else if (has_word(args, "profile=persist-write")) {
		st_statefs_persist_write(&st);
		st_keystore_persist_write(&st);
		st_ability_persist_write(&st);
		st_ota_persist_write(&st);
	} else if (has_word(args, "profile=persist-check")) {
		st_statefs_persist_check(&st);
		st_keystore_persist_check(&st);
		st_ability_persist_check(&st);
		st_ota_persist_check(&st);
	} else if (has_word(args, "profile=powercut")) {
		st_statefs_powercut(&st);
	} else if (has_word(args, "profile=powercut-check")) {
		st_statefs_powercut_check(&st, arg_u32(args, "pcsynced"));
	} else if (has_word(args, "profile=ota-cut")) {
		st_ota_cut(&st);
	} else if (has_word(args, "profile=ota-cut-check")) {
		st_ota_cut_check(&st, arg_u32(args, "otaack"));
	} else {
		st_kernel_checks(&st);
		st_ipc_checks(&st);
		st_service_checks(&st);
		st_blk_checks(&st);
		st_statefs_checks(&st);
		st_statefs_authority(&st);
		st_statefs_compaction(&st);
		st_keystore_pubkey(&st);
		st_keystore_export(&st);
		st_keystore_sign_denied(&st);
		st_keystore_deadline(&st);
		st_spawn_checks(&st);
		st_ability_checks(&st);
		st_ota_checks(&st);
		st_services_answer(&st);
	}
	printf("SELFTEST: end guest_ms=%llu\n", (unsigned long long)nx_now_ms());
	fflush(stdout);
	/* profile=run-proof (`PROFILE=run-proof just run`): the system stays up for the console. */
	if (has_word(args, "profile=run-proof"))
		return 0;
	(void)nx_poweroff(0);
	return 1;
}
