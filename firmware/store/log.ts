// The log engine under the store API: pages of flash region 0 used as a ring of
// append-only pages (docs/store.md, "Design"). Mount rebuilds the RAM index from the log and
// repairs what a power cut left behind; appends, page opening and compaction keep the
// invariants the recovery proof relies on:
//  - slots are erased strictly in ring order, so a page can only vanish after every older
//    page has been erased and re-headed (nothing newer than a tombstone outlives it);
//  - every record is written by one program call at the tail, where mount proved the flash
//    is still erased, and is accepted only with a valid CRC;
//  - a torn write at the tail is covered with zeros (padding) before anything follows it.
import { STORE_PAGES } from "../board";
import { flash_erase, flash_geometry, flash_program, flash_read } from "../hal/flash";
import { E_STORE_CORRUPT, E_STORE_FULL, E_STORE_TOO_LARGE } from "./errors";
import {
  CTR_TICKS, ERASED, PADDING, PAGE_HEADER, T_COMMIT, T_CTR, T_DEL, T_PUT, T_TX_CTR, T_TX_DEL, T_TX_PUT,
  checkedSize, headerKey, headerLen, headerType, isTx, makeHeader, pageCheck, padded, recordCheck, recordSize,
} from "./layout";
import { keyAddr, keyClear, keyFind, keyLen, keyRemove, keySet } from "./key-index";
import {
  MAX_COUNTERS, counterBlock, counterBlockTicks, counterClear, counterHasBlock, counterOffer, counterValue,
} from "./counter-table";

const REGION: i32 = 0;
/** The board's store partition (the build refuses one the u16 addresses of the RAM tables cannot reach). */
const MAX_PAGES: i32 = STORE_PAGES;
/** Flash addresses the RAM tables keep as u16 word counts reach this far. */
const MAX_REGION_BYTES: i32 = 65536 * 4;
/** Slots kept free for compaction: a copy needs at most one, a torn copy wastes part of another. */
export const RESERVE_SLOTS: i32 = 2;
/** Largest single program: a staged transaction (its buffer lives in store.ts). */
export const MAX_WRITE: i32 = 1536;
/** Largest record read or built whole: a PUT of a 512 B value (a 64-tick counter block is 268). */
export const MAX_RECORD: i32 = 8 + 512;
const MAX_TX_RECORDS: i32 = 8;

const HEADER = memory.data(PAGE_HEADER, 4);
// Mount reads the geometry (4 words) before the first page header, into the same 16 bytes.
const GEOM = HEADER;
const REC = memory.data(MAX_RECORD, 4);
// Chunked reads (tick words, the tail's erased check) and the zeros that cover a torn write
// share REC: they never overlap a record REC must keep. The only user inside a record's life
// is countTicks, under a counter block whose checked part and CRC take REC's first 12 bytes.
const SCRATCH_SIZE: i32 = 256;
const SCRATCH: usize = REC + 16;
const SLOT_SEQ = memory.data(MAX_PAGES * 4, 4);
const SLOT_ERASES = memory.data(MAX_PAGES * 4, 4);

// Transaction records seen by the mount scan, applied only when their commit follows: the
// header word (type, key, length), the address, a counter block's value and next tick, and
// the record's CRC (contiguous: the commit checks a CRC over them).
const PEND_HEADER = memory.data(MAX_TX_RECORDS * 4, 4);
const PEND_ADDR = memory.data(MAX_TX_RECORDS * 4, 4);
const PEND_VALUE = memory.data(MAX_TX_RECORDS * 4, 4);
const PEND_NEXT = memory.data(MAX_TX_RECORDS, 1);
const PEND_CRC = memory.data(MAX_TX_RECORDS * 4, 4);
let pendCount = 0;

let pageSize = 0;
let pages = 0;
let eraseCycles = 0;
let mounted = false;
let headSeq: i32 = 0;
let tailSeq: i32 = -1;
let tailOff: i32 = 0;
let liveBytes: i32 = 0;
let compactions: u32 = 0;
// Filled by readRecord for counter blocks.
let blockValue: u32 = 0;
let blockNextTick: i32 = 0;

export function logMounted(): bool { return mounted; }
export function logPageSize(): i32 { return pageSize; }
export function logPages(): i32 { return pages; }
export function logEraseCycles(): i32 { return eraseCycles; }
export function logLiveBytes(): i32 { return liveBytes; }
export function logCompactions(): u32 { return compactions; }
export function slotErases(slot: i32): u32 { return load<u32>(SLOT_ERASES + (<usize>slot << 2)); }
/**
 * REC holds nothing between store calls, so a caller may borrow its MAX_RECORD bytes until its
 * next store call (the stats map fills and encodes the StoreStats there).
 */
