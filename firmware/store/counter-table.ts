// RAM state of the 16 monotonic counters: the active block of each (where its next tick
// goes) and the value, base + ticks cleared so far. A counter's value is the maximum over
// every valid block in the log, so a stale or partly erased block can never lower it.
// One 8-byte entry per counter: value u32, block address u16 in 4-byte words (the build keeps
// a store to 256 KiB), the block's tick count and next tick u8 (at most CTR_TICKS, 64).

export const MAX_COUNTERS: i32 = 16;

const ENTRY: usize = 8;
const TABLE = memory.data(MAX_COUNTERS * <i32>ENTRY, 4);

function at(id: i32): usize {
  return TABLE + (<usize>id << 3);
}

export function counterClear(): void {
  memory.fill(TABLE, 0, <usize>MAX_COUNTERS * ENTRY);
}

export function counterValue(id: i32): u32 {
  return load<u32>(at(id));
}

/** True when the counter has a block in the log. */
export function counterHasBlock(id: i32): bool {
  return load<u8>(at(id), 6) != 0;
}

export function counterBlock(id: i32): u32 {
  return <u32>load<u16>(at(id), 4) << 2;
}

export function counterBlockTicks(id: i32): i32 {
  return <i32>load<u8>(at(id), 6);
}

export function counterNextTick(id: i32): i32 {
  return <i32>load<u8>(at(id), 7);
}

/**
 * A block seen in the log (mount scan, or just written): it becomes the active one when its
 * value is at least the current one; the newer block wins a tie because the log is read
 * oldest first and copies made by compaction carry the same value.
 */
export function counterOffer(id: i32, addr: u32, ticks: i32, value: u32, nextTick: i32): void {
  if (counterHasBlock(id) && value < counterValue(id)) return;
  const e = at(id);
  store<u32>(e, value);
  store<u16>(e, <u16>(addr >> 2), 4);
  store<u8>(e, <u8>ticks, 6);
  store<u8>(e, <u8>nextTick, 7);
}

/** One tick landed in the active block. */
export function counterTicked(id: i32): void {
  const e = at(id);
  store<u8>(e, load<u8>(e, 7) + 1, 7);
  store<u32>(e, load<u32>(e) + 1);
}

export function countersInUse(): i32 {
  let n = 0;
  for (let id = 0; id < MAX_COUNTERS; id++) if (counterValue(id) != 0) n++;
  return n;
}
