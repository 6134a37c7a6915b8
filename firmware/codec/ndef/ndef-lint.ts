// What phones need from a tap message (notes §0, §2; docs/nfc.md "Lint rules"): well-formed
// records without chunks, Android's TNF rules (NdefRecord.validateTnf), an https URI record
// first (iOS background reading uses the first URI record; GoToTags: only the first record),
// URI codes within 00..23, valid Text status bytes, a size that fits our NDEF file, plus two
// warnings: no Android Application Record, and too big for NTAG 424's 256-byte file.
import { PARSE_OK, recFlags, recIdLen, recNext, recPayloadLen, recPayloadPtr, recTnf, recTypeLen, recTypePtr, recordAt } from "./ndef-parse";
import { URI_CODE_COUNT } from "./uri-prefixes";
import { aarType } from "./ndef-build";
import { textByte } from "../../lib/text";

export const LINT_EMPTY: u32 = 1 << 0;
export const LINT_MALFORMED: u32 = 1 << 1;
export const LINT_CHUNKED: u32 = 1 << 2;
export const LINT_TNF: u32 = 1 << 3;
export const LINT_FIRST_NOT_URI: u32 = 1 << 4;
export const LINT_NOT_HTTPS: u32 = 1 << 5;
export const LINT_URI_CODE: u32 = 1 << 6;
export const LINT_TOO_LARGE: u32 = 1 << 7;
export const LINT_TEXT: u32 = 1 << 8;
export const LINT_ERRORS: u32 = (1 << 9) - 1;
export const LINT_NO_AAR: u32 = 1 << 9;
export const LINT_OVER_256: u32 = 1 << 10;
export const LINT_RULES: i32 = 11;

const HTTPS = memory.data<u8>([0x68, 0x74, 0x74, 0x70, 0x73, 0x3a, 0x2f, 0x2f]); // "https://"

/** Stable names, index = bit (the host's lint uses the same names). */
export function lintName(bit: i32): string {
  switch (bit) {
    case 0: return "empty";
    case 1: return "malformed";
    case 2: return "chunked";
    case 3: return "tnf";
    case 4: return "first-not-uri";
    case 5: return "not-https";
    case 6: return "uri-code";
    case 7: return "too-large";
    case 8: return "text";
    case 9: return "no-aar";
    default: return "over-256";
  }
}

function isWellKnown(type: string): bool {
  if (recTnf != 1 || recTypeLen != type.length) return false;
  for (let i = 0; i < recTypeLen; i++) if (<i32>load<u8>(recTypePtr + <usize>i) != textByte(type, i)) return false;
  return true;
}

function uriIsHttps(): bool {
  if (recPayloadLen < 1) return false;
  const code = load<u8>(recPayloadPtr);
  if (code == 0x02 || code == 0x04) return true;
  return code == 0x00 && recPayloadLen >= 9 && memory.compare(recPayloadPtr + 1, HTTPS, 8) == 0;
}

function tnfValid(first: bool): bool {
  if (recTnf == 0) return recTypeLen == 0 && recIdLen == 0 && recPayloadLen == 0;
  if (recTnf <= 4) return recTypeLen > 0;
  if (recTnf == 6) return false; // only valid inside chunked records, which we refuse
  return recTypeLen == 0; // unknown, reserved
}

/** Lint bits for the `len`-byte message at `msg`; `cap` is the largest message the tag serves. */
export function lintMessage(msg: usize, len: i32, cap: i32): u32 {
  if (len == 0) return LINT_EMPTY;
  // A structural fault reports only the size findings with it: record-level rules mean
  // nothing when the record boundaries are wrong.
  let sizeBits: u32 = 0;
  if (len > cap) sizeBits |= LINT_TOO_LARGE;
  if (len > 254) sizeBits |= LINT_OVER_256;
  let bits = sizeBits;
  let at = 0;
  let index = 0;
  let sawAar = false;
  while (at < len) {
    if (recordAt(msg, len, at) != PARSE_OK) return sizeBits | LINT_MALFORMED;
    const mb = (recFlags & 0x80) != 0;
    const me = (recFlags & 0x40) != 0;
    if (mb != (index == 0) || (me && recNext != len) || (!me && recNext == len)) return sizeBits | LINT_MALFORMED;
    if ((recFlags & 0x20) != 0) bits |= LINT_CHUNKED;
    if (!tnfValid(index == 0)) bits |= LINT_TNF;
    if (isWellKnown("U")) {
      if (recPayloadLen < 1 || <i32>load<u8>(recPayloadPtr) >= URI_CODE_COUNT) bits |= LINT_URI_CODE;
      if (index == 0 && !uriIsHttps()) bits |= LINT_NOT_HTTPS;
    } else if (index == 0) {
      bits |= LINT_FIRST_NOT_URI;
    }
    if (isWellKnown("T")) {
      const status = recPayloadLen > 0 ? <i32>load<u8>(recPayloadPtr) : 0x40;
      const langLen = status & 0x3f;
      if ((status & 0x40) != 0 || langLen == 0 || 1 + langLen > recPayloadLen) bits |= LINT_TEXT;
    }
    if (recTnf == 4 && recTypeLen == 15 && memory.compare(recTypePtr, aarType(), 15) == 0) sawAar = true;
    at = recNext;
    index++;
    if (me) break;
  }
  if (!sawAar) bits |= LINT_NO_AAR;
  return bits;
}
