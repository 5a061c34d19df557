#include "console.h"

#include <stdarg.h>
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
