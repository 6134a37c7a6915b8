// Payment-QR costs of a plaque build: Wasm instructions from a POS amount request to the
// frame on the panel, and for a version 10 / ECC M symbol with automatic mask (encode +
// render + blit, one qr.show request; the link's share is reported separately); wall time
// of our Wasm encoder against the JavaScript peers on the same inputs in this Node process;
// and the module bytes the QR, EMV and rendering code take (function bodies by name).
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import QRCode from "qrcode";
import qrcodeGenerator from "qrcode-generator";
import encodeQR from "qr";
import qrcodegen from "nayuki-qr-code-generator";
import type { Board } from "../boards/board.ts";
import { SimDevice } from "../sim/device.ts";
import { FrameReceiver } from "../link/index.ts";
import { opRequestFrame, type OpArgsParam, type OpName } from "../ops/index.ts";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";

export interface QrCosts {
  board: string;
  /** instructions of `app status` (link decode/encode around a trivial op) */
  linkBaseline: number;
  /** `qr.amount 12.34`: request in to dynamic frame blitted and refreshed, link included */
  amountToFrame: number;
  /** `qr.show` of a v10-M payload with automatic mask at 3 px/module, link included */
  v10mEncodeRender: number;
  v10mTarget: number;
  speed: EncoderSpeed;
  moduleBytes: ModuleBytes;
}

export interface EncoderSpeed {
  inputs: number;
  /** mean microseconds per symbol: our firmware (link frame in, answer out), v10-M auto mask */
  wasmUs: number;
  qrcodeUs: number;
  qrcodeGeneratorUs: number;
  /** `qr` (paulmillr): word-parallel mask penalty scoring over packed mask planes */
  qrUs: number;
  /** Nayuki's TypeScript QR Code generator (npm nayuki-qr-code-generator) */
  nayukiUs: number;
  /** fastest peer time / ours: > 1 means ours is faster */
  ratio: number;
  /** the peer that was fastest */
  fastestPeer: string;
}

export interface ModuleBytes {
  /** code bytes of functions from firmware/qr, firmware/emv (with its TLV and CRC-16 codecs) and the QR parts of firmware/display */
  code: number;
  /**
   * constant tables they carry: ECC block tables (2 x 164 B), the 59-glyph font (413 B), the
   * alphanumeric mode's nine symbols (9 B) and the 8 data masks as 12 row patterns each (96 B)
   */
  tables: number;
  total: number;
  target: number;
  functions: number;
  /** code bytes per source file, so a size regression points at its module */
  byFile: Record<string, number>;
  /** of `code`, the link-op glue (qr-ops, payment-ops): argument parsing and answers */
  linkOps: number;
}

const V10M_TEXT = "HTTPS://EXAMPLE.COM/PAY/".padEnd(150, "0123456789ABCDEFGHIJ");

/** Instruction counts of the payment-QR requests (deterministic: the CI budget test uses them). */
export interface QrInstructionCounts {
  linkBaseline: number;
  amountToFrame: number;
  v10mEncodeRender: number;
}

export const V10M_TARGET = 2_000_000;

export async function measureQrCosts(board: Board, wasmPath: string, watPath: string): Promise<QrCosts | undefined> {
  if (!board.display) return undefined;
  const wasm = readFileSync(wasmPath);
  return {
    board: board.name,
    ...(await countQrInstructions(board, wasm)),
    v10mTarget: V10M_TARGET,
    speed: await measureSpeed(board, wasm),
    moduleBytes: moduleBytes(readFileSync(watPath, "utf8")),
  };
}

/** Runs the QR requests once on an instrumented copy of the firmware and counts each. */
export async function countQrInstructions(board: Board, wasm: Uint8Array): Promise<QrInstructionCounts> {
  const device = await SimDevice.create({ board, wasm: instrumentForCounting(wasm), tickMs: 0, seed: 1, now: stepClock() });
  let seq = 1;
  const receiver = new FrameReceiver({ maxFrame: board.link.maxFrame });
  let answers = 0;
  device.on("uart", (b: Uint8Array) => (answers += receiver.push(b).length));
  const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
  const cost = <N extends OpName>(op: N, ...args: OpArgsParam<N>) => {
    const before = answers;
    counter.value = 0n;
    device.receive(opRequestFrame(op, args[0] ?? {}, seq++));
    if (answers === before) throw new Error(`bench: no answer to ${op}`);
    return Number(counter.value as bigint);
  };
  try {
    return {
      linkBaseline: cost("status"),
      amountToFrame: cost("qr.amount", { amount: "12.34" }),
      v10mEncodeRender: cost("qr.show", { text: V10M_TEXT, ecl: 1, min: 10, max: 10, scale: 3 }),
    };
  } finally {
    device.close();
  }
}

