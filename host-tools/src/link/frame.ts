// Link protocol v1 frames: building wire bytes and the receiver state machine.
// Wire = COBS(header(4) | CBOR body | CRC-32 LE) followed by one 00 delimiter.
// The receiver applies the doc's receiver rules 1-6 and 8 in order and counts each failure;
// rule 7 (unknown channel) is the device's business and left to the caller.
import { encodeBody, decodeBody, type Body } from "./cbor.ts";
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from "./cobs.ts";
import { crc32 } from "./crc32.ts";

export const VERSION = 1;
export const HEADER_LENGTH = 4;
export const CRC_LENGTH = 4;
/** Header + CRC: the shortest valid raw frame (empty body). */
export const MIN_RAW_FRAME = HEADER_LENGTH + CRC_LENGTH;
/** maxFrame of both simulated boards, and the host's own default. */
export const DEFAULT_MAX_FRAME = 1024;

/** BOOT (4) is served by the board shell itself, not the firmware (docs/boot.md). */
export const CHANNEL = Object.freeze({ SHELL: 0, APP: 1, LOG: 2, NFC_TEST: 3, BOOT: 4 } as const);
export const FLAGS = Object.freeze({ RESP: 1, ERR: 2, EVENT: 4 } as const);

export interface FrameHeader {
  channel: number;
  flags: number;
  seq: number;
}

export interface Frame extends FrameHeader {
  body: Body;
}

/** What encodeFrame accepts: a body object, or already-encoded body bytes (tests send bad CBOR). */
export interface OutgoingFrame extends FrameHeader {
  body?: Body | Uint8Array;
}

/** Largest frame on the wire for a given maxFrame, delimiter included (doc: maxFrame + ceil(maxFrame/254) + 1). */
export function maxWireLength(maxFrame: number): number {
  return cobsMaxEncodedLength(maxFrame) + 1;
}

/** header | body | crc32 LE, before COBS. */
export function buildRawFrame(frame: OutgoingFrame): Uint8Array {
  const { channel, flags, seq } = frame;
  if (!Number.isInteger(channel) || channel < 0 || channel > 15) throw new RangeError(`channel ${channel} is not 0-15`);
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) throw new RangeError(`flags ${flags} is not a byte`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new RangeError(`seq ${seq} is not a u16`);
  const body = frame.body instanceof Uint8Array ? frame.body : frame.body === undefined ? new Uint8Array(0) : encodeBody(frame.body);
  const raw = new Uint8Array(HEADER_LENGTH + body.length + CRC_LENGTH);
  raw[0] = (VERSION << 4) | channel;
  raw[1] = flags;
  raw[2] = seq & 0xff;
  raw[3] = seq >>> 8;
  raw.set(body, HEADER_LENGTH);
  const crc = crc32(raw.subarray(0, HEADER_LENGTH + body.length));
  new DataView(raw.buffer, raw.byteOffset).setUint32(HEADER_LENGTH + body.length, crc, true);
  return raw;
}

/** COBS-encodes a raw frame and appends the 00 delimiter. */
export function wireFromRaw(raw: Uint8Array): Uint8Array {
  const enc = cobsEncode(raw);
  const wire = new Uint8Array(enc.length + 1);
  wire.set(enc);
  return wire;
}

/** Wire bytes of one frame, trailing 00 included. */
export function encodeFrame(frame: OutgoingFrame): Uint8Array {
  return wireFromRaw(buildRawFrame(frame));
}

export interface ReceiverCounters {
  rx: number;
  oversize: number;
  cobs: number;
  short: number;
  crc: number;
  version: number;
  body: number;
}

export interface FrameReceiverOptions {
  /** Largest raw frame accepted (header + body + CRC). Default 1024. */
  maxFrame?: number;
  /** Called for frames that pass CRC and version but whose body breaks the rules (the device answers bad-body). */
  onBadBody?: (header: FrameHeader, reason: string) => void;
}

export class FrameReceiver {
  readonly counters: ReceiverCounters = { rx: 0, oversize: 0, cobs: 0, short: 0, crc: 0, version: 0, body: 0 };
  private maxRaw: number;
  private buf: Uint8Array;
  private len = 0;
  /** Set after an oversize frame: drop bytes until the next 00. */
  private discarding = false;
  private readonly onBadBody?: FrameReceiverOptions["onBadBody"];

  constructor(opts: FrameReceiverOptions = {}) {
    this.maxRaw = opts.maxFrame ?? DEFAULT_MAX_FRAME;
    this.buf = new Uint8Array(cobsMaxEncodedLength(this.maxRaw));
    this.onBadBody = opts.onBadBody;
  }

  get maxFrame(): number {
    return this.maxRaw;
  }

  /** Changes the accepted size (e.g. after hello); a partly received frame is kept if it still fits. */
  setMaxFrame(maxFrame: number): void {
    const next = new Uint8Array(cobsMaxEncodedLength(maxFrame));
    if (this.len > next.length) {
      this.discarding = true;
      this.counters.oversize++;
      this.len = 0;
    } else next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.maxRaw = maxFrame;
  }

  /** Feeds received bytes; returns the frames completed by them, in order. */
  push(bytes: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 0) {
        if (this.discarding) this.discarding = false;
        else if (this.len > 0) {
          const frame = this.finish(this.buf.subarray(0, this.len));
          if (frame) frames.push(frame);
        }
        this.len = 0;
        continue;
      }
      if (this.discarding) continue;
      if (this.len === this.buf.length) {
        this.counters.oversize++;
        this.discarding = true;
        this.len = 0;
        continue;
      }
      this.buf[this.len++] = b;
    }
    return frames;
  }

  private finish(encoded: Uint8Array): Frame | undefined {
    let raw: Uint8Array;
    try {
      raw = cobsDecode(encoded);
    } catch {
      this.counters.cobs++;
      return undefined;
    }
    if (raw.length < MIN_RAW_FRAME) {
      this.counters.short++;
      return undefined;
    }
    // COBS can pack a raw frame slightly over maxFrame into the encoded limit; still refuse it.
    if (raw.length > this.maxRaw) {
      this.counters.oversize++;
      return undefined;
    }
    const bodyEnd = raw.length - CRC_LENGTH;
    const want = new DataView(raw.buffer, raw.byteOffset).getUint32(bodyEnd, true);
    if (crc32(raw.subarray(0, bodyEnd)) !== want) {
      this.counters.crc++;
      return undefined;
    }
    if (raw[0]! >>> 4 !== VERSION) {
      this.counters.version++;
      return undefined;
    }
    const header: FrameHeader = { channel: raw[0]! & 0x0f, flags: raw[1]!, seq: raw[2]! | (raw[3]! << 8) };
    let body: Body;
    try {
      body = decodeBody(raw.subarray(HEADER_LENGTH, bodyEnd));
    } catch (e) {
      this.counters.body++;
      this.onBadBody?.(header, e instanceof Error ? e.message : String(e));
      return undefined;
    }
    this.counters.rx++;
    return { ...header, body };
  }
}
