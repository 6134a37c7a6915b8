// App-channel ops `store.*` (docs/link-protocol.md): the store's API over the link, for the
// torture run, tests and benches. Thin: argument checks, one store call, the result map.
import { bytesIsAscii } from "../lib/bytes";
import { encodeArray, encodeMap, encodeNull, encodeText, encodeUint, encoderReserve } from "../codec/cbor/cbor-writer";
import {
  KIND_ARRAY, KIND_BYTES, KIND_NULL, KIND_TRUE, KIND_UINT, argKind, argLen, argPtr, argUint, enterArray, findArg, nextItem,
} from "../codec/cbor/cbor-reader";
import { BAD_ARG, INTERNAL, OK, TOO_LARGE, UNKNOWN_OP, fail } from "../link/status";
import {
  E_STORE_ARG, E_STORE_EXHAUSTED, E_STORE_FULL, E_STORE_NOT_FOUND, E_STORE_TOO_LARGE, E_STORE_TX, E_STORE_UNMOUNTED,
} from "./errors";
import {
  STORE_MAX_TX_RECORDS, STORE_STATS_BYTES, counterNext, counterRead, storeCompact, storeDelete, storeGet, storePut,
  storeStats, txAbort, txBegin, txCommit, txCounterNext, txDelete, txPut,
} from "./store";

const STATS = memory.data(STORE_STATS_BYTES, 4);
const TX_CTR_VALUES = memory.data(STORE_MAX_TX_RECORDS * 4, 4);

function failStore(code: i64): i32 {
  if (code == E_STORE_FULL) return fail(TOO_LARGE, "store full");
  if (code == E_STORE_TOO_LARGE) return fail(TOO_LARGE, "value or transaction too large");
  if (code == E_STORE_ARG) return fail(BAD_ARG, "key 1..65534, counter id 0..15");
  if (code == E_STORE_TX) return fail(BAD_ARG, "transaction misuse (at most 8 records)");
  if (code == E_STORE_EXHAUSTED) return fail(INTERNAL, "counter exhausted");
  if (code == E_STORE_UNMOUNTED) return fail(INTERNAL, "store not mounted");
  if (code == E_STORE_NOT_FOUND) return fail(BAD_ARG, "no such key");
  return fail(INTERNAL, "store flash error");
}

function keyArg(): i32 {
  if (!findArg("k") || argKind() != KIND_UINT || argUint() == 0 || argUint() >= 0xffff) return -1;
  return <i32>argUint();
}

function put(): i32 {
  const key = keyArg();
  if (key < 0) return fail(BAD_ARG, "k: uint 1..65534 required");
  if (!findArg("v") || argKind() != KIND_BYTES) return fail(BAD_ARG, "v: bytes required");
  const r = storePut(<u16>key, argPtr(), argLen());
  if (r < 0) return failStore(r);
  encodeMap(0);
  return OK;
}

/** CBOR byte-string head; the value is then read from flash straight into the answer. */
function bytesHead(len: i32): usize {
  if (len < 24) {
    const at = encoderReserve(1);
    if (at) store<u8>(at, <u8>(0x40 | len));
    return at;
  }
  if (len < 256) {
    const at = encoderReserve(2);
    if (at) {
      store<u8>(at, 0x58);
      store<u8>(at + 1, <u8>len);
    }
    return at;
  }
  const at = encoderReserve(3);
  if (at) {
    store<u8>(at, 0x59);
    store<u8>(at + 1, <u8>(len >> 8));
    store<u8>(at + 2, <u8>len);
  }
  return at;
}

function get(): i32 {
  const key = keyArg();
  if (key < 0) return fail(BAD_ARG, "k: uint 1..65534 required");
  const len = storeGet(<u16>key, 0, 0);
  encodeMap(1);
  encodeText("v");
  if (len == E_STORE_NOT_FOUND) {
    encodeNull();
    return OK;
  }
  if (len < 0) return failStore(len);
  if (!bytesHead(len)) return OK; // the receiver answers too-large on overflow
  const at = encoderReserve(len);
  if (at) {
    const r = storeGet(<u16>key, at, len);
    if (r < 0) return failStore(r);
  }
  return OK;
}

function del(): i32 {
  const key = keyArg();
  if (key < 0) return fail(BAD_ARG, "k: uint 1..65534 required");
  const r = storeDelete(<u16>key);
  if (r < 0) return failStore(r);
  encodeMap(0);
  return OK;
}

