/* Looking up the task images built into the kernel (image.h). */
#include "image.h"

#include <string.h>

const struct ks_image *ks_image_find(const char *name)
{
	for (uint64_t i = 0; i < ks_image_count; i++) {
		if (strcmp(ks_images[i].name, name) == 0)
			return &ks_images[i];
	}
	return NULL;
}
