// Owner PIN as a keyed verifier inside the keystore (docs/wallet-apdu.md, "PIN"): the card
// holds an HMAC-SHA-256 key K in keystore slot PIN_KEY_SLOT, generated in the keystore and
// never leaving it, and keeps V = HMAC(K, salt || PIN) as the key of slot PIN_VERIFIER_SLOT,
// where nothing can read it. The store keeps only the retry counter and the random salt (the
// PIN record), so neither a link client nor a flash dump gets anything to brute-force
// offline: every guess needs the keystore. A candidate is checked without V leaving the
// keystore: C = HMAC(K, salt || candidate), then HMAC(V, nonce) from the keystore must equal
// HMAC(C, nonce) computed here. The retry counter is decremented and committed BEFORE the
// comparison and restored only after a match, so cutting power mid-check grants no guess.
import { hmac_sha256, ks_generate, ks_import, sha256 } from "../hal/keystore";
import { random } from "../hal/random";
import { bytesEqual, fillBytes } from "../lib/bytes";
import { storeGet, storePut, txPut } from "../store/store";
import { KEY_PIN, PIN_RECORD_SIZE, PIN_SALT, PIN_SALT_SIZE, PIN_TRIES } from "./wallet-layout";
import { PIN_COMPUTED_AT, PIN_C_AT, PIN_FROM_KEYSTORE_AT, PIN_MESSAGE_AT, PIN_NONCE_AT, PIN_PAD_AT, walletScratch } from "./wallet-scratch";

export const PIN_KEY_SLOT: i32 = 6;
export const PIN_VERIFIER_SLOT: i32 = 7;
const KS_HMAC: i32 = 4;

export const PIN_MIN: i32 = 4;
export const PIN_MAX: i32 = 8;

function pinRecord(): usize {
  return memory.data(PIN_RECORD_SIZE);
}
// The check's blocks are in the wallet's per-call scratch (wallet-scratch.ts): VERIFY and
// CHANGE PIN use them within one APDU, provisioning within the wallet.provision op.
// salt || PIN, then the candidate's C
function pinMessage(): usize {
  return walletScratch() + <usize>PIN_MESSAGE_AT;
}
function pinC(): usize {
  return walletScratch() + <usize>PIN_C_AT;
}
function pinNonce(): usize {
  return walletScratch() + <usize>PIN_NONCE_AT;
}
function keystoreC(): usize {
  return walletScratch() + <usize>PIN_FROM_KEYSTORE_AT;
}
function computedMac(): usize {
  return walletScratch() + <usize>PIN_COMPUTED_AT;
}
// HMAC(C, nonce) by hand: a 64-byte pad block followed by the inner message or digest.
function hmacPad(): usize {
  return walletScratch() + <usize>PIN_PAD_AT;
}

let verified = false;

export const PIN_OK: i32 = 0;
export const PIN_BLOCKED: i32 = -1;
export const PIN_FORMAT: i32 = -2;
export const PIN_STORE: i32 = -3;

