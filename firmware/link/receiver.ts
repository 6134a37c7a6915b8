// The device side of the link receiver: gathers UART bytes into frames at each 00, applies
// the receiver rules of docs/link-protocol.md in order (counting each failure), answers
// retries from the response cache, and hands good requests to the registered handler.
// The handler encodes its result map with the CBOR encoder and returns a status; this file
// turns failures and oversized results into `RESP|ERR {code, msg}` answers.
import { MAX_FRAME } from "../board";
import { cobsDecodeInPlace } from "../codec/cobs/cobs";
import { crc32 } from "../codec/crc/crc32";
import { readU32LE } from "../lib/bytes";
import { encodeMap, encodeText } from "../codec/cbor/cbor-writer";
import { validateBody, findArg, argKind, argPtr, argLen, KIND_TEXT } from "../codec/cbor/cbor-reader";
import {
  C_BODY, C_CHANNEL, C_COBS, C_CRC, C_OVERSIZE, C_RETRY, C_RX, C_SHORT, C_VERSION, countUp,
} from "./counters";
import { frameBegin, frameFinish, frameSendHeld, sendLimit } from "./frame-writer";
import { CH_LOG, CHANNELS, CRC_LEN, FLAG_ERR, FLAG_RESP, HEADER_LEN, LINK_VERSION } from "./protocol";
import { SCRATCH_SLOT, SLOT_EVICTED, slotBuffer, slotCapacity, slotLookup, slotOpen, slotStore } from "./response-cache";
import { findOp } from "./op-lookup";
import { BAD_ARG, BAD_BODY, BUSY, OK, TOO_LARGE, UNKNOWN_CHANNEL, fail, failureMessage, statusCode } from "./status";

/**
 * Runs one request: `channel` and the op text (UTF-8 at opPtr, opLen bytes); arguments via
 * findArg(). Encodes the result map and returns OK, or returns fail(code, msg).
 */
export type RequestHandler = (channel: i32, opPtr: usize, opLen: i32) => i32;

function noHandler(channel: i32, opPtr: usize, opLen: i32): i32 {
  return fail(UNKNOWN_CHANNEL, "no handler");
}

let handler: RequestHandler = noHandler;

export function setRequestHandler(h: RequestHandler): void {
  handler = h;
}

// Largest encoded frame (without the delimiter) a maxFrame raw frame can need.
const ENCODED_MAX: i32 = MAX_FRAME + (MAX_FRAME + 253) / 254;
const RX = memory.data(ENCODED_MAX);
let rxLen: i32 = 0;
let discarding = false;
// CRC-32 of the request being handled: with the seq, what makes a frame a retry.
let requestCheck: u32 = 0;

/** Feeds `len` received bytes at `ptr` (any split of the stream). */
export function receiveBytes(ptr: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const b = load<u8>(ptr + i);
    if (b == 0) {
      if (!discarding && rxLen > 0) handleFrame(rxLen);
      discarding = false;
      rxLen = 0;
    } else if (!discarding) {
      if (rxLen < ENCODED_MAX) {
        store<u8>(RX + rxLen, b);
        rxLen++;
      } else {
        countUp(C_OVERSIZE);
        discarding = true;
      }
    }
  }
}

/**
 * Bytes of the stream were lost (a shell handed over more than the mailbox holds): the frame
 * they belonged to is dropped whole, up to the next 00, and counted as oversize.
 */
export function receiveLost(): void {
  countUp(C_OVERSIZE);
  rxLen = 0;
  discarding = true;
}

