// Type 4 (ISO 7816-4 APDU) dispatcher: structural checks (too short or Lc beyond the data
// 6700, CLA other than 00 6E00), SELECT by AID through the applet table (applets.ts; an
// unknown AID is 6A82), then every other APDU to the selected applet (none selected: 6D00).
import { callApplet, currentApplet, findApplet, selectApplet } from "./applets";

const SW_WRONG_LENGTH: u32 = 0x6700;
const SW_CLA_NOT_SUPPORTED: u32 = 0x6e00;
const SW_INS_NOT_SUPPORTED: u32 = 0x6d00;
const SW_FILE_NOT_FOUND: u32 = 0x6a82;

const INS_SELECT: u8 = 0xa4;
const P1_BY_NAME: u8 = 0x04;

function status(buf: usize, sw: u32): i32 {
  store<u8>(buf, <u8>(sw >> 8));
  store<u8>(buf + 1, <u8>sw);
  return 2;
}

/** Handles the command APDU of `len` bytes at `buf`; writes the response there, returns its length. */
export function handleApdu(buf: usize, len: i32): i32 {
  if (len < 4) return status(buf, SW_WRONG_LENGTH);
  // Short APDUs only: a body byte announces Lc data bytes that must be there.
  if (len > 5 && 5 + <i32>load<u8>(buf + 4) > len) return status(buf, SW_WRONG_LENGTH);
  if (load<u8>(buf) != 0x00) return status(buf, SW_CLA_NOT_SUPPORTED);
  if (load<u8>(buf + 1) == INS_SELECT && load<u8>(buf + 2) == P1_BY_NAME && len > 5) {
    const found = findApplet(buf + 5, <i32>load<u8>(buf + 4));
    selectApplet(found);
    if (found < 0) return status(buf, SW_FILE_NOT_FOUND);
    return callApplet(found, buf, len, true);
  }
  const current = currentApplet();
  if (current >= 0) return callApplet(current, buf, len, false);
  if (load<u8>(buf + 1) == INS_SELECT) return status(buf, SW_FILE_NOT_FOUND);
  return status(buf, SW_INS_NOT_SUPPORTED);
}
