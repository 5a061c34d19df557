#include <stdio.h>

#include "nx/sys.h"

int main(void)
{
	struct nx_task_info info;
	long rc = nx_task_info(nx_self_task, &info);
	printf("selftest: hello from %s task=%u rc=%ld qos=%u now=%lu\n", info.name, (unsigned)nx_self_task, rc,
	       (unsigned)info.qos, (unsigned long)nx_now_ms());
	nx_sleep_until(nx_now_ms() + 100);
	printf("selftest: woke at %lu\n", (unsigned long)nx_now_ms());
	printf("SELFTEST: end guest_ms=%lu\n", (unsigned long)nx_now_ms());
	nx_poweroff(0);
	return 1;
}
