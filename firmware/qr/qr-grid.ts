// The symbol being built, packed one bit per module: row y is gridRowBytes() = ceil(side / 8)
// bytes, column x is bit (x & 7) of the row's byte x >> 3 (so bit x & 31 of the little-endian
// 32-bit word at byte 4 (x >> 5), and bit x & 63 of the 64-bit lane at byte 8 (x >> 6)),
// 1 = dark. A second bitmap of the same shape marks the function modules (finder, timing,
// alignment, format, version; masking and data placement skip those). A row's last byte and
// its lanes run on into the next row: every reader masks with the columns below the side
// (laneBelow) and every writer changes only its own columns.
// Drawing follows ISO 18004 section 6.3 and Nayuki's layout code; x is the column, y the row.
//
// Packing is what makes the automatic mask affordable: a mask is one XOR per 64 modules, and
// the penalty rules (penalty.ts) run on 64 modules at a time. It is also 1/8 of the RAM of one
// byte per module (770 B instead of 5,929 B for version 15).
//
// Rows are read and written as 64-bit lanes (lane l = columns 64 l .. 64 l + 63) and 32-bit
// words at unaligned byte offsets; both bitmaps carry 8 spare bytes after the last row so the
// last row's lanes stay in the buffer.
import { alignmentPositions, eclFormatBits, sideForVersion } from "./qr-tables";
import { FUNC_AT, GRID_AT, QR_SCRATCH } from "./qr-scratch";

// Both bitmaps live in the encoder's scratch (qr-scratch.ts): the grid for good, the function
// map only while a symbol is drawn and masked.
const GRID = QR_SCRATCH + <usize>GRID_AT;
const FUNC = QR_SCRATCH + <usize>FUNC_AT;
function alignPositions(): usize {
  return memory.data(8);
}
// The data masks of ISO 18004 Table 10 (i = row, j = column), as 6-bit row patterns: every
// condition repeats with the column mod 6 and the row mod 12, so mask m is 12 bytes, byte
// [m * 12 + y mod 12] holding bit x set where the mask is 1 at column x (x < 6) of row y.
// Multiplying such a pattern by LANE_SPREAD (bits 0, 6, .., 60) repeats it across a lane.
function maskRows(): usize {
  return memory.data<u8>([
    0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, 0x15, 0x2a, // 0: (i + j) mod 2 = 0
    0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, 0x3f, 0x00, // 1: i mod 2 = 0
    0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, // 2: j mod 3 = 0
    0x09, 0x24, 0x12, 0x09, 0x24, 0x12, 0x09, 0x24, 0x12, 0x09, 0x24, 0x12, // 3: (i + j) mod 3 = 0
    0x07, 0x07, 0x38, 0x38, 0x07, 0x07, 0x38, 0x38, 0x07, 0x07, 0x38, 0x38, // 4: (i div 2 + j div 3) mod 2 = 0
    0x3f, 0x01, 0x09, 0x15, 0x09, 0x01, 0x3f, 0x01, 0x09, 0x15, 0x09, 0x01, // 5: (i j) mod 2 + (i j) mod 3 = 0
    0x3f, 0x07, 0x1b, 0x15, 0x2d, 0x31, 0x3f, 0x07, 0x1b, 0x15, 0x2d, 0x31, // 6: ((i j) mod 2 + (i j) mod 3) mod 2 = 0
    0x15, 0x38, 0x31, 0x2a, 0x07, 0x0e, 0x15, 0x38, 0x31, 0x2a, 0x07, 0x0e, // 7: ((i + j) mod 2 + (i j) mod 3) mod 2 = 0
  ]);
}
const LANE_SPREAD: u64 = 0x1041041041041041;
// The finder pattern with its separator, as 9-module rows by distance from the centre row:
// rings at Chebyshev distance 0-1 and 3 dark, 2 and 4 (the separator) light.
function finderRows(): usize {
  return memory.data<u8>([0xba, 0xba, 0x82, 0xfe, 0x00]);
}
// The alignment pattern's 5 rows: dark centre, light ring, dark ring.
function alignRows(): usize {
  return memory.data<u8>([0x1f, 0x11, 0x15, 0x11, 0x1f]);
}
let side: i32 = 0;
let rowBytes: i32 = 0;

export function gridSide(): i32 {
  return side;
}

export function gridRowBytes(): i32 {
  return rowBytes;
}

