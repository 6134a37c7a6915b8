// Shared set-up for the QR tests: the real sim-plaque firmware in the simulator, reached
// through the host library's DeviceClient, plus a seeded generator of encoder inputs.
import { existsSync } from "node:fs";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { buildFirmware } from "../../host-tools/src/build/index.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { mulberry32 } from "../../host-tools/src/sim/seeded-random.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import type { EccLevel, EncodeOptions } from "../../host-tools/src/qr/device-qr.ts";

export async function plaque(
  t: { onTestFinished(fn: () => void | Promise<void>): void },
  board = "sim-plaque",
): Promise<{ device: SimDevice; client: DeviceClient }> {
  if (!existsSync(firmwarePath(board))) await buildFirmware(loadBoard(board), { quiet: true });
  const device = await SimDevice.create({ board: loadBoard(board), wasm: firmwarePath(board), tickMs: 0, seed: 1 });
  const client = await DeviceClient.over(inProcessTransport(device));
  t.onTestFinished(async () => {
    await client.close();
    device.close();
  });
  return { device, client };
}

/** Seeded test inputs (mulberry32, from the one home for seeded randomness). */
export const rng = mulberry32;

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

export interface EncoderCase {
  text: Uint8Array;
  opts: EncodeOptions;
}

/**
 * A random encoder input: digits, alphanumerics, ASCII, UTF-8 or raw bytes, or a mix of runs
 * (to exercise segment switching), with random level, forced or automatic mask, boost and
 * minimum version. Lengths stay within what v15 can hold so most cases encode.
 */
export function randomCase(r: () => number): EncoderCase {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const ecl = pick(["L", "M", "Q", "H"] as const satisfies readonly EccLevel[]);
  const kind = pick(["digits", "alnum", "ascii", "utf8", "bytes", "mixed", "mixed"] as const);
  const maxLen = { L: 500, M: 400, Q: 280, H: 220 }[ecl];
  const len = Math.floor(r() ** 2 * maxLen);
  const out: number[] = [];
  const run = (k: string, n: number) => {
    for (let i = 0; i < n; i++) {
      if (k === "digits") out.push(48 + Math.floor(r() * 10));
      else if (k === "alnum") out.push(ALNUM.charCodeAt(Math.floor(r() * ALNUM.length)));
      else if (k === "ascii") out.push(32 + Math.floor(r() * 95));
      else if (k === "bytes") out.push(Math.floor(r() * 256));
      else out.push(...new TextEncoder().encode(pick(["é", "€", "最", "😀", "a"])));
    }
  };
  if (kind === "mixed") {
    while (out.length < len) run(pick(["digits", "alnum", "ascii", "digits", "alnum"]), 1 + Math.floor(r() * 20));
    out.length = len;
  } else {
    run(kind, len);
    if (kind === "utf8") out.length = Math.min(out.length, len);
  }
  const opts: EncodeOptions = { ecl };
  if (r() < 0.5) opts.mask = Math.floor(r() * 8);
  if (r() < 0.2) opts.boostEcl = true;
  if (r() < 0.1) opts.minVersion = 1 + Math.floor(r() * 15);
  return { text: Uint8Array.from(out), opts };
}
