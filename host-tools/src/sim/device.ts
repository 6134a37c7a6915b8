// SimDevice: one simulated board running firmware.wasm — boots the module against the HAL
// (hal.ts) with its flash, keystore, panel, NFC state, clock and UART; ticks it; feeds it
// UART bytes and NFC commands one export call at a time; and reboots it on panic, reset,
// trap or power cut on the same flash, recording why.

import { EventEmitter } from "node:events";
import { createHash, randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { Panel } from "./display.ts";
import { NorFlash } from "./flash.ts";
import { HAL_IMPORT_SIGNATURES } from "../abi/hal-abi.ts";
import { buildHalImports } from "./hal.ts";
import { installDemoKeys, Keystore } from "./keystore.ts";
import { requirePersonality, type NfcPersonalityId } from "./nfc-personality.ts";
export type { NfcPersonalityId } from "./nfc-personality.ts";
import { ThrottledLine } from "./line.ts";
import { SeededRandom } from "./seeded-random.ts";
import { FirmwarePanic, FirmwareReset, PowerCut } from "./sim-errors.ts";
import { TapkitError } from "../errors/index.ts";
import { BootStore } from "../boot/boot-store.ts";
import { SlotTrailers } from "../boot/trailer.ts";
import { chooseBoot, type BootDecision } from "../boot/boot-rules.ts";
import { BootService, type RunningImage } from "../boot/boot-service.ts";
import { BootLink } from "../boot/boot-link.ts";
import { BootRefused } from "../boot/boot-error.ts";
import { encodeFrame, FLAGS, FrameReceiver } from "../link/frame.ts";
import { toHexLower } from "../bytes/hex.ts";

export const SHELL_VERSION = "tapkit-sim/0.1.0";
export const HAL_ABI_VERSION = 1;
export const INIT_FLAG_DEMO = 1;
/** docs/hal-abi.md: the simulator's TX queue holds 64 KiB. */
export const UART_TX_CAPACITY = 65536;
const INIT_RETRY_MS = 1000;
/** Crashes in a row without a successful tk_init before the device stops rebooting. */
const MAX_CRASH_LOOP = 8;

const REQUIRED_EXPORTS = [
  "memory",
  "tk_abi_version",
  "tk_init",
  "tk_io_buffer",
  "tk_io_capacity",
  "tk_link_rx",
  "tk_tick",
  "tk_nfc_field",
  "tk_nfc_apdu",
  "tk_nfc_t2t",
];

export type ResetKind = "panic" | "reset" | "trap" | "power-cut" | "power-off";
export interface ResetReason {
  kind: ResetKind;
  message: string;
}

/** recovery: the shell found no bootable image; only the boot channel answers (docs/boot.md rule 7). */
export type DeviceState = "running" | "init-failed" | "halted" | "off" | "recovery";

interface FirmwareExports {
  memory: WebAssembly.Memory;
  tk_abi_version(): number;
  tk_init(flags: number): number;
  tk_io_buffer(): number;
  tk_io_capacity(): number;
  tk_link_rx(len: number): void;
  tk_tick(nowMs: bigint): void;
  tk_nfc_field(on: number): void;
  tk_nfc_apdu(len: number): number;
  tk_nfc_t2t(len: number): number;
  [name: string]: unknown;
}

export interface SimDeviceOptions {
  board: Board;
  /** the firmware module, or a path to it */
  wasm: Uint8Array | string;
  /** keep flash and keystore here across runs (default: in memory only) */
  stateDir?: string;
  /** no demo keys, tk_init(0) */
  blank?: boolean;
  /** copy the firmware's debug log to stderr */
  verbose?: boolean;
  /** pace the UART at this baud in both directions; null/undefined delivers instantly (tests) */
  baud?: number | null;
  /** tk_tick period in ms (default 20); 0 disables the timer (tests call tickNow) */
  tickMs?: number;
  /** seed for the flash fault model and, when given, a deterministic hal.random */
  seed?: number;
  /** ms clock (default performance.now) */
  now?: () => number;
  /** clock_unix returns 0 when false (default true) */
  trustedTime?: boolean;
  /**
   * The shell is the bootloader (docs/boot.md): it runs the image in the active slot of its
   * flash, serves the boot channel, and uses `wasm` only while no trust anchor is set
   * (development). Off (default): `wasm` runs as it is, as before.
   */
  bootFromSlots?: boolean;
}

export class SimDevice extends EventEmitter {
  readonly board: Board;
  readonly flash: NorFlash;
  readonly keystore: Keystore;
  readonly panel: Panel | null;
  /** HAL import name -> calls since creation (bench and tests) */
  readonly importCalls = new Map<string, number>();
  boots = 0;
  lastResetReason: ResetReason | null = null;
  state: DeviceState = "off";
  lastInitError = 0;
  nfc: { personality: NfcPersonalityId; uid: Uint8Array; field: boolean } = { personality: 0, uid: new Uint8Array(7), field: false };

  private readonly devModule: WebAssembly.Module;
  private module: WebAssembly.Module;
  /** the shell's bootloader parts (bootFromSlots only) */
  readonly bootloader: { trailers: SlotTrailers; store: BootStore; service: BootService; link: BootLink } | null;
  /** what the bootloader started: a slot image, the development module, or nothing (recovery) */
  running: RunningImage | "development" | null = null;
  /** power cuts that hit the firmware's own confirmation (hal.boot_confirm; the update torture counts them) */
  selfConfirmCuts = 0;
  /** the last boot decision (tests, torture) */
  lastBootDecision: BootDecision | null = null;
  private readonly compiled = new Map<string, WebAssembly.Module>();
  private resetRequested = false;
  private recoveryRx: FrameReceiver | null = null;
  private readonly flags: number;
  private readonly verbose: boolean;
  private readonly now: () => number;
  private readonly trustedTime: boolean;
  private readonly halRandom: (out: Uint8Array) => void;
  private readonly txLine: ThrottledLine | null;
  private readonly rxLine: ThrottledLine | null;
  private readonly tickMs: number;
  private exports: FirmwareExports | null = null;
  private mailbox = 0;
  private capacity = 0;
  private powerOnAt = 0;
  private busy = false;
  private txPending: Uint8Array[] = [];
  private txPendingBytes = 0;
  private rxBacklog: Uint8Array[] = [];
  private crashesInARow = 0;
  private initRetryAt = 0;
  private tickTimer: NodeJS.Timeout | null = null;

  static async create(options: SimDeviceOptions): Promise<SimDevice> {
    const bytes = typeof options.wasm === "string" ? readWasm(options.wasm) : options.wasm;
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new TapkitError("SIM_BAD_WASM", `firmware module does not compile: ${(e as Error).message}`, "rebuild it with `tapkit build`");
    }
    checkModuleShape(module);
    const device = new SimDevice(options, module);
    device.powerOn();
    if (device.state === "halted") {
      const reason = device.lastResetReason?.message ?? "unknown";
      device.close();
      throw new TapkitError("SIM_BOOT_FAILED", `firmware crashes during boot: ${reason}`, "run with --verbose to see the firmware log");
    }
    return device;
  }

  private constructor(options: SimDeviceOptions, module: WebAssembly.Module) {
    super();
    this.board = options.board;
    this.devModule = module;
    this.module = module;
    this.flags = options.blank ? 0 : INIT_FLAG_DEMO;
    this.verbose = options.verbose ?? false;
    this.now = options.now ?? (() => performance.now());
    this.trustedTime = options.trustedTime ?? true;
    this.tickMs = options.tickMs ?? 20;
    this.flash = new NorFlash(options.board.flash, { stateDir: options.stateDir, seed: options.seed });
    this.keystore = new Keystore(options.board.keystore, { stateDir: options.stateDir });
    this.panel = options.board.display ? new Panel(options.board.display) : null;
    const seeded = options.seed === undefined ? null : new SeededRandom(options.seed ^ 0x5eed);
    this.halRandom = seeded ? (out) => void seeded.fill(out) : (out) => void randomFillSync(out);
    if (options.baud) {
      this.txLine = new ThrottledLine({ baud: options.baud, capacity: UART_TX_CAPACITY, now: this.now, deliver: (b) => this.emit("uart", b) });
      this.rxLine = new ThrottledLine({ baud: options.baud, now: this.now, deliver: (b) => this.deliverRx(b) });
    } else {
      this.txLine = null;
      this.rxLine = null;
    }
    if (!options.blank && this.keystore.isEmpty) installDemoKeys(this.keystore);
    this.bootloader = options.bootFromSlots ? this.makeBootloader(options.stateDir) : null;
  }

  private makeBootloader(stateDir: string | undefined): NonNullable<SimDevice["bootloader"]> {
    const trailers = new SlotTrailers(this.flash, this.board);
    const store = new BootStore(stateDir);
    const service = new BootService(trailers, store, {
      board: this.board,
      shellVersion: SHELL_VERSION,
      maxFrame: this.board.link.maxFrame,
      now: () => this.now(),
      running: () => this.running,
      requestReset: () => {
        this.resetRequested = true;
      },
    });
    const link = new BootLink(this.board.link.maxFrame, {
      toFirmware: (bytes) => this.firmwareRx(bytes),
      request: (op, args) => {
        try {
          return { body: service.handle(op, args) };
        } catch (e) {
          if (e instanceof BootRefused) return { error: { code: e.code, msg: e.message, hint: e.hint } };
          throw e;
        }
      },
      send: (wire) => {
        this.uartWrite(wire);
        this.flushTx();
      },
    });
    return { trailers, store, service, link };
  }

  /** The live instance's exports (tests call fixture exports through this). */
  get firmware(): FirmwareExports | null {
    return this.exports;
  }

  /** Milliseconds since the last power-on (what hal.clock_ms answers). */
  clockMs(): number {
    return this.now() - this.powerOnAt;
  }

  /** UART RX: bytes from the host, delivered to tk_link_rx in mailbox-sized pieces. */
  receive(bytes: Uint8Array): void {
    if (this.rxLine) this.rxLine.push(bytes);
    else this.deliverRx(bytes);
  }

  tickNow(): void {
    if (this.state === "init-failed" && this.clockMs() >= this.initRetryAt) this.boot();
    if (this.state !== "running") return;
    const nowMs = BigInt(Math.floor(this.clockMs()));
    this.invoke((fw) => fw.tk_tick(nowMs));
  }

  field(on: boolean): void {
    if (this.state !== "running" || this.nfc.field === on) return;
    this.nfc.field = on;
    this.invoke((fw) => fw.tk_nfc_field(on ? 1 : 0));
  }

  /** A Type 4 command APDU from the reader; returns the response APDU (data, SW1, SW2). */
  nfcApdu(apdu: Uint8Array): Uint8Array {
    return this.nfcExchange(1, apdu, 2, (fw, len) => fw.tk_nfc_apdu(len));
  }

  /** A Type 2 command (READ 30, WRITE A2, ...); returns the response (one byte for ACK/NAK). */
  nfcT2t(command: Uint8Array): Uint8Array {
    return this.nfcExchange(2, command, 1, (fw, len) => fw.tk_nfc_t2t(len));
  }

  /** A copy of the firmware's linear memory (security tests search it for secrets); empty while off. */
  memorySnapshot(): Uint8Array {
    return this.exports ? new Uint8Array(this.exports.memory.buffer).slice() : new Uint8Array(0);
  }

  /** Bytes of linear memory up to and including the highest non-zero byte. */
  memoryHighWater(): number {
    if (!this.exports) return 0;
    const mem = new Uint8Array(this.exports.memory.buffer);
    for (let i = mem.length - 1; i >= 0; i--) if (mem[i] !== 0) return i + 1;
    return 0;
  }

  power(to: "off" | "on"): void {
    if (to === "off") {
      if (this.state === "off") return;
      this.dropInstance({ kind: "power-off", message: "power switched off" }, true);
      this.state = "off";
      this.stopTicks();
    } else if (this.state === "off") {
      this.powerOn();
    }
  }

  close(): void {
    this.stopTicks();
    this.txLine?.close();
    this.rxLine?.close();
    this.exports = null;
    this.state = "off";
    this.flash.close();
  }

  private powerOn(): void {
    this.powerOnAt = this.now();
    this.crashesInARow = 0;
    this.boot();
    if (this.tickMs > 0 && !this.tickTimer) {
      this.tickTimer = setInterval(() => this.tickNow(), this.tickMs);
    }
  }

  private stopTicks(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
  }

  private boot(): void {
    for (;;) {
      this.boots++;
      if (this.bootloader) {
        let picked: boolean;
        try {
          picked = this.pickImage();
        } catch (e) {
          if (!(e instanceof PowerCut)) throw e;
          this.recordCrash(e);
          continue;
        }
        if (!picked) {
          this.state = "recovery";
          this.exports = null;
          this.log(1, "no bootable image: recovery (boot channel only)");
          this.emit("boot", this.boots);
          return;
        }
      }
      const imports = buildHalImports(
        {
          memory: () => new Uint8Array(this.exports!.memory.buffer),
          flash: this.flash,
          keystore: this.keystore,
          panel: this.panel,
          clockMs: () => this.clockMs(),
          clockUnix: () => (this.trustedTime ? Date.now() / 1000 : 0),
          random: this.halRandom,
          uartWrite: (b) => this.uartWrite(b),
          log: (level, text) => this.log(level, text),
          nfcConfigure: (p, uid) => this.nfcConfigure(p, uid),
          shellVersion: SHELL_VERSION,
          firmwareRegions: this.bootloader ? 1 : undefined,
          bootConfirm: this.bootloader ? () => this.firmwareConfirm() : undefined,
        },
        this.importCalls,
      );
      let crashed: unknown = null;
      let initResult = 0;
      this.busy = true;
      try {
        const instance = new WebAssembly.Instance(this.module, imports as unknown as WebAssembly.Imports);
        this.exports = instance.exports as unknown as FirmwareExports;
        const abi = this.exports.tk_abi_version();
        if (abi !== HAL_ABI_VERSION) {
          this.exports = null;
          this.state = "halted";
          throw new TapkitError(
            "SIM_ABI_MISMATCH",
            `firmware speaks HAL ABI ${abi}, this simulator speaks ${HAL_ABI_VERSION}`,
            "build the firmware and tools from the same tapkit version",
          );
        }
        initResult = this.exports.tk_init(this.flags);
        if (initResult >= 0) this.readMailbox();
      } catch (e) {
        if (e instanceof TapkitError) throw e;
        crashed = e;
      } finally {
        this.busy = false;
      }
      if (crashed) {
        this.recordCrash(crashed);
        if (++this.crashesInARow > MAX_CRASH_LOOP) {
          this.state = "halted";
          this.exports = null;
          this.emit("halted", this.lastResetReason);
          return;
        }
        continue;
      }
      if (initResult < 0) {
        this.lastInitError = initResult;
        this.state = "init-failed";
        this.initRetryAt = this.clockMs() + INIT_RETRY_MS;
        this.log(0, `tk_init returned ${initResult}; retrying boot in ${INIT_RETRY_MS} ms`);
        return;
      }
      this.crashesInARow = 0;
      this.state = "running";
      this.flushTx();
      this.emit("boot", this.boots);
      return;
    }
  }

  /**
   * docs/boot.md: without a trust anchor the development module runs; with one, the boot
   * rules choose a verified slot image (false: none, recovery). May be cut by a power cut.
   */
  private pickImage(): boolean {
    const boot = this.bootloader!;
    boot.link.reset();
    boot.service.powerLoss();
    this.recoveryRx = null;
    if (boot.store.anchors.length === 0) {
      this.running = "development";
      this.module = this.devModule;
      return true;
    }
    this.running = null;
    const decision = chooseBoot(boot.trailers, boot.store, this.board, (bytes) => this.compileChecked(bytes));
    this.lastBootDecision = decision;
    for (const r of decision.refused) this.log(1, `boot: slot ${r.slot} refused: ${r.code}: ${r.message}`);
    const choice = decision.choice;
    if (!choice) return false;
    this.module = this.compiled.get(toHexLower(choice.image.fields.moduleSha256))!;
    this.running = { slot: choice.slot, mode: choice.mode, sha256: choice.sha256, fields: choice.image.fields };
    return true;
  }

  /** hal.boot_confirm: the shell marks the trial image confirmed (docs/boot.md C1-C2). */
  private firmwareConfirm(): number {
    try {
      return this.bootloader!.service.firmwareConfirm();
    } catch (e) {
      if (e instanceof PowerCut) this.selfConfirmCuts++;
      throw e;
    }
  }

  /** Compiles a verified module (cached by its signed SHA-256); a message when the runtime would refuse it. */
  private compileChecked(bytes: Uint8Array): string | null {
    const key = toHexLower(createHash("sha256").update(bytes).digest());
    if (this.compiled.has(key)) return null;
    try {
      const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      checkModuleShape(module);
      this.compiled.set(key, module);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private readMailbox(): void {
    const fw = this.exports!;
    this.mailbox = fw.tk_io_buffer() >>> 0;
    this.capacity = fw.tk_io_capacity() >>> 0;
    const memBytes = fw.memory.buffer.byteLength;
    if (this.capacity < 512 || this.mailbox + this.capacity > memBytes) {
      throw new FirmwarePanic(`mailbox ${this.mailbox}+${this.capacity} is smaller than 512 bytes or outside memory (${memBytes})`);
    }
  }

  /** One export call; a crash inside it reboots the device and yields undefined. */
  private invoke<T>(call: (fw: FirmwareExports) => T): T | undefined {
    if (this.state !== "running" || !this.exports) return undefined;
    if (this.busy) throw new Error("re-entrant call into the firmware (the shell must make one export call at a time)");
    this.busy = true;
    let result: T | undefined;
    let crashed: unknown = null;
    try {
      result = call(this.exports);
    } catch (e) {
      crashed = e;
    } finally {
      this.busy = false;
    }
    if (crashed) {
      this.recordCrash(crashed);
      this.boot();
      return undefined;
    }
    this.flushTx();
    this.drainRxBacklog();
    return result;
  }

  private recordCrash(e: unknown): void {
    let reason: ResetReason;
    if (e instanceof PowerCut) reason = { kind: "power-cut", message: e.message };
    else if (e instanceof FirmwarePanic) reason = { kind: "panic", message: e.reason };
    else if (e instanceof FirmwareReset) reason = { kind: "reset", message: e.message };
    else if (e instanceof WebAssembly.RuntimeError) reason = { kind: "trap", message: e.message };
    else throw e;
    this.dropInstance(reason, reason.kind === "power-cut");
    if (reason.kind === "power-cut") this.powerOnAt = this.now();
    this.log(0, `reboot after ${reason.kind}: ${reason.message}`);
    this.emit("reset", reason);
  }

  private dropInstance(reason: ResetReason, powerLost: boolean): void {
    this.lastResetReason = reason;
    this.exports = null;
    this.keystore.clearVolatile();
    this.nfc = { personality: 0, uid: new Uint8Array(7), field: false };
    this.rxBacklog = [];
    if (powerLost) {
      this.txPending = [];
      this.txPendingBytes = 0;
      this.txLine?.clear();
      this.rxLine?.clear();
    }
  }

  private uartWrite(bytes: Uint8Array): number {
    if (this.txLine) return this.txLine.push(bytes);
    const accepted = Math.min(bytes.length, UART_TX_CAPACITY - this.txPendingBytes);
    if (accepted > 0) {
      this.txPending.push(bytes.subarray(0, accepted));
      this.txPendingBytes += accepted;
    }
    return accepted;
  }

  private flushTx(): void {
    if (this.txPendingBytes === 0) return;
    const out = Buffer.concat(this.txPending);
    this.txPending = [];
    this.txPendingBytes = 0;
    this.emit("uart", new Uint8Array(out.buffer, out.byteOffset, out.length));
  }

  private deliverRx(bytes: Uint8Array): void {
    if (!this.bootloader) {
      this.firmwareRx(bytes);
      return;
    }
    if (this.state === "off" || this.state === "halted") return;
    try {
      this.bootloader.link.push(bytes);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      this.recordCrash(e);
      this.bootloader.link.reset();
      this.bootAfterCut();
      return;
    }
    if (this.resetRequested) {
      this.resetRequested = false;
      this.dropInstance({ kind: "reset", message: "reset requested on the boot channel" }, false);
      this.bootloader.link.reset();
      this.bootAfterCut();
    }
  }

  /** Boot after the shell itself lost power or reset (not inside a firmware call). */
  private bootAfterCut(): void {
    this.crashesInARow = 0;
    this.boot();
  }

  private firmwareRx(bytes: Uint8Array): void {
    if (this.state === "recovery") {
      this.answerInRecovery(bytes);
      return;
    }
    if (this.state !== "running") return;
    if (this.busy) {
      this.rxBacklog.push(bytes.slice());
      return;
    }
    for (let at = 0; at < bytes.length && this.state === "running"; at += this.capacity) {
      const piece = bytes.subarray(at, at + this.capacity);
      new Uint8Array(this.exports!.memory.buffer, this.mailbox, piece.length).set(piece);
      this.invoke((fw) => fw.tk_link_rx(piece.length));
    }
  }

  private drainRxBacklog(): void {
    while (this.rxBacklog.length > 0 && !this.busy) this.firmwareRx(this.rxBacklog.shift()!);
  }

  /** No firmware runs: requests for it are answered `unsupported`, so the host learns why at once. */
  private answerInRecovery(bytes: Uint8Array): void {
    this.recoveryRx ??= new FrameReceiver({ maxFrame: this.board.link.maxFrame });
    for (const f of this.recoveryRx.push(bytes)) {
      if (f.flags !== 0) continue;
      this.uartWrite(
        encodeFrame({
          channel: f.channel,
          flags: FLAGS.RESP | FLAGS.ERR,
          seq: f.seq,
          body: { code: "unsupported", msg: "no firmware image runs (recovery): only the boot channel answers; tapkit image list --port P shows why" },
        }),
      );
    }
    this.flushTx();
  }

  private nfcConfigure(personality: number, uid: Uint8Array): void {
    this.nfc = { personality: requirePersonality(this.board, personality), uid, field: this.nfc.field };
    this.emit("nfc-configure", { personality, uid });
  }

  private nfcExchange(personality: 1 | 2, command: Uint8Array, minResponse: number, call: (fw: FirmwareExports, len: number) => number): Uint8Array {
    const kind = personality === 1 ? "Type 4" : "Type 2";
    if (this.state !== "running") throw new TapkitError("SIM_TAG_LOST", `the device is ${this.state}`, "power the simulated device on and wait for boot");
    if (this.nfc.personality !== personality) {
      throw new TapkitError(
        "SIM_NFC_PERSONALITY",
        `the firmware presents NFC personality ${this.nfc.personality}, not ${kind}`,
        "the firmware selects its personality with hal.nfc_configure during tk_init",
      );
    }
    if (command.length > this.capacity) {
      throw new TapkitError(
        "SIM_NFC_TOO_LONG",
        `${kind} command of ${command.length} bytes exceeds the ${this.capacity}-byte mailbox`,
        `keep commands within board.nfc.maxApdu (${this.board.nfc.maxApdu})`,
      );
    }
    this.field(true);
    if (this.state !== "running") throw new TapkitError("SIM_TAG_LOST", "the device rebooted when the field came up", "see lastResetReason");
    new Uint8Array(this.exports!.memory.buffer, this.mailbox, command.length).set(command);
    const bootsBefore = this.boots;
    const length = this.invoke((fw) => call(fw, command.length));
    if (length === undefined || this.boots !== bootsBefore) {
      throw new TapkitError(
        "SIM_TAG_LOST",
        `the device rebooted during the ${kind} command (${this.lastResetReason?.kind}: ${this.lastResetReason?.message})`,
        "a real reader reports the tag as lost; tap again",
      );
    }
    if (length < minResponse || length > this.capacity) {
      throw new TapkitError(
        "SIM_NFC_BAD_RESPONSE",
        `firmware returned a ${kind} response length of ${length}`,
        `responses are ${minResponse}..${this.capacity} bytes`,
      );
    }
    return new Uint8Array(this.exports!.memory.buffer, this.mailbox, length).slice();
  }

  private log(level: number, text: string): void {
    this.emit("log", { level, text });
    if (this.verbose) process.stderr.write(`[sim ${this.board.name}] ${["ERR", "WRN", "INF", "DBG"][level] ?? level} ${text}\n`);
  }
}

function readWasm(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TapkitError(
      "SIM_NO_FIRMWARE",
      `cannot read firmware ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      "build it first: tapkit build --board <name>",
    );
  }
}

/** Refuse modules a real shell would fail to link, with the offending name. */
function checkModuleShape(module: WebAssembly.Module): void {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== "hal" || imp.kind !== "function" || !(imp.name in HAL_IMPORT_SIGNATURES)) {
      throw new TapkitError(
        "SIM_BAD_IMPORT",
        `firmware imports ${imp.kind} ${imp.module}.${imp.name}, which HAL ABI v1 does not provide`,
        "the firmware may import only hal.* functions listed in docs/hal-abi.md (route abort with --use abort=...)",
      );
    }
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((name) => !exported.has(name));
  if (missing.length) {
    throw new TapkitError("SIM_MISSING_EXPORT", `firmware does not export ${missing.join(", ")}`, "see docs/hal-abi.md, Exports");
  }
}
