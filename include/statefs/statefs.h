/**
 * @file statefs/statefs.h
 * The storage format of statefsd: a crash-safe key-value store on a block device.
 *
 * Freestanding C11: no allocation, no global state, no I/O but through the caller's
 * `struct sfs_dev` (OpenSBI style), so the same code runs in statefsd, in the host tests,
 * under the fuzzer and under Frama-C. All memory is the caller's `struct sfs_store`
 * (25,824 bytes on LP64; statically allocatable). The on-disk format, the durability promise
 * and what is proven about it: docs/statefs.md.
 *
 * Durability: sfs_sync() is the only durability boundary. Once it returns 0, every earlier
 * put and delete survives any power cut. Operations after the last successful sync may be
 * lost, but only as a suffix: the state an open recovers is always the state after some
 * prefix of the history of successful operations, never older than the last sync.
 *
 * Errors: every function that can fail returns 0 or a negative `SFS_E…` code and must not be
 * ignored; sfs_strerror() names each code. A refused call (bad argument, unknown key, full
 * index, no space) changes nothing. After an I/O error the store refuses every call with
 * -SFS_EIO until sfs_open() is called again, which recovers the durable state.
 */
#ifndef SFS_STATEFS_H
#define SFS_STATEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes per sector, the unit of every read and write. */
#define SFS_SECTOR_SIZE 512U
/** Most sectors one read or write call of the store asks for (8 KiB). */
#define SFS_IO_MAX_SECTORS 16U
/** Longest key in bytes; keys are 1..SFS_KEY_MAX arbitrary bytes. */
#define SFS_KEY_MAX 64U
/** Longest value in bytes; values are 0..SFS_VALUE_MAX arbitrary bytes. */
#define SFS_VALUE_MAX 4096U
/** Keys one store holds. */
#define SFS_MAX_KEYS 128U

/** Bytes of a record header (layout at `struct sfs_record`). */
#define SFS_REC_HDR 24U
/** Longest record: a put of the longest key and value (4184 bytes). */
#define SFS_REC_MAX (SFS_REC_HDR + SFS_KEY_MAX + SFS_VALUE_MAX)
/** Longest body of a pad record (a pad is at most SFS_REC_HDR + 511 bytes). */
#define SFS_PAD_BODY_MAX (SFS_SECTOR_SIZE - 1U)
/** First four bytes of every record: "SFSR". */
#define SFS_REC_MAGIC 0x52534653U

/** Superblock slots at sectors 0 and 1; the two regions follow. */
#define SFS_SB_SECTORS 2U
/** Smallest region: holds the longest record with its sync pad and more. */
#define SFS_REGION_MIN_SECTORS 16U
/** Largest region used (2 GiB); a larger disk is used up to two such regions. */
#define SFS_REGION_MAX_SECTORS (1U << 22)
/** Smallest disk sfs_open() accepts (34 sectors). */
#define SFS_MIN_SECTORS (SFS_SB_SECTORS + 2U * SFS_REGION_MIN_SECTORS)

/** Error codes, returned negated. */
enum sfs_err {
	SFS_OK = 0,
	SFS_EINVAL = 1,   /**< a NULL pointer or an argument out of range */
	SFS_EKEY = 2,     /**< a key (or prefix, or cursor) length outside its bounds */
	SFS_EVALUE = 3,   /**< a value longer than SFS_VALUE_MAX */
	SFS_ENOENT = 4,   /**< no such key */
	SFS_EFULL = 5,    /**< SFS_MAX_KEYS keys are stored already */
	SFS_ENOSPACE = 6, /**< the live data would not fit a region (or the disk is worn out) */
	SFS_EIO = 7,      /**< the device failed; the store is unusable until reopened */
	SFS_ECORRUPT = 8, /**< bytes that fail their checks (CRC, magic, lengths) */
	SFS_ESHORT = 9,   /**< a buffer ends before the data does */
	SFS_ERR_COUNT     /**< number of codes; not an error */
};

/** Record types. */
enum sfs_rec_type {
	SFS_REC_PUT = 1, /**< key 1..SFS_KEY_MAX bytes, value 0..SFS_VALUE_MAX bytes */
	SFS_REC_DEL = 2, /**< key 1..SFS_KEY_MAX bytes, no value */
	SFS_REC_PAD = 3, /**< no key; a body of 0..SFS_PAD_BODY_MAX bytes up to a sector boundary */
};

