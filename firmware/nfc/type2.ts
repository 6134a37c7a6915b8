// Type 2 tag command handler. The tag memory arrives in a later issue; until then every
// command is refused with the 4-bit NAK 00 (invalid argument), sent as one byte.

const NAK_INVALID: u8 = 0x00;

/** Handles the Type 2 command of `len` bytes at `buf`; writes the response there, returns its length. */
export function handleT2t(buf: usize, len: i32): i32 {
  store<u8>(buf, NAK_INVALID);
  return 1;
}
