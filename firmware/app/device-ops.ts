// App-channel ops of group device (host-tools/src/ops/catalogue.ts): `status`, what the
// device is and whether the demo set-up is active.
import { MODE_CARD, boardNameLen, boardNamePtr } from "../board";
import { encodeBool, encodeMap, encodeText, encodeTextBytes } from "../codec/cbor/cbor-writer";
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
