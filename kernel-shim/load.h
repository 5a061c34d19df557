/*
 * Loading a task image into a new address space, all or nothing. The image is checked
 * completely (every rule of elf.h) before a single page is taken, so a load can then fail
 * only for want of RAM, and that failure frees every page taken so far.
 */
#ifndef KS_LOAD_H
#define KS_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/**
 * Check the `len`-byte ELF image at `img` and build `*s`, a space of `quota` pages holding
 * it: its segments with their file bytes, the stack, and the heap's start after the last
 * segment.
 * @retval 0 done: `*s` holds the image, `*entry` is the user pc to start at
 * @retval -NX_ENOEXEC the image breaks a rule of elf.h; no page was taken
 * @retval -NX_ENOMEM the image needs more than `quota` pages (no page was taken), or RAM ran
 *         out while mapping it (every page taken was freed); `*s` holds no page (its root
 *         is NULL)
 */
__attribute__((warn_unused_result)) int ks_space_load(struct ks_space *s, const uint8_t *img, size_t len,
						      uint32_t quota, uint64_t *entry);

#endif