/**
 * One journal record. Byte layout (little-endian), SFS_REC_HDR bytes of header then the
 * key then the value:
 *
 *     0  u32 magic SFS_REC_MAGIC      8  u64 seq        20  u32 crc
 *     4  u8  type                     16 u32 epoch      24  key, then value
 *     5  u8  key_len
 *     6  u16 value_len
 *
 * `crc` is the CRC-32C of bytes 0..19 followed by the key and the value.
 */
struct sfs_record {
	uint8_t type;         /**< enum sfs_rec_type */
	uint8_t key_len;      /**< bytes of key */
	uint16_t value_len;   /**< bytes of value (of the body, for a pad) */
	uint32_t epoch;       /**< session that wrote it (docs/statefs.md) */
	uint64_t seq;         /**< position in the journal's history */
	const uint8_t *key;   /**< decode: into the buffer; encode: key_len bytes */
	const uint8_t *value; /**< decode: into the buffer; encode: value_len bytes, NULL for zeros */
	size_t len;           /**< decode: encoded length, SFS_REC_HDR + key_len + value_len */
};

/**
 * The block device, seen through an ops table. Each call moves `count` whole sectors,
 * 1 ≤ count ≤ SFS_IO_MAX_SECTORS, all below `sectors`. A call returns 0 on success and
 * anything else on failure. `flush` returns once every completed write is durable.
 */
struct sfs_dev {
	int (*read)(void *ctx, uint64_t lba, void *buf, uint32_t count);        /**< required */
	int (*write)(void *ctx, uint64_t lba, const void *buf, uint32_t count); /**< required */
	int (*flush)(void *ctx);                                                /**< required */
	void *ctx;        /**< passed to each op */
	uint64_t sectors; /**< size of the device; at least SFS_MIN_SECTORS */
};

/** A key, as sfs_list() returns it and takes its cursor. */
struct sfs_key {
	uint8_t len;                /**< 1..SFS_KEY_MAX */
	uint8_t bytes[SFS_KEY_MAX]; /**< the first `len` bytes are the key */
};

/** Counters, for benchmarks and selftests (sfs_stats()). Counts run since the last open. */
struct sfs_stats {
	uint64_t replayed;        /**< records the open replayed (puts, deletes and pads) */
	uint64_t write_calls;     /**< device write calls (superblocks included) */
	uint64_t sectors_written; /**< sectors those calls wrote */
	uint64_t read_calls;      /**< device read calls */
	uint64_t sectors_read;    /**< sectors those calls read */
	uint64_t flushes;         /**< device flush calls */
	uint64_t compactions;     /**< compactions completed */
	uint64_t corrupt;         /**< records that failed their checks when read back for a get
				       or a compaction (media damage after the open) */
	uint32_t dropped;         /**< 1 if the open's replay stopped at a torn or corrupt record
				       (the record magic present, the record invalid), else 0 */
	uint32_t formatted;       /**< 1 if the open found no valid superblock and formatted */
	uint32_t keys;            /**< keys stored */
	uint32_t bytes_live;      /**< encoded size of the live records: what a compaction writes */
	uint32_t bytes_free;      /**< bytes of the active region the journal has not used yet */
	uint32_t region_bytes;    /**< bytes of each of the two regions */
	uint32_t epoch;           /**< this session's epoch */
};

/** One key of the index. Private to the store. */
struct sfs_entry {
	uint32_t loc;   /* region byte offset of the key's put record */
	uint16_t vlen;  /* value length */
	uint8_t klen;   /* key length */
	uint8_t key[SFS_KEY_MAX];
};

