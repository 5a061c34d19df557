/* Reading the flattened device tree OpenSBI passes in a1 (devicetree specification v0.4). */
#ifndef KS_FDT_H
#define KS_FDT_H

#include <stddef.h>

/**
 * Copy the /chosen/bootargs string of the device tree at `fdt` into `out` (NUL-terminated,
 * cut to `cap` - 1 bytes). Every offset and length is checked against the blob's size.
 * @retval 0 found
 * @retval -NX_ENOENT no bootargs
 * @retval -NX_EINVAL not a valid device tree
 */
int ks_fdt_bootargs(const void *fdt, char *out, size_t cap);

#endif
