// App-channel ops of group device (host-tools/src/ops/catalogue.ts): `status`, what the
// device is and whether the demo set-up is active; `keys`, which key slots hold a key.
import { MODE_CARD, boardNameLen, boardNamePtr } from "../board";
import { encodeArray, encodeBool, encodeMap, encodeText, encodeTextBytes, encodeUint } from "../codec/cbor/cbor-writer";
import { ks_info } from "../hal/keystore";
import { OK } from "../link/status";
import { demoActive } from "./device-mode";

export function statusOp(): i32 {
  encodeMap(3);
  encodeText("demo");
  encodeBool(demoActive());
  encodeText("mode");
  encodeText(MODE_CARD ? "card" : "plaque");
  encodeText("board");
  encodeTextBytes(boardNamePtr(), boardNameLen());
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
