// Test support for the simulator tests: compiles WAT fixtures with wabt.js, loads the
// simulated boards' JSON, and makes temp state directories that the test removes.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wabtInit from "wabt";
import type { Board } from "../../host-tools/src/boards/board.ts";
import { BOARDS_DIR } from "../../host-tools/src/paths.ts";
import { SimDevice, type SimDeviceOptions } from "../../host-tools/src/sim/device.ts";
import { HalFault } from "../../host-tools/src/sim/hal-codes.ts";

const wabtReady = wabtInit();

export async function watToWasm(source: string, name = "fixture.wat"): Promise<Uint8Array> {
  const wabt = await wabtReady;
  const module = wabt.parseWat(name, source);
  try {
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

export async function fixtureWasm(file: string): Promise<Uint8Array> {
  return watToWasm(readFileSync(join(import.meta.dirname, "fixtures", file), "utf8"), file);
}

export function loadBoardJson(name: string): Board {
  return JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), "utf8")) as Board;
}

export function tempStateDir(t: { onTestFinished(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-sim-test-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A probe device (no tick timer, instant UART) closed when the test ends. */
export async function probeDevice(t: { onTestFinished(fn: () => void): void }, options: Partial<SimDeviceOptions> = {}): Promise<SimDevice> {
  const device = await SimDevice.create({ board: loadBoardJson("sim-plaque"), wasm: await fixtureWasm("hal-probe.wat"), tickMs: 0, ...options });
  t.onTestFinished(() => device.close());
  return device;
}

/** Call a t_* wrapper export of the probe. */
export function probe(device: SimDevice, name: string, ...args: number[]): number {
  const fn = device.firmware?.[`t_${name}`] as ((...a: number[]) => number) | undefined;
  if (!fn) throw new Error(`probe export t_${name} missing (device state ${device.state})`);
  return fn(...args);
}

export function memory(device: SimDevice): Uint8Array {
  return new Uint8Array(device.firmware!.memory.buffer);
}

/** The HAL error code a simulator call refuses with (0 when it succeeds). */
export function halCode(fn: () => unknown): number {
  try {
    fn();
    return 0;
  } catch (e) {
    assert.ok(e instanceof HalFault, `expected a HalFault, got ${String(e)}`);
    return e.code;
  }
}
