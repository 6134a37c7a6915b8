// The receiver's counters reported by `info` (docs/link-protocol.md, receiver rules).

export const C_RX: i32 = 0;
export const C_TX: i32 = 1;
export const C_OVERSIZE: i32 = 2;
export const C_COBS: i32 = 3;
export const C_SHORT: i32 = 4;
export const C_CRC: i32 = 5;
export const C_VERSION: i32 = 6;
export const C_CHANNEL: i32 = 7;
export const C_BODY: i32 = 8;
export const C_RETRY: i32 = 9;
const COUNT: i32 = 10;

const COUNTERS = memory.data(COUNT * 4, 4);

export function countUp(which: i32): void {
  const at = COUNTERS + (<usize>which << 2);
  store<u32>(at, load<u32>(at) + 1);
}

export function counter(which: i32): u32 {
  return load<u32>(COUNTERS + (<usize>which << 2));
}
