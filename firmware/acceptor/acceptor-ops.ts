// App-channel ops of group acceptor (host-tools/src/ops/catalogue.ts; plaque boards only;
// docs/vouchers.md, Acceptor): acceptor.setup, .challenge, .submit, .payword, .list, .export,
// .clear. Refusals answer bad-arg with a code (CHAIN_ROOT, COUNTER_REUSED, ...) naming the
// check that failed.
import { readU32LE } from "../lib/bytes";
import { KIND_ARRAY, KIND_BYTES, KIND_TEXT, KIND_UINT, argKind, argLen, argPtr, argUint, enterArray, findArg, nextItem } from "../codec/cbor/cbor-reader";
import { encodeArray, encodeBytes, encodeMap, encodeText, encodeTextBytes, encodeUint, reserveBytes } from "../codec/cbor/cbor-writer";
import { BAD_ARG, INTERNAL, OK, fail } from "../link/status";
import { storeGet } from "../store/store";
import { CFG_CURRENCY, CFG_PAYEE, CFG_PAYEE_LEN, KEY_BATCH_FIRST, KEY_DEVICE_FIRST, KEY_VOUCHER_FIRST, SLOTS } from "./acceptor-layout";
import { acceptorConfig, acceptorConfigured, cardCount, cardOfSlot, vouchersHeld } from "./acceptor-state";
import {
  A_BAD_SIGNATURE, A_CARDS_FULL, A_CHAIN_FORMAT, A_CHAIN_LINK, A_CHAIN_ROOT, A_CHAIN_TERMS, A_CHALLENGE, A_COUNTER, A_CURRENCY, A_ENVELOPE, A_FULL, A_HELD, A_AMOUNT,
  A_NOT_SET_UP, A_NO_CHAIN, A_NO_CHALLENGE, A_OK, A_PAYEE, A_PAYWORD_BAD, A_PAYWORD_END, A_VOUCHER_FORMAT, A_VOUCHER_KID, challengeBytes, CHALLENGE_LEN,
  acceptedSlot, acceptorChallenge, acceptorClear, acceptorPayword, acceptorSetup, acceptorSubmit, paywordBuffer, paywordRecord,
} from "./acceptor";
import { VOUCHER } from "../codec/voucher/voucher-payload";
import { deviceKid } from "../trust/cert-chain";

// Only the code crosses the link (strings cost static RAM as UTF-16); the host library
// (host-tools/src/wallet/plaque-client.ts) holds the reason and hint for each.
function refuse(r: i32): i32 {
  switch (r) {
    case A_NOT_SET_UP: return fail(BAD_ARG, "NOT_SET_UP");
    case A_NO_CHALLENGE: return fail(BAD_ARG, "NO_CHALLENGE");
    case A_CHAIN_ROOT: return fail(BAD_ARG, "CHAIN_ROOT");
    case A_CHAIN_LINK: return fail(BAD_ARG, "CHAIN_LINK");
    case A_CHAIN_FORMAT: return fail(BAD_ARG, "CHAIN_FORMAT");
    case A_VOUCHER_FORMAT: return fail(BAD_ARG, "VOUCHER_FORMAT");
    case A_VOUCHER_KID: return fail(BAD_ARG, "VOUCHER_KID");
    case A_BAD_SIGNATURE: return fail(BAD_ARG, "BAD_SIGNATURE");
    case A_CHALLENGE: return fail(BAD_ARG, "CHALLENGE_MISMATCH");
    case A_PAYEE: return fail(BAD_ARG, "PAYEE_MISMATCH");
    case A_CURRENCY: return fail(BAD_ARG, "CURRENCY");
    case A_AMOUNT: return fail(BAD_ARG, "AMOUNT_MISMATCH");
    case A_ENVELOPE: return fail(BAD_ARG, "ENVELOPE");
    case A_COUNTER: return fail(BAD_ARG, "COUNTER_REUSED");
    case A_FULL: return fail(BAD_ARG, "ACCEPTOR_FULL");
    case A_CARDS_FULL: return fail(BAD_ARG, "CARDS_FULL");
    case A_CHAIN_TERMS: return fail(BAD_ARG, "CHAIN_TERMS");
    case A_NO_CHAIN: return fail(BAD_ARG, "NO_CHAIN");
    case A_PAYWORD_BAD: return fail(BAD_ARG, "PAYWORD_BAD");
    case A_PAYWORD_END: return fail(BAD_ARG, "PAYWORD_END");
    case A_HELD: return fail(BAD_ARG, "HELD");
  }
  return fail(INTERNAL, "STORE");
}

function uintArg(key: string, dflt: i64): i64 {
  if (!findArg(key)) return dflt;
  if (argKind() != KIND_UINT || argUint() > 0xffffffff) return -1;
  return <i64>argUint();
}

export function setupOp(): i32 {
  if (!findArg("root") || argKind() != KIND_BYTES || (argLen() != 32 && argLen() != 65)) return fail(BAD_ARG, "root");
  const root = argPtr(), rootLen = argLen();
  if (!findArg("cur") || argKind() != KIND_TEXT || argLen() != 3) return fail(BAD_ARG, "cur");
  const cur = argPtr();
  if (!findArg("payee") || argKind() != KIND_TEXT || argLen() < 1 || argLen() > 32) return fail(BAD_ARG, "payee");
  const r = acceptorSetup(root, rootLen, argPtr(), argLen(), cur);
  if (r != A_OK) return refuse(r);
  encodeMap(0);
  return OK;
}

