/*
 * Fuzz target: the statefs store opened over arbitrary disk bytes, then driven by a script.
 *
 * Input: byte 0 picks the disk's size (SFS_MIN_SECTORS + 0..15 sectors), byte 1 is the
 * script's length L, the next L bytes the script, and the rest the disk from sector 0 on
 * (zeros past the input). Script steps: put, delete, get, list (paged to the end), sync,
 * sync-and-reopen, arming a failing write or flush (a reopen disarms it), a put of 4 KiB.
 *
 * Checks: every device call within 1..SFS_IO_MAX_SECTORS sectors and the disk; the open
 * succeeds (or the disk's epochs are used up); every result is one the header allows. A
 * value get returns is never from a record with a bad CRC: for a key this run wrote, it is
 * what the run wrote last (a key it deleted is absent); for any other key, the disk as given
 * holds a put record of that key and value whose CRC-32C (computed here, bit by bit) is
 * right, or the value is one this run put for it before an I/O fault. Listings are in
 * strictly increasing order, carry the prefix, and every key listed is found by get. A sync
 * then a reopen gives back the same keys and values. After a fault every call but sfs_open
 * and sfs_stats says -SFS_EIO until the reopen.
 */
#include "fuzz.h"

#include "statefs/statefs.h"

#define SECTOR SFS_SECTOR_SIZE
#define MAX_SECTORS (SFS_MIN_SECTORS + 15U)
#define NKEYS 8U

static uint8_t disk[MAX_SECTORS * SECTOR], given[MAX_SECTORS * SECTOR];
static uint64_t sectors;
static uint32_t fail_write, fail_flush; /* the next write / flush fails */
static bool faulted;                     /* a call met the fault: the store wants a reopen */
static struct sfs_store s;

static int dev_read(void *ctx, uint64_t lba, void *buf, uint32_t count)
{
	(void)ctx;
	FZ_CHECK(count >= 1 && count <= SFS_IO_MAX_SECTORS && lba < sectors && count <= sectors - lba,
		 "read of %u sectors at %llu on a disk of %llu", count, (unsigned long long)lba,
		 (unsigned long long)sectors);
	memcpy(buf, disk + lba * SECTOR, (size_t)count * SECTOR);
	return 0;
}

static int dev_write(void *ctx, uint64_t lba, const void *buf, uint32_t count)
{
	(void)ctx;
	FZ_CHECK(count >= 1 && count <= SFS_IO_MAX_SECTORS && lba < sectors && count <= sectors - lba,
		 "write of %u sectors at %llu on a disk of %llu", count, (unsigned long long)lba,
		 (unsigned long long)sectors);
	if (fail_write) {
		fail_write = 0;
		return -1;
	}
	memcpy(disk + lba * SECTOR, buf, (size_t)count * SECTOR);
	return 0;
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	if (fail_flush) {
		fail_flush = 0;
		return -1;
	}
	return 0;
}

/* The keys the script names; a 64-byte one and bytes above 0x7f among them. */
static const struct {
	const char *bytes;
	size_t len;
} keys[NKEYS] = {
	{ "a", 1 }, { "b", 1 }, { "key", 3 }, { "key2", 4 }, { "\0", 1 }, { "\xff\xfe", 2 }, { "list/1", 6 },
	{ "0123456789012345678901234567890123456789012345678901234567890123", 64 },
};

/* What this run knows of a key. */
enum known { UNKNOWN, PRESENT, ABSENT };

static struct {
	enum known known;
	uint16_t vlen;
	uint8_t seed;
	/* Values this run put (or held when a fault came), which a fault may have kept. */
	uint32_t tried;
	uint16_t tried_vlen[2 * 256];
	uint8_t tried_seed[2 * 256];
} model[NKEYS];

static void value_of(uint8_t seed, uint16_t vlen, uint8_t *out)
{
	for (uint32_t i = 0; i < vlen; i++)
		out[i] = (uint8_t)(seed + i * 13 + (i >> 8));
}

