// One offline payment: the payee's BEGIN gives the challenge and payee id; SIGN checks the
// limits, stages balance, counter and log, signs, and commits them in one store transaction
// with the signed voucher, which the card keeps until the host acknowledges it (READ LAST
// VOUCHER, ACK VOUCHER in wallet-applet.ts). A cut before the commit leaves nothing; after
// it, the debit and its voucher. The challenge is consumed at the commit, so one BEGIN
// yields at most one voucher.
import { clock_unix } from "../hal/clock";
import { bytesEqual, copyBytes, fillBytes, writeU32LE } from "../lib/bytes";
import { txAbort, txBegin, txCommit, txCounterNext, txPut } from "../store/store";
import { deviceKid, loadDeviceKey } from "./device-key";
import { CFG_COUNT, CFG_CUMULATIVE, CFG_CURRENCY, CFG_EPOCH, CFG_MAX_COUNT, CFG_PER_PAYMENT, CFG_SLOT, CFG_SPENT, KIND_PAYMENT, LOG_AMOUNT, LOG_BALANCE, LOG_COUNTER, LOG_KIND, LOG_PAYEE, LOG_SIZE, LOG_SUB, SUB_BALANCE, SUB_COUNT, SUB_CUMULATIVE, SUB_MAX_COUNT, SUB_OPEN, SUB_PER_PAYMENT, SUB_SPENT, SUB_WALLETS, VOUCHER_COUNTER_ID, KEY_LAST_VOUCHER } from "./wallet-layout";
import { walletConfig, logEntry, cfg, setCfg, setSub, stageRecords, sub, walletActive, walletLoad } from "./wallet-state";
import { VOUCHER } from "../codec/voucher/voucher-payload";
import { buildPayload, signVoucher } from "./voucher-builder";
import { CHAIN_MAX, chainOpen, chainPrepare, chainStage } from "./wallet-payword";

// Refusal reasons (docs/wallet-apdu.md): the data byte of a 6985 answer.
export const R_NOT_PROVISIONED: i32 = 1;
export const R_NO_SESSION: i32 = 2;
export const R_BAD_SUB: i32 = 3;
export const R_CURRENCY: i32 = 4;
export const R_AMOUNT: i32 = 5;
export const R_BALANCE: i32 = 6;
export const R_PER_PAYMENT: i32 = 7;
export const R_CUMULATIVE: i32 = 8;
export const R_COUNT: i32 = 9;
export const R_STORE: i32 = 10;
export const R_SIGN: i32 = 11;
export const R_CHAIN_OPEN: i32 = 12;

function paymentChallenge(): usize {
  return memory.data(32);
}
function paymentPayee(): usize {
  return memory.data(32);
}
let challengeLen: i32 = 0;
let payeeLen: i32 = 0;
let sessionOpen = false;
let sessionTime: u64 = 0;
let lastStoreError: i32 = 0;

/** The store's error code behind the last R_STORE refusal (for diagnostics). */
export function paymentStoreError(): i32 {
  return lastStoreError;
}

export function endSession(): void {
  sessionOpen = false;
  fillBytes(paymentChallenge(), 0, 32);
}

/** BEGIN PAYMENT: keeps the payee's challenge (16..32 bytes) and id (1..32 bytes). */
export function beginPayment(chal: usize, chalLen: i32, payee: usize, pLen: i32, time: u64): i32 {
  if (!walletActive()) return R_NOT_PROVISIONED;
  if (chalLen < 16 || chalLen > 32 || pLen < 1 || pLen > 32) return R_AMOUNT;
  copyBytes(paymentChallenge(), chal, chalLen);
  copyBytes(paymentPayee(), payee, pLen);
  challengeLen = chalLen;
  payeeLen = pLen;
  const unix = clock_unix();
  sessionTime = time != 0 ? time : unix > 0 ? <u64>unix : 0;
  sessionOpen = true;
  return 0;
}

/** Which limit `amount` from sub-wallet `s` would break, or 0. */
export function limitCheck(s: i32, amount: u32): i32 {
  if (s < 0 || s >= SUB_WALLETS || sub(s, SUB_OPEN) != 1) return R_BAD_SUB;
  if (amount == 0) return R_AMOUNT;
  if (amount > sub(s, SUB_BALANCE)) return R_BALANCE;
  if (amount > cfg(CFG_PER_PAYMENT) || amount > sub(s, SUB_PER_PAYMENT)) return R_PER_PAYMENT;
  if (<u64>cfg(CFG_SPENT) + amount > <u64>cfg(CFG_CUMULATIVE) || <u64>sub(s, SUB_SPENT) + amount > <u64>sub(s, SUB_CUMULATIVE)) return R_CUMULATIVE;
  if (cfg(CFG_COUNT) + 1 > cfg(CFG_MAX_COUNT) || sub(s, SUB_COUNT) + 1 > sub(s, SUB_MAX_COUNT)) return R_COUNT;
  return 0;
}

