// Deterministic per-operation costs of a firmware build: Wasm instructions executed (via the
// instrumented copy, see docs/instruction-counting.md), HAL calls made, and the linear memory
// the session needed: the static data up to the exported __heap_base (every static buffer
// counts in full, written or not) plus any byte written above it. To see writes above it, even
// of zeros, the memory from __heap_base up is filled with a canary after boot and checked after
// the session; the firmware has no allocator and the engine's stack is outside linear memory,
// so a correct build writes nothing there. Runs the simulator in-process with no line pacing,
// so the numbers depend only on the module and the inputs, never on the machine.
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { SimDevice } from "../sim/device.ts";
import { FrameReceiver } from "../link/index.ts";
import { opRequestFrame, type OpArgsParam, type OpName } from "../ops/index.ts";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";
import { parseHex } from "../bytes/hex.ts";

export interface OpCost {
  op: string;
  instructions: number;
  halCalls: Record<string, number>;
}

export interface SessionCounts {
  board: string;
  bootInstructions: number;
  ops: OpCost[];
  /** The module's exported __heap_base: the end of its static data, 16-aligned. */
  heapBase: number;
  /** Bytes above __heap_base the session wrote (heap or stack in linear memory; 0 for a correct build). */
  writtenAboveHeapBase: number;
  /** Linear memory the session needed: heapBase + writtenAboveHeapBase. A device must back this much. */
  memoryHighWater: number;
  /** Linear memory the module declares (whole pages). */
  memoryBytes: number;
}

/** Fills linear memory above __heap_base; any other byte found there afterwards was written. */
const CANARY = 0xa5;

/** One scripted operation: either link bytes (a request frame) or a direct NFC exchange. */
type Step = { op: string; run: (d: SimDevice) => void; expectFrame?: boolean };

/** A request frame for `name` (channel from the op catalogue), measured under `label`. */
function request<N extends OpName>(label: string, seq: number, name: N, ...args: OpArgsParam<N>): Step {
  const wire = opRequestFrame(name, args[0] ?? {}, seq);
  return { op: label, run: (d) => d.receive(wire), expectFrame: true };
}

function script(board: Board): Step[] {
  const steps: Step[] = [
    request("hello", 1, "hello", { v: [1], max: board.link.maxFrame }),
    request("info", 2, "info"),
    request("ping 64 B", 3, "ping", { data: new Uint8Array(64).fill(0xa5) }),
    request("sink 990 B", 4, "sink", { data: new Uint8Array(990).fill(0x3c) }),
    request("app status", 5, "status"),
    request("nfc-test apdu (SELECT)", 6, "apdu", { c: parseHex("00A4040007D276000085010100") }),
    { op: "NFC SELECT (direct)", run: (d) => void d.nfcApdu(parseHex("00A4040007D276000085010100")) },
    { op: "tick", run: (d) => d.tickNow() },
  ];
  if (board.display) steps.push(request("fb chunk", 7, "fb", { off: 0 }));
  return steps;
}

export async function measureSession(board: Board, wasmPath: string): Promise<SessionCounts> {
  const wasm = instrumentForCounting(readFileSync(wasmPath));
  const device = await SimDevice.create({ board, wasm, tickMs: 0, seed: 1, now: fakeClock() });
  try {
    const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
    const bootInstructions = Number(counter.value as bigint);
    const memory = device.firmware!.memory as WebAssembly.Memory;
    const heapBase = (device.firmware!.__heap_base as WebAssembly.Global | undefined)?.value as number | undefined;
    if (heapBase === undefined) throw new Error(`bench: ${wasmPath} exports no __heap_base (built before the static-data pass?)`);
    new Uint8Array(memory.buffer).fill(CANARY, heapBase);
    const receiver = new FrameReceiver({ maxFrame: board.link.maxFrame });
    let frames = 0;
    device.on("uart", (b: Uint8Array) => (frames += receiver.push(b).length));
    const ops: OpCost[] = [];
    for (const step of script(board)) {
      const callsBefore = new Map(device.importCalls);
      const framesBefore = frames;
      counter.value = 0n;
      step.run(device);
      const instructions = Number(counter.value as bigint);
      if (step.expectFrame && frames === framesBefore) throw new Error(`bench: no answer to '${step.op}' on ${board.name}`);
      const halCalls: Record<string, number> = {};
      for (const [name, n] of device.importCalls) {
        const d = n - (callsBefore.get(name) ?? 0);
        if (d) halCalls[name] = d;
      }
      ops.push({ op: step.op, instructions, halCalls });
    }
    const mem = new Uint8Array(memory.buffer);
    let top = mem.length;
    while (top > heapBase && mem[top - 1] === CANARY) top--;
    const writtenAboveHeapBase = top - heapBase;
    return {
      board: board.name,
      bootInstructions,
      ops,
      heapBase,
      writtenAboveHeapBase,
      memoryHighWater: heapBase + writtenAboveHeapBase,
      memoryBytes: mem.length,
    };
  } finally {
    device.close();
  }
}

/** A clock that advances 1 ms per reading, so uptimes in answers are reproducible. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 1);
}
