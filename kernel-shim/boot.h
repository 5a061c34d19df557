/*
 * The boot table: the tasks the kernel starts at boot, generated at build time from the
 * system manifest (scripts/gen-manifest.py writes ks_boot_table.c). Each entry holds only
 * what the kernel needs to create the task; what the tasks are for is the manifest's
 * business, not the kernel's.
 */
#ifndef KS_BOOT_H
#define KS_BOOT_H

#include <stdint.h>

#include "nx/abi.h"

/** Most command-line words one boot task may be conditional on. */
#define KS_BOOT_WORDS_MAX 4

/** One boot task. */
struct ks_boot_task {
	const char *image;        /**< built-in task image */
	const char *name;         /**< task name: its identity is FNV-1a-64 of it */
	uint64_t supervisor_id;   /**< receives its exit notice (resolved by the generator) */
	uint32_t rights;          /**< enum nx_right bits */
	uint8_t qos;              /**< enum nx_qos */
	uint32_t page_quota;      /**< pages; 0 = KS_TASK_PAGE_QUOTA */
	uint32_t slack_fg_ms;     /**< timer slack while FG */
	uint32_t slack_bg_ms;     /**< timer slack while BG or IDLE */
	/**
	 * Start the task only when one of these words is a word of the kernel command line;
	 * no word (all NULL): start it at every boot.
	 */
	const char *when[KS_BOOT_WORDS_MAX];
};

/** The kernel command line from the device tree ("" if none); main.c reads it at boot. */
extern char ks_bootargs[NX_BOOTARGS_MAX];

/** The boot table, in start order. */
extern const struct ks_boot_task ks_boot_tasks[];
extern const unsigned ks_boot_task_count;

#endif
