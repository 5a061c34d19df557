/*
 * Entropy that runs out (profile=faults): the rng backend holds `rngbytes` bytes
 * (scripts/lib/common.sh, nx_rng_fifo). Reads through rngd return exactly those bytes, in
 * order; the read after the last answers "exhausted" within rngd's deadline, and so does the
 * next one, at once. Nothing waits past its deadline on the dry device.
 */
#include <stdio.h>

#include "client/keystore.h"
#include "client/rng.h"
#include "ulib/sys.h"
#include "st.h"

#define CHUNK 32
/* Reads before the source must have run dry (with the runner's 96 bytes: 2, keystored took 32). */
#define READS_MAX 8

void st_entropy_exhaustion(struct st *st, unsigned file_bytes)
{
	ST_CHECK(file_bytes > 0 && file_bytes <= st_rng_seed_len, "entropy: no usable rngbytes= boot argument (%u)",
		 file_bytes);
	struct keystore_stats ks;
	int rc = keystore_stats(&st->client, &ks, 0);
	ST_CHECK(rc == 0, "entropy: keystored stats: %s", keystore_strerror(rc));
	size_t off = ks.entropy_bytes;
	uint64_t took = 0;
	for (unsigned i = 0; i < READS_MAX && rc == 0; i++) {
		uint8_t b[CHUNK];
		const uint64_t t0 = nx_now_ms();
		rc = rng_read(&st->client, b, CHUNK, 0);
		took = nx_now_ms() - t0;
		for (size_t k = 0; rc == 0 && k < CHUNK; k++)
			ST_CHECK(off + k < file_bytes && b[k] == st_rng_seed[off + k],
				 "entropy: byte %zu is not the backend's (or past its %u bytes)", off + k, file_bytes);
		if (rc == 0)
			off += CHUNK;
	}
	ST_CHECK(rc == -RNG_EEXHAUSTED, "entropy: the read after %zu bytes gave \"%s\", want \"%s\"", off,
		 rng_strerror(rc), rng_strerror(-RNG_EEXHAUSTED));
	ST_CHECK(off == file_bytes, "entropy: ran dry after %zu bytes, the backend held %u", off, file_bytes);
	ST_CHECK(took <= RNGD_DEVICE_MS, "entropy: exhaustion took %llu ms, rngd's deadline is %u",
		 (unsigned long long)took, RNGD_DEVICE_MS);
	const uint64_t t0 = nx_now_ms();
	uint8_t b[CHUNK];
	rc = rng_read(&st->client, b, CHUNK, 0);
	const uint64_t again = nx_now_ms() - t0;
	ST_CHECK(rc == -RNG_EEXHAUSTED && again < took, "entropy: the next read gave \"%s\" after %llu ms",
		 rng_strerror(rc), (unsigned long long)again);
	printf("SELFTEST: entropy exhausted ok bytes=%zu error=\"%s\" first_ms=%llu again_ms=%llu\n", off,
	       rng_strerror(-RNG_EEXHAUSTED), (unsigned long long)took, (unsigned long long)again);
}
