// The operations `tapkit torture store` throws at the store between power cuts. Two kinds
// of traffic share one key space:
//  - random: puts, deletes, small transactions and counter increments over 20 keys from 0x1000,
//    values of 0..512 bytes, so pages fill unevenly;
//  - wallet-shaped: cold records provisioned once at the start and never rewritten (they
//    ride the ring and must be copied by every lap of compaction), and a steady stream of
//    "payments", each one transaction of a counter reservation, the same hot keys and the
//    next key of a small log ring (the shape of firmware/wallet's SIGN). This is what
//    exposed a reserve leak after cuts inside compaction that random traffic missed.
import type { SeededRandom } from "../sim/seeded-random.ts";
import type { StoreModel, Part } from "./store-model.ts";

export const RANDOM_KEYS = 20;
// The workload keeps to keys no firmware part owns (docs/store.md: 0x1000 up is unassigned):
// in the system range a random value would be read as a lifecycle state (the store ops
// refuse key 1 anyway) or as a device identity (0x10-0x12).
export const FIRST_KEY = 0x1000;
const COLD_FIRST = FIRST_KEY + RANDOM_KEYS;
/** Cold records: sizes like the wallet's provisioning (keys, certificate, limits). */
const COLD_SIZES = [36, 28, 147, 170, 32, 1, 300, 480];
const HOT_BALANCE = COLD_FIRST + COLD_SIZES.length;
const HOT_STATE = HOT_BALANCE + 1;
const HOT_TOTALS = HOT_BALANCE + 2;
const RING_FIRST = HOT_BALANCE + 3;
const RING_KEYS = 8;
/** Keys the workload may touch: FIRST_KEY..LAST_KEY (the verifier reads all of them back). */
export const LAST_KEY = RING_FIRST + RING_KEYS - 1;
export const COUNTER_IDS = [0, 1, 2, 3];
const PAYMENT_COUNTER = 1;

export interface StoreOperation {
  op: "store.put" | "store.del" | "store.ctr" | "store.tx";
  args: Record<string, unknown>;
  parts: Part[];
}

function randomBytes(rng: SeededRandom, len: number): Uint8Array {
  const v = new Uint8Array(len);
  for (let i = 0; i < len; i++) v[i] = rng.below(256);
  return v;
}

function randomValue(rng: SeededRandom): Uint8Array {
  // Mostly small records, sometimes large ones, so pages fill unevenly.
  return randomBytes(rng, rng.below(8) === 0 ? 200 + rng.below(313) : rng.below(64));
}

/** A transaction writing `pairs` (null deletes) and reserving `counters`. */
function transaction(model: StoreModel, pairs: [number, Uint8Array | undefined][], counters: number[]): StoreOperation {
  const w: unknown[] = [];
  const parts: Part[] = [];
  for (const [k, value] of pairs) {
    model.sent(k, value);
    w.push(k, value ?? null);
    parts.push({ kind: "key", key: k, value });
  }
  for (const id of counters) parts.push({ kind: "counter", id });
  return { op: "store.tx", args: { w, c: counters }, parts };
}

/** Provisioning: the cold records, in transactions that fit STORE_MAX_TX_BYTES. */
export function provisioning(rng: SeededRandom, model: StoreModel): StoreOperation[] {
  const half = COLD_SIZES.length / 2;
  const batch = (from: number) => COLD_SIZES.slice(from, from + half).map((n, i) => [COLD_FIRST + from + i, randomBytes(rng, n)] as [number, Uint8Array]);
  return [transaction(model, batch(0), []), transaction(model, batch(half), [PAYMENT_COUNTER])];
}

/** The next operation: 40 % wallet-shaped payments, the rest random traffic. */
export function nextOperation(rng: SeededRandom, model: StoreModel, payments: number): StoreOperation {
  const roll = rng.below(100);
  if (roll < 40) {
    return transaction(
      model,
      [
        [HOT_BALANCE, randomBytes(rng, 36)],
        [HOT_STATE, randomBytes(rng, 28)],
        [RING_FIRST + (payments % RING_KEYS), randomBytes(rng, 28)],
        [HOT_TOTALS, randomBytes(rng, 4)],
      ],
      [PAYMENT_COUNTER],
    );
  }
  const key = FIRST_KEY + rng.below(RANDOM_KEYS);
  if (roll < 61) {
    const value = randomValue(rng);
    model.sent(key, value);
    return { op: "store.put", args: { k: key, v: value }, parts: [{ kind: "key", key, value }] };
  }
  if (roll < 67) return { op: "store.del", args: { k: key }, parts: [{ kind: "key", key, value: undefined }] };
  if (roll < 79) {
    const keys = new Set<number>();
    const n = 2 + rng.below(3);
    while (keys.size < n) keys.add(FIRST_KEY + rng.below(RANDOM_KEYS));
    const pairs = [...keys].map((k) => [k, rng.below(5) === 0 ? undefined : randomValue(rng).subarray(0, 100)] as [number, Uint8Array | undefined]);
    return transaction(model, pairs, rng.below(2) === 0 ? [COUNTER_IDS[rng.below(COUNTER_IDS.length)]!] : []);
  }
  const id = COUNTER_IDS[rng.below(COUNTER_IDS.length)]!;
  return { op: "store.ctr", args: { id }, parts: [{ kind: "counter", id }] };
}
