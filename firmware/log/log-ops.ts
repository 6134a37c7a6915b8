// The log channel's ops (group log, host-tools/src/ops/catalogue.ts): `level` sets the most
// verbose device event that reaches the host; `recent` answers the last refusals.
import { encodeMap } from "../codec/cbor/cbor-writer";
import { KIND_UINT, argKind, argUint, findArg } from "../codec/cbor/cbor-reader";
import { BAD_ARG, OK, fail } from "../link/status";
import { LEVEL_DEBUG, setLinkLevel } from "./link-log";
import { encodeRecent } from "./refusal-log";

export function levelOp(): i32 {
  if (!findArg("level") || argKind() != KIND_UINT || argUint() > <u64>LEVEL_DEBUG) {
    return fail(BAD_ARG, "level: uint 0..3 required");
  }
  setLinkLevel(<i32>argUint());
  encodeMap(0);
  return OK;
}

export function recentOp(): i32 {
  encodeRecent();
  return OK;
}
