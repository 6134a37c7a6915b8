// Builds the voucher exactly as docs/vouchers.md specifies: the deterministic CBOR payload
// (firmware/codec/voucher), the protected header {1: alg, 4: kid}, the COSE Sig_structure
// the keystore signs, and the tagged COSE_Sign1 the card returns. Uses the link encoder
// with its state saved and restored, because an APDU can arrive inside a link request
// (nfc-test channel) whose answer is being encoded.
import { ks_sign } from "../hal/keystore";
import { encodeProtectedHeader, encodeSigStructure, encodeSign1 } from "../codec/cose/cose-sign1";
// biome-ignore lint/style/useImportType: AssemblyScript has no type-only imports
import { Voucher, encodeVoucherPayload } from "../codec/voucher/voucher-payload";
import { borrowEncoder, returnEncoder } from "./borrowed-encoder";
import {
  VOUCHER_PAYLOAD_AT, VOUCHER_PAYLOAD_CAP, VOUCHER_PROTECTED_AT, VOUCHER_PROTECTED_CAP, VOUCHER_SIGNATURE_AT, VOUCHER_SIG_STRUCT_AT,
  VOUCHER_SIG_STRUCT_CAP, walletScratch,
} from "./wallet-scratch";

// In the wallet's per-call scratch (wallet-scratch.ts): built and signed within one SIGN APDU.
const PAYLOAD_CAP: i32 = VOUCHER_PAYLOAD_CAP;
const SIG_STRUCT_CAP: i32 = VOUCHER_SIG_STRUCT_CAP;
function payloadBuffer(): usize {
  return walletScratch() + <usize>VOUCHER_PAYLOAD_AT;
}
function protectedHeader(): usize {
  return walletScratch() + <usize>VOUCHER_PROTECTED_AT;
}
function sigStructure(): usize {
  return walletScratch() + <usize>VOUCHER_SIG_STRUCT_AT;
}
function signatureBuffer(): usize {
  return walletScratch() + <usize>VOUCHER_SIGNATURE_AT;
}

let payloadLen: i32 = 0;

/** Encodes the payload of `f` (the one voucher layout); returns its length or -1. */
export function buildPayload(f: Voucher): i32 {
  borrowEncoder(payloadBuffer(), PAYLOAD_CAP);
  encodeVoucherPayload(f);
  payloadLen = returnEncoder();
  return payloadLen;
}

/** Signs the built payload with the keystore slot; writes the COSE_Sign1 at `out`, returns its length or < 0. */
export function signVoucher(slot: i32, alg: i32, kid: usize, out: usize, cap: i32): i32 {
  if (payloadLen < 0) return -1;
  borrowEncoder(protectedHeader(), VOUCHER_PROTECTED_CAP);
  encodeProtectedHeader(alg, kid);
  const protectedLen = returnEncoder();
  borrowEncoder(sigStructure(), SIG_STRUCT_CAP);
  encodeSigStructure(protectedHeader(), protectedLen, payloadBuffer(), payloadLen);
  const sigStructLen = returnEncoder();
  if (sigStructLen < 0) return -1;
  const s = ks_sign(slot, sigStructure(), sigStructLen, signatureBuffer(), 64);
  if (s != 64) return s < 0 ? s : -1;
  borrowEncoder(out, cap);
  encodeSign1(protectedHeader(), protectedLen, payloadBuffer(), payloadLen, signatureBuffer());
  return returnEncoder();
}
