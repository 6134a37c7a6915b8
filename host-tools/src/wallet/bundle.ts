// Voucher bundle: what a payee stores and uploads for one payment — the voucher bytes as
// the card sent them plus the card's certificate chain, as deterministic CBOR
// {"chain": [batch, device], "voucher": COSE_Sign1}. Optional "payword": [index, preimage]
// records the last hash-chain word released for a chain commitment.
import { decodeDet, encodeDet } from "../cose/det-cbor.ts";
import { TapkitError } from "../errors/index.ts";

export interface VoucherBundle {
  voucher: Uint8Array;
  chain: Uint8Array[];
  payword?: { index: number; word: Uint8Array };
}

export function encodeBundle(b: VoucherBundle): Uint8Array {
  const m = new Map<string, unknown>([
    ["chain", b.chain],
    ["voucher", b.voucher],
  ]);
  if (b.payword) m.set("payword", [b.payword.index, b.payword.word]);
  return encodeDet(m);
}

export function decodeBundle(bytes: Uint8Array, name = "bundle"): VoucherBundle {
  const m = decodeDet(bytes, name);
  const chain = m instanceof Map ? m.get("chain") : undefined;
  const voucher = m instanceof Map ? m.get("voucher") : undefined;
  if (!(m instanceof Map) || !(voucher instanceof Uint8Array) || !Array.isArray(chain) || !chain.every((c) => c instanceof Uint8Array)) {
    throw new TapkitError(
      "BUNDLE_SHAPE",
      `${name} is not a voucher bundle {"chain": [...], "voucher": bytes}`,
      "export vouchers with `tapkit wallet pay --out FILE` or the plaque's voucher export",
    );
  }
  const b: VoucherBundle = { voucher, chain: chain as Uint8Array[] };
  const pw = m.get("payword");
  if (pw !== undefined) {
    if (!Array.isArray(pw) || pw.length !== 2 || !Number.isSafeInteger(pw[0]) || !(pw[1] instanceof Uint8Array) || pw[1].length !== 32) {
      throw new TapkitError("BUNDLE_SHAPE", `${name}: payword must be [index, 32-byte word]`, "see docs/vouchers.md, PayWord");
    }
    b.payword = { index: pw[0], word: pw[1] };
  }
  return b;
}
