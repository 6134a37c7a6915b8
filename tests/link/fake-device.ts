// A minimal tapkit device for link tests, built on our frame codec over any Transport.
// It follows the doc's device rules that the host relies on (answer once per request,
// replay the stored answer for a repeated seq on the same channel, ERR maps) and has knobs
// to misbehave: drop requests, drop answers, stay silent, delay, emit log events.
import { encodeFrame, FLAGS, FrameReceiver, CHANNEL, type Frame } from "../../host-tools/src/link/frame.ts";
import type { Body } from "../../host-tools/src/link/cbor.ts";
import type { Transport } from "../../host-tools/src/link/transport.ts";

export interface FakeDeviceOptions {
  /** Ignore the first N requests entirely (as if lost on the line). */
  dropRequests?: number;
  /** Execute the first N requests but lose their answers (exercises replay on retry). */
  dropAnswers?: number;
  /** Answer after this many ms (0: on the next macrotask). */
  delayMs?: number;
  max?: number;
  /** Version to claim in hello. */
  helloVersion?: number;
}

export class FakeDevice {
  readonly receiver: FrameReceiver;
  /** Every request frame received, in order (including retries and dropped ones). */
  readonly requests: Frame[] = [];
  /** Requests executed (not replayed, not dropped), by op. */
  readonly executed = new Map<string, number>();
  replayed = 0;
  /** Bytes received, for checking the host's flush. */
  readonly bytesIn: number[] = [];
  /** Largest number of requests received and not yet answered at the same time. */
  maxOutstanding = 0;
  private outstanding = 0;
  private queue: Frame[] = [];
  private busy = false;
  private readonly lastAnswer = new Map<number, { seq: number; wire: Uint8Array }>();
  private eventSeq = 0;
  dropRequests: number;
  dropAnswers: number;

  constructor(
    readonly transport: Transport,
    readonly opts: FakeDeviceOptions = {},
  ) {
    this.dropRequests = opts.dropRequests ?? 0;
    this.dropAnswers = opts.dropAnswers ?? 0;
    this.receiver = new FrameReceiver({
      maxFrame: opts.max ?? 1024,
      onBadBody: (h) => void this.send(encodeFrame({ ...h, flags: FLAGS.RESP | FLAGS.ERR, body: { code: "bad-body", msg: "" } })),
    });
    transport.onData((bytes) => {
      this.bytesIn.push(...bytes);
      for (const f of this.receiver.push(bytes)) {
        this.requests.push(f);
        this.queue.push(f);
        this.outstanding++;
        this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
      }
      this.kick();
    });
  }

  private kick(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const later = (fn: () => void) => (this.opts.delayMs ? setTimeout(fn, this.opts.delayMs) : setImmediate(fn));
    later(() => {
      // Strictly in arrival order, one at a time, like the firmware.
      const f = this.queue.shift()!;
      this.outstanding--;
      this.busy = false;
      this.handle(f);
      this.kick();
    });
  }

  private send(wire: Uint8Array): Promise<void> {
    return this.transport.write(wire).catch(() => {});
  }

  emitLog(level: number, msg: string): Promise<void> {
    return this.send(encodeFrame({ channel: CHANNEL.LOG, flags: FLAGS.EVENT, seq: this.eventSeq++ & 0xffff, body: { level, msg, t: 1234 } }));
  }

  private handle(f: Frame): void {
    if (this.dropRequests > 0) {
      this.dropRequests--;
      return;
    }
    const last = this.lastAnswer.get(f.channel);
    if (last && last.seq === f.seq) {
      this.replayed++;
      void this.send(last.wire);
      return;
    }
    const op = String(f.body.op);
    this.executed.set(op, (this.executed.get(op) ?? 0) + 1);
    const answer = this.execute(f.channel, op, f.body);
    if (answer === undefined) return;
    const wire = encodeFrame({ channel: f.channel, flags: FLAGS.RESP | (answer.err ? FLAGS.ERR : 0), seq: f.seq, body: answer.body });
    this.lastAnswer.set(f.channel, { seq: f.seq, wire });
    if (this.dropAnswers > 0) {
      this.dropAnswers--;
      return;
    }
    void this.send(wire);
  }

  private execute(channel: number, op: string, args: Body): { body: Body; err?: true } | undefined {
    const max = this.opts.max ?? 1024;
    switch (`${channel}/${op}`) {
      case "0/hello":
        return { body: { v: this.opts.helloVersion ?? 1, max, board: "fake", fw: "0.0.1", abi: 1, shell: "1" } };
      case "0/ping":
        return { body: args.data === undefined ? {} : { data: args.data } };
      case "0/sink":
        return { body: { n: (args.data as Uint8Array).length } };
      case "0/log":
        void this.emitLog(2, String(args.msg));
        return { body: {} };
      case "0/silent":
        return undefined;
      case "1/fail":
        return { body: { code: "bad-arg", msg: "amount: must be > 0" }, err: true };
      default:
        return { body: { code: "unknown-op", msg: op }, err: true };
    }
  }
}
