// Puts the encoder's current symbol on the 1-bit panel: the largest integer scale that fits
// with the standard 4-module quiet zone, centred in the area above an optional caption line
// (amount, merchant name) in the 5x7 font. Only when 4 modules would leave less than 2 px per
// module does it drop to a 2-module quiet zone, and it reports that (quietForced()).
// A caller may force scale and quiet zone (the decode matrix does); forcing something that
// does not fit is an error, never a clipped symbol.
import { FB_BYTES, FB_H, FB_ROW_BYTES, FB_W, framebuffer } from "./framebuffer";
import { GLYPH_H, charsWidth, drawBytes } from "./font5x7";
import { gridRow, gridSide, laneBelow } from "../qr/qr-grid";

export const E_RENDER_FIT: i32 = -30;

const QUIET_STANDARD: i32 = 4;
const QUIET_MINIMUM: i32 = 2;
// Caption line: the glyph plus a pixel above and below, at scale 1 or 2.
const CAPTION_PAD: i32 = 2;

let lastX: i32 = 0, lastY: i32 = 0, lastScale: i32 = 0, lastQuiet: i32 = 0;
let lastForced = false;

export function renderX(): i32 { return lastX; }
export function renderY(): i32 { return lastY; }
export function renderScale(): i32 { return lastScale; }
export function renderQuiet(): i32 { return lastQuiet; }
/** True when the panel forced a quiet zone below 4 modules. */
export function quietForced(): bool { return lastForced; }

/**
 * Draws the symbol (and caption[0..captionLen)) into the framebuffer; scale/quiet 0 = choose.
 * Returns the scale, or E_RENDER_FIT. The caller presents the framebuffer.
 */
export function renderQr(caption: usize, captionLen: i32, scale: i32, quiet: i32): i32 {
  const side = gridSide();
  if (side == 0 || FB_W == 0) return E_RENDER_FIT;
  // Caption at scale 2 when it fits the width, else 1; dropped if even that is too wide.
  const cs = charsWidth(captionLen, 2) <= FB_W - 4 ? 2 : 1;
  if (captionLen > 0 && charsWidth(captionLen, 1) > FB_W) captionLen = 0;
  const captionH = captionLen > 0 ? GLYPH_H * cs + 2 * CAPTION_PAD : 0;
  const areaH = FB_H - captionH;
  const area = FB_W < areaH ? FB_W : areaH;
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

  blankFrame();
  const px = side * scale;
  const x0 = (FB_W - px) / 2;
  const y0 = (areaH - px) / 2;
  drawModules(x0, y0, side, scale);
  if (captionLen > 0) {
    drawBytes((FB_W - charsWidth(captionLen, cs)) / 2, areaH + CAPTION_PAD, cs, caption, captionLen);
  }
  lastX = x0; lastY = y0; lastScale = scale; lastQuiet = quiet; lastForced = forced;
  return scale;
}

/**
 * Clears the frame a 64-bit word at a time. (memory.fill, without the bulk-memory feature we
 * build for, is a byte loop: some 80,000 instructions for this panel.)
 */
function blankFrame(): void {
  const fb = framebuffer();
  let at: usize = 0;
  for (; at + 8 <= <usize>FB_BYTES; at += 8) store<u64>(fb + at, 0);
  for (; at < <usize>FB_BYTES; at++) store<u8>(fb + at, 0);
}

/**
 * Module rows become pixel rows. The packed grid row (bit x = column x) is held in two 64-bit
 * lanes and shifted out a module at a time into an accumulator of `scale` pixel bits per
 * module (scale <= 16: 7 pending bits + 16 new ones fit a u32), written out a byte at a time,
 * MSB = leftmost pixel; the first byte starts with the x0 & 7 blank pixels left of the symbol.
 * The other scale - 1 pixel rows of a module row are copies of the first, four bytes at a
 * time. Only the symbol's own bytes are written or copied: the rest of the frame was blanked.
 */
function drawModules(x0: i32, y0: i32, side: i32, scale: i32): void {
  const fb = framebuffer();
  const run: u32 = (<u32>1 << <u32>scale) - 1; // one dark module: `scale` 1 bits
  const firstByte = x0 >> 3;
  const spanBytes = ((x0 + side * scale + 7) >> 3) - firstByte;
  const cols0 = laneBelow(0, side), cols1 = laneBelow(1, side);
  for (let my = 0; my < side; my++) {
    const row = fb + <usize>((y0 + my * scale) * FB_ROW_BYTES + firstByte);
    const cells = gridRow(my);
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
    for (let k = 1; k < scale; k++) {
      const to = row + <usize>(k * FB_ROW_BYTES);
      let i = 0;
      for (; i + 4 <= spanBytes; i += 4) store<u32>(to + <usize>i, load<u32>(row + <usize>i));
      for (; i < spanBytes; i++) store<u8>(to + <usize>i, load<u8>(row + <usize>i));
    }
  }
}
