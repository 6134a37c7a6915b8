// The nfc-test channel (group nfc-test, host-tools/src/ops/catalogue.ts): lets a bench
// without a reader inject what the shell would deliver from RF (apdu, t2t, field) and see the
// firmware's answer. Commands run in the ops' scratch arena (ops/op-scratch.ts), not the
// mailbox, because the mailbox may still hold unprocessed link bytes.
import { copyBytes } from "../lib/bytes";
import { OP_SCRATCH, OP_SCRATCH_BYTES } from "../ops/op-scratch";
import { encodeBytes, encodeMap, encodeText } from "../codec/cbor/cbor-writer";
import { KIND_BYTES, KIND_FALSE, KIND_TRUE, KIND_UINT, argKind, argLen, argPtr, argUint, findArg } from "../codec/cbor/cbor-reader";
import { BAD_ARG, OK, TOO_LARGE, UNSUPPORTED, fail } from "../link/status";
import { handleApdu } from "./type4";
import { handleT2t } from "./type2";
import { setField } from "./field";
import { switchPersonality } from "./personality";

// A short APDU is at most 261 bytes; responses here are no longer than their commands.
const SCRATCH_CAP: i32 = OP_SCRATCH_BYTES;
const SCRATCH = OP_SCRATCH;

function commandIntoScratch(): i32 {
  if (!findArg("c") || argKind() != KIND_BYTES) return -fail(BAD_ARG, "c: bytes required");
  if (argLen() > SCRATCH_CAP) return -fail(TOO_LARGE, "c: at most 512 bytes");
  copyBytes(SCRATCH, argPtr(), argLen());
  return argLen();
}

function answerR(len: i32): i32 {
  encodeMap(1);
  encodeText("r");
  encodeBytes(SCRATCH, len);
  return OK;
}

export function apduOp(): i32 {
  const len = commandIntoScratch();
  if (len < 0) return -len;
  return answerR(handleApdu(SCRATCH, len));
}

export function t2tOp(): i32 {
  const len = commandIntoScratch();
  if (len < 0) return -len;
  return answerR(handleT2t(SCRATCH, len));
}

export function fieldOp(): i32 {
  if (!findArg("on") || (argKind() != KIND_TRUE && argKind() != KIND_FALSE)) {
    return fail(BAD_ARG, "on: bool required");
  }
  setField(argKind() == KIND_TRUE);
  encodeMap(0);
  return OK;
}

export function personalityOp(): i32 {
  // 1 = Type 4, 2 = Type 2 (boards with both, e.g. the plaque); the shell is told at once.
  if (!findArg("p") || argKind() != KIND_UINT || argUint() < 1 || argUint() > 2) return fail(BAD_ARG, "p: 1 (Type 4) or 2 (Type 2)");
  if (switchPersonality(<i32>argUint()) < 0) return fail(UNSUPPORTED, "this board lacks that personality");
  encodeMap(0);
  return OK;
}
