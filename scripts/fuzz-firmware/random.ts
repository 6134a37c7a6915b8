// Seeded randomness for the fuzzing campaign: mulberry32 (small, fast, reproducible), and the
// helpers the generators use. The same seed gives the same inputs on any machine.
import { mulberry32 } from "../../host-tools/src/sim/seeded-random.ts";

export class Rand {
  /** uniform in [0, 1) */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  byte(): number {
    return this.int(256);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** A seed for one chunk of one target on one board, derived from the campaign seed (FNV-1a). */
export function chunkSeed(seed: number, target: string, board: string, chunk: number): number {
  let h = 0x811c9dc5;
  for (const c of `${seed}/${target}/${board}/${chunk}`) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Byte-level mutations: 1..max of flip a bit, set a byte, insert, delete, truncate, extend, duplicate a slice. */
export function mutateBytes(rand: Rand, input: Uint8Array, max = 4): Uint8Array {
  const b = Array.from(input);
  const n = 1 + rand.int(max);
  for (let m = 0; m < n; m++) {
    const at = rand.int(Math.max(1, b.length));
    switch (rand.int(8)) {
      case 0:
        if (b.length) b[at] ^= 1 << rand.int(8);
        break;
      case 1:
        if (b.length) b[at] = rand.pick([0x00, 0xff, 0x7f, 0x80, 0x01, rand.byte()]);
        break;
      case 2:
        b.splice(at, 0, rand.byte());
        break;
      case 3:
        if (b.length) b.splice(at, 1 + rand.int(4));
        break;
      case 4:
        b.length = Math.min(b.length, at);
        break;
      case 5:
        for (let k = 1 + rand.int(32); k > 0; k--) b.push(rand.byte());
        break;
      case 6:
        if (b.length) b.splice(at, 0, ...b.slice(at, at + 1 + rand.int(16)));
        break;
      default:
        if (b.length > 1) {
          const j = rand.int(b.length);
          [b[at], b[j]] = [b[j], b[at]];
        }
    }
  }
  return Uint8Array.from(b);
}
