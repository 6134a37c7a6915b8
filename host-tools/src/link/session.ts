// One conversation with a tapkit device over a Transport: hello, requests with retries,
// windowed bulk transfers and device events. Implements the host side of "Requests and
// responses" in docs/link-protocol.md: a new seq per request, the same seq on every retry
// (the device replays its stored answer instead of executing twice), a per-attempt timeout
// derived from the line rate, and typed errors for timeouts and device ERR answers.
import type { Body } from "./cbor.ts";
import { LinkError, lifecycleHint } from "./errors.ts";
import {
  buildRawFrame,
  CHANNEL,
  DEFAULT_MAX_FRAME,
  FLAGS,
  FrameReceiver,
  maxWireLength,
  MIN_RAW_FRAME,
  VERSION,
  wireFromRaw,
  type Frame,
  type ReceiverCounters,
} from "./frame.ts";
import { DEFAULT_BAUD, type Transport } from "./transport.ts";

export const DEFAULT_RETRIES = 3;
export const DEFAULT_WINDOW = 8;
/** Fixed part of the per-attempt timeout (doc: 500 ms plus twice the line time). */
export const BASE_TIMEOUT_MS = 500;

export interface SessionOptions {
  /** Per-attempt timeout in ms; replaces the computed default (500 ms + 2x line time) when set. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 3. */
  retries?: number;
  /** Line rate used for the default timeout; default 115200 (also used for TCP/in-process links). */
  baud?: number;
  /** Largest raw frame the host accepts; sent in hello. Default 1024. */
  maxFrame?: number;
  /** seq of the first request (hello); default random. For reproducible traces and tests. */
  firstSeq?: number;
  /** channel that answers hello; default shell (0). The boot channel (4) is the board shell's own and answers without firmware. */
  helloChannel?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

export interface BulkOptions extends RequestOptions {
  /** Requests kept outstanding at once; default 8. */
  window?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The device's answer to hello. */
export interface DeviceHello {
  v: number;
  board: string;
  fw: string;
  abi: number;
  shell: string;
  /** The device's maxFrame: the host never sends a larger raw frame. */
  max: number;
}

/** An unsolicited frame (flag EVENT), e.g. a log line on the log channel. */
export interface LinkEvent {
  channel: number;
  seq: number;
  body: Body;
}

export interface SessionStats {
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Extra attempts made after a per-attempt timeout. */
  retries: number;
  /** Requests given up after all retries. */
  timeouts: number;
  /** Responses whose seq matched no outstanding request (late answers to a retried request, or strays). */
  unmatched: number;
  /** Host-side receiver counters (receiver rules of the doc). */
  receiver: ReceiverCounters;
}

interface Pending {
  channel: number;
  settle(result: { body: Body } | { error: LinkError }): void;
}

const CHANNEL_NAMES: Record<number, string> = { 0: "shell", 1: "app", 2: "log", 3: "nfc-test", 4: "boot" };

function channelName(channel: number): string {
  return CHANNEL_NAMES[channel] ?? `channel ${channel}`;
}

/** Milliseconds `bytes` take on an 8N1 line (10 bits per byte). */
function lineMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}

export class LinkSession {
  private readonly receiver: FrameReceiver;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(ev: LinkEvent) => void>();
  private readonly frameListeners = new Set<(frame: Frame) => void>();
  private readonly counts = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, retries: 0, timeouts: 0, unmatched: 0 };
  private nextSeq: number;
  private closed = false;
  private hello?: DeviceHello;
  private readonly baud: number;
  private readonly retries: number;
  private readonly timeoutMs?: number;

