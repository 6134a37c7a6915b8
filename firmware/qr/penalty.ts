// The mask penalty of ISO 18004 7.8.3, scored on the finished symbol with its format bits,
// in Nayuki's reading (notes/qr.md 1.1): N1 = 3 for a run of 5 same-coloured modules in a row
// or column plus 1 per extra module; N2 = 3 per 2x2 block of one colour; N3 = 40 per
// 1:1:3:1:1 dark-light pattern with 4 light modules on one side (the area outside the symbol
// counts as light, and a pattern with light on both sides counts twice); N4 = 10 per 5% the
// dark share strays from 50% (k with (45-5k)% <= dark <= (55+5k)%).
//
// The grid is packed (qr-grid.ts: bit x of a row is column x) and every rule is counted 64
// modules at a time, as "AND the lanes that must be dark, AND NOT those that must be light,
// count the 1 bits":
// - along the rows, "the module k to the right" is the row's lane shifted down by k bits (k <
//   0: up), which brings in 0 = light, exactly the border the rules assume outside the
//   symbol (from the row's other lane where it has two);
// - down the columns nothing needs shifting: a lane of one row holds 64 columns, and offset
//   k is the same lane of the row k below. The rows y - 4 .. y + 10 the rules look at ride in
//   locals, one new row loaded per step.
// All of it runs in registers, with no calls in the loops but for the rare cases below.
import { gridRow, gridRowBytes, gridSide, isDark, laneBelow } from "./qr-grid";
import { QR_MAX_SIDE } from "./qr-limits";

// A row is at most two 64-bit lanes.
if (QR_MAX_SIDE > 128) ERROR("penalty.ts scores lines of at most 128 modules (version 27); add a lane");

const N2: i32 = 3;
const N3: i32 = 40;
const N4: i32 = 10;

let side: i32 = 0;

export function penaltyScore(): i32 {
  side = gridSide();
  const stride = <usize>gridRowBytes();
  const cols0 = laneBelow(0, side), cols1 = laneBelow(1, side);
  // Where a run of 5 (N1) and a 2x2 block (N2) starting at that column still fit.
  const five0 = laneBelow(0, side - 4), five1 = laneBelow(1, side - 4);
  const pair0 = laneBelow(0, side - 1), pair1 = laneBelow(1, side - 1);
  let result = 0;
  let dark = 0;

  // Along the rows, with N2 for the blocks whose top half is on the row.
  let row = gridRow(0);
  let lo = load<u64>(row) & cols0, hi = cols1 != 0 ? load<u64>(row + 8) & cols1 : 0;
  for (let y = 0; y < side; y++) {
    const last = y + 1 == side;
    row += stride;
    const loBelow = last ? 0 : load<u64>(row) & cols0;
    const hiBelow = last || cols1 == 0 ? 0 : load<u64>(row + 8) & cols1;
    dark += <i32>(popcnt(lo) + popcnt(hi));
    result += rowLanePenalty(y, 0, lo, 0, hi, loBelow, hiBelow, five0, last ? 0 : pair0);
    if (cols1 != 0) result += rowLanePenalty(y, 64, hi, lo, 0, hiBelow, 0, five1, last ? 0 : pair1);
    lo = loBelow;
    hi = hiBelow;
  }

  // Down the columns, 64 at a time.
  for (let l = 0; l < 2; l++) {
    const cols = l == 0 ? cols0 : cols1;
    if (cols == 0) break;
    let at = gridRow(0) + <usize>(l << 3);
    // Rows y - 4 .. y - 1 (outside the symbol at first: light) and y .. y + 10; a symbol has
    // at least 21 rows.
    let m4: u64 = 0, m3: u64 = 0, m2: u64 = 0, m1: u64 = 0;
    const r0s = load<u64>(at) & cols;
    let r0 = r0s, r1 = load<u64>((at += stride)) & cols, r2 = load<u64>((at += stride)) & cols;
    let r3 = load<u64>((at += stride)) & cols, r4 = load<u64>((at += stride)) & cols, r5 = load<u64>((at += stride)) & cols;
    let r6 = load<u64>((at += stride)) & cols, r7 = load<u64>((at += stride)) & cols, r8 = load<u64>((at += stride)) & cols;
    let r9 = load<u64>((at += stride)) & cols, r10 = load<u64>((at += stride)) & cols;
    for (let y = 0; y < side; y++) {
      // N1: five of one colour from row y down, inside the symbol; a run of n >= 5 holds
      // n - 4 such windows, and its first one (row 0, or the row above differs) adds the
      // other 2 of 3 + (n - 5).
      if (y + 4 < side) {
        const five = ~((r0 ^ r1) | (r1 ^ r2) | (r2 ^ r3) | (r3 ^ r4)) & cols;
        result += <i32>(popcnt(five) + 2 * popcnt(five & (y == 0 ? cols : m1 ^ r0)));
      }
      // N3 (as in rowLanePenalty), with the rows above and below as the lanes behind and ahead.
      const core = r0 & ~r1 & r2 & r3 & r4 & ~r5 & r6 & ~m1 & ~r7;
      if (core != 0) result += N3 * <i32>(popcnt(core & ~(m1 | m2 | m3 | m4)) + popcnt(core & ~(r7 | r8 | r9 | r10)));
      let runs = r0 & r1 & r2 & r3 & r4 & r5 & ~m1 & ~m2 & ((~r6 & m3 & m4 & ~r7 & r8 & r9 & ~r10) | (r6 & r7 & r8 & ~m3));
      while (runs != 0) {
        result += N3 * scaledFinderLike(false, (l << 6) + <i32>ctz(runs), y);
        runs &= runs - 1;
      }
      m4 = m3; m3 = m2; m2 = m1; m1 = r0;
      r0 = r1; r1 = r2; r2 = r3; r3 = r4; r4 = r5; r5 = r6; r6 = r7; r7 = r8; r8 = r9; r9 = r10;
      r10 = y + 11 < side ? load<u64>((at += stride)) & cols : 0;
    }
  }

  const total = side * side;
  const diff = dark * 20 - total * 10;
  const k = ((diff < 0 ? -diff : diff) + total - 1) / total - 1;
  return result + k * N4;
}

