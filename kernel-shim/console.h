/* Kernel console on the NS16550A UART: whole lines, never interleaved between harts. */
#ifndef KS_CONSOLE_H
#define KS_CONSOLE_H

#include <stddef.h>

/** Longest line ks_printf() emits; longer output is cut and ends in "...". */
#define KS_LINE_MAX 200

/** Print one formatted line (the caller supplies the trailing "\n"). */
void ks_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Write raw bytes (a user task's line) atomically. */
void ks_console_write(const char *buf, size_t len);
/** Print a panic line and power off with failure status. Never returns. */
_Noreturn void ks_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
