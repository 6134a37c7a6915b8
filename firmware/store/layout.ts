// On-flash format of the store (docs/store.md, "Design"): page headers and log records.
// Everything is little-endian u32 words. A record is one header word, its body words and a
// CRC-32 word, written with a single program call; counter blocks add tick words after the
// CRC that are cleared one at a time. The word 0x00000000 is padding (covered garbage).
import { crc32 } from "../codec/crc/crc32";

export const PAGE_HEADER: i32 = 16; // seq, head, erases, check
export const ERASED: u32 = 0xffffffff;
export const PADDING: u32 = 0;

export const T_PUT: u32 = 1;
export const T_DEL: u32 = 2;
export const T_CTR: u32 = 3;
export const T_TX_PUT: u32 = 4;
export const T_TX_DEL: u32 = 5;
export const T_TX_CTR: u32 = 6;
export const T_COMMIT: u32 = 7;

// Top two header bits are 10: neither erased (11) nor padding (00) can pass as a header.
const HEADER_TAG: u32 = 0x80000000;
// Mixed into the page-header check so that a record image can never pass as a page header.
const PAGE_CHECK_SALT: u32 = 0x54534b31; // "TSK1"

/** Tick words in a counter block written outside a transaction / inside one. */
export const CTR_TICKS: i32 = 64;
export const CTR_TX_TICKS: i32 = 16;

export function makeHeader(type: u32, key: u32, len: u32): u32 {
  return HEADER_TAG | (type << 26) | ((len & 0x3ff) << 16) | (key & 0xffff);
}

export function headerType(w: u32): u32 {
  return (w >>> 30) == 2 ? (w >>> 26) & 15 : 0;
}

export function headerKey(w: u32): u32 {
  return w & 0xffff;
}

/** Value length (PUT), tick count (CTR) or record count (COMMIT). */
export function headerLen(w: u32): i32 {
  return <i32>((w >>> 16) & 0x3ff);
}

export function padded(len: i32): i32 {
  return (len + 3) & ~3;
}

/** Whole record in bytes, ticks included; 0 for a header that is not a record. */
export function recordSize(w: u32): i32 {
  const t = headerType(w);
  if (t == T_PUT || t == T_TX_PUT) return 8 + padded(headerLen(w));
  if (t == T_DEL || t == T_TX_DEL) return 8;
  if (t == T_CTR || t == T_TX_CTR) return 12 + 4 * headerLen(w);
  if (t == T_COMMIT) return 12;
  return 0;
}

/** Bytes the record's CRC covers (header and body, never ticks); the CRC word follows. */
export function checkedSize(w: u32): i32 {
  const t = headerType(w);
  if (t == T_CTR || t == T_TX_CTR) return 8;
  return recordSize(w) - 4;
}

export function isTx(t: u32): bool {
  return t == T_TX_PUT || t == T_TX_DEL || t == T_TX_CTR;
}

export function recordCheck(ptr: usize, checked: i32): u32 {
  return crc32(ptr, checked);
}

export function pageCheck(ptr: usize): u32 {
  return crc32(ptr, 12) ^ PAGE_CHECK_SALT;
}
