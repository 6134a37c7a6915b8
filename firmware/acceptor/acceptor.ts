// The plaque as an offline acceptor (docs/vouchers.md, Acceptor): issues a fresh challenge
// for an amount, checks the card's voucher and certificate chain against the provisioned
// issuer root, the amount, currency, payee, challenge and the card's counter freshness,
// and keeps accepted vouchers in the store until they are exported and cleared. A voucher
// committing to a PayWord chain opens it; later words are checked with one SHA-256 each.
import { sha256 } from "../hal/keystore";
import { random } from "../hal/random";
import { bytesEqual, readU32LE, writeU32LE } from "../lib/bytes";
import { storeDelete, storeGet, storePut, txAbort, txBegin, txCommit, txDelete, txPut } from "../store/store";
import { CARDS, CARDS_SIZE, CFG_ALG, CFG_CURRENCY, CFG_PAYEE, CFG_PAYEE_LEN, CFG_ROOT, CFG_ROOT_LEN, CFG_SIZE, HEAD_SIZE, KEY_BATCH_FIRST, KEY_CARDS, KEY_CONFIG, KEY_DEVICE_FIRST, KEY_HEAD, KEY_PAYWORD_FIRST, KEY_VOUCHER_FIRST, MAX_COSE, PAYWORD_SIZE, SLOTS } from "./acceptor-layout";
import { cardTable, acceptorConfig, acceptorHead, acceptorConfigured, acceptorLoad, cardCount, cardEntry, findCard, vouchersHeld } from "./acceptor-state";
import { CHAIN_FORMAT, CHAIN_LINK, CHAIN_OK, checkChain, deviceAlg, deviceCurrency, deviceKid, devicePub, devicePubLen, envMaxBalance, envPerPayment } from "../trust/cert-chain";
import { verifySign1 } from "../trust/sign1-verify";
import { coseKid, cosePayload, cosePayloadLen, parseSign1 } from "../codec/cose/cose-sign1";
import { VOUCHER, readVoucherPayload } from "../codec/voucher/voucher-payload";

// Refusals; acceptor-ops.ts turns each into a message with the same name.
export const A_OK: i32 = 0;
export const A_NOT_SET_UP: i32 = 1;
export const A_NO_CHALLENGE: i32 = 2;
export const A_CHAIN_ROOT: i32 = 3;
export const A_CHAIN_LINK: i32 = 4;
export const A_CHAIN_FORMAT: i32 = 5;
export const A_VOUCHER_FORMAT: i32 = 6;
export const A_VOUCHER_KID: i32 = 7;
export const A_BAD_SIGNATURE: i32 = 8;
export const A_CHALLENGE: i32 = 9;
export const A_PAYEE: i32 = 10;
export const A_CURRENCY: i32 = 11;
export const A_AMOUNT: i32 = 12;
export const A_ENVELOPE: i32 = 13;
export const A_COUNTER: i32 = 14;
export const A_FULL: i32 = 15;
export const A_CARDS_FULL: i32 = 16;
export const A_STORE: i32 = 17;
export const A_CHAIN_TERMS: i32 = 18;
export const A_NO_CHAIN: i32 = 20;
export const A_PAYWORD_BAD: i32 = 21;
export const A_PAYWORD_END: i32 = 22;
export const A_HELD: i32 = 23;

export const CHALLENGE_LEN: i32 = 16;
export function challengeBytes(): usize {
  return memory.data(CHALLENGE_LEN);
}
let pending = false;
let pendingAmount: u32 = 0;
let pendingUnit: u32 = 0;
let lastStoreError: i32 = 0;
export let acceptedSlot: i32 = -1;

// Payword record being checked or written; and SHA-256 output. Buffers are laid out inside
// functions, so only a board whose code reaches them carries them (docs/hal-abi.md,
// "Per-board static data").
export function paywordBuffer(): usize {
  return memory.data(PAYWORD_SIZE);
}
function digestScratch(): usize {
  return memory.data(32);
}

export function acceptorStoreError(): i32 {
  return lastStoreError;
}

/** Provisions root key, payee id and currency; refused while vouchers are held. */
export function acceptorSetup(root: usize, rootLen: i32, payee: usize, payeeLen: i32, currency: usize): i32 {
  if (vouchersHeld() > 0) return A_HELD;
  memory.fill(acceptorConfig(), 0, CFG_SIZE);
  store<u8>(acceptorConfig() + CFG_ALG, rootLen == 32 ? 8 : 7);
  store<u8>(acceptorConfig() + CFG_ROOT_LEN, <u8>rootLen);
  store<u8>(acceptorConfig() + CFG_PAYEE_LEN, <u8>payeeLen);
  memory.copy(acceptorConfig() + CFG_CURRENCY, currency, 3);
  memory.copy(acceptorConfig() + CFG_ROOT, root, rootLen);
  memory.copy(acceptorConfig() + CFG_PAYEE, payee, payeeLen);
  lastStoreError = storePut(KEY_CONFIG, acceptorConfig(), CFG_SIZE);
  acceptorLoad();
  return lastStoreError < 0 ? A_STORE : A_OK;
}

