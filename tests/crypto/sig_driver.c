/*
 * sig_driver: the wrapper of include/crypto/sig.h behind a line protocol on stdin/stdout, for
 * test_sig_diff.py, which compares its answers with an independent implementation.
 *
 * One command per line, one answer line per command (bytes in lowercase hex):
 *     M <message hex, or - for none>   set the current message (0..DRIVER_MSG_MAX bytes) -> ok
 *     F <bit>                          flip bit <bit> (bit % 8 of byte bit / 8) of it -> ok
 *     S <seed hex>                     key pair of the seed, then sign the message -> <pk> <sig>
 *     V <pk hex> <sig hex>             sig_verify() of the message -> its result (0 or -N)
 * A malformed command ends the driver with status 2 and a message naming its line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sig.h"

/* Longest message the differential test sends. */
#define DRIVER_MSG_MAX 4096
/* A command letter, a space, the hex of the longest argument, the newline and the NUL. */
#define LINE_MAX_LEN (2 + 2 * DRIVER_MSG_MAX + 2)

static char line[LINE_MAX_LEN];
static uint8_t msg[DRIVER_MSG_MAX];
static size_t msg_len;
static unsigned long line_no;

static _Noreturn void bad_input(const char *what)
{
	fprintf(stderr, "sig_driver: line %lu: %s\n", line_no, what);
	exit(2);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	bad_input("not a lowercase hex digit");
}

/* Decode the hex word at `hex` (up to a space or the end) into at most `cap` bytes. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strcspn(hex, " ");
	if (n % 2 != 0 || n / 2 > cap)
		bad_input("hex word of odd length or too long");
	for (size_t i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
	return n / 2;
}

/* Decode exactly `len` bytes from the hex word at `hex`. */
static void unhex_exact(const char *hex, uint8_t *out, size_t len)
{
	if (unhex(hex, out, len) != len)
		bad_input("hex word of the wrong length");
}

static void put_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* What follows the command letter and its space. */
static const char *command_argument(void)
{
	if (line[0] == '\0' || line[1] != ' ')
		bad_input("not a command letter, a space and an argument");
	return line + 2;
}

static void cmd_message(const char *arg)
{
	msg_len = strcmp(arg, "-") == 0 ? 0 : unhex(arg, msg, sizeof(msg));
	puts("ok");
}

static void cmd_flip(const char *arg)
{
	char *end = NULL;
	unsigned long bit = strtoul(arg, &end, 10);
	if (end == arg || *end != '\0' || bit >= 8 * (unsigned long)msg_len)
		bad_input("bit index not inside the message");
	msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	puts("ok");
}

static void cmd_sign(const char *arg)
{
	uint8_t seed[SIG_SEED_LEN], pk[SIG_PUBKEY_LEN], sk[SIG_SECRET_LEN], sig[SIG_SIGNATURE_LEN];
	unhex_exact(arg, seed, sizeof(seed));
	int err = sig_keypair_from_seed(seed, pk, sk);
	if (err == 0)
		err = sig_sign(sk, msg, msg_len, sig);
	sig_wipe(sk, sizeof(sk));
	sig_wipe(seed, sizeof(seed));
	if (err != 0) {
		printf("error %d %s\n", err, sig_strerror(err));
		return;
	}
	put_hex(pk, sizeof(pk));
	putchar(' ');
	put_hex(sig, sizeof(sig));
	putchar('\n');
}

static void cmd_verify(const char *arg)
{
	uint8_t pk[SIG_PUBKEY_LEN], sig[SIG_SIGNATURE_LEN];
	unhex_exact(arg, pk, sizeof(pk));
	const char *sp = strchr(arg, ' ');
	if (sp == NULL)
		bad_input("V needs a public key and a signature");
	unhex_exact(sp + 1, sig, sizeof(sig));
	printf("%d\n", sig_verify(pk, msg, msg_len, sig));
}

int main(void)
{
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line_no++;
		size_t n = strlen(line);
		if (n == 0 || line[n - 1] != '\n')
			bad_input("line too long or not ended by a newline");
		line[n - 1] = '\0';
		const char *arg = command_argument();
		switch (line[0]) {
		case 'M':
			cmd_message(arg);
			break;
		case 'F':
			cmd_flip(arg);
			break;
		case 'S':
			cmd_sign(arg);
			break;
		case 'V':
			cmd_verify(arg);
			break;
		default:
			bad_input("unknown command");
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
