/*
 * Task start-up and stdio. stdout is line-buffered into one write syscall per line, so
 * lines from different tasks never interleave on the console.
 */
#include <stdio.h>

#include "ulib/sys.h"

int main(void);
_Noreturn void nx_start(uint32_t task);

uint32_t nx_self_task;

static char line[NX_WRITE_MAX];
static size_t line_len;

static int out_flush(FILE *f)
{
	(void)f;
	if (line_len > 0) {
		(void)nx_write(line, line_len);
		line_len = 0;
	}
	return 0;
}

static int out_put(char c, FILE *f)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof line)
		(void)out_flush(f);
	return (unsigned char)c;
}

static FILE out = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE);
FILE *const stdout = &out;
FILE *const stderr = &out;
FILE *const stdin = NULL;

_Noreturn void nx_exit(int code)
{
	(void)out_flush(stdout);
	for (;;)
		(void)nx_syscall(NX_SYS_EXIT, code, 0, 0, 0, 0);
}

_Noreturn void nx_start(uint32_t task)
{
	nx_self_task = task;
	nx_exit(main());
}
