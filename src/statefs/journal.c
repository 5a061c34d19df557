/*
 * The journal: how the store's state lives on the disk. Format and reasons: docs/statefs.md.
 *
 * Sectors 0 and 1 are two superblock slots; two regions of `region_sectors` follow. The
 * active region holds the journal, records back to back from its byte 0. A record is
 * written once per pass over a region: records go into the tail buffer, whose whole sectors
 * go out when it fills, and a sync pads the last one to a sector boundary and writes it, so
 * a sector holding synced records is never written again. When the active region is full,
 * compaction writes the live keys into the other region and a new superblock names it.
 *
 * Staleness: every open starts a session with an epoch above every earlier one, reserved in
 * a superblock before the session writes a record. Replay accepts a record only if its seq
 * follows the one before and its epoch is not lower, so it stops at a record left by an
 * earlier pass over the region or by a session that a later one wrote over.
 */
#include <string.h>

#include "sfs_int.h"

#define SECTOR SFS_SECTOR_SIZE
#define TAIL_BYTES (SFS_IO_MAX_SECTORS * SFS_SECTOR_SIZE)
/* No entry: the operation a compaction carries is a delete. */
#define NO_ENTRY SFS_MAX_KEYS

#define SB_MAGIC 0x42534653U /* "SFSB" */
#define SB_VERSION 1U
/* The superblock's CRC covers the bytes before it. */
#define SB_CRC_AT (SECTOR - 4U)

_Static_assert(sizeof(((struct sfs_store *)0)->tail) == TAIL_BYTES, "the tail is one I/O");
_Static_assert(sizeof(((struct sfs_store *)0)->win) == TAIL_BYTES, "the window is one I/O");
/* A record at any offset in a sector, with the pad a sync adds after it, fits the tail
 * buffer, and the window holds it: 511 + SFS_REC_MAX + SFS_REC_HDR + 511 bytes. */
_Static_assert(SECTOR - 1 + SFS_REC_MAX + SFS_REC_HDR + SFS_PAD_BODY_MAX <= TAIL_BYTES,
	       "a record and its pad fit the tail buffer");
/* The longest record, padded, fits the smallest region; region offsets fit 32 bits. */
_Static_assert(SFS_REGION_MIN_SECTORS * SECTOR >= SFS_REC_MAX + SFS_REC_HDR + SFS_PAD_BODY_MAX,
	       "a region holds the longest record");
_Static_assert((uint64_t)SFS_REGION_MAX_SECTORS * SECTOR <= UINT32_MAX, "offsets are 32 bits");
_Static_assert(SFS_MAX_KEYS % 32 == 0, "the lost-key bitmap is whole words");

/* A superblock: which region holds the journal and where its history starts. */
struct sb {
	uint64_t generation;     /* the newer of the two slots wins; slot = generation % 2 */
	uint64_t base_seq;       /* seq of the active region's first record */
	uint32_t region_epoch;   /* lowest epoch of the active region's records */
	uint32_t next_epoch;     /* every epoch below it has been handed out */
	uint32_t region_sectors; /* sectors of each region */
	uint8_t active;          /* 0 or 1 */
};

static uint32_t region_bytes(const struct sfs_store *s)
{
	return s->region_sectors * SECTOR;
}

static uint64_t region_lba(const struct sfs_store *s, uint32_t region)
{
	return SFS_SB_SECTORS + (uint64_t)region * s->region_sectors;
}

/*
 * Where the pad a sync appends at byte `p` ends: at the next sector boundary, or at the one
 * after if the gap is too short for a record header. The pad is a record of its own, so that
 * replay walks over it like over any other.
 */
static uint32_t pad_end(uint32_t p)
{
	uint32_t gap = (SECTOR - p % SECTOR) % SECTOR;
	if (gap == 0)
		return p;
	return p + gap + (gap < SFS_REC_HDR ? SECTOR : 0);
}

/* The device: every call counted; any failure breaks the store until it is reopened. */

static int io_failed(struct sfs_store *s)
{
	s->broken = true;
	return -SFS_EIO;
}

static int dev_read(struct sfs_store *s, uint64_t lba, uint8_t *buf, uint32_t count)
{
	s->st.read_calls++;
	s->st.sectors_read += count;
	return s->dev.read(s->dev.ctx, lba, buf, count) == 0 ? 0 : io_failed(s);
}

