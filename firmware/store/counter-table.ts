// RAM state of the 16 monotonic counters: the active block of each (where its next tick
// goes) and the value, base + ticks cleared so far. A counter's value is the maximum over
// every valid block in the log, so a stale or partly erased block can never lower it.

export const MAX_COUNTERS: i32 = 16;

const ADDR = memory.data(MAX_COUNTERS * 4, 4);
const VALUE = memory.data(MAX_COUNTERS * 4, 4);
const NEXT_TICK = memory.data(MAX_COUNTERS * 4, 4);
const TICKS = memory.data(MAX_COUNTERS * 4, 4);

function at(table: usize, id: i32): usize {
  return table + (<usize>id << 2);
}

export function counterClear(): void {
  for (let id = 0; id < MAX_COUNTERS; id++) {
    store<u32>(at(VALUE, id), 0);
    store<u32>(at(TICKS, id), 0);
    store<u32>(at(NEXT_TICK, id), 0);
    store<u32>(at(ADDR, id), 0);
  }
}

export function counterValue(id: i32): u32 {
  return load<u32>(at(VALUE, id));
}

/** True when the counter has a block in the log. */
export function counterHasBlock(id: i32): bool {
  return load<u32>(at(TICKS, id)) != 0;
}

export function counterBlock(id: i32): u32 {
  return load<u32>(at(ADDR, id));
}

export function counterBlockTicks(id: i32): i32 {
  return <i32>load<u32>(at(TICKS, id));
}

export function counterNextTick(id: i32): i32 {
  return <i32>load<u32>(at(NEXT_TICK, id));
}

/**
 * A block seen in the log (mount scan, or just written): it becomes the active one when its
 * value is at least the current one; the newer block wins a tie because the log is read
 * oldest first and copies made by compaction carry the same value.
 */
export function counterOffer(id: i32, addr: u32, ticks: i32, value: u32, nextTick: i32): void {
  if (counterHasBlock(id) && value < counterValue(id)) return;
  store<u32>(at(ADDR, id), addr);
  store<u32>(at(TICKS, id), <u32>ticks);
  store<u32>(at(NEXT_TICK, id), <u32>nextTick);
  store<u32>(at(VALUE, id), value);
}

/** One tick landed in the active block. */
export function counterTicked(id: i32): void {
  store<u32>(at(NEXT_TICK, id), load<u32>(at(NEXT_TICK, id)) + 1);
  store<u32>(at(VALUE, id), load<u32>(at(VALUE, id)) + 1);
}

export function countersInUse(): i32 {
  let n = 0;
  for (let id = 0; id < MAX_COUNTERS; id++) if (counterValue(id) != 0) n++;
  return n;
}
