// The shell's tap on the UART (docs/boot.md, "The boot channel"): frames on channel 4 are
// the shell's own and never reach the firmware; every other frame passes through to the
// firmware unchanged, byte for byte. The channel is read from the first two wire bytes of a
// frame (COBS code byte, then version|channel, which is never 00 in version 1), so pass-
// through frames stream on without being buffered. Boot requests get the link protocol's
// receiver rules, answers and idempotent retries (same seq and CRC: the stored answer).
import { crc32 } from "../link/crc32.ts";
import { cobsDecode } from "../link/cobs.ts";
import { encodeFrame, FLAGS, FrameReceiver, maxWireLength, type Frame } from "../link/frame.ts";
import type { Body } from "../link/cbor.ts";
import { BOOT_CHANNEL } from "./boot-protocol.ts";

const BOOT_FIRST_BYTE = (1 << 4) | BOOT_CHANNEL;
const DELIMITER = Uint8Array.of(0);

export interface BootLinkHandlers {
  /** bytes of frames for the firmware (other channels), in order */
  toFirmware(bytes: Uint8Array): void;
  /** one boot request: its answer body, or an error {code, msg, hint} */
  request(op: string, args: Body): { body: Body } | { error: Body };
  /** wire bytes of an answer */
  send(wire: Uint8Array): void;
}

export class BootLink {
  private route: "undecided" | "firmware" | "boot" = "undecided";
  private held: number[] = [];
  private readonly receiver: FrameReceiver;
  private lastAnswer: { seq: number; crc: number; wire: Uint8Array } | null = null;
  private frame: Uint8Array;
  private frameLen = 0;

  constructor(
    maxFrame: number,
    private readonly handlers: BootLinkHandlers,
  ) {
    this.frame = new Uint8Array(maxWireLength(maxFrame));
    this.receiver = new FrameReceiver({
      maxFrame,
      onBadBody: (h) => h.flags === 0 && this.answer(h.seq, 0, { error: { code: "bad-body", msg: "the body is not a CBOR map" } }),
    });
  }

  /** Forget a half-received frame and the answer cache (power loss, reboot). */
  reset(): void {
    this.route = "undecided";
    this.held = [];
    this.frameLen = 0;
    this.lastAnswer = null;
  }

  push(bytes: Uint8Array): void {
    let passFrom = -1;
    const flushPass = (end: number) => {
      if (passFrom >= 0 && end > passFrom) this.handlers.toFirmware(bytes.subarray(passFrom, end));
      passFrom = -1;
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.route === "firmware") {
        if (passFrom < 0) passFrom = i;
        if (b === 0) {
          flushPass(i + 1);
          this.route = "undecided";
        }
        continue;
      }
      if (this.route === "boot") {
        if (b === 0) {
          this.bootFrameEnd();
          this.route = "undecided";
        } else if (this.frameLen < this.frame.length) this.frame[this.frameLen++] = b;
        else this.frameLen = this.frame.length + 1; // oversize: dropped at the delimiter
        continue;
      }
      // undecided: wait for two bytes (or a delimiter)
      if (b === 0) {
        this.handlers.toFirmware(Uint8Array.from([...this.held, 0]));
        this.held = [];
        continue;
      }
      this.held.push(b);
      if (this.held.length < 2) continue;
      if (this.held[0]! > 1 && this.held[1] === BOOT_FIRST_BYTE) {
        this.route = "boot";
        this.frame.set(this.held);
        this.frameLen = this.held.length;
      } else {
        this.route = "firmware";
        this.handlers.toFirmware(Uint8Array.from(this.held));
      }
      this.held = [];
    }
    flushPass(bytes.length);
  }

  private bootFrameEnd(): void {
    if (this.frameLen > this.frame.length) {
      this.frameLen = 0;
      return;
    }
    const encoded = this.frame.slice(0, this.frameLen);
    this.frameLen = 0;
    const frames: Frame[] = this.receiver.push(encoded);
    frames.push(...this.receiver.push(DELIMITER));
    for (const f of frames) {
      if (f.flags !== 0 || f.channel !== BOOT_CHANNEL) continue;
      let crc = 0;
      try {
        crc = crc32(cobsDecode(encoded));
      } catch {
        continue;
      }
      if (this.lastAnswer && this.lastAnswer.seq === f.seq && this.lastAnswer.crc === crc) {
        this.handlers.send(this.lastAnswer.wire);
        continue;
      }
      const { op, ...args } = f.body;
      if (typeof op !== "string") {
        this.answer(f.seq, crc, { error: { code: "bad-arg", msg: "op: text required" } });
        continue;
      }
      if (op === "hello") this.lastAnswer = null;
      this.answer(f.seq, crc, this.handlers.request(op, args));
    }
  }

  private answer(seq: number, crc: number, result: { body: Body } | { error: Body }): void {
    const wire =
      "error" in result
        ? encodeFrame({ channel: BOOT_CHANNEL, flags: FLAGS.RESP | FLAGS.ERR, seq, body: result.error })
        : encodeFrame({ channel: BOOT_CHANNEL, flags: FLAGS.RESP, seq, body: result.body });
    this.lastAnswer = { seq, crc, wire };
    this.handlers.send(wire);
  }
}
