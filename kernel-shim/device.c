/* Device glue between syscalls and drivers. */
#include "syscall.h"

void ks_device_init(unsigned long boot_hartid);
void ks_dev_irq(struct ks_hart *h);

void ks_device_init(unsigned long boot_hartid)
{
	(void)boot_hartid;
}

void ks_dev_irq(struct ks_hart *h)
{
	(void)h;
}

long ks_dev_rng_read(struct ks_task *t, uintptr_t ubuf, size_t len, uint64_t deadline)
{
	(void)t, (void)ubuf, (void)len, (void)deadline;
	return -NX_ENOENT;
}

long ks_dev_console_read(struct ks_task *t, uintptr_t ubuf, size_t cap, uint64_t deadline)
{
	(void)t, (void)ubuf, (void)cap, (void)deadline;
	return -NX_ENOENT;
}
