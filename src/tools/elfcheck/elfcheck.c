/*
 * nx-elfcheck: the kernel's own ELF validator (kernel-shim/elf.c) on a file, for the host
 * tools that must refuse what the kernel would refuse (scripts/pack-bundle.py).
 *
 *   nx-elfcheck FILE [QUOTA]
 *
 * Checks FILE as NX_SYS_SPAWN_ELF would: at most NX_SPAWN_ELF_MAX bytes, every rule of
 * kernel-shim/elf.h, within QUOTA pages (default: the kernel's default quota). Prints
 * "ok pages=<n> entry=0x<pc>" and exits 0, or prints why not to stderr and exits 1; exits 2
 * on a usage error or a file it cannot read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "nx/abi.h"

static unsigned char image[NX_SPAWN_ELF_MAX + 1];

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: nx-elfcheck FILE [QUOTA]\n");
		return 2;
	}
	unsigned long quota = KS_TASK_PAGE_QUOTA;
	if (argc == 3) {
		char *end;
		quota = strtoul(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || quota == 0 || quota > NX_SPAWN_QUOTA_MAX) {
			fprintf(stderr, "nx-elfcheck: quota %s is not 1..%u\n", argv[2], NX_SPAWN_QUOTA_MAX);
			return 2;
		}
	}
	FILE *f = fopen(argv[1], "rb");
	if (f == NULL) {
		fprintf(stderr, "nx-elfcheck: %s: cannot open\n", argv[1]);
		return 2;
	}
	const size_t len = fread(image, 1, sizeof image, f);
	const int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "nx-elfcheck: %s: cannot read\n", argv[1]);
		return 2;
	}
	if (len == 0 || len > NX_SPAWN_ELF_MAX) {
		fprintf(stderr, "nx-elfcheck: %s: %s: the kernel takes 1..%u bytes\n", argv[1],
			len == 0 ? "empty" : "too big", NX_SPAWN_ELF_MAX);
		return 1;
	}
	const struct ks_elf_limits lim = { .page_quota = (uint32_t)quota };
	struct ks_elf_plan plan;
	const int rc = ks_elf_check(image, len, &lim, &plan);
	if (rc == -NX_ENOMEM) {
		fprintf(stderr, "nx-elfcheck: %s: needs more than the quota of %lu pages\n", argv[1], quota);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "nx-elfcheck: %s: %s (a rule of kernel-shim/elf.h is broken)\n", argv[1],
			nx_strerror(rc));
		return 1;
	}
	printf("ok pages=%u entry=0x%llx\n", plan.pages, (unsigned long long)plan.entry);
	return 0;
}
