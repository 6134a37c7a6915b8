// The mask penalty of ISO 18004 7.8.3, scored on the finished symbol with its format bits,
// in Nayuki's reading (notes/qr.md 1.1): N1 = 3 for a run of 5 same-coloured modules in a row
// or column plus 1 per extra module; N2 = 3 per 2x2 block of one colour; N3 = 40 per
// 1:1:3:1:1 dark-light pattern with 4 light modules on one side (the area outside the symbol
// counts as light, and a pattern with light on both sides counts twice); N4 = 10 per 5% the
// dark share strays from 50% (k with (45-5k)% <= dark <= (55+5k)%).
//
// The grid is packed (qr-grid.ts: bit x of a row is column x), so every rule is counted 64
// modules at a time. Both directions go through one window of lanes (see WINDOW): along a
// row, "the module k to the right" is the row shifted down by k bits (k < 0: up), which
// brings in 0 = light, exactly the border the rules assume outside the symbol; down the
// columns nothing needs shifting, offset k is simply the row k below. Each rule becomes "AND
// the lanes that must be dark, AND NOT those that must be light, count the 1 bits", so
// linePenalty serves rows and columns alike.
import { gridRow, gridRowWords, gridSide, isDark } from "./qr-grid";
import { QR_MAX_SIDE } from "./qr-limits";

// Lines are held as 64-bit lanes: a row as two lanes (modules 0-63, 64-127), a column
// position as the lane of 64 columns in one row.
if (QR_MAX_SIDE > 128) ERROR("penalty.ts scores lines of at most 128 modules (version 27); add a lane");

const N2: i32 = 3;
const N3: i32 = 40;
const N4: i32 = 10;

// The window the rules look through, one lane per offset k = -4 .. 10 from the modules being
// scored: along a row, the row shifted by k; down the columns, the row k below. It is a ring
// of 16 slots so that stepping down a column loads one new row instead of moving 15.
const WINDOW = memory.data(16 * 8);
const W_FIRST: i32 = -4;
const W_LAST: i32 = 10;
let head: i32 = 0; // slot of offset 0
// The row in the window (row mode): its outer offsets are shifted in only when needed.
let rowLo: u64 = 0, rowHi: u64 = 0, rowLane: i32 = 0;

let side: i32 = 0;
let words: i32 = 0;

function slot(k: i32): usize {
  return WINDOW + <usize>(((head + k) & 15) << 3);
}

function win(k: i32): u64 {
  return load<u64>(slot(k));
}

/** Lane (0 or 1) of row y: 64 modules from x = 64 * lane; 0 (light) outside the symbol. */
function lane(y: i32, l: i32): u64 {
  if (y < 0 || y >= side) return 0;
  const left = words - 2 * l; // row words from this lane on
  const at = gridRow(y) + <usize>(l << 3);
  return left >= 2 ? load<u64>(at) : left == 1 ? <u64>load<u32>(at) : 0;
}

/**
 * Lane l of the 128-bit line (lo, hi) seen k modules ahead (module x + k at bit x; k < 0:
 * behind). Shifting brings in 0 = light, the border the rules assume outside the symbol.
 */
function shifted(lo: u64, hi: u64, l: i32, k: i32): u64 {
  if (k == 0) return l == 0 ? lo : hi;
  if (k > 0) return l == 0 ? (lo >>> <u64>k) | (hi << <u64>(64 - k)) : hi >>> <u64>k;
  const b = <u64>-k;
  return l == 0 ? lo << b : (hi << b) | (lo >>> (64 - b));
}

/** Bits 0 .. n-1 of lane l set. */
function laneBits(l: i32, n: i32): u64 {
  const left = n - (l << 6);
  return left >= 64 ? <u64>-1 : left <= 0 ? 0 : (<u64>1 << <u64>left) - 1;
}

export function penaltyScore(): i32 {
  side = gridSide();
  words = gridRowWords();
  const lanes = side > 64 ? 2 : 1;
  const colsLo = laneBits(0, side), colsHi = laneBits(1, side);
  let result = 0;
  let dark = 0;
  // Along the rows, with N2 for the blocks whose top half is on the row.
  for (let y = 0; y < side; y++) {
    const lo = lane(y, 0), hi = lane(y, 1);
    dark += <i32>(popcnt(lo) + popcnt(hi));
    const agreeLo = ~(lo ^ lane(y + 1, 0)), agreeHi = ~(hi ^ lane(y + 1, 1));
    for (let l = 0; l < lanes; l++) {
      // Offsets -2 .. 7 serve every rule; the rest only a unit-1 finder-like core.
      for (let k = -2; k <= 7; k++) store<u64>(slot(k), shifted(lo, hi, l, k));
      rowLo = lo; rowHi = hi; rowLane = l;
      const in0 = l == 0 ? colsLo : colsHi;
      result += linePenalty(true, y, l, shifted(colsLo, colsHi, l, -1), in0, shifted(colsLo, colsHi, l, 4));
      // N2: x and x + 1 agree along this row (same colour, both inside) and with the row below.
      if (y + 1 < side) {
        const same = ~(win(0) ^ win(1)) & shifted(colsLo, colsHi, l, 1);
        result += N2 * <i32>popcnt(same & shifted(agreeLo, agreeHi, l, 0) & shifted(agreeLo, agreeHi, l, 1));
      }
    }
  }
  // Down the columns: 64 at a time, the window rolling one row per step.
  for (let l = 0; l < lanes; l++) {
    const cols = l == 0 ? colsLo : colsHi;
    head = 0;
    for (let k = W_FIRST; k < W_LAST; k++) store<u64>(slot(k), lane(k, l));
    for (let y = 0; y < side; y++) {
      // Offset 0 is row y: the ring turns one slot and row y + 10 comes in.
      head = y;
      store<u64>(slot(W_LAST), lane(y + W_LAST, l));
      result += linePenalty(false, y, l, y > 0 ? cols : 0, cols, y + 4 < side ? cols : 0);
    }
  }
  const total = side * side;
  const diff = dark * 20 - total * 10;
  const k = ((diff < 0 ? -diff : diff) + total - 1) / total - 1;
  return result + k * N4;
}

