// Walks an NDEF message record by record without copying: recordAt() decodes the header at
// an offset and leaves the fields in module state (pointer + length pairs into the message).

export const PARSE_OK: i32 = 0;
export const PARSE_TRUNCATED: i32 = 1; // a length runs past the end of the message
export const PARSE_TOO_LONG: i32 = 2; // payload length beyond what fits in 31 bits

export let recFlags: u8 = 0;
export let recTnf: u8 = 0;
export let recTypePtr: usize = 0;
export let recTypeLen: i32 = 0;
export let recIdPtr: usize = 0;
export let recIdLen: i32 = 0;
export let recPayloadPtr: usize = 0;
export let recPayloadLen: i32 = 0;
/** Offset of the next record. */
export let recNext: i32 = 0;

/** Decodes the record at `offset` of the `len`-byte message at `msg`; PARSE_* result. */
export function recordAt(msg: usize, len: i32, offset: i32): i32 {
  let at = offset;
  if (at + 3 > len) return PARSE_TRUNCATED;
  recFlags = load<u8>(msg + <usize>at);
  recTnf = recFlags & 7;
  recTypeLen = <i32>load<u8>(msg + <usize>at + 1);
  at += 2;
  if ((recFlags & 0x10) != 0) {
    recPayloadLen = <i32>load<u8>(msg + <usize>at);
    at += 1;
  } else {
    if (at + 4 > len) return PARSE_TRUNCATED;
    const hi = <u32>load<u8>(msg + <usize>at);
    if (hi >= 0x80) return PARSE_TOO_LONG;
    recPayloadLen = <i32>((hi << 24) | (<u32>load<u8>(msg + <usize>at + 1) << 16) | (<u32>load<u8>(msg + <usize>at + 2) << 8) | <u32>load<u8>(msg + <usize>at + 3));
    at += 4;
  }
  recIdLen = 0;
  if ((recFlags & 0x08) != 0) {
    if (at + 1 > len) return PARSE_TRUNCATED;
    recIdLen = <i32>load<u8>(msg + <usize>at);
    at += 1;
  }
  if (<i64>at + <i64>recTypeLen + <i64>recIdLen + <i64>recPayloadLen > <i64>len) return PARSE_TRUNCATED;
  recTypePtr = msg + <usize>at;
  at += recTypeLen;
  recIdPtr = msg + <usize>at;
  at += recIdLen;
  recPayloadPtr = msg + <usize>at;
  at += recPayloadLen;
  recNext = at;
  return PARSE_OK;
}
