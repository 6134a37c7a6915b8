// Boot-channel requests straight into an in-process SimDevice, synchronously and without
// line pacing or retries (the update torture's host): one request frame in, the shell's
// answer out. A power cut inside the call reboots the device before receive() returns, so
// "lost" means the request was in flight when power failed.
import { CHANNEL, encodeFrame, FLAGS, FrameReceiver, type Body } from "../link/index.ts";
import type { SimDevice } from "../sim/device.ts";

export type BootAnswer = { kind: "ok"; body: Body } | { kind: "error"; code: string; msg: string } | { kind: "lost" };

export class BootDirect {
  private readonly receiver: FrameReceiver;
  private seq = 1;
  private answers: { seq: number; flags: number; body: Body }[] = [];

  constructor(readonly device: SimDevice) {
    this.receiver = new FrameReceiver({ maxFrame: device.board.link.maxFrame });
    device.on("uart", (bytes: Uint8Array) => {
      for (const f of this.receiver.push(bytes)) if (f.channel === CHANNEL.BOOT && f.flags & FLAGS.RESP) this.answers.push(f);
    });
  }

  call(op: string, args: Body = {}): BootAnswer {
    const seq = this.seq;
    this.seq = (this.seq % 0xffff) + 1;
    this.answers = [];
    this.device.receive(new Uint8Array([0]));
    this.device.receive(encodeFrame({ channel: CHANNEL.BOOT, flags: 0, seq, body: { ...args, op } }));
    const answer = this.answers.find((a) => a.seq === seq);
    if (!answer) return { kind: "lost" };
    if (answer.flags & FLAGS.ERR) return { kind: "error", code: String(answer.body.code), msg: String(answer.body.msg) };
    return { kind: "ok", body: answer.body };
  }
}