/* CRC-32C one bit at a time: independent of the library's table. */
static uint32_t crc_bits(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1U) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
	}
	return ~crc;
}

static uint32_t le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* The disk as given holds a put record of `key` and `val` with a right CRC. */
static bool on_given_disk(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
	size_t total = SFS_REC_HDR + klen + vlen;
	for (size_t at = 0; at + total <= sectors * SECTOR; at++) {
		const uint8_t *r = given + at;
		if (le(r, 4) != SFS_REC_MAGIC || r[4] != SFS_REC_PUT || r[5] != klen || le(r + 6, 2) != vlen ||
		    memcmp(r + SFS_REC_HDR, key, klen) != 0 || memcmp(r + SFS_REC_HDR + klen, val, vlen) != 0)
			continue;
		if (le(r + 20, 4) == crc_bits(crc_bits(0, r, 20), r + SFS_REC_HDR, klen + vlen))
			return true;
	}
	return false;
}

static int key_index(const uint8_t *key, size_t klen)
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (keys[i].len == klen && memcmp(keys[i].bytes, key, klen) == 0)
			return (int)i;
	return -1;
}

/* A value this run put for key `k`. */
static bool tried_value(int k, const uint8_t *val, size_t vlen)
{
	static uint8_t v[SFS_VALUE_MAX];
	for (uint32_t i = 0; i < model[k].tried; i++) {
		if (model[k].tried_vlen[i] != vlen)
			continue;
		value_of(model[k].tried_seed[i], model[k].tried_vlen[i], v);
		if (memcmp(v, val, vlen) == 0)
			return true;
	}
	return false;
}

/* Get `key` and check what comes back; returns the get's result. */
static int check_get(const uint8_t *key, size_t klen)
{
	static uint8_t buf[SFS_VALUE_MAX], want[SFS_VALUE_MAX];
	size_t len = 0;
	int rc = sfs_get(&s, key, klen, buf, sizeof(buf), &len);
	int k = key_index(key, klen);
	FZ_CHECK(rc == 0 || rc == -SFS_ENOENT || rc == -SFS_EIO, "get: %s", sfs_strerror(rc));
	if (k >= 0 && model[k].known == PRESENT) {
		value_of(model[k].seed, model[k].vlen, want);
		FZ_CHECK(rc == 0 && len == model[k].vlen && memcmp(buf, want, len) == 0,
			 "get of key %d: %s, %zu bytes; it holds %u bytes this run put", k, sfs_strerror(rc), len,
			 model[k].vlen);
	} else if (k >= 0 && model[k].known == ABSENT) {
		FZ_CHECK(rc == -SFS_ENOENT, "get of deleted key %d: %s", k, sfs_strerror(rc));
	} else if (rc == 0) {
		FZ_CHECK(len <= SFS_VALUE_MAX, "a value of %zu bytes", len);
		FZ_CHECK(on_given_disk(key, klen, buf, len) || (k >= 0 && tried_value(k, buf, len)),
			 "get returned %zu bytes for a %zu-byte key that no record with a right CRC holds",
			 len, klen);
	}
	return rc;
}

