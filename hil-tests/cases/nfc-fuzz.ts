// Robustness of the tag against random and mutated commands: a seeded generator of APDUs
// (valid NDEF-app commands, then byte flips, truncations, extensions, wrong Lc/CLA/INS, and
// pure noise) and Type 2 commands, fed to any transceive. Every APDU must be answered with a
// status word from the documented table (and at most 256 data bytes); every Type 2 command
// with an ACK/NAK byte or whole pages. Used by NFC-FUZZ-001, tests/nfc and scripts/soak-nfc.mjs.

import { mulberry32 } from "../../host-tools/src/sim/seeded-random.ts";

export const DEFINED_SW = new Set([0x9000, 0x6700, 0x6982, 0x6986, 0x6a80, 0x6a82, 0x6a86, 0x6b00, 0x6d00, 0x6e00, 0x6581]);

export interface FuzzTarget {
  apdu(command: Uint8Array): Promise<Uint8Array> | Uint8Array;
  t2t?(command: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /** drop the field (ends the reader session) */
  fieldOff?(): Promise<void> | void;
}

export interface FuzzStats {
  apdus: number;
  t2t: number;
  bySw: Record<string, number>;
  /** first few offending command/response pairs, hex */
  failures: string[];
}

const CORPUS: number[][] = [
  [0x00, 0xa4, 0x04, 0x00, 0x07, 0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01, 0x00],
  [0x00, 0xa4, 0x04, 0x0c, 0x07, 0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01],
  [0x00, 0xa4, 0x04, 0x00, 0x07, 0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x00, 0x00],
  [0x00, 0xa4, 0x00, 0x0c, 0x02, 0xe1, 0x03],
  [0x00, 0xa4, 0x00, 0x0c, 0x02, 0xe1, 0x04],
  [0x00, 0xb0, 0x00, 0x00, 0x0f],
  [0x00, 0xb0, 0x00, 0x00, 0x02],
  [0x00, 0xb0, 0x00, 0x02, 0xff],
  [0x00, 0xb0, 0x03, 0xf0, 0x00],
  [0x00, 0xb0, 0x82, 0x00, 0x40],
  [0x00, 0xb0, 0x81, 0x00, 0x0f],
  [0x00, 0xd6, 0x00, 0x00, 0x02, 0x00, 0x00],
  [0x00, 0xd6, 0x00, 0x02, 0x05, 0xd1, 0x01, 0x01, 0x55, 0x00],
  [0x00, 0xd6, 0x00, 0x00, 0x02, 0x00, 0x05],
];
const T2T_CORPUS: number[][] = [[0x30, 0x00], [0x30, 0x04], [0x3a, 0x00, 0x0f], [0x3a, 0x00, 0xdd], [0xa2, 0x04, 0x03, 0x00, 0xfe, 0x00], [0x60], [0x30, 0xdd]];

function pick<T>(rand: () => number, list: T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/** One command: a corpus entry mutated 0..3 times, or (1 in 8) pure noise of 0..300 bytes. */
export function nextCommand(rand: () => number, corpus: number[][]): Uint8Array {
  if (rand() < 0.125) return Uint8Array.from({ length: Math.floor(rand() * 301) }, () => Math.floor(rand() * 256));
  const c = pick(rand, corpus).slice();
  const mutations = Math.floor(rand() * 4);
  for (let m = 0; m < mutations; m++) {
    const r = rand();
    const at = Math.floor(rand() * Math.max(1, c.length));
    if (r < 0.35 && c.length > 0) c[at] = Math.floor(rand() * 256);
    else if (r < 0.5 && c.length > 0) c[at] ^= 1 << Math.floor(rand() * 8);
    else if (r < 0.65) c.length = at;
    else if (r < 0.8) for (let k = Math.floor(rand() * 40); k > 0; k--) c.push(Math.floor(rand() * 256));
    else if (r < 0.9 && c.length > 4) c[4] = pick(rand, [0, 1, 0xff, c.length - 5, c.length - 4, c.length - 6]) & 0xff;
    else if (c.length > 3) c[Math.floor(rand() * 4)] = pick(rand, [0x00, 0xff, 0x80, 0x7f, 0xb0, 0xd6, 0xa4, 0xb1, 0xd7]);
  }
  return Uint8Array.from(c);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export async function fuzzTag(target: FuzzTarget, opts: { count: number; seed: number; t2tShare?: number }): Promise<FuzzStats> {
  const rand = mulberry32(opts.seed);
  const stats: FuzzStats = { apdus: 0, t2t: 0, bySw: {}, failures: [] };
  const fail = (what: string) => {
    if (stats.failures.length < 10) stats.failures.push(what);
  };
  for (let i = 0; i < opts.count; i++) {
    if (target.fieldOff && rand() < 0.05) await target.fieldOff();
    if (target.t2t && rand() < (opts.t2tShare ?? 0)) {
      const c = nextCommand(rand, T2T_CORPUS);
      const r = await target.t2t(c);
      stats.t2t++;
      const ackNak = r.length === 1 && (r[0] === 0x00 || r[0] === 0x0a);
      const pages = r.length >= 4 && r.length % 4 === 0 && r.length <= 256;
      if (!ackNak && !pages) fail(`t2t ${hex(c)} -> ${hex(r)}`);
      continue;
    }
    const c = nextCommand(rand, CORPUS);
    const r = await target.apdu(c);
    stats.apdus++;
    const sw = r.length >= 2 ? (r[r.length - 2] << 8) | r[r.length - 1] : -1;
    const key = sw.toString(16).padStart(4, "0");
    stats.bySw[key] = (stats.bySw[key] ?? 0) + 1;
    if (!DEFINED_SW.has(sw) || (sw !== 0x9000 && r.length !== 2) || r.length > 258) fail(`apdu ${hex(c)} -> ${hex(r)}`);
  }
  return stats;
}
