// Why the device said no, kept for the technician: a ring of the last 8 refusals since boot
// (ops answered with an error code, and taps answered with a status word other than 9000,
// except the SELECT-by-name misses every phone makes while probing for apps), read with the
// log channel's `recent` op (log-ops.ts; `tapkit doctor`). Refused taps also go out as warn events, so
// `tapkit monitor` shows a failing tap live (taps from a reader; injected ones are answered
// to their host directly). Static memory only: 8 x 64 bytes.
import { clock_ms } from "../hal/clock";
import { encodeArray, encodeMap, encodeText, encodeTextBytes, encodeUint } from "../codec/cbor/cbor-writer";
import { statusCode } from "../link/status";
import { LEVEL_WARN, logBegin, logBytes, logEnd } from "./link-log";
import { textByte } from "../lib/text";

const ENTRIES: i32 = 8;
const STRIDE: i32 = 64;
// Per entry: u32 ms since boot, u8 text length, then the text.
const TEXT_AT: i32 = 5;
const TEXT_CAP: i32 = STRIDE - TEXT_AT;
const RING = memory.data(ENTRIES * STRIDE);

let total: u32 = 0;
let entry: usize = 0;
let textLen: i32 = 0;

function begin(): void {
  entry = RING + <usize>((total % <u32>ENTRIES) * <u32>STRIDE);
  store<u32>(entry, <u32>clock_ms());
  textLen = 0;
  total++;
}

function putByte(b: u8): void {
  if (textLen < TEXT_CAP) {
    store<u8>(entry + <usize>(TEXT_AT + textLen), b);
    textLen++;
  }
}

function putText(s: string): void {
  for (let i = 0; i < s.length; i++) putByte(textByte(s, i));
}

function putHex(v: u32, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) {
    const n = (v >> (<u32>i * 4)) & 15;
    putByte(<u8>(n < 10 ? 48 + n : 55 + n));
  }
}

function end(): void {
  store<u8>(entry + 4, <u8>textLen);
}

/** An op answered with `status` (not OK): "<op> <code>: <message>". */
export function noteOpRefused(opPtr: usize, opLen: i32, status: i32, message: string): void {
  begin();
  for (let i = 0; i < opLen; i++) putByte(load<u8>(opPtr + <usize>i));
  putByte(32);
  putText(statusCode(status));
  putText(": ");
  putText(message);
  end();
}

/** The tag answered a command (INS P1) with `sw`; kept unless it is 9000 or an app probe, and sent as a warn event when `announce`. */
export function noteTapAnswer(ins: u32, p1: u32, sw: u32, announce: bool): void {
  if (sw == 0x9000 || (sw >> 8) == 0x61) return;
  // Phones SELECT payment and other apps by name to see what the tag offers: not a refusal.
  if (ins == 0xa4 && p1 == 0x04 && sw == 0x6a82) return;
  begin();
  putText("tap refused: INS ");
  putHex(ins, 2);
  putText(" P1 ");
  putHex(p1, 2);
  putText(" answered SW ");
  putHex(sw, 4);
  end();
  if (!announce) return;
  logBegin(LEVEL_WARN, textLen);
  logBytes(entry + <usize>TEXT_AT, textLen);
  logEnd();
}

/** The `recent` op's answer (log-ops.ts): `{total, recent: [{t, msg}]}`, oldest first. */
export function encodeRecent(): void {
  const n: u32 = total < <u32>ENTRIES ? total : <u32>ENTRIES;
  encodeMap(2);
  encodeText("total");
  encodeUint(<u64>total);
  encodeText("recent");
  encodeArray(<i32>n);
  for (let k: u32 = total - n; k < total; k++) {
    const e = RING + <usize>((k % <u32>ENTRIES) * <u32>STRIDE);
    encodeMap(2);
    encodeText("t");
    encodeUint(<u64>load<u32>(e));
    encodeText("msg");
    encodeTextBytes(e + <usize>TEXT_AT, <i32>load<u8>(e + 4));
  }
}