/** A fresh random challenge for one payment of `amount` (a PayWord commitment when unit > 0). */
export function acceptorChallenge(amount: u32, unit: u32): i32 {
  if (!acceptorConfigured()) return A_NOT_SET_UP;
  if (random(challengeBytes(), CHALLENGE_LEN) != CHALLENGE_LEN) return A_STORE;
  pending = true;
  pendingAmount = amount;
  pendingUnit = unit;
  return A_OK;
}

function checkVoucher(voucher: usize, voucherLen: i32): i32 {
  if (!parseSign1(voucher, voucherLen)) return A_VOUCHER_FORMAT;
  if (!bytesEqual(coseKid, deviceKid, 8)) return A_VOUCHER_KID;
  if (!verifySign1(deviceAlg, devicePub, devicePubLen)) return A_BAD_SIGNATURE;
  if (!readVoucherPayload(cosePayload, cosePayloadLen) || !bytesEqual(VOUCHER.deviceId, deviceKid, 8)) return A_VOUCHER_FORMAT;
  if (VOUCHER.challengeLen != CHALLENGE_LEN || !bytesEqual(VOUCHER.challenge, challengeBytes(), CHALLENGE_LEN)) return A_CHALLENGE;
  const payeeLen = <i32>load<u8>(acceptorConfig() + CFG_PAYEE_LEN);
  if (VOUCHER.payeeLen != payeeLen || !bytesEqual(VOUCHER.payee, acceptorConfig() + CFG_PAYEE, payeeLen)) return A_PAYEE;
  if (!bytesEqual(VOUCHER.currency, acceptorConfig() + CFG_CURRENCY, 3) || !bytesEqual(deviceCurrency, acceptorConfig() + CFG_CURRENCY, 3)) return A_CURRENCY;
  if (VOUCHER.amount != pendingAmount) return A_AMOUNT;
  if (VOUCHER.amount > envPerPayment || VOUCHER.balanceAfter > envMaxBalance) return A_ENVELOPE;
  if (pendingUnit == 0) return VOUCHER.chainRoot == 0 ? A_OK : A_CHAIN_TERMS;
  if (VOUCHER.chainRoot == 0 || VOUCHER.chainUnit != pendingUnit || <u64>VOUCHER.chainUnit * <u64>VOUCHER.chainLength != <u64>VOUCHER.amount) return A_CHAIN_TERMS;
  return A_OK;
}

