// Splitting text into numeric / alphanumeric / byte segments with the fewest bits, and
// writing the segments as the QR data bit stream (ISO 18004 7.4).
//
// Optimal segmentation is a shortest path over (character, mode) states, as in Nayuki's
// QrSegmentAdvanced: costs are kept in sixths of a bit so numeric (10 bits / 3 digits = 20
// sixths) and alphanumeric (11 bits / 2 chars = 33 sixths) characters are whole numbers;
// switching mode after a character rounds the run up to whole bits and pays the new
// segment's header (4-bit mode + character count, whose width depends on the version class,
// which is why the caller re-runs this per class: a plan optimal for v1-9 can be worse at v10).
// Characters are bytes: a UTF-8 sequence is never numeric or alphanumeric, so it lands in a
// byte segment with its bytes intact.
import { MODE_ALPHANUMERIC, MODE_BYTE, MODE_NUMERIC, charCountBits } from "./qr-tables";
import { QR_TEXT_MAX } from "./qr-limits";
import { PLAN_AT, QR_SCRATCH } from "./qr-scratch";

// Per character, 2 bits per state (state 0 alnum, 1 numeric, 2 byte; 3 = unreachable) saying
// which mode the character itself is in when the segment after it is in that state; after
// the backtrack, bits 6-7 hold the mode chosen for the character. It lives in the encoder's
// scratch (qr-scratch.ts, phase A) and is gone once the symbol is drawn: plan again to read it.
const PLAN = QR_SCRATCH + <usize>PLAN_AT;
const NONE: i32 = 3;
const INF: i32 = 0x3fffffff;
// The alphanumeric set's nine symbols after 0-9 and A-Z (values 36-44).
function alnumSymbols(): usize {
  return memory.data<u8>([0x20, 0x24, 0x25, 0x2a, 0x2b, 0x2d, 0x2e, 0x2f, 0x3a]); // " $%*+-./:"
}

/** Segmentation plans: 0 = optimal, or force one mode for the whole text. */
export const PLAN_OPTIMAL: i32 = 0;

function stateMode(s: i32): i32 {
  return s == 0 ? MODE_ALPHANUMERIC : s == 1 ? MODE_NUMERIC : MODE_BYTE;
}

/** Index in the 45-character alphanumeric set "0-9 A-Z space $ % * + - . / :", or -1. */
export function alphanumericValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  if (c < 0x20 || c > 0x3a) return -1;
  for (let k = 0; k < 9; k++) if (c == <i32>load<u8>(alnumSymbols() + <usize>k)) return 36 + k;
  return -1;
}

function fits(mode: i32, c: i32): bool {
  if (mode == MODE_NUMERIC) return c >= 0x30 && c <= 0x39;
  if (mode == MODE_ALPHANUMERIC) return alphanumericValue(c) >= 0;
  return true;
}

/** True when every character of text[0..len) can go in a segment of `mode`. */
export function textFitsMode(text: usize, len: i32, mode: i32): bool {
  if (mode != MODE_NUMERIC && mode != MODE_ALPHANUMERIC && mode != MODE_BYTE) return false;
  for (let i = 0; i < len; i++) if (!fits(mode, <i32>load<u8>(text + <usize>i))) return false;
  return true;
}

/** The mode planned for character i (after planSegments). */
export function plannedMode(i: i32): i32 {
  return stateMode(<i32>load<u8>(PLAN + <usize>i) >> 6);
}

/**
 * Plans the segments of text[0..len) for `version`'s class (forceMode = 0 for the optimal
 * plan, or one MODE_* the caller checked with textFitsMode) and returns the stream length in
 * bits, or -1 when a segment's count overflows its field.
 */