/** The store's whole state. Private: use the functions. */
struct sfs_store {
	uint8_t tail[SFS_IO_MAX_SECTORS * SFS_SECTOR_SIZE]; /* records not written yet */
	uint8_t win[SFS_IO_MAX_SECTORS * SFS_SECTOR_SIZE];  /* sectors read, and superblocks */
	struct sfs_entry keys[SFS_MAX_KEYS];                /* sorted by key */
	struct sfs_dev dev;
	struct sfs_stats st;
	uint64_t generation;     /* of the newest superblock */
	uint64_t base_seq;       /* seq of the active region's first record */
	uint64_t next_seq;       /* seq of the next record */
	uint64_t win_lba;        /* first sector in win */
	uint64_t wr_lba;         /* first sector of the region being written */
	uint32_t win_count;      /* sectors in win; 0: nothing */
	uint32_t region_sectors; /* sectors of each region */
	uint32_t region_epoch;   /* lowest epoch of the active region's records */
	uint32_t epoch;          /* this session's epoch, in every record it writes */
	uint32_t next_epoch;     /* every epoch below it has been handed out */
	uint32_t tail_base;      /* region byte offset of tail[0], a sector boundary */
	uint32_t tail_len;       /* bytes in tail */
	uint32_t tail_clean;     /* leading bytes of tail already on disk (found by the open) */
	uint32_t live;           /* sum of the live records' lengths */
	uint32_t nkeys;          /* entries in keys */
	uint8_t active;          /* region holding the journal: 0 or 1 */
	bool unflushed;          /* a write since the last flush */
	bool broken;             /* an I/O error or a failed open: every call refused */
};

#define SFS_MUST_USE __attribute__((warn_unused_result))

/**
 * Open the store on `dev` (copied): read the superblocks, format the disk if neither is
 * valid, replay the journal up to its first torn, corrupt or stale record, and start a
 * session (one superblock write and a flush). Any earlier content of `s` is discarded.
 * @retval 0 open
 * @retval -SFS_EINVAL `s` or `dev` or an op is NULL, or `dev->sectors` < SFS_MIN_SECTORS
 * @retval -SFS_EIO the device failed
 * @retval -SFS_ENOSPACE the disk's session epochs are used up (after 2^32 - 2 opens)
 * On any error `s` refuses every call but sfs_open() with -SFS_EIO (-SFS_EINVAL if NULL).
 */
SFS_MUST_USE int sfs_open(struct sfs_store *s, const struct sfs_dev *dev);

/**
 * Set `key` to `value` (replacing any value it had). Durable after the next sfs_sync().
 * May compact the journal into the other region (docs/statefs.md), which makes every
 * operation so far durable.
 * @param value `value_len` bytes; may be NULL when `value_len` is 0
 * @retval 0 done
 * @retval -SFS_EINVAL `s` or `key` is NULL, or `value` is NULL with `value_len` > 0
 * @retval -SFS_EKEY `key_len` is 0 or above SFS_KEY_MAX
 * @retval -SFS_EVALUE `value_len` is above SFS_VALUE_MAX
 * @retval -SFS_EFULL `key` is new and SFS_MAX_KEYS keys are stored
 * @retval -SFS_ENOSPACE the live data with this value would not fit a region
 * @retval -SFS_EIO the device failed, now or before
 * Every error but -SFS_EIO changes nothing.
 */
SFS_MUST_USE int sfs_put(struct sfs_store *s, const void *key, size_t key_len, const void *value,
			 size_t value_len);

/**
 * Copy the value of `key` into `buf`. The value is read back from the journal and checked
 * (CRC and header) on every call: a value is returned only from a record that passes.
 * @param cap bytes available at `buf` (`buf` may be NULL when `cap` is 0)
 * @param value_len set to the value's length on success and on -SFS_ESHORT
 * @retval 0 done
 * @retval -SFS_EINVAL `s`, `key` or `value_len` is NULL, or `buf` is NULL with `cap` > 0
 * @retval -SFS_EKEY `key_len` is 0 or above SFS_KEY_MAX
 * @retval -SFS_ENOENT no such key
 * @retval -SFS_ESHORT `cap` is below the value's length; `buf` untouched
 * @retval -SFS_ECORRUPT the record holding the value no longer passes its checks (damaged
 *         on the medium since the open); `buf` untouched, counted in `corrupt`
 * @retval -SFS_EIO the device failed, now or before
 */
SFS_MUST_USE int sfs_get(struct sfs_store *s, const void *key, size_t key_len, void *buf, size_t cap,
			 size_t *value_len);

/**
 * Remove `key`. Durable after the next sfs_sync(). May compact, as sfs_put().
 * @retval 0 done
 * @retval -SFS_EINVAL `s` or `key` is NULL
 * @retval -SFS_EKEY `key_len` is 0 or above SFS_KEY_MAX
 * @retval -SFS_ENOENT no such key
 * @retval -SFS_EIO the device failed, now or before
 */
