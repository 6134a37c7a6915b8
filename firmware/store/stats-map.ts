// The store's figures as a CBOR map (docs/store.md): the answer of `store.stats`, and the
// `store` entry of the shell's `info`.
import { encodeMap, encodeText, encodeUint } from "../codec/cbor/cbor-writer";
import { logScratch } from "./log";
import { storeStats } from "./store";

/** The StoreStats map, keys in deterministic order. */
export function encodeStoreStats(): void {
  // The figures are encoded before any other store call, so the log's record buffer holds them.
  storeStats(logScratch());
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
  encodeUint(<u64>load<u32>(logScratch() + <usize>offset));
}