/**
 * N1, N2 and N3 along row y for the 64 modules of lane `cur` (from column x0), with the row's
 * lanes before and after it (`prev`, `next`: 0 where there is none), the same two lanes of
 * the row below for N2, and where a run of five and a 2x2 block fit (`five`, `pair`).
 */
// In a row, a<k> is the lane seen k modules ahead (module x + k at bit x: (cur >>> k) | (next
// << (64 - k))) and b<k> the lane seen k modules behind.
function rowLanePenalty(y: i32, x0: i32, cur: u64, prev: u64, next: u64, below: u64, belowNext: u64, five: u64, pair: u64): i32 {
  const a1 = (cur >>> 1) | (next << 63), a2 = (cur >>> 2) | (next << 62), a3 = (cur >>> 3) | (next << 61), a4 = (cur >>> 4) | (next << 60);
  const a5 = (cur >>> 5) | (next << 59), a6 = (cur >>> 6) | (next << 58), a7 = (cur >>> 7) | (next << 57), a8 = (cur >>> 8) | (next << 56);
  const a9 = (cur >>> 9) | (next << 55), a10 = (cur >>> 10) | (next << 54);
  const b1 = (cur << 1) | (prev >>> 63), b2 = (cur << 2) | (prev >>> 62), b3 = (cur << 3) | (prev >>> 61), b4 = (cur << 4) | (prev >>> 60);
  // N1 as down the columns; column 0 always starts a run.
  const runs5 = ~((cur ^ a1) | (a1 ^ a2) | (a2 ^ a3) | (a3 ^ a4)) & five;
  let result = <i32>(popcnt(runs5) + 2 * popcnt(runs5 & (x0 == 0 ? (b1 ^ cur) | 1 : b1 ^ cur)));
  // N2: x and x + 1 agree along this row and each agrees with the row below.
  const agree = ~(cur ^ below);
  result += N2 * <i32>popcnt(agree & ((agree >>> 1) | (~(next ^ belowNext) << 63)) & ~(cur ^ a1) & pair);
  // N3, unit 1: dark, light, dark x3, light, dark from here, light just outside (-1 and +7);
  // then 4 light before it or 4 light after it, each side counted on its own.
  const core = cur & ~a1 & a2 & a3 & a4 & ~a5 & a6 & ~b1 & ~a7;
  if (core != 0) result += N3 * <i32>(popcnt(core & ~(b1 | b2 | b3 | b4)) + popcnt(core & ~(a7 | a8 | a9 | a10)));
  // N3, larger units n >= 2: the middle run is 3n >= 6 dark modules after at least 2 light
  // ones, checked one by one from the start of each such run. Only runs that can still be
  // one get there: unit 2 (a run of exactly 6 with 2 light, 2 dark on each side, as far as the
  // offsets reach) or unit 3 and up (9 or more dark after at least 3 light).
  let runs = cur & a1 & a2 & a3 & a4 & a5 & ~b1 & ~b2 & ((~a6 & b3 & b4 & ~a7 & a8 & a9 & ~a10) | (a6 & a7 & a8 & ~b3));
  while (runs != 0) {
    result += N3 * scaledFinderLike(true, y, x0 + <i32>ctz(runs));
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
