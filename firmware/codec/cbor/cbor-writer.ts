// CBOR encoder for link bodies, core deterministic encoding (RFC 8949 §4.2.1): shortest
// heads, definite lengths. Map key order is the caller's job: write keys shortest first,
// then bytewise (e.g. "v", "fw", "abi", "max", "board").
// Writes into a caller's buffer; running out of room sets a sticky overflow flag instead of
// writing past the end, so a handler can encode freely and the receiver answers too-large.
import { textBytes } from "../../lib/text";

let pos: usize = 0;
let end: usize = 0;
let overflow = false;

export function encoderStart(ptr: usize, cap: i32): void {
  pos = ptr;
  end = ptr + (cap > 0 ? <usize>cap : 0);
  overflow = false;
}

export function encoderPos(): usize {
  return pos;
}

export function encoderEnd(): usize {
  return end;
}

export function encoderOverflow(): bool {
  return overflow;
}

/** Puts back a state captured with encoderPos/End/Overflow (log events nest inside requests). */
export function encoderRestore(savedPos: usize, savedEnd: usize, savedOverflow: bool): void {
  pos = savedPos;
  end = savedEnd;
  overflow = savedOverflow;
}

/** Reserves `n` bytes; returns their address, or 0 (and sets overflow) when they don't fit. */
export function encoderReserve(n: i32): usize {
  if (overflow || n < 0 || <usize>n > end - pos) {
    overflow = true;
    return 0;
  }
  const at = pos;
  pos += <usize>n;
  return at;
}

function head(major: u32, v: u64): void {
  const m = major << 5;
  if (v < 24) {
    const at = encoderReserve(1);
    if (at) store<u8>(at, <u8>(m | <u32>v));
  } else if (v <= 0xff) {
    const at = encoderReserve(2);
    if (at) {
      store<u8>(at, <u8>(m | 24));
      store<u8>(at + 1, <u8>v);
    }
  } else if (v <= 0xffff) {
    const at = encoderReserve(3);
    if (at) {
      store<u8>(at, <u8>(m | 25));
      store<u8>(at + 1, <u8>(v >> 8));
      store<u8>(at + 2, <u8>v);
    }
  } else if (v <= 0xffffffff) {
    const at = encoderReserve(5);
    if (at) {
      store<u8>(at, <u8>(m | 26));
      for (let i = 0; i < 4; i++) store<u8>(at + 1 + i, <u8>(v >> (<u64>(24 - 8 * i))));
    }
  } else {
    const at = encoderReserve(9);
    if (at) {
      store<u8>(at, <u8>(m | 27));
      for (let i = 0; i < 8; i++) store<u8>(at + 1 + i, <u8>(v >> (<u64>(56 - 8 * i))));
    }
  }
}

export function encodeUint(v: u64): void {
  head(0, v);
}

/** Any i32; negative values (e.g. COSE alg ids) as major type 1. */
export function encodeInt(v: i32): void {
  if (v >= 0) head(0, <u64>v);
  else head(1, <u64>(-1 - v));
}

export function encodeMap(pairs: i32): void {
  head(5, <u64>pairs);
}

export function encodeArray(items: i32): void {
  head(4, <u64>items);
}

export function encodeBool(v: bool): void {
  head(7, v ? 21 : 20);
}

export function encodeNull(): void {
  head(7, 22);
}

export function encodeBytes(ptr: usize, len: i32): void {
  head(2, <u64>len);
  const at = encoderReserve(len);
  if (at) memory.copy(at, ptr, <usize>len);
}

/** A text string whose UTF-8 bytes are at ptr. */
export function encodeTextBytes(ptr: usize, len: i32): void {
  head(3, <u64>len);
  const at = encoderReserve(len);
  if (at) memory.copy(at, ptr, <usize>len);
}

/** Starts a byte string of `len` bytes the caller writes in place: their address, or 0 on overflow. */
export function reserveBytes(len: i32): usize {
  head(2, <u64>len);
  return encoderReserve(len);
}

/** The head of a text string whose `len` bytes the caller appends with encoderReserve. */
export function encodeTextHead(len: i32): void {
  head(3, <u64>len);
}

/** A literal (keys, codes, messages; ASCII bytes on the device, lib/text.ts) as text, cut to its first `limit` bytes. */
export function encodeText(s: string, limit: i32 = 0x7fffffff): void {
  const len = s.length < limit ? s.length : limit > 0 ? limit : 0;
  head(3, <u64>len);
  const at = encoderReserve(len);
  if (at) memory.copy(at, textBytes(s), len);
}
