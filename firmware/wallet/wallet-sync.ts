// SYNC (docs/wallet-apdu.md, Sync): the issuer's signed token moves the card to the next
// epoch. Checked in place in the APDU buffer with the acceptor's COSE/CBOR reader and the
// batch public key from the card's own batch certificate; then ONE store transaction resets
// the spent/count totals (card and every sub-wallet), credits the top-up to sub-wallet 0,
// replaces the envelope if the token carries one, and logs it. Epoch = current + 1 is the
// replay guard: a token applies once, and a cut leaves either the old or the new epoch.
import { bytesEqual, fillBytes, readU32LE, writeU32LE } from "../lib/bytes";
import { counterRead, storeGet, txAbort, txBegin, txCommit, txPut } from "../store/store";
import { cursorAt, cursorDone, readContainer, readKey, readString, readUint, stringPtr } from "../codec/cbor/cbor-reader";
import { coseKid, cosePayload, cosePayloadLen, parseSign1 } from "../codec/cose/cose-sign1";
import { readBatchCert, subjAlg, subjKid, subjPub, subjPubLen } from "../trust/cert-chain";
import { verifySign1 } from "../trust/sign1-verify";
import { deviceKid, loadDeviceKey } from "./device-key";
import { CFG_COUNT, CFG_EPOCH, CFG_MAX_BALANCE, CFG_PER_PAYMENT, CFG_SLOT, CFG_SPENT, KEY_CERT_BATCH, KEY_SUB_FIRST, KIND_SYNC, LOG_AMOUNT, LOG_BALANCE, LOG_COUNTER, LOG_KIND, LOG_SIZE, MAX_CERT, SUB_BALANCE, SUB_COUNT, SUB_PER_PAYMENT, SUB_SIZE, SUB_SPENT, SUB_WALLETS, VOUCHER_COUNTER_ID } from "./wallet-layout";
import { batchCert, walletConfig, logEntry, cfg, setCfg, setSub, stageRecords, sub, subPtr, walletLoad } from "./wallet-state";

// Refusal reasons (6985 xx), after wallet-payment's and the applet's 1..14.
export const R_SYNC_STORE: i32 = 10;
export const R_TOKEN: i32 = 15; // not a COSE_Sign1 sync token of the profile
export const R_WRONG_CARD: i32 = 16; // device id is another card's
export const R_EPOCH: i32 = 17; // epoch is not current + 1 (replayed or skipped)
export const R_SETTLED: i32 = 18; // settled counter above the card's own
export const R_SIGNATURE: i32 = 19; // not signed by the batch key of the card's certificate
export const R_MAX_BALANCE: i32 = 20; // top-up would exceed the maximum balance

// New envelope from the token, in config order: maxBalance, perPayment, cumulative, maxCount.
function newEnvelope(): usize {
  return memory.data(16);
}
let lastStoreError: i32 = 0;

export function syncStoreError(): i32 {
  return lastStoreError;
}

/** Applies the sync token (`len` bytes at `token`, 12 writable bytes before it); 0 or a reason. */
export function walletSync(token: usize, len: i32): i32 {
  // The batch key first: the COSE reader keeps only the last structure's pointers.
  const certLen = storeGet(KEY_CERT_BATCH, batchCert(), MAX_CERT);
  const batchOk = certLen > 0 && readBatchCert(batchCert(), certLen);
  if (!parseSign1(token, len)) return R_TOKEN;
  cursorAt(cosePayload, cosePayloadLen);
  const pairs = readContainer(5);
  if ((pairs != 5 && pairs != 6) || readKey(0) != 1 || readUint() != 1 || readKey(1) != 2 || readString(2) != 8) return R_TOKEN;
  const kid = stringPtr();
  const epoch = readKey(2) == 3 ? readUint() : -1;
  const settled = readKey(3) == 4 ? readUint() : -1;
  const topUp = readKey(4) == 5 ? readUint() : -1;
  if (epoch < 0 || settled < 0 || topUp < 0) return R_TOKEN;
  const hasEnv = pairs == 6;
  if (hasEnv) {
    if (readKey(5) != 6 || readContainer(4) != 4) return R_TOKEN;
    for (let i = 0; i < 4; i++) {
      const v = readUint();
      if (v < 0) return R_TOKEN;
      writeU32LE(newEnvelope() + <usize>(i * 4), <u32>v);
    }
  }
  if (!cursorDone()) return R_TOKEN;
  loadDeviceKey(<i32>load<u8>(walletConfig() + CFG_SLOT));
  if (!bytesEqual(kid, deviceKid(), 8)) return R_WRONG_CARD;
  if (epoch != <i64>cfg(CFG_EPOCH) + 1) return R_EPOCH;
  if (settled > counterRead(VOUCHER_COUNTER_ID)) return R_SETTLED;
  if (!batchOk || !bytesEqual(coseKid, subjKid, 8) || !verifySign1(subjAlg, subjPub, subjPubLen)) return R_SIGNATURE;
  const balance = <u64>sub(0, SUB_BALANCE) + <u64>topUp;
  if (balance > <u64>(hasEnv ? readU32LE(newEnvelope()) : cfg(CFG_MAX_BALANCE))) return R_MAX_BALANCE;

  // Stage in RAM; a failed commit reloads, so RAM never runs ahead of flash.
  for (let i = 0; i < SUB_WALLETS; i++) {
    setSub(i, SUB_SPENT, 0);
    setSub(i, SUB_COUNT, 0);
    // A sub-wallet limit that was the old envelope's follows the new one; a lower one stays
    // unless the new envelope is below it.
    for (let j = 0; hasEnv && j < 3; j++) {
      const s = sub(i, SUB_PER_PAYMENT + j * 4), old = cfg(CFG_PER_PAYMENT + j * 4), neu = readU32LE(newEnvelope() + <usize>(4 + j * 4));
      if (s == old || s > neu) setSub(i, SUB_PER_PAYMENT + j * 4, neu);
    }
  }
  if (hasEnv) memory.copy(walletConfig() + CFG_MAX_BALANCE, newEnvelope(), 16);
  setCfg(CFG_EPOCH, <u32>epoch);
  setCfg(CFG_SPENT, 0);
  setCfg(CFG_COUNT, 0);
  setSub(0, SUB_BALANCE, <u32>balance);
  fillBytes(logEntry(), 0, LOG_SIZE);
  writeU32LE(logEntry() + LOG_COUNTER, <u32>settled);
  writeU32LE(logEntry() + LOG_AMOUNT, <u32>topUp);
  writeU32LE(logEntry() + LOG_BALANCE, <u32>balance);
  store<u8>(logEntry() + LOG_KIND, KIND_SYNC);
  // Sub-wallets 1..3, then config, sub-wallet 0, log entry and head: 7 records, one commit.
  let r = txBegin();
  for (let i = 1; r >= 0 && i < SUB_WALLETS; i++) r = txPut(KEY_SUB_FIRST + <u16>i, subPtr(i), SUB_SIZE);
  if (r >= 0) r = stageRecords(0, -1);
  if (r >= 0) r = txCommit();
  lastStoreError = r;
  if (r < 0) {
    txAbort();
    walletLoad();
    return R_SYNC_STORE;
  }
  return 0;
}