  private constructor(
    readonly transport: Transport,
    opts: SessionOptions,
  ) {
    this.baud = opts.baud ?? DEFAULT_BAUD;
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.timeoutMs = opts.timeoutMs;
    this.receiver = new FrameReceiver({ maxFrame: opts.maxFrame ?? DEFAULT_MAX_FRAME });
    // A random start makes it unlikely that our first request reuses the seq the device last
    // handled for a previous session, which it would answer from its replay store.
    this.nextSeq = (opts.firstSeq ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
    transport.onData((bytes) => this.receive(bytes));
    transport.onClose?.((err) => this.failAll(err ?? new LinkError("LINK_CLOSED", `${transport.description} closed`)));
  }

  /** Flushes the line with a 00, says hello and records the device's answer. On failure the transport stays open: the caller owns it and closes it. */
  static async open(transport: Transport, opts: SessionOptions = {}): Promise<LinkSession> {
    const session = new LinkSession(transport, opts);
    await session.sendRaw(Uint8Array.of(0));
    let answer: Body;
    try {
      // `n`, a fresh nonce, makes every session's hello unlike any earlier one, so the device
      // runs it (and empties its replay cache) instead of taking it for a retry.
      answer = await session.request(opts.helloChannel ?? CHANNEL.SHELL, "hello", {
        v: [VERSION],
        max: session.receiver.maxFrame,
        n: Math.floor(Math.random() * 0x1_0000_0000),
      });
    } catch (e) {
      if (e instanceof LinkError && e.code === "TIMEOUT") {
        const c = session.receiver.counters;
        const junk = c.oversize + c.cobs + c.short + c.crc + c.version + c.body;
        session.detach();
        throw new LinkError(
          "NOT_TAPKIT",
          junk > 0 ? `${transport.description} sent ${junk} unreadable frame(s) but no answer to hello` : `no answer to hello from ${transport.description}`,
          { cause: e },
        );
      }
      session.detach();
      throw e;
    }
    session.hello = session.checkHello(answer);
    return session;
  }

  private checkHello(answer: Body): DeviceHello {
    const { v, max, board, fw, abi, shell } = answer;
    if (v !== VERSION) {
      this.detach();
      throw new LinkError("UNSUPPORTED_VERSION", `${this.transport.description} speaks link protocol ${String(v)}, we speak ${VERSION}`);
    }
    if (!Number.isInteger(max) || (max as number) < 8 || typeof board !== "string") {
      this.detach();
      throw new LinkError("NOT_TAPKIT", `hello answer from ${this.transport.description} lacks max/board: ${JSON.stringify(answer)}`);
    }
    return { v, max: max as number, board, fw: String(fw ?? ""), abi: Number(abi ?? 0), shell: String(shell ?? "") };
  }

  /** The device's hello answer. */
  get device(): DeviceHello {
    if (!this.hello) throw new LinkError("LINK_CLOSED", "session not open: hello has not completed");
    return this.hello;
  }

  /** Largest raw frame we may send (device max after hello, our own before). */
  private get peerMax(): number {
    return this.hello?.max ?? this.receiver.maxFrame;
  }

  /** Largest CBOR body (bytes) a request may carry: the device's maxFrame minus header and CRC. */
  get maxBody(): number {
    return this.peerMax - MIN_RAW_FRAME;
  }

  get stats(): SessionStats {
    return { ...this.counts, receiver: { ...this.receiver.counters } };
  }

  /** Registers a listener for EVENT frames; returns a function that removes it. */
  onEvent(cb: (ev: LinkEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  /** Per-attempt timeout for a request of `wireBytes`, per the doc. */
  attemptTimeoutMs(wireBytes: number): number {
    return BASE_TIMEOUT_MS + 2 * (lineMs(wireBytes, this.baud) + lineMs(maxWireLength(this.peerMax), this.baud));
  }

  /**
   * How long a request may take in all, every attempt included: what a caller that sends raw
   * bytes and expects an answer should wait before calling it missing (the conformance cases),
   * so that a slow or loaded bench is judged by the same --timeout as every other request.
   */
  answerBudgetMs(wireBytes: number): number {
    return (this.timeoutMs ?? this.attemptTimeoutMs(wireBytes)) * (this.retries + 1);
  }

  /** Sends `{op, ...args}` on `channel` and resolves with the device's result map. */
  async request(channel: number, op: string, args: Body = {}, opts: RequestOptions = {}): Promise<Body> {
    if (this.closed) throw new LinkError("LINK_CLOSED", `${this.transport.description} session is closed`);
    const seq = this.allocSeq();
    const raw = buildRawFrame({ channel, flags: 0, seq, body: { ...args, op } });
    if (raw.length > this.peerMax) {
      throw new LinkError("TOO_LARGE", `${channelName(channel)}/${op} request is ${raw.length} bytes; the device accepts ${this.peerMax}`);
    }
    const wire = wireFromRaw(raw);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs ?? this.attemptTimeoutMs(wire.length);
    const retries = opts.retries ?? this.retries;
    return this.exchange(channel, op, seq, wire, timeoutMs, retries);
  }

  private exchange(channel: number, op: string, seq: number, wire: Uint8Array, timeoutMs: number, retries: number): Promise<Body> {
    return new Promise<Body>((resolve, reject) => {
      let attempt = 0;
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const entry: Pending = {
        channel,
        settle: (result) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.pending.delete(seq);
          if ("error" in result) reject(result.error);
          else resolve(result.body);
        },
      };
      this.pending.set(seq, entry);
      const send = () => {
        this.writeFrame(wire).catch((e) => entry.settle({ error: e instanceof LinkError ? e : new LinkError("PORT_ERROR", String(e), { cause: e }) }));
        timer = setTimeout(() => {
          if (done) return;
          if (attempt >= retries) {
            this.counts.timeouts++;
            entry.settle({
              error: new LinkError(
                "TIMEOUT",
                `no answer to ${channelName(channel)}/${op} (seq ${seq}) from ${this.transport.description} after ${attempt + 1} attempt(s) of ${Math.round(timeoutMs)} ms`,
              ),
            });
            return;
          }
          attempt++;
          this.counts.retries++;
          send();
        }, timeoutMs);
      };
      send();
    });
  }

  /**
   * Sends one request per item, keeping up to `window` outstanding; resolves with the results
   * in item order, or rejects with the first failure (requests already sent still finish).
   */
  async bulk(channel: number, op: string, items: Body[], opts: BulkOptions = {}): Promise<Body[]> {
    const window = Math.max(1, opts.window ?? DEFAULT_WINDOW);
    const results: Body[] = new Array(items.length);
    if (items.length === 0) return results;
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let inFlight = 0;
      let done = 0;
      let failed = false;
      const launch = () => {
        while (!failed && next < items.length && inFlight < window) {
          const i = next++;
          inFlight++;
          this.request(channel, op, items[i], opts).then(
            (r) => {
              results[i] = r;
              inFlight--;
              done++;
              opts.onProgress?.(done, items.length);
              if (done === items.length) resolve();
              else launch();
            },
            (e) => {
              failed = true;
              reject(e);
            },
          );
        }
      };
      launch();
    });
    return results;
  }

