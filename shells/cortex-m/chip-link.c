/* See chip-link.h. Frames are decoded as they arrive and the answer's data is written
 * straight to its destination, so the shell keeps no frame buffer: the last two decoded
 * bytes are held back because they may be the CRC. */
#include "chip-link.h"
#include "clock.h"
#include "cmsdk-uart.h"
#include "console.h"
#include "mps2-an386.h"
#include "perf.h"

#define SLIP_END 0xC0
#define SLIP_ESC 0xDB
#define SLIP_ESC_END 0xDC
#define SLIP_ESC_ESC 0xDD
#define E_RANGE (-2)
#define E_IO (-10)
#define HEAD 6 /* op, seq, result (i32) */

chip_t chip_se = {1, 0, true, "secure element"};
chip_t chip_nfc = {2, 0, true, "NFC front-end"};
chip_t chip_epd = {3, 0, true, "e-paper controller"};
chip_t chip_nor = {4, 0, true, "NOR flash"};

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): "123456789" -> 0x29B1. */
static uint16_t crc16(uint16_t crc, uint8_t b) {
  crc ^= (uint16_t)(b << 8);
  for (int i = 0; i < 8; i++) crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
  return crc;
}

static void put_escaped(int uart, uint8_t b) {
  if (b == SLIP_END) {
    uart_putc(uart, SLIP_ESC);
    uart_putc(uart, SLIP_ESC_END);
  } else if (b == SLIP_ESC) {
    uart_putc(uart, SLIP_ESC);
    uart_putc(uart, SLIP_ESC_ESC);
  } else {
    uart_putc(uart, b);
  }
}

static void put(int uart, uint16_t *crc, uint8_t b) {
  *crc = crc16(*crc, b);
  put_escaped(uart, b);
}

static void put_u16(int uart, uint16_t *crc, uint32_t v) {
  put(uart, crc, (uint8_t)v);
  put(uart, crc, (uint8_t)(v >> 8));
}

static void send(const chip_t *chip, uint8_t op, const chip_arg *args, int nargs) {
  uint16_t crc = 0xFFFF;
  int u = chip->uart;
  uart_putc(u, SLIP_END);
  put(u, &crc, op);
  put(u, &crc, chip->seq);
  for (int i = 0; i < nargs; i++) {
    const chip_arg *a = &args[i];
    if (a->kind == CHIP_U32) {
      put_u16(u, &crc, a->value);
      put_u16(u, &crc, a->value >> 16);
    } else {
      put_u16(u, &crc, a->len);
      if (a->kind == CHIP_IN)
        for (uint32_t j = 0; j < a->len; j++) put(u, &crc, a->ptr[j]);
    }
  }
  put_escaped(u, (uint8_t)crc);
  put_escaped(u, (uint8_t)(crc >> 8));
  uart_putc(u, SLIP_END);
}

/* One frame being received. */
typedef struct {
  uint32_t n; /* decoded bytes so far */
  bool esc;
  uint8_t hold[2];
  uint16_t crc; /* over the committed bytes (all but the last two) */
  uint8_t head[HEAD];
  uint8_t *out;
  uint32_t cap;
  bool overflow;
} rx_frame;

static void rx_reset(rx_frame *f, uint8_t *out, uint32_t cap) {
  f->n = 0;
  f->esc = false;
  f->crc = 0xFFFF;
  f->out = out;
  f->cap = cap;
  f->overflow = false;
}

static void rx_commit(rx_frame *f, uint8_t b) {
  uint32_t i = f->n - 2;
  f->crc = crc16(f->crc, b);
  if (i < HEAD) f->head[i] = b;
  else if (i - HEAD < f->cap) f->out[i - HEAD] = b;
  else f->overflow = true;
}

/* Feeds one byte from the UART; returns true when a whole frame with a good CRC ended. */
static bool rx_feed(rx_frame *f, uint8_t b) {
  if (b == SLIP_END) {
    bool good = f->n >= 4 && !f->overflow && f->crc == (uint16_t)(f->hold[0] | f->hold[1] << 8);
    if (!good) rx_reset(f, f->out, f->cap);
    return good;
  }
  if (f->esc) {
    f->esc = false;
    b = b == SLIP_ESC_END ? SLIP_END : b == SLIP_ESC_ESC ? SLIP_ESC : b;
  } else if (b == SLIP_ESC) {
    f->esc = true;
    return false;
  }
  if (f->n >= 2) {
    rx_commit(f, f->hold[0]);
    f->hold[0] = f->hold[1];
    f->hold[1] = b;
  } else {
    f->hold[f->n] = b;
  }
  f->n++;
  return false;
}

