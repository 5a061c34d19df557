#include "fdt.h"

#include <stdint.h>
#include <string.h>

#include "nx/abi.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_NOP 4U
#define FDT_END 9U
#define FDT_MAX_SIZE (1U << 20)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A cursor over the structure block: [pos, end) of the blob. */
struct cur {
	const uint8_t *blob;
	uint32_t pos, end;
};

static int take32(struct cur *c, uint32_t *v)
{
	if (c->end - c->pos < 4)
		return -1;
	*v = be32(c->blob + c->pos);
	c->pos += 4;
	return 0;
}

/* Skip `len` bytes, then pad to 4. */
static int skip(struct cur *c, uint32_t len)
{
	uint32_t padded = (len + 3U) & ~3U;
	if (padded < len || c->end - c->pos < padded)
		return -1;
	c->pos += padded;
	return 0;
}

/* Does the node name `name` ("cpu@0") stand for `want` ("cpu")? */
static int node_is(const char *name, const char *want)
{
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

int ks_fdt_string(const void *fdt, const char *node, const char *prop, char *out, size_t cap)
{
	const uint8_t *b = fdt;
	if (b == NULL || cap == 0 || be32(b) != FDT_MAGIC)
		return -NX_EINVAL;
	const uint32_t size = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
	const uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);
	if (size > FDT_MAX_SIZE || off_struct > size || size_struct > size - off_struct || off_strings > size ||
	    size_strings > size - off_strings)
		return -NX_EINVAL;
	struct cur c = { b, off_struct, off_struct + size_struct };
	unsigned depth = 0, in_node = 0;
	/* Every token consumes at least 4 bytes, so the walk ends within size_struct / 4 steps. */
	for (uint32_t steps = 0; steps <= size_struct / 4; steps++) {
		uint32_t tok, len, nameoff;
		if (take32(&c, &tok) != 0)
			return -NX_EINVAL;
		switch (tok) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)b + c.pos;
			const char *nul = memchr(name, '\0', c.end - c.pos);
			if (nul == NULL)
				return -NX_EINVAL;
			depth++;
			in_node = node_is(name, node);
			if (skip(&c, (uint32_t)(nul - name) + 1) != 0)
				return -NX_EINVAL;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return -NX_EINVAL;
			depth--;
			in_node = 0;
			break;
		case FDT_PROP:
			if (take32(&c, &len) != 0 || take32(&c, &nameoff) != 0 || nameoff >= size_strings ||
			    len > c.end - c.pos)
				return -NX_EINVAL;
			if (in_node) {
				const char *pname = (const char *)b + off_strings + nameoff;
				if (memchr(pname, '\0', size_strings - nameoff) != NULL && strcmp(pname, prop) == 0) {
					const uint8_t *nul = memchr(b + c.pos, '\0', len);
					size_t n = nul != NULL ? (size_t)(nul - (b + c.pos)) : len;
					if (n >= cap)
						n = cap - 1;
					memcpy(out, b + c.pos, n);
					out[n] = '\0';
					return 0;
				}
			}
			if (skip(&c, len) != 0)
				return -NX_EINVAL;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return -NX_ENOENT;
		default:
			return -NX_EINVAL;
		}
	}
	return -NX_EINVAL;
}
