/* Reading the flattened device tree OpenSBI passes in a1 (devicetree specification v0.4). */
#ifndef KS_FDT_H
#define KS_FDT_H

#include <stddef.h>

/**
 * Copy the string property `prop` of the first node called `node` (unit address ignored:
 * "cpu" matches "cpu@0") of the device tree at `fdt` into `out` (NUL-terminated, cut to
 * `cap` - 1 bytes). Every offset and length is checked against the blob's size.
 * @retval 0 found
 * @retval -NX_ENOENT no such node or property
 * @retval -NX_EINVAL not a valid device tree
 */
int ks_fdt_string(const void *fdt, const char *node, const char *prop, char *out, size_t cap);

#endif
