// The shell channel (group shell, host-tools/src/ops/catalogue.ts): hello (version exchange),
// info, ping, sink, fb (framebuffer readout) and reset. Result maps list keys in
// deterministic order: shorter first, then bytewise.
import { clock_ms } from "../hal/clock";
import { MAX_FRAME, MEM_PAGES, boardNameLen, boardNamePtr } from "../board";
import { fwVersionLen, fwVersionPtr, shellVersionLen, shellVersionPtr } from "../identity";
import { mailboxCapacity } from "../mailbox";
import { PANEL_BYTES, PANEL_H, PANEL_W } from "../display/band";
import { readPanel } from "../display/panel";
import { encodeBytes, encodeMap, encodeText, encodeTextBytes, encodeUint, encoderPos, encoderStart, reserveBytes } from "../codec/cbor/cbor-writer";
import {
  KIND_ARRAY, KIND_BYTES, KIND_UINT, argKind, argLen, argPtr, argUint, enterArray, findArg, nextItem,
} from "../codec/cbor/cbor-reader";
import {
  C_BODY, C_CHANNEL, C_COBS, C_CRC, C_OVERSIZE, C_RETRY, C_RX, C_SHORT, C_TX, C_VERSION, counter,
} from "../link/counters";
import { sendLimit, setPeerMaxFrame } from "../link/frame-writer";
import { CRC_LEN, HEADER_LEN, LINK_VERSION } from "../link/protocol";
import { encodeStoreStats } from "../store/stats-map";
import { BAD_ARG, OK, UNSUPPORTED, fail } from "../link/status";
import { slotForgetAll } from "../link/response-cache";
import { requestReset } from "./reset-request";
import { lifecycleName, lifecycleState } from "../app/device-mode";

const ABI_VERSION: u64 = 1;
// Smallest max frame a host may ask for: an error answer must still fit.
const MIN_PEER_FRAME: u64 = 64;
// Bytes of an fb result besides the chunk: header, CRC and the map around `data`.
const FB_OVERHEAD: i32 = 48;

export function helloOp(): i32 {
  // A hello opens a host session: answers cached for an earlier session must not reach it.
  slotForgetAll();
  if (findArg("v")) {
    if (argKind() != KIND_ARRAY) return fail(BAD_ARG, "v: array of uint versions required");
    const n = <i32>argUint();
    enterArray();
    let common = false;
    for (let i = 0; i < n; i++) {
      nextItem();
      if (argKind() == KIND_UINT && argUint() == <u64>LINK_VERSION) common = true;
    }
    if (!common) return fail(UNSUPPORTED, "v: this device speaks link version 1 only");
  }
  // Each session starts from the board's max: a max from an earlier session does not carry over.
  if (findArg("max")) {
    if (argKind() != KIND_UINT || argUint() < MIN_PEER_FRAME) return fail(BAD_ARG, "max: uint >= 64 required");
    setPeerMaxFrame(argUint() > <u64>MAX_FRAME ? MAX_FRAME : <i32>argUint());
  } else {
    setPeerMaxFrame(MAX_FRAME);
  }
  // The receiver began this answer under the previous session's max; the hello answer itself
  // may use the board's whole frame, the new max bounds every later frame (docs/link-protocol.md).
  encoderStart(encoderPos(), MAX_FRAME - HEADER_LEN - CRC_LEN);
  encodeMap(6);
  encodeText("v");
  encodeUint(<u64>LINK_VERSION);
  encodeText("fw");
  encodeTextBytes(fwVersionPtr(), fwVersionLen());
  encodeText("abi");
  encodeUint(ABI_VERSION);
  encodeText("max");
  encodeUint(<u64>MAX_FRAME);
  encodeText("board");
  encodeTextBytes(boardNamePtr(), boardNameLen());
  encodeText("shell");
  encodeTextBytes(shellVersionPtr(), shellVersionLen());
  return OK;
}

function counterPair(key: string, which: i32): void {
  encodeText(key);
  encodeUint(<u64>counter(which));
}

export function infoOp(): i32 {
  encodeMap(9);
  encodeText("fw");
  encodeTextBytes(fwVersionPtr(), fwVersionLen());
  encodeText("abi");
  encodeUint(ABI_VERSION);
  encodeText("mem");
  encodeMap(2);
  encodeText("io");
  encodeUint(<u64>mailboxCapacity());
  encodeText("pages");
  encodeUint(<u64>MEM_PAGES); // not memory.size: with it WAMR would not shrink the memory
  encodeText("link");
  encodeMap(10);
  counterPair("rx", C_RX);
  counterPair("tx", C_TX);
  counterPair("crc", C_CRC);
  counterPair("body", C_BODY);
  counterPair("cobs", C_COBS);
  counterPair("retry", C_RETRY);
  counterPair("short", C_SHORT);
  counterPair("channel", C_CHANNEL);
  counterPair("version", C_VERSION);
  counterPair("oversize", C_OVERSIZE);
  encodeText("board");
  encodeTextBytes(boardNamePtr(), boardNameLen());
  encodeText("shell");
  encodeTextBytes(shellVersionPtr(), shellVersionLen());
  encodeText("state");
  encodeText(lifecycleName(lifecycleState()));
  encodeText("store");
  encodeStoreStats();
  encodeText("uptime");
  encodeUint(<u64>clock_ms());
  return OK;
}

export function pingOp(): i32 {
  let ptr: usize = 0;
  let len = 0;
  if (findArg("data")) {
    if (argKind() != KIND_BYTES) return fail(BAD_ARG, "data: bytes required");
    ptr = argPtr();
    len = argLen();
  }
  encodeMap(1);
  encodeText("data");
  encodeBytes(ptr, len);
  return OK;
}

export function sinkOp(): i32 {
  if (!findArg("data") || argKind() != KIND_BYTES) return fail(BAD_ARG, "data: bytes required");
  encodeMap(1);
  encodeText("n");
  encodeUint(<u64>argLen());
  return OK;
}

export function fbOp(): i32 {
  if (PANEL_BYTES == 0) return fail(UNSUPPORTED, "this board has no display");
  let off = 0;
  if (findArg("off")) {
    if (argKind() != KIND_UINT || argUint() > <u64>PANEL_BYTES) return fail(BAD_ARG, "off: uint <= total required");
    off = <i32>argUint();
  }
  let chunk = sendLimit() - FB_OVERHEAD;
  if (chunk > PANEL_BYTES - off) chunk = PANEL_BYTES - off;
  encodeMap(5);
  encodeText("h");
  encodeUint(<u64>PANEL_H);
  encodeText("w");
  encodeUint(<u64>PANEL_W);
  encodeText("off");
  encodeUint(<u64>off);
  encodeText("data");
  const at = reserveBytes(chunk);
  if (at) readPanel(at, off, chunk);
  encodeText("total");
  encodeUint(<u64>PANEL_BYTES);
  return OK;
}

export function resetOp(): i32 {
  requestReset();
  encodeMap(0);
  return OK;
}
