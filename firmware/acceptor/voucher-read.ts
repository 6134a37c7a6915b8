// Reads a card's voucher payload (docs/vouchers.md, keys 1..12 ascending) where it lies,
// keeping pointers to its fields. Structure only: the acceptor decides what to accept.
import { cursorAt, cursorDone, readContainer, readKey, readString, readUint, stringPtr } from "./cbor-cursor";

@unmanaged
export class VoucherView {
  deviceId: usize;
  counter: u32;
  amount: u32;
  currency: usize;
  payee: usize;
  payeeLen: i32;
  challenge: usize;
  challengeLen: i32;
  subWallet: u32;
  balanceAfter: u32;
  epoch: u32;
  chainRoot: usize; // 0 = no PayWord commitment
  chainUnit: u32;
  chainLength: u32;
}

export const VIEW = changetype<VoucherView>(memory.data(offsetof<VoucherView>()));

function uint32(): i64 {
  return readUint();
}

/** Fills VIEW from the payload; false when it is not a version-1 voucher. */
export function readVoucher(ptr: usize, len: i32): bool {
  const v = VIEW;
  cursorAt(ptr, len);
  const pairs = readContainer(5);
  if (pairs < 10 || pairs > 12) return false;
  if (readKey(0) != 1 || readUint() != 1) return false;
  if (readKey(1) != 2 || readString(2) != 8) return false;
  v.deviceId = stringPtr();
  if (readKey(2) != 3) return false;
  const counter = uint32();
  if (readKey(3) != 4) return false;
  const amount = uint32();
  if (counter < 1 || amount < 0 || readKey(4) != 5 || readString(3) != 3) return false;
  v.counter = <u32>counter;
  v.amount = <u32>amount;
  v.currency = stringPtr();
  if (readKey(5) != 6) return false;
  v.payeeLen = readString(3);
  v.payee = stringPtr();
  if (v.payeeLen < 1 || v.payeeLen > 32 || readKey(6) != 7) return false;
  v.challengeLen = readString(2);
  v.challenge = stringPtr();
  if (v.challengeLen < 16 || v.challengeLen > 32 || readKey(7) != 8) return false;
  const sub = uint32();
  if (readKey(8) != 9) return false;
  const bal = uint32();
  if (readKey(9) != 10) return false;
  const epoch = uint32();
  if (sub < 0 || bal < 0 || epoch < 0) return false;
  v.subWallet = <u32>sub;
  v.balanceAfter = <u32>bal;
  v.epoch = <u32>epoch;
  v.chainRoot = 0;
  let key = 10;
  for (let i = 10; i < pairs; i++) {
    key = readKey(key);
    if (key == 11) {
      if (uint32() < 0) return false;
    } else if (key == 12) {
      if (readContainer(4) != 3 || readString(2) != 32) return false;
      v.chainRoot = stringPtr();
      const unit = uint32(), n = uint32();
      if (unit < 1 || n < 1) return false;
      v.chainUnit = <u32>unit;
      v.chainLength = <u32>n;
    } else return false;
  }
  return cursorDone();
}
