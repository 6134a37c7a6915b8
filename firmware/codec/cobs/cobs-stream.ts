// COBS (Cheshire & Baker, 1999) produced a piece at a time from a raw frame that stays in
// memory: the link's TX sends answers straight from the response cache through a small
// staging buffer instead of keeping whole encoded copies. The bytes are exactly those of
// cobsEncode (cobs.ts) followed by the 00 delimiter. The source is all there, so finding a
// block's code byte is a scan of at most 254 bytes ahead; no lookahead buffer is needed.
// One stream at a time (the UART has one).

// Next source byte to read.
let at: i32 = 0;
// Bytes of the current block still to copy; -1 at a block's start (code byte next).
let runLeft: i32 = -1;
// The current block holds 254 bytes: no 00 was swallowed after it.
let blockFull = false;

/** Starts encoding a new frame. */
export function cobsStreamStart(): void {
  at = 0;
  runLeft = -1;
  blockFull = false;
}

/**
 * Writes up to `room` (>= 1) encoded bytes of the `len`-byte frame at `src` to `dst`;
 * `src` may move between calls (only the offset is kept). Returns the bytes written; the
 * frame is complete, delimiter included, when cobsStreamDone() says so.
 */
export function cobsStreamNext(src: usize, len: i32, dst: usize, room: i32): i32 {
  let out = 0;
  while (out < room && runLeft != -2) {
    if (runLeft < 0) {
      let r = 0;
      while (r < 254 && at + r < len && load<u8>(src + at + r) != 0) r++;
      store<u8>(dst + out, <u8>(r + 1));
      out++;
      runLeft = r;
      blockFull = r == 254;
    } else if (runLeft > 0) {
      const n = runLeft < room - out ? runLeft : room - out;
      memory.copy(dst + out, src + at, <usize>n);
      out += n;
      at += n;
      runLeft -= n;
    } else if (at < len) {
      // After a short block the scan stopped on a 00, which the code byte stands for (a 00
      // that ends the frame leaves an empty last block: code 01, as in cobsEncode).
      if (!blockFull) at++;
      runLeft = -1;
    } else {
      store<u8>(dst + out, 0);
      out++;
      runLeft = -2;
    }
  }
  return out;
}

/** True once the frame and its delimiter are all out. */
export function cobsStreamDone(): bool {
  return runLeft == -2;
}