export function pinDigitsOnly(ptr: usize, len: i32): bool {
  if (len < PIN_MIN || len > PIN_MAX) return false;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(ptr + i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function loadRecord(): bool {
  return storeGet(KEY_PIN, pinRecord(), PIN_RECORD_SIZE) == PIN_RECORD_SIZE;
}

/** Retries left (0 = blocked). */
export function pinTriesLeft(): i32 {
  return loadRecord() ? <i32>load<u8>(pinRecord()) : 0;
}

export function pinVerified(): bool {
  return verified;
}

/** Forgets the verification (applet deselected, field lost). */
export function pinForget(): void {
  verified = false;
}

/** C = HMAC(K, salt || PIN) into C; the PIN copy is wiped at once. */
function keyedDigest(pin: usize, len: i32): bool {
  memory.copy(pinMessage(), pinRecord() + PIN_SALT, PIN_SALT_SIZE);
  memory.copy(pinMessage() + PIN_SALT_SIZE, pin, len);
  const r = hmac_sha256(PIN_KEY_SLOT, pinMessage(), PIN_SALT_SIZE + len, pinC());
  fillBytes(pinMessage(), 0, PIN_SALT_SIZE + PIN_MAX);
  return r >= 0;
}

/** Makes V for `pin` (with the salt in RECORD) the verifier slot's key; C is wiped after. */
function importVerifier(pin: usize, len: i32): bool {
  const ok = keyedDigest(pin, len) && ks_import(PIN_VERIFIER_SLOT, KS_HMAC, pinC(), 32) >= 0;
  fillBytes(pinC(), 0, 32);
  return ok;
}

/** HMAC-SHA-256 keyed with the 32 bytes at C, over NONCE, into COMPUTED (RFC 2104). */
function hmacOverNonce(): void {
  for (let i = 0; i < 64; i++) store<u8>(hmacPad() + i, (i < 32 ? load<u8>(pinC() + i) : 0) ^ 0x36);
  memory.copy(hmacPad() + 64, pinNonce(), 16);
  sha256(hmacPad(), 64 + 16, computedMac());
  for (let i = 0; i < 64; i++) store<u8>(hmacPad() + i, (i < 32 ? load<u8>(pinC() + i) : 0) ^ 0x5c);
  memory.copy(hmacPad() + 64, computedMac(), 32);
  sha256(hmacPad(), 64 + 32, computedMac());
  fillBytes(hmacPad(), 0, 64 + 32);
}

/**
 * Provisioning: a fresh PIN key and salt, the verifier for the PIN, and the PIN record
 * (full tries) staged in the caller's open store transaction. Wipes the PIN at `pin`.
 */
export function pinProvision(pin: usize, len: i32): i32 {
  if (!pinDigitsOnly(pin, len)) return PIN_FORMAT;
  let ok = ks_generate(PIN_KEY_SLOT, KS_HMAC) >= 0;
  fillBytes(pinRecord(), 0, PIN_RECORD_SIZE);
  store<u8>(pinRecord(), PIN_TRIES);
  ok = ok && random(pinRecord() + PIN_SALT, PIN_SALT_SIZE) >= 0;
  ok = ok && importVerifier(pin, len);
  fillBytes(pin, 0, len);
  if (!ok) return PIN_STORE;
  return txPut(KEY_PIN, pinRecord(), PIN_RECORD_SIZE) < 0 ? PIN_STORE : PIN_OK;
}

/** A new PIN (owner's CHANGE PIN) under the card's key and salt, and full tries. Wipes the PIN at `ptr`. */
export function pinSet(ptr: usize, len: i32): i32 {
  if (!pinDigitsOnly(ptr, len)) return PIN_FORMAT;
  const ok = loadRecord() && importVerifier(ptr, len);
  fillBytes(ptr, 0, len);
  if (!ok) return PIN_STORE;
  store<u8>(pinRecord(), PIN_TRIES);
  if (storePut(KEY_PIN, pinRecord(), PIN_RECORD_SIZE) < 0) return PIN_STORE;
  return PIN_OK;
}

/** PIN_OK, PIN_BLOCKED, PIN_FORMAT, PIN_STORE, or the retries left (> 0) after a mismatch. Wipes the PIN at `ptr`. */
export function pinVerify(ptr: usize, len: i32): i32 {
  verified = false;
  const left = pinTriesLeft();
  if (left <= 0) {
    fillBytes(ptr, 0, len);
    return PIN_BLOCKED;
  }
  store<u8>(pinRecord(), <u8>(left - 1));
  if (storePut(KEY_PIN, pinRecord(), PIN_RECORD_SIZE) < 0) {
    fillBytes(ptr, 0, len);
    return PIN_STORE;
  }
  const mismatch = left - 1 > 0 ? left - 1 : PIN_BLOCKED;
  if (!pinDigitsOnly(ptr, len)) {
    fillBytes(ptr, 0, len);
    return mismatch;
  }
  const digested = keyedDigest(ptr, len);
  fillBytes(ptr, 0, len);
  if (!digested || random(pinNonce(), 16) < 0 || hmac_sha256(PIN_VERIFIER_SLOT, pinNonce(), 16, keystoreC()) < 0) return PIN_STORE;
  hmacOverNonce();
  fillBytes(pinC(), 0, 32);
  if (!bytesEqual(keystoreC(), computedMac(), 32)) return mismatch;
  store<u8>(pinRecord(), PIN_TRIES);
  if (storePut(KEY_PIN, pinRecord(), PIN_RECORD_SIZE) < 0) return PIN_STORE;
  verified = true;
  return PIN_OK;
}
