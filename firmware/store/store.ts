// Public API of the power-safe store (docs/store.md): key/value records, atomic
// transactions and wear-levelled monotonic counters on NOR flash region 0. Argument checks,
// capacity and transaction staging live here; the log format and recovery in log.ts.
import { flash_read } from "../hal/flash";
import {
  E_STORE_ARG, E_STORE_EXHAUSTED, E_STORE_FULL, E_STORE_NOT_FOUND, E_STORE_TOO_LARGE, E_STORE_TX, E_STORE_UNMOUNTED,
} from "./errors";
import {
  CTR_TICKS, CTR_TX_TICKS, T_COMMIT, T_TX_CTR, T_TX_DEL, T_TX_PUT, headerKey, headerLen, headerType, makeHeader, padded, recordCheck, recordSize,
} from "./layout";
import { MAX_KEYS, keyAddr, keyCount, keyFind, keyLen } from "./key-index";
import { MAX_COUNTERS, counterBlockTicks, counterHasBlock, counterNextTick, counterTicked, counterValue, countersInUse } from "./counter-table";
import {
  MAX_WRITE, appendAtTail, applyStaged, blockSize, compactHead, ensureRoom, logCapacity, logCompactions, logEraseCycles,
  logLiveBytes, logMount, logMounted, logPageSize, logPages, putSize, slotErases, writeCounterBlock, writeDelete, writePut, writeTick,
} from "./log";

export const STORE_MAX_VALUE: i32 = 512;
export const STORE_MAX_TX_RECORDS: i32 = 8;
/** Bytes a transaction's records and commit may take together (one program call). */
export const STORE_MAX_TX_BYTES: i32 = MAX_WRITE;
export const STORE_STATS_BYTES: i32 = 48;
const COUNTER_LIMIT: u32 = 0xffffffff;

// A transaction is staged here, fully encoded, and programmed with its commit in one call.
// The staged records are their own bookkeeping: each header word gives type, key, length and
// size, a counter block carries its value; only the records' CRCs are kept apart, contiguous,
// for the commit's CRC over them.
const TX_BUF = memory.data(MAX_WRITE, 4);
const TX_CRC = memory.data(STORE_MAX_TX_RECORDS * 4, 4);
let txOpen = false;
let txCount = 0;
let txBytes = 0;
let txNewKeys = 0;

function keyOk(key: u16): bool {
  return key != 0 && key != 0xffff;
}

export function storeMount(): i32 {
  txOpen = false;
  return logMount();
}

export function storeGet(key: u16, out: usize, cap: i32): i32 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (!keyOk(key) || cap < 0) return E_STORE_ARG;
  const i = keyFind(<u32>key);
  if (i < 0) return E_STORE_NOT_FOUND;
  const len = keyLen(i);
  const n = len < cap ? len : cap;
  if (n > 0) {
    const r = flash_read(0, <i32>keyAddr(i) + 4, out, n);
    if (r < 0) return r;
  }
  return len;
}

/** Refuses writes the store could not later compact, before anything touches flash. */
function roomFor(key: u32, len: i32): i32 {
  const i = keyFind(key);
  const old = i >= 0 ? putSize(keyLen(i)) : 0;
  if (i < 0 && keyCount() >= MAX_KEYS) return E_STORE_FULL;
  if (logLiveBytes() - old + putSize(len) > logCapacity()) return E_STORE_FULL;
  return 0;
}

export function storePut(key: u16, ptr: usize, len: i32): i32 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (txOpen) return E_STORE_TX;
  if (!keyOk(key) || len < 0) return E_STORE_ARG;
  if (len > STORE_MAX_VALUE) return E_STORE_TOO_LARGE;
  const room = roomFor(<u32>key, len);
  if (room < 0) return room;
  return writePut(<u32>key, ptr, len);
}

export function storeDelete(key: u16): i32 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (txOpen) return E_STORE_TX;
  if (!keyOk(key)) return E_STORE_ARG;
  if (keyFind(<u32>key) < 0) return 0;
  return writeDelete(<u32>key);
}

