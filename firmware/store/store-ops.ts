// App-channel ops of group store (host-tools/src/ops/catalogue.ts, docs/link-protocol.md):
// the store's API over the link, for the torture run, tests and benches. Thin: argument
// checks, one store call, the result map.
import { encodeArray, encodeMap, encodeNull, encodeText, encodeUint, reserveBytes } from "../codec/cbor/cbor-writer";
import {
  KIND_ARRAY, KIND_BYTES, KIND_NULL, KIND_TRUE, KIND_UINT, argKind, argLen, argPtr, argUint, enterArray, findArg, nextItem,
} from "../codec/cbor/cbor-reader";
import { BAD_ARG, INTERNAL, OK, TOO_LARGE, UNSUPPORTED, fail } from "../link/status";
import { encodeStoreStats } from "./stats-map";
import {
  E_STORE_ARG, E_STORE_EXHAUSTED, E_STORE_FULL, E_STORE_NOT_FOUND, E_STORE_TOO_LARGE, E_STORE_TX, E_STORE_UNMOUNTED,
} from "./errors";
import {
  STORE_MAX_TX_RECORDS, counterNext, counterRead, storeCompact, storeDelete, storeGet, storePut,
  txAbort, txBegin, txCommit, txCounterNext, txDelete, txPut,
} from "./store";

import { KEY_LIFECYCLE } from "./system-keys";

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

/** The lifecycle record moves only through device.lock, device.wipe and provisioning. */
function refuseSystemKey(): i32 {
  return fail(UNSUPPORTED, "k: 0x0001 is the lifecycle record; only device.lock, device.wipe and provisioning change it");
}

export function putOp(): i32 {
  const key = keyArg();
  if (key < 0) return fail(BAD_ARG, "k: uint 1..65534 required");
  if (key == KEY_LIFECYCLE) return refuseSystemKey();
  if (!findArg("v") || argKind() != KIND_BYTES) return fail(BAD_ARG, "v: bytes required");
  const r = storePut(<u16>key, argPtr(), argLen());
  if (r < 0) return failStore(r);
  encodeMap(0);
  return OK;
}

export function getOp(): i32 {
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
  // Read from flash straight into the answer; on overflow the receiver answers too-large.
  const at = reserveBytes(len);
  if (at) {
    const r = storeGet(<u16>key, at, len);
    if (r < 0) return failStore(r);
  }
  return OK;
}

export function delOp(): i32 {
  const key = keyArg();
  if (key < 0) return fail(BAD_ARG, "k: uint 1..65534 required");
  if (key == KEY_LIFECYCLE) return refuseSystemKey();
  const r = storeDelete(<u16>key);
  if (r < 0) return failStore(r);
  encodeMap(0);
  return OK;
}

export function ctrOp(): i32 {
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
export function txOp(): i32 {
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
      if (key == KEY_LIFECYCLE) {
        txAbort();
        return refuseSystemKey();
      }
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

export function statsOp(): i32 {
  encodeStoreStats();
  return OK;
}

export function compactOp(): i32 {
  const r = storeCompact();
  if (r < 0) return failStore(r);
  encodeMap(0);
  return OK;
}