function ctr(): i32 {
  if (!findArg("id") || argKind() != KIND_UINT || argUint() > 15) return fail(BAD_ARG, "id: uint 0..15 required");
  const id = <u16>argUint();
  const readOnly = findArg("read") && argKind() == KIND_TRUE;
  const v = readOnly ? counterRead(id) : counterNext(id);
  if (v < 0) return failStore(v);
  encodeMap(1);
  encodeText("v");
  encodeUint(<u64>v);
  return OK;
}

/** `w`: [k, bytes|null, ...] writes and deletes; `c`: [id, ...] counters; `abort`: true. */
function tx(): i32 {
  let r = txBegin();
  if (r < 0) return failStore(r);
  if (findArg("w")) {
    if (argKind() != KIND_ARRAY || (argUint() & 1) != 0) {
      txAbort();
      return fail(BAD_ARG, "w: array of key, value|null pairs required");
    }
    const pairs = <i32>argUint() >> 1;
    enterArray();
    for (let i = 0; i < pairs; i++) {
      nextItem();
      if (argKind() != KIND_UINT || argUint() == 0 || argUint() >= 0xffff) {
        txAbort();
        return fail(BAD_ARG, "w: keys are uint 1..65534");
      }
      const key = <u16>argUint();
      nextItem();
      if (argKind() == KIND_NULL) r = txDelete(key);
      else if (argKind() == KIND_BYTES) r = txPut(key, argPtr(), argLen());
      else {
        txAbort();
        return fail(BAD_ARG, "w: values are bytes or null");
      }
      if (r < 0) {
        txAbort();
        return failStore(r);
      }
    }
  }
  let counters = 0;
  if (findArg("c")) {
    if (argKind() != KIND_ARRAY || argUint() > <u64>STORE_MAX_TX_RECORDS) {
      txAbort();
      return fail(BAD_ARG, "c: array of at most 8 counter ids required");
    }
    counters = <i32>argUint();
    enterArray();
    for (let i = 0; i < counters; i++) {
      nextItem();
      if (argKind() != KIND_UINT || argUint() > 15) {
        txAbort();
        return fail(BAD_ARG, "c: counter ids are uint 0..15");
      }
      const v = txCounterNext(<u16>argUint());
      if (v < 0) {
        txAbort();
        return failStore(v);
      }
      store<u32>(TX_CTR_VALUES + (<usize>i << 2), <u32>v);
    }
  }
  if (findArg("abort") && argKind() == KIND_TRUE) {
    txAbort();
    counters = 0;
  } else {
    r = txCommit();
    if (r < 0) return failStore(r);
  }
  encodeMap(1);
  encodeText("c");
  encodeArray(counters);
  for (let i = 0; i < counters; i++) encodeUint(<u64>load<u32>(TX_CTR_VALUES + (<usize>i << 2)));
  return OK;
}

/** The StoreStats map; `info` embeds the same map under `store`. */
export function encodeStoreStats(): void {
  storeStats(STATS);
  encodeMap(12);
  statPair("free", 12);
  statPair("keys", 32);
  statPair("live", 8);
  statPair("pages", 4);
  statPair("rated", 24);
  statPair("erases", 16);
  statPair("capacity", 40);
  statPair("counters", 36);
  statPair("maxErase", 20);
  statPair("pageSize", 0);
  statPair("remaining", 28);
  statPair("compactions", 44);
}

function statPair(key: string, offset: i32): void {
  encodeText(key);
  encodeUint(<u64>load<u32>(STATS + <usize>offset));
}

/** Handles `store.*` ops; returns -1 when the op is not one of them. */
export function storeOp(opPtr: usize, opLen: i32): i32 {
  if (opLen < 6 || !bytesIsAscii(opPtr, 6, "store.")) return -1;
  const name = opPtr + 6;
  const n = opLen - 6;
  if (bytesIsAscii(name, n, "put")) return put();
  if (bytesIsAscii(name, n, "get")) return get();
  if (bytesIsAscii(name, n, "del")) return del();
  if (bytesIsAscii(name, n, "ctr")) return ctr();
  if (bytesIsAscii(name, n, "tx")) return tx();
  if (bytesIsAscii(name, n, "stats")) {
    encodeStoreStats();
    return OK;
  }
  if (bytesIsAscii(name, n, "compact")) {
    const r = storeCompact();
    if (r < 0) return failStore(r);
    encodeMap(0);
    return OK;
  }
  return fail(UNKNOWN_OP, "store ops: put, get, del, ctr, tx, stats, compact");
}
