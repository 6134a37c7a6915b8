// The chips around an emulated board's MCU, on the host: secure element (keystore, crypto,
// TRNG, trusted time), SPI NOR flash (store and image slots), e-paper controller and NFC
// front-end, each behind its ChipPort. They are the simulator's own models (NorFlash with
// its state directory, Keystore, Panel) driven through the simulator's HAL import object,
// so every command means exactly what the HAL call means in `tapkit sim`: the command's
// buffers are laid out in a scratch memory and the call runs against it.
import { randomFillSync } from "node:crypto";
import { SeededRandom } from "../seeded-random.ts";
import type { Board } from "../../boards/board.ts";
import { Panel } from "../display.ts";
import { NorFlash } from "../flash.ts";
import { E_UNSUPPORTED } from "../hal-codes.ts";
import { buildHalImports } from "../hal.ts";
import { installDemoKeys, Keystore } from "../keystore.ts";
import { OP_CLOCK_UNIX, OP_NFC_ANSWER, OP_NFC_POLL, type ChipArg, type ChipName, type ChipOp } from "./chip-ops.ts";
import { ChipPort, type ChipAnswer, type ChipHandler } from "./chip-port.ts";
import { NfcFrontend } from "./nfc-frontend.ts";

export interface BoardChipsOptions {
  /** keep flash and keystore here across runs (the simulator's state directory format) */
  stateDir?: string;
  /** no demo keys */
  blank?: boolean;
  /** the secure element reports no trusted time when false (default true) */
  trustedTime?: boolean;
  /** a deterministic TRNG (the simulator's seeded hal.random), for runs that must repeat exactly */
  seed?: number;
  /** trusted time frozen at this Unix time (seconds), for runs that must repeat exactly */
  unixTime?: number;
  /** how long the NFC front-end waits for the MCU's answer to a tag command */
  nfcAnswerTimeoutMs?: number;
  /** every chip answers this long after a command: a host at another pace, for counts that must not notice */
  answerDelayMs?: number;
}

export class BoardChips {
  readonly flash: NorFlash;
  readonly keystore: Keystore;
  readonly panel: Panel | null;
  readonly nfc: NfcFrontend;
  readonly ports: Record<ChipName, ChipPort>;
  /** HAL calls the chips ran, by import name (shows what crossed to the secure element) */
  readonly halCalls = new Map<string, number>();
  private scratch = new Uint8Array(0);
  private readonly unixNow: () => number;
  private readonly hal: Record<string, (...args: number[]) => number | bigint | void>;

  constructor(
    readonly board: Board,
    options: BoardChipsOptions = {},
  ) {
    this.flash = new NorFlash(board.flash, { stateDir: options.stateDir });
    this.keystore = new Keystore(board.keystore, { stateDir: options.stateDir });
    if (!options.blank && this.keystore.isEmpty) installDemoKeys(this.keystore);
    this.panel = board.display ? new Panel(board.display) : null;
    this.nfc = new NfcFrontend(board, options.nfcAnswerTimeoutMs);
    const trustedTime = options.trustedTime ?? true;
    this.unixNow = () => options.unixTime ?? Date.now() / 1000;
    const seeded = options.seed === undefined ? null : new SeededRandom(options.seed ^ 0x5eed);
    this.hal = buildHalImports(
      {
        memory: () => this.scratch,
        flash: this.flash,
        keystore: this.keystore,
        panel: this.panel,
        clockMs: () => performance.now(),
        clockUnix: () => (trustedTime ? this.unixNow() : 0),
        random: seeded ? (out) => void seeded.fill(out) : (out) => void randomFillSync(out),
        uartWrite: () => 0,
        log: () => {},
        nfcConfigure: (p, uid) => this.nfc.configure(p, uid),
        shellVersion: "",
      },
      this.halCalls,
    ).hal;
    const chip = (id: string, hello: () => void, special: (op: ChipOp, args: ChipArg[]) => ChipAnswer | null = () => null): ChipHandler => ({
      id,
      hello,
      handle: (op, args) => special(op, args) ?? this.runHal(op, args),
    });
    this.ports = {
      se: new ChipPort(
        "se",
        chip(
          "tapkit-se/1 keys+crypto+rng+rtc",
          () => this.keystore.clearVolatile(),
          (op) => (op.op === OP_CLOCK_UNIX ? this.trustedTime(trustedTime) : null),
        ),
      ),
      nor: new ChipPort(
        "nor",
        chip(`tapkit-nor/1 (${board.flash.pageSize}-byte pages)`, () => {}),
      ),
      epd: new ChipPort(
        "epd",
        chip(board.display ? `tapkit-epd/1 (${board.display.width}x${board.display.height})` : "tapkit-epd/1 (no panel)", () => {}),
      ),
      nfc: new ChipPort(
        "nfc",
        chip(
          "tapkit-nfc/1 (Type 4, Type 2)",
          () => this.nfc.reset(),
          (op, args) => this.nfcCommand(op, args),
        ),
      ),
    };
    for (const port of Object.values(this.ports)) port.answerDelayMs = options.answerDelayMs ?? 0;
    this.nfc.onAttention(() => this.ports.nfc.attention());
  }

  /** Listens for the emulator's chip UARTs on Unix sockets `<dir>/<chip>.sock`. */
  async listen(dir: string): Promise<Record<ChipName, string>> {
    const paths = {} as Record<ChipName, string>;
    for (const [name, port] of Object.entries(this.ports) as [ChipName, ChipPort][]) {
      paths[name] = `${dir}/${name}.sock`;
      await port.listen(paths[name]);
    }
    return paths;
  }

  async close(): Promise<void> {
    this.nfc.reset();
    for (const port of Object.values(this.ports)) await port.close();
    this.flash.close();
  }

  /** Runs the command's HAL call with its buffers laid out in scratch memory. */
  private runHal(op: ChipOp, args: ChipArg[]): ChipAnswer {
    const fn = op.hal ? this.hal[op.hal] : undefined;
    if (!fn) return { result: E_UNSUPPORTED };
    const size = args.reduce((n, a) => n + ("bytes" in a ? a.bytes.length : "cap" in a ? a.cap : 0), 0);
    this.scratch = new Uint8Array(size);
    const params: number[] = [];
    let at = 0;
    let out: { at: number; cap: number } | null = null;
    for (const a of args) {
      if (a.kind === "u32") params.push(a.value);
      else if (a.kind === "in" || a.kind === "in-ptr") {
        this.scratch.set(a.bytes, at);
        params.push(at, ...(a.kind === "in" ? [a.bytes.length] : []));
        at += a.bytes.length;
      } else if ("cap" in a) {
        out = { at, cap: a.cap };
        params.push(at, ...(a.kind === "out" ? [a.cap] : []));
        at += a.cap;
      }
    }
    const result = Number(fn(...params) ?? 0);
    const data = out && result > 0 ? this.scratch.slice(out.at, out.at + Math.min(result, out.cap)) : undefined;
    return { result, data };
  }

  private trustedTime(trusted: boolean): ChipAnswer {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigUint64(0, BigInt(trusted ? Math.floor(this.unixNow()) : 0), true);
    return { result: 8, data };
  }

  private nfcCommand(op: ChipOp, args: ChipArg[]): ChipAnswer | null {
    if (op.op === OP_NFC_POLL) return this.nfc.poll((args[0] as { cap: number }).cap);
    if (op.op === OP_NFC_ANSWER) return { result: this.nfc.answer((args[0] as { bytes: Uint8Array }).bytes) };
    return null;
  }
}
