// App-channel ops of group device (host-tools/src/ops/catalogue.ts): `status` (what the
// device is and its lifecycle state), `device.lock` (provisioned -> locked) and `device.wipe`
// (any -> blank; on a locked device only with the confirmation phrase, so no host wipes a
// field device by accident); `keys`, which key slots hold a key. Which states may ask is
// the op table's job (dispatch.ts).
import { MODE_CARD, boardNameLen, boardNamePtr } from "../board";
import { KIND_TEXT, argKind, argLen, argPtr, findArg } from "../codec/cbor/cbor-reader";
import { encodeArray, encodeBool, encodeMap, encodeText, encodeTextBytes, encodeUint } from "../codec/cbor/cbor-writer";
import { ks_info } from "../hal/keystore";
import { BAD_ARG, INTERNAL, OK, UNSUPPORTED, fail } from "../link/status";
import { requestReset } from "../shell/reset-request";
import { STATE_LOCKED, demoActive, lifecycleLock, lifecycleName, lifecycleState, LIFECYCLE_REFUSED } from "./device-mode";
import { wipeDevice } from "./device-wipe";

/** What a host must send as `confirm` to wipe a locked device (docs/security.md): "wipe locked device". */
const WIPE_PHRASE_LEN: i32 = 18;
const WIPE_PHRASE_BYTES = memory.data<u8>([119, 105, 112, 101, 32, 108, 111, 99, 107, 101, 100, 32, 100, 101, 118, 105, 99, 101]);

export function statusOp(): i32 {
  encodeMap(4);
  encodeText("demo");
  encodeBool(demoActive());
  encodeText("mode");
  encodeText(MODE_CARD ? "card" : "plaque");
  encodeText("board");
  encodeTextBytes(boardNamePtr(), boardNameLen());
  encodeText("state");
  encodeText(lifecycleName(lifecycleState()));
  return OK;
}

export function lockOp(): i32 {
  const r = lifecycleLock();
  if (r == LIFECYCLE_REFUSED) return fail(UNSUPPORTED, "only a provisioned device can be locked");
  if (r < 0) return fail(INTERNAL, "store refused the lifecycle record");
  encodeMap(1);
  encodeText("state");
  encodeText("locked");
  return OK;
}

export function wipeOp(): i32 {
  if (lifecycleState() == STATE_LOCKED) {
    if (!findArg("confirm") || argKind() != KIND_TEXT || argLen() != WIPE_PHRASE_LEN || memory.compare(argPtr(), WIPE_PHRASE_BYTES, WIPE_PHRASE_LEN) != 0) {
      return fail(BAD_ARG, "confirm: the device is locked; send the phrase \"wipe locked device\" to erase it");
    }
  }
  if (wipeDevice() < 0) return fail(INTERNAL, "wipe did not finish; the next boot finishes it");
  // Every module reloads its (now empty) state from a fresh boot once this answer has left.
  requestReset();
  encodeMap(1);
  encodeText("state");
  encodeText("blank");
  return OK;
}

// Keystore slots probed by `keys`: ks_info answers E_RANGE past the board's last slot.
const MAX_SLOTS: i32 = 16;

/** `keys`: the algorithm id in each key slot (0 empty), never key material. */
export function keysOp(): i32 {
  let n = 0;
  while (n < MAX_SLOTS && ks_info(n) >= 0) n++;
  encodeMap(1);
  encodeText("slots");
  encodeArray(n);
  for (let i = 0; i < n; i++) encodeUint(<u64>ks_info(i));
  return OK;
}
