/*
 * Frama-C Eva harness: the statefs record decoder (src/statefs/record.c, with the CRC of
 * src/statefs/crc32c.c), the one place where bytes from the disk become a record. Each
 * entry point is one analysis (scripts/prove.sh runs them with -main).
 *
 * As in prove_wire.c, a buffer of `n` bytes is the last `n` bytes of a larger array, so an
 * access past the `n` bytes the decoder was given leaves the array: an alarm. The entry
 * points loop over every `n` from 0 to beyond every limit (the longest record and 8 bytes
 * more), unrolled, so each `n` is a call Eva analyses knowing the buffer's end exactly; the
 * bytes are any. What this proves: docs/reliability.md and docs/statefs.md.
 */
#include "prove_any.h"

#include "statefs/statefs.h"

/* Longest buffer a harness hands over: beyond every limit the decoder checks. */
#define STORE (SFS_REC_MAX + 8)

static uint8_t disk[STORE];

/* Decode the last `len` bytes of `disk`: a record that decodes lies inside them. */
static void decode_at(size_t len)
{
	const uint8_t *buf = disk + (STORE - len);
	/* Zeroed first: Eva does not tie a decoder's result to which outputs it wrote. */
	struct sfs_record r = { 0 };
	if (sfs_record_decode(buf, len, &r) == 0) {
		//@ assert fits: SFS_REC_HDR <= r.len <= len;
		//@ assert key_at: r.key == buf + SFS_REC_HDR;
	}
}

/* A buffer of every length 0..STORE, of any contents; and the NULL arguments. */
void main_decode(void)
{
	struct sfs_record r;
	Frama_C_make_unknown((char *)disk, STORE);
	/*@ loop pragma UNROLL 4200; */
	for (size_t len = 0; len <= STORE; len++)
		decode_at(len);
	(void)sfs_record_decode(NULL, STORE, &r);
	(void)sfs_record_decode(disk, STORE, NULL);
}

/* The CRC of any bytes chained from any CRC, of none, and the names of every code. (The
 * CRC at every length is analysed within main_decode, over each record's bytes.) */
void main_crc_names(void)
{
	Frama_C_make_unknown((char *)disk, STORE);
	(void)sfs_crc32c(any_u32(), disk, STORE);
	(void)sfs_crc32c(any_u32(), NULL, 0);
	(void)sfs_strerror(any_int());
}
