// PayWord hash chains on the card (docs/wallet-apdu.md, PayWord): one voucher commits to the
// root w0 of a chain w(i-1) = SHA-256(w(i)) of length n and reserves n x unit from the
// balance; each later tap releases the next word. The chain's seed w(n) comes from the TRNG
// and stays in the store with the highest index released, which is committed BEFORE the
// word leaves the card: a cut can lose the payee a unit but never lets the card refund a
// unit it released. CLOSE returns (n - released) x unit to the sub-wallet in one transaction.
import { sha256 } from "../hal/keystore";
import { random } from "../hal/random";
import { fillBytes, readU32LE, writeU32LE } from "../lib/bytes";
import { storeGet, storePut, txAbort, txBegin, txCommit, txDelete, txPut } from "../store/store";
import { KIND_REFUND, LOG_AMOUNT, LOG_BALANCE, LOG_COUNTER, LOG_KIND, LOG_SIZE, LOG_SUB, SUB_BALANCE } from "./wallet-layout";
import { logEntry, setSub, stageRecords, sub, walletLoad } from "./wallet-state";

export const KEY_CHAIN: u16 = 0x0330;
/** Longest chain: releasing word i costs n - i hashes on the card. */
export const CHAIN_MAX: u32 = 1000;

// Chain record: open u8, sub u8, 2 pad, counter u32, length u32, unit u32, released u32, seed 32.
const C_OPEN = 0;
const C_SUB = 1;
const C_COUNTER = 4;
const C_LENGTH = 8;
const C_UNIT = 12;
const C_RELEASED = 16;
const C_SEED = 20;
const CHAIN_SIZE = 52;

function chainRecord(): usize {
  return memory.data(CHAIN_SIZE);
}
function wordScratch(): usize {
  return memory.data(32);
}

export const CHAIN_OK: i32 = 0;
export const CHAIN_NONE: i32 = -1;
export const CHAIN_INDEX: i32 = -2;
export const CHAIN_STORE: i32 = -3;

function loadChain(): bool {
  if (storeGet(KEY_CHAIN, chainRecord(), CHAIN_SIZE) != CHAIN_SIZE) fillBytes(chainRecord(), 0, CHAIN_SIZE);
  return load<u8>(chainRecord() + C_OPEN) == 1;
}

export function chainOpen(): bool {
  return loadChain();
}

/** Whether the open chain was committed from sub-wallet s (its refund goes back there). */
export function chainOpenOn(s: i32): bool {
  return loadChain() && <i32>load<u8>(chainRecord() + C_SUB) == s;
}

/** word(i) = SHA-256 applied (n - i) times to the seed, into WORD. */
function wordAt(i: u32): usize {
  memory.copy(wordScratch(), chainRecord() + C_SEED, 32);
  const n = readU32LE(chainRecord() + C_LENGTH);
  for (let k = i; k < n; k++) sha256(wordScratch(), 32, wordScratch());
  return wordScratch();
}

/** Draws a seed and computes the root w0 for a new chain; returns the root's address or 0. */
export function chainPrepare(length: u32, unit: u32, s: i32): usize {
  fillBytes(chainRecord(), 0, CHAIN_SIZE);
  if (random(chainRecord() + C_SEED, 32) != 32) return 0;
  store<u8>(chainRecord() + C_OPEN, 1);
  store<u8>(chainRecord() + C_SUB, <u8>s);
  writeU32LE(chainRecord() + C_LENGTH, length);
  writeU32LE(chainRecord() + C_UNIT, unit);
  return wordAt(0);
}

/** Inside the payment's transaction: the chain record, tied to the commitment's counter. */
export function chainStage(counter: u32): i32 {
  writeU32LE(chainRecord() + C_COUNTER, counter);
  return txPut(KEY_CHAIN, chainRecord(), CHAIN_SIZE);
}

/** Releases word `index` (released + 1, or released again); returns its address, or < 0. */
export function chainRelease(index: u32): i32 {
  if (!loadChain()) return CHAIN_NONE;
  const released = readU32LE(chainRecord() + C_RELEASED);
  if (index == 0 || index > readU32LE(chainRecord() + C_LENGTH) || (index != released && index != released + 1)) return CHAIN_INDEX;
  if (index != released) {
    writeU32LE(chainRecord() + C_RELEASED, index);
    if (storePut(KEY_CHAIN, chainRecord(), CHAIN_SIZE) < 0) return CHAIN_STORE;
  }
  return <i32>wordAt(index);
}

let lastRefund: u32 = 0;

export function chainRefund(): u32 {
  return lastRefund;
}

/** Closes the open chain: unreleased units go back to its sub-wallet, logged as a refund. */
export function chainClose(): i32 {
  if (!loadChain()) return CHAIN_NONE;
  const s = <i32>load<u8>(chainRecord() + C_SUB);
  const unit = readU32LE(chainRecord() + C_UNIT);
  lastRefund = (readU32LE(chainRecord() + C_LENGTH) - readU32LE(chainRecord() + C_RELEASED)) * unit;
  const balance = sub(s, SUB_BALANCE) + lastRefund;
  setSub(s, SUB_BALANCE, balance);
  fillBytes(logEntry(), 0, LOG_SIZE);
  writeU32LE(logEntry() + LOG_COUNTER, readU32LE(chainRecord() + C_COUNTER));
  writeU32LE(logEntry() + LOG_AMOUNT, lastRefund);
  writeU32LE(logEntry() + LOG_BALANCE, balance);
  store<u8>(logEntry() + LOG_SUB, <u8>s);
  store<u8>(logEntry() + LOG_KIND, KIND_REFUND);
  let r = txBegin();
  if (r >= 0) r = stageRecords(s, -1);
  if (r >= 0) r = txDelete(KEY_CHAIN);
  if (r >= 0) r = txCommit();
  if (r < 0) {
    txAbort();
    walletLoad();
    return CHAIN_STORE;
  }
  return CHAIN_OK;
}
