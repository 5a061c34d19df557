#include "console.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lock.h"
#include "sbi.h"

#define UART_BASE 0x10000000UL
#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_IER_RX 0x01

/* Serialises whole lines across harts. Innermost lock: nothing is acquired while it is held. */
static struct ks_lock console_lock;

static void uart_putc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

/* Console input ring, filled by the UART interrupt (under the BKL). */
static char in_ring[KS_CONSOLE_IN_MAX];
static size_t in_head, in_count;
static uint64_t in_dropped;

void ks_console_input_init(void)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	uart[UART_IER] = UART_IER_RX;
}

unsigned ks_console_input_irq(void)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	unsigned taken = 0;
	/* The receive FIFO holds at most 16 bytes; the bound only guards a broken device. */
	for (unsigned i = 0; i < KS_CONSOLE_IN_MAX && (uart[UART_LSR] & UART_LSR_DR); i++) {
		char c = (char)uart[UART_RBR];
		if (in_count == KS_CONSOLE_IN_MAX) {
			in_dropped++;
			continue;
		}
		in_ring[(in_head + in_count) % KS_CONSOLE_IN_MAX] = c;
		in_count++;
		taken++;
	}
	return taken;
}

size_t ks_console_input_take(char *out, size_t cap)
{
	size_t n = 0;
	for (; n < cap && in_count > 0; n++) {
		out[n] = in_ring[in_head];
		in_head = (in_head + 1) % KS_CONSOLE_IN_MAX;
		in_count--;
	}
	return n;
}

uint64_t ks_console_input_dropped(void)
{
	return in_dropped;
}

/* The line being edited (see ks_console_keep_line): its owner, the last byte sent to the
 * UART, and whether another writer has broken the line since the owner last looked. */
static const void *line_owner;
static char last_out = '\n';
static bool line_broken;

void ks_console_keep_line(const void *owner)
{
	ks_lock_acquire(&console_lock);
	line_owner = owner;
	ks_lock_release(&console_lock);
}

bool ks_console_take_break(void)
{
	ks_lock_acquire(&console_lock);
	const bool broken = line_broken;
	line_broken = false;
	ks_lock_release(&console_lock);
	return broken;
}

bool ks_console_write_from(const void *writer, const char *buf, size_t len)
{
	ks_lock_acquire(&console_lock);
	if (len > 0 && line_owner != NULL && writer != line_owner && last_out != '\n') {
		uart_putc('\n');
		line_broken = true;
	}
	for (size_t i = 0; i < len; i++)
		uart_putc(buf[i]);
	if (len > 0)
		last_out = buf[len - 1];
	const bool pending = line_broken && writer != line_owner;
	ks_lock_release(&console_lock);
	return pending;
}

void ks_console_write(const char *buf, size_t len)
{
	(void)ks_console_write_from(NULL, buf, len);
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
