/* See console.h. Semihosting is a breakpoint the debugger (QEMU) services: without one
 * attached it would fault, so a port to hardware swaps these functions for RTT or SWO. */
#include "console.h"

#define SYS_WRITE0 0x04
#define SYS_GET_CMDLINE 0x15
#define LINE_CAP 240

static char line[LINE_CAP + 2];
static uint32_t used;
static char cmdline[96];

static int semihost(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void console_begin(void) { used = 0; }

void console_bytes(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n && used < LINE_CAP; i++) {
    uint8_t c = p[i];
    /* one line per call: control bytes (and NUL, which would end SYS_WRITE0) become '?' */
    line[used++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
  }
}

void console_str(const char *s) {
  while (*s && used < LINE_CAP) line[used++] = *s++;
}

void console_u32(uint32_t v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n && used < LINE_CAP) line[used++] = digits[--n];
}

void console_hex(uint32_t v) {
  static const char hex[] = "0123456789abcdef";
  console_str("0x");
  for (int s = 28; s >= 0; s -= 4)
    if (used < LINE_CAP) line[used++] = hex[(v >> s) & 15];
}

void console_end(void) {
  line[used++] = '\n';
  line[used] = 0;
  semihost(SYS_WRITE0, line);
}

const char *console_cmdline(void) {
  struct {
    char *buf;
    int len;
  } block = {cmdline, (int)sizeof cmdline - 1};
  if (semihost(SYS_GET_CMDLINE, &block) != 0) block.len = 0;
  cmdline[block.len >= 0 && block.len < (int)sizeof cmdline ? block.len : 0] = 0;
  return cmdline;
}