/* List every key with the prefix, page by page of `per` keys; check order, prefix, gets. */
static void check_list(const uint8_t *prefix, size_t plen, size_t per)
{
	struct sfs_key page[SFS_MAX_KEYS], last = { 0 };
	bool have_last = false;
	for (unsigned pages = 0; pages <= SFS_MAX_KEYS; pages++) {
		size_t n = 0;
		bool more = false;
		int rc = sfs_list(&s, prefix, plen, have_last ? &last : NULL, page, per, &n, &more);
		if (rc == -SFS_EIO)
			return;
		FZ_CHECK(rc == 0 && n <= per, "list: %s, %zu keys for %zu", sfs_strerror(rc), n, per);
		for (size_t i = 0; i < n; i++) {
			const struct sfs_key *k = &page[i];
			FZ_CHECK(k->len >= 1 && k->len <= SFS_KEY_MAX && k->len >= plen &&
					 memcmp(k->bytes, prefix, plen) == 0,
				 "listed key of %u bytes lacks the %zu-byte prefix", k->len, plen);
			if (have_last) {
				size_t m = last.len < k->len ? last.len : k->len;
				int c = memcmp(last.bytes, k->bytes, m);
				FZ_CHECK(c < 0 || (c == 0 && last.len < k->len), "listing out of order");
			}
			last = *k;
			have_last = true;
			rc = check_get(k->bytes, k->len);
			FZ_CHECK(rc == 0 || rc == -SFS_EIO, "a listed key is not found: %s", sfs_strerror(rc));
		}
		FZ_CHECK(!more || n == per, "more set on a page of %zu of %zu", n, per);
		if (!more)
			return;
	}
	FZ_CHECK(false, "more than %u pages", SFS_MAX_KEYS);
}

/* Every key and value, in order, as one byte string (bounded by the index). */
static size_t dump(uint8_t *out, size_t cap)
{
	static struct sfs_key all[SFS_MAX_KEYS];
	size_t n = 0, at = 0;
	bool more = false;
	if (sfs_list(&s, NULL, 0, NULL, all, SFS_MAX_KEYS, &n, &more) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		FZ_CHECK(at + 1 + all[i].len + 2 + SFS_VALUE_MAX <= cap, "dump space");
		out[at++] = all[i].len;
		memcpy(out + at, all[i].bytes, all[i].len);
		at += all[i].len;
		int rc = sfs_get(&s, all[i].bytes, all[i].len, out + at + 2, SFS_VALUE_MAX, &len);
		FZ_CHECK(rc == 0, "get of a listed key: %s", sfs_strerror(rc));
		out[at] = (uint8_t)len;
		out[at + 1] = (uint8_t)(len >> 8);
		at += 2 + len;
	}
	return at;
}

static int reopen(void)
{
	const struct sfs_dev dev = {
		.read = dev_read, .write = dev_write, .flush = dev_flush, .sectors = sectors,
	};
	fail_write = fail_flush = 0;
	int rc = sfs_open(&s, &dev);
	FZ_CHECK(rc == 0 || rc == -SFS_ENOSPACE, "open: %s", sfs_strerror(rc));
	return rc;
}

static void expect_broken(void)
{
	uint8_t buf[4];
	size_t len, n;
	bool more;
	struct sfs_key out[1];
	FZ_CHECK(sfs_put(&s, "a", 1, "v", 1) == -SFS_EIO, "put after a fault");
	FZ_CHECK(sfs_get(&s, "a", 1, buf, sizeof(buf), &len) == -SFS_EIO, "get after a fault");
	FZ_CHECK(sfs_delete(&s, "a", 1) == -SFS_EIO, "delete after a fault");
	FZ_CHECK(sfs_list(&s, NULL, 0, NULL, out, 1, &n, &more) == -SFS_EIO, "list after a fault");
	FZ_CHECK(sfs_sync(&s) == -SFS_EIO, "sync after a fault");
}

/* After an I/O error: every known key becomes a key whose value may be the old or a tried one. */
static void remember(unsigned k, uint16_t vlen, uint8_t seed)
{
	FZ_CHECK(model[k].tried < 2 * 256, "tried values");
	model[k].tried_vlen[model[k].tried] = vlen;
	model[k].tried_seed[model[k].tried++] = seed;
}

static void after_fault(void)
{
	expect_broken();
	faulted = true;
	for (unsigned k = 0; k < NKEYS; k++) {
		if (model[k].known == PRESENT)
			remember(k, model[k].vlen, model[k].seed);
		model[k].known = UNKNOWN;
	}
}

