/*
 * memcpy and memset for the RISC-V image (kernel and tasks), replacing picolibc's, which
 * Debian builds for size: one byte per iteration, about six instructions a byte. These move
 * eight bytes per step when both pointers are aligned, which is the common case for frames,
 * trap frames and page copies. Compiled with -fno-builtin so the loops are not turned back
 * into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias)) word_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if ((((uintptr_t)d | (uintptr_t)s) & (sizeof(word_t) - 1)) == 0) {
		for (; n >= 4 * sizeof(word_t); n -= 4 * sizeof(word_t)) {
			word_t a = ((const word_t *)s)[0], b = ((const word_t *)s)[1];
			word_t c = ((const word_t *)s)[2], e = ((const word_t *)s)[3];
			((word_t *)d)[0] = a;
			((word_t *)d)[1] = b;
			((word_t *)d)[2] = c;
			((word_t *)d)[3] = e;
			d += 4 * sizeof(word_t);
			s += 4 * sizeof(word_t);
		}
		/* The words left, then the bytes: loops on end pointers (fewer instructions for the
		 * short copies of IPC frames than counting `n` down). */
		const uint8_t *const words_end = s + (n & ~(sizeof(word_t) - 1));
		n &= sizeof(word_t) - 1;
		for (; s != words_end; d += sizeof(word_t), s += sizeof(word_t))
			*(word_t *)d = *(const word_t *)s;
	}
	for (const uint8_t *const end = s + n; s != end;)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	const uint8_t byte = (uint8_t)c;
	for (; n > 0 && ((uintptr_t)d & (sizeof(word_t) - 1)) != 0; n--)
		*d++ = byte;
	const word_t pattern = byte * (word_t)0x0101010101010101ULL;
	for (; n >= 4 * sizeof(word_t); n -= 4 * sizeof(word_t)) {
		((word_t *)d)[0] = pattern;
		((word_t *)d)[1] = pattern;
		((word_t *)d)[2] = pattern;
		((word_t *)d)[3] = pattern;
		d += 4 * sizeof(word_t);
	}
	for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
		*(word_t *)d = pattern;
		d += sizeof(word_t);
	}
	while (n-- > 0)
		*d++ = byte;
	return dst;
}