static bool nfc_attention;
static rx_frame nfc_idle = {.crc = 0xFFFF};

static void note_attention(const chip_t *chip, const rx_frame *f) {
  if (chip == &chip_nfc && f->head[0] == OP_ATTENTION) nfc_attention = true;
}

uint64_t chip_wait_cycles;

static void wait_for_byte(int uart) {
  uint32_t mask = irq_save();
  if (!uart_rx_ready(uart)) {
    uint64_t t = clock_cycles();
    cpu_wait();
    chip_wait_cycles += clock_cycles() - t;
  }
  irq_restore(mask);
}

static int32_t exchange(chip_t *chip, uint8_t op, const chip_arg *args, int nargs, uint32_t *out_len);

/* The chip's answer takes as long as the host decides: not counted as the MCU's work. */
int32_t chip_call(chip_t *chip, uint8_t op, const chip_arg *args, int nargs, uint32_t *out_len) {
  perf_pause();
  int32_t r = exchange(chip, op, args, nargs, out_len);
  perf_resume();
  return r;
}

static int32_t exchange(chip_t *chip, uint8_t op, const chip_arg *args, int nargs, uint32_t *out_len) {
  uint8_t *out = 0;
  uint32_t cap = 0, body = 2;
  for (int i = 0; i < nargs; i++) {
    body += args[i].kind == CHIP_U32 ? 4 : args[i].kind == CHIP_IN ? 2 + args[i].len : 2;
    if (args[i].kind == CHIP_OUT) out = args[i].ptr, cap = args[i].len;
  }
  if (out_len) *out_len = 0;
  if (body > CHIP_MAX_BODY || cap > CHIP_MAX_BODY - HEAD) return E_RANGE;
  if (!chip->present) return E_IO;
  chip->seq++;
  for (int attempt = 0; attempt <= CHIP_RETRIES; attempt++) {
    send(chip, op, args, nargs);
    uint64_t deadline = clock_now_ms() + CHIP_TIMEOUT_MS;
    rx_frame f;
    rx_reset(&f, out, cap);
    while (clock_now_ms() < deadline) {
      int b = uart_getc(chip->uart);
      if (b < 0) {
        wait_for_byte(chip->uart);
        continue;
      }
      if (!rx_feed(&f, (uint8_t)b)) continue;
      uint32_t committed = f.n - 2;
      if (f.head[0] == (uint8_t)(op | OP_RESPONSE) && f.head[1] == chip->seq && committed >= HEAD) {
        if (out_len) *out_len = committed - HEAD;
        return (int32_t)(f.head[2] | f.head[3] << 8 | f.head[4] << 16 | (uint32_t)f.head[5] << 24);
      }
      note_attention(chip, &f); /* anything else: an attention or a stale answer */
      rx_reset(&f, out, cap);
    }
  }
  console_begin();
  console_str("[tapkit] no answer from the ");
  console_str(chip->name);
  console_str(" to command ");
  console_hex(op);
  console_end();
  return E_IO;
}

bool chip_hello(chip_t *chip) {
  uint8_t name[32];
  uint32_t n = 0;
  chip->present = true;
  int32_t version = chip_call(chip, OP_HELLO, &ARG_OUT(name, sizeof name), 1, &n);
  chip->present = version == CHIP_PROTOCOL_VERSION;
  console_begin();
  console_str("[tapkit] ");
  console_str(chip->name);
  if (chip->present) {
    console_str(": ");
    console_bytes(name, n);
  } else {
    console_str(version < 0 ? ": not answering" : ": speaks another protocol version");
  }
  console_end();
  return chip->present;
}

bool chip_nfc_attention(void) {
  int b;
  while ((b = uart_getc(chip_nfc.uart)) >= 0) {
    if (rx_feed(&nfc_idle, (uint8_t)b)) {
      note_attention(&chip_nfc, &nfc_idle);
      rx_reset(&nfc_idle, 0, 0);
    }
  }
  bool pending = nfc_attention;
  nfc_attention = false;
  return pending;
}
