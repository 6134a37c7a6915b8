/* The native debug console (hal.log, panics, traps, boot messages): Arm semihosting here,
 * which QEMU writes to its stdout; RTT or SWO on hardware. One line at a time, built in a
 * static buffer: console_begin, console_str/bytes/u32/hex..., console_end. */
#ifndef TK_CONSOLE_H
#define TK_CONSOLE_H
#include <stdint.h>

void console_begin(void);
void console_str(const char *s);
void console_bytes(const uint8_t *p, uint32_t n);
void console_u32(uint32_t v);
void console_hex(uint32_t v);
void console_end(void);
/* The host's command line (QEMU -semihosting-config arg=...), NUL-terminated; "" if none. */
const char *console_cmdline(void);

#endif
