// What the host knows the store must hold: every key and counter value the device
// acknowledged, every value ever sent per key (to tell a rolled-back record from a torn one
// the device accepted), and the one operation that was in flight when power failed, which
// may land or not but only as a whole.

export type Value = Uint8Array | undefined;

/** One change an operation makes; a transaction makes several. */
export type Part = { kind: "key"; key: number; value: Value } | { kind: "counter"; id: number };

export interface InFlight {
  op: string;
  parts: Part[];
}

export function sameValue(a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}

export class StoreModel {
  readonly keys = new Map<number, Uint8Array>();
  /** Last value each counter returned or was read back at. */
  readonly counters = new Map<number, number>();
  private readonly history = new Map<number, Set<string>>();

  constructor(
    /** the workload's keys: firstKey..lastKey */
    readonly firstKey: number,
    readonly lastKey: number,
    readonly counterIds: number[],
  ) {
    for (const id of counterIds) this.counters.set(id, 0);
  }

  /** Remembers a value sent for a key, whether or not the write lands. */
  sent(key: number, value: Value): void {
    if (!value) return;
    let set = this.history.get(key);
    if (!set) this.history.set(key, (set = new Set()));
    set.add(Buffer.from(value).toString("hex"));
  }

  wasSent(key: number, value: Uint8Array): boolean {
    return this.history.get(key)?.has(Buffer.from(value).toString("hex")) ?? false;
  }

  apply(parts: Part[]): void {
    for (const p of parts) {
      if (p.kind === "counter") continue; // counters follow the values the device returns
      if (p.value) this.keys.set(p.key, p.value);
      else this.keys.delete(p.key);
    }
  }
}
