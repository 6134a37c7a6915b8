// Ops called straight into an in-process SimDevice (the store's `store.*` for the torture run
// and its bench): one request frame in, the answer frame out, synchronously and without line
// pacing or retries. Op names, channels and argument types come from the op catalogue. A
// power cut inside the call reboots the device before receive() returns, so "no answer"
// means the operation was in flight when power failed.
import { FLAGS, FrameReceiver, type Body } from "../link/index.ts";
import { opRequestFrame, type OpArgsParam, type OpName, type OpResult } from "../ops/index.ts";
import type { SimDevice } from "../sim/device.ts";

export type StoreAnswer<B = Body> = { kind: "ok"; body: B } | { kind: "error"; code: string; msg: string } | { kind: "lost" };

export class StoreLink {
  private readonly receiver: FrameReceiver;
  private seq = 1;
  private answers: { seq: number; flags: number; body: Body }[] = [];

  constructor(readonly device: SimDevice) {
    this.receiver = new FrameReceiver({ maxFrame: device.board.link.maxFrame });
    device.on("uart", (bytes: Uint8Array) => {
      for (const f of this.receiver.push(bytes)) {
        if (f.flags & FLAGS.RESP) this.answers.push({ seq: f.seq, flags: f.flags, body: f.body });
      }
    });
  }

  call<N extends OpName>(op: N, ...[args]: OpArgsParam<N>): StoreAnswer<OpResult<N>> {
    return this.callByName(op, args ?? {}) as StoreAnswer<OpResult<N>>;
  }

  /** An op chosen at run time (a workload's): the name is still the catalogue's, the arguments unchecked. */
  callByName(op: OpName, args: Body): StoreAnswer {
    return this.exchange((seq) => opRequestFrame(op, args, seq));
  }

  /** One request frame (built for the seq it is given) in, its answer out. */
  exchange(frameFor: (seq: number) => Uint8Array): StoreAnswer {
    const seq = this.seq;
    this.seq = (this.seq % 0xffff) + 1;
    this.answers = [];
    // A frame delimiter first: a reboot may have left the device's receiver mid-frame.
    this.device.receive(new Uint8Array([0]));
    this.device.receive(frameFor(seq));
    const answer = this.answers.find((a) => a.seq === seq);
    if (!answer) return { kind: "lost" };
    if (answer.flags & FLAGS.ERR) return { kind: "error", code: String(answer.body.code), msg: String(answer.body.msg) };
    return { kind: "ok", body: answer.body };
  }

  /** Like call, but any answer other than success is thrown (set-up steps, reads). */
  must<N extends OpName>(op: N, ...[args]: OpArgsParam<N>): OpResult<N> {
    const a = this.callByName(op, args ?? {}) as StoreAnswer<OpResult<N>>;
    if (a.kind === "ok") return a.body;
    throw new Error(a.kind === "lost" ? `${op}: no answer (device rebooted)` : `${op}: ${a.code}: ${a.msg}`);
  }
}