/* A write also forgets the window, which may hold the sectors' old contents. */
static int dev_write(struct sfs_store *s, uint64_t lba, const uint8_t *buf, uint32_t count)
{
	s->win_count = 0;
	s->unflushed = true;
	s->st.write_calls++;
	s->st.sectors_written += count;
	return s->dev.write(s->dev.ctx, lba, buf, count) == 0 ? 0 : io_failed(s);
}

/* Flush, if anything was written since the last flush. */
static int barrier(struct sfs_store *s)
{
	if (!s->unflushed)
		return 0;
	s->st.flushes++;
	if (s->dev.flush(s->dev.ctx) != 0)
		return io_failed(s);
	s->unflushed = false;
	return 0;
}

/*
 * Point `*p` at bytes [off, off + len) of the region at sector `lba0`, reading them unless
 * the window holds them. 1 ≤ len ≤ SFS_REC_MAX and off + len ≤ the region's size, so they
 * span at most 10 sectors; a read fills the window as far as the region goes.
 */
static int window(struct sfs_store *s, uint64_t lba0, uint32_t off, uint32_t len, uint8_t **p)
{
	uint64_t first = lba0 + off / SECTOR, last = lba0 + (off + len - 1) / SECTOR;
	if (s->win_count == 0 || first < s->win_lba || last >= s->win_lba + s->win_count) {
		uint64_t left = lba0 + s->region_sectors - first;
		uint32_t count = left < SFS_IO_MAX_SECTORS ? (uint32_t)left : SFS_IO_MAX_SECTORS;
		s->win_count = 0;
		int err = dev_read(s, first, s->win, count);
		if (err)
			return err;
		s->win_lba = first;
		s->win_count = count;
	}
	*p = s->win + (first - s->win_lba) * SECTOR + off % SECTOR;
	return 0;
}

/* Superblocks. Layout (little-endian): magic, version, generation, base_seq, region_epoch,
 * next_epoch, region_sectors, active at bytes 0, 4, 8, 16, 24, 28, 32, 36; zeros; CRC-32C of
 * bytes 0..507 at 508. */

static void sb_encode(const struct sb *sb, uint8_t *buf)
{
	memset(buf, 0, SECTOR);
	sfs_put32(buf, SB_MAGIC);
	sfs_put32(buf + 4, SB_VERSION);
	sfs_put64(buf + 8, sb->generation);
	sfs_put64(buf + 16, sb->base_seq);
	sfs_put32(buf + 24, sb->region_epoch);
	sfs_put32(buf + 28, sb->next_epoch);
	sfs_put32(buf + 32, sb->region_sectors);
	buf[36] = sb->active;
	sfs_put32(buf + SB_CRC_AT, sfs_crc32c(0, buf, SB_CRC_AT));
}

/* The superblock of slot `slot`, if intact, in its own slot, and of a geometry that fits a
 * device of `sectors`. */
static bool sb_decode(const uint8_t *buf, uint32_t slot, uint64_t sectors, struct sb *sb)
{
	const struct sb v = {
		.generation = sfs_get64(buf + 8),
		.base_seq = sfs_get64(buf + 16),
		.region_epoch = sfs_get32(buf + 24),
		.next_epoch = sfs_get32(buf + 28),
		.region_sectors = sfs_get32(buf + 32),
		.active = buf[36],
	};
	if (sfs_get32(buf) != SB_MAGIC || sfs_get32(buf + 4) != SB_VERSION ||
	    sfs_get32(buf + SB_CRC_AT) != sfs_crc32c(0, buf, SB_CRC_AT))
		return false;
	if (v.generation % 2 != slot || v.active > 1 || v.region_epoch >= v.next_epoch ||
	    v.region_sectors < SFS_REGION_MIN_SECTORS || v.region_sectors > SFS_REGION_MAX_SECTORS ||
	    SFS_SB_SECTORS + 2 * (uint64_t)v.region_sectors > sectors)
		return false;
	*sb = v;
	return true;
}

/*
 * Make the superblock naming `active` (journal from `base_seq`, `region_epoch`) the newest:
 * flush what it points at, write it as the next generation into the slot the current one
 * does not hold, and flush. A torn write leaves the current one in charge.
 */
static int sb_commit(struct sfs_store *s, uint8_t active, uint64_t base_seq, uint32_t region_epoch)
{
	const struct sb sb = {
		.generation = s->generation + 1,
		.base_seq = base_seq,
		.region_epoch = region_epoch,
		.next_epoch = s->next_epoch,
		.region_sectors = s->region_sectors,
		.active = active,
	};
	int err = barrier(s);
	if (err)
		return err;
	sb_encode(&sb, s->win);
	err = dev_write(s, sb.generation % 2, s->win, 1);
	if (!err)
		err = barrier(s);
	if (err)
		return err;
	s->generation = sb.generation;
	s->active = active;
	s->base_seq = base_seq;
	s->region_epoch = region_epoch;
	return 0;
}

