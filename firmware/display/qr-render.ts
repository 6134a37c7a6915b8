// Puts the encoder's current symbol on the 1-bit panel: the largest integer scale that fits
// with the standard 4-module quiet zone, centred in the area above an optional caption line
// (amount, merchant name) in the 5x7 font. Only when 4 modules would leave less than 2 px per
// module does it drop to a 2-module quiet zone, and it reports that (quietForced()).
// A caller may force scale and quiet zone (the decode matrix does); forcing something that
// does not fit is an error, never a clipped symbol.
//
// Laying out copies the symbol and the caption into buffers of their own (the symbol a row of
// ceil(side/8) bytes per module row, 778 B at version 15), so the screen can be drawn band by
// band now and again for a readback later, whatever the encoder does in between.
import { PANEL_H, PANEL_ROW_BYTES, PANEL_W, bandPtr, bandRows, bandTop } from "./band";
import { GLYPH_H, charsWidth, drawBytes } from "./font5x7";
import { gridRow, gridSide, laneBelow } from "../qr/qr-grid";
import { QR_MAX_SIDE } from "../qr/qr-limits";

export const E_RENDER_FIT: i32 = -30;

const QUIET_STANDARD: i32 = 4;
const QUIET_MINIMUM: i32 = 2;
// Caption line: the glyph plus a pixel above and below, at scale 1 or 2.
const CAPTION_PAD: i32 = 2;

let lastX: i32 = 0, lastY: i32 = 0, lastScale: i32 = 0, lastQuiet: i32 = 0;
let lastForced = false;

// The symbol on screen: module rows of SYMBOL_STRIDE bytes, bit x of a row's little-endian
// words = column x (the grid's bit order, so rows read as 64-bit lanes), and 8 spare bytes for
// the last row's second lane.
const SYMBOL_STRIDE: i32 = (QR_MAX_SIDE + 7) >> 3;
function symbolRows(): usize {
  return memory.data(QR_MAX_SIDE > 0 ? QR_MAX_SIDE * SYMBOL_STRIDE + 8 : 1);
}
let symbolSide: i32 = 0;
// The caption on screen: as many characters as a panel row can show at scale 1.
const CAPTION_MAX: i32 = (PANEL_W + 1) / 6;
function captionBytes(): usize {
  return memory.data(CAPTION_MAX > 0 ? CAPTION_MAX : 1);
}
let captionLen: i32 = 0, captionX: i32 = 0, captionY: i32 = 0, captionScale: i32 = 0;

export function renderX(): i32 { return lastX; }
export function renderY(): i32 { return lastY; }
export function renderScale(): i32 { return lastScale; }
export function renderQuiet(): i32 { return lastQuiet; }
/** True when the panel forced a quiet zone below 4 modules. */
export function quietForced(): bool { return lastForced; }

/**
 * Lays out the grid's symbol (and caption[0..len)) for the panel; scale/quiet 0 = choose.
 * Returns the scale, or E_RENDER_FIT (and then nothing changed). The caller shows it
 * (panel.ts presentSymbol).
 */
export function renderQr(caption: usize, len: i32, scale: i32, quiet: i32): i32 {
  const side = gridSide();
  if (side == 0 || PANEL_W == 0) return E_RENDER_FIT;
  // Caption at scale 2 when it fits the width, else 1; dropped if even that is too wide.
  const cs = charsWidth(len, 2) <= PANEL_W - 4 ? 2 : 1;
  if (len > 0 && charsWidth(len, 1) > PANEL_W) len = 0;
  const captionH = len > 0 ? GLYPH_H * cs + 2 * CAPTION_PAD : 0;
  const areaH = PANEL_H - captionH;
  const area = PANEL_W < areaH ? PANEL_W : areaH;
  let forced = false;
  if (scale == 0) {
    const q = quiet > 0 ? quiet : QUIET_STANDARD;
    scale = area / (side + 2 * q);
    if (quiet == 0 && scale < 2 && area / (side + 2 * QUIET_MINIMUM) > scale) {
      quiet = QUIET_MINIMUM;
      scale = area / (side + 2 * QUIET_MINIMUM);
      forced = true;
    } else {
      quiet = q;
    }
  } else if (quiet == 0) {
    quiet = QUIET_STANDARD;
  }
  if (scale < 1 || (side + 2 * quiet) * scale > area) return E_RENDER_FIT;

  const px = side * scale;
  lastX = (PANEL_W - px) / 2;
  lastY = (areaH - px) / 2;
  lastScale = scale; lastQuiet = quiet; lastForced = forced;
  copySymbol(side);
  for (let i = 0; i < len; i++) store<u8>(captionBytes() + <usize>i, load<u8>(caption + <usize>i));
  captionLen = len;
  captionX = (PANEL_W - charsWidth(len, cs)) / 2;
  captionY = areaH + CAPTION_PAD;
  captionScale = cs;
  return scale;
}

