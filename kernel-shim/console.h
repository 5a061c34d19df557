/* Kernel console on the NS16550A UART: whole lines, never interleaved between harts. */
#ifndef KS_CONSOLE_H
#define KS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest line ks_printf() emits; longer output is cut and ends in "...". */
#define KS_LINE_MAX 200

/** Print one formatted line (the caller supplies the trailing "\n"). */
void ks_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Write raw bytes (the kernel's own output) atomically. */
void ks_console_write(const char *buf, size_t len);
/** Write raw bytes of `writer` (a task) atomically. When another writer owns the line being
 * edited (ks_console_keep_line) and the UART is not at the start of a line, a line break
 * goes first, so the output never lands inside the owner's echo.
 * @retval true the owner's line was broken (now or by earlier output) and not yet redrawn
 * @retval false nothing for the owner to redraw */
bool ks_console_write_from(const void *writer, const char *buf, size_t len);
/** `owner` (a task, NULL: none) is editing a line on the UART; see ks_console_write_from(). */
void ks_console_keep_line(const void *owner);
/** Whether another writer broke the owner's line since the last call; clears the mark. */
bool ks_console_take_break(void);
/** UART receive interrupt source on QEMU virt's PLIC. */
#define KS_UART_IRQ 10
/** Bytes of console input kept until the console task reads them; more are dropped. */
#define KS_CONSOLE_IN_MAX 256

/** Enable the UART's receive interrupt. */
void ks_console_input_init(void);
/** UART interrupt: move every received byte into the input ring. Returns bytes taken. */
unsigned ks_console_input_irq(void);
/** Take up to `cap` bytes of input. Returns how many. */
size_t ks_console_input_take(char *out, size_t cap);
/** Bytes of input dropped because the ring was full. */
uint64_t ks_console_input_dropped(void);

/** Print a panic line and power off with failure status. Never returns. */
_Noreturn void ks_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
