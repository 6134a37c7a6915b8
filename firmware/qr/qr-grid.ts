// The symbol being built, packed one bit per module: row y is gridRowWords() 32-bit words,
// column x is bit (x & 31) of word (x >> 5), 1 = dark. A second bitmap of the same shape
// marks the function modules (finder, timing, alignment, format, version; masking and data
// placement skip those). Bits past the last column are 0 in the grid and 1 in the function
// map, so a data mask can never darken them and the penalty scans can read whole words.
// Drawing follows ISO 18004 section 6.3 and Nayuki's layout code; x is the column, y the row.
//
// Packing is what makes the automatic mask affordable: a mask is one XOR per word, and the
// penalty rules (penalty.ts) run on 32 modules at a time. It is also 1/8 of the RAM of one
// byte per module (924 B instead of 5,929 B for version 15).
import { QR_GRID_BYTES } from "./qr-limits";
import { alignmentPositions, eclFormatBits, sideForVersion } from "./qr-tables";

const GRID = memory.data(QR_GRID_BYTES > 0 ? QR_GRID_BYTES : 4);
const FUNC = memory.data(QR_GRID_BYTES > 0 ? QR_GRID_BYTES : 4);
const ALIGN = memory.data(8);
// Per residue of the row modulo 12, the 6-bit pattern of one mask over columns x mod 6
// (every Table 10 condition repeats with x mod 6 and y mod 12).
const MASK_ROWS = memory.data(12);
let preparedMask: i32 = -1;
let side: i32 = 0;
let rowWords: i32 = 0;
let rowBytes: i32 = 0;

export function gridPtr(): usize {
  return GRID;
}

/** The function-module map; free scratch space until drawFunctionPatterns. */
export function functionMapPtr(): usize {
  return FUNC;
}

/** Bytes the grid (and the function map) can hold: scratch space before drawing. */
export function gridCapacity(): i32 {
  return QR_GRID_BYTES;
}

export function gridSide(): i32 {
  return side;
}

export function gridRowWords(): i32 {
  return rowWords;
}

/** Address of row y's first word. */
export function gridRow(y: i32): usize {
  return GRID + <usize>(y * rowBytes);
}

export function isDark(x: i32, y: i32): bool {
  return ((load<u32>(GRID + <usize>(y * rowBytes + ((x >> 5) << 2))) >>> <u32>(x & 31)) & 1) != 0;
}

function setFunctionModule(x: i32, y: i32, dark: bool): void {
  const off = <usize>(y * rowBytes + ((x >> 5) << 2));
  const bit: u32 = 1 << <u32>(x & 31);
  store<u32>(FUNC + off, load<u32>(FUNC + off) | bit);
  const g = load<u32>(GRID + off);
  store<u32>(GRID + off, dark ? g | bit : g & ~bit);
}

/** Clears the grid for `version` and draws every function pattern (format area reserved). */
export function drawFunctionPatterns(version: i32): void {
  side = sideForVersion(version);
  rowWords = (side + 31) >> 5;
  rowBytes = rowWords << 2;
  memory.fill(GRID, 0, <usize>(side * rowBytes));
  // The function map starts with only the bits past the last column set (see the header).
  const tail: u32 = (side & 31) == 0 ? 0 : ~((<u32>1 << <u32>(side & 31)) - 1);
  for (let y = 0; y < side; y++) {
    const row = FUNC + <usize>(y * rowBytes);
    for (let i = 0; i < rowWords - 1; i++) store<u32>(row + <usize>(i << 2), 0);
    store<u32>(row + <usize>((rowWords - 1) << 2), tail);
  }
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
 * column and every function module. Leftover remainder bits stay light. `data` must not
 * overlap the grid or the function map.
 *
 * The bits come from a reservoir refilled a byte at a time; where both modules of a row are
 * free (most of the symbol) they take two bits at once.
 */
export function drawCodewords(data: usize, len: i32): void {
  let next = data;
  const end = data + <usize>len;
  let reservoir: u32 = 0;
  let held: u32 = 0; // bits of the reservoir not yet placed, the next one highest
  for (let right = side - 1; right >= 1; right -= 2) {
    if (right == 6) right = 5;
    const upward = ((right + 1) & 2) == 0;
    // Both columns of the pair: word offset within a row and bit within the word.
    const offR = <usize>((right >> 5) << 2), bitR: u32 = 1 << <u32>(right & 31);
    const offL = <usize>(((right - 1) >> 5) << 2), bitL: u32 = 1 << <u32>((right - 1) & 31);
    for (let vert = 0; vert < side; vert++) {
      const row = <usize>((upward ? side - 1 - vert : vert) * rowBytes);
      const freeR = (load<u32>(FUNC + row + offR) & bitR) == 0;
      const freeL = (load<u32>(FUNC + row + offL) & bitL) == 0;
      if (!freeR && !freeL) continue;
      if (held < 2) {
        if (next >= end && held == 0) return; // remainder bits: already light
        // Past the end the reservoir fills with 0 bits: the remainder bits are light.
        reservoir = (reservoir << 8) | (next < end ? <u32>load<u8>(next) : 0);
        next++;
        held += 8;
      }
      if (freeR) {
        held--;
        if (((reservoir >> held) & 1) != 0) store<u32>(GRID + row + offR, load<u32>(GRID + row + offR) | bitR);
      }
      if (freeL) {
        held--;
        if (((reservoir >> held) & 1) != 0) store<u32>(GRID + row + offL, load<u32>(GRID + row + offL) | bitL);
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

/**
 * Flips every non-function module where the mask is 1; applying it twice undoes it. Each row
 * of a mask is a pattern with period 6 along x, so a row word is that 6-bit pattern repeated
 * (a multiply spreads it over 64 bits) and shifted by the word's phase (32 i mod 6); the
 * function map keeps the patterns off the function modules. The 12 row patterns are worked
 * out once per mask and kept, so undoing the mask just after trying it reuses them.
 */
export function applyMask(mask: i32): void {
  if (mask != preparedMask) {
    for (let r = 0; r < 12; r++) {
      let p = 0;
      for (let x = 0; x < 6; x++) if (maskBit(mask, x, r)) p |= 1 << x;
      store<u8>(MASK_ROWS + <usize>r, <u8>p);
    }
    preparedMask = mask;
  }
  let r = 0;
  for (let y = 0; y < side; y++) {
    const spread = <u64>load<u8>(MASK_ROWS + <usize>r) * 0x0041041041041041;
    const row = <usize>(y * rowBytes);
    for (let i = 0, phase: u64 = 0; i < rowWords; i++) {
      const off = row + <usize>(i << 2);
      const pattern = <u32>(spread >> phase);
      store<u32>(GRID + off, load<u32>(GRID + off) ^ (pattern & ~load<u32>(FUNC + off)));
      phase = phase == 4 ? 0 : phase + 2; // 32 mod 6 = 2
    }
    r = r == 11 ? 0 : r + 1;
  }
}
