// Mask penalty (ISO 18004 7.8.3) computed here from a peer's module grid, to check the mask
// the firmware chose: N1 runs >= 5 (3 + extra), N2 2x2 blocks (3 each), N3 1:1:3:1:1 with 4
// light modules on a side (40 each; the outside counts as light; both sides count), N4 dark
// share (10 per 5% step away from 50%). Written from the standard's rules as Nayuki reads
// them (notes/qr.md 1.1), scanning explicit padded lines rather than run histories.

export function penalty(modules: Uint8Array, side: number): number {
  const at = (x: number, y: number) => modules[y * side + x];
  let score = 0;
  const lines: number[][] = [];
  for (let y = 0; y < side; y++) lines.push(Array.from({ length: side }, (_, x) => at(x, y)));
  for (let x = 0; x < side; x++) lines.push(Array.from({ length: side }, (_, y) => at(x, y)));
  for (const line of lines) {
    // N1: maximal runs of one colour.
    for (let i = 0; i < side; ) {
      let j = i;
      while (j < side && line[j] === line[i]) j++;
      if (j - i >= 5) score += 3 + (j - i - 5);
      i = j;
    }
    // N3: runs of the line padded with light on both ends (the quiet zone).
    const padded = [...new Array(side).fill(0), ...line, ...new Array(side).fill(0)];
    const runs: { dark: number; len: number }[] = [];
    for (let i = 0; i < padded.length; ) {
      let j = i;
      while (j < padded.length && padded[j] === padded[i]) j++;
      runs.push({ dark: padded[i], len: j - i });
      i = j;
    }
    for (let r = 1; r + 4 < runs.length - 1; r++) {
      // dark 1 : light 1 : dark 3 : light 1 : dark 1, with light runs around it
      if (!runs[r].dark) continue;
      const n = runs[r].len;
      if (runs[r + 1].len !== n || runs[r + 2].len !== 3 * n || runs[r + 3].len !== n || runs[r + 4].len !== n) continue;
      const before = runs[r - 1].len;
      const after = runs[r + 5].len;
      if (before >= 4 * n && after >= n) score += 40;
      if (after >= 4 * n && before >= n) score += 40;
    }
  }
  for (let y = 0; y + 1 < side; y++) {
    for (let x = 0; x + 1 < side; x++) {
      const c = at(x, y);
      if (at(x + 1, y) === c && at(x, y + 1) === c && at(x + 1, y + 1) === c) score += 3;
    }
  }
  let dark = 0;
  for (const m of modules) dark += m;
  const total = side * side;
  // smallest k with (45 - 5k)% <= dark share <= (55 + 5k)%
  let k = 0;
  while (!(dark * 100 >= (45 - 5 * k) * total && dark * 100 <= (55 + 5 * k) * total)) k++;
  return score + k * 10;
}