/* The index, as records change it; `live` follows. */

/* Point entry `at` (inserted there for a new key) at a put record at `loc`. */
static void set_value(struct sfs_store *s, uint32_t at, bool found, const uint8_t *key, uint32_t key_len,
		      uint32_t loc, uint32_t value_len)
{
	if (found)
		s->live -= sfs_rec_len(key_len, s->keys[at].vlen);
	else
		sfs_ix_insert(s, at, key, key_len);
	s->keys[at].loc = loc;
	s->keys[at].vlen = (uint16_t)value_len;
	s->live += sfs_rec_len(key_len, value_len);
}

static void drop(struct sfs_store *s, uint32_t at)
{
	s->live -= sfs_rec_len(s->keys[at].klen, s->keys[at].vlen);
	sfs_ix_remove(s, at);
}

/* Apply a replayed record found at `pos`. Fails only for a new key past SFS_MAX_KEYS. */
static int apply(struct sfs_store *s, const struct sfs_record *r, uint32_t pos)
{
	uint32_t at = 0;
	bool found = r->type != SFS_REC_PAD && sfs_ix_find(s, r->key, r->key_len, &at);
	if (r->type == SFS_REC_PUT) {
		if (!found && s->nkeys == SFS_MAX_KEYS)
			return -SFS_EFULL;
		set_value(s, at, found, r->key, r->key_len, pos, r->value_len);
	} else if (found) {
		drop(s, at);
	}
	return 0;
}

/*
 * Replay the active region into the index. A record is taken if it decodes (magic, shape,
 * CRC), carries the next seq and an epoch no lower than the record before (the superblock's
 * base_seq and region_epoch before the first), and leaves room for a sync pad as the writer
 * always does. The first record that is not taken ends the journal; the tail buffer starts
 * there, holding the start of its sector, which the session's first write rewrites.
 */
static int replay(struct sfs_store *s, uint32_t *last_epoch)
{
	uint64_t lba0 = region_lba(s, s->active), seq = s->base_seq;
	uint32_t size = region_bytes(s), pos = 0, epoch = s->region_epoch;
	uint8_t *p;
	/* Every record takes SFS_REC_HDR bytes at least: the region's end bounds the loop. */
	for (uint32_t i = 0; i < size / SFS_REC_HDR && size - pos >= SFS_REC_HDR; i++) {
		uint32_t avail = size - pos < SFS_REC_MAX ? size - pos : SFS_REC_MAX;
		int err = window(s, lba0, pos, avail, &p);
		if (err)
			return err;
		struct sfs_record r;
		if (sfs_record_decode(p, avail, &r) != 0) {
			s->st.dropped = sfs_get32(p) == SFS_REC_MAGIC;
			break;
		}
		if (r.seq != seq || r.epoch < epoch || pad_end(pos + (uint32_t)r.len) > size)
			break;
		if (apply(s, &r, pos) != 0) {
			s->st.dropped = 1;
			break;
		}
		pos += (uint32_t)r.len;
		seq++;
		epoch = r.epoch;
		s->st.replayed++;
	}
	s->next_seq = seq;
	*last_epoch = epoch;
	s->tail_base = pos - pos % SECTOR;
	s->tail_len = s->tail_clean = pos % SECTOR;
	if (s->tail_len == 0)
		return 0;
	int err = window(s, lba0, s->tail_base, s->tail_len, &p);
	if (err)
		return err;
	memcpy(s->tail, p, s->tail_len);
	return 0;
}

static void load(struct sfs_store *s, const struct sb *sb)
{
	s->generation = sb->generation;
	s->base_seq = sb->base_seq;
	s->region_epoch = sb->region_epoch;
	s->next_epoch = sb->next_epoch;
	s->region_sectors = sb->region_sectors;
	s->active = sb->active;
}

