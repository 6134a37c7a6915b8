// Builds EMV merchant-presented payloads (EMVCo MPM) from the stored profile: 00 "01" first,
// 01 "11" static / "12" dynamic, the profile's objects in ID order with the amount (54)
// between currency (53) and country (58), for dynamic codes an additional data template (62)
// with bill number (01) and reference label (05) (static codes: the profile's 62, if any),
// and last the CRC object: "6304" then
// CRC-16/CCITT-FALSE over everything before it, "6304" included, as 4 upper-case hex digits.
import { BAD_ARG, OK, fail } from "../link/status";
import { writeDecimal } from "../lib/bytes";
import { crc16CcittFalse } from "../codec/crc/crc16";
import { PRINTABLE, allIn, profileLength, profilePtr } from "./merchant-profile";
import { tlvAscii, tlvBytes, tlvClose, tlvHeader, tlvIdAt, tlvOpen, tlvRaw, tlvSizeAt, tlvWriterOverflow, tlvWriterPos, tlvWriterStart } from "../codec/tlv/emv-tlv";

export const PAYLOAD_CAP: i32 = 512;
// Laid out only where a compiled function reaches it (docs/hal-abi.md, "Per-board static data").
function refText(): usize {
  return memory.data(24);
}
let payloadLen: i32 = 0;

export function payloadPtr(): usize { return memory.data(PAYLOAD_CAP); }
export function payloadLength(): i32 { return payloadLen; }

/**
 * Transaction amount (54): 1-13 characters, digits with an optional "." and 1-2 decimals,
 * no leading zeros before other digits, not zero.
 */
export function checkAmount(ptr: usize, len: i32): i32 {
  if (len < 1 || len > 13) return fail(BAD_ARG, "amount (54): 1-13 characters");
  let dot = -1;
  let nonZero = false;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(ptr + <usize>i);
    if (c == 0x2e && dot < 0) { dot = i; continue; }
    if (c < 0x30 || c > 0x39) return fail(BAD_ARG, "amount (54): digits with an optional decimal point");
    if (c != 0x30) nonZero = true;
  }
  const intLen = dot < 0 ? len : dot;
  if (intLen == 0) return fail(BAD_ARG, "amount (54): digits required before the decimal point");
  if (dot >= 0 && (len - dot - 1 < 1 || len - dot - 1 > 2)) return fail(BAD_ARG, "amount (54): 1 or 2 decimals after the point");
  if (intLen > 1 && load<u8>(ptr) == 0x30) return fail(BAD_ARG, "amount (54): no leading zeros");
  if (!nonZero) return fail(BAD_ARG, "amount (54): must be greater than zero");
  return OK;
}

export function checkBill(ptr: usize, len: i32): i32 {
  if (len < 1 || len > 25 || !allIn(ptr, len, PRINTABLE)) return fail(BAD_ARG, "bill (62/01): 1-25 printable ASCII characters");
  return OK;
}

/** Copies the profile's objects from offset `at` while their ID is below `below`; the offset after. */
function copyProfileBelow(at: i32, below: i32): i32 {
  const profile = profilePtr();
  const plen = profileLength();
  while (at < plen && tlvIdAt(profile, at) < below) {
    const size = tlvSizeAt(profile, at);
    tlvRaw(profile + <usize>at, size);
    at += size;
  }
  return at;
}

/**
 * Builds the payload into the static buffer: static when amountLen is 0, else dynamic. ref
 * (> 0) becomes reference label "TK<ref>". Returns OK or a failure; payloadLength() after.
 */
export function buildPayload(amount: usize, amountLen: i32, bill: usize, billLen: i32, ref: i64): i32 {
  if (profileLength() <= 0) return fail(BAD_ARG, "merchant profile: none set (tapkit merchant set)");
  if (amountLen > 0) {
    const a = checkAmount(amount, amountLen);
    if (a != OK) return a;
  }
  if (billLen > 0) {
    const b = checkBill(bill, billLen);
    if (b != OK) return b;
  }
  const dynamic = amountLen > 0;
  tlvWriterStart(payloadPtr(), PAYLOAD_CAP);
  tlvAscii(0, "01");
  tlvAscii(1, dynamic ? "12" : "11");
  // Profile objects below 54 (accounts, MCC, currency), then the amount, then the rest.
  const at = copyProfileBelow(0, 54);
  if (dynamic) tlvBytes(54, amount, amountLen);
  const at62 = copyProfileBelow(at, 62);
  // A static code carries the profile's own 62 (its reference label, e.g. Pix's "***").
  if (billLen == 0 && ref <= 0) copyProfileBelow(at62, 63);
  else {
    const t = tlvOpen(62);
    if (billLen > 0) tlvBytes(1, bill, billLen);
    if (ref > 0) {
      const text = refText();
      store<u8>(text, 0x54); // "TK"
      store<u8>(text + 1, 0x4b);
      const n = writeDecimal(text + 2, <u32>ref);
      tlvBytes(5, text, 2 + n);
    }
    tlvClose(t);
  }
  tlvHeader(63, 4);
  const covered = <i32>(tlvWriterPos() - payloadPtr());
  if (tlvWriterOverflow() || covered + 4 > PAYLOAD_CAP) return fail(BAD_ARG, "payload: longer than 512 characters");
  const crc = crc16CcittFalse(payloadPtr(), covered);
  for (let i = 0; i < 4; i++) {
    const nib = (crc >> (12 - 4 * i)) & 15;
    store<u8>(payloadPtr() + <usize>(covered + i), <u8>(nib < 10 ? 0x30 + nib : 0x41 + nib - 10));
  }
  payloadLen = covered + 4;
  return OK;
}
