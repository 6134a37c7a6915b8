// App-channel ops of group wallet (host-tools/src/ops/catalogue.ts; card boards only):
// `wallet.info` (public key, state, certificate chain) for `tapkit info` and issuers, and
// `wallet.provision` (provisioning-only: refused once the wallet is active).
import { KIND_ARRAY, KIND_BYTES, KIND_TEXT, KIND_UINT, argKind, argLen, argPtr, argUint, enterArray, findArg, nextItem } from "../codec/cbor/cbor-reader";
import { encodeArray, encodeBytes, encodeMap, encodeText, encoderReserve } from "../codec/cbor/cbor-writer";
import { BAD_ARG, BUSY, INTERNAL, OK, fail } from "../link/status";
import { storeGet } from "../store/store";
import { fillBytes } from "../lib/bytes";
import { KEY_CERT_BATCH, KEY_CERT_DEVICE, MAX_CERT } from "./wallet-layout";
import { OP_SCRATCH, OP_SCRATCH_BYTES } from "../ops/op-scratch";
import { encodeWalletInfo } from "./wallet-applet";
import { PROV_ALREADY, PROV_CERT, PROV_NO_KEY, PROV_OK, provision } from "./wallet-provision";
import { batchCert, walletActive } from "./wallet-state";
import { claimWalletScratch, releaseWalletScratch } from "./wallet-scratch";

const SCRATCH = OP_SCRATCH; // ops/op-scratch.ts: this op's own while it runs
// wallet.provision keeps the currency and PIN at SCRATCH[0..32) and the device certificate here.
const CERT_D = OP_SCRATCH + 256; // MAX_CERT (255) fits in the arena's second half

export function walletInfoOp(): i32 {
  const slot = uintArg("slot", 0);
  const n = encodeWalletInfo(SCRATCH, OP_SCRATCH_BYTES, slot > 0 && slot < 8 ? <i32>slot : 0);
  if (n < 0) return fail(INTERNAL, "wallet info too large");
  const active = walletActive();
  encodeMap(2);
  encodeText("info");
  const at = encoderReserve(n);
  if (at) memory.copy(at, SCRATCH, n);
  encodeText("chain");
  if (!active) {
    encodeArray(0);
    return OK;
  }
  encodeArray(2);
  let len = storeGet(KEY_CERT_BATCH, SCRATCH, MAX_CERT);
  encodeBytes(SCRATCH, len > 0 ? len : 0);
  len = storeGet(KEY_CERT_DEVICE, SCRATCH, MAX_CERT);
  encodeBytes(SCRATCH, len > 0 ? len : 0);
  return OK;
}

function uintArg(key: string, dflt: i64): i64 {
  if (!findArg(key)) return dflt;
  if (argKind() != KIND_UINT || argUint() > 0xffffffff) return -1;
  return <i64>argUint();
}

export function walletProvisionOp(): i32 {
  // The batch certificate and the PIN check use the wallet's per-call scratch (wallet-scratch.ts),
  // which a reader writing the NDEF tag holds until the write ends.
  if (!claimWalletScratch()) return fail(BUSY, "a reader is writing the tag; retry after the tap");
  const r = provisionFromArgs();
  releaseWalletScratch();
  return r;
}

function provisionFromArgs(): i32 {
  if (!findArg("chain") || argKind() != KIND_ARRAY || argUint() != 2) return fail(BAD_ARG, "chain: [batch cert, device cert] required");
  enterArray();
  nextItem();
  if (argKind() != KIND_BYTES || argLen() > MAX_CERT) return fail(BAD_ARG, "chain[0]: batch certificate bytes (<= 255)");
  const bl = argLen();
  memory.copy(batchCert(), argPtr(), bl);
  nextItem();
  if (argKind() != KIND_BYTES || argLen() > MAX_CERT) return fail(BAD_ARG, "chain[1]: device certificate bytes (<= 255)");
  const dl = argLen();
  memory.copy(CERT_D, argPtr(), dl);
  const slot = uintArg("slot", 0);
  const max = uintArg("max", -1);
  const per = uintArg("per", -1);
  const cum = uintArg("cum", -1);
  const count = uintArg("count", -1);
  const bal = uintArg("bal", 0);
  if (slot < 0 || max < 0 || per < 0 || cum < 0 || count < 0 || bal < 0) return fail(BAD_ARG, "slot, max, per, cum, count, bal: unsigned integers (max, per, cum, count required)");
  if (!findArg("cur") || argKind() != KIND_TEXT || argLen() != 3) return fail(BAD_ARG, "cur: ISO 4217 code, 3 letters");
  memory.copy(SCRATCH, argPtr(), 3);
  if (!findArg("pin") || argKind() != KIND_TEXT) return fail(BAD_ARG, "pin: 4..8 digits as text");
  memory.copy(SCRATCH + 16, argPtr(), <usize>(argLen() <= 16 ? argLen() : 16));
  const pinLen = argLen();
  // The PIN must not linger in the request buffer (provisioning wipes its own copy).
  fillBytes(argPtr(), 0, pinLen);
  const r = provision(<i32>slot, SCRATCH, <u32>max, <u32>per, <u32>cum, <u32>count, <u32>bal, SCRATCH + 16, pinLen, batchCert(), bl, CERT_D, dl);
  fillBytes(SCRATCH + 16, 0, 16);
  if (r == PROV_ALREADY) return fail(BAD_ARG, "wallet already provisioned: provisioning is refused on an active wallet");
  if (r == PROV_NO_KEY) return fail(BAD_ARG, "slot holds no Ed25519/P-256 signing key");
  if (r == PROV_CERT) return fail(BAD_ARG, "device certificate does not certify this card's key");
  if (r != PROV_OK) return r == 4 ? fail(BAD_ARG, "pin 4..8 digits, bal <= max, per and count > 0") : fail(INTERNAL, "store refused the provisioning transaction");
  encodeMap(0);
  return OK;
}
