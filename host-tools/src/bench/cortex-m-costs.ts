// Cortex-M figures of a board with a C shell (qemu-m4), for `npm run bench` (issue 12 item 3):
// flash and RAM of the ELF, the stack high-water after a session, and Cortex-M instructions
// per operation beside the Wasm instructions of the same operation. One script of link
// requests and tag commands runs on two targets: the Node simulator with the instrumented
// module (Wasm instructions, instrument.ts) and the ELF in QEMU under -icount with the shell's
// counters on (exact Cortex-M instructions, shells/cortex-m/perf.c). Both sides count the
// firmware's own work: the Wasm side leaves the HAL (JavaScript) out, the ARM side leaves out
// the chips' answers and the UART (hal.c's checks and the shell glue are in). Run twice, the
// ARM counts are the same (tests/qemu/cortex-m-counts.test.ts).
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { qemuShell } from "../boards/index.ts";
import { parseHex } from "../bytes/hex.ts";
import { elfSections } from "../build/native-shell.ts";
import { FLAGS, FrameReceiver, type Frame } from "../link/index.ts";
import { openTransport, type Transport } from "../link/transport.ts";
import { buildTapTemplate } from "../ndef/index.ts";
import { opRequestFrame, type OpArgsParam, type OpName } from "../ops/index.ts";
import { COUNT_SHIFT, startQemuBoard } from "../qemu/qemu-board.ts";
import { readPerfCounters, type PerfCounters } from "../qemu/perf-counters.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";

export interface CortexOpCost {
  op: string;
  wasm: number;
  arm: number;
  /** ARM instructions per Wasm instruction */
  ratio: number;
}

export interface CortexMCosts {
  board: string;
  /** text + rodata (+ unwind index) + initial values of data */
  flash: number;
  sections: ReturnType<typeof elfSections>;
  /** bytes of native stack touched (painted words overwritten) after the script */
  stackHighWater: number;
  /** data + bss + linear memory backed + measured stack high-water + noinit: RAM the image needs */
  ramUsed: number;
  /** the -icount shift and the counter's own instructions taken off each segment */
  shift: number;
  counterOverhead: number;
  ops: CortexOpCost[];
  /** operations the issue names that this board cannot run, and why */
  notMeasured: string[];
}

/** 2026-01-01T00:00:00Z: trusted time for both targets */
const UNIX_TIME = 1_767_225_600;
const SELECT_APP = "00A4040007D276000085010100";
const TAP: string[] = [SELECT_APP, "00A4000C02E103", "00B000000F", "00A4000C02E104", "00B0000002"];
const SUN_URL = "https://pay.example.com/t?p={picc}&c={mac}";
/** the v10-M input of qr-costs.ts, so the Wasm figure matches the bench's QR line */
const V10M_TEXT = "HTTPS://EXAMPLE.COM/PAY/".padEnd(150, "0123456789ABCDEFGHIJ");

/** What the script needs of a target: link requests, tag commands, and a cumulative count. */
interface Target {
  request<N extends OpName>(name: N, ...args: OpArgsParam<N>): Promise<Frame>;
  field(on: boolean): Promise<void>;
  apdu(command: Uint8Array): Promise<Uint8Array>;
  /** firmware instructions so far (all counted exports except tk_tick) */
  count(): Promise<number>;
}

