// Who holds a voucher, and when the card may forget it. A voucher is money the card already
// debited, so it must exist somewhere durable at every moment: the card commits it with the
// debit and keeps it (READ LAST VOUCHER) until the host says it holds the bundle on disk
// (ACK VOUCHER, docs/wallet-apdu.md). The host checks the destination before asking the card
// to sign, writes the bundle durably, and only then acknowledges; after any failure in
// between, `recoverVoucher` reads the card's copy again.
import { decodeSign1, checkSign1 } from "../cose/cose-sign1.ts";
import { TapkitError } from "../errors/index.ts";
import { checkDestination, writeFileDurably } from "../files/durable-write.ts";
import { cardPayment, type CardPayment } from "./accept-flow.ts";
import { encodeBundle } from "./bundle.ts";
import type { PaymentRequest, WalletCard } from "./card-client.ts";
import { decodeVoucherPayload } from "./voucher.ts";

export interface SaveOptions {
  /** replace an existing file (its voucher would be lost) */
  force?: boolean;
}

const BUNDLE = { what: "voucher bundle", option: "--out" } as const;

/** The voucher counter of a COSE_Sign1 voucher (field 2 of its payload). */
export function voucherCounter(voucher: Uint8Array): number {
  return decodeVoucherPayload(decodeSign1(voucher, "voucher").payload).counter;
}

/** Writes a bundle durably, then acknowledges its voucher; a write failure says how to recover. */
async function saveAndAcknowledge(card: WalletCard, voucher: Uint8Array, bundle: Uint8Array, out: string, opts: SaveOptions): Promise<number> {
  const counter = voucherCounter(voucher);
  try {
    writeFileDurably(out, bundle, { ...BUNDLE, force: opts.force });
  } catch (e) {
    const why = e instanceof TapkitError ? e.message : String(e);
    throw new TapkitError(
      "VOUCHER_NOT_SAVED",
      `the card signed voucher ${counter} but it could not be saved: ${why}`,
      "the card keeps it until acknowledged: fix the destination, then run `tapkit wallet recover --out FILE` with the same card",
      { counter, path: out },
      { cause: e },
    );
  }
  await card.ackVoucher(counter);
  return counter;
}

/**
 * `wallet pay --out`: the destination is checked first (nothing is signed when it cannot
 * take the file), then one payment, the bundle written durably, then ACK VOUCHER.
 */
export async function payToFile(card: WalletCard, req: PaymentRequest, out: string, opts: SaveOptions = {}): Promise<CardPayment & { counter: number }> {
  checkDestination(out, { ...BUNDLE, force: opts.force });
  const payment = await cardPayment(card, req);
  return { ...payment, counter: await saveAndAcknowledge(card, payment.voucher, payment.bundle, out, opts) };
}

export interface RecoveredVoucher {
  voucher: Uint8Array;
  chain: Uint8Array[];
  bundle: Uint8Array;
  counter: number;
}

/**
 * `wallet recover --out`: reads the card's unacknowledged voucher, checks its signature with
 * the card's public key, writes the bundle durably and acknowledges it. Null when the card
 * holds none (every voucher was acknowledged).
 */
export async function recoverVoucher(card: WalletCard, out: string, opts: SaveOptions = {}): Promise<RecoveredVoucher | null> {
  checkDestination(out, { ...BUNDLE, force: opts.force });
  await card.select();
  const voucher = await card.lastVoucher();
  if (voucher === null) return null;
  const info = await card.info();
  checkSign1(decodeSign1(voucher, "kept voucher"), info.pub, info.alg, "kept voucher");
  const chain = await card.chain();
  const bundle = encodeBundle({ voucher, chain });
  const counter = await saveAndAcknowledge(card, voucher, bundle, out, opts);
  return { voucher, chain, bundle, counter };
}
