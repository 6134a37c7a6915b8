// The wallet's records in RAM, loaded from and written back to the store. Mutations are
// staged here and only become real when a store transaction commits; a failed commit
// reloads, so RAM never runs ahead of flash.
import { readU32LE, writeU32LE } from "../lib/bytes";
import { storeGet, txPut } from "../store/store";
import { CFG_SIZE, CFG_STATE, KEY_CONFIG, KEY_LOG_FIRST, KEY_LOG_HEAD, KEY_SUB_FIRST, LOG_SEQ, LOG_SIZE, LOG_SLOTS, SUB_SIZE, SUB_WALLETS } from "./wallet-layout";
import { BATCH_CERT_AT, walletScratch } from "./wallet-scratch";

export function walletConfig(): usize {
  return memory.data(CFG_SIZE);
}
export function subTable(): usize {
  return memory.data(SUB_SIZE * SUB_WALLETS);
}
function logHead(): usize {
  return memory.data(4);
}
export function logEntry(): usize {
  return memory.data(LOG_SIZE);
}
/**
 * The batch certificate while provisioning (wallet-ops) or SYNC (wallet-sync) checks it, in
 * the wallet's per-call scratch (wallet-scratch.ts).
 */
export function batchCert(): usize {
  return walletScratch() + <usize>BATCH_CERT_AT;
}

let loaded = false;

/** Loads config, sub-wallets and log head (missing records read as zero). */
export function walletLoad(): void {
  memory.fill(walletConfig(), 0, CFG_SIZE);
  memory.fill(subTable(), 0, SUB_SIZE * SUB_WALLETS);
  memory.fill(logHead(), 0, 4);
  storeGet(KEY_CONFIG, walletConfig(), CFG_SIZE);
  for (let i = 0; i < SUB_WALLETS; i++) storeGet(KEY_SUB_FIRST + <u16>i, subTable() + <usize>(i * SUB_SIZE), SUB_SIZE);
  storeGet(KEY_LOG_HEAD, logHead(), 4);
  loaded = true;
}

export function ensureLoaded(): void {
  if (!loaded) walletLoad();
}

export function walletActive(): bool {
  ensureLoaded();
  return load<u8>(walletConfig() + CFG_STATE) == 1;
}

export function cfg(off: i32): u32 {
  return readU32LE(walletConfig() + <usize>off);
}

export function setCfg(off: i32, v: u32): void {
  writeU32LE(walletConfig() + <usize>off, v);
}

export function subPtr(i: i32): usize {
  return subTable() + <usize>(i * SUB_SIZE);
}

export function sub(i: i32, off: i32): u32 {
  return readU32LE(subPtr(i) + <usize>off);
}

export function setSub(i: i32, off: i32, v: u32): void {
  writeU32LE(subPtr(i) + <usize>off, v);
}

/** Log entries written so far (the next sequence number). */
export function logCount(): u32 {
  return readU32LE(logHead());
}

/** Stages config, one or two sub-wallets and a log entry (LOG_ENTRY) in the open transaction. */
export function stageRecords(subA: i32, subB: i32): i32 {
  let r = txPut(KEY_CONFIG, walletConfig(), CFG_SIZE);
  if (r < 0) return r;
  r = txPut(KEY_SUB_FIRST + <u16>subA, subPtr(subA), SUB_SIZE);
  if (r < 0) return r;
  if (subB >= 0 && subB != subA) {
    r = txPut(KEY_SUB_FIRST + <u16>subB, subPtr(subB), SUB_SIZE);
    if (r < 0) return r;
  }
  const seq = logCount();
  writeU32LE(logEntry() + LOG_SEQ, seq);
  r = txPut(KEY_LOG_FIRST + <u16>(seq % LOG_SLOTS), logEntry(), LOG_SIZE);
  if (r < 0) return r;
  writeU32LE(logHead(), seq + 1);
  return txPut(KEY_LOG_HEAD, logHead(), 4);
}

/** Reads log entry `back` (0 = newest) into `out`; returns its size or < 0 when absent. */
export function readLog(back: u32, out: usize): i32 {
  const n = logCount();
  if (back >= n || back >= LOG_SLOTS) return -1;
  const seq = n - 1 - back;
  return storeGet(KEY_LOG_FIRST + <u16>(seq % LOG_SLOTS), out, LOG_SIZE);
}
