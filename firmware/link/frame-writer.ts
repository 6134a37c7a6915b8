// Outgoing frames: builds header + CBOR body + CRC in a caller's buffer and queues it; the
// queue feeds hal.uart_write, which may take only part of what it is offered; the rest goes
// out on later calls to txFlush() (tk_tick). Frames are COBS-encoded only as the UART takes
// them, through a small staging buffer (codec/cobs/cobs-stream.ts), so no whole encoded copy
// is kept. Two kinds of frame:
// - held (frameSendHeld): answers in their response-cache slot, which stays unchanged until
//   the frame has left (response-cache.ts asks txHoldsWithin() before it moves or reuses one);
// - copied (frameSend): log events, whose buffer is reused at once; their raw bytes wait in a
//   small FIFO of their own.
// A frame that finds no room is dropped whole (the host retries requests; events are lost).
import { uart_write } from "../hal/uart";
import { MAX_FRAME } from "../board";
import { cobsStreamDone, cobsStreamNext, cobsStreamStart } from "../codec/cobs/cobs-stream";
import { crc32 } from "../codec/crc/crc32";
import { writeU32LE } from "../lib/bytes";
import { encoderStart, encoderPos, encoderOverflow } from "../codec/cbor/cbor-writer";
import { C_TX, countUp } from "./counters";
import { CRC_LEN, HEADER_LEN, LINK_VERSION } from "./protocol";

// Encoded bytes offered to the UART per call. Larger only saves calls, not bytes on the wire.
const STAGE_CAP: i32 = 128;
const STAGE = memory.data(STAGE_CAP);
let stageHead: i32 = 0;
let stageTail: i32 = 0;

// Queued frames in wire order: the source address (or one of the two markers) and length.
// One answer per request channel, events and a delimiter or two fit with room to spare.
const QUEUE_CAP: i32 = 8;
const Q_SRC = memory.data(QUEUE_CAP * 4, 4);
const Q_LEN = memory.data(QUEUE_CAP * 4, 4);
let qHead: i32 = 0;
let qCount: i32 = 0;
const SRC_DELIMITER: usize = 0;
const SRC_COPIED: usize = 1;

// Raw bytes of copied frames, in the order they are queued: a few log lines (a boot line is
// ~40 bytes; link-log caps an event at 256).
const COPY_CAP: i32 = 320;
const COPIES = memory.data(COPY_CAP);
let copyHead: i32 = 0;
let copyTail: i32 = 0;

// The largest raw frame we send: ours, or less if the host said so in hello.
let peerMax: i32 = MAX_FRAME;

export function setPeerMaxFrame(max: i32): void {
  peerMax = max < MAX_FRAME ? max : MAX_FRAME;
}

export function sendLimit(): i32 {
  return peerMax;
}

/**
 * Writes the header at `buf` and points the CBOR encoder at the body space after it; the
 * frame stays within `cap` bytes (the buffer's size) and the peer's maximum.
 */
export function frameBegin(buf: usize, channel: i32, flags: u8, seq: i32, cap: i32 = MAX_FRAME): void {
  store<u8>(buf, <u8>((LINK_VERSION << 4) | (channel & 15)));
  store<u8>(buf + 1, flags);
  store<u8>(buf + 2, <u8>seq);
  store<u8>(buf + 3, <u8>(seq >> 8));
  encoderStart(buf + HEADER_LEN, (cap < peerMax ? cap : peerMax) - HEADER_LEN - CRC_LEN);
}

/** Appends the CRC after the body encoded so far; returns the raw frame length, or -1 on overflow. */
export function frameFinish(buf: usize): i32 {
  if (encoderOverflow()) return -1;
  const bodyEnd = encoderPos();
  const len = <i32>(bodyEnd - buf);
  writeU32LE(bodyEnd, crc32(buf, len));
  return len + CRC_LEN;
}

/** Queues a frame whose buffer the caller may reuse at once (a log event); false when dropped. */
export function frameSend(buf: usize, len: i32): bool {
  if (qCount == QUEUE_CAP) return false;
  if (COPY_CAP - copyTail < len && copyHead > 0) {
    // Only offsets are kept for copied frames, so moving them is safe mid-frame.
    memory.copy(COPIES, COPIES + copyHead, <usize>(copyTail - copyHead));
    copyTail -= copyHead;
    copyHead = 0;
  }
  if (COPY_CAP - copyTail < len) return false;
  memory.copy(COPIES + copyTail, buf, <usize>len);
  copyTail += len;
  enqueue(SRC_COPIED, len);
  countUp(C_TX);
  txFlush();
  return true;
}

/** Queues a frame whose buffer stays unchanged until it has left (an answer in its cache slot); false when dropped. */
export function frameSendHeld(buf: usize, len: i32): bool {
  if (qCount == QUEUE_CAP) return false;
  enqueue(buf, len);
  countUp(C_TX);
  txFlush();
  return true;
}

/** True while a queued frame still reads from the `len` bytes at `start`: they must not change yet. */
export function txHoldsWithin(start: usize, len: i32): bool {
  for (let i = 0; i < qCount; i++) {
    const src = load<usize>(Q_SRC + (<usize>((qHead + i) % QUEUE_CAP) << 2));
    if (src >= start && src < start + <usize>len) return true;
  }
  return false;
}

/** Queues a lone delimiter: ends whatever half frame the peer's receiver holds. */
export function sendDelimiter(): void {
  if (qCount == QUEUE_CAP) return;
  enqueue(SRC_DELIMITER, 0);
  txFlush();
}

function enqueue(src: usize, len: i32): void {
  const at = <usize>((qHead + qCount) % QUEUE_CAP) << 2;
  store<usize>(Q_SRC + at, src);
  store<i32>(Q_LEN + at, len);
  if (qCount == 0) cobsStreamStart();
  qCount++;
}

function dequeue(): void {
  if (load<usize>(Q_SRC + (<usize>qHead << 2)) == SRC_COPIED) {
    copyHead += load<i32>(Q_LEN + (<usize>qHead << 2));
    if (copyHead == copyTail) {
      copyHead = 0;
      copyTail = 0;
    }
  }
  qHead = (qHead + 1) % QUEUE_CAP;
  qCount--;
  if (qCount > 0) cobsStreamStart();
}

/** Fills the empty staging buffer with the next encoded bytes of the queued frames. */
function stageMore(): void {
  stageHead = 0;
  stageTail = 0;
  while (stageTail < STAGE_CAP && qCount > 0) {
    const src = load<usize>(Q_SRC + (<usize>qHead << 2));
    if (src == SRC_DELIMITER) {
      store<u8>(STAGE + stageTail, 0);
      stageTail++;
      dequeue();
      continue;
    }
    const from = src == SRC_COPIED ? COPIES + <usize>copyHead : src;
    stageTail += cobsStreamNext(from, load<i32>(Q_LEN + (<usize>qHead << 2)), STAGE + stageTail, STAGE_CAP - stageTail);
    if (cobsStreamDone()) dequeue();
  }
}

export function txFlush(): void {
  for (;;) {
    if (stageHead == stageTail) {
      stageMore();
      if (stageTail == 0) return;
    }
    const offered = stageTail - stageHead;
    const accepted = uart_write(STAGE + stageHead, offered);
    if (accepted <= 0) return;
    stageHead += accepted < offered ? accepted : offered;
    if (accepted < offered) return;
  }
}

/** Bytes or frames still waiting for the UART (0 when everything has left). */
export function txPending(): i32 {
  return stageTail - stageHead + qCount;
}
