// What the panel shows, and getting it there without a frame buffer: the screen is remembered
// as what to draw (blank, the splash, or the laid-out symbol with its caption) and drawn band
// by band (band.ts), each band blitted as soon as it is drawn, then one refresh. The shell's
// fb readback draws the bands again and copies out the bytes asked for, so it reads exactly
// what went to the panel.
import { E_UNSUPPORTED } from "../hal/codes";
import { display_blit, display_refresh } from "../hal/display";
import { BAND_ROWS, PANEL_H, PANEL_ROW_BYTES, PANEL_W, bandPtr, bandRows, beginBand } from "./band";
import { drawSplash } from "./splash";
import { drawSymbol } from "./qr-render";

const SHOWS_BLANK: i32 = 0;
const SHOWS_SPLASH: i32 = 1;
const SHOWS_SYMBOL: i32 = 2;

let shows: i32 = SHOWS_BLANK;
let splashDemo = false;

/** Draws the splash and pushes it to the panel; returns the HAL result (0 without a panel). */
export function showSplash(demo: bool): i32 {
  if (PANEL_W == 0) return 0;
  shows = SHOWS_SPLASH;
  splashDemo = demo;
  return present(false);
}

/**
 * Shows the symbol qr-render.ts laid out last, with a partial refresh (e-paper: only the pixels
 * that changed, ~0.3 s, no flash) when asked and the panel has one; returns the HAL result.
 */
export function presentSymbol(partial: bool): i32 {
  if (PANEL_W == 0) return 0;
  shows = SHOWS_SYMBOL;
  return present(partial);
}

/** Draws rows [y, y + BAND_ROWS) of the current screen into the band. */
function drawBand(y: i32): void {
  beginBand(y);
  if (shows == SHOWS_SPLASH) drawSplash(splashDemo);
  else if (shows == SHOWS_SYMBOL) drawSymbol();
}

function present(partial: bool): i32 {
  for (let y = 0; y < PANEL_H; y += BAND_ROWS) {
    drawBand(y);
    const r = display_blit(0, y, PANEL_W, bandRows(), bandPtr(), bandRows() * PANEL_ROW_BYTES);
    if (r < 0) return r;
  }
  if (!partial) return display_refresh(0);
  const p = display_refresh(1);
  // Panels without partial refresh say E_UNSUPPORTED: fall back to a full one.
  return p == E_UNSUPPORTED ? display_refresh(0) : p;
}

/**
 * Copies frame bytes [off, off + len) of the screen (rows of PANEL_ROW_BYTES, the blit layout)
 * to `out`, drawing the bands they fall in. The encoder's scratch past the grid is used.
 */
export function readPanel(out: usize, off: i32, len: i32): void {
  const bandBytes = BAND_ROWS * PANEL_ROW_BYTES;
  let at = off;
  const end = off + len;
  while (at < end) {
    const first = (at / bandBytes) * bandBytes;
    drawBand(first / PANEL_ROW_BYTES);
    let stop = first + bandBytes;
    if (stop > end) stop = end;
    for (let i = at; i < stop; i++) store<u8>(out + <usize>(i - off), load<u8>(bandPtr() + <usize>(i - first)));
    at = stop;
  }
}
