/**
 * @file proto/execd.h
 * execd's request data (op codes: EXECD_OP_* in the generated nx_manifest.h). Every field is
 * little-endian.
 *
 * spawn:       image[32] name[32] (NUL-padded) qos u32 page_quota u32 slack_fg_ms u32
 *              slack_bg_ms u32 -> reply: task id u32. The requester (the kernel-stamped
 *              caller) becomes the new task's supervisor and receives its exit notice.
 * kill:        task u32 reason u32 -> reply: empty.
 * spawn_image: name[32] (NUL-padded) qos u32 page_quota u32 slack_fg_ms u32 slack_bg_ms u32
 *              image_len u32 sha512[64] prefix_len u8 prefix[prefix_len] -> reply: task id
 *              u32. Spawns, as spawn does, from an ELF image stored in statefsd in chunks
 *              (below) instead of an image built into the kernel.
 * stats:       none -> reply: EXECD_STATS_LEN bytes, struct execd_stats as u32s in order.
 * spawn, kill and spawn_image are for the callers the policy table names (appmgrd, and
 * selftest for spawn_image); others get DENIED. stats is for everyone.
 *
 * The image of spawn_image: its image_len bytes (1..NX_SPAWN_ELF_MAX) lie in statefsd under
 * the keys prefix + "0", prefix + "1", ... (decimal, execd_chunk_key()), chunk i holding bytes
 * [i * EXECD_CHUNK_SIZE, ...): every chunk EXECD_CHUNK_SIZE bytes but the last, which holds
 * the rest. execd reads them with its own authority (the system manifest grants it the
 * prefixes it may read), all within EXECD_READ_MS, checks their lengths and their SHA-512
 * against the request, and only then hands the bytes to the kernel (NX_SYS_SPAWN_ELF), which
 * checks the image completely before mapping any of it. Reply status of spawn_image:
 *   OK                      spawned: the task id
 *   MALFORMED               the request does not decode, or the kernel refused the arguments
 *                           (a name taken, a class, quota or slack out of range)
 *   UNKNOWN                 a chunk is missing
 *   FULL                    the kernel's task table, the class or the supervisor's room is full
 *   EXECD_STATUS_TOO_BIG    image_len above NX_SPAWN_ELF_MAX: nothing was read
 *   EXECD_STATUS_MISMATCH   a chunk's length, or the digest of the bytes read, differs from
 *                           the request
 *   EXECD_STATUS_STORE      statefsd did not give a chunk (denied, disk error, corrupt record,
 *                           no answer by the deadline)
 *   EXECD_STATUS_BAD_IMAGE  the kernel found the image invalid (-NX_ENOEXEC)
 *   EXECD_STATUS_NO_MEMORY  the image needs more than the quota, or RAM ran out (-NX_ENOMEM)
 * No refusal leaves a task behind; each is counted (execd_stats, and the kernel's
 * nx_kstats.spawn_refused for the kernel's).
 */
#ifndef PROTO_EXECD_H
#define PROTO_EXECD_H

#include <stddef.h>
#include <stdint.h>

#include "nx/abi.h"
#include "proto/statefs.h"

#define EXECD_SPAWN_LEN (2 * (NX_NAME_MAX + 1) + 16)
#define EXECD_KILL_LEN 8

/** Bytes of a chunk of a spawn_image image: one statefsd value. */
#define EXECD_CHUNK_SIZE STATEFS_VALUE_MAX
/** Most chunks of an image. */
#define EXECD_CHUNKS_MAX ((NX_SPAWN_ELF_MAX + EXECD_CHUNK_SIZE - 1) / EXECD_CHUNK_SIZE)
/** Longest key prefix of spawn_image: room for the chunk index's decimal digits (two). */
#define EXECD_PREFIX_MAX (STATEFS_KEY_MAX - 2)
/** Bytes of the SHA-512 digest in spawn_image. */
#define EXECD_DIGEST_LEN 64
/** Bytes of a spawn_image request without its prefix. */
#define EXECD_SPAWN_IMAGE_FIXED ((NX_NAME_MAX + 1) + 20 + EXECD_DIGEST_LEN + 1)
/** Longest spawn_image request. */
#define EXECD_SPAWN_IMAGE_MAX (EXECD_SPAWN_IMAGE_FIXED + EXECD_PREFIX_MAX)
/** Guest time execd spends at most reading an image from statefsd (ms); a caller's timeout
 * for spawn_image should be above it. */
#define EXECD_READ_MS 1500
/** Bytes of a stats reply. */
#define EXECD_STATS_LEN 20

_Static_assert(EXECD_CHUNKS_MAX <= 100, "a chunk index has at most two digits");
_Static_assert(EXECD_SPAWN_IMAGE_MAX <= NX_FRAME_DATA_MAX, "a spawn_image request fits one frame");

