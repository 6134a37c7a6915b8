// One staging buffer shared by everything that assembles a new tag message before it
// becomes visible: Type 4 UPDATE BINARY sequences, Type 2 WRITE sequences and the host's
// ndef.build; and, on the card, the wallet's per-call scratch (wallet/wallet-scratch.ts), since
// a wallet APDU never runs while the NDEF app holds a write (selecting the wallet drops it).
// Only one owner at a time (the personalities are exclusive and the host op refuses while a
// reader writes); sharing saves two 1 KiB buffers, and the wallet's 1,007 B, of linear memory.
import { NDEF_FILE_SIZE } from "./ndef-file";

export const OWNER_NONE: i32 = 0;
export const OWNER_TYPE4: i32 = 1;
export const OWNER_TYPE2: i32 = 2;
export const OWNER_HOST: i32 = 3;
export const OWNER_WALLET: i32 = 4;

const STAGED = memory.data(NDEF_FILE_SIZE);
let owner: i32 = OWNER_NONE;

export function stagingBuffer(): usize {
  return STAGED;
}

export function stagingOwner(): i32 {
  return owner;
}

/** Takes the buffer for `who`; false when someone else holds it. */
export function claimStaging(who: i32): bool {
  if (owner != OWNER_NONE && owner != who) return false;
  owner = who;
  return true;
}

export function releaseStaging(who: i32): void {
  if (owner == who) owner = OWNER_NONE;
}
