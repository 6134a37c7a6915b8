// Test bench for the firmware module: takes the board's real build output, instantiates it with a minimal HAL that only records
// UART bytes, console lines, NFC/display calls and serves a settable clock, and speaks link
// frames to it using outside oracles: zlib.crc32 for the CRC, cborg/cbor-x for bodies, and
// COBS written out from the Cheshire & Baker paper right here.
import { existsSync, readFileSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import zlib from "node:zlib";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { loadBoard, type Board } from "../../host-tools/src/boards/index.ts";
import { buildHalImports } from "../../host-tools/src/sim/hal.ts";
import { NorFlash } from "../../host-tools/src/sim/flash.ts";
import { Keystore } from "../../host-tools/src/sim/keystore.ts";
import { Panel } from "../../host-tools/src/sim/display.ts";
import { buildFirmware as buildBoardFirmware } from "../../host-tools/src/build/index.ts";
import { decode as cborgDecode, encode as cborgEncode } from "cborg";

export interface BoardFlags {
  name: string;
  displayW: number;
  displayH: number;
  t2t: boolean;
  card: boolean;
}
export const SIM_PLAQUE: BoardFlags = { name: "sim-plaque", displayW: 200, displayH: 200, t2t: true, card: false };
export const SIM_CARD: BoardFlags = { name: "sim-card", displayW: 0, displayH: 0, t2t: false, card: true };
export const MAX_FRAME = 1024;
export const IO_CAPACITY = 512;

const wasmCache = new Map<string, Uint8Array>();

/**
 * The board's firmware exactly as `tapkit build` makes it (npm test builds first); built
 * here through the same library call when a test file runs on its own.
 */
export async function buildFirmware(b: BoardFlags): Promise<Uint8Array> {
  const hit = wasmCache.get(b.name);
  if (hit) return hit;
  const path = firmwarePath(b.name);
  if (!existsSync(path)) await buildBoardFirmware(loadBoard(b.name), { quiet: true });
  const wasm = new Uint8Array(readFileSync(path));
  wasmCache.set(b.name, wasm);
  return wasm;
}

// ---- COBS from the paper (Cheshire & Baker 1999), the oracle for the device's framing ----

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let block: number[] = [];
  for (const byte of data) {
    if (byte === 0) {
      out.push(block.length + 1, ...block);
      block = [];
    } else {
      block.push(byte);
      if (block.length === 254) {
        out.push(255, ...block);
        block = [];
      }
    }
  }
  out.push(block.length + 1, ...block);
  return Uint8Array.from(out);
}

export function cobsDecode(enc: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < enc.length) {
    const code = enc[i++];
    if (code === 0 || i + code - 1 > enc.length) throw new Error("bad COBS");
    for (let k = 1; k < code; k++) out.push(enc[i++]);
    if (code !== 255 && i < enc.length) out.push(0);
  }
  return Uint8Array.from(out);
}

// ---- Frames ----

export interface Frame {
  version: number;
  channel: number;
  flags: number;
  seq: number;
  body: any;
  bodyBytes: Uint8Array;
}

export function rawFrame(byte0: number, flags: number, seq: number, body: Uint8Array): Uint8Array {
  const head = Buffer.from([byte0, flags, seq & 0xff, seq >> 8]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlib.crc32(Buffer.concat([head, body])));
  return Uint8Array.from(Buffer.concat([head, body, crc]));
}

export function wire(raw: Uint8Array): Uint8Array {
  return Uint8Array.from([...cobsEncode(raw), 0]);
}

export function request(channel: number, seq: number, body: unknown): Uint8Array {
  return wire(rawFrame(0x10 | channel, 0, seq, cborgEncode(body)));
}

/** Parses a raw frame the device sent, checking CRC and deterministic CBOR with cborg. */
export function parseRaw(raw: Uint8Array): Frame {
  if (raw.length < 8) throw new Error(`short frame ${raw.length}`);
  const crc = Buffer.from(raw.subarray(raw.length - 4)).readUInt32LE();
  const covered = raw.subarray(0, raw.length - 4);
  if (crc !== zlib.crc32(covered)) throw new Error("device frame CRC mismatch");
  const bodyBytes = raw.subarray(4, raw.length - 4);
  const body = bodyBytes.length ? cborgDecode(bodyBytes, { strict: true, useMaps: false }) : {};
  if (bodyBytes.length && !Buffer.from(cborgEncode(body)).equals(Buffer.from(bodyBytes))) {
    throw new Error("device body is not in deterministic encoding");
  }
  return { version: raw[0] >> 4, channel: raw[0] & 15, flags: raw[1], seq: raw[2] | (raw[3] << 8), body, bodyBytes };
}

// ---- Device under test ----

export class ShellReset extends Error {}

