// The acceptor's records in RAM (config, card table, head), loaded from the store on
// demand. Mutations are staged here and become real only when a store transaction
// commits; a failed commit reloads, so RAM never runs ahead of flash.
import { readU32LE } from "../lib/bytes";
import { storeGet } from "../store/store";
import { CARDS, CARDS_SIZE, CARDS_SIZE_V0, CARD_ENTRY, CARD_ENTRY_V0, CFG_SIZE, HEAD_SIZE, KEY_CARDS, KEY_CONFIG, KEY_HEAD } from "./acceptor-layout";

export const CONFIG = memory.data(CFG_SIZE);
export const CARD_TABLE = memory.data(CARDS_SIZE);
export const HEAD = memory.data(HEAD_SIZE);
let configured = false;
let loaded = false;

/** (Re)loads the records; missing ones read as zero. */
export function acceptorLoad(): void {
  memory.fill(CONFIG, 0, CFG_SIZE);
  memory.fill(CARD_TABLE, 0, CARDS_SIZE);
  memory.fill(HEAD, 0, HEAD_SIZE);
  configured = storeGet(KEY_CONFIG, CONFIG, CFG_SIZE) == CFG_SIZE;
  if (storeGet(KEY_CARDS, CARD_TABLE, CARDS_SIZE) == CARDS_SIZE_V0) widenCardTable();
  storeGet(KEY_HEAD, HEAD, HEAD_SIZE);
  loaded = true;
}

/** Entries of a table stored with u32 counters, moved to their u64 places (last first: no overlap). */
function widenCardTable(): void {
  for (let i = CARDS - 1; i >= 0; i--) {
    const from = CARD_TABLE + 4 + <usize>(i * CARD_ENTRY_V0);
    const counter = <u64>readU32LE(from + 8);
    memory.copy(cardEntry(i), from, 8);
    store<u64>(cardEntry(i) + 8, counter);
  }
}

export function acceptorConfigured(): bool {
  if (!loaded) acceptorLoad();
  return configured;
}

export function vouchersHeld(): i32 {
  if (!loaded) acceptorLoad();
  return <i32>readU32LE(HEAD);
}

export function cardOfSlot(slot: i32): i32 {
  return <i32>load<u8>(HEAD + 4 + <usize>slot);
}

export function cardCount(): i32 {
  return <i32>load<u8>(CARD_TABLE);
}

export function cardEntry(i: i32): usize {
  return CARD_TABLE + 4 + <usize>(i * CARD_ENTRY);
}

/** Index of the card with this kid in the table, or -1. */
export function findCard(kid: usize): i32 {
  const n = cardCount();
  for (let i = 0; i < n && i < CARDS; i++) if (memory.compare(cardEntry(i), kid, 8) == 0) return i;
  return -1;
}
