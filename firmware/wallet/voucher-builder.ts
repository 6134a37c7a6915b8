// Builds the voucher exactly as docs/vouchers.md specifies: the deterministic CBOR payload
// (integer keys ascending), the protected header {1: alg, 4: kid}, the COSE Sig_structure
// the keystore signs, and the tagged COSE_Sign1 the card returns. Uses the link encoder
// with its state saved and restored, because an APDU can arrive inside a link request
// (nfc-test channel) whose answer is being encoded.
import { ks_sign } from "../hal/keystore";
import { encodeArray, encodeBytes, encodeMap, encodeTextBytes, encodeUint, encoderReserve } from "../link/cbor-encoder";
import { borrowEncoder, returnEncoder } from "./borrowed-encoder";

export const COSE_EDDSA: i32 = -8;
export const COSE_ES256: i32 = -7;

const PAYLOAD_CAP: i32 = 200;
const PAYLOAD = memory.data(PAYLOAD_CAP);
const PROTECTED = memory.data(16);
const SIG_STRUCT_CAP: i32 = 240;
const SIG_STRUCT = memory.data(SIG_STRUCT_CAP);
const SIGNATURE = memory.data(64);

let payloadLen: i32 = 0;
let protectedLen: i32 = 0;

export function encodeInt(v: i32): void {
  if (v >= 0) {
    encodeUint(<u64>v);
    return;
  }
  // Negative integers (major type 1) are only COSE alg ids here: -1 - n with n < 24.
  const at = encoderReserve(1);
  if (at) store<u8>(at, <u8>(0x20 | (-1 - v)));
}

// Unmanaged: lives in reserved static memory (zeroed), never on a heap.
@unmanaged
export class VoucherFields {
  deviceId: usize; // 8 bytes
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
  time: u64; // 0 = unknown
  chainRoot: usize; // PayWord commitment, 0 = none
  chainUnit: u32;
  chainLength: u32;
}

// One static instance: the builder never allocates.
export const FIELDS = changetype<VoucherFields>(memory.data(offsetof<VoucherFields>()));

function encodeKey(k: u32): void {
  encodeUint(<u64>k);
}

/** Encodes the payload of FIELDS; returns its length or -1. */
export function buildPayload(f: VoucherFields): i32 {
  borrowEncoder(PAYLOAD, PAYLOAD_CAP);
  let pairs = 10;
  if (f.time != 0) pairs++;
  if (f.chainRoot != 0) pairs++;
  encodeMap(pairs);
  encodeKey(1); encodeUint(1);
  encodeKey(2); encodeBytes(f.deviceId, 8);
  encodeKey(3); encodeUint(f.counter);
  encodeKey(4); encodeUint(<u64>f.amount);
  encodeKey(5); encodeTextBytes(f.currency, 3);
  encodeKey(6); encodeTextBytes(f.payee, f.payeeLen);
  encodeKey(7); encodeBytes(f.challenge, f.challengeLen);
  encodeKey(8); encodeUint(<u64>f.subWallet);
  encodeKey(9); encodeUint(<u64>f.balanceAfter);
  encodeKey(10); encodeUint(<u64>f.epoch);
  if (f.time != 0) {
    encodeKey(11);
    encodeUint(f.time);
  }
  if (f.chainRoot != 0) {
    encodeKey(12);
    encodeArray(3);
    encodeBytes(f.chainRoot, 32);
    encodeUint(<u64>f.chainUnit);
    encodeUint(<u64>f.chainLength);
  }
  payloadLen = returnEncoder();
  return payloadLen;
}

function buildProtected(alg: i32, kid: usize): void {
  borrowEncoder(PROTECTED, 16);
  encodeMap(2);
  encodeUint(1);
  encodeInt(alg);
  encodeUint(4);
  encodeBytes(kid, 8);
  protectedLen = returnEncoder();
}

/** Signs the built payload with the keystore slot; writes the COSE_Sign1 at `out`, returns its length or < 0. */
export function signVoucher(slot: i32, alg: i32, kid: usize, out: usize, cap: i32): i32 {
  if (payloadLen < 0) return -1;
  buildProtected(alg, kid);
  borrowEncoder(SIG_STRUCT, SIG_STRUCT_CAP);
  encodeArray(4);
  encodeTextBytes(SIGNATURE1, 10);
  encodeBytes(PROTECTED, protectedLen);
  encodeBytes(0, 0);
  encodeBytes(PAYLOAD, payloadLen);
  const sigStructLen = returnEncoder();
  if (sigStructLen < 0) return -1;
  const s = ks_sign(slot, SIG_STRUCT, sigStructLen, SIGNATURE, 64);
  if (s != 64) return s < 0 ? s : -1;
  borrowEncoder(out, cap);
  const tag = encoderReserve(1);
  if (tag) store<u8>(tag, 0xd2); // tag 18
  encodeArray(4);
  encodeBytes(PROTECTED, protectedLen);
  encodeMap(0);
  encodeBytes(PAYLOAD, payloadLen);
  encodeBytes(SIGNATURE, 64);
  return returnEncoder();
}

const SIGNATURE1 = memory.data<u8>([0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31]); // "Signature1"
