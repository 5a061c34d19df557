/* Values of any size for the Frama-C Eva harnesses (tests/prove/prove_*.c): the whole range. */
#ifndef TESTS_PROVE_ANY_H
#define TESTS_PROVE_ANY_H

#include <stddef.h>
#include <stdint.h>

#include "__fc_builtin.h"

static inline uint16_t any_u16(void)
{
	return Frama_C_unsigned_short_interval(0, UINT16_MAX);
}

static inline uint32_t any_u32(void)
{
	return Frama_C_unsigned_int_interval(0, UINT32_MAX);
}

static inline uint64_t any_u64(void)
{
	return Frama_C_unsigned_long_interval(0, UINT64_MAX);
}

static inline size_t any_size(void)
{
	return Frama_C_size_t_interval(0, SIZE_MAX);
}

static inline int any_int(void)
{
	return Frama_C_interval(INT32_MIN, INT32_MAX);
}

#endif
