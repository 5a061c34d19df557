/*
 * Shared by the fuzz targets: a cursor that hands the fuzzer's input out as numbers and
 * bytes (zeros once it runs out, so every input is a complete script that ends), and the
 * check that aborts, which libFuzzer reports as a crash, with what was expected and what came.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry point: each target defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input not consumed yet. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* The next `bytes` (1..8) bytes as a little-endian number; missing bytes read as 0. */
static inline uint64_t fz_take(struct fz_in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->n > 0; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	return (uint8_t)fz_take(in, 1);
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	return (uint16_t)fz_take(in, 2);
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	return (uint32_t)fz_take(in, 4);
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	return fz_take(in, 8);
}

/* Fill `n` bytes at `dst` from the input, zeros where it ran out. */
static inline void fz_bytes(struct fz_in *in, uint8_t *dst, size_t n)
{
	size_t k = n < in->n ? n : in->n;
	if (k != 0)
		memcpy(dst, in->p, k);
	memset(dst + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

static inline bool fz_done(const struct fz_in *in)
{
	return in->n == 0;
}

/* Abort unless `cond`; the message (printf arguments) says what was expected and what came. */
#define FZ_CHECK(cond, ...)                                                                   \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                         \
			fputc('\n', stderr);                                                  \
			abort();                                                              \
		}                                                                             \
	} while (0)

#endif
