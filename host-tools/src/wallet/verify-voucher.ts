// Verifying one voucher: chain to the pinned root, the card's signature over the bytes
// received, the fields, the payee's challenge and the issuer's envelope. There is no way
// to skip the chain check (Coinkite's lesson: optional attestation gets skipped).
import { sha256 } from "@noble/hashes/sha2.js";
import { checkSign1, decodeSign1 } from "../cose/cose-sign1.ts";
import { bytesEqual } from "../cose/det-cbor.ts";
import { verifyChain, type CertPayload } from "./certificate.ts";
import { decodeVoucherPayload, type VoucherPayload } from "./voucher.ts";
import type { VoucherBundle } from "./bundle.ts";
import { TapkitError } from "../errors/index.ts";

export interface VerifyExpectations {
  /** the challenge the payee issued for this payment */
  challenge?: Uint8Array;
  payee?: string;
  amount?: number;
}

export interface VerifiedVoucher {
  voucher: VoucherPayload;
  device: CertPayload;
  /** SHA-256 of the voucher bytes: the identity settlement uses for duplicates */
  digest: Uint8Array;
  /** units proved by the payword, when the voucher commits to a hash chain */
  paywordUnits?: number;
}

export function verifyVoucher(bundle: VoucherBundle, root: Uint8Array, expect: VerifyExpectations = {}): VerifiedVoucher {
  const { device } = verifyChain(bundle.chain, root);
  const sign1 = decodeSign1(bundle.voucher, "voucher");
  if (!bytesEqual(sign1.kid, device.kid))
    throw new TapkitError("VOUCHER_KID", "the voucher's kid is not the certified device key", "the voucher and the chain come from different cards");
  checkSign1(sign1, device.publicKey, device.alg, "voucher");
  const voucher = decodeVoucherPayload(sign1.payload);
  if (!bytesEqual(voucher.deviceId, device.kid))
    throw new TapkitError("VOUCHER_DEVICE", "the voucher's device id differs from its signing key id", "the card firmware wrote a wrong device id");
  if (expect.challenge && !bytesEqual(voucher.challenge, expect.challenge)) {
    throw new TapkitError(
      "CHALLENGE_MISMATCH",
      "the voucher answers another challenge (replayed voucher)",
      "issue a fresh challenge per payment and accept only a voucher that carries it",
    );
  }
  if (expect.payee !== undefined && voucher.payee !== expect.payee)
    throw new TapkitError("PAYEE_MISMATCH", `voucher pays '${voucher.payee}', not '${expect.payee}'`, "the card signed for another payee");
  if (expect.amount !== undefined && voucher.amount !== expect.amount)
    throw new TapkitError("AMOUNT_MISMATCH", `voucher is for ${voucher.amount}, not ${expect.amount}`, "the card signed another amount");
  const env = device.limits!;
  if (voucher.currency !== device.currency)
    throw new TapkitError(
      "ENVELOPE_CURRENCY",
      `voucher in ${voucher.currency}, card certified for ${device.currency}`,
      "the card may only pay in its certified currency",
    );
  if (voucher.amount > env.perPayment)
    throw new TapkitError(
      "ENVELOPE_PER_PAYMENT",
      `amount ${voucher.amount} exceeds the certified per-payment cap ${env.perPayment}`,
      "refuse the payment; the card firmware should never sign this",
    );
  if (voucher.balanceAfter > env.maxBalance)
    throw new TapkitError(
      "ENVELOPE_BALANCE",
      `balance after ${voucher.balanceAfter} exceeds the certified maximum ${env.maxBalance}`,
      "the card's balance is beyond its envelope",
    );
  if (voucher.chain && voucher.amount !== voucher.chain.unit * voucher.chain.length) {
    throw new TapkitError("PAYWORD_AMOUNT", "a chain commitment must reserve unit x length", "see docs/vouchers.md, PayWord");
  }
  const result: VerifiedVoucher = { voucher, device, digest: sha256(bundle.voucher) };
  if (bundle.payword) {
    if (!voucher.chain)
      throw new TapkitError(
        "PAYWORD_NO_CHAIN",
        "the bundle has a payword but the voucher commits to no chain",
        "paywords only go with chain commitment vouchers",
      );
    result.paywordUnits = checkPayword(voucher.chain.root, bundle.payword.index, bundle.payword.word, voucher.chain.length);
  }
  return result;
}

/** w_i hashed i times must give the root w_0; returns i (units spent). */
function checkPayword(root: Uint8Array, index: number, word: Uint8Array, length: number): number {
  if (index < 0 || index > length) throw new TapkitError("PAYWORD_INDEX", `payword index ${index} outside 0..${length}`, "the chain is shorter than claimed");
  let w = word;
  for (let i = 0; i < index; i++) w = sha256(w);
  if (!bytesEqual(w, root))
    throw new TapkitError("PAYWORD_BAD", `payword ${index} does not hash to the committed root`, "the word was altered or belongs to another chain");
  return index;
}