/**
 * The grid's rows into symbolRows(), 8 bytes at a time: a row's last word may carry up to 7 bytes
 * past its stride, which the next row overwrites (or the spare bytes take) and the drawing
 * masks off; on the grid's side the reads stay inside its row, spare word and scratch.
 */
function copySymbol(side: i32): void {
  const stride = (side + 7) >> 3;
  for (let y = 0; y < side; y++) {
    const from = gridRow(y), to = symbolRows() + <usize>(y * SYMBOL_STRIDE);
    for (let i = 0; i < stride; i += 8) store<u64>(to + <usize>i, load<u64>(from + <usize>i));
  }
  symbolSide = side;
}

/** Draws the laid-out symbol and caption into the current band (band.ts). */
export function drawSymbol(): void {
  drawModules(lastX, lastY, symbolSide, lastScale);
  if (captionLen > 0) drawBytes(captionX, captionY, captionScale, captionBytes(), captionLen);
}

/**
 * Module rows become pixel rows, for the module rows that meet the band. The packed row (bit x
 * = column x) is held in two 64-bit lanes and shifted out a module at a time into an
 * accumulator of `scale` pixel bits per module (scale <= 16: 7 pending bits + 16 new ones fit
 * a u32), written out a byte at a time, MSB = leftmost pixel; the first byte starts with the
 * x0 & 7 blank pixels left of the symbol. The module row's other pixel rows in the band are
 * copies of the first, four bytes at a time. Only the symbol's own bytes are written or
 * copied: the band starts blank.
 */
function drawModules(x0: i32, y0: i32, side: i32, scale: i32): void {
  const band = bandPtr(), top = bandTop(), end = top + bandRows();
  if (y0 >= end || y0 + side * scale <= top) return;
  const run: u32 = (<u32>1 << <u32>scale) - 1; // one dark module: `scale` 1 bits
  const firstByte = x0 >> 3;
  const spanBytes = ((x0 + side * scale + 7) >> 3) - firstByte;
  const cols0 = laneBelow(0, side), cols1 = laneBelow(1, side);
  const myFirst = top > y0 ? (top - y0) / scale : 0;
  let myEnd = (end - y0 + scale - 1) / scale;
  if (myEnd > side) myEnd = side;
  for (let my = myFirst; my < myEnd; my++) {
    let py = y0 + my * scale;
    let pyEnd = py + scale;
    if (py < top) py = top;
    if (pyEnd > end) pyEnd = end;
    const row = band + <usize>((py - top) * PANEL_ROW_BYTES + firstByte);
    const cells = symbolRows() + <usize>(my * SYMBOL_STRIDE);
    let lane = load<u64>(cells) & cols0;
    const lane1 = cols1 != 0 ? load<u64>(cells + 8) & cols1 : 0;
    let out = row;
    let acc: u32 = 0;
    let bits: u32 = <u32>(x0 & 7);
    for (let mx = 0; mx < side; mx++) {
      if (mx == 64) lane = lane1;
      acc = (acc << <u32>scale) | (run & (0 - <u32>(lane & 1)));
      lane >>= 1;
      bits += <u32>scale;
      while (bits >= 8) {
        bits -= 8;
        store<u8>(out++, <u8>(acc >>> bits));
      }
    }
    if (bits > 0) store<u8>(out, <u8>(acc << (8 - bits)));
    for (let k = 1; k < pyEnd - py; k++) {
      const to = row + <usize>(k * PANEL_ROW_BYTES);
      let i = 0;
      for (; i + 4 <= spanBytes; i += 4) store<u32>(to + <usize>i, load<u32>(row + <usize>i));
      for (; i < spanBytes; i++) store<u8>(to + <usize>i, load<u8>(row + <usize>i));
    }
  }
}
