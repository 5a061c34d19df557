/*
 * The client libraries' error names (client/statefs.h, client/ota.h, client/keystore.h,
 * client/rng.h): no
 * kernel call here, so the host tests build this file (tests/client/test_client_strerror.c).
 */
#include "client/keystore.h"
#include "client/ota.h"
#include "client/rng.h"
#include "client/statefs.h"

static const char *const keystore_err_names[KEYSTORE_ERR_COUNT] = {
	[KEYSTORE_OK] = "ok",
	[KEYSTORE_EINVAL] = "invalid argument",
	[KEYSTORE_ETIMEDOUT] = "keystored did not answer in time",
	[KEYSTORE_EIPC] = "the call to keystored failed",
	[KEYSTORE_EDENIED] = "denied: the manifest does not grant this op to the caller",
	[KEYSTORE_EMALFORMED] = "malformed request or reply",
};

const char *keystore_strerror(int err)
{
	if (err > 0 || err <= -KEYSTORE_ERR_COUNT)
		return "unknown error";
	return keystore_err_names[-err];
}

static const char *const ota_err_names[OTA_ERR_COUNT] = {
	[OTA_OK] = "ok",
	[OTA_EINVAL] = "invalid argument",
	[OTA_ETIMEDOUT] = "updated did not answer in time",
	[OTA_EIPC] = "the call to updated failed",
	[OTA_EMALFORMED] = "malformed reply",
};

const char *ota_strerror(int err)
{
	if (err > 0 || err <= -OTA_ERR_COUNT)
		return "unknown error";
	return ota_err_names[-err];
}

static const char *const statefs_err_names[STATEFS_ERR_COUNT] = {
	[STATEFS_OK] = "ok",
	[STATEFS_EINVAL] = "invalid argument",
	[STATEFS_ETIMEDOUT] = "statefsd did not answer in time",
	[STATEFS_EIPC] = "the call to statefsd failed",
	[STATEFS_EDENIED] = "denied: outside the caller's namespace",
	[STATEFS_ENOENT] = "no such key",
	[STATEFS_EFULL] = "the store is full (keys)",
	[STATEFS_ENOSPACE] = "no space left on the disk",
	[STATEFS_EIO] = "disk error",
	[STATEFS_ECORRUPT] = "the stored record is corrupt",
	[STATEFS_EMALFORMED] = "malformed request or reply",
};

const char *statefs_strerror(int err)
{
	if (err > 0 || err <= -STATEFS_ERR_COUNT)
		return "unknown error";
	return statefs_err_names[-err];
}

static const char *const rng_err_names[RNG_ERR_COUNT] = {
	[RNG_OK] = "ok",
	[RNG_EINVAL] = "invalid argument",
	[RNG_EBUSY] = "the rng device is busy",
	[RNG_EEXHAUSTED] = "the entropy source is exhausted",
	[RNG_EDEVICE] = "the rng device failed",
	[RNG_ETIMEDOUT] = "rngd did not answer in time",
	[RNG_EIPC] = "the call to rngd failed",
};

const char *rng_strerror(int err)
{
	if (err > 0 || err <= -RNG_ERR_COUNT)
		return "unknown error";
	return rng_err_names[-err];
}
