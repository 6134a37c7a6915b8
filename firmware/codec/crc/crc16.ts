// CRC-16/CCITT-FALSE (ISO/IEC 13239: poly 0x1021, init 0xFFFF, no reflection, no final
// xor), the checksum of EMV MPM data object 63. "123456789" gives 0x29B1.

export function crc16CcittFalse(ptr: usize, len: i32): i32 {
  let crc = 0xffff;
  for (let i = 0; i < len; i++) {
    crc ^= <i32>load<u8>(ptr + <usize>i) << 8;
    for (let b = 0; b < 8; b++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
