// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 00 from a frame
// so 00 can delimit frames on the UART.

/** Largest encoding of `len` bytes (without the delimiter). */
export function cobsMaxEncoded(len: i32): i32 {
  return len + (len + 253) / 254 + (len == 0 ? 1 : 0);
}

/**
 * Encodes `len` bytes from `src` to `dst` (no delimiter); returns the encoded length.
 * `dst` needs cobsMaxEncoded(len) + 1 bytes: when the input ends on a full 254-byte block
 * the encoder parks a spare code byte just past the returned length (the caller's delimiter
 * overwrites it).
 */
export function cobsEncode(src: usize, len: i32, dst: usize): i32 {
  let codeAt = dst;
  let out = dst + 1;
  let code: u32 = 1;
  for (let i = 0; i < len; i++) {
    const b = load<u8>(src + i);
    if (b != 0) {
      store<u8>(out, b);
      out++;
      code++;
    }
    if (b == 0 || code == 0xff) {
      store<u8>(codeAt, <u8>code);
      code = 1;
      codeAt = out;
      // A full block at the very end needs no further code byte.
      if (b == 0 || i + 1 < len) out++;
    }
  }
  store<u8>(codeAt, <u8>code);
  return <i32>(out - dst);
}

/**
 * Decodes `len` COBS bytes in place (the output never overtakes the input); returns the
 * decoded length, or -1 when a code byte is 00 or points past the end.
 */
export function cobsDecodeInPlace(buf: usize, len: i32): i32 {
  let r = 0;
  let w = 0;
  while (r < len) {
    const code = <i32>load<u8>(buf + r);
    r++;
    if (code == 0 || r + code - 1 > len) return -1;
    for (let k = 1; k < code; k++) {
      store<u8>(buf + w, load<u8>(buf + r));
      w++;
      r++;
    }
    if (code != 0xff && r < len) {
      store<u8>(buf + w, 0);
      w++;
    }
  }
  return w;
}