static void put(unsigned k, uint16_t vlen, uint8_t seed)
{
	static uint8_t v[SFS_VALUE_MAX];
	value_of(seed, vlen, v);
	int rc = sfs_put(&s, keys[k].bytes, keys[k].len, v, vlen);
	FZ_CHECK(rc == 0 || rc == -SFS_ENOSPACE || rc == -SFS_EFULL || rc == -SFS_EIO, "put: %s",
		 sfs_strerror(rc));
	if (rc == 0 || rc == -SFS_EIO)
		remember(k, vlen, seed);
	if (rc == 0) {
		model[k].known = PRESENT;
		model[k].vlen = vlen;
		model[k].seed = seed;
	} else if (rc == -SFS_EIO) {
		after_fault();
	}
}

static void step(struct fz_in *in)
{
	static uint8_t before[SFS_MAX_KEYS * (SFS_KEY_MAX + 3 + SFS_VALUE_MAX)];
	static uint8_t after[sizeof(before)];
	uint8_t op = fz_u8(in);
	unsigned k = (op >> 3) % NKEYS;
	/* The step's arguments, taken in this order whatever the compiler's argument order. */
	uint16_t a = fz_u16(in);
	uint8_t b = fz_u8(in);
	int rc;
	switch (op & 7) {
	case 0:
		put(k, a % 600, b);
		break;
	case 1:
		rc = sfs_delete(&s, keys[k].bytes, keys[k].len);
		FZ_CHECK(rc == 0 || rc == -SFS_ENOENT || rc == -SFS_EIO, "delete: %s", sfs_strerror(rc));
		FZ_CHECK(!(rc == -SFS_ENOENT && model[k].known == PRESENT), "delete of a present key: ENOENT");
		FZ_CHECK(!(rc == 0 && model[k].known == ABSENT), "delete of a deleted key succeeded");
		if (rc == -SFS_EIO)
			after_fault();
		else
			model[k].known = ABSENT;
		break;
	case 2:
		(void)check_get((const uint8_t *)keys[k].bytes, keys[k].len);
		break;
	case 3:
		check_list((const uint8_t *)keys[k].bytes, a % (keys[k].len + 1), 1U + b % 5U);
		break;
	case 4:
		rc = sfs_sync(&s);
		FZ_CHECK(rc == 0 || rc == -SFS_EIO, "sync: %s", sfs_strerror(rc));
		if (rc == -SFS_EIO)
			after_fault();
		break;
	case 5: {
		/* Sync, reopen: the same keys and values. */
		rc = sfs_sync(&s);
		if (rc != 0) {
			after_fault();
			break;
		}
		size_t nb = dump(before, sizeof(before));
		if (reopen() != 0)
			break;
		size_t na = dump(after, sizeof(after));
		FZ_CHECK(na == nb && memcmp(before, after, nb) == 0, "a sync and reopen changed the store (%zu "
			 "bytes of keys and values, then %zu)", nb, na);
		break;
	}
	case 6:
		if (op & 8)
			fail_write = 1;
		else
			fail_flush = 1;
		break;
	default:
		put(k, SFS_VALUE_MAX - (op >> 6), b);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	sectors = SFS_MIN_SECTORS + fz_u8(&in) % 16;
	size_t script_len = fz_u8(&in);
	struct fz_in script = { in.p, script_len < in.n ? script_len : in.n };
	in.p += script.n;
	in.n -= script.n;
	fz_bytes(&in, disk, sizeof(disk));
	memcpy(given, disk, sizeof(given));
	memset(model, 0, sizeof(model));
	faulted = false;
	if (reopen() != 0) {
		expect_broken();
		return 0;
	}
	for (unsigned i = 0; i < 256 && !fz_done(&script); i++) {
		step(&script);
		/* After a fault the store is broken until a reopen; the script goes on with one. */
		if (faulted) {
			faulted = false;
			if (reopen() != 0)
				return 0;
		}
	}
	return 0;
}