/** Link requests over a transport, one at a time, with fixed sequence numbers and arguments. */
function requester(transport: Transport, maxFrame: number) {
  const receiver = new FrameReceiver({ maxFrame });
  const frames: Frame[] = [];
  let wake: (() => void) | null = null;
  transport.onData((b) => {
    frames.push(...receiver.push(b));
    wake?.();
  });
  let seq = 0;
  return async <N extends OpName>(name: N, ...args: OpArgsParam<N>): Promise<Frame> => {
    seq = (seq + 1) & 0xff;
    frames.length = 0;
    await transport.write(opRequestFrame(name, args[0] ?? {}, seq));
    const until = Date.now() + 30_000;
    for (;;) {
      const answer = frames.find((f) => f.seq === seq && f.flags & FLAGS.RESP);
      if (answer) {
        if (answer.flags & FLAGS.ERR) throw new Error(`bench: ${name} was refused: ${JSON.stringify(answer.body)}`);
        return answer;
      }
      if (Date.now() > until) throw new Error(`bench: no answer to ${name} from ${transport.description}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
}

/** Runs the script; returns [label, instructions] per measured step, boot first. */
async function runScript(board: Board, target: Target, boot: number): Promise<[string, number][]> {
  const steps: [string, number][] = [["boot (instantiate + tk_init, demo)", boot]];
  const measure = async (label: string, work: () => Promise<unknown>) => {
    const before = await target.count();
    await work();
    steps.push([label, (await target.count()) - before]);
  };
  const tap = async () => {
    await target.field(false);
    for (const c of TAP) await target.apdu(parseHex(c));
    const nlen = await target.apdu(parseHex("00B0000002"));
    await target.apdu(Uint8Array.from([0x00, 0xb0, 0x00, 0x02, Math.min(255, (nlen[0] << 8) | nlen[1])]));
  };
  await measure("hello", () => target.request("hello", { v: [1], max: board.link.maxFrame }));
  await measure("app status", () => target.request("status"));
  await measure("NFC SELECT (field on + SELECT app)", async () => {
    await target.field(false);
    await target.apdu(parseHex(SELECT_APP));
  });
  await target.request("tag.set", buildTapTemplate({ url: SUN_URL, aar: "com.example.pay" }));
  await tap(); // the first tap allocates the store's counter block; measure a steady one
  await measure("full SUN tap (3 SELECT + 3 READ)", tap);
  if (board.display)
    await measure("v10-M QR encode + render (qr.show)", () => target.request("qr.show", { text: V10M_TEXT, ecl: 1, min: 10, max: 10, scale: 3 }));
  await target.request("store.ctr", { id: 1 }); // the first increment allocates the counter
  await measure("store counter increment (store.ctr)", () => target.request("store.ctr", { id: 1 }));
  return steps;
}

async function wasmSteps(board: Board, wasmPath: string): Promise<[string, number][]> {
  const device = await SimDevice.create({ board, wasm: instrumentForCounting(readFileSync(wasmPath)), tickMs: 0, seed: 1 });
  const transport = inProcessTransport(device);
  try {
    const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
    const boot = Number(counter.value as bigint);
    const request = requester(transport, board.link.maxFrame);
    return await runScript(
      board,
      {
        request,
        field: async (on) => device.field(on),
        apdu: async (c) => device.nfcApdu(c),
        count: async () => Number(counter.value as bigint),
      },
      boot,
    );
  } finally {
    await transport.close();
    device.close();
  }
}

/** One run of the script on the ELF in QEMU with the shell's counters on. */
export async function armSteps(board: Board, elfPath: string): Promise<{ steps: [string, number][]; counters: PerfCounters; stackHighWater: number }> {
  // the simulator's seed and a frozen clock on the secure element: the chips answer the same in every run
  const running = await startQemuBoard({
    board,
    elfPath,
    countInstructions: true,
    chips: { seed: 1, unixTime: UNIX_TIME },
    pty: `/tmp/tapkit-bench-${board.name}-${process.pid}`,
  });
  let transport: Transport | null = null;
  try {
    transport = await openTransport(running.ports.pty, { baud: board.link.baud });
    const request = requester(transport, board.link.maxFrame);
    const counted = (c: PerfCounters) => c.total.tk_link_rx + c.total.tk_nfc_field + c.total.tk_nfc_apdu + c.total.tk_nfc_t2t;
    const atBoot = await readPerfCounters(running, elfPath);
    const steps = await runScript(
      board,
      {
        request,
        field: async (on) => running.chips.nfc.field(on),
        apdu: (c) => running.chips.nfc.nfcApdu(c),
        count: async () => counted(await readPerfCounters(running, elfPath)),
      },
      atBoot.last.instantiate + atBoot.last.tk_init,
    );
    return { steps, counters: await readPerfCounters(running, elfPath), stackHighWater: await running.stackHighWater() };
  } finally {
    await transport?.close();
    await running.stop();
  }
}

export async function measureCortexM(board: Board, wasmPath: string, elfPath: string): Promise<CortexMCosts> {
  const shell = qemuShell(board);
  if (!shell) throw new Error(`${board.name} has no C shell`);
  const wasm = await wasmSteps(board, wasmPath);
  const arm = await armSteps(board, elfPath);
  const sections = elfSections(elfPath);
  return {
    board: board.name,
    flash: sections.text + sections.rodata + sections.data,
    sections,
    stackHighWater: arm.stackHighWater,
    ramUsed: sections.data + sections.bss + sections.linear + arm.stackHighWater + sections.noinit,
    shift: COUNT_SHIFT,
    counterOverhead: arm.counters.overhead,
    ops: wasm.map(([op, w], i) => {
      const [armOp, a] = arm.steps[i];
      if (armOp !== op) throw new Error(`bench: the two runs of the script diverged at ${op} / ${armOp}`);
      return { op, wasm: w, arm: a, ratio: w ? Math.round((a / w) * 100) / 100 : 0 };
    }),
    notMeasured: board.mode === "card" ? [] : ["payment voucher: a card operation; no card module is built through the C shell yet"],
  };
}
