// The symbol being built, one byte per module: bit 0 = dark, bit 1 = function module (finder,
// timing, alignment, format, version; masking and data placement skip those). Drawing
// follows ISO 18004 section 6.3 and Nayuki's layout code; x is the column, y the row.
import { QR_GRID_BYTES } from "./qr-limits";
import { alignmentPositions, eclFormatBits, sideForVersion } from "./qr-tables";

export const DARK: u8 = 1;
export const FUNCTION: u8 = 2;

const GRID = memory.data(QR_GRID_BYTES > 0 ? QR_GRID_BYTES : 1);
const ALIGN = memory.data(8);
let side: i32 = 0;

export function gridPtr(): usize {
  return GRID;
}

export function gridSide(): i32 {
  return side;
}

export function isDark(x: i32, y: i32): bool {
  return (load<u8>(GRID + <usize>(y * side + x)) & DARK) != 0;
}

function setFunctionModule(x: i32, y: i32, dark: bool): void {
  store<u8>(GRID + <usize>(y * side + x), dark ? DARK | FUNCTION : FUNCTION);
}

/** Clears the grid for `version` and draws every function pattern (format area reserved). */
export function drawFunctionPatterns(version: i32): void {
  side = sideForVersion(version);
  memory.fill(GRID, 0, <usize>(side * side));
  // Timing patterns: alternating modules along row 6 and column 6, dark on even indexes.
  for (let i = 0; i < side; i++) {
    setFunctionModule(6, i, (i & 1) == 0);
    setFunctionModule(i, 6, (i & 1) == 0);
  }
  // Finder patterns with their light separators (drawn over the timing lines' ends).
  drawFinder(3, 3);
  drawFinder(side - 4, 3);
  drawFinder(3, side - 4);
  // Alignment patterns on the grid of centre positions, except where a finder sits.
  const n = alignmentPositions(version, ALIGN);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if ((i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0)) continue;
      drawAlignment(<i32>load<u8>(ALIGN + <usize>i), <i32>load<u8>(ALIGN + <usize>j));
    }
  }
  // Reserve the format areas now (real bits come with the mask) and draw the version blocks.
  drawFormatBits(0, 0);
  drawVersion(version);
}

function drawFinder(cx: i32, cy: i32): void {
  // Rings at Chebyshev distance 0-1 and 3 are dark, 2 and 4 (the separator) light.
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= side || y >= side) continue;
      const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
      const dist = ax > ay ? ax : ay;
      setFunctionModule(x, y, dist != 2 && dist != 4);
    }
  }
}

function drawAlignment(cx: i32, cy: i32): void {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
      setFunctionModule(cx + dx, cy + dy, (ax > ay ? ax : ay) != 1);
    }
  }
}

/**
 * The 15 format bits (2-bit level, 3-bit mask, BCH(15,5) remainder, xor 0x5412) in both
 * copies, plus the always-dark module beside the lower-left finder.
 */
export function drawFormatBits(ecl: i32, mask: i32): void {
  const data = (eclFormatBits(ecl) << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  // First copy, around the top-left finder.
  for (let i = 0; i <= 5; i++) setFunctionModule(8, i, ((bits >> i) & 1) != 0);
  setFunctionModule(8, 7, ((bits >> 6) & 1) != 0);
  setFunctionModule(8, 8, ((bits >> 7) & 1) != 0);
  setFunctionModule(7, 8, ((bits >> 8) & 1) != 0);
  for (let i = 9; i < 15; i++) setFunctionModule(14 - i, 8, ((bits >> i) & 1) != 0);
  // Second copy, split between the top-right and bottom-left finders.
  for (let i = 0; i < 8; i++) setFunctionModule(side - 1 - i, 8, ((bits >> i) & 1) != 0);
  for (let i = 8; i < 15; i++) setFunctionModule(8, side - 15 + i, ((bits >> i) & 1) != 0);
  setFunctionModule(8, side - 8, true);
}

/** From version 7: 6-bit version + BCH(18,6) remainder, in two 6x3 blocks. */
function drawVersion(version: i32): void {
  if (version < 7) return;
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
  const bits = (version << 12) | rem;
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >> i) & 1) != 0;
    const a = side - 11 + (i % 3), b = i / 3;
    setFunctionModule(a, b, dark);
    setFunctionModule(b, a, dark);
  }
}

/**
 * Places the codewords bit by bit (MSB first) in the zigzag order of ISO 18004 7.7.3: pairs
 * of columns from the right, alternately upwards and downwards, skipping the vertical timing
 * column and every function module. Leftover remainder bits stay light.
 */
export function drawCodewords(data: usize, len: i32): void {
  const totalBits = len * 8;
  let i = 0;
  for (let right = side - 1; right >= 1; right -= 2) {
    if (right == 6) right = 5;
    const upward = ((right + 1) & 2) == 0;
    for (let vert = 0; vert < side; vert++) {
      const y = upward ? side - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const at = GRID + <usize>(y * side + right - j);
        if ((load<u8>(at) & FUNCTION) != 0) continue;
        if (i < totalBits) {
          if (((<i32>load<u8>(data + <usize>(i >> 3)) >> (7 - (i & 7))) & 1) != 0) store<u8>(at, DARK);
          i++;
        }
      }
    }
  }
}

/** The data-mask condition of ISO 18004 Table 10 (i = row, j = column there). */
function maskBit(mask: i32, x: i32, y: i32): bool {
  switch (mask) {
    case 0: return (x + y) % 2 == 0;
    case 1: return y % 2 == 0;
    case 2: return x % 3 == 0;
    case 3: return (x + y) % 3 == 0;
    case 4: return (x / 3 + y / 2) % 2 == 0;
    case 5: return (x * y) % 2 + (x * y) % 3 == 0;
    case 6: return ((x * y) % 2 + (x * y) % 3) % 2 == 0;
    default: return (((x + y) % 2) + (x * y) % 3) % 2 == 0;
  }
}

/** Flips every non-function module where the mask is 1; applying it twice undoes it. */
export function applyMask(mask: i32): void {
  for (let y = 0; y < side; y++) {
    const row = GRID + <usize>(y * side);
    for (let x = 0; x < side; x++) {
      const at = row + <usize>x;
      const m = load<u8>(at);
      if ((m & FUNCTION) == 0 && maskBit(mask, x, y)) store<u8>(at, m ^ DARK);
    }
  }
}