export function logScratch(): usize { return REC; }

/** Live data the store accepts: what compaction can always move with RESERVE_SLOTS free. */
export function logCapacity(): i32 {
  return (pages - RESERVE_SLOTS - 1) * (pageSize - PAGE_HEADER - MAX_WRITE);
}

function slotOf(seq: i32): i32 { return seq % pages; }
function slotSeq(slot: i32): i32 { return load<i32>(SLOT_SEQ + (<usize>slot << 2)); }
function setSlotSeq(slot: i32, seq: i32): void { store<i32>(SLOT_SEQ + (<usize>slot << 2), seq); }
function freeSlots(): i32 { return tailSeq < 0 ? pages : pages - (tailSeq - headSeq + 1); }

export function putSize(len: i32): i32 { return 8 + padded(len); }
export function blockSize(ticks: i32): i32 { return 12 + 4 * ticks; }

// ---- applying records to the RAM state (mount scan and writes share these) ----

export function applyPut(key: u32, addr: u32, len: i32): void {
  const i = keyFind(key);
  if (i >= 0) liveBytes -= putSize(keyLen(i));
  if (keySet(key, addr, len)) liveBytes += putSize(len);
}

export function applyDel(key: u32): void {
  const i = keyFind(key);
  if (i < 0) return;
  liveBytes -= putSize(keyLen(i));
  keyRemove(key);
}

export function applyCounter(id: i32, addr: u32, ticks: i32, value: u32, nextTick: i32): void {
  if (id >= MAX_COUNTERS) return;
  const before = counterHasBlock(id) ? blockSize(counterBlockTicks(id)) : 0;
  counterOffer(id, addr, ticks, value, nextTick);
  liveBytes += blockSize(counterBlockTicks(id)) - before;
}

// ---- mount ----

export function logMount(): i32 {
  mounted = false;
  if (flash_geometry(REGION, GEOM) < 0) return E_STORE_CORRUPT;
  pageSize = <i32>load<u32>(GEOM);
  pages = <i32>load<u32>(GEOM + 4);
  const writeUnit = <i32>load<u32>(GEOM + 8);
  eraseCycles = <i32>load<u32>(GEOM + 12);
  if (pages < RESERVE_SLOTS + 2 || pages > MAX_PAGES || writeUnit > 4 || 4 % writeUnit != 0) return E_STORE_CORRUPT;
  if (pages * pageSize > MAX_REGION_BYTES) return E_STORE_CORRUPT;
  if (pageSize < PAGE_HEADER + MAX_WRITE + MAX_RECORD || (pageSize & 3) != 0) return E_STORE_CORRUPT;
  keyClear();
  counterClear();
  liveBytes = 0;
  pendCount = 0;
  let maxSeq: i32 = -1;
  let maxHead: i32 = 0;
  let maxErases: u32 = 0;
  for (let slot = 0; slot < pages; slot++) {
    let seq: i32 = -1;
    let erases: u32 = 0;
    if (flash_read(REGION, slot * pageSize, HEADER, PAGE_HEADER) < 0) return E_STORE_CORRUPT;
    const s = load<u32>(HEADER);
    if (pageCheck(HEADER) == load<u32>(HEADER + 12) && s < 0x7fffffff && <i32>s % pages == slot) {
      seq = <i32>s;
      erases = load<u32>(HEADER + 8);
      const head = <i32>load<u32>(HEADER + 4);
      if (seq > maxSeq) maxSeq = seq;
      if (head <= seq && head > maxHead) maxHead = head;
      if (erases > maxErases) maxErases = erases;
    } else if (!headerErased()) {
      erases = 1; // no header: 0 while it reads erased, 1 when a cut left part of one
    }
    setSlotSeq(slot, seq);
    store<u32>(SLOT_ERASES + (<usize>slot << 2), erases);
  }
  // A slot without a header that the ring already reached (seq n opens slot n % pages, so
  // slot s was reached once s <= the newest seq) was erased at least as often as its
  // neighbours, which ring order keeps within one of each other. One the ring never reached
  // keeps its own 0 or 1: counting it as its neighbours made a fresh 20-page store report 20
  // erases after a restart while the flash had seen 2 (issue 16, finding 8).
  for (let slot = 0; slot < pages; slot++) {
    if (slotSeq(slot) < 0 && slot <= maxSeq) store<u32>(SLOT_ERASES + (<usize>slot << 2), maxErases);
  }
  if (maxSeq < 0) {
    headSeq = 0;
    tailSeq = -1;
    tailOff = 0;
    mounted = true;
    return 0;
  }
  tailSeq = maxSeq;
  let h = maxSeq;
  while (h - 1 >= 0 && h - 1 > maxSeq - pages && h - 1 >= maxHead && slotSeq(slotOf(h - 1)) == h - 1) h--;
  headSeq = h;
  for (let seq = headSeq; seq <= tailSeq; seq++) {
    const r = scanPage(seq, seq == tailSeq);
    if (r < 0) return r;
  }
  mounted = true;
  return 0;
}

