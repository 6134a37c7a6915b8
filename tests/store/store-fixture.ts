// Test support for the store tests: the built firmware on a blank simulated board (no demo
// keys, no ticks, reproducible torn bits), reached through the store.* link ops, plus a
// raw view of flash region 0 for format checks and temp state directories.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import type { Board } from "../../host-tools/src/boards/board.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { StoreLink } from "../../host-tools/src/torture/store-link.ts";

export const BOARD: Board = loadBoard("sim-card");

export interface StoreFixture {
  device: SimDevice;
  link: StoreLink;
}

export async function openStore(opts: { stateDir?: string; seed?: number; board?: Board } = {}): Promise<StoreFixture> {
  const board = opts.board ?? BOARD;
  let t = 0;
  const device = await SimDevice.create({
    board,
    wasm: firmwarePath(board.name),
    tickMs: 0,
    seed: opts.seed ?? 1,
    blank: true,
    stateDir: opts.stateDir,
    now: () => (t += 1),
  });
  return { device, link: new StoreLink(device) };
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "tapkit-store-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 1) & 0xff);
}

export function get(link: StoreLink, k: number): Uint8Array | null {
  return (link.must("store.get", { k }).v as Uint8Array | null) ?? null;
}

export function counter(link: StoreLink, id: number): number {
  return link.must("store.ctr", { id, read: true }).v as number;
}

export function rebootByPowerCycle(device: SimDevice): void {
  device.power("off");
  device.power("on");
}
