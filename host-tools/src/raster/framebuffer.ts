// 1-bit panel images as the firmware and the display HAL define them: rows top to bottom,
// ceil(width/8) bytes per row, most significant bit = leftmost pixel, 1 = black.
// Writes them as PNG (what labs attach to reports and QR decoders read) and as terminal
// art (what the demo shows).
import { PNG } from "pngjs";

export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

export function pixel(bm: Bitmap, x: number, y: number): boolean {
  const stride = (bm.width + 7) >> 3;
  return ((bm.data[y * stride + (x >> 3)] >> (7 - (x & 7))) & 1) === 1;
}

/** How many pixels are black (set bits), e.g. to check a PNG export pixel for pixel. */
export function blackPixels(bm: Bitmap): number {
  let n = 0;
  for (const byte of bm.data) for (let b = byte; b; b &= b - 1) n++;
  return n;
}

/** PNG bytes, each panel pixel drawn as scale x scale image pixels (grey 8-bit). */
export function bitmapToPng(bm: Bitmap, scale = 1): Buffer {
  const png = new PNG({ width: bm.width * scale, height: bm.height * scale, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const w = bm.width * scale;
  for (let y = 0; y < bm.height; y++) {
    for (let x = 0; x < bm.width; x++) {
      const v = pixel(bm, x, y) ? 0 : 255;
      for (let dy = 0; dy < scale; dy++) {
        const row = (y * scale + dy) * w;
        for (let dx = 0; dx < scale; dx++) png.data[row + x * scale + dx] = v;
      }
    }
  }
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

/** True when any pixel of the step x step cell at (x, y) is black, so thin lines survive. */
function cellInk(bm: Bitmap, x: number, y: number, step: number): boolean {
  for (let dy = 0; dy < step && y + dy < bm.height; dy++) for (let dx = 0; dx < step && x + dx < bm.width; dx++) if (pixel(bm, x + dx, y + dy)) return true;
  return false;
}

/**
 * Terminal preview: two cells per text line with Unicode half blocks, each cell standing
 * for step x step panel pixels so a 200x200 panel fits a terminal.
 */
export function bitmapToText(bm: Bitmap, step = 2): string {
  const lines: string[] = [];
  for (let y = 0; y < bm.height; y += 2 * step) {
    let line = "";
    for (let x = 0; x < bm.width; x += step) {
      const top = cellInk(bm, x, y, step);
      const bottom = y + step < bm.height && cellInk(bm, x, y + step, step);
      line += top ? (bottom ? "█" : "▀") : bottom ? "▄" : " ";
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n");
}
