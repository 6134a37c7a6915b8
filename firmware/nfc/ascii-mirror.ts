// Writes binary values as the ASCII text mirrored into a URL: upper-case hex (NTAG 424 SDM
// mirrors are upper-case, MSB first as text) and unpadded base64url (signatures).

const HEX = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46]);

/** `len` bytes at `src` as 2*len upper-case hex characters at `dst`. */
export function writeHexUpper(dst: usize, src: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const b = <usize>load<u8>(src + <usize>i);
    store<u8>(dst + <usize>(2 * i), load<u8>(HEX + (b >> 4)));
    store<u8>(dst + <usize>(2 * i + 1), load<u8>(HEX + (b & 15)));
  }
}

/** The low `digits` hex digits of `v`, most significant first. */
export function writeHexNumber(dst: usize, v: u64, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(dst + <usize>i, load<u8>(HEX + <usize>(v & 15)));
    v >>= 4;
  }
}

function b64url(v: u32): u8 {
  if (v < 26) return <u8>(0x41 + v);
  if (v < 52) return <u8>(0x61 + v - 26);
  if (v < 62) return <u8>(0x30 + v - 52);
  return v == 62 ? 0x2d : 0x5f;
}

/** Unpadded base64url of `len` bytes; returns the characters written (ceil(4*len/3)). */
export function writeBase64Url(dst: usize, src: usize, len: i32): i32 {
  let o = 0;
  let i = 0;
  for (; i + 3 <= len; i += 3) {
    const n = (<u32>load<u8>(src + <usize>i) << 16) | (<u32>load<u8>(src + <usize>i + 1) << 8) | <u32>load<u8>(src + <usize>i + 2);
    store<u8>(dst + <usize>o, b64url(n >> 18));
    store<u8>(dst + <usize>o + 1, b64url((n >> 12) & 63));
    store<u8>(dst + <usize>o + 2, b64url((n >> 6) & 63));
    store<u8>(dst + <usize>o + 3, b64url(n & 63));
    o += 4;
  }
  const rest = len - i;
  if (rest > 0) {
    let n = <u32>load<u8>(src + <usize>i) << 16;
    if (rest == 2) n |= <u32>load<u8>(src + <usize>i + 1) << 8;
    store<u8>(dst + <usize>(o++), b64url(n >> 18));
    store<u8>(dst + <usize>(o++), b64url((n >> 12) & 63));
    if (rest == 2) store<u8>(dst + <usize>(o++), b64url((n >> 6) & 63));
  }
  return o;
}

export function base64UrlLength(len: i32): i32 {
  return (len * 4 + 2) / 3;
}
