// String literals on the device are ASCII bytes, not UTF-16: `tapkit build` lays every literal
// out as its bytes behind a 4-byte length (host-tools/src/build/memory-map.ts), packed without
// alignment, which more than halves the RAM the firmware's messages, keys and codes take.
// `s.length` still gives the number of characters; read the characters with textByte(), never
// String#charCodeAt (which would read two bytes as one UTF-16 unit; the build refuses a module
// that calls it).

/** Byte `i` of literal `s` (0 <= i < s.length). */
export function textByte(s: string, i: i32): u8 {
  return load<u8>(changetype<usize>(s) + <usize>i);
}

/** Address of literal `s`'s first byte, for copying it whole. */
export function textBytes(s: string): usize {
  return changetype<usize>(s);
}
