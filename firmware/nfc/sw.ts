// ISO 7816-4 status words the Type 4 tag answers with (docs/nfc.md has the full table and
// which condition gives which), and the one helper that appends a status word to a response.

export const SW_OK: u32 = 0x9000;
export const SW_WRONG_LENGTH: u32 = 0x6700;
export const SW_SECURITY: u32 = 0x6982; // dynamic counter exhausted in every epoch, or a key is missing
export const SW_NOT_ALLOWED: u32 = 0x6986; // no file selected; UPDATE of a read-only file
export const SW_WRONG_DATA: u32 = 0x6a80; // UPDATE wrote an NLEN larger than the file
export const SW_NOT_FOUND: u32 = 0x6a82; // unknown AID, FID or SFI; the selection stays
export const SW_WRONG_P1P2: u32 = 0x6a86; // SELECT with P1/P2 we do not implement
export const SW_OFFSET: u32 = 0x6b00; // offset at or beyond the end of the file
export const SW_INS: u32 = 0x6d00;
export const SW_CLA: u32 = 0x6e00;
export const SW_MEMORY: u32 = 0x6581; // the keystore or the store failed

/** Writes `sw` at `buf + at`; returns the response length `at + 2`. */
export function putSw(buf: usize, at: i32, sw: u32): i32 {
  store<u8>(buf + <usize>at, <u8>(sw >> 8));
  store<u8>(buf + <usize>at + 1, <u8>sw);
  return at + 2;
}