/** Same inputs, same process: uninstrumented firmware over an in-process frame vs the peers. */
async function measureSpeed(board: Board, wasm: Uint8Array): Promise<EncoderSpeed> {
  const inputs = Array.from({ length: 40 }, (_, i) => `HTTPS://EXAMPLE.COM/PAY/${i}/`.padEnd(150, String(i * 7919)));
  const device = await SimDevice.create({ board, wasm, tickMs: 0, seed: 1 });
  const rounds = 10;
  const time = (fn: () => void) => {
    fn(); // warm up the JIT
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) fn();
    return Number(process.hrtime.bigint() - t0) / 1000 / rounds / inputs.length;
  };
  try {
    // Distinct sequence numbers per round so the response cache never answers for the encoder.
    let round = 0;
    const wasmUs = time(() => {
      round++;
      for (let i = 0; i < inputs.length; i++) {
        device.receive(opRequestFrame("qr.encode", { text: inputs[i], ecl: 1, min: 10, max: 10 }, (round * 64 + i) & 0xffff));
      }
    });
    const qrcodeUs = time(() => inputs.forEach((t) => QRCode.create(t, { errorCorrectionLevel: "M", version: 10 })));
    const qrcodeGeneratorUs = time(() =>
      inputs.forEach((t) => {
        const q = qrcodeGenerator(10, "M");
        q.addData(t, "Alphanumeric");
        q.make();
      }),
    );
    const qrUs = time(() => inputs.forEach((t) => encodeQR(t, "raw", { ecc: "medium", version: 10, encoding: "alphanumeric" })));
    // The package is ESM without "type": "module": Node and esbuild give its namespace as the
    // default export, TypeScript types that default as the module record.
    const { QrCode, QrSegment } = qrcodegen as unknown as typeof qrcodegen.default;
    const nayukiUs = time(() => inputs.forEach((t) => QrCode.encodeSegments([QrSegment.makeAlphanumeric(t)], QrCode.Ecc.MEDIUM, 10, 10, -1, false)));
    const peers: [string, number][] = [
      ["qrcode", qrcodeUs],
      ["qrcode-generator", qrcodeGeneratorUs],
      ["qr", qrUs],
      ["nayuki-qr-code-generator", nayukiUs],
    ];
    const [fastestPeer, fastestUs] = peers.reduce((a, b) => (b[1] < a[1] ? b : a));
    return { inputs: inputs.length, wasmUs, qrcodeUs, qrcodeGeneratorUs, qrUs, nayukiUs, ratio: fastestUs / wasmUs, fastestPeer };
  } finally {
    device.close();
  }
}

/**
 * Code bytes of the QR, EMV and rendering functions. The device .wasm carries no names and
 * its function order is not the .wat's (asc writes the text before the last passes), so the
 * .wat asc wrote alongside is encoded again with Binaryen, which keeps its order (imports,
 * then functions as listed) and gives each body its own size; the total of that encoding is
 * within ~1% of the device module's code section.
 */
function moduleBytes(wat: string): ModuleBytes {
  const module = binaryen.parseText(wat);
  let names: string[];
  let sizes: number[];
  try {
    names = [];
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
      if (!info.module) names.push(info.name);
    }
    sizes = codeBodySizes(module.emitBinary());
  } finally {
    module.dispose();
  }
  let code = 0;
  let functions = 0;
  const byFile: Record<string, number> = {};
  sizes.forEach((size, i) => {
    const name = names[i] ?? "";
    if (/^firmware\/(qr|emv)\/|^firmware\/codec\/(tlv\/emv-tlv|crc\/crc16)\/|^firmware\/display\/(qr-render|payment-screen|font5x7)\//.test(name)) {
      code += size;
      functions++;
      const file = name.split("/").slice(0, 3).join("/");
      byFile[file] = (byFile[file] ?? 0) + size;
    }
  });
  const tables = 2 * 4 * 41 + 59 * 7 + 9 + 8 * 12;
  const linkOps = (byFile["firmware/qr/qr-ops"] ?? 0) + (byFile["firmware/emv/payment-ops"] ?? 0);
  return { code, tables, total: code + tables, target: 10 * 1024, functions, byFile, linkOps };
}

function codeBodySizes(wasm: Uint8Array): number[] {
  let at = 8;
  const leb = () => {
    let v = 0,
      shift = 0,
      b;
    do {
      b = wasm[at++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return v >>> 0;
  };
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    const end = at + size;
    if (id === 10) {
      const n = leb();
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = at;
        const len = leb();
        out.push(len + (at - start));
        at += len;
      }
      return out;
    }
    at = end;
  }
  return [];
}

function stepClock(): () => number {
  let t = 0;
  return () => (t += 1);
}
