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
import { dirname, join } from "node:path";
import { loadBoard, qemuShell } from "../boards/index.ts";
import { buildNativeShell, elfSections } from "../build/native-shell.ts";
import { firmwareElfPath, firmwarePath } from "../paths.ts";
import { parseHex } from "../bytes/hex.ts";

import { FLAGS, FrameReceiver, type Frame } from "../link/index.ts";
import { openTransport, type Transport } from "../link/transport.ts";
import { buildTapTemplate } from "../ndef/index.ts";
import { opRequestFrame, type OpArgsParam, type OpName } from "../ops/index.ts";
import { COUNT_SHIFT, startQemuBoard } from "../qemu/qemu-board.ts";
import { readPerfCounters, type PerfCounters } from "../qemu/perf-counters.ts";
import { SimDevice } from "../sim/device.ts";
import { DeviceClient } from "../device/client.ts";
import { WalletCard } from "../wallet/index.ts";
import { provisionBenchCard } from "./wallet-costs.ts";
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

/** What the script needs of a target: the link, tag commands, and a cumulative count. */
interface Target {
  /** a fresh link transport (one open at a time) */
  link(): Promise<Transport>;
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
  let transport = await target.link();
  try {
    await commonSteps(board, target, requester(transport, board.link.maxFrame), steps);
  } finally {
    await transport.close();
  }
  if (board.mode === "card") {
    transport = await target.link();
    await paymentStep(transport, target, steps);
  }
  return steps;
}

async function commonSteps(board: Board, target: Target, request: ReturnType<typeof requester>, steps: [string, number][]): Promise<void> {
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
  await measure("hello", () => request("hello", { v: [1], max: board.link.maxFrame }));
  await measure("app status", () => request("status"));
  await measure("NFC SELECT (field on + SELECT app)", async () => {
    await target.field(false);
    await target.apdu(parseHex(SELECT_APP));
  });
  if (board.mode === "plaque") {
    await request("tag.set", buildTapTemplate({ url: SUN_URL, aar: "com.example.pay" }));
    await tap(); // the first tap allocates the store's counter block; measure a steady one
    // Not nfc-costs.ts's per-APDU tap: this one also counts the field-off that ends the
    // previous session (the applet's deselect, ~2,700 Wasm instructions) and reads NLEN twice.
    await measure("SUN tap with field-off (field off + 3 SELECT + 4 READ)", tap);
  }
  if (board.display) await measure("v10-M QR encode + render (qr.show)", () => request("qr.show", { text: V10M_TEXT, ecl: 1, min: 10, max: 10, scale: 3 }));
  await request("store.ctr", { id: 1 }); // the first increment allocates the counter
  await measure("store counter increment (store.ctr)", () => request("store.ctr", { id: 1 }));
}

/**
 * The card's offline payment (BEGIN + SIGN with the Ed25519 key, as wallet-costs.ts measures
 * it): provisioned over the link first (the card then leaves the demo state, so this runs
 * last), three warm-up payments, then the measured one.
 */
async function paymentStep(transport: Transport, target: Target, steps: [string, number][]): Promise<void> {
  const client = await DeviceClient.over(transport);
  try {
    await provisionBenchCard(client, 0);
  } finally {
    await client.close();
  }
  const card = new WalletCard((a) => target.apdu(a));
  await target.field(false);
  await card.select();
  for (let i = 0; i < 3; i++) await card.pay({ amount: 10, currency: "EUR", payee: "warm-up", challenge: new Uint8Array(16).fill(i) });
  const before = await target.count();
  await card.begin(new Uint8Array(16).fill(7), "shop-42", 1_700_000_000);
  await card.sign(250, "EUR");
  steps.push(["payment voucher (BEGIN + SIGN, Ed25519)", (await target.count()) - before]);
}

async function wasmSteps(board: Board, wasmPath: string): Promise<[string, number][]> {
  // a clock that moves 1 ms per reading, as in session-counts.ts: the counts do not depend on when the bench runs
  let ms = 0;
  const device = await SimDevice.create({ board, wasm: instrumentForCounting(readFileSync(wasmPath)), tickMs: 0, seed: 1, now: () => (ms += 1) });
  try {
    const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
    const boot = Number(counter.value as bigint);
    return await runScript(
      board,
      {
        link: async () => inProcessTransport(device),
        field: async (on) => device.field(on),
        apdu: async (c) => device.nfcApdu(c),
        count: async () => Number(counter.value as bigint),
      },
      boot,
    );
  } finally {
    device.close();
  }
}

/**
 * One run of the script on the ELF in QEMU with the shell's counters on. `answerDelayMs` makes
 * every chip answer that much later: a host at another pace, which must change no count.
 */
export async function armSteps(
  board: Board,
  elfPath: string,
  { answerDelayMs = 0 }: { answerDelayMs?: number } = {},
): Promise<{ steps: [string, number][]; counters: PerfCounters; stackHighWater: number }> {
  // the simulator's seed and a frozen clock on the secure element: the chips answer the same in every run
  const running = await startQemuBoard({
    board,
    elfPath,
    countInstructions: true,
    chips: { seed: 1, unixTime: UNIX_TIME, answerDelayMs },
    pty: `/tmp/tapkit-bench-${board.name}-${process.pid}`,
  });
  try {
    const counted = (c: PerfCounters) => c.total.tk_link_rx + c.total.tk_nfc_field + c.total.tk_nfc_apdu + c.total.tk_nfc_t2t;
    const atBoot = await readPerfCounters(running, elfPath);
    const steps = await runScript(
      board,
      {
        link: () => openTransport(running.ports.pty, { baud: board.link.baud }),
        field: async (on) => running.chips.nfc.field(on),
        apdu: (c) => running.chips.nfc.nfcApdu(c),
        count: async () => counted(await readPerfCounters(running, elfPath)),
      },
      atBoot.last.instantiate + atBoot.last.tk_init,
    );
    return { steps, counters: await readPerfCounters(running, elfPath), stackHighWater: await running.stackHighWater() };
  } finally {
    await running.stop();
  }
}

/** The board of the qemu-m4 shell that runs other boards' modules (the card's, for its ARM figures). */
const SHELL_BOARD = "qemu-m4";

/**
 * The board as built for ARM: itself if it has a C shell, else its module through qemu-m4's
 * shell (same machine, stack and call depth; linear memory from the module's __heap_base),
 * linked into build/<board>/cortex-m/ (the objects are cached; an unchanged module only relinks).
 */
export async function armBuildOf(board: Board): Promise<{ board: Board; elfPath: string }> {
  if (qemuShell(board)) return { board, elfPath: firmwareElfPath(board.name) };
  const { linearBytes: _, ...shell } = qemuShell(loadBoard(SHELL_BOARD))!;
  const armBoard: Board = { ...board, runtime: "wasm2c", shell };
  const wasmPath = firmwarePath(board.name);
  const built = await buildNativeShell(armBoard, shell, wasmPath, join(dirname(wasmPath), "cortex-m"), { quiet: true });
  return { board: armBoard, elfPath: built.elfPath };
}

export async function measureCortexM(board: Board, wasmPath: string, elfPath: string): Promise<CortexMCosts> {
  if (!qemuShell(board)) throw new Error(`${board.name} has no C shell (armBuildOf gives it one)`);
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
    notMeasured:
      board.mode === "card"
        ? ["full SUN tap and v10-M QR: plaque operations"]
        : ["payment voucher: a card operation (the card module's figures are measured through the same shell)"],
  };
}
