// Device log events on the link's log channel: `{t, msg, level}` with flag EVENT and our own
// running seq, sent when at or below the level the host set (default 2, info). Every line
// also goes to the native console (hal.log). Messages are built piecewise into the event
// frame (logBegin, logText/logBytes..., logEnd), so nothing is concatenated or allocated.
import { clock_ms } from "../hal/clock";
import { log } from "../hal/system";
import {
  encodeMap, encodeText, encodeTextHead, encodeUint, encoderEnd, encoderOverflow, encoderPos,
  encoderReserve, encoderRestore,
} from "../codec/cbor/cbor-writer";
import { frameBegin, frameFinish, frameSend } from "../link/frame-writer";
import { CH_LOG, FLAG_EVENT } from "../link/protocol";
import { textByte } from "../lib/text";

export const LEVEL_ERROR: i32 = 0;
export const LEVEL_WARN: i32 = 1;
export const LEVEL_INFO: i32 = 2;
export const LEVEL_DEBUG: i32 = 3;

// Event frames are short lines; a board name or message that does not fit is cut off.
const EVENT_CAP: i32 = 256;
const EVENT = memory.data(EVENT_CAP);

let linkLevel: i32 = LEVEL_INFO;
let eventSeq: i32 = 0;
let level: i32 = 0;
let textStart: usize = 0;
let textCap: i32 = 0;
let textLen: i32 = 0;
// The request being encoded when an event is logged from inside a handler.
let savedPos: usize = 0;
let savedEnd: usize = 0;
let savedOverflow = false;

/** Starts an event whose message is exactly `msgLen` bytes (shorter pieces are padded). */
export function logBegin(eventLevel: i32, msgLen: i32): void {
  savedPos = encoderPos();
  savedEnd = encoderEnd();
  savedOverflow = encoderOverflow();
  level = eventLevel;
  const cap = EVENT_CAP - 40;
  textCap = msgLen < cap ? msgLen : cap;
  textLen = 0;
  frameBegin(EVENT, CH_LOG, FLAG_EVENT, eventSeq);
  encodeMap(3);
  encodeText("t");
  encodeUint(<u64>clock_ms());
  encodeText("msg");
  encodeTextHead(textCap);
  textStart = encoderReserve(textCap);
  // No room (a host that asked for tiny frames): keep the console line empty, send nothing.
  if (textStart == 0) textCap = 0;
}

export function logBytes(ptr: usize, len: i32): void {
  for (let i = 0; i < len && textLen < textCap; i++) {
    store<u8>(textStart + textLen, load<u8>(ptr + i));
    textLen++;
  }
}

export function logText(s: string): void {
  for (let i = 0; i < s.length && textLen < textCap; i++) {
    store<u8>(textStart + textLen, textByte(s, i));
    textLen++;
  }
}

export function logEnd(): void {
  // The text length was promised in the head; pad rather than emit a malformed string.
  while (textLen < textCap) {
    store<u8>(textStart + textLen, 0x20);
    textLen++;
  }
  encodeText("level");
  encodeUint(<u64>level);
  const len = frameFinish(EVENT);
  if (textCap > 0) log(level, textStart, textLen);
  if (len > 0 && level <= linkLevel) {
    frameSend(EVENT, len);
    eventSeq = (eventSeq + 1) & 0xffff;
  }
  encoderRestore(savedPos, savedEnd, savedOverflow);
}

/** One-piece event from a literal. */
export function logLine(eventLevel: i32, msg: string): void {
  logBegin(eventLevel, msg.length);
  logText(msg);
  logEnd();
}

/** Events above `level` stay on the native console (the log channel's `level` op). */
export function setLinkLevel(newLevel: i32): void {
  linkLevel = newLevel;
}