/**
 * SIGN VOUCHER (chainLength 0) or SIGN CHAIN (a PayWord commitment reserving
 * chainUnit x chainLength): writes the COSE_Sign1 at `out`; returns its length, or -reason.
 */
export function signPayment(amount: u32, currency: usize, s: i32, out: usize, cap: i32, chainUnit: u32 = 0, chainLength: u32 = 0): i32 {
  if (!walletActive()) return -R_NOT_PROVISIONED;
  if (!sessionOpen) return -R_NO_SESSION;
  if (!bytesEqual(currency, walletConfig() + CFG_CURRENCY, 3)) return -R_CURRENCY;
  if (chainLength > 0) {
    if (chainLength > CHAIN_MAX || chainUnit == 0 || <u64>chainUnit * <u64>chainLength > 0xffffffff) return -R_AMOUNT;
    if (chainOpen()) return -R_CHAIN_OPEN;
    amount = chainUnit * chainLength;
  }
  const refused = limitCheck(s, amount);
  if (refused != 0) return -refused;
  const slot = <i32>load<u8>(walletConfig() + CFG_SLOT);
  const alg = loadDeviceKey(slot);
  if (alg == 0) return -R_SIGN;
  const chainRoot = chainLength > 0 ? chainPrepare(chainLength, chainUnit, s) : 0;
  if (chainLength > 0 && chainRoot == 0) return -R_SIGN;

  lastStoreError = txBegin();
  if (lastStoreError < 0) return -R_STORE;
  const counter = txCounterNext(VOUCHER_COUNTER_ID);
  if (counter <= 0) {
    lastStoreError = <i32>counter;
    txAbort();
    return -R_STORE;
  }
  const balance = sub(s, SUB_BALANCE) - amount;
  setSub(s, SUB_BALANCE, balance);
  setSub(s, SUB_SPENT, sub(s, SUB_SPENT) + amount);
  setSub(s, SUB_COUNT, sub(s, SUB_COUNT) + 1);
  setCfg(CFG_SPENT, cfg(CFG_SPENT) + amount);
  setCfg(CFG_COUNT, cfg(CFG_COUNT) + 1);
  fillBytes(logEntry(), 0, LOG_SIZE);
  writeU32LE(logEntry() + LOG_COUNTER, <u32>counter);
  writeU32LE(logEntry() + LOG_AMOUNT, amount);
  writeU32LE(logEntry() + LOG_BALANCE, balance);
  store<u8>(logEntry() + LOG_SUB, <u8>s);
  store<u8>(logEntry() + LOG_KIND, KIND_PAYMENT);
  copyBytes(logEntry() + LOG_PAYEE, paymentPayee(), payeeLen < 8 ? payeeLen : 8);
  lastStoreError = stageRecords(s, -1);
  if (lastStoreError >= 0 && chainLength > 0) lastStoreError = chainStage(<u32>counter);
  if (lastStoreError < 0) {
    txAbort();
    walletLoad();
    return -R_STORE;
  }
  // Signed inside the open transaction, so that the voucher is committed with the debit it
  // pays for (record KEY_LAST_VOUCHER, kept until the host acknowledges it): a power cut
  // leaves either nothing, or the debit and a voucher the host can read again.
  VOUCHER.deviceId = deviceKid();
  VOUCHER.counter = <u64>counter;
  VOUCHER.amount = amount;
  VOUCHER.currency = walletConfig() + CFG_CURRENCY;
  VOUCHER.payee = paymentPayee();
  VOUCHER.payeeLen = payeeLen;
  VOUCHER.challenge = paymentChallenge();
  VOUCHER.challengeLen = challengeLen;
  VOUCHER.subWallet = <u32>s;
  VOUCHER.balanceAfter = balance;
  VOUCHER.epoch = cfg(CFG_EPOCH);
  VOUCHER.time = sessionTime;
  VOUCHER.chainRoot = chainRoot;
  VOUCHER.chainUnit = chainUnit;
  VOUCHER.chainLength = chainLength;
  const n = buildPayload(VOUCHER) < 0 ? -1 : signVoucher(slot, alg, deviceKid(), out, cap);
  if (n <= 0) {
    txAbort();
    walletLoad();
    return -R_SIGN;
  }
  lastStoreError = txPut(KEY_LAST_VOUCHER, out, n);
  if (lastStoreError >= 0) lastStoreError = txCommit();
  if (lastStoreError < 0) {
    txAbort();
    walletLoad();
    return -R_STORE;
  }
  // Committed: the counter is spent and the voucher kept. One BEGIN, one voucher.
  sessionOpen = false;
  fillBytes(paymentChallenge(), 0, 32);
  return n;
}
