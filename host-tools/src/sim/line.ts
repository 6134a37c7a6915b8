// The throttled UART line: bytes move at baud/10 bytes per second (8N1: start + 8 data +
// stop bits) in each direction. The schedule is a pure function of time so it can be
// tested without clocks; ThrottledLine applies it with a timer and elapsed-time
// accounting (no per-byte sleeps), delivering whatever the line allowed in chunks.

/** Milliseconds one byte occupies the line: 10 bits at `baud`. */
export function byteTimeMs(baud: number): number {
  return 10_000 / baud;
}

export interface LineSchedule {
  /** bytes that finish transmitting by `nowMs` */
  count: number;
  /** when the line is free again after those bytes */
  lineFreeAtMs: number;
}

/**
 * How many of `queued` bytes have crossed the line by `nowMs`, given the line became free
 * (or the first of these bytes was queued, whichever was later) at `lineFreeAtMs`.
 * An idle line does not bank time: callers pass max(lineFreeAt, time the bytes arrived).
 */
export function bytesThatMayPass(baud: number, queued: number, lineFreeAtMs: number, nowMs: number): LineSchedule {
  if (nowMs <= lineFreeAtMs || queued === 0) return { count: 0, lineFreeAtMs };
  // Integer arithmetic in units of (ms * baud) keeps long transfers free of float drift.
  const elapsedUnits = Math.floor((nowMs - lineFreeAtMs) * baud);
  const count = Math.min(queued, Math.floor(elapsedUnits / 10_000));
  return { count, lineFreeAtMs: lineFreeAtMs + (count * 10_000) / baud };
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
  private lineFreeAt = 0;
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
    if (this.waitingBytes === 0) this.lineFreeAt = Math.max(this.lineFreeAt, this.now());
    this.chunks.push(bytes.slice(0, accepted));
    this.waitingBytes += accepted;
    this.schedule();
    return accepted;
  }

  /** Move what the schedule allows now; returns the bytes delivered. */
  pump(): number {
    const { count, lineFreeAtMs } = bytesThatMayPass(this.baud, this.waitingBytes, this.lineFreeAt, this.now());
    if (count === 0) return 0;
    this.lineFreeAt = lineFreeAtMs;
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
