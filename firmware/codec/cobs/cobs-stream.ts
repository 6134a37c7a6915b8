// COBS (Cheshire & Baker, 1999) produced a piece at a time from a raw frame that stays in
// memory: the link's TX sends answers straight from the response cache through a small
// staging buffer instead of keeping whole encoded copies. The bytes are exactly those of
// cobsEncode (cobs.ts) followed by the 00 delimiter. The source is all there, so finding a
// block's code byte is a scan of at most 254 bytes ahead; no lookahead buffer is needed.
// One stream at a time (the UART has one).

const START: i32 = 0; // a block's code byte is next
const REST: i32 = 1; // the rest of a block the staging's end cut
const DELIMITER: i32 = 2;
const DONE: i32 = 3;

let phase: i32 = DONE;
// Next source byte to read.
let at: i32 = 0;
// Bytes of a cut block still to copy.
let runLeft: i32 = 0;
// The current block holds 254 bytes: no 00 was swallowed after it.
let blockFull = false;

/** Starts encoding a new frame. */
export function cobsStreamStart(): void {
  phase = START;
  at = 0;
  runLeft = 0;
}

/** After a block's last byte: skip the 00 its code byte stands for, or end the frame. */
function afterBlock(len: i32): void {
  if (blockFull) {
    phase = at < len ? START : DELIMITER;
  } else if (at < len) {
    // A 00 that ends the frame leaves an empty last block: code 01, as in cobsEncode.
    at++;
    phase = START;
  } else {
    phase = DELIMITER;
  }
}

/**
 * Writes up to `room` (>= 1) encoded bytes of the `len`-byte frame at `src` to `dst`;
 * `src` may move between calls (only the offset is kept). Returns the bytes written; the
 * frame is complete, delimiter included, when cobsStreamDone() says so.
 */
export function cobsStreamNext(src: usize, len: i32, dst: usize, room: i32): i32 {
  let out = 0;
  while (out < room) {
    if (phase == START) {
      // Each 00 here is an empty block, code 01 (a blank panel's rows are long runs of them).
      while (at < len && load<u8>(src + <usize>at) == 0) {
        store<u8>(dst + <usize>out, 1);
        out++;
        at++;
        if (out == room) return out;
      }
      // Copy while scanning: one pass over the bytes, unless the staging ends mid-block.
      let limit = len - at;
      if (limit > 254) limit = 254;
      let fit = room - out - 1;
      if (fit > limit) fit = limit;
      const from = src + <usize>at;
      const to = dst + <usize>(out + 1);
      let r = 0;
      while (r < fit) {
        const b = load<u8>(from + <usize>r);
        if (b == 0) break;
        store<u8>(to + <usize>r, b);
        r++;
      }
      if (r == fit && r < limit && load<u8>(from + <usize>r) != 0) {
        // Cut by the staging's end: the code byte needs the block's length, so scan on.
        let end = r;
        while (end < limit && load<u8>(from + <usize>end) != 0) end++;
        store<u8>(dst + <usize>out, <u8>(end + 1));
        runLeft = end - r;
        blockFull = end == 254;
        at += r;
        phase = REST;
        return out + 1 + r;
      }
      store<u8>(dst + <usize>out, <u8>(r + 1));
      out += 1 + r;
      at += r;
      blockFull = r == 254;
      afterBlock(len);
    } else if (phase == REST) {
      const n = runLeft < room - out ? runLeft : room - out;
      memory.copy(dst + <usize>out, src + <usize>at, <usize>n);
      out += n;
      at += n;
      runLeft -= n;
      if (runLeft == 0) afterBlock(len);
    } else if (phase == DELIMITER) {
      store<u8>(dst + <usize>out, 0);
      out++;
      phase = DONE;
    } else {
      break;
    }
  }
  return out;
}

/** True once the frame and its delimiter are all out. */
export function cobsStreamDone(): bool {
  return phase == DONE;
}