int sfs_jn_open(struct sfs_store *s)
{
	int err = dev_read(s, 0, s->win, SFS_SB_SECTORS);
	if (err)
		return err;
	struct sb a, b;
	bool va = sb_decode(s->win, 0, s->dev.sectors, &a);
	bool vb = sb_decode(s->win + SECTOR, 1, s->dev.sectors, &b);
	uint32_t last_epoch = 0;
	if (va || vb) {
		load(s, va && (!vb || a.generation > b.generation) ? &a : &b);
		err = replay(s, &last_epoch);
		if (err)
			return err;
	} else {
		/*
		 * A blank disk: an empty journal in region 0. The regions may hold records of an
		 * earlier format whose superblocks were lost; the new journal's seq numbers start
		 * at a number drawn from the old superblock sectors (2^62 of them), so that no such
		 * record can ever continue it.
		 */
		uint64_t r = (s->dev.sectors - SFS_SB_SECTORS) / 2;
		uint64_t h = (uint64_t)sfs_crc32c(0, s->win, SECTOR) << 32 | sfs_crc32c(0, s->win + SECTOR, SECTOR);
		const struct sb fresh = {
			.base_seq = 1 + (h >> 2),
			.region_epoch = 1,
			.next_epoch = 1,
			.region_sectors = r < SFS_REGION_MAX_SECTORS ? (uint32_t)r : SFS_REGION_MAX_SECTORS,
		};
		load(s, &fresh);
		s->next_seq = fresh.base_seq;
		s->st.formatted = 1;
	}
	/* The session's epoch: above every one handed out and every one replayed. */
	uint64_t epoch = s->next_epoch > last_epoch ? s->next_epoch : (uint64_t)last_epoch + 1;
	if (epoch >= UINT32_MAX)
		return -SFS_ENOSPACE;
	s->epoch = (uint32_t)epoch;
	s->next_epoch = s->epoch + 1;
	s->wr_lba = region_lba(s, s->active);
	return sb_commit(s, s->active, s->base_seq, s->region_epoch);
}

/* The tail buffer: records of this session not written yet. */

/*
 * Make room in the tail buffer for a record of `len` bytes and the pad a sync may add after
 * it. When it is full, its whole sectors go out in one write; the partial last one stays,
 * to be written once, complete.
 */
static int tail_room(struct sfs_store *s, uint32_t len)
{
	if (pad_end(s->tail_len + len) <= TAIL_BYTES)
		return 0;
	uint32_t whole = s->tail_len - s->tail_len % SECTOR;
	int err = dev_write(s, s->wr_lba + s->tail_base / SECTOR, s->tail, whole / SECTOR);
	if (err)
		return err;
	memmove(s->tail, s->tail + whole, s->tail_len - whole);
	s->tail_base += whole;
	s->tail_len -= whole;
	s->tail_clean = 0;
	return 0;
}

/* Append a record of this session (its room made); returns its region byte offset. */
static uint32_t tail_add(struct sfs_store *s, uint8_t type, const uint8_t *key, uint32_t key_len,
			 const uint8_t *value, uint32_t value_len)
{
	const struct sfs_record r = {
		.type = type,
		.key_len = (uint8_t)key_len,
		.value_len = (uint16_t)value_len,
		.epoch = s->epoch,
		.seq = s->next_seq++,
		.key = key,
		.value = value,
	};
	uint32_t at = s->tail_base + s->tail_len;
	s->tail_len += sfs_rec_write(s->tail + s->tail_len, &r);
	return at;
}

/* Write out the records not written yet, padded to a sector boundary: one write. */
static int tail_out(struct sfs_store *s)
{
	if (s->tail_len == s->tail_clean)
		return 0;
	uint32_t end = pad_end(s->tail_len);
	if (end > s->tail_len)
		(void)tail_add(s, SFS_REC_PAD, NULL, 0, NULL, end - s->tail_len - SFS_REC_HDR);
	int err = dev_write(s, s->wr_lba + s->tail_base / SECTOR, s->tail, end / SECTOR);
	if (err)
		return err;
	s->tail_base += end;
	s->tail_len = 0;
	s->tail_clean = 0;
	return 0;
}

int sfs_jn_sync(struct sfs_store *s)
{
	int err = tail_out(s);
	return err ? err : barrier(s);
}

/*
 * The value of entry `e`, whose put record lies in the region at sector `lba0`, read back
 * and checked: from the tail buffer if not written yet, else from the disk. A record that
 * the tail buffer's last write cut in two has its end still in the buffer: it goes over the
 * window's copy of that sector, which is what the sector will hold once written (a write
 * forgets the window).
 */
