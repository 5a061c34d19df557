/* Task images built by the cross build and linked into the kernel (images.S, generated). */
#ifndef KS_IMAGE_H
#define KS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/** One embedded ELF image. */
struct ks_image {
	const char *name;
	const uint8_t *start;
	const uint8_t *end;
};

extern const struct ks_image ks_images[];
extern const uint64_t ks_image_count;

/** The image called `name`, or NULL. */
const struct ks_image *ks_image_find(const char *name);

#endif
