// The throttled UART line: bytes move at baud/10 bytes per second (8N1: start + 8 data +
// stop bits) in each direction. The schedule is a pure function of time so it can be
// tested without clocks; ThrottledLine applies it with a timer and elapsed-time
// accounting (no per-byte sleeps), delivering whatever the line allowed in chunks.

/** Milliseconds one byte occupies the line: 10 bits at `baud`. */
export function byteTimeMs(baud: number): number {
  return 10_000 / baud;
}

/**
 * How many of `queued` bytes may cross the line by `nowMs`, when the line has been busy
 * since `busySinceMs` and `sentSinceBusy` bytes have crossed since then. Counting from one
 * anchor (not adding up per-step float times) keeps long transfers exact: after t ms
 * exactly floor(t * baud / 10000) bytes have passed.
 */
export function bytesThatMayPass(baud: number, queued: number, busySinceMs: number, sentSinceBusy: number, nowMs: number): number {
  if (nowMs <= busySinceMs || queued <= 0) return 0;
  const due = Math.floor(((nowMs - busySinceMs) * baud) / 10_000 + 1e-9);
  return Math.max(0, Math.min(queued, due - sentSinceBusy));
}

export interface ThrottledLineOptions {
  baud: number;
  /** where bytes go once they have crossed the line */
  deliver: (bytes: Uint8Array) => void;
  /** clock in ms (default performance.now) */
  now?: () => number;
  /** pump interval in ms while bytes are waiting (default 4) */
  pumpMs?: number;
  /** refuse bytes beyond this many waiting (default unlimited) */
  capacity?: number;
}

/** One direction of a UART running at a fixed baud rate. */
export class ThrottledLine {
  readonly baud: number;
  private readonly deliver: (bytes: Uint8Array) => void;
  private readonly now: () => number;
  private readonly pumpMs: number;
  private readonly capacity: number;
  private chunks: Uint8Array[] = [];
  private waitingBytes = 0;
  private busySince = 0;
  private sentSinceBusy = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** bytes that have crossed the line since creation */
  transferred = 0;

  constructor(options: ThrottledLineOptions) {
    this.baud = options.baud;
    this.deliver = options.deliver;
    this.now = options.now ?? (() => performance.now());
    this.pumpMs = options.pumpMs ?? 4;
    this.capacity = options.capacity ?? Number.POSITIVE_INFINITY;
  }

  get waiting(): number {
    return this.waitingBytes;
  }

  /** Queue bytes; returns how many were accepted (fewer when the queue is full). */
  push(bytes: Uint8Array): number {
    if (this.closed) return 0;
    const accepted = Math.min(bytes.length, this.capacity - this.waitingBytes);
    if (accepted <= 0) return 0;
    if (this.waitingBytes === 0) {
      // An idle line banks no time: a new busy period starts unless the last byte is still going out.
      const now = this.now();
      const freeAt = this.busySince + (this.sentSinceBusy * 10_000) / this.baud;
      if (now >= freeAt) {
        this.busySince = now;
        this.sentSinceBusy = 0;
      }
    }
    this.chunks.push(bytes.slice(0, accepted));
    this.waitingBytes += accepted;
    this.schedule();
    return accepted;
  }

  /** Move what the schedule allows now; returns the bytes delivered. */
  pump(): number {
    const count = bytesThatMayPass(this.baud, this.waitingBytes, this.busySince, this.sentSinceBusy, this.now());
    if (count === 0) return 0;
    this.sentSinceBusy += count;
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.chunks[0];
      const take = Math.min(head.length, count - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.waitingBytes -= count;
    this.transferred += count;
    this.deliver(out);
    return count;
  }

  /** Drop everything waiting (power loss, reboot). */
  clear(): void {
    this.chunks = [];
    this.waitingBytes = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
      if (this.waitingBytes > 0) this.schedule();
    }, this.pumpMs);
  }
}
