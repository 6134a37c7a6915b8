// RAM index of live keys: key -> flash address and length of its newest record. Rebuilt by
// the mount scan; unsorted (a linear search over a few hundred entries costs less than
// keeping it sorted on every write). Sized from the board (STORE_KEYS, firmware/board.ts);
// an entry is three u16s, 6 B: the key, the record's address in 4-byte words (records are
// word-aligned and the build keeps a store to 256 KiB, host-tools/src/boards/store-geometry.ts)
// and the value length (at most 512).
import { STORE_KEYS } from "../board";

export const MAX_KEYS: i32 = STORE_KEYS;

const ENTRY: usize = 6;
const TABLE = memory.data(MAX_KEYS * <i32>ENTRY, 2);
let count = 0;

function entry(i: i32): usize {
  return TABLE + <usize>i * ENTRY;
}

export function keyCount(): i32 {
  return count;
}

export function keyClear(): void {
  count = 0;
}

export function keyFind(key: u32): i32 {
  const end = entry(count);
  for (let p = TABLE; p < end; p += ENTRY) {
    if (<u32>load<u16>(p) == key) return <i32>((p - TABLE) / ENTRY);
  }
  return -1;
}

export function keyAt(i: i32): u32 {
  return <u32>load<u16>(entry(i));
}

export function keyAddr(i: i32): u32 {
  return <u32>load<u16>(entry(i), 2) << 2;
}

export function keyLen(i: i32): i32 {
  return <i32>load<u16>(entry(i), 4);
}

/** Points `key` at a record; false when the table is full (the caller checked capacity). */
export function keySet(key: u32, addr: u32, len: i32): bool {
  let i = keyFind(key);
  if (i < 0) {
    if (count >= MAX_KEYS) return false;
    i = count++;
    store<u16>(entry(i), <u16>key);
  }
  store<u16>(entry(i), <u16>(addr >> 2), 2);
  store<u16>(entry(i), <u16>len, 4);
  return true;
}

export function keyRemove(key: u32): void {
  const i = keyFind(key);
  if (i < 0) return;
  count--;
  memory.copy(entry(i), entry(count), ENTRY);
}