// ---- counters ----

export function counterRead(id: u16): i64 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (<i32>id >= MAX_COUNTERS) return E_STORE_ARG;
  return <i64>counterValue(<i32>id);
}

export function counterNext(id: u16): i64 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (txOpen) return E_STORE_TX;
  const c = <i32>id;
  if (c >= MAX_COUNTERS) return E_STORE_ARG;
  const v = counterValue(c);
  if (v == COUNTER_LIMIT) return E_STORE_EXHAUSTED;
  if (counterHasBlock(c) && counterNextTick(c) < counterBlockTicks(c)) {
    const r = writeTick(c, counterNextTick(c));
    if (r < 0) return r;
    counterTicked(c);
    return <i64>(v + 1);
  }
  if (logLiveBytes() + blockSize(CTR_TICKS) > logCapacity() + (counterHasBlock(c) ? blockSize(counterBlockTicks(c)) : 0)) return E_STORE_FULL;
  const r = writeCounterBlock(c, v + 1, false);
  if (r < 0) return r;
  return <i64>(v + 1);
}

// ---- transactions ----

export function txBegin(): i32 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (txOpen) return E_STORE_TX;
  txOpen = true;
  txCount = 0;
  txBytes = 0;
  txNewKeys = 0;
  return 0;
}

export function txAbort(): void {
  txOpen = false;
}

/** Reserves room for one staged record; the commit needs 12 more bytes. */
function txSlot(size: i32): i32 {
  if (!txOpen) return E_STORE_TX;
  if (txCount >= STORE_MAX_TX_RECORDS) return E_STORE_TX;
  if (txBytes + size + 12 > STORE_MAX_TX_BYTES) return E_STORE_TOO_LARGE;
  return 0;
}

/** Seals the record just encoded at the end of TX_BUF with its CRC. */
function txStage(size: i32, checked: i32): void {
  const rec = TX_BUF + <usize>txBytes;
  const crc = recordCheck(rec, checked);
  store<u32>(rec + <usize>checked, crc);
  store<u32>(TX_CRC + (<usize>txCount << 2), crc);
  txCount++;
  txBytes += size;
}

export function txPut(key: u16, ptr: usize, len: i32): i32 {
  if (!keyOk(key) || len < 0) return E_STORE_ARG;
  if (len > STORE_MAX_VALUE) return E_STORE_TOO_LARGE;
  const size = putSize(len);
  const r = txSlot(size);
  if (r < 0) return r;
  const rec = TX_BUF + <usize>txBytes;
  store<u32>(rec, makeHeader(T_TX_PUT, <u32>key, <u32>len));
  if ((len & 3) != 0) store<u32>(rec + <usize>padded(len), 0xffffffff);
  if (len > 0) memory.copy(rec + 4, ptr, <usize>len);
  if (keyFind(<u32>key) < 0) txNewKeys++;
  txStage(size, size - 4);
  return 0;
}

export function txDelete(key: u16): i32 {
  if (!keyOk(key)) return E_STORE_ARG;
  const r = txSlot(8);
  if (r < 0) return r;
  store<u32>(TX_BUF + <usize>txBytes, makeHeader(T_TX_DEL, <u32>key, 0));
  txStage(8, 4);
  return 0;
}

export function txCounterNext(id: u16): i64 {
  const c = <i32>id;
  if (c >= MAX_COUNTERS) return E_STORE_ARG;
  const size = blockSize(CTR_TX_TICKS);
  const r = txSlot(size);
  if (r < 0) return r;
  const reserved = txReserved(<u32>c);
  const current = reserved > counterValue(c) ? reserved : counterValue(c);
  if (current == COUNTER_LIMIT) return E_STORE_EXHAUSTED;
  const value = current + 1;
  const rec = TX_BUF + <usize>txBytes;
  store<u32>(rec, makeHeader(T_TX_CTR, <u32>c, <u32>CTR_TX_TICKS));
  store<u32>(rec + 4, value);
  for (let i = 12; i < size; i += 4) store<u32>(rec + <usize>i, 0xffffffff);
  txStage(size, 8);
  return <i64>value;
}

