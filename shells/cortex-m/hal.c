/* HAL ABI v1 (docs/hal-abi.md) in C: the `hal` imports of the wasm2c-compiled firmware.
 * Every (ptr, len) is checked against the backed linear memory before anything reads or
 * writes it (E_ARG otherwise). The link is UART0; keys, crypto and randomness live in the
 * secure element, the store and image slots in the NOR flash, the panel behind its
 * controller, the tag behind the NFC front-end: each reached with one chip command
 * (chip-link.h), whose result is the HAL return value. */
#include <string.h>
#include "chip-link.h"
#include "clock.h"
#include "cmsdk-uart.h"
#include "console.h"
#include "shell.h"

#define E_ARG (-1)
#define E_UNSUPPORTED (-8)
#define E_SPACE (-11)
/* Flash reads/programs and random fills travel in pieces of this size (a flash page). */
#define CHIP_PIECE 4096u

/* The imports need no state of their own; wasm2c passes this to each of them. */
struct Z_hal_instance_t {
  int unused;
} hal_instance;

/* The bytes at (ptr, len) of linear memory, or NULL when any of them is outside it. */
static uint8_t *span(uint32_t ptr, uint32_t len) {
  wasm_rt_memory_t *mem = fw_memory();
  if ((uint64_t)ptr + len > mem->size) return NULL;
  return mem->data + ptr;
}

#define CALL(chip, op, ...)                                                       \
  ({                                                                              \
    const chip_arg args_[] = {__VA_ARGS__};                                       \
    (u32) chip_call(&(chip), (op), args_, sizeof args_ / sizeof args_[0], NULL); \
  })

/* ---- system ---- */

u32 Z_halZ_uart_write(struct Z_hal_instance_t *h, u32 ptr, u32 len) {
  (void)h;
  uint8_t *p = span(ptr, len);
  return p ? uart_link_write(p, len) : (u32)E_ARG;
}

void Z_halZ_log(struct Z_hal_instance_t *h, u32 level, u32 ptr, u32 len) {
  (void)h;
  static const char *const names[] = {"ERR", "WRN", "INF", "DBG"};
  uint8_t *p = span(ptr, len);
  if (!p) return;
  console_begin();
  console_str("[fw ");
  console_str(level < 4 ? names[level] : "???");
  console_str("] ");
  console_bytes(p, len);
  console_end();
}

void Z_halZ_panic(struct Z_hal_instance_t *h, u32 ptr, u32 len) {
  (void)h;
  static const char outside[] = "<reason outside memory>";
  uint8_t *p = span(ptr, len);
  if (p) shell_fatal("firmware panic", p, len);
  shell_fatal("firmware panic", (const uint8_t *)outside, sizeof outside - 1);
}

u64 Z_halZ_clock_ms(struct Z_hal_instance_t *h) {
  (void)h;
  return clock_firmware_ms();
}

/* The secure element's clock is read once and then counted forward with clock_ms; a failed
 * read (no trusted time) is retried at most once a second. */
u64 Z_halZ_clock_unix(struct Z_hal_instance_t *h) {
  (void)h;
  static uint64_t base_unix, base_ms, last_try_ms;
  static bool tried;
  uint64_t now = clock_firmware_ms();
  if (!base_unix && (!tried || now - last_try_ms >= 1000)) {
    uint8_t t[8] = {0};
    tried = true;
    last_try_ms = now;
    if (CALL(chip_se, OP_CLOCK_UNIX, ARG_OUT(t, 8)) == 8) {
      for (int i = 7; i >= 0; i--) base_unix = base_unix << 8 | t[i];
      base_ms = now;
    }
  }
  /* counted: while counting, `now` is the work clock, the same in every run (clock.c) */
  return base_unix ? base_unix + (now - base_ms) / 1000u : 0;
}

u32 Z_halZ_random(struct Z_hal_instance_t *h, u32 ptr, u32 len) {
  (void)h;
  uint8_t *p = span(ptr, len);
  if (!p) return (u32)E_ARG;
  for (u32 at = 0; at < len; at += CHIP_PIECE) {
    u32 n = len - at < CHIP_PIECE ? len - at : CHIP_PIECE;
    s32 r = (s32)CALL(chip_se, OP_RANDOM, ARG_OUT(p + at, n));
    if (r < 0) return (u32)r;
  }
  return len;
}

void Z_halZ_reset(struct Z_hal_instance_t *h, u32 reason) {
  (void)h;
  shell_reset(reason);
}

u32 Z_halZ_shell_version(struct Z_hal_instance_t *h, u32 ptr, u32 cap) {
  (void)h;
  uint8_t *p = span(ptr, cap);
  u32 n = sizeof SHELL_NAME - 1;
  if (!p) return (u32)E_ARG;
  if (cap < n) return (u32)E_SPACE;
  memcpy(p, SHELL_NAME, n);
  return n;
}