export function challengeOp(): i32 {
  const amount = uintArg("amount", -1);
  const unit = uintArg("unit", 0);
  if (amount <= 0 || unit < 0) return fail(BAD_ARG, "amount");
  const r = acceptorChallenge(<u32>amount, <u32>unit);
  if (r != A_OK) return refuse(r);
  encodeMap(unit > 0 ? 5 : 4);
  encodeText("cur");
  encodeTextBytes(acceptorConfig() + CFG_CURRENCY, 3);
  if (unit > 0) {
    encodeText("unit");
    encodeUint(<u64>unit);
  }
  encodeText("payee");
  encodeTextBytes(acceptorConfig() + CFG_PAYEE, <i32>load<u8>(acceptorConfig() + CFG_PAYEE_LEN));
  encodeText("amount");
  encodeUint(<u64>amount);
  encodeText("challenge");
  encodeBytes(challengeBytes(), CHALLENGE_LEN);
  return OK;
}

export function submitOp(): i32 {
  if (!findArg("chain") || argKind() != KIND_ARRAY || argUint() != 2) return fail(BAD_ARG, "chain");
  enterArray();
  nextItem();
  if (argKind() != KIND_BYTES) return fail(BAD_ARG, "chain");
  const batch = argPtr(), batchLen = argLen();
  nextItem();
  if (argKind() != KIND_BYTES) return fail(BAD_ARG, "chain");
  const device = argPtr(), deviceLen = argLen();
  if (!findArg("voucher") || argKind() != KIND_BYTES) return fail(BAD_ARG, "voucher");
  const r = acceptorSubmit(argPtr(), argLen(), batch, batchLen, device, deviceLen);
  if (r != A_OK) return refuse(r);
  encodeMap(4);
  encodeText("kid");
  encodeBytes(deviceKid, 8);
  encodeText("slot");
  encodeUint(<u64>acceptedSlot);
  encodeText("amount");
  encodeUint(<u64>VOUCHER.amount);
  encodeText("counter");
  encodeUint(VOUCHER.counter);
  return OK;
}

export function paywordOp(): i32 {
  const slot = uintArg("slot", -1);
  if (slot < 0 || !findArg("word") || argKind() != KIND_BYTES || argLen() != 32) return fail(BAD_ARG, "word");
  const units = acceptorPayword(<i32>slot, argPtr());
  if (units < 0) return refuse(-units);
  encodeMap(3);
  encodeText("slot");
  encodeUint(<u64>slot);
  encodeText("units");
  encodeUint(<u64>units);
  encodeText("value");
  encodeUint(<u64>units * <u64>readU32LE(paywordBuffer() + 8));
  return OK;
}

export function listOp(): i32 {
  const on = acceptorConfigured();
  encodeMap(on ? 6 : 4);
  if (on) {
    encodeText("cur");
    encodeTextBytes(acceptorConfig() + CFG_CURRENCY, 3);
  }
  encodeText("held");
  encodeUint(<u64>vouchersHeld());
  encodeText("cards");
  encodeUint(<u64>cardCount());
  if (on) {
    encodeText("payee");
    encodeTextBytes(acceptorConfig() + CFG_PAYEE, <i32>load<u8>(acceptorConfig() + CFG_PAYEE_LEN));
  }
  encodeText("capacity");
  encodeUint(<u64>SLOTS);
  encodeText("configured");
  encodeUint(on ? 1 : 0);
  return OK;
}

/** Encodes the stored record `key` as a byte string, read straight into the answer. */
function encodeStored(key: u16): void {
  const n = storeGet(key, 0, 0);
  const at = reserveBytes(n > 0 ? n : 0);
  if (at && n > 0) storeGet(key, at, n);
}

export function exportOp(): i32 {
  const slot = uintArg("slot", -1);
  if (slot < 0 || slot >= <i64>vouchersHeld()) return fail(BAD_ARG, "slot");
  const card = <u16>cardOfSlot(<i32>slot);
  const unit = paywordRecord(<i32>slot);
  encodeMap(unit > 0 ? 3 : 2);
  encodeText("chain");
  encodeArray(2);
  encodeStored(KEY_BATCH_FIRST + card);
  encodeStored(KEY_DEVICE_FIRST + card);
  if (unit > 0) {
    encodeText("payword");
    encodeArray(2);
    encodeUint(<u64>readU32LE(paywordBuffer()));
    encodeBytes(paywordBuffer() + 12, 32);
  }
  encodeText("voucher");
  encodeStored(KEY_VOUCHER_FIRST + <u16>slot);
  return OK;
}

export function clearOp(): i32 {
  const held = vouchersHeld();
  const r = acceptorClear();
  if (r != A_OK) return refuse(r);
  encodeMap(1);
  encodeText("cleared");
  encodeUint(<u64>held);
  return OK;
}