export class Device {
  readonly uart: number[] = [];
  readonly consoleLines: { level: number; text: string }[] = [];
  readonly nfcConfig: { personality: number; uid: number[] }[] = [];
  readonly blits: { x: number; y: number; w: number; h: number; data: Uint8Array }[] = [];
  refreshes = 0;
  resets = 0;
  nowMs = 1000n;
  /** Bytes hal.uart_write accepts per call (Infinity = all). */
  uartAccept = Infinity;
  private parsedUpTo = 0;
  exports!: any;
  memory!: WebAssembly.Memory;

  static async boot(board: BoardFlags = SIM_PLAQUE, flags = 0): Promise<Device> {
    const d = new Device();
    const mod = await WebAssembly.compile((await buildFirmware(board)) as Uint8Array<ArrayBuffer>);
    d.imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
    const inst = await WebAssembly.instantiate(mod, { hal: d.hal(loadBoard(board.name)) });
    d.exports = inst.exports;
    d.memory = inst.exports.memory as WebAssembly.Memory;
    const rc = d.exports.tk_init(flags);
    if (rc !== 0) throw new Error(`tk_init returned ${rc}`);
    return d;
  }

  imports: string[] = [];

  private bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, len).slice();
  }

  /**
   * The simulator's real HAL (NOR flash, keystore, panel in memory) with the parts these
   * tests observe replaced by recorders: UART, console, NFC set-up, display, reset, clock.
   */
  private hal(board: Board) {
    const text = (p: number, n: number) => Buffer.from(this.bytes(p, n)).toString("utf8");
    const real = buildHalImports({
      memory: () => new Uint8Array(this.memory.buffer),
      flash: new NorFlash(board.flash),
      keystore: new Keystore(board.keystore),
      panel: board.display ? new Panel(board.display) : null,
      clockMs: () => Number(this.nowMs),
      clockUnix: () => 0,
      random: (out) => void randomFillSync(out),
      uartWrite: (b) => b.length,
      log: () => {},
      nfcConfigure: () => {},
      shellVersion: "test-shell/0.0.1",
    }).hal;
    return {
      ...real,
      uart_write: (p: number, n: number) => {
        const take = Math.min(n, this.uartAccept);
        this.uart.push(...this.bytes(p, take));
        return take;
      },
      log: (level: number, p: number, n: number) => void this.consoleLines.push({ level, text: text(p, n) }),
      panic: (p: number, n: number) => {
        throw new Error(`firmware panic: ${text(p, n)}`);
      },
      clock_ms: () => this.nowMs,
      shell_version: (p: number, cap: number) => {
        const v = Buffer.from("test-shell/0.0.1");
        new Uint8Array(this.memory.buffer).set(v.subarray(0, cap), p);
        return Math.min(v.length, cap);
      },
      nfc_configure: (personality: number, p: number, n: number) => {
        this.nfcConfig.push({ personality, uid: [...this.bytes(p, n)] });
        return 0;
      },
      display_blit: (x: number, y: number, w: number, h: number, p: number, n: number) => {
        this.blits.push({ x, y, w, h, data: this.bytes(p, n) });
        return n;
      },
      display_refresh: () => {
        this.refreshes++;
        return 0;
      },
      reset: () => {
        this.resets++;
        throw new ShellReset("reset");
      },
    };
  }

  /** Writes bytes into the mailbox and calls tk_link_rx, in chunks of at most `chunk`. */
  feed(data: Uint8Array, chunk = IO_CAPACITY): void {
    const box = this.exports.tk_io_buffer();
    for (let i = 0; i < data.length; i += chunk) {
      const part = data.subarray(i, Math.min(i + chunk, data.length));
      new Uint8Array(this.memory.buffer).set(part, box);
      this.exports.tk_link_rx(part.length);
    }
  }

  tick(): void {
    this.exports.tk_tick(this.nowMs);
  }

  /** Frames the device sent since the last call (complete ones only). */
  frames(): Frame[] {
    const out: Frame[] = [];
    let start = this.parsedUpTo;
    for (let i = this.parsedUpTo; i < this.uart.length; i++) {
      if (this.uart[i] !== 0) continue;
      if (i > start) out.push(parseRaw(cobsDecode(Uint8Array.from(this.uart.slice(start, i)))));
      start = i + 1;
    }
    this.parsedUpTo = start;
    return out;
  }

  /** Sends one request and returns the single frame answering it. */
  call(channel: number, seq: number, body: unknown, chunk?: number): Frame {
    this.frames();
    this.feed(request(channel, seq, body), chunk);
    const got = this.frames();
    if (got.length !== 1) throw new Error(`expected 1 answer, got ${got.length}`);
    return got[0];
  }

  /** Offset of the highest non-zero byte of linear memory. */
  highWater(): number {
    const m = new Uint8Array(this.memory.buffer);
    for (let i = m.length - 1; i >= 0; i--) if (m[i] !== 0) return i;
    return -1;
  }
}
