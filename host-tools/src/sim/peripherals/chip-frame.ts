// Frames of the peripheral protocol (docs/peripheral-protocol.md) as bytes: SLIP (RFC 1055)
// around `command, seq, body, CRC-16`, the CRC being CRC-16/CCITT-FALSE over command, seq
// and body, little-endian. The decoder keeps good frames and counts bad ones; a frame
// begins after any END, so a receiver that joins mid-stream resynchronises at the next one.

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
const SLIP_ESC_END = 0xdc;
const SLIP_ESC_ESC = 0xdd;

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection; "123456789" gives 0x29B1. */
export function crc16(bytes: Uint8Array, crc = 0xffff): number {
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export interface ChipFrame {
  op: number;
  seq: number;
  body: Uint8Array;
}

/** END, the escaped frame with its CRC, END. */
export function encodeChipFrame(op: number, seq: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const raw = new Uint8Array(body.length + 4);
  raw[0] = op;
  raw[1] = seq;
  raw.set(body, 2);
  const crc = crc16(raw.subarray(0, raw.length - 2));
  raw[raw.length - 2] = crc & 0xff;
  raw[raw.length - 1] = crc >> 8;
  const out: number[] = [SLIP_END];
  for (const b of raw) {
    if (b === SLIP_END) out.push(SLIP_ESC, SLIP_ESC_END);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, SLIP_ESC_ESC);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Uint8Array.from(out);
}

/** Splits a byte stream into frames; frames with a bad CRC, a bad escape or over `maxBody` are dropped and counted. */
export class ChipFrameDecoder {
  bad = 0;
  private buf: number[] = [];
  private esc = false;
  private broken = false;

  constructor(private readonly maxBody: number) {}

  push(chunk: Uint8Array): ChipFrame[] {
    const frames: ChipFrame[] = [];
    for (const byte of chunk) {
      if (byte === SLIP_END) {
        const frame = this.finish();
        if (frame) frames.push(frame);
        continue;
      }
      if (this.broken) continue;
      let b = byte;
      if (this.esc) {
        this.esc = false;
        if (b === SLIP_ESC_END) b = SLIP_END;
        else if (b === SLIP_ESC_ESC) b = SLIP_ESC;
        else {
          this.broken = true;
          continue;
        }
      } else if (b === SLIP_ESC) {
        this.esc = true;
        continue;
      }
      if (this.buf.length >= this.maxBody + 4) this.broken = true;
      else this.buf.push(b);
    }
    return frames;
  }

  private finish(): ChipFrame | null {
    const raw = Uint8Array.from(this.buf);
    const broken = this.broken || this.esc;
    this.buf = [];
    this.esc = false;
    this.broken = false;
    if (raw.length === 0 && !broken) return null; // back-to-back ENDs: not a frame
    if (broken || raw.length < 4 || crc16(raw.subarray(0, raw.length - 2)) !== (raw[raw.length - 2] | (raw[raw.length - 1] << 8))) {
      this.bad++;
      return null;
    }
    return { op: raw[0], seq: raw[1], body: raw.slice(2, raw.length - 2) };
  }
}
