#include "console.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "lock.h"
#include "sbi.h"

#define UART_BASE 0x10000000UL
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

/* Serialises whole lines across harts. Innermost lock: nothing is acquired while it is held. */
static struct ks_lock console_lock;

static void uart_putc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

void ks_console_write(const char *buf, size_t len)
{
	ks_lock_acquire(&console_lock);
	for (size_t i = 0; i < len; i++)
		uart_putc(buf[i]);
	ks_lock_release(&console_lock);
}

static void vprint(const char *fmt, va_list ap)
{
	char line[KS_LINE_MAX + 4];
	int n = vsnprintf(line, KS_LINE_MAX + 1, fmt, ap);
	if (n < 0)
		return;
	size_t len = (size_t)n;
	if (len > KS_LINE_MAX) {
		len = KS_LINE_MAX;
		line[len++] = '.';
		line[len++] = '.';
		line[len++] = '\n';
	}
	ks_console_write(line, len);
}

void ks_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

_Noreturn void ks_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ks_console_write("kernel: panic: ", 15);
	vprint(fmt, ap);
	va_end(ap);
	ks_sbi_shutdown(1);
}