/** True when the page header just read is all 0xFF (never programmed since its last erase). */
function headerErased(): bool {
  for (let i = 0; i < PAGE_HEADER; i += 4) if (load<u32>(HEADER + i) != ERASED) return false;
  return true;
}

/**
 * Reads the record whose header word is `w` at `addr` into REC and checks it. Returns its
 * size, 0 when it is not a valid record (torn, partly erased, or garbage).
 */
function readRecord(w: u32, addr: i32, room: i32): i32 {
  const size = recordSize(w);
  if (size == 0 || size > room) return 0;
  const checked = checkedSize(w);
  if (checked + 4 > MAX_RECORD) return 0;
  if (flash_read(REGION, addr, REC, checked + 4) < 0) return 0;
  if (recordCheck(REC, checked) != load<u32>(REC + checked)) return 0;
  const t = headerType(w);
  if (t == T_CTR || t == T_TX_CTR) {
    const ticks = headerLen(w);
    if (ticks == 0) return 0;
    countTicks(addr + 12, ticks);
    blockValue = load<u32>(REC + 4) + <u32>blockNextTick;
  }
  return size;
}

/**
 * Ticks are cleared strictly in order, so the first erased word is where the next goes and
 * every word before it counts (a torn tick that reads anything but FF landed).
 */
function countTicks(addr: i32, ticks: i32): void {
  blockNextTick = ticks;
  let done = 0;
  while (done < ticks) {
    let n = (ticks - done) * 4;
    if (n > SCRATCH_SIZE) n = SCRATCH_SIZE;
    flash_read(REGION, addr + done * 4, SCRATCH, n);
    for (let i = 0; i < n; i += 4) {
      if (load<u32>(SCRATCH + i) == ERASED) {
        blockNextTick = done + (i >> 2);
        return;
      }
    }
    done += n >> 2;
  }
}

function scanPage(seq: i32, isTail: bool): i32 {
  const base = slotOf(seq) * pageSize;
  pendCount = 0;
  let off = PAGE_HEADER;
  while (off + 4 <= pageSize) {
    flash_read(REGION, base + off, SCRATCH, 4);
    const w = load<u32>(SCRATCH);
    if (w == ERASED) break;
    if (w == PADDING) {
      pendCount = 0;
      off += 4;
      continue;
    }
    const size = readRecord(w, base + off, pageSize - off);
    if (size == 0) break;
    scanned(w, <u32>(base + off));
    off += size;
  }
  pendCount = 0;
  if (!isTail) return 0;
  // Whatever follows the last good record must read erased before we append there; a torn
  // write (even one whose first word stayed FF) is covered with zeros, which read as padding.
  const last = lastWrittenWord(base, off);
  if (last >= 0) {
    const r = zeroRange(base + off, last + 4 - off);
    if (r < 0) return r;
    off = last + 4;
  }
  tailOff = off;
  return 0;
}

function scanned(w: u32, addr: u32): void {
  const t = headerType(w);
  const key = headerKey(w);
  if (isTx(t)) {
    if (pendCount >= MAX_TX_RECORDS) {
      pendCount = 0;
      return;
    }
    const at = <usize>pendCount << 2;
    store<u32>(PEND_HEADER + at, w);
    store<u32>(PEND_ADDR + at, addr);
    store<u32>(PEND_VALUE + at, blockValue);
    store<u8>(PEND_NEXT + <usize>pendCount, <u8>blockNextTick);
    store<u32>(PEND_CRC + at, load<u32>(REC + checkedSize(w)));
    pendCount++;
    return;
  }
  if (t == T_COMMIT) {
    if (pendCount == headerLen(w) && recordCheck(PEND_CRC, pendCount * 4) == load<u32>(REC + 4)) {
      for (let i = 0; i < pendCount; i++) {
        const at = <usize>i << 2;
        const h = load<u32>(PEND_HEADER + at);
        applyStaged(headerType(h), headerKey(h), load<u32>(PEND_ADDR + at), headerLen(h), load<u32>(PEND_VALUE + at),
          <i32>load<u8>(PEND_NEXT + <usize>i));
      }
    }
    pendCount = 0;
    return;
  }
  // Anything else between a transaction's records and its commit means the commit never came.
  pendCount = 0;
  if (t == T_PUT) applyPut(key, addr, headerLen(w));
  else if (t == T_DEL) applyDel(key);
  else if (t == T_CTR) applyCounter(<i32>key, addr, headerLen(w), blockValue, blockNextTick);
}

