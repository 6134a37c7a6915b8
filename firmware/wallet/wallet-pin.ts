// Owner PIN: SHA-256 of the PIN in the store, a retry counter in the store, lockout at 0.
// The retry counter is decremented and committed BEFORE the comparison, and restored only
// after a match, so cutting power mid-check cannot grant free guesses.
import { sha256 } from "../hal/keystore";
import { bytesEqual } from "../lib/bytes";
import { storeGet, storePut } from "../store/store";
import { KEY_PIN, KEY_PIN_TRIES, PIN_TRIES } from "./wallet-layout";

const PIN_HASH = memory.data(32);
const CANDIDATE = memory.data(32);
const TRIES = memory.data(1);

export const PIN_MIN: i32 = 4;
export const PIN_MAX: i32 = 8;

let verified = false;

export const PIN_OK: i32 = 0;
export const PIN_BLOCKED: i32 = -1;
export const PIN_FORMAT: i32 = -2;
export const PIN_STORE: i32 = -3;

function digitsOnly(ptr: usize, len: i32): bool {
  if (len < PIN_MIN || len > PIN_MAX) return false;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(ptr + i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Retries left (0 = blocked). */
export function pinTriesLeft(): i32 {
  if (storeGet(KEY_PIN_TRIES, TRIES, 1) != 1) return 0;
  return <i32>load<u8>(TRIES);
}

export function pinVerified(): bool {
  return verified;
}

/** Forgets the verification (applet deselected, field lost). */
export function pinForget(): void {
  verified = false;
}

/** Stores a new PIN and a full retry counter. */
export function pinSet(ptr: usize, len: i32): i32 {
  if (!digitsOnly(ptr, len)) return PIN_FORMAT;
  sha256(ptr, len, PIN_HASH);
  if (storePut(KEY_PIN, PIN_HASH, 32) < 0) return PIN_STORE;
  store<u8>(TRIES, PIN_TRIES);
  if (storePut(KEY_PIN_TRIES, TRIES, 1) < 0) return PIN_STORE;
  return PIN_OK;
}

/** PIN_OK, PIN_BLOCKED, PIN_FORMAT, PIN_STORE, or the retries left (> 0) after a mismatch. */
export function pinVerify(ptr: usize, len: i32): i32 {
  verified = false;
  const left = pinTriesLeft();
  if (left <= 0) return PIN_BLOCKED;
  store<u8>(TRIES, <u8>(left - 1));
  if (storePut(KEY_PIN_TRIES, TRIES, 1) < 0) return PIN_STORE;
  if (!digitsOnly(ptr, len)) return left - 1 > 0 ? left - 1 : PIN_BLOCKED;
  if (storeGet(KEY_PIN, PIN_HASH, 32) != 32) return PIN_STORE;
  sha256(ptr, len, CANDIDATE);
  if (!bytesEqual(PIN_HASH, CANDIDATE, 32)) return left - 1 > 0 ? left - 1 : PIN_BLOCKED;
  store<u8>(TRIES, PIN_TRIES);
  if (storePut(KEY_PIN_TRIES, TRIES, 1) < 0) return PIN_STORE;
  verified = true;
  return PIN_OK;
}
