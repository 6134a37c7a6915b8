// Type 4 (ISO 7816-4 APDU) dispatcher: structural checks (too short or Lc beyond the data
// 6700, CLA other than 00 6E00), SELECT by AID through the applet table (applets.ts), then
// every other APDU to the selected applet (none selected: 6D00, or 6A82 for a SELECT).
// An unknown AID answers 6A82 and leaves the current applet selected (ISO 7816-4; Android
// probes the v1 NDEF AID after a failed v2 SELECT and must not lose anything by it).
import { callApplet, currentApplet, findApplet, selectApplet } from "./applets";
import { SW_CLA, SW_INS, SW_NOT_FOUND, SW_WRONG_LENGTH, putSw } from "./sw";
import { noteTapAnswer } from "../log/refusal-log";

const INS_SELECT: u8 = 0xa4;
const P1_BY_NAME: u8 = 0x04;

/** Handles the command APDU of `len` bytes at `buf`; writes the response there, returns its length. */
export function handleApdu(buf: usize, len: i32): i32 {
  const ins: u32 = len >= 4 ? <u32>load<u8>(buf + 1) : 0;
  const p1: u32 = len >= 4 ? <u32>load<u8>(buf + 2) : 0;
  const r = answerApdu(buf, len);
  // Every answer but 9000 is kept for `tapkit doctor` and logged (log/refusal-log.ts).
  if (r >= 2) noteTapAnswer(ins, p1, (<u32>load<u8>(buf + <usize>(r - 2)) << 8) | <u32>load<u8>(buf + <usize>(r - 1)));
  return r;
}

function answerApdu(buf: usize, len: i32): i32 {
  if (len < 4) return putSw(buf, 0, SW_WRONG_LENGTH);
  // Short APDUs only: a body byte announces Lc data bytes that must be there.
  if (len > 5 && 5 + <i32>load<u8>(buf + 4) > len) return putSw(buf, 0, SW_WRONG_LENGTH);
  if (load<u8>(buf) != 0x00) return putSw(buf, 0, SW_CLA);
  if (load<u8>(buf + 1) == INS_SELECT && load<u8>(buf + 2) == P1_BY_NAME && len > 5) {
    const found = findApplet(buf + 5, <i32>load<u8>(buf + 4));
    if (found < 0) return putSw(buf, 0, SW_NOT_FOUND);
    selectApplet(found);
    return callApplet(found, buf, len, true);
  }
  const current = currentApplet();
  if (current >= 0) return callApplet(current, buf, len, false);
  if (load<u8>(buf + 1) == INS_SELECT) return putSw(buf, 0, SW_NOT_FOUND);
  return putSw(buf, 0, SW_INS);
}