/** Reply statuses of execd beyond ipc/wire.h's. */
enum execd_status {
	EXECD_STATUS_TOO_BIG = 32,   /**< the image is longer than NX_SPAWN_ELF_MAX */
	EXECD_STATUS_MISMATCH = 33,  /**< the chunks' lengths or digest differ from the request */
	EXECD_STATUS_STORE = 34,     /**< statefsd did not give a chunk */
	EXECD_STATUS_BAD_IMAGE = 35, /**< the kernel found the image invalid */
	EXECD_STATUS_NO_MEMORY = 36, /**< over quota, or out of RAM */
};

/** execd's counters of spawn_image (stats reply, in this order; all saturating). */
struct execd_stats {
	uint32_t images;   /**< tasks spawned from images */
	uint32_t too_big;  /**< refused: EXECD_STATUS_TOO_BIG */
	uint32_t store;    /**< refused: a chunk missing or not given (UNKNOWN, EXECD_STATUS_STORE) */
	uint32_t mismatch; /**< refused: EXECD_STATUS_MISMATCH */
	uint32_t kernel;   /**< refused by the kernel (any other refusal after the read) */
};

/** A spawn_image request's fields. */
struct execd_spawn_image {
	char name[NX_NAME_MAX + 1];
	uint32_t qos;
	uint32_t page_quota;
	uint32_t slack_fg_ms;
	uint32_t slack_bg_ms;
	uint32_t image_len;                  /**< 1.. (execd refuses above NX_SPAWN_ELF_MAX) */
	uint8_t sha512[EXECD_DIGEST_LEN];    /**< of the image's image_len bytes */
	uint8_t prefix_len;                  /**< 1..EXECD_PREFIX_MAX */
	char prefix[EXECD_PREFIX_MAX + 1];   /**< printable ASCII (a key's bytes), NUL-terminated */
};

/** A spawn request's fields. */
struct execd_spawn {
	char image[NX_NAME_MAX + 1];
	char name[NX_NAME_MAX + 1];
	uint32_t qos;
	uint32_t page_quota;
	uint32_t slack_fg_ms;
	uint32_t slack_bg_ms;
};

/**
 * Encode a spawn request into `out` (names longer than NX_NAME_MAX are cut).
 * @return EXECD_SPAWN_LEN, or -NX_EINVAL if `cap` is smaller
 */
__attribute__((warn_unused_result)) int execd_spawn_encode(const struct execd_spawn *s, uint8_t *out, size_t cap);

/**
 * Decode a spawn request.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, or a name without its NUL
 */
__attribute__((warn_unused_result)) int execd_spawn_decode(const uint8_t *buf, size_t len, struct execd_spawn *s);

/**
 * Encode a spawn_image request into `out`.
 * @return its length (EXECD_SPAWN_IMAGE_FIXED + prefix_len)
 * @retval -NX_EINVAL an empty name or one without its NUL, image_len 0, a prefix that is not
 *         1..EXECD_PREFIX_MAX key bytes, or `cap` too small; nothing is written
 */
__attribute__((warn_unused_result)) int execd_spawn_image_encode(const struct execd_spawn_image *s, uint8_t *out,
								 size_t cap);

/**
 * Decode a spawn_image request.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length, an empty name or one without its NUL, image_len 0, or a
 *         prefix that is not 1..EXECD_PREFIX_MAX key bytes; `*s` unchanged
 */
__attribute__((warn_unused_result)) int execd_spawn_image_decode(const uint8_t *buf, size_t len,
								 struct execd_spawn_image *s);

/**
 * The statefsd key of chunk `index` of the image under `prefix`: prefix, then the index in
 * decimal, NUL-terminated, into `out`.
 * @return the key's length
 * @retval -NX_EINVAL `prefix` is not 1..EXECD_PREFIX_MAX key bytes, `index` is not below
 *         EXECD_CHUNKS_MAX, or `cap` is too small; nothing is written
 */
__attribute__((warn_unused_result)) int execd_chunk_key(const char *prefix, size_t prefix_len, unsigned index,
							char *out, size_t cap);

/**
 * Bytes of chunk `index` of an image of `image_len` bytes: EXECD_CHUNK_SIZE, less for the
 * last, 0 past it.
 */
uint32_t execd_chunk_len(uint32_t image_len, unsigned index);

/**
 * Encode a stats reply.
 * @return EXECD_STATS_LEN
 * @retval -NX_EINVAL `cap` below EXECD_STATS_LEN
 */
__attribute__((warn_unused_result)) int execd_stats_encode(const struct execd_stats *s, uint8_t *out, size_t cap);

/**
 * Decode a stats reply.
 * @retval 0 done
 * @retval -NX_EINVAL wrong length; `*s` unchanged
 */
__attribute__((warn_unused_result)) int execd_stats_decode(const uint8_t *buf, size_t len, struct execd_stats *s);

#endif
