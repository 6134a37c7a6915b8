// Outgoing frames: builds header + CBOR body + CRC in a caller's buffer, COBS-encodes it
// into the TX queue with its 00 delimiter, and feeds the queue to hal.uart_write, which may
// take only part of it; the rest goes out on later calls to txFlush() (tk_tick).
// A frame that does not fit the queue is dropped whole (the host retries requests).
import { uart_write } from "../hal/uart";
import { MAX_FRAME } from "../board";
import { cobsEncode, cobsMaxEncoded } from "../codec/cobs/cobs";
import { crc32 } from "../codec/crc/crc32";
import { writeU32LE } from "../lib/bytes";
import { encoderStart, encoderPos, encoderOverflow } from "../codec/cbor/cbor-writer";
import { C_TX, countUp } from "./counters";
import { CRC_LEN, HEADER_LEN, LINK_VERSION } from "./protocol";

// Room for two full encoded frames: the answer being sent and the next one, since the device
// answers requests one at a time. More would only buy RAM for bursts a UART never sees here.
const TX_CAP: i32 = 2 * (MAX_FRAME + MAX_FRAME / 254 + 8);
const TX = memory.data(TX_CAP);
let txHead: i32 = 0;
let txTail: i32 = 0;

// The largest raw frame we send: ours, or less if the host said so in hello.
let peerMax: i32 = MAX_FRAME;

export function setPeerMaxFrame(max: i32): void {
  peerMax = max < MAX_FRAME ? max : MAX_FRAME;
}

export function sendLimit(): i32 {
  return peerMax;
}

/** Writes the header at `buf` and points the CBOR encoder at the body space after it. */
export function frameBegin(buf: usize, channel: i32, flags: u8, seq: i32): void {
  store<u8>(buf, <u8>((LINK_VERSION << 4) | (channel & 15)));
  store<u8>(buf + 1, flags);
  store<u8>(buf + 2, <u8>seq);
  store<u8>(buf + 3, <u8>(seq >> 8));
  encoderStart(buf + HEADER_LEN, peerMax - HEADER_LEN - CRC_LEN);
}

/** Appends the CRC after the body encoded so far; returns the raw frame length, or -1 on overflow. */
export function frameFinish(buf: usize): i32 {
  if (encoderOverflow()) return -1;
  const bodyEnd = encoderPos();
  const len = <i32>(bodyEnd - buf);
  writeU32LE(bodyEnd, crc32(buf, len));
  return len + CRC_LEN;
}

/** Queues `len` raw bytes at `buf` as one frame; false when the queue has no room (dropped). */
export function frameSend(buf: usize, len: i32): bool {
  // Encoded size, the encoder's spare code byte, and the delimiter.
  const need = cobsMaxEncoded(len) + 2;
  if (TX_CAP - txTail < need && txHead > 0) {
    memory.copy(TX, TX + txHead, <usize>(txTail - txHead));
    txTail -= txHead;
    txHead = 0;
  }
  if (TX_CAP - txTail < need) return false;
  const n = cobsEncode(buf, len, TX + txTail);
  store<u8>(TX + txTail + n, 0);
  txTail += n + 1;
  countUp(C_TX);
  txFlush();
  return true;
}

/** Queues a lone delimiter: ends whatever half frame the peer's receiver holds. */
export function sendDelimiter(): void {
  if (txTail < TX_CAP) {
    store<u8>(TX + txTail, 0);
    txTail++;
    txFlush();
  }
}

export function txFlush(): void {
  if (txTail == txHead) return;
  const accepted = uart_write(TX + txHead, txTail - txHead);
  if (accepted > 0) txHead += accepted < txTail - txHead ? accepted : txTail - txHead;
  if (txHead == txTail) {
    txHead = 0;
    txTail = 0;
  }
}

export function txPending(): i32 {
  return txTail - txHead;
}
