// Reads the shared test vectors in tests/vectors/*.json: one file per format that both the
// host and the firmware implement (COBS, CRC, CBOR, COSE_Sign1, NDEF lint, EMV MPM), each vector set with its
// source. Host tests feed them to the host module, firmware tests to the built firmware.
import { readFileSync } from "node:fs";
import { join } from "node:path";

function read<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, `${name}.json`), "utf8")) as T;
}

import { parseHex as fromHex } from "../../host-tools/src/bytes/hex.ts";

export { fromHex };

/** JSON value -> the value the codecs take: {"$bytes": hex} becomes a Uint8Array. */
export function reviveBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reviveBytes);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$bytes === "string" && Object.keys(o).length === 1) return fromHex(o.$bytes);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, reviveBytes(x)]));
  }
  return v;
}

interface Sourced<V> {
  source: string;
  vectors: V[];
}

export const COBS = read<Sourced<{ name: string; decoded: string; encoded: string }>>("cobs");
export const CRC = read<{ crc32: Sourced<{ text: string; crc: string }>; crc16: Sourced<{ text: string; crc: string }> }>("crc");
export const CBOR = read<{ values: Sourced<{ value: unknown; hex: string }>; rejects: Sourced<{ name: string; hex: string; deterministicOnly?: boolean }> }>(
  "cbor",
);
export const NDEF_LINT = read<Sourced<{ name: string; hex: string; errors: string[]; warnings: string[] }>>("ndef-lint");
export const EMV_MPM = read<{
  emvcoSample: { source: string; payload: string };
  handProfile: { source: string; profile: unknown; static: string; dynamic: string };
  negative: { source: string; cases: { name: string; payload: string; field: string }[] };
}>("emv-mpm");

export interface SchemeVector {
  name: string;
  profile: string;
  source: string;
  payload: string;
}
export const EMV_SCHEMES = read<{
  valid: (SchemeVector & { emvcoErrors: string[]; firmware?: boolean })[];
  schemeBreaches: (SchemeVector & { fields: string[]; warningFields?: string[] })[];
}>("emv-schemes");

interface CosePass {
  file: string;
  title: string;
  alg: number;
  pub: string;
  external: string;
  tbs: string;
  cbor: string;
}

interface CoseFail {
  file: string;
  title: string;
  alg: number;
  pub: string;
  failure: Record<string, unknown>;
  cbor: string;
}

/** COSE_Sign1 examples of the COSE Working Group (pass: verify; fail: must be refused). */
export const COSE_SIGN1 = read<{ source: string; pass: CosePass[]; fail: CoseFail[] }>("cose-sign1");