function handleFrame(encodedLen: i32): void {
  const len = cobsDecodeInPlace(RX, encodedLen);
  if (len < 0) {
    countUp(C_COBS);
    return;
  }
  if (len > MAX_FRAME) {
    countUp(C_OVERSIZE);
    return;
  }
  if (len < HEADER_LEN + CRC_LEN) {
    countUp(C_SHORT);
    return;
  }
  const bodyLen = len - HEADER_LEN - CRC_LEN;
  requestCheck = readU32LE(RX + len - CRC_LEN);
  if (crc32(RX, len - CRC_LEN) != requestCheck) {
    countUp(C_CRC);
    return;
  }
  const b0 = <i32>load<u8>(RX);
  if (b0 >> 4 != LINK_VERSION) {
    countUp(C_VERSION);
    return;
  }
  const channel = b0 & 15;
  const flags = load<u8>(RX + 1);
  const seq = <i32>load<u8>(RX + 2) | (<i32>load<u8>(RX + 3) << 8);
  const body = RX + HEADER_LEN;

  // The device sends no requests, so a frame with flags is not addressed to it, whatever
  // its channel: ignored before the channel is judged (docs/link-protocol.md).
  if (flags != 0) {
    countUp(C_RX);
    return;
  }
  const slot = channel >= CHANNELS || channel == CH_LOG ? SCRATCH_SLOT : channel;
  const cached = slot == SCRATCH_SLOT ? 0 : slotLookup(slot, seq, requestCheck);
  if (cached > 0) {
    countUp(C_RX);
    countUp(C_RETRY);
    frameSendHeld(slotBuffer(slot), cached);
    return;
  }
  // Room for the answer. None while the UART still reads the answers there (a slow line,
  // requests pipelined on one channel): the frame is not acted on, and the host's retry
  // is, once they have left (docs/link-protocol.md).
  const buf = slotOpen(slot);
  if (buf == 0) return;
  if (cached == SLOT_EVICTED) {
    // It ran; its answer gave its room to larger ones. Running it again is not allowed.
    countUp(C_RX);
    countUp(C_RETRY);
    answerFailure(buf, slot, channel, seq, fail(BUSY, "this request ran; its answer was evicted by larger ones: read the state"));
    return;
  }
  if (channel >= CHANNELS) {
    countUp(C_CHANNEL);
    answerFailure(buf, slot, channel, seq, fail(UNKNOWN_CHANNEL, "no such channel"));
    return;
  }
  if (channel == CH_LOG) {
    // The log channel takes only its own ops (level); anything else is an unknown channel use.
    if (!validateBody(body, bodyLen) || !findArg("op") || argKind() != KIND_TEXT ||
        findOp(CH_LOG, argPtr(), argLen()) < 0) {
      countUp(C_CHANNEL);
      answerFailure(buf, slot, channel, seq, fail(UNKNOWN_CHANNEL, "log channel takes only op level"));
      return;
    }
    countUp(C_RX);
    runRequest(buf, slot, channel, seq);
    return;
  }
  if (!validateBody(body, bodyLen)) {
    countUp(C_BODY);
    answerFailure(buf, slot, channel, seq, fail(BAD_BODY, "body must be one deterministic CBOR map with text keys"));
    return;
  }
  countUp(C_RX);
  runRequest(buf, slot, channel, seq);
}

/** Runs the request and answers it from `buf`, the room slotOpen gave the slot. */
function runRequest(buf: usize, slot: i32, channel: i32, seq: i32): void {
  frameBegin(buf, channel, FLAG_RESP, seq, slotCapacity(slot));
  let status: i32;
  if (!findArg("op") || argKind() != KIND_TEXT) {
    status = fail(BAD_ARG, "op: text required");
  } else {
    status = handler(channel, argPtr(), argLen());
  }
  const len = status == OK ? frameFinish(buf) : -1;
  if (status == OK && len < 0) status = fail(TOO_LARGE, "result exceeds the frame size");
  if (status != OK) {
    answerFailure(buf, slot, channel, seq, status);
    return;
  }
  slotStore(slot, seq, requestCheck, len);
  frameSendHeld(buf, len);
}

// Body bytes of an error answer besides the message text: map head, "msg" key, the
// message's text head (2 bytes from 24 on), "code" key and the longest code with its head.
const ERROR_OVERHEAD: i32 = 1 + 4 + 2 + 5 + 16;

/** Answers `RESP|ERR {code, msg}`; under a host's small max frame the message is cut, never the answer. */
function answerFailure(buf: usize, slot: i32, channel: i32, seq: i32, status: i32): void {
  const cap = slotCapacity(slot) < sendLimit() ? slotCapacity(slot) : sendLimit();
  frameBegin(buf, channel, FLAG_RESP | FLAG_ERR, seq, cap);
  encodeMap(2);
  encodeText("msg");
  encodeText(failureMessage(), cap - HEADER_LEN - CRC_LEN - ERROR_OVERHEAD);
  encodeText("code");
  encodeText(statusCode(status));
  const len = frameFinish(buf);
  if (len < 0) {
    // Nothing stored: a retry runs the request (it failed before doing anything).
    slotStore(slot, 0, 0, 0);
    return;
  }
  slotStore(slot, seq, requestCheck, len);
  frameSendHeld(buf, len);
}