  /** True once the session or its transport closed: every later request fails with LINK_CLOSED at once. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes bytes as they are (conformance tests inject corrupt frames with this). */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new LinkError("LINK_CLOSED", `${this.transport.description} session is closed`);
    this.counts.bytesSent += bytes.length;
    await this.transport.write(bytes);
  }

  /** Fails outstanding requests with `closed` and closes the transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.failAll(new LinkError("LINK_CLOSED", `${this.transport.description} session closed while waiting for an answer`));
    await this.transport.close();
  }

  private detach(): void {
    this.closed = true;
    this.eventListeners.clear();
  }

  private failAll(error: LinkError): void {
    this.detach();
    for (const p of [...this.pending.values()]) p.settle({ error });
  }

  private allocSeq(): number {
    for (let tries = 0; tries <= 0xffff; tries++) {
      const seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) & 0xffff;
      if (!this.pending.has(seq)) return seq;
    }
    throw new LinkError("TOO_LARGE", "65536 requests outstanding: no free seq", { hint: "use a smaller window" });
  }

  private async writeFrame(wire: Uint8Array): Promise<void> {
    this.counts.framesSent++;
    this.counts.bytesSent += wire.length;
    await this.transport.write(wire);
  }

  private receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.counts.bytesReceived += bytes.length;
    for (const frame of this.receiver.push(bytes)) {
      this.counts.framesReceived++;
      this.dispatch(frame);
    }
  }

  /** Every frame received, before matching (conformance tests watch raw answers with this). */
  onFrame(cb: (frame: Frame) => void): () => void {
    this.frameListeners.add(cb);
    return () => this.frameListeners.delete(cb);
  }

  private dispatch(frame: Frame): void {
    for (const cb of this.frameListeners) cb(frame);
    if (frame.flags & FLAGS.EVENT) {
      const ev: LinkEvent = { channel: frame.channel, seq: frame.seq, body: frame.body };
      for (const cb of this.eventListeners) cb(ev);
      return;
    }
    const p = frame.flags & FLAGS.RESP ? this.pending.get(frame.seq) : undefined;
    if (!p || p.channel !== frame.channel) {
      this.counts.unmatched++;
      return;
    }
    if (frame.flags & FLAGS.ERR) {
      const code = typeof frame.body.code === "string" ? frame.body.code : "unknown";
      const msg = typeof frame.body.msg === "string" ? frame.body.msg : "";
      const hint = typeof frame.body.hint === "string" && frame.body.hint ? frame.body.hint : undefined;
      p.settle({
        error: new LinkError("DEVICE_ERROR", `device answered ${code}${msg ? `: ${msg}` : ""} on ${channelName(frame.channel)} (seq ${frame.seq})`, {
          deviceCode: code,
          deviceMsg: msg,
          hint: hint ?? lifecycleHint(code, msg),
        }),
      });
      return;
    }
    p.settle({ body: frame.body });
  }
}