static int read_value(struct sfs_store *s, uint64_t lba0, const struct sfs_entry *e, const uint8_t **value)
{
	uint32_t len = sfs_rec_len(e->klen, e->vlen), end = e->loc + len;
	bool tail = lba0 == s->wr_lba;
	uint8_t *p;
	if (tail && e->loc >= s->tail_base) {
		p = s->tail + (e->loc - s->tail_base);
	} else {
		int err = window(s, lba0, e->loc, len, &p);
		if (err)
			return err;
		if (tail && end > s->tail_base)
			memcpy(p + (s->tail_base - e->loc), s->tail, end - s->tail_base);
	}
	struct sfs_record r;
	if (sfs_record_decode(p, len, &r) != 0 || r.type != SFS_REC_PUT || r.key_len != e->klen ||
	    r.value_len != e->vlen || memcmp(r.key, e->key, e->klen) != 0) {
		s->st.corrupt++;
		return -SFS_ECORRUPT;
	}
	*value = r.value;
	return 0;
}

int sfs_jn_value(struct sfs_store *s, uint32_t at, const uint8_t **value)
{
	return read_value(s, region_lba(s, s->active), &s->keys[at], value);
}

/*
 * Compaction, when an operation does not fit the active region: write the state with the
 * operation applied (the index, already changed) into the other region and switch to it.
 *   1. The old region's pending records go out, so that every value but the new one is on
 *      disk (the old region is never written again).
 *   2. One put record per key, in key order, from byte 0 of the other region, and a pad.
 *   3. Flush, the superblock naming the other region, flush (sb_commit).
 * A power cut before the superblock lands leaves the old region in charge, untouched by 2
 * and 3; after it, the new one. A value whose record fails its checks is left out (counted
 * in `corrupt`): it could never be returned anyway.
 * `op` is the entry whose value is the caller's `value`, or NO_ENTRY for a delete.
 */
static int compact(struct sfs_store *s, uint32_t op, const uint8_t *value)
{
	int err = tail_out(s);
	if (err)
		return err;
	uint64_t old = region_lba(s, s->active), base = s->next_seq;
	uint8_t target = s->active ^ 1U;
	uint32_t lost[SFS_MAX_KEYS / 32] = { 0 };
	/* The tail may still hold the start of a sector the open found: it stays in the old region. */
	s->wr_lba = region_lba(s, target);
	s->tail_base = s->tail_len = s->tail_clean = 0;
	for (uint32_t i = 0; i < s->nkeys; i++) {
		struct sfs_entry *e = &s->keys[i];
		const uint8_t *v = value;
		err = tail_room(s, sfs_rec_len(e->klen, e->vlen));
		if (!err && i != op)
			err = read_value(s, old, e, &v);
		if (err == -SFS_ECORRUPT) {
			lost[i / 32] |= 1U << (i % 32);
			continue;
		}
		if (err)
			return err;
		e->loc = tail_add(s, SFS_REC_PUT, e->key, e->klen, v, e->vlen);
	}
	err = tail_out(s);
	if (!err)
		err = sb_commit(s, target, base, s->epoch);
	if (err)
		return err;
	for (uint32_t i = s->nkeys; i-- > 0;)
		if (lost[i / 32] & (1U << (i % 32)))
			drop(s, i);
	s->st.compactions++;
	return 0;
}

int sfs_jn_update(struct sfs_store *s, uint8_t type, const uint8_t *key, uint32_t key_len,
		  const uint8_t *value, uint32_t value_len)
{
	uint32_t at;
	bool found = sfs_ix_find(s, key, key_len, &at);
	if (!found && type == SFS_REC_DEL)
		return -SFS_ENOENT;
	if (!found && s->nkeys == SFS_MAX_KEYS)
		return -SFS_EFULL;
	uint32_t len = sfs_rec_len(key_len, value_len);
	if (pad_end(s->tail_base + s->tail_len + len) <= region_bytes(s)) {
		int err = tail_room(s, len);
		if (err)
			return err;
		uint32_t loc = tail_add(s, type, key, key_len, value, value_len);
		if (type == SFS_REC_PUT)
			set_value(s, at, found, key, key_len, loc, value_len);
		else
			drop(s, at);
		return 0;
	}
	/* The region is full: compact, if the state after the operation fits a region. */
	uint32_t image = s->live - (found ? sfs_rec_len(key_len, s->keys[at].vlen) : 0) +
			 (type == SFS_REC_PUT ? len : 0);
	if (pad_end(image) > region_bytes(s))
		return -SFS_ENOSPACE;
	if (type == SFS_REC_DEL) {
		drop(s, at);
		return compact(s, NO_ENTRY, NULL);
	}
	set_value(s, at, found, key, key_len, 0, value_len);
	return compact(s, at, value);
}
