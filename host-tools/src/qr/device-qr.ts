// Host side of the firmware's QR ops (app channel `qr.encode` / `qr.grid`): runs the device's
// encoder and reads its module grid back, for tests, the bench and conformance cases.
import type { DeviceClient } from "../device/client.ts";

export const ECC_LEVELS = ["L", "M", "Q", "H"] as const;
export type EccLevel = (typeof ECC_LEVELS)[number];

/** Segment mode indicators as ISO 18004 numbers them. */
export const SEGMENT_MODES = { 1: "numeric", 2: "alphanumeric", 4: "byte" } as const;
export type SegmentMode = (typeof SEGMENT_MODES)[keyof typeof SEGMENT_MODES];

export interface EncodeOptions {
  ecl?: EccLevel;
  minVersion?: number;
  maxVersion?: number;
  /** 0-7, or undefined for the automatic (lowest-penalty) choice */
  mask?: number;
  boostEcl?: boolean;
  /** force one segment of this mode instead of the optimal plan */
  mode?: SegmentMode;
}

export interface Segment {
  mode: SegmentMode;
  /** characters (bytes) of the text this segment covers */
  data: Uint8Array;
}

export interface DeviceSymbol {
  version: number;
  ecl: EccLevel;
  mask: number;
  /** bits the segments take before terminator and padding */
  dataBits: number;
  segments: Segment[];
  side: number;
  /** side*side modules, row-major, 1 = dark */
  modules: Uint8Array;
}

const MODE_NUMBERS: Record<SegmentMode, number> = { numeric: 1, alphanumeric: 2, byte: 4 };

export async function encodeOnDevice(client: DeviceClient, text: Uint8Array | string, opts: EncodeOptions = {}): Promise<DeviceSymbol> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const r = await client.ops.qr.encode({
    text: bytes,
    ecl: opts.ecl ? ECC_LEVELS.indexOf(opts.ecl) : undefined,
    min: opts.minVersion || undefined,
    max: opts.maxVersion || undefined,
    mask: opts.mask,
    boost: opts.boostEcl || undefined,
    mode: opts.mode ? MODE_NUMBERS[opts.mode] : undefined,
  });
  const plan = r.segs;
  const segments: Segment[] = [];
  for (let i = 0, at = 0; i < plan.length; i += 3) {
    const n = (plan[i + 1] << 8) | plan[i + 2];
    const mode = SEGMENT_MODES[plan[i] as 1 | 2 | 4];
    if (!mode) throw new Error(`device reported segment mode ${plan[i]}`);
    segments.push({ mode, data: bytes.subarray(at, at + n) });
    at += n;
  }
  const side = r.side;
  return {
    version: r.v,
    ecl: ECC_LEVELS[r.ecl],
    mask: r.m,
    dataBits: r.bits,
    segments,
    side,
    modules: await readGrid(client, side),
  };
}

async function readGrid(client: DeviceClient, side: number): Promise<Uint8Array> {
  const total = Math.ceil((side * side) / 8);
  const bits = new Uint8Array(total);
  for (let off = 0; off < total; ) {
    const chunk = (await client.ops.qr.grid({ off })).data;
    if (chunk.length === 0) throw new Error(`device returned an empty grid chunk at offset ${off}`);
    bits.set(chunk, off);
    off += chunk.length;
  }
  const modules = new Uint8Array(side * side);
  for (let i = 0; i < modules.length; i++) modules[i] = (bits[i >> 3] >> (7 - (i & 7))) & 1;
  return modules;
}
