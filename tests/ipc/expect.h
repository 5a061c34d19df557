/*
 * Assertions for the IPC tests that say what was expected and what came, with names where
 * the value has one. Include after <cmocka.h>.
 */
#ifndef TESTS_IPC_EXPECT_H
#define TESTS_IPC_EXPECT_H

#include <string.h>

#include "ipc/route.h"

/* Whether two objects hold the same bytes, padding included (for "a refusal wrote nothing"
 * checks on outputs filled with a pattern first). */
static inline int same_bytes(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

/* An unsigned value: `what` names it in the failure message. */
#define expect_eq(what, expected, actual)                                                         \
	do {                                                                                      \
		unsigned long long e_ = (unsigned long long)(expected);                           \
		unsigned long long a_ = (unsigned long long)(actual);                             \
		if (e_ != a_)                                                                     \
			fail_msg("%s: expected %llu (0x%llx), got %llu (0x%llx)", (what), e_, e_, \
				 a_, a_);                                                         \
	} while (0)

/* A codec result: 0 or a negative IPC_E* code. */
#define expect_err(what, expected, actual)                                                        \
	do {                                                                                      \
		int e_ = (expected), a_ = (actual);                                               \
		if (e_ != a_)                                                                     \
			fail_msg("%s: expected %d (%s), got %d (%s)", (what), e_, ipc_strerror(e_), \
				 a_, ipc_strerror(a_));                                           \
	} while (0)

/* An outcome's kind, with the whole outcome shown on failure. */
#define expect_outcome(expected, out)                                                             \
	do {                                                                                      \
		struct ipc_outcome o_ = (out);                                                    \
		if (o_.kind != (expected))                                                        \
			fail_msg("outcome: expected %s, got %s (status %u, transport_err %d, "     \
				 "reply_len %zu, wrong_nonces %u, dropped %u)",                   \
				 ipc_outcome_name(expected), ipc_outcome_name(o_.kind),           \
				 (unsigned)o_.status, o_.transport_err, o_.reply_len,             \
				 (unsigned)o_.wrong_nonces, (unsigned)o_.dropped);                \
	} while (0)

#endif
