// Owner operations under a verified PIN: sub-wallet limits (never above the issuer's
// envelope), funding a sub-wallet from the main one (0), closing it back into the main one.
// Value only moves between sub-wallets, inside one store transaction with its log entry.
import { fillBytes, writeU32LE } from "../lib/bytes";
import { storePut, txAbort, txBegin, txCommit } from "../store/store";
import { CFG_CUMULATIVE, CFG_MAX_COUNT, CFG_PER_PAYMENT, KEY_SUB_FIRST, KIND_CLOSE, KIND_FUND, LOG_AMOUNT, LOG_BALANCE, LOG_KIND, LOG_SIZE, LOG_SUB, SUB_BALANCE, SUB_CUMULATIVE, SUB_MAX_COUNT, SUB_OPEN, SUB_PER_PAYMENT, SUB_SIZE, SUB_WALLETS } from "./wallet-layout";
import { logEntry, cfg, setSub, stageRecords, sub, subPtr, walletLoad } from "./wallet-state";

export const OWNER_OK: i32 = 0;
export const OWNER_BAD_SUB: i32 = 1;
export const OWNER_ABOVE_ENVELOPE: i32 = 2;
export const OWNER_BALANCE: i32 = 3;
export const OWNER_STORE: i32 = 4;

export function setLimits(s: i32, perPayment: u32, cumulative: u32, maxCount: u32): i32 {
  if (s < 0 || s >= SUB_WALLETS || sub(s, SUB_OPEN) != 1) return OWNER_BAD_SUB;
  if (perPayment > cfg(CFG_PER_PAYMENT) || cumulative > cfg(CFG_CUMULATIVE) || maxCount > cfg(CFG_MAX_COUNT)) return OWNER_ABOVE_ENVELOPE;
  setSub(s, SUB_PER_PAYMENT, perPayment);
  setSub(s, SUB_CUMULATIVE, cumulative);
  setSub(s, SUB_MAX_COUNT, maxCount);
  if (storePut(KEY_SUB_FIRST + <u16>s, subPtr(s), SUB_SIZE) < 0) {
    walletLoad();
    return OWNER_STORE;
  }
  return OWNER_OK;
}

function moveValue(from: i32, to: i32, amount: u32, kind: u8, logSub: i32): i32 {
  if (amount > sub(from, SUB_BALANCE)) return OWNER_BALANCE;
  if (txBegin() < 0) return OWNER_STORE;
  setSub(from, SUB_BALANCE, sub(from, SUB_BALANCE) - amount);
  setSub(to, SUB_BALANCE, sub(to, SUB_BALANCE) + amount);
  fillBytes(logEntry(), 0, LOG_SIZE);
  writeU32LE(logEntry() + LOG_AMOUNT, amount);
  writeU32LE(logEntry() + LOG_BALANCE, sub(logSub, SUB_BALANCE));
  store<u8>(logEntry() + LOG_SUB, <u8>logSub);
  store<u8>(logEntry() + LOG_KIND, kind);
  if (stageRecords(from, to) < 0 || txCommit() < 0) {
    txAbort();
    walletLoad();
    return OWNER_STORE;
  }
  return OWNER_OK;
}

/** Opens sub-wallet s (1..3) if needed, with the envelope as its limits, and moves `amount` into it. */
export function fundSub(s: i32, amount: u32): i32 {
  if (s < 1 || s >= SUB_WALLETS) return OWNER_BAD_SUB;
  if (sub(s, SUB_OPEN) != 1) {
    setSub(s, SUB_OPEN, 1);
    setSub(s, SUB_PER_PAYMENT, cfg(CFG_PER_PAYMENT));
    setSub(s, SUB_CUMULATIVE, cfg(CFG_CUMULATIVE));
    setSub(s, SUB_MAX_COUNT, cfg(CFG_MAX_COUNT));
  }
  const r = moveValue(0, s, amount, KIND_FUND, s);
  if (r != OWNER_OK) walletLoad();
  return r;
}

/** Closes sub-wallet s (1..3): its balance returns to the main wallet. */
export function closeSub(s: i32): i32 {
  if (s < 1 || s >= SUB_WALLETS || sub(s, SUB_OPEN) != 1) return OWNER_BAD_SUB;
  setSub(s, SUB_OPEN, 0);
  return moveValue(s, 0, sub(s, SUB_BALANCE), KIND_CLOSE, s);
}
