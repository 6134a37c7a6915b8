// The MCU's end of a chip UART, for tests of the host-side chips: a Unix socket client that
// sends command frames and collects the chip's frames (answers and ATTENTION).
import net from "node:net";
import { ChipFrameDecoder, encodeChipFrame, type ChipFrame } from "../../host-tools/src/sim/peripherals/chip-frame.ts";
import { CHIP_MAX_BODY, OP_RESPONSE, commandBody, type ChipArg } from "../../host-tools/src/sim/peripherals/chip-ops.ts";

export interface ChipAnswer {
  result: number;
  data: Uint8Array;
}

export class ChipClient {
  readonly frames: ChipFrame[] = [];
  private readonly decoder = new ChipFrameDecoder(CHIP_MAX_BODY);
  private wake: (() => void) | null = null;
  private seq = 0;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.frames.push(...this.decoder.push(d));
      this.wake?.();
    });
  }

  static connect(path: string): Promise<ChipClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(path, () => resolve(new ChipClient(s)));
      s.once("error", reject);
    });
  }

  /** Raw bytes on the wire (hand-built frames, garbage). */
  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next frame matching `pick`, or null after `ms`. */
  async next(pick: (f: ChipFrame) => boolean, ms = 1000): Promise<ChipFrame | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex(pick);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  /** One command with a fresh seq (or the given one, to retry); its answer. */
  async call(op: number, args: ChipArg[], seq?: number): Promise<ChipAnswer> {
    const s = seq ?? (this.seq = (this.seq + 1) & 0xff);
    this.send(encodeChipFrame(op, s, commandBody(args)));
    const f = await this.next((x) => x.op === (op | OP_RESPONSE) && x.seq === s);
    if (!f) throw new Error(`no answer to command 0x${op.toString(16)} seq ${s}`);
    const view = new DataView(f.body.buffer, f.body.byteOffset, f.body.byteLength);
    return { result: view.getInt32(0, true), data: f.body.subarray(4) };
  }

  get lastSeq(): number {
    return this.seq;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const u32 = (value: number): ChipArg => ({ kind: "u32", value });
export const inBytes = (bytes: Uint8Array): ChipArg => ({ kind: "in", bytes });
export const inPtr = (bytes: Uint8Array): ChipArg => ({ kind: "in-ptr", bytes });
export const out = (cap: number): ChipArg => ({ kind: "out", cap });
export const outPtr = (cap: number): ChipArg => ({ kind: "out-ptr", cap });