export function planSegments(text: usize, len: i32, version: i32, forceMode: i32): i32 {
  if (len > QR_TEXT_MAX) return -1;
  if (forceMode != PLAN_OPTIMAL) {
    const state = forceMode == MODE_NUMERIC ? 1 : forceMode == MODE_ALPHANUMERIC ? 0 : 2;
    for (let i = 0; i < len; i++) store<u8>(PLAN + <usize>i, <u8>(state << 6));
    return writeSegments(text, len, version, false);
  }
  const head0 = (4 + charCountBits(MODE_ALPHANUMERIC, version)) * 6;
  const head1 = (4 + charCountBits(MODE_NUMERIC, version)) * 6;
  const head2 = (4 + charCountBits(MODE_BYTE, version)) * 6;
  // Cost of the best encoding of the characters so far that ends in a segment of each mode.
  let p0 = head0, p1 = head1, p2 = head2;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(text + <usize>i);
    // Extend each state by this character in its own mode.
    let c2 = p2 + 48;
    let c0 = alphanumericValue(c) >= 0 ? p0 + 33 : INF;
    let c1 = c >= 0x30 && c <= 0x39 ? p1 + 20 : INF;
    let f0 = c0 < INF ? 0 : NONE;
    let f1 = c1 < INF ? 1 : NONE;
    let f2 = 2;
    // Or end the segment after this character (rounded up to whole bits) and open one in
    // another mode. Going through a third mode never beats switching directly, and the
    // strict < keeps the first (lowest-index) of equal plans.
    const r0 = c0 < INF ? ((c0 + 5) / 6) * 6 : INF;
    const r1 = c1 < INF ? ((c1 + 5) / 6) * 6 : INF;
    const r2 = ((c2 + 5) / 6) * 6;
    if (r1 < INF && (f0 == NONE || r1 + head0 < c0)) { c0 = r1 + head0; f0 = 1; }
    if (r2 + head0 < c0) { c0 = r2 + head0; f0 = 2; }
    if (r0 < INF && (f1 == NONE || r0 + head1 < c1)) { c1 = r0 + head1; f1 = 0; }
    if (r2 + head1 < c1) { c1 = r2 + head1; f1 = 2; }
    if (r0 < INF && r0 + head2 < c2) { c2 = r0 + head2; f2 = 0; }
    if (r1 < INF && r1 + head2 < c2) { c2 = r1 + head2; f2 = 1; }
    store<u8>(PLAN + <usize>i, <u8>(f0 | (f1 << 2) | (f2 << 4)));
    p0 = c0; p1 = c1; p2 = c2;
  }
  // Cheapest final state, then walk back: each character's entry names its own mode, which
  // is the state the previous character ended in.
  let state = 0;
  let best = p0;
  if (p1 < best) { state = 1; best = p1; }
  if (p2 < best) { state = 2; }
  for (let i = len - 1; i >= 0; i--) {
    const at = PLAN + <usize>i;
    const own = (<i32>load<u8>(at) >> (state * 2)) & 3;
    store<u8>(at, <u8>((<i32>load<u8>(at) & 0x3f) | (own << 6)));
    state = own;
  }
  return writeSegments(text, len, version, false);
}

/** Length of the run of equal planned modes starting at character `start`. */
export function runLength(start: i32, len: i32): i32 {
  const mode = plannedMode(start);
  let end = start + 1;
  while (end < len && plannedMode(end) == mode) end++;
  return end - start;
}

// ---- The bit stream (most significant bit first, into a zeroed byte buffer) ----

let outPtr: usize = 0;
let outBits: i32 = 0;
let writing = false; // false: only count the bits

/** Appends the n <= 16 low bits of value, as many at a time as the current byte takes. */
function appendBits(value: i32, n: i32): void {
  if (!writing) {
    outBits += n;
    return;
  }
  while (n > 0) {
    const room = 8 - (outBits & 7);
    const take = n < room ? n : room;
    n -= take;
    const at = outPtr + <usize>(outBits >> 3);
    store<u8>(at, <u8>(<i32>load<u8>(at) | (((value >> n) & ((1 << take) - 1)) << (room - take))));
    outBits += take;
  }
}

/**
 * Writes (or, with `write` false, only counts) the planned segments at outPtr: per segment
 * the 4-bit mode, the character count, then the characters in groups (ISO 18004 7.4.3-7.4.5):
 * three digits in 10 bits, two alphanumeric characters as 45 * first + second in 11 bits,
 * one byte in 8 bits; a shorter last group of n takes k * n + 1 bits with k = 3 (numeric)
 * or 5 (alphanumeric), and k = 7 makes a byte's 8. Returns the bits, or -1 when a count
 * overflows its field.
 */
function writeSegments(text: usize, len: i32, version: i32, write: bool): i32 {
  writing = write;
  outBits = 0;
  for (let i = 0; i < len; ) {
    const mode = plannedMode(i);
    const count = runLength(i, len);
    const ccBits = charCountBits(mode, version);
    if (count >= 1 << ccBits) return -1;
    appendBits(mode, 4);
    appendBits(count, ccBits);
    const group = mode == MODE_NUMERIC ? 3 : mode == MODE_ALPHANUMERIC ? 2 : 1;
    for (let j = 0; j < count; ) {
      const n = count - j < group ? count - j : group;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const c = <i32>load<u8>(text + <usize>(i + j + k));
        v = mode == MODE_BYTE ? c : v * (group == 3 ? 10 : 45) + alphanumericValue(c);
      }
      appendBits(v, (9 - 2 * group) * n + 1);
      j += n;
    }
    i += count;
  }
  return outBits;
}

/**
 * Writes the planned segments, the terminator and the padding into out[0 .. dataCodewords)
 * (ISO 18004 7.4.9-7.4.10): up to four 0 bits, zeros to a byte boundary, then 0xEC 0x11
 * alternately until the capacity is full.
 */
export function writeDataCodewords(text: usize, len: i32, version: i32, out: usize, dataCodewords: i32): void {
  memory.fill(out, 0, <usize>dataCodewords);
  outPtr = out;
  writeSegments(text, len, version, true);
  const capacityBits = dataCodewords * 8;
  const terminator = capacityBits - outBits < 4 ? capacityBits - outBits : 4;
  outBits += terminator;
  outBits = (outBits + 7) & ~7;
  for (let pad = 0xec; outBits < capacityBits; pad ^= 0xec ^ 0x11) {
    store<u8>(out + <usize>(outBits >> 3), <u8>pad);
    outBits += 8;
  }
}
