// The voucher payload of docs/vouchers.md (deterministic CBOR, integer keys 1..12 ascending)
// and its one field layout: the card fills a Voucher to build a payload, the plaque's
// acceptor reads one into a Voucher where it lies, keeping pointers to its fields.
// Structure only: what to sign or accept is the wallet's and the acceptor's business.
import { encodeArray, encodeBytes, encodeMap, encodeTextBytes, encodeUint } from "../cbor/cbor-writer";
import { cursorAt, cursorDone, readContainer, readKey, readString, readUint, readUint64, stringPtr, uintValue } from "../cbor/cbor-reader";

// Unmanaged: lives in reserved static memory (zeroed), never on a heap.
@unmanaged
export class Voucher {
  deviceId: usize; // 8 bytes
  // Any CBOR uint >= 1, as docs/vouchers.md and the host verifier take it (cards count in
  // the store's 32-bit counters today; a longer-lived counter must not be refused).
  counter: u64;
  amount: u32;
  currency: usize; // 3 bytes
  payee: usize;
  payeeLen: i32;
  challenge: usize;
  challengeLen: i32;
  subWallet: u32;
  balanceAfter: u32;
  epoch: u32;
  time: u64; // unix seconds; 0 = absent
  chainRoot: usize; // PayWord commitment (32 bytes); 0 = none
  chainUnit: u32;
  chainLength: u32;
}

// One static instance: a board either builds vouchers (card) or reads them (plaque).
export const VOUCHER = changetype<Voucher>(memory.data(offsetof<Voucher>()));

/** Writes the payload of `v` with the CBOR writer (into whatever buffer it writes). */
export function encodeVoucherPayload(v: Voucher): void {
  let pairs = 10;
  if (v.time != 0) pairs++;
  if (v.chainRoot != 0) pairs++;
  encodeMap(pairs);
  encodeUint(1); encodeUint(1);
  encodeUint(2); encodeBytes(v.deviceId, 8);
  encodeUint(3); encodeUint(v.counter);
  encodeUint(4); encodeUint(<u64>v.amount);
  encodeUint(5); encodeTextBytes(v.currency, 3);
  encodeUint(6); encodeTextBytes(v.payee, v.payeeLen);
  encodeUint(7); encodeBytes(v.challenge, v.challengeLen);
  encodeUint(8); encodeUint(<u64>v.subWallet);
  encodeUint(9); encodeUint(<u64>v.balanceAfter);
  encodeUint(10); encodeUint(<u64>v.epoch);
  if (v.time != 0) {
    encodeUint(11);
    encodeUint(v.time);
  }
  if (v.chainRoot != 0) {
    encodeUint(12);
    encodeArray(3);
    encodeBytes(v.chainRoot, 32);
    encodeUint(<u64>v.chainUnit);
    encodeUint(<u64>v.chainLength);
  }
}

/** Fills VOUCHER from the payload at ptr; false when it is not a version-1 voucher. */
export function readVoucherPayload(ptr: usize, len: i32): bool {
  const v = VOUCHER;
  cursorAt(ptr, len);
  const pairs = readContainer(5);
  if (pairs < 10 || pairs > 12) return false;
  if (readKey(0) != 1 || readUint() != 1) return false;
  if (readKey(1) != 2 || readString(2) != 8) return false;
  v.deviceId = stringPtr();
  if (readKey(2) != 3 || !readUint64() || uintValue() < 1) return false;
  v.counter = uintValue();
  if (readKey(3) != 4) return false;
  const amount = readUint();
  if (amount < 0 || readKey(4) != 5 || readString(3) != 3) return false;
  v.amount = <u32>amount;
  v.currency = stringPtr();
  if (readKey(5) != 6) return false;
  v.payeeLen = readString(3);
  v.payee = stringPtr();
  if (v.payeeLen < 1 || v.payeeLen > 32 || readKey(6) != 7) return false;
  v.challengeLen = readString(2);
  v.challenge = stringPtr();
  if (v.challengeLen < 16 || v.challengeLen > 32 || readKey(7) != 8) return false;
  const sub = readUint();
  if (readKey(8) != 9) return false;
  const bal = readUint();
  if (readKey(9) != 10) return false;
  const epoch = readUint();
  if (sub < 0 || bal < 0 || epoch < 0) return false;
  v.subWallet = <u32>sub;
  v.balanceAfter = <u32>bal;
  v.epoch = <u32>epoch;
  v.time = 0;
  v.chainRoot = 0;
  let key = 10;
  for (let i = 10; i < pairs; i++) {
    key = readKey(key);
    if (key == 11) {
      if (!readUint64()) return false;
      v.time = uintValue();
    } else if (key == 12) {
      if (readContainer(4) != 3 || readString(2) != 32) return false;
      v.chainRoot = stringPtr();
      const unit = readUint(), n = readUint();
      if (unit < 1 || n < 1) return false;
      v.chainUnit = <u32>unit;
      v.chainLength = <u32>n;
    } else return false;
  }
  return cursorDone();
}
