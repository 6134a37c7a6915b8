// EMV MPM data objects in firmware: ID (2 digits) + length (2 digits) + value, written into
// and read from byte buffers. Firmware values are printable ASCII ("ans"), so characters are
// bytes here; non-ASCII text (template 64) is the host library's job.
import { textByte } from "../../lib/text";

let wp: usize = 0;
let wEnd: usize = 0;
let wOverflow = false;

export function tlvWriterStart(ptr: usize, cap: i32): void {
  wp = ptr;
  wEnd = ptr + <usize>cap;
  wOverflow = false;
}

export function tlvWriterPos(): usize {
  return wp;
}

export function tlvWriterOverflow(): bool {
  return wOverflow;
}

function put2(v: i32): void {
  if (wp + 2 > wEnd) { wOverflow = true; return; }
  store<u8>(wp, <u8>(0x30 + v / 10));
  store<u8>(wp + 1, <u8>(0x30 + v % 10));
  wp += 2;
}

/** Writes an object header only; the caller appends the `len` value characters. */
export function tlvHeader(id: i32, len: i32): void {
  put2(id);
  put2(len);
}

/** Appends raw bytes (an already formed object or several). */
export function tlvRaw(ptr: usize, len: i32): void {
  if (wp + <usize>len > wEnd) { wOverflow = true; return; }
  memory.copy(wp, ptr, <usize>len);
  wp += <usize>len;
}

export function tlvBytes(id: i32, ptr: usize, len: i32): void {
  if (len > 99) { wOverflow = true; return; }
  put2(id);
  put2(len);
  tlvRaw(ptr, len);
}

export function tlvAscii(id: i32, s: string): void {
  put2(id);
  put2(s.length);
  for (let i = 0; i < s.length; i++) {
    if (wp >= wEnd) { wOverflow = true; return; }
    store<u8>(wp++, textByte(s, i));
  }
}

/** Opens a template: writes ID and a placeholder length; close with tlvClose(mark). */
export function tlvOpen(id: i32): usize {
  put2(id);
  const mark = wp;
  put2(0);
  return mark;
}

export function tlvClose(mark: usize): void {
  const len = <i32>(wp - mark - 2);
  if (len > 99) { wOverflow = true; return; }
  // put2 writes at the cursor: move it back to the placeholder for the two digits.
  const end = wp;
  wp = mark;
  put2(len);
  wp = end;
}

// ---- Reading ----

let foundPtr: usize = 0;
let foundLen: i32 = 0;

export function tlvFoundPtr(): usize { return foundPtr; }
export function tlvFoundLen(): i32 { return foundLen; }

function digit(ptr: usize): i32 {
  const c = <i32>load<u8>(ptr);
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
}

/** Two decimal digits at ptr, or -1. */
export function twoDigits(ptr: usize): i32 {
  const a = digit(ptr), b = digit(ptr + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * Checks that [ptr, ptr+len) is a well-formed sequence of objects (each header complete, each
 * value inside the range); returns the object count or -1.
 */
export function tlvCount(ptr: usize, len: i32): i32 {
  let at = 0, n = 0;
  while (at < len) {
    if (len - at < 4) return -1;
    const id = twoDigits(ptr + <usize>at), l = twoDigits(ptr + <usize>(at + 2));
    if (id < 0 || l < 0 || at + 4 + l > len) return -1;
    at += 4 + l;
    n++;
  }
  return n;
}

/** Finds object `id` in a well-formed sequence; sets tlvFoundPtr/Len. */
export function tlvFind(ptr: usize, len: i32, id: i32): bool {
  let at = 0;
  while (at + 4 <= len) {
    const l = twoDigits(ptr + <usize>(at + 2));
    if (l < 0) return false;
    if (twoDigits(ptr + <usize>at) == id) {
      foundPtr = ptr + <usize>(at + 4);
      foundLen = l;
      return true;
    }
    at += 4 + l;
  }
  return false;
}

/** The ID of the object at offset `at` of a well-formed sequence and its total size. */
export function tlvIdAt(ptr: usize, at: i32): i32 {
  return twoDigits(ptr + <usize>at);
}

export function tlvSizeAt(ptr: usize, at: i32): i32 {
  return 4 + twoDigits(ptr + <usize>(at + 2));
}