SFS_MUST_USE int sfs_delete(struct sfs_store *s, const void *key, size_t key_len);

/**
 * One page of the keys that begin with `prefix`, in lexicographic order (bytewise, a key
 * before every longer key it begins): the first `max` such keys after `after`.
 * Page through all of them by passing the last key of a page as the next `after` while
 * `*more` is set.
 * @param prefix `prefix_len` (0..SFS_KEY_MAX) bytes; NULL allowed when `prefix_len` is 0
 * @param after the cursor: only keys above it are listed; NULL for the first page
 * @param out room for `max` keys, 1 ≤ max ≤ SFS_MAX_KEYS
 * @param n set to the keys written to `out`
 * @param more set when further keys with the prefix follow the last one written
 * @retval 0 done (`*n` may be 0)
 * @retval -SFS_EINVAL `s`, `out`, `n` or `more` is NULL, `prefix` NULL with `prefix_len` > 0,
 *         or `max` outside 1..SFS_MAX_KEYS
 * @retval -SFS_EKEY `prefix_len` above SFS_KEY_MAX, or `after->len` 0 or above SFS_KEY_MAX
 * @retval -SFS_EIO the device failed before
 * On an error the outputs are untouched.
 */
SFS_MUST_USE int sfs_list(struct sfs_store *s, const void *prefix, size_t prefix_len,
			  const struct sfs_key *after, struct sfs_key *out, size_t max, size_t *n,
			  bool *more);

/**
 * Make every earlier put and delete durable: write the records not written yet, padded to a
 * sector boundary, in as few calls as the tail buffer allows (one while the records since
 * the last sync fit 8168 bytes), then flush. Nothing to write and nothing unflushed: no I/O.
 * @retval 0 durable
 * @retval -SFS_EINVAL `s` is NULL
 * @retval -SFS_EIO the device failed, now or before; what was written may or may not last
 */
SFS_MUST_USE int sfs_sync(struct sfs_store *s);

/**
 * Copy the store's counters into `*out`.
 * @retval 0 done
 * @retval -SFS_EINVAL `s` or `out` is NULL
 */
SFS_MUST_USE int sfs_stats(const struct sfs_store *s, struct sfs_stats *out);

/**
 * Text for an error code.
 * @return a static string for `err` (0 or a negative SFS_E… code); "unknown error" otherwise
 */
const char *sfs_strerror(int err);

/**
 * CRC-32C (Castagnoli, RFC 3720 B.4): reflected polynomial 0x82F63B78, initial value and
 * final XOR 0xFFFFFFFF. Chains: sfs_crc32c(sfs_crc32c(0, a, n), b, m) is the CRC of a then b.
 * @param crc 0 to start, or the CRC of the bytes before `buf`
 * @param buf `len` bytes; may be NULL when `len` is 0
 * @return the CRC of everything so far
 */
uint32_t sfs_crc32c(uint32_t crc, const void *buf, size_t len);

/**
 * Decode the record at the start of `buf`. Reads only the first `len` bytes; checks the
 * magic, the type, the key and value lengths allowed for the type (at enum sfs_rec_type),
 * that the record fits `len`, and the CRC. `out->key` and `out->value` point into `buf`.
 * @retval 0 `*out` holds the record
 * @retval -SFS_EINVAL `buf` or `out` is NULL
 * @retval -SFS_ESHORT `len` is below SFS_REC_HDR, or below the record's length
 * @retval -SFS_ECORRUPT bad magic, type, lengths or CRC
 * On an error `*out` is untouched.
 */
SFS_MUST_USE int sfs_record_decode(const uint8_t *buf, size_t len, struct sfs_record *out);

/**
 * Encode `*r` (its `len` ignored) into `buf`, computing the CRC.
 * @param len set to the encoded length on success
 * @retval 0 done
 * @retval -SFS_EINVAL `r`, `buf` or `len` is NULL, `r->key` is NULL with a key length above
 *         0, or the type and lengths are not allowed together (a NULL `r->value` encodes
 *         zeros)
 * @retval -SFS_ESHORT the record is longer than `cap`; `buf` untouched
 */
SFS_MUST_USE int sfs_record_encode(const struct sfs_record *r, uint8_t *buf, size_t cap, size_t *len);

#endif
