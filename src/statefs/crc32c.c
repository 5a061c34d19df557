/*
 * CRC-32C (Castagnoli), as RFC 3720 B.4 defines it: reflected polynomial 0x82F63B78,
 * initial value and final XOR 0xFFFFFFFF. Four bits at a time from a 16-entry table: 64
 * bytes of constants and two lookups per byte, small enough for the OS image and fast
 * enough for a 4 KiB value (the block device's settle costs far more).
 */
#include "statefs/statefs.h"

/* nibble[i]: i shifted through the polynomial four times. */
static const uint32_t nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9, 0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t sfs_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ nibble[crc & 15U];
		crc = (crc >> 4) ^ nibble[crc & 15U];
	}
	return ~crc;
}
