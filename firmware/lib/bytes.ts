// Byte-range primitives over raw memory: copy, fill, compare, ASCII and decimal text, u32 LE.
// Nothing here allocates; callers pass pointers into static buffers.
import { textByte } from "./text";

export function copyBytes(dst: usize, src: usize, len: i32): void {
  // memory.copy lowers to a memmove loop because bulk-memory is disabled for MVP engines.
  if (len > 0) memory.copy(dst, src, <usize>len);
}

export function fillBytes(dst: usize, value: u8, len: i32): void {
  if (len > 0) memory.fill(dst, value, <usize>len);
}

export function bytesEqual(a: usize, b: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}

/** Writes `s` (ASCII) at `dst`; returns bytes written. */
export function writeAscii(dst: usize, s: string): i32 {
  for (let i = 0; i < s.length; i++) store<u8>(dst + i, textByte(s, i));
  return s.length;
}

/** Writes `v` in decimal at `dst`; returns digits written (1..10). */
export function writeDecimal(dst: usize, v: u32): i32 {
  let digits = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(dst + i, <u8>(0x30 + v % 10));
    v /= 10;
  }
  return digits;
}

export function readU32LE(ptr: usize): u32 {
  return <u32>load<u8>(ptr) | (<u32>load<u8>(ptr + 1) << 8) | (<u32>load<u8>(ptr + 2) << 16) | (<u32>load<u8>(ptr + 3) << 24);
}

export function writeU32LE(ptr: usize, v: u32): void {
  store<u8>(ptr, <u8>v);
  store<u8>(ptr + 1, <u8>(v >> 8));
  store<u8>(ptr + 2, <u8>(v >> 16));
  store<u8>(ptr + 3, <u8>(v >> 24));
}