/** The bits of lane l (columns 64 l .. 64 l + 63) for columns below n. */
export function laneBelow(l: i32, n: i32): u64 {
  const left = n - (l << 6);
  return left >= 64 ? <u64>-1 : left <= 0 ? 0 : (<u64>1 << <u64>left) - 1;
}

/** Address of row y's first word. */
export function gridRow(y: i32): usize {
  return GRID + <usize>(y * rowBytes);
}

export function isDark(x: i32, y: i32): bool {
  return ((load<u32>(GRID + <usize>(y * rowBytes + ((x >> 5) << 2))) >>> <u32>(x & 31)) & 1) != 0;
}

/**
 * Marks n <= 32 modules of row y from column x as function modules, dark where `bits` (bit i
 * = column x + i) is set. Columns outside the symbol are dropped, so patterns can be drawn
 * clipped at the edges.
 */
function putModules(x: i32, y: i32, n: i32, bits: u32): void {
  if (x < 0) {
    bits >>>= <u32>-x;
    n += x;
    x = 0;
  }
  if (x + n > side) n = side - x;
  if (n <= 0 || <u32>y >= <u32>side) return;
  const off = <usize>(y * rowBytes + ((x >> 5) << 2));
  const shift = <u64>(x & 31);
  const mask = ((<u64>1 << <u64>n) - 1) << shift;
  store<u64>(FUNC + off, load<u64>(FUNC + off) | mask);
  store<u64>(GRID + off, (load<u64>(GRID + off) & ~mask) | ((<u64>bits << shift) & mask));
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
  rowBytes = (side + 7) >> 3;
  // Both bitmaps empty, 64 bits at a time (the spare bytes take the last store's overrun).
  for (let at = 0; at < side * rowBytes; at += 8) {
    store<u64>(GRID + <usize>at, 0);
    store<u64>(FUNC + <usize>at, 0);
  }
  // Finder patterns with their separators, cut off by the symbol's edges: 9 x 9 around each
  // centre.
  for (let dy = -4; dy <= 4; dy++) {
    const bits = <u32>load<u8>(finderRows() + <usize>(dy < 0 ? -dy : dy));
    putModules(-1, 3 + dy, 9, bits);
    putModules(side - 8, 3 + dy, 9, bits);
    putModules(-1, side - 4 + dy, 9, bits);
  }
  // Alignment patterns on the grid of centre positions, except the three whose centre falls
  // in a finder.
  const n = alignmentPositions(version, alignPositions());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const cx = <i32>load<u8>(alignPositions() + <usize>i), cy = <i32>load<u8>(alignPositions() + <usize>j);
      if (isFunction(cx, cy)) continue;
      for (let k = 0; k < 5; k++) putModules(cx - 2, cy - 2 + k, 5, <u32>load<u8>(alignRows() + <usize>k));
    }
  }
  // Timing patterns between the separators: row 6 and column 6, dark on even indexes. Where
  // they cross an alignment pattern they agree with it (its centre is on an even index). The
  // row goes 24 modules at a time (an even count, so the pattern stays in phase).
  for (let i = 8; i < side - 8; i += 24) putModules(i, 6, side - 8 - i, 0x555555);
  for (let i = 8; i < side - 8; i++) setFunctionModule(6, i, (i & 1) == 0);
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

/** `data` followed by its `n`-bit BCH remainder for generator `poly` (ISO 18004 annexes C, D). */
function withBch(data: i32, n: i32, poly: i32): i32 {
  let rem = data;
  for (let i = 0; i < n; i++) rem = (rem << 1) ^ ((rem >> (n - 1)) * poly);
  return (data << n) | rem;
}

/**
 * The 15 format bits (2-bit level, 3-bit mask, BCH(15,5) remainder, xor 0x5412) in both
 * copies, plus the always-dark module beside the lower-left finder. The parts along row 8
 * are gathered and drawn as runs.
 */
