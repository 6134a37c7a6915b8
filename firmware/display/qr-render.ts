// Puts the encoder's current symbol on the 1-bit panel: the largest integer scale that fits
// with the standard 4-module quiet zone, centred in the area above an optional caption line
// (amount, merchant name) in the 5x7 font. Only when 4 modules would leave less than 2 px per
// module does it drop to a 2-module quiet zone, and it reports that (quietForced()).
// A caller may force scale and quiet zone (the decode matrix does); forcing something that
// does not fit is an error, never a clipped symbol.
import { FB_H, FB_ROW_BYTES, FB_W, clearFramebuffer, framebuffer } from "./framebuffer";
import { GLYPH_H, charsWidth, drawBytes } from "./font5x7";
import { DARK, gridPtr, gridSide } from "../qr/qr-grid";

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
  let cs = charsWidth(captionLen, 2) <= FB_W - 4 ? 2 : 1;
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

  clearFramebuffer();
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
 * Module rows become pixel rows: the first pixel row of each module row is drawn bit by bit,
 * the other scale-1 rows are copies of it (cheaper than a fillRect per module).
 */
function drawModules(x0: i32, y0: i32, side: i32, scale: i32): void {
  const fb = framebuffer();
  const grid = gridPtr();
  for (let my = 0; my < side; my++) {
    const row = fb + <usize>((y0 + my * scale) * FB_ROW_BYTES);
    const cells = grid + <usize>(my * side);
    for (let mx = 0; mx < side; mx++) {
      if ((load<u8>(cells + <usize>mx) & DARK) == 0) continue;
      const x = x0 + mx * scale;
      for (let k = 0; k < scale; k++) {
        const at = row + <usize>((x + k) >> 3);
        store<u8>(at, load<u8>(at) | (<u8>0x80 >> <u8>((x + k) & 7)));
      }
    }
    for (let k = 1; k < scale; k++) memory.copy(row + <usize>(k * FB_ROW_BYTES), row, <usize>FB_ROW_BYTES);
  }
}
