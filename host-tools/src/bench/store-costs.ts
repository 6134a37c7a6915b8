// Store costs of a firmware build (docs/store.md, "Endurance" and "Costs"): Wasm instructions
// per counter increment, record write and compaction (through the link's store.* ops, with
// the cost of a read-only store op reported as the link's share), flash operations per
// increment, and the endurance extrapolated from a measured steady-state run.
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { SimDevice } from "../sim/device.ts";
import { StoreLink } from "../torture/store-link.ts";
import type { OpArgsParam, OpName } from "../ops/index.ts";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";

export interface StoreCosts {
  board: string;
  /** instructions of `store.ctr {read}`: link decode/encode around a store call that writes nothing */
  linkBaseline: number;
  /** mean over 640 increments (ten 64-tick blocks), compactions included as they fall */
  counterIncrement: number;
  /** `store.put` of a 32-byte value into a store with room (no compaction) */
  recordWrite32: number;
  /** `store.compact` of a full page holding 8 live records among dead ones */
  compaction: number;
  /** program + erase calls per increment in the steady-state endurance run (ticks, new blocks, compaction) */
  flashOpsPerIncrement: number;
  endurance: EnduranceFigure;
}

export interface EnduranceFigure {
  pages: number;
  pageSize: number;
  eraseCycles: number;
  /** increments made after warm-up, and erases they caused, across the whole region */
  measuredIncrements: number;
  measuredErases: number;
  /** program and erase calls during the measured increments */
  flashOperations: number;
  /** pages * eraseCycles * measuredIncrements / measuredErases */
  incrementsToWearOut: number;
  /** max - min erase count over the region's pages at the end of the run */
  eraseSpread: number;
}

const WARMUP_INCREMENTS = 30_000;
const MEASURED_INCREMENTS = 200_000;

export async function measureStoreCosts(board: Board, wasmPath: string): Promise<StoreCosts> {
  const wasm = instrumentForCounting(readFileSync(wasmPath));
  const device = await SimDevice.create({ board, wasm, tickMs: 0, seed: 1, blank: true, now: stepClock() });
  try {
    const link = new StoreLink(device);
    const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
    const cost = <N extends OpName>(op: N, ...args: OpArgsParam<N>) => {
      counter.value = 0n;
      link.must(op, ...args);
      return Number(counter.value as bigint);
    };
    link.must("store.ctr", { id: 0 });
    let total = 0;
    const increments = 640;
    for (let i = 0; i < increments; i++) total += cost("store.ctr", { id: 1 });
    let baseline = 0;
    for (let i = 0; i < 10; i++) baseline += cost("store.ctr", { id: 0, read: true });
    const linkBaseline = Math.round(baseline / 10);
    const recordWrite32 = cost("store.put", { k: 0x100, v: new Uint8Array(32).fill(7) });
    // Fill the head page with dead records around 8 live keys, then compact it.
    for (let i = 0; i < 120; i++) link.must("store.put", { k: 0x200 + (i % 16), v: new Uint8Array(24).fill(i) });
    const compaction = cost("store.compact", {});
    const endurance = await measureEndurance(board, wasmPath);
    return {
      board: board.name,
      linkBaseline,
      counterIncrement: Math.round(total / increments),
      recordWrite32,
      compaction,
      flashOpsPerIncrement: endurance.flashOperations / endurance.measuredIncrements,
      endurance,
    };
  } finally {
    device.close();
  }
}

/**
 * Counter increments until wear-out, extrapolated: warm the store up until compaction runs
 * in steady state, count erases over a long run of increments on one counter, and scale
 * the rated cycles of the whole region by increments per erase.
 */
async function measureEndurance(board: Board, wasmPath: string, measured = MEASURED_INCREMENTS): Promise<EnduranceFigure> {
  const device = await SimDevice.create({ board, wasm: wasmPath, tickMs: 0, seed: 1, blank: true, now: stepClock() });
  try {
    const link = new StoreLink(device);
    const pages = board.flash.partitions[0]!.pages;
    const totalErases = () => {
      let n = 0;
      for (let p = 0; p < pages; p++) n += device.flash.eraseCount(0, p);
      return n;
    };
    // A little live data besides the counter, as a device would have.
    for (let k = 0x1000; k < 0x1008; k++) link.must("store.put", { k, v: new Uint8Array(64).fill(k & 0xff) });
    for (let i = 0; i < WARMUP_INCREMENTS; i++) link.must("store.ctr", { id: 0 });
    const before = totalErases();
    const opsBefore = device.flash.operations;
    for (let i = 0; i < measured; i++) link.must("store.ctr", { id: 0 });
    const erases = totalErases() - before;
    const flashOperations = device.flash.operations - opsBefore;
    const counts = Array.from({ length: pages }, (_, p) => device.flash.eraseCount(0, p));
    return {
      pages,
      pageSize: board.flash.pageSize,
      eraseCycles: board.flash.eraseCycles,
      measuredIncrements: measured,
      measuredErases: erases,
      flashOperations,
      incrementsToWearOut: Math.floor((pages * board.flash.eraseCycles * measured) / erases),
      eraseSpread: Math.max(...counts) - Math.min(...counts),
    };
  } finally {
    device.close();
  }
}

function stepClock(): () => number {
  let t = 0;
  return () => (t += 1);
}
