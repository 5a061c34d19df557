#include "nx/abi.h"

static const char *const nx_err_names[NX_ERR_COUNT] = {
	[NX_OK] = "ok",
	[NX_EINVAL] = "invalid argument",
	[NX_EFAULT] = "bad user address",
	[NX_EFULL] = "full",
	[NX_EWOULDBLOCK] = "would block",
	[NX_ETIMEDOUT] = "timed out",
	[NX_ENOENT] = "no such entry",
	[NX_EDENIED] = "denied",
	[NX_ENOSYS] = "no such syscall",
	[NX_ENOMEM] = "out of memory",
	[NX_EIO] = "device error",
	[NX_EEMPTY] = "empty",
	[NX_ENOEXEC] = "not a valid task image",
	[NX_ENODATA] = "source ran dry",
};

const char *nx_strerror(int err)
{
	if (err > 0 || err <= -NX_ERR_COUNT)
		return "unknown error";
	return nx_err_names[-err];
}
