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
// The data masks of ISO 18004 Table 10 (i = row, j = column), as 6-bit row patterns: every
// condition repeats with the column mod 6 and the row mod 12, so mask m is 12 bytes, byte
// [m * 12 + y mod 12] holding bit x set where the mask is 1 at column x (x < 6) of row y.
const MASK_ROWS = memory.data<u8>([
  0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, // 0: (i + j) mod 2 = 0
  0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, // 1: i mod 2 = 0
  0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, // 2: j mod 3 = 0
  0x09, 0x24, 0x12, 0x09, 0x24, 0x12, 0x09, 0x24, 0x12, 0x09, 0x24, 0x12, // 3: (i + j) mod 3 = 0
  0x07, 0x07, 0x38, 0x38, 0x07, 0x07, 0x38, 0x38, 0x07, 0x07, 0x38, 0x38, // 4: (i div 2 + j div 3) mod 2 = 0
  0x3f, 0x01, 0x09, 0x15, 0x09, 0x01, 0x3f, 0x01, 0x09, 0x15, 0x09, 0x01, // 5: (i j) mod 2 + (i j) mod 3 = 0
  0x3f, 0x07, 0x1b, 0x15, 0x2d, 0x31, 0x3f, 0x07, 0x1b, 0x15, 0x2d, 0x31, // 6: ((i j) mod 2 + (i j) mod 3) mod 2 = 0
  0x15, 0x38, 0x31, 0x2a, 0x07, 0x0e, 0x15, 0x38, 0x31, 0x2a, 0x07, 0x0e, // 7: ((i + j) mod 2 + (i j) mod 3) mod 2 = 0
]);
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
  // An empty grid; the function map starts with only the bits past the last column set in
  // each row's last word (see the header).
  const tail: u32 = (side & 31) == 0 ? 0 : ~((<u32>1 << <u32>(side & 31)) - 1);
  for (let at = 0; at < side * rowBytes; at += 4) {
    store<u32>(GRID + <usize>at, 0);
    store<u32>(FUNC + <usize>at, (at + 4) % rowBytes == 0 ? tail : 0);
  }
  // Finder patterns with their light separators: rings at Chebyshev distance 0-1 and 3 dark,
  // 2 and 4 (the separator, cut off by the symbol's edges) light.
  drawRings(3, 3, 4, 0b01011);
  drawRings(side - 4, 3, 4, 0b01011);
  drawRings(3, side - 4, 4, 0b01011);
  // Alignment patterns (dark centre, light ring, dark ring) on the grid of centre positions,
  // except the three whose centre falls in a finder.
  const n = alignmentPositions(version, ALIGN);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const cx = <i32>load<u8>(ALIGN + <usize>i), cy = <i32>load<u8>(ALIGN + <usize>j);
      if (!isFunction(cx, cy)) drawRings(cx, cy, 2, 0b101);
    }
  }
  // Timing patterns between the separators: row 6 and column 6, dark on even indexes. Where
  // they cross an alignment pattern they agree with it (its centre is on an even index).
  for (let i = 8; i < side - 8; i++) {
    setFunctionModule(6, i, (i & 1) == 0);
    setFunctionModule(i, 6, (i & 1) == 0);
  }
  // Reserve the format areas now (real bits come with the mask) and draw the version blocks.
  drawFormatBits(0, 0);
  if (version >= 7) {
    // 6-bit version + BCH(18,6) remainder, in two 6x3 blocks (bottom-left and top-right).
    const bits = withBch(version, 12, 0x1f25);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >> i) & 1) != 0;
      const a = side - 11 + (i % 3), b = i / 3;
      setFunctionModule(a, b, dark);
      setFunctionModule(b, a, dark);
    }
  }
}

function isFunction(x: i32, y: i32): bool {
  return ((load<u32>(FUNC + <usize>(y * rowBytes + ((x >> 5) << 2))) >>> <u32>(x & 31)) & 1) != 0;
}

/**
 * Square rings around (cx, cy) out to Chebyshev distance r; ring d is dark where bit d of
 * `darkRings` is set. Modules outside the symbol are skipped.
 */
function drawRings(cx: i32, cy: i32, r: i32, darkRings: i32): void {
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const x = cx + dx, y = cy + dy;
      if (<u32>x >= <u32>side || <u32>y >= <u32>side) continue;
      const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
      setFunctionModule(x, y, ((darkRings >> (ax > ay ? ax : ay)) & 1) != 0);
    }
  }
}

/** `data` followed by its `n`-bit BCH remainder for generator `poly` (ISO 18004 annexes C, D). */
function withBch(data: i32, n: i32, poly: i32): i32 {
  let rem = data;
  for (let i = 0; i < n; i++) rem = (rem << 1) ^ ((rem >> (n - 1)) * poly);
  return (data << n) | rem;
}

/**
 * The 15 format bits (2-bit level, 3-bit mask, BCH(15,5) remainder, xor 0x5412) in both
 * copies, plus the always-dark module beside the lower-left finder.
 */
export function drawFormatBits(ecl: i32, mask: i32): void {
  const bits = withBch((eclFormatBits(ecl) << 3) | mask, 10, 0x537) ^ 0x5412;
  for (let i = 0; i < 15; i++) {
    const dark = ((bits >> i) & 1) != 0;
    if (i < 8) {
      // First copy: bits 0-7 down column 8 beside the top-left finder (skipping the timing
      // row); second copy: leftwards along row 8 under the top-right finder.
      setFunctionModule(8, i < 6 ? i : i + 1, dark);
      setFunctionModule(side - 1 - i, 8, dark);
    } else {
      // First copy: bits 8-14 leftwards along row 8 (skipping the timing column); second
      // copy: down column 8 beside the bottom-left finder.
      setFunctionModule(i == 8 ? 7 : 14 - i, 8, dark);
      setFunctionModule(8, side - 15 + i, dark);
    }
  }
  setFunctionModule(8, side - 8, true);
}

/**
 * Places the codewords bit by bit (MSB first) in the zigzag order of ISO 18004 7.7.3: pairs
 * of columns from the right, alternately upwards and downwards, skipping the vertical timing
 * column and every function module. Leftover remainder bits stay light. `data` must not
 * overlap the grid or the function map.
 */
export function drawCodewords(data: usize, len: i32): void {
  let i = 0; // bit index into data
  for (let right = side - 1; right >= 1; right -= 2) {
    if (right == 6) right = 5;
    const upward = ((right + 1) & 2) == 0;
    for (let vert = 0; vert < side; vert++) {
      const y = upward ? side - 1 - vert : vert;
      for (let x = right; x >= right - 1; x--) {
        if (isFunction(x, y)) continue;
        if (i >= len * 8) return; // remainder bits: already light
        if (((<i32>load<u8>(data + <usize>(i >> 3)) >> (7 - (i & 7))) & 1) != 0) {
          const off = <usize>(y * rowBytes + ((x >> 5) << 2));
          store<u32>(GRID + off, load<u32>(GRID + off) | (<u32>1 << <u32>(x & 31)));
        }
        i++;
      }
    }
  }
}

/**
 * Flips every non-function module where the mask is 1; applying it twice undoes it. Each row
 * of a mask is a pattern with period 6 along x, so a row word is that 6-bit pattern repeated
 * (a multiply spreads it over 64 bits) and shifted by the word's phase (32 i mod 6); the
 * function map keeps the patterns off the function modules.
 */
export function applyMask(mask: i32): void {
  let r = 0;
  for (let y = 0; y < side; y++) {
    const spread = <u64>load<u8>(MASK_ROWS + <usize>(mask * 12 + r)) * 0x0041041041041041;
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