/* This shell is not a bootloader (docs/boot.md, "A C shell on a real MCU"): it runs the one
 * module linked into it, so there is no trial image to confirm. E_UNSUPPORTED is the
 * documented "not applicable" answer (docs/hal-abi.md, boot_confirm). */
u32 Z_halZ_boot_confirm(struct Z_hal_instance_t *h) {
  (void)h;
  return (u32)E_UNSUPPORTED;
}

/* ---- flash: the NOR chip ---- */

u32 Z_halZ_flash_geometry(struct Z_hal_instance_t *h, u32 region, u32 out) {
  (void)h;
  uint8_t *p = span(out, 16);
  return p ? CALL(chip_nor, OP_FLASH_GEOMETRY, ARG_U32(region), ARG_OUT(p, 16)) : (u32)E_ARG;
}

/* Long reads and programs go in page-sized pieces, in order; the first refusal ends the call
 * (a program refused in a later piece leaves the earlier pieces programmed, as a real SPI
 * NOR programming page by page would). */
static u32 flash_pieces(uint8_t op, u32 region, u32 offset, u32 ptr, u32 len) {
  uint8_t *p = span(ptr, len);
  if (!p) return (u32)E_ARG;
  u32 at = 0;
  do {
    u32 n = len - at < CHIP_PIECE ? len - at : CHIP_PIECE;
    s32 r = op == OP_FLASH_READ ? (s32)CALL(chip_nor, op, ARG_U32(region), ARG_U32(offset + at), ARG_OUT(p + at, n))
                                : (s32)CALL(chip_nor, op, ARG_U32(region), ARG_U32(offset + at), ARG_IN(p + at, n));
    if (r < 0) return (u32)r;
    at += n;
  } while (at < len);
  return len;
}

u32 Z_halZ_flash_read(struct Z_hal_instance_t *h, u32 region, u32 offset, u32 ptr, u32 len) {
  (void)h;
  return flash_pieces(OP_FLASH_READ, region, offset, ptr, len);
}

u32 Z_halZ_flash_program(struct Z_hal_instance_t *h, u32 region, u32 offset, u32 ptr, u32 len) {
  (void)h;
  return flash_pieces(OP_FLASH_PROGRAM, region, offset, ptr, len);
}

u32 Z_halZ_flash_erase(struct Z_hal_instance_t *h, u32 region, u32 page) {
  (void)h;
  return CALL(chip_nor, OP_FLASH_ERASE, ARG_U32(region), ARG_U32(page));
}

/* ---- keystore: the secure element; keys never leave it ---- */

u32 Z_halZ_ks_info(struct Z_hal_instance_t *h, u32 slot) {
  (void)h;
  return CALL(chip_se, OP_KS_INFO, ARG_U32(slot));
}

u32 Z_halZ_ks_generate(struct Z_hal_instance_t *h, u32 slot, u32 alg) {
  (void)h;
  return CALL(chip_se, OP_KS_GENERATE, ARG_U32(slot), ARG_U32(alg));
}

u32 Z_halZ_ks_import(struct Z_hal_instance_t *h, u32 slot, u32 alg, u32 ptr, u32 len) {
  (void)h;
  uint8_t *p = span(ptr, len);
  return p ? CALL(chip_se, OP_KS_IMPORT, ARG_U32(slot), ARG_U32(alg), ARG_IN(p, len)) : (u32)E_ARG;
}

u32 Z_halZ_ks_public_key(struct Z_hal_instance_t *h, u32 slot, u32 out, u32 cap) {
  (void)h;
  uint8_t *o = span(out, cap);
  return o ? CALL(chip_se, OP_KS_PUBLIC_KEY, ARG_U32(slot), ARG_OUT(o, cap)) : (u32)E_ARG;
}

u32 Z_halZ_ks_sign(struct Z_hal_instance_t *h, u32 slot, u32 msg, u32 len, u32 out, u32 cap) {
  (void)h;
  uint8_t *m = span(msg, len), *o = span(out, cap);
  return m && o ? CALL(chip_se, OP_KS_SIGN, ARG_U32(slot), ARG_IN(m, len), ARG_OUT(o, cap)) : (u32)E_ARG;
}

u32 Z_halZ_ks_verify(struct Z_hal_instance_t *h, u32 alg, u32 pub, u32 pub_len, u32 msg, u32 msg_len, u32 sig, u32 sig_len) {
  (void)h;
  uint8_t *k = span(pub, pub_len), *m = span(msg, msg_len), *s = span(sig, sig_len);
  return k && m && s ? CALL(chip_se, OP_KS_VERIFY, ARG_U32(alg), ARG_IN(k, pub_len), ARG_IN(m, msg_len), ARG_IN(s, sig_len)) : (u32)E_ARG;
}

