// The mask penalty of ISO 18004 7.8.3, scored on the finished symbol with its format bits,
// in Nayuki's reading (notes/qr.md 1.1): N1 = 3 for a run of 5 same-coloured modules in a row
// or column plus 1 per extra module; N2 = 3 per 2x2 block of one colour; N3 = 40 per
// 1:1:3:1:1 dark-light pattern with 4 light modules on one side (the area outside the symbol
// counts as light, and a pattern with light on both sides counts twice); N4 = 10 per 5% the
// dark share strays from 50% (k with (45-5k)% <= dark <= (55+5k)%).
import { DARK, gridPtr, gridSide } from "./qr-grid";

const N1: i32 = 3;
const N2: i32 = 3;
const N3: i32 = 40;
const N4: i32 = 10;

// The last seven run lengths of the line being scanned, newest first.
let h0: i32 = 0, h1: i32 = 0, h2: i32 = 0, h3: i32 = 0, h4: i32 = 0, h5: i32 = 0, h6: i32 = 0;

function pushRun(len: i32, side: i32): void {
  // The first run of a line touches the light border: count the border in it.
  if (h0 == 0) len += side;
  h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = len;
}

/** Finder-like patterns ending at the newest light run: 0, 1 or 2 (one per clear side). */
function countPatterns(): i32 {
  const n = h1;
  if (n <= 0 || h2 != n || h3 != n * 3 || h4 != n || h5 != n) return 0;
  return (h0 >= n * 4 && h6 >= n ? 1 : 0) + (h6 >= n * 4 && h0 >= n ? 1 : 0);
}

/** Scores one line of `side` modules at `start` with stride `step`. */
function linePenalty(start: usize, step: usize, side: i32): i32 {
  let result = 0;
  h0 = h1 = h2 = h3 = h4 = h5 = h6 = 0;
  let runDark = false;
  let run = 0;
  let at = start;
  for (let i = 0; i < side; i++) {
    const dark = (load<u8>(at) & DARK) != 0;
    at += step;
    if (dark == runDark) {
      run++;
      if (run == 5) result += N1;
      else if (run > 5) result++;
    } else {
      pushRun(run, side);
      if (!runDark) result += countPatterns() * N3;
      runDark = dark;
      run = 1;
    }
  }
  // Close the line: a dark last run is pushed, then the light border joins the final run.
  if (runDark) {
    pushRun(run, side);
    run = 0;
  }
  pushRun(run + side, side);
  return result + countPatterns() * N3;
}

export function penaltyScore(): i32 {
  const grid = gridPtr();
  const side = gridSide();
  let result = 0;
  for (let y = 0; y < side; y++) result += linePenalty(grid + <usize>(y * side), 1, side);
  for (let x = 0; x < side; x++) result += linePenalty(grid + <usize>x, <usize>side, side);
  // 2x2 blocks and the dark count in one pass.
  let dark = 0;
  for (let y = 0; y < side; y++) {
    const row = grid + <usize>(y * side);
    let prevTop = <i32>load<u8>(row) & DARK;
    let prevBottom = y + 1 < side ? <i32>load<u8>(row + <usize>side) & DARK : -1;
    dark += prevTop;
    for (let x = 1; x < side; x++) {
      const top = <i32>load<u8>(row + <usize>x) & DARK;
      dark += top;
      if (y + 1 < side) {
        const bottom = <i32>load<u8>(row + <usize>(side + x)) & DARK;
        if (top == prevTop && top == prevBottom && top == bottom) result += N2;
        prevBottom = bottom;
      }
      prevTop = top;
    }
  }
  const total = side * side;
  const diff = dark * 20 - total * 10;
  const k = ((diff < 0 ? -diff : diff) + total - 1) / total - 1;
  return result + k * N4;
}