/** Applies one committed transaction record (mount scan and txCommit). */
export function applyStaged(t: u32, key: u32, addr: u32, len: i32, value: u32, nextTick: i32): void {
  if (t == T_TX_PUT) applyPut(key, addr, len);
  else if (t == T_TX_DEL) applyDel(key);
  else if (t == T_TX_CTR) applyCounter(<i32>key, addr, len, value, nextTick);
}

/** Offset of the last word in [off, pageSize) of the page that is not erased, or -1. */
function lastWrittenWord(base: i32, off: i32): i32 {
  let last = -1;
  let at = off;
  while (at < pageSize) {
    let n = pageSize - at;
    if (n > SCRATCH_SIZE) n = SCRATCH_SIZE;
    flash_read(REGION, base + at, SCRATCH, n);
    for (let i = 0; i < n; i += 4) if (load<u32>(SCRATCH + i) != ERASED) last = at + i;
    at += n;
  }
  return last;
}

function zeroRange(addr: i32, len: i32): i32 {
  memory.fill(SCRATCH, 0, <usize>SCRATCH_SIZE);
  let done = 0;
  while (done < len) {
    let n = len - done;
    if (n > SCRATCH_SIZE) n = SCRATCH_SIZE;
    const r = flash_program(REGION, addr + done, SCRATCH, n);
    if (r < 0) return r;
    done += n;
  }
  return 0;
}

// ---- writing ----

/**
 * Makes room for `size` bytes at the tail. Ordinary writes first compact until
 * RESERVE_SLOTS stay free after the new page; compaction's own copies use the reserve.
 *
 * An ordinary write never appends while the reserve is short, not even when the tail page
 * has room: after a cut inside a compaction (or any cut that leaves page headers with a
 * stale `head`), mount comes back with the tail on a page the compaction opened from the
 * reserve. Filling that page with ordinary records would leave the interrupted compaction
 * one slot less to finish in; a second such cut left none and every write failed for good
 * (docs/store.md, "Reserve after a cut").
 */
export function ensureRoom(size: i32, compacting: bool): i32 {
  if (size > pageSize - PAGE_HEADER) return E_STORE_TOO_LARGE;
  let guard = 0;
  if (!compacting) {
    while (freeSlots() < RESERVE_SLOTS && headSeq < tailSeq) {
      if (++guard > 2 * pages) return E_STORE_FULL;
      const r = compactHead();
      if (r < 0) return r;
    }
  }
  if (tailSeq >= 0 && tailOff + size <= pageSize) return 0;
  if (!compacting) {
    while (freeSlots() < RESERVE_SLOTS + 1 && headSeq < tailSeq) {
      if (++guard > 2 * pages) return E_STORE_FULL;
      const r = compactHead();
      if (r < 0) return r;
      if (tailOff + size <= pageSize) return 0;
    }
  }
  if (freeSlots() < 1) return E_STORE_FULL;
  return openPage();
}

function openPage(): i32 {
  const seq = tailSeq + 1;
  const slot = slotOf(seq);
  const e = flash_erase(REGION, slot);
  if (e < 0) return e;
  const erases = slotErases(slot) + 1;
  store<u32>(SLOT_ERASES + (<usize>slot << 2), erases);
  store<u32>(HEADER, <u32>seq);
  store<u32>(HEADER + 4, <u32>(tailSeq < 0 ? seq : headSeq));
  store<u32>(HEADER + 8, erases);
  store<u32>(HEADER + 12, pageCheck(HEADER));
  const r = flash_program(REGION, slot * pageSize, HEADER, PAGE_HEADER);
  if (r < 0) return r;
  setSlotSeq(slot, seq);
  if (tailSeq < 0) headSeq = seq;
  tailSeq = seq;
  tailOff = PAGE_HEADER;
  return 0;
}

/** Programs `size` bytes at the tail (room already ensured); returns the address or an error. */
export function appendAtTail(ptr: usize, size: i32): i64 {
  const addr = slotOf(tailSeq) * pageSize + tailOff;
  const r = flash_program(REGION, addr, ptr, size);
  if (r < 0) return r;
  tailOff += size;
  return addr;
}

