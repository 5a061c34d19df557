/**
 * @file nx/abi.h
 * The kernel/user ABI of nxos: error codes shared by the kernel and every task.
 *
 * Errors are small negative integers; 0 is success. They are this project's own codes,
 * never errno values (picolibc's differ from Linux's). nx_strerror() names each one.
 */
#ifndef NX_ABI_H
#define NX_ABI_H

/** Error codes returned (negated) by syscalls and kernel functions. */
enum nx_err {
	NX_OK = 0,
	NX_EINVAL = 1,      /**< an argument is out of range */
	NX_EFAULT = 2,      /**< a user pointer is not mapped for the access asked */
	NX_EFULL = 3,       /**< a bounded queue or table is full */
	NX_EWOULDBLOCK = 4, /**< the destination queue is full right now; retry later */
	NX_ETIMEDOUT = 5,   /**< the deadline passed */
	NX_ENOENT = 6,      /**< no such task, service or image */
	NX_EDENIED = 7,     /**< the caller lacks the authority */
	NX_ENOSYS = 8,      /**< no such syscall */
	NX_ENOMEM = 9,      /**< out of memory or over quota */
	NX_EIO = 10,        /**< the device reported an error */
	NX_EEMPTY = 11,     /**< nothing to take */
	NX_ERR_COUNT        /**< number of codes; not an error */
};

/** Text for `err` (0 or a negative NX_E* code); "unknown error" for anything else. */
const char *nx_strerror(int err);

#endif
