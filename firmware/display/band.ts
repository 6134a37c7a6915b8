// The drawing target: one band of whole panel rows, never the whole frame. Screens are drawn
// band by band (panel.ts): the band is cleared, the screen draws everything, the primitives
// here keep only the pixels inside the band, and the band is blitted. Layout is display_blit's:
// rows top to bottom, ceil(w/8) bytes per row, MSB = leftmost pixel, 1 = black.
//
// The band lives in the QR encoder's scratch after the grid (qr-scratch.ts, phase E), which is
// free whenever nothing is being encoded. Its height is the most rows that fit there, spread
// evenly over the panel (200x200 sim-plaque: 1,583 B hold 63 rows of 25 B, so 4 bands of 50
// rows): fewer bands mean fewer blits, each a chip transaction on a real board, and the
// drawing code runs once per band. On boards without a panel everything here is empty.
import { DISPLAY_H, DISPLAY_W, HAS_DISPLAY } from "../board";
import { BAND_AT, BAND_BYTES, QR_SCRATCH } from "../qr/qr-scratch";

export const PANEL_W: i32 = HAS_DISPLAY ? DISPLAY_W : 0;
export const PANEL_H: i32 = HAS_DISPLAY ? DISPLAY_H : 0;
export const PANEL_ROW_BYTES: i32 = (PANEL_W + 7) >> 3;
/** Bytes of a whole frame (what the panel holds and fb reads back). */
export const PANEL_BYTES: i32 = PANEL_ROW_BYTES * PANEL_H;
const FIT_ROWS: i32 = PANEL_ROW_BYTES > 0 ? BAND_BYTES / PANEL_ROW_BYTES : 0;
const FIT_ROWS_CAPPED: i32 = FIT_ROWS < PANEL_H ? FIT_ROWS : PANEL_H;
const BAND_COUNT: i32 = FIT_ROWS_CAPPED > 0 ? (PANEL_H + FIT_ROWS_CAPPED - 1) / FIT_ROWS_CAPPED : 0;
/** Rows per band (the last band may be shorter). */
export const BAND_ROWS: i32 = BAND_COUNT > 0 ? (PANEL_H + BAND_COUNT - 1) / BAND_COUNT : 0;

const BAND = QR_SCRATCH + <usize>BAND_AT;
let top: i32 = 0;
let rows: i32 = 0;

export function bandPtr(): usize {
  return BAND;
}
export function bandTop(): i32 {
  return top;
}
export function bandRows(): i32 {
  return rows;
}

/** Makes rows [y, y + BAND_ROWS) (cut at the panel's bottom) the target, all white. */
export function beginBand(y: i32): void {
  top = y;
  rows = PANEL_H - y < BAND_ROWS ? PANEL_H - y : BAND_ROWS;
  // 64 bits at a time: memory.fill without the bulk-memory feature is a byte loop.
  const bytes = <usize>(rows * PANEL_ROW_BYTES);
  let at: usize = 0;
  for (; at + 8 <= bytes; at += 8) store<u64>(BAND + at, 0);
  for (; at < bytes; at++) store<u8>(BAND + at, 0);
}

/** True when rows [y, y + h) meet the band. */
export function bandMeets(y: i32, h: i32): bool {
  return y < top + rows && y + h > top;
}

/** Fills the part of the rectangle inside the band and the panel. */
export function fillRect(x: i32, y: i32, w: i32, h: i32): void {
  let x1 = x + w, y1 = y + h;
  if (x < 0) x = 0;
  if (y < top) y = top;
  if (x1 > PANEL_W) x1 = PANEL_W;
  if (y1 > top + rows) y1 = top + rows;
  for (let j = y; j < y1; j++) {
    const row = BAND + <usize>((j - top) * PANEL_ROW_BYTES);
    for (let i = x; i < x1; i++) {
      const at = row + <usize>(i >> 3);
      store<u8>(at, <u8>(<i32>load<u8>(at) | (0x80 >> (i & 7))));
    }
  }
}

/** Draws the outline of a rectangle `t` pixels thick. */
export function frameRect(x: i32, y: i32, w: i32, h: i32, t: i32): void {
  fillRect(x, y, w, t);
  fillRect(x, y + h - t, w, t);
  fillRect(x, y, t, h);
  fillRect(x + w - t, y, t, h);
}
