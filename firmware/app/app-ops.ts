// The app channel: application RPC. v1 has `status` only.
import { MODE_CARD, boardNameLen, boardNamePtr } from "../board";
import { bytesIsAscii } from "../lib/bytes";
import { encodeBool, encodeMap, encodeText, encodeTextBytes } from "../codec/cbor/cbor-writer";
import { OK, UNKNOWN_OP, fail } from "../link/status";
import { demoActive } from "./device-mode";
import { storeOp } from "../store/store-ops";
import { NOT_WALLET_OP, walletOp } from "../wallet/wallet-ops";
import { NOT_ACCEPTOR_OP, acceptorOp } from "../acceptor/acceptor-ops";
import { tagOp } from "../nfc/tag-ops";
import { NOT_QR_OP, qrOp } from "../qr/qr-ops";

export function appOp(opPtr: usize, opLen: i32): i32 {
  if (bytesIsAscii(opPtr, opLen, "status")) {
    encodeMap(3);
    encodeText("demo");
    encodeBool(demoActive());
    encodeText("mode");
    encodeText(MODE_CARD ? "card" : "plaque");
    encodeText("board");
    encodeTextBytes(boardNamePtr(), boardNameLen());
    return OK;
  }
  const qr = qrOp(opPtr, opLen);
  if (qr != NOT_QR_OP) return qr;
  const tag = tagOp(opPtr, opLen);
  if (tag >= 0) return tag;
  const wallet = walletOp(opPtr, opLen);
  if (wallet != NOT_WALLET_OP) return wallet;
  const acceptor = acceptorOp(opPtr, opLen);
  if (acceptor != NOT_ACCEPTOR_OP) return acceptor;
  const storeResult = storeOp(opPtr, opLen);
  if (storeResult >= 0) return storeResult;
  return fail(UNKNOWN_OP, "app ops: status");
}
