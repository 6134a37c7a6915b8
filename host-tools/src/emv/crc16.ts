// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor): the EMV MPM
// checksum of data object 63. check("123456789") = 0x29B1.
export function crc16CcittFalse(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The 4 upper-case hex digits object 63 carries. */
export function crcHex(text: string): string {
  return crc16CcittFalse(new TextEncoder().encode(text)).toString(16).toUpperCase().padStart(4, "0");
}