u32 Z_halZ_ks_aes(struct Z_hal_instance_t *h, u32 slot, u32 mode, u32 iv, u32 in, u32 len, u32 out) {
  (void)h;
  /* the IV is read in the CBC modes only (2 and 3), as the simulator does */
  u32 iv_len = mode == 2 || mode == 3 ? 16 : 0;
  uint8_t *i = span(in, len), *o = span(out, len), *v = iv_len ? span(iv, iv_len) : i;
  if (!i || !o || !v) return (u32)E_ARG;
  return CALL(chip_se, OP_KS_AES, ARG_U32(slot), ARG_U32(mode), ARG_IN(v, iv_len), ARG_IN(i, len), ARG_OUT(o, len));
}

u32 Z_halZ_ks_cmac(struct Z_hal_instance_t *h, u32 slot, u32 msg, u32 len, u32 out) {
  (void)h;
  uint8_t *m = span(msg, len), *o = span(out, 16);
  return m && o ? CALL(chip_se, OP_KS_CMAC, ARG_U32(slot), ARG_IN(m, len), ARG_OUT(o, 16)) : (u32)E_ARG;
}

u32 Z_halZ_ks_derive_cmac(struct Z_hal_instance_t *h, u32 slot, u32 msg, u32 len, u32 dest) {
  (void)h;
  uint8_t *m = span(msg, len);
  return m ? CALL(chip_se, OP_KS_DERIVE_CMAC, ARG_U32(slot), ARG_IN(m, len), ARG_U32(dest)) : (u32)E_ARG;
}

u32 Z_halZ_ks_unwrap(struct Z_hal_instance_t *h, u32 slot, u32 alg, u32 ptr, u32 len, u32 dest) {
  (void)h;
  /* the wrapped key goes to the secure element as it came; only the SE sees the plaintext */
  uint8_t *p = span(ptr, len);
  return p ? CALL(chip_se, OP_KS_UNWRAP, ARG_U32(slot), ARG_U32(alg), ARG_IN(p, len), ARG_U32(dest)) : (u32)E_ARG;
}

u32 Z_halZ_sha256(struct Z_hal_instance_t *h, u32 ptr, u32 len, u32 out) {
  (void)h;
  uint8_t *m = span(ptr, len), *o = span(out, 32);
  return m && o ? CALL(chip_se, OP_SHA256, ARG_IN(m, len), ARG_OUT(o, 32)) : (u32)E_ARG;
}

u32 Z_halZ_hmac_sha256(struct Z_hal_instance_t *h, u32 slot, u32 msg, u32 len, u32 out) {
  (void)h;
  uint8_t *m = span(msg, len), *o = span(out, 32);
  return m && o ? CALL(chip_se, OP_HMAC_SHA256, ARG_U32(slot), ARG_IN(m, len), ARG_OUT(o, 32)) : (u32)E_ARG;
}

/* ---- display: the e-paper controller ---- */

u32 Z_halZ_display_geometry(struct Z_hal_instance_t *h, u32 out) {
  (void)h;
  if (!TK_HAS_DISPLAY) return (u32)E_UNSUPPORTED;
  uint8_t *o = span(out, 16);
  return o ? CALL(chip_epd, OP_DISPLAY_GEOMETRY, ARG_OUT(o, 16)) : (u32)E_ARG;
}

u32 Z_halZ_display_blit(struct Z_hal_instance_t *h, u32 x, u32 y, u32 w, u32 hgt, u32 ptr, u32 len) {
  (void)h;
  if (!TK_HAS_DISPLAY) return (u32)E_UNSUPPORTED;
  uint8_t *p = span(ptr, len);
  return p ? CALL(chip_epd, OP_DISPLAY_BLIT, ARG_U32(x), ARG_U32(y), ARG_U32(w), ARG_U32(hgt), ARG_IN(p, len)) : (u32)E_ARG;
}

u32 Z_halZ_display_refresh(struct Z_hal_instance_t *h, u32 mode) {
  (void)h;
  if (!TK_HAS_DISPLAY) return (u32)E_UNSUPPORTED;
  return CALL(chip_epd, OP_DISPLAY_REFRESH, ARG_U32(mode));
}

/* ---- NFC: the front-end ---- */

u32 Z_halZ_nfc_configure(struct Z_hal_instance_t *h, u32 personality, u32 ptr, u32 len) {
  (void)h;
  uint8_t *p = span(ptr, len);
  return p ? CALL(chip_nfc, OP_NFC_CONFIGURE, ARG_U32(personality), ARG_IN(p, len)) : (u32)E_ARG;
}
