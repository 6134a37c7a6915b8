// The panel image in our memory: 1 bit per pixel, rows top to bottom, ceil(w/8) bytes per
// row, MSB = leftmost pixel, 1 = black (the display_blit layout). Sized from the board; on
// boards without a panel it is empty and every drawing call does nothing.
import { E_UNSUPPORTED } from "../hal/codes";
import { display_blit, display_refresh } from "../hal/display";
import { DISPLAY_H, DISPLAY_W, HAS_DISPLAY } from "../board";

export const FB_W: i32 = HAS_DISPLAY ? DISPLAY_W : 0;
export const FB_H: i32 = HAS_DISPLAY ? DISPLAY_H : 0;
export const FB_ROW_BYTES: i32 = (FB_W + 7) >> 3;
export const FB_BYTES: i32 = FB_ROW_BYTES * FB_H;
const FB = memory.data(FB_BYTES > 0 ? FB_BYTES : 1);

export function framebuffer(): usize {
  return FB;
}

export function clearFramebuffer(): void {
  memory.fill(FB, 0, <usize>FB_BYTES);
}

export function setPixel(x: i32, y: i32): void {
  if (x < 0 || y < 0 || x >= FB_W || y >= FB_H) return;
  const at = FB + <usize>(y * FB_ROW_BYTES + (x >> 3));
  const bit: i32 = 0x80 >> (x & 7);
  store<u8>(at, <u8>(<i32>load<u8>(at) | bit));
}

export function fillRect(x: i32, y: i32, w: i32, h: i32): void {
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) setPixel(x + i, y + j);
}

/** Draws the outline of a rectangle `t` pixels thick. */
export function frameRect(x: i32, y: i32, w: i32, h: i32, t: i32): void {
  fillRect(x, y, w, t);
  fillRect(x, y + h - t, w, t);
  fillRect(x, y, t, h);
  fillRect(x + w - t, y, t, h);
}

/** Copies the whole image to the panel and refreshes it fully; returns the HAL result. */
export function showFramebuffer(): i32 {
  return presentFramebuffer(false);
}

/**
 * Copies the whole image to the panel and refreshes it; a partial refresh (e-paper: only the
 * pixels that changed, ~0.3 s, no flash) when asked and the panel has one.
 */
export function presentFramebuffer(partial: bool): i32 {
  if (!HAS_DISPLAY) return 0;
  const r = display_blit(0, 0, FB_W, FB_H, FB, FB_BYTES);
  if (r < 0) return r;
  if (!partial) return display_refresh(0);
  const p = display_refresh(1);
  // Panels without partial refresh say E_UNSUPPORTED: fall back to a full one.
  return p == E_UNSUPPORTED ? display_refresh(0) : p;
}
