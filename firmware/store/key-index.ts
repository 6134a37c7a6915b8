// RAM index of live keys: key -> flash address and length of its newest record. Rebuilt by
// the mount scan; unsorted (a linear search over a few hundred entries costs less than
// keeping it sorted on every write).

export const MAX_KEYS: i32 = 320;

const KEYS = memory.data(MAX_KEYS * 2, 2);
const LENS = memory.data(MAX_KEYS * 2, 2);
const ADDRS = memory.data(MAX_KEYS * 4, 4);
let count = 0;

export function keyCount(): i32 {
  return count;
}

export function keyClear(): void {
  count = 0;
}

export function keyFind(key: u32): i32 {
  for (let i = 0; i < count; i++) {
    if (<u32>load<u16>(KEYS + (<usize>i << 1)) == key) return i;
  }
  return -1;
}

export function keyAddr(i: i32): u32 {
  return load<u32>(ADDRS + (<usize>i << 2));
}

export function keyLen(i: i32): i32 {
  return <i32>load<u16>(LENS + (<usize>i << 1));
}

export function keyAt(i: i32): u32 {
  return <u32>load<u16>(KEYS + (<usize>i << 1));
}

/** Points `key` at a record; false when the table is full (the caller checked capacity). */
export function keySet(key: u32, addr: u32, len: i32): bool {
  let i = keyFind(key);
  if (i < 0) {
    if (count >= MAX_KEYS) return false;
    i = count++;
    store<u16>(KEYS + (<usize>i << 1), <u16>key);
  }
  store<u16>(LENS + (<usize>i << 1), <u16>len);
  store<u32>(ADDRS + (<usize>i << 2), addr);
  return true;
}

export function keyRemove(key: u32): void {
  const i = keyFind(key);
  if (i < 0) return;
  count--;
  store<u16>(KEYS + (<usize>i << 1), load<u16>(KEYS + (<usize>count << 1)));
  store<u16>(LENS + (<usize>i << 1), load<u16>(LENS + (<usize>count << 1)));
  store<u32>(ADDRS + (<usize>i << 2), load<u32>(ADDRS + (<usize>count << 2)));
}
