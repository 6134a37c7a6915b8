// One emulated chip on the end of its UART (a Unix socket QEMU connects its serial port to):
// decodes the MCU's command frames, answers each exactly once, and answers a retry (same
// seq, same bytes) from its cache without running the command again, so a lost answer never
// makes the chip sign, program or erase twice. HELLO starts a new session (the MCU booted).
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import net from "node:net";
import { E_ARG, E_IO, E_UNSUPPORTED, HalFault } from "../hal-codes.ts";
import { TapkitError } from "../../errors/index.ts";
import { ChipFrameDecoder, crc16, encodeChipFrame, type ChipFrame } from "./chip-frame.ts";
import {
  CHIP_MAX_BODY,
  CHIP_OPS,
  CHIP_PROTOCOL_VERSION,
  OP_ATTENTION,
  OP_HELLO,
  OP_RESPONSE,
  answerBody,
  parseChipArgs,
  type ChipArg,
  type ChipName,
  type ChipOp,
} from "./chip-ops.ts";

export interface ChipAnswer {
  result: number;
  data?: Uint8Array;
}

/** What a chip does; the port handles framing, retries and HELLO. */
export interface ChipHandler {
  /** the name HELLO reports, e.g. "tapkit-se/1" */
  readonly id: string;
  /** the MCU booted: drop session state (volatile keys, pending tag commands) */
  hello(): void;
  handle(op: ChipOp, args: ChipArg[]): ChipAnswer;
}

export class ChipPort extends EventEmitter {
  /** commands executed, retries answered from the cache, frames dropped (CRC, framing) */
  readonly counts = { commands: 0, retries: 0, hellos: 0 };
  private decoder = new ChipFrameDecoder(CHIP_MAX_BODY);
  private socket: net.Socket | null = null;
  private server: net.Server | null = null;
  private last: { seq: number; crc: number; answer: Uint8Array } | null = null;
  private readonly ops: Map<number, ChipOp>;
  /** every answer goes out this long after its command (a slow bus or a busy chip) */
  answerDelayMs = 0;

  constructor(
    readonly chip: ChipName,
    private readonly handler: ChipHandler,
  ) {
    super();
    this.ops = new Map(CHIP_OPS.filter((o) => o.chip === chip || o.chip === null).map((o) => [o.op, o]));
  }

  get badFrames(): number {
    return this.decoder.bad;
  }

  /** Listens on a Unix socket for the emulator's serial port (one connection at a time). */
  listen(path: string): Promise<void> {
    rmSync(path, { force: true });
    const server = net.createServer((socket) => this.attach(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) =>
        reject(
          new TapkitError(
            "SIM_CHIP_LISTEN",
            `cannot listen for the ${this.chip} UART on ${path}: ${e.code ?? e.message}`,
            "check that the directory is writable",
          ),
        ),
      );
      server.listen(path, () => resolve());
    });
  }

  /** Serves one byte stream (replaces the previous one, as re-plugging a cable would). */
  attach(socket: net.Socket): void {
    this.socket?.destroy();
    this.socket = socket;
    this.decoder = new ChipFrameDecoder(CHIP_MAX_BODY);
    socket.on("data", (chunk: Buffer) => {
      if (this.socket !== socket) return;
      for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (this.socket === socket) this.socket = null;
    });
  }

  /** Raises the chip's interrupt line: an unsolicited ATTENTION frame. */
  attention(): void {
    this.write(encodeChipFrame(OP_ATTENTION, 0));
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = null;
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private write(bytes: Uint8Array): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(bytes);
  }

  private onFrame(frame: ChipFrame): void {
    if (frame.op & OP_RESPONSE || frame.op === OP_ATTENTION) return; // only the MCU commands
    const crc = crc16(frame.body, crc16(Uint8Array.of(frame.op, frame.seq)));
    if (this.last && this.last.seq === frame.seq && this.last.crc === crc && frame.op !== OP_HELLO) {
      this.counts.retries++;
      this.write(this.last.answer);
      return;
    }
    const answer = encodeChipFrame(frame.op | OP_RESPONSE, frame.seq, this.execute(frame));
    this.last = { seq: frame.seq, crc, answer };
    if (this.answerDelayMs > 0) setTimeout(() => this.write(answer), this.answerDelayMs);
    else this.write(answer);
  }

  private execute(frame: ChipFrame): Uint8Array {
    const op = this.ops.get(frame.op);
    if (!op) return answerBody(E_UNSUPPORTED);
    const args = parseChipArgs(op.args, frame.body);
    if (!args) return answerBody(E_ARG);
    if (op.op === OP_HELLO) {
      this.counts.hellos++;
      this.handler.hello();
      this.emit("hello");
      const id = new TextEncoder().encode(this.handler.id);
      return answerBody(CHIP_PROTOCOL_VERSION, id.subarray(0, (args[0] as { cap: number }).cap));
    }
    this.counts.commands++;
    try {
      const { result, data } = this.handler.handle(op, args);
      return answerBody(result, data);
    } catch (e) {
      if (e instanceof HalFault) return answerBody(e.code);
      this.emit("fault", e);
      return answerBody(E_IO);
    }
  }
}