/**
 * N1 and N3 for the modules of the window's lane (offset 0), as rows (`alongRow`, line = y)
 * or columns (pos = y); inM1, in0, in4 mark which of them have offsets -1, 0, 4 inside.
 */
function linePenalty(alongRow: bool, pos: i32, l: i32, inM1: u64, in0: u64, in4: u64): i32 {
  const w0 = win(0), w1 = win(1), w2 = win(2), w3 = win(3), w4 = win(4), w5 = win(5), wm1 = win(-1);
  // N1: five of one colour from here: all dark, or all light and inside. A run of n >= 5
  // holds n - 4 such windows, and its first one (the module behind differs or is outside)
  // adds the other 2 of 3 + (n - 5).
  const five = (w0 & w1 & w2 & w3 & w4) | (~(w0 | w1 | w2 | w3 | w4) & in0 & in4);
  let result = <i32>(popcnt(five) + 2 * popcnt(five & ((wm1 ^ w0) | ~inM1)));
  // N3, unit 1: dark, light, dark x3, light, dark from here, light just outside (-1 and +7);
  // then 4 light before it or 4 light after it, each side counted on its own.
  const core = w0 & ~w1 & w2 & w3 & w4 & ~w5 & win(6);
  if (core != 0) {
    if (alongRow) {
      for (let k = W_FIRST; k < -2; k++) store<u64>(slot(k), shifted(rowLo, rowHi, rowLane, k));
      for (let k = 8; k <= W_LAST; k++) store<u64>(slot(k), shifted(rowLo, rowHi, rowLane, k));
    }
    const framed = core & ~wm1 & ~win(7);
    const clearBefore = ~(wm1 | win(-2) | win(-3) | win(-4));
    const clearAfter = ~(win(7) | win(8) | win(9) | win(10));
    result += N3 * <i32>(popcnt(framed & clearBefore) + popcnt(framed & clearAfter));
  }
  // N3, larger units n >= 2: the middle run is 3n >= 6 dark modules after at least 2 light
  // ones, rare enough to check one by one from the start of each such run.
  let runs = w0 & w1 & w2 & w3 & w4 & w5 & ~wm1 & ~win(-2);
  while (runs != 0) {
    const x = (l << 6) + <i32>ctz(runs);
    result += N3 * (alongRow ? scaledFinderLike(true, pos, x) : scaledFinderLike(false, x, pos));
    runs &= runs - 1;
  }
  return result;
}

/** Module `pos` of a row (`alongRow`, line = y) or column (line = x); outside = light. */
function lineDark(alongRow: bool, line: i32, pos: i32): bool {
  if (pos < 0 || pos >= side) return false;
  return alongRow ? isDark(pos, line) : isDark(line, pos);
}

function allOf(alongRow: bool, line: i32, from: i32, to: i32, dark: bool): bool {
  for (let p = from; p < to; p++) if (lineDark(alongRow, line, p) != dark) return false;
  return true;
}

/**
 * Finder-like patterns of unit n >= 2 around the dark run starting at `start`: 0, 1 or 2.
 * The run must be exactly 3n long, with n light, n dark, and n light (at least) on each side,
 * and 4n light on one side for each count.
 */
function scaledFinderLike(alongRow: bool, line: i32, start: i32): i32 {
  let end = start + 6; // the caller saw six dark modules
  while (lineDark(alongRow, line, end)) end++;
  const len = end - start;
  if (len % 3 != 0) return 0;
  const n = len / 3;
  // Outwards on both sides: n light, n dark, n light modules (k = 1, 2, 3).
  for (let k = 1; k <= 3; k++) {
    if (!allOf(alongRow, line, start - k * n, start - (k - 1) * n, k == 2) || !allOf(alongRow, line, end + (k - 1) * n, end + k * n, k == 2)) return 0;
  }
  return (allOf(alongRow, line, start - 6 * n, start - 3 * n, false) ? 1 : 0) + (allOf(alongRow, line, end + 3 * n, end + 6 * n, false) ? 1 : 0);
}