export function drawFormatBits(ecl: i32, mask: i32): void {
  const bits = withBch((eclFormatBits(ecl) << 3) | mask, 10, 0x537) ^ 0x5412;
  let left: u32 = 0; // row 8, columns 0-8
  let right: u32 = 0; // row 8, columns side - 8 .. side - 1
  for (let i = 0; i < 15; i++) {
    const bit = <u32>(bits >> i) & 1;
    if (i < 8) {
      // First copy: bits 0-7 down column 8 beside the top-left finder (rows 0-5, 7 and 8:
      // row 6 is timing); second copy: leftwards along row 8 under the top-right finder.
      if (i < 7) setFunctionModule(8, i < 6 ? i : 7, bit != 0);
      else left |= bit << 8;
      right |= bit << <u32>(7 - i);
    } else {
      // First copy: bits 8-14 leftwards along row 8 (column 7, then 5 .. 0: column 6 is
      // timing); second copy: down column 8 beside the bottom-left finder.
      left |= bit << <u32>(i == 8 ? 7 : 14 - i);
      setFunctionModule(8, side - 15 + i, bit != 0);
    }
  }
  putModules(0, 8, 6, left);
  putModules(7, 8, 2, left >> 7);
  putModules(side - 8, 8, 8, right);
  setFunctionModule(8, side - 8, true);
}

/**
 * Places the codewords bit by bit (MSB first) in the zigzag order of ISO 18004 7.7.3: pairs
 * of columns from the right, alternately upwards and downwards, skipping the vertical timing
 * column and every function module. Leftover remainder bits stay light. `data` must not
 * overlap the grid or the function map.
 *
 * A pair's two modules are adjacent bits of a row (one 64-bit read even where they straddle
 * two words), so each row of a pair is one read of the function map and at most one write;
 * the codeword bits come off the top of a 32-bit accumulator, refilled a byte at a time (with
 * zeros past the end: the remainder bits).
 */
export function drawCodewords(data: usize, len: i32): void {
  const end = data + <usize>len;
  let next = data;
  let acc: u32 = 0;
  let have: i32 = 0;
  for (let right = side - 1; right >= 1; right -= 2) {
    if (right == 6) right = 5;
    const upward = ((right + 1) & 2) == 0;
    const shift = <u64>((right - 1) & 31);
    const step = upward ? -rowBytes : rowBytes;
    let off = (upward ? (side - 1) * rowBytes : 0) + (((right - 1) >> 5) << 2);
    for (let vert = 0; vert < side; vert++, off += step) {
      // Bit 1: column `right` (placed first), bit 0: column right - 1.
      const free = <u32>(~(load<u64>(FUNC + <usize>off) >>> shift)) & 3;
      if (free == 0) continue;
      if (have < 2) {
        acc |= (next < end ? <u32>load<u8>(next) : 0) << <u32>(24 - have);
        next++;
        have += 8;
      }
      let v: u32;
      if (free == 3) {
        v = acc >>> 30;
        acc <<= 2;
        have -= 2;
      } else {
        v = (acc >>> 31) << (free >> 1);
        acc <<= 1;
        have--;
      }
      if (v != 0) store<u64>(GRID + <usize>off, load<u64>(GRID + <usize>off) | (<u64>v << shift));
    }
  }
}

/**
 * Turns the symbol masked with `from` into the symbol masked with `to` (-1: unmasked): one
 * XOR with both masks' patterns, so trying the masks in turn costs one pass each. Each row of
 * a mask is a pattern with period 6 along x, spread over a lane by one multiply; lane 1
 * starts at column 64 = 4 mod 6, so its pattern is the row's turned by 4. The function map
 * keeps the patterns off the function modules.
 */
export function changeMask(from: i32, to: i32): void {
  const cols0 = laneBelow(0, side), cols1 = laneBelow(1, side);
  let r = 0;
  for (let off = 0; off < side * rowBytes; off += rowBytes) {
    const p = <u64>(maskRow(from, r) ^ maskRow(to, r));
    const at = <usize>off;
    store<u64>(GRID + at, load<u64>(GRID + at) ^ (p * LANE_SPREAD & ~load<u64>(FUNC + at) & cols0));
    if (cols1 != 0) {
      const turned = ((p >> 4) | (p << 2)) & 63;
      store<u64>(GRID + at + 8, load<u64>(GRID + at + 8) ^ (turned * LANE_SPREAD & ~load<u64>(FUNC + at + 8) & cols1));
    }
    r = r == 11 ? 0 : r + 1;
  }
}

/** Row r (0-11) of mask m's table; 0 for no mask (-1). */
function maskRow(m: i32, r: i32): u32 {
  return m < 0 ? 0 : <u32>load<u8>(maskRows() + <usize>(m * 12 + r));
}