/** Builds a PUT record for (key, value) in REC; returns its size. */
function buildPut(key: u32, ptr: usize, len: i32): i32 {
  const size = putSize(len);
  store<u32>(REC, makeHeader(T_PUT, key, <u32>len));
  if ((len & 3) != 0) store<u32>(REC + <usize>padded(len), ERASED); // pad bytes stay erased
  if (len > 0) memory.copy(REC + 4, ptr, <usize>len);
  store<u32>(REC + <usize>(size - 4), recordCheck(REC, size - 4));
  return size;
}

export function writePut(key: u32, ptr: usize, len: i32): i32 {
  const size = putSize(len);
  const room = ensureRoom(size, false);
  if (room < 0) return room;
  buildPut(key, ptr, len);
  const addr = appendAtTail(REC, size);
  if (addr < 0) return <i32>addr;
  applyPut(key, <u32>addr, len);
  return 0;
}

export function writeDelete(key: u32): i32 {
  const room = ensureRoom(8, false);
  if (room < 0) return room;
  store<u32>(REC, makeHeader(T_DEL, key, 0));
  store<u32>(REC + 4, recordCheck(REC, 4));
  const addr = appendAtTail(REC, 8);
  if (addr < 0) return <i32>addr;
  applyDel(key);
  return 0;
}

/** A fresh counter block whose base is `value` (the value it stands for before any tick). */
export function writeCounterBlock(id: i32, value: u32, compacting: bool): i32 {
  const size = blockSize(CTR_TICKS);
  const room = ensureRoom(size, compacting);
  if (room < 0) return room;
  store<u32>(REC, makeHeader(T_CTR, <u32>id, <u32>CTR_TICKS));
  store<u32>(REC + 4, value);
  store<u32>(REC + 8, recordCheck(REC, 8));
  for (let i = 12; i < size; i += 4) store<u32>(REC + <usize>i, ERASED);
  const addr = appendAtTail(REC, size);
  if (addr < 0) return <i32>addr;
  applyCounter(id, <u32>addr, CTR_TICKS, value, 0);
  return 0;
}

/** Clears the next tick word of the counter's active block (the caller checked it has one). */
export function writeTick(id: i32, tick: i32): i32 {
  store<u32>(SCRATCH, 0);
  const r = flash_program(REGION, <i32>counterBlock(id) + 12 + tick * 4, SCRATCH, 4);
  return r < 0 ? r : 0;
}

// ---- compaction ----

/**
 * Moves the live records of the oldest page to the tail and drops the page from the window.
 * Its slot is erased later, when the ring comes round to it again.
 */
export function compactHead(): i32 {
  if (headSeq >= tailSeq) return 0;
  const base = slotOf(headSeq) * pageSize;
  let off = PAGE_HEADER;
  while (off + 4 <= pageSize) {
    flash_read(REGION, base + off, SCRATCH, 4);
    const w = load<u32>(SCRATCH);
    if (w == ERASED) break;
    if (w == PADDING) {
      off += 4;
      continue;
    }
    const size = readRecord(w, base + off, pageSize - off);
    if (size == 0) break;
    const addr = <u32>(base + off);
    const t = headerType(w);
    const key = headerKey(w);
    if (t == T_PUT || t == T_TX_PUT) {
      const i = keyFind(key);
      if (i >= 0 && keyAddr(i) == addr) {
        const r = copyPut(key, headerLen(w));
        if (r < 0) return r;
      }
    } else if ((t == T_CTR || t == T_TX_CTR) && key < <u32>MAX_COUNTERS) {
      const id = <i32>key;
      if (counterHasBlock(id) && counterBlock(id) == addr) {
        const r = writeCounterBlock(id, counterValue(id), true);
        if (r < 0) return r;
      }
    }
    off += size;
  }
  headSeq++;
  compactions++;
  return 0;
}

/** REC holds a live PUT/TX_PUT record; re-append it as a plain PUT. */
function copyPut(key: u32, len: i32): i32 {
  const size = putSize(len);
  const room = ensureRoom(size, true);
  if (room < 0) return room;
  store<u32>(REC, makeHeader(T_PUT, key, <u32>len));
  store<u32>(REC + <usize>(size - 4), recordCheck(REC, size - 4));
  const addr = appendAtTail(REC, size);
  if (addr < 0) return <i32>addr;
  applyPut(key, <u32>addr, len);
  return 0;
}
