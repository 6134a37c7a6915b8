// Type 4 (ISO 7816-4 APDU) dispatcher. No applications are installed yet, so it answers
// the structural checks only: too short or Lc beyond the data 6700, CLA other than 00 6E00,
// SELECT of any AID 6A82 (not found), any other INS 6D00. The NDEF and wallet apps plug in
// here in later issues.

const SW_WRONG_LENGTH: u32 = 0x6700;
const SW_CLA_NOT_SUPPORTED: u32 = 0x6e00;
const SW_INS_NOT_SUPPORTED: u32 = 0x6d00;
const SW_FILE_NOT_FOUND: u32 = 0x6a82;

const INS_SELECT: u8 = 0xa4;

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
  if (load<u8>(buf + 1) == INS_SELECT) return status(buf, SW_FILE_NOT_FOUND);
  return status(buf, SW_INS_NOT_SUPPORTED);
}
