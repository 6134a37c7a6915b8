// The acceptor's records in RAM (config, card table, head), loaded from the store on
// demand. Mutations are staged here and become real only when a store transaction
// commits; a failed commit reloads, so RAM never runs ahead of flash. The records are laid
// out inside functions, so a board without the acceptor (the card) carries none of their
// bytes (docs/hal-abi.md, "Per-board static data").
import { readU32LE } from "../lib/bytes";
import { storeGet } from "../store/store";
import { CARDS, CARDS_SIZE, CARDS_SIZE_V0, CARD_ENTRY, CARD_ENTRY_V0, CFG_SIZE, HEAD_SIZE, KEY_CARDS, KEY_CONFIG, KEY_HEAD } from "./acceptor-layout";

export function acceptorConfig(): usize {
  return memory.data(CFG_SIZE);
}
export function cardTable(): usize {
  return memory.data(CARDS_SIZE);
}
export function acceptorHead(): usize {
  return memory.data(HEAD_SIZE);
}
let configured = false;
let loaded = false;

/** (Re)loads the records; missing ones read as zero. */
export function acceptorLoad(): void {
  memory.fill(acceptorConfig(), 0, CFG_SIZE);
  memory.fill(cardTable(), 0, CARDS_SIZE);
  memory.fill(acceptorHead(), 0, HEAD_SIZE);
  configured = storeGet(KEY_CONFIG, acceptorConfig(), CFG_SIZE) == CFG_SIZE;
  if (storeGet(KEY_CARDS, cardTable(), CARDS_SIZE) == CARDS_SIZE_V0) widenCardTable();
  storeGet(KEY_HEAD, acceptorHead(), HEAD_SIZE);
  loaded = true;
}

/** Entries of a table stored with u32 counters, moved to their u64 places (last first: no overlap). */
function widenCardTable(): void {
  for (let i = CARDS - 1; i >= 0; i--) {
    const from = cardTable() + 4 + <usize>(i * CARD_ENTRY_V0);
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
  return <i32>readU32LE(acceptorHead());
}

export function cardOfSlot(slot: i32): i32 {
  return <i32>load<u8>(acceptorHead() + 4 + <usize>slot);
}

export function cardCount(): i32 {
  return <i32>load<u8>(cardTable());
}

export function cardEntry(i: i32): usize {
  return cardTable() + 4 + <usize>(i * CARD_ENTRY);
}

/** Index of the card with this kid in the table, or -1. */
export function findCard(kid: usize): i32 {
  const n = cardCount();
  for (let i = 0; i < n && i < CARDS; i++) if (memory.compare(cardEntry(i), kid, 8) == 0) return i;
  return -1;
}
