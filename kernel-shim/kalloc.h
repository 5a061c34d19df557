/* Physical page allocator: 4 KiB pages between the kernel image and the end of RAM. */
#ifndef KS_KALLOC_H
#define KS_KALLOC_H

#include <stddef.h>

/** Hand every page after the kernel image to the allocator. Boot hart, once. */
void ks_kalloc_init(void);
/** A zeroed page, or NULL when none is left. */
void *ks_page_alloc(void);
/** Give a page back. */
void ks_page_free(void *page);
/** Pages currently free. */
size_t ks_pages_free(void);

#endif