/** Checks and stores one voucher with its chain (COSE bytes in place); A_OK sets acceptedSlot. */
export function acceptorSubmit(voucher: usize, voucherLen: i32, batch: usize, batchLen: i32, device: usize, deviceLen: i32): i32 {
  if (!acceptorConfigured()) return A_NOT_SET_UP;
  if (!pending) return A_NO_CHALLENGE;
  // One challenge, one attempt: a refused voucher cannot be retried against it.
  pending = false;
  if (voucherLen > MAX_COSE || batchLen > MAX_COSE || deviceLen > MAX_COSE) return A_VOUCHER_FORMAT;
  const rootLen = <i32>load<u8>(acceptorConfig() + CFG_ROOT_LEN);
  const chain = checkChain(-<i32>load<u8>(acceptorConfig() + CFG_ALG), acceptorConfig() + CFG_ROOT, rootLen, batch, batchLen, device, deviceLen);
  if (chain != CHAIN_OK) return chain == CHAIN_FORMAT ? A_CHAIN_FORMAT : chain == CHAIN_LINK ? A_CHAIN_LINK : A_CHAIN_ROOT;
  const refused = checkVoucher(voucher, voucherLen);
  if (refused != A_OK) return refused;

  const held = vouchersHeld();
  if (held >= SLOTS) return A_FULL;
  let card = findCard(deviceKid);
  const known = card >= 0;
  if (known) {
    if (VOUCHER.counter <= load<u64>(cardEntry(card) + 8)) return A_COUNTER;
  } else if (cardCount() < CARDS) {
    card = cardCount();
    store<u8>(cardTable(), <u8>(card + 1));
  } else if (held == 0) {
    // Table full but nothing held refers to a card: reuse entries round-robin.
    card = <i32>load<u8>(cardTable() + 1);
    store<u8>(cardTable() + 1, <u8>((card + 1) % CARDS));
  } else return A_CARDS_FULL;
  memory.copy(cardEntry(card), deviceKid, 8);
  store<u64>(cardEntry(card) + 8, VOUCHER.counter);
  store<u8>(acceptorHead() + 4 + <usize>held, <u8>card);
  writeU32LE(acceptorHead(), <u32>(held + 1));

  const slot = <u16>held;
  lastStoreError = txBegin();
  if (lastStoreError >= 0) lastStoreError = txPut(KEY_VOUCHER_FIRST + slot, voucher, voucherLen);
  if (lastStoreError >= 0 && !known) lastStoreError = txPut(KEY_BATCH_FIRST + <u16>card, batch, batchLen);
  if (lastStoreError >= 0 && !known) lastStoreError = txPut(KEY_DEVICE_FIRST + <u16>card, device, deviceLen);
  if (lastStoreError >= 0) lastStoreError = txPut(KEY_CARDS, cardTable(), CARDS_SIZE);
  if (lastStoreError >= 0) lastStoreError = txPut(KEY_HEAD, acceptorHead(), HEAD_SIZE);
  if (lastStoreError >= 0) {
    if (VOUCHER.chainRoot != 0) {
      // The chain starts at its root w0: zero units proved.
      writeU32LE(paywordBuffer(), 0);
      writeU32LE(paywordBuffer() + 4, VOUCHER.chainLength);
      writeU32LE(paywordBuffer() + 8, VOUCHER.chainUnit);
      memory.copy(paywordBuffer() + 12, VOUCHER.chainRoot, 32);
      lastStoreError = txPut(KEY_PAYWORD_FIRST + slot, paywordBuffer(), PAYWORD_SIZE);
    } else lastStoreError = txDelete(KEY_PAYWORD_FIRST + slot);
  }
  if (lastStoreError >= 0) lastStoreError = txCommit();
  if (lastStoreError < 0) {
    txAbort();
    acceptorLoad();
    return A_STORE;
  }
  acceptedSlot = held;
  return A_OK;
}

/** Units proved so far on slot's chain after accepting `word` as the next one (or the current one again). */
export function acceptorPayword(slot: i32, word: usize): i32 {
  if (slot < 0 || slot >= vouchersHeld()) return -A_NO_CHAIN;
  if (storeGet(KEY_PAYWORD_FIRST + <u16>slot, paywordBuffer(), PAYWORD_SIZE) != PAYWORD_SIZE) return -A_NO_CHAIN;
  const index = readU32LE(paywordBuffer());
  if (bytesEqual(word, paywordBuffer() + 12, 32)) return <i32>index; // the same word again: nothing new
  if (index >= readU32LE(paywordBuffer() + 4)) return -A_PAYWORD_END;
  sha256(word, 32, digestScratch());
  if (!bytesEqual(digestScratch(), paywordBuffer() + 12, 32)) return -A_PAYWORD_BAD;
  writeU32LE(paywordBuffer(), index + 1);
  memory.copy(paywordBuffer() + 12, word, 32);
  lastStoreError = storePut(KEY_PAYWORD_FIRST + <u16>slot, paywordBuffer(), PAYWORD_SIZE);
  return lastStoreError < 0 ? -A_STORE : <i32>(index + 1);
}

/** Unit value of slot's chain (0 when it has none); paywordBuffer() holds the record after the call. */
export function paywordRecord(slot: i32): u32 {
  if (storeGet(KEY_PAYWORD_FIRST + <u16>slot, paywordBuffer(), PAYWORD_SIZE) != PAYWORD_SIZE) return 0;
  return readU32LE(paywordBuffer() + 8);
}

/**
 * Forgets the held vouchers after an upload. The head is reset first (the one atomic step
 * that matters); the records are deleted after it, and a cut in between leaves only
 * orphans that the next acceptances overwrite. Card freshness entries are kept.
 */
export function acceptorClear(): i32 {
  const held = vouchersHeld();
  memory.fill(acceptorHead(), 0, HEAD_SIZE);
  lastStoreError = storePut(KEY_HEAD, acceptorHead(), HEAD_SIZE);
  if (lastStoreError < 0) {
    acceptorLoad();
    return A_STORE;
  }
  for (let i = 0; i < held; i++) {
    storeDelete(KEY_VOUCHER_FIRST + <u16>i);
    storeDelete(KEY_PAYWORD_FIRST + <u16>i);
  }
  return A_OK;
}