/** The highest value this transaction already reserved for counter `id`, 0 if none. */
function txReserved(id: u32): u32 {
  let best: u32 = 0;
  for (let off = 0; off < txBytes; ) {
    const w = load<u32>(TX_BUF + <usize>off);
    if (headerType(w) == T_TX_CTR && headerKey(w) == id) {
      const v = load<u32>(TX_BUF + <usize>off, 4);
      if (v > best) best = v;
    }
    off += recordSize(w);
  }
  return best;
}

export function txCommit(): i32 {
  if (!txOpen) return E_STORE_TX;
  txOpen = false;
  if (txCount == 0) return 0;
  if (keyCount() + txNewKeys > MAX_KEYS) return E_STORE_FULL;
  if (logLiveBytes() + txBytes > logCapacity()) return E_STORE_FULL;
  // Commit record: how many records precede it and a CRC over their CRCs, so it can only
  // complete the very transaction it was written with.
  const commit = TX_BUF + <usize>txBytes;
  store<u32>(commit, makeHeader(T_COMMIT, 0, <u32>txCount));
  store<u32>(commit + 4, recordCheck(TX_CRC, txCount * 4));
  store<u32>(commit + 8, recordCheck(commit, 8));
  const total = txBytes + 12;
  const room = ensureRoom(total, false);
  if (room < 0) return room;
  const base = appendAtTail(TX_BUF, total);
  if (base < 0) return <i32>base;
  for (let off = 0; off < txBytes; ) {
    const rec = TX_BUF + <usize>off;
    const w = load<u32>(rec);
    const t = headerType(w);
    applyStaged(t, headerKey(w), <u32>base + <u32>off, headerLen(w), t == T_TX_CTR ? load<u32>(rec, 4) : 0, 0);
    off += recordSize(w);
  }
  return 0;
}

// ---- maintenance and figures ----

/** Compacts the oldest page now (benches and tests; writes compact on their own). */
export function storeCompact(): i32 {
  if (!logMounted()) return E_STORE_UNMOUNTED;
  if (txOpen) return E_STORE_TX;
  return compactHead();
}

export function storeCompactions(): u32 {
  return logCompactions();
}

/**
 * Counter increments the region can still take: erase cycles left times the bytes a page
 * offers beyond its share of live data, at 4 bytes per tick plus a 12-byte block header
 * every 64 ticks (docs/store.md, "Endurance").
 */
function remainingIncrements(totalErases: u64): u64 {
  const pages = <u64>logPages();
  const rated = <u64>logEraseCycles() * pages;
  if (totalErases >= rated) return 0;
  const perPage = <u64>(logPageSize() - 16) - <u64>logLiveBytes() / pages;
  return ((rated - totalErases) * perPage * 64) / 268;
}

export function storeStats(out: usize): i32 {
  let total: u64 = 0;
  let maxErases: u32 = 0;
  for (let s = 0; s < logPages(); s++) {
    const e = slotErases(s);
    total += <u64>e;
    if (e > maxErases) maxErases = e;
  }
  const remaining = remainingIncrements(total);
  const free = logCapacity() - logLiveBytes();
  store<u32>(out, <u32>logPageSize());
  store<u32>(out + 4, <u32>logPages());
  store<u32>(out + 8, <u32>logLiveBytes());
  store<u32>(out + 12, <u32>(free > 0 ? free : 0));
  store<u32>(out + 16, <u32>total);
  store<u32>(out + 20, maxErases);
  store<u32>(out + 24, <u32>logEraseCycles());
  store<u32>(out + 28, remaining > 0xffffffff ? 0xffffffff : <u32>remaining);
  store<u32>(out + 32, <u32>keyCount());
  store<u32>(out + 36, <u32>countersInUse());
  store<u32>(out + 40, <u32>logCapacity());
  store<u32>(out + 44, logCompactions());
  return STORE_STATS_BYTES;
}
