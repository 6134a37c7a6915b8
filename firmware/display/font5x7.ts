// A tiny 5x7 bitmap font holding only the capitals the boot splash needs (TAPKIT, DEMO).
// Each glyph is 7 rows; the low 5 bits of a row are its pixels, bit 4 leftmost.
import { fillRect } from "./framebuffer";

const GLYPHS = memory.data<u8>([
  0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, // T
  0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, // A
  0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, // P
  0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, // K
  0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, // I
  0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c, // D
  0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, // E
  0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, // M
  0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, // O
]);

export const GLYPH_W: i32 = 5;
export const GLYPH_H: i32 = 7;
/** Horizontal distance between letters, in font pixels. */
export const ADVANCE: i32 = 6;

function glyphIndex(c: i32): i32 {
  switch (c) {
    case 0x54: return 0; // T
    case 0x41: return 1; // A
    case 0x50: return 2; // P
    case 0x4b: return 3; // K
    case 0x49: return 4; // I
    case 0x44: return 5; // D
    case 0x45: return 6; // E
    case 0x4d: return 7; // M
    case 0x4f: return 8; // O
    default: return -1; // not in the font: left blank
  }
}

/** Width in panel pixels of `s` drawn at `scale`. */
export function textWidth(s: string, scale: i32): i32 {
  return s.length > 0 ? (s.length * ADVANCE - 1) * scale : 0;
}

export function drawText(x: i32, y: i32, scale: i32, s: string): void {
  for (let n = 0; n < s.length; n++) {
    const g = glyphIndex(s.charCodeAt(n));
    if (g < 0) continue;
    for (let row = 0; row < GLYPH_H; row++) {
      const bits = <i32>load<u8>(GLYPHS + <usize>(g * GLYPH_H + row));
      for (let col = 0; col < GLYPH_W; col++) {
        if (bits & (0x10 >> col)) fillRect(x + (n * ADVANCE + col) * scale, y + row * scale, scale, scale);
      }
    }
  }
}
