// The bench relay between a card and a plaque acting as offline acceptor. The HAL has no
// NFC reader mode, so the host carries the plaque's challenge to the card (its wallet
// applet over PC/SC or the nfc-test channel) and the card's voucher back to the plaque,
// exactly the messages a phone-free tap would exchange. Also the host itself as payee
// (`tapkit wallet pay`): one payment from a card, kept as a settlement bundle.
import { encodeBundle } from "./bundle.ts";
import type { PaymentRequest, WalletCard } from "./card-client.ts";
import type { AcceptedVoucher, PlaqueAcceptor } from "./plaque-client.ts";

export interface AcceptRequest {
  amount: number;
  subWallet?: number;
}

export interface AcceptResult extends AcceptedVoucher {
  voucher: Uint8Array;
  chain: Uint8Array[];
  challenge: Uint8Array;
  payee: string;
  currency: string;
}

/** One payment: challenge from the plaque, BEGIN + SIGN on the card, voucher checked and kept by the plaque. */
export async function acceptPayment(card: WalletCard, plaque: PlaqueAcceptor, req: AcceptRequest): Promise<AcceptResult> {
  const ch = await plaque.challenge(req.amount);
  await card.select();
  const chain = await card.chain();
  await card.begin(ch.challenge, ch.payee);
  const voucher = await card.sign(req.amount, ch.cur, req.subWallet ?? 0);
  const accepted = await plaque.submit(voucher, chain);
  return { ...accepted, voucher, chain, challenge: ch.challenge, payee: ch.payee, currency: ch.cur };
}

/** Opens a PayWord chain: the card commits to `length` words of `unit` each; the plaque accepts the commitment. */
export async function openPaywordChain(card: WalletCard, plaque: PlaqueAcceptor, unit: number, length: number, subWallet = 0): Promise<AcceptResult> {
  const ch = await plaque.challenge(unit * length, unit);
  await card.select();
  const chain = await card.chain();
  await card.begin(ch.challenge, ch.payee);
  const voucher = await card.signChain(unit, length, ch.cur, subWallet);
  const accepted = await plaque.submit(voucher, chain);
  return { ...accepted, voucher, chain, challenge: ch.challenge, payee: ch.payee, currency: ch.cur };
}

/** One micropayment tap: the card releases word `index`, the plaque checks it with one hash. */
export async function paywordTap(
  card: WalletCard,
  plaque: PlaqueAcceptor,
  slot: number,
  index: number,
): Promise<{ units: number; value: number; word: Uint8Array }> {
  await card.select();
  const word = await card.payword(index);
  const r = await plaque.payword(slot, word);
  return { units: r.units, value: r.value, word };
}

export interface BenchRelayRequest {
  subWallet?: number;
  /** a plain payment of this amount ... */
  amount?: number;
  /** ... or a PayWord chain of `length` words worth `unit` each, then `taps` words released (default 1) */
  payword?: { unit: number; length: number; taps?: number };
}

/** One payment relayed card -> plaque: plain, or a PayWord chain opened and tapped `taps` times. */
export async function relayPayment(card: WalletCard, plaque: PlaqueAcceptor, req: BenchRelayRequest): Promise<AcceptResult & { units?: number }> {
  const subWallet = req.subWallet ?? 0;
  if (!req.payword) return acceptPayment(card, plaque, { amount: req.amount ?? 0, subWallet });
  const open = await openPaywordChain(card, plaque, req.payword.unit, req.payword.length, subWallet);
  let units = 0;
  for (let i = 1; i <= (req.payword.taps ?? 1); i++) units = (await paywordTap(card, plaque, open.slot, i)).units;
  return { ...open, units };
}

export interface CardPayment {
  voucher: Uint8Array;
  challenge: Uint8Array;
  chain: Uint8Array[];
  /** voucher + chain as the settlement bundle a payee uploads */
  bundle: Uint8Array;
}

/** The host as payee: SELECT, read the chain, BEGIN + SIGN (a fresh challenge unless given). */
export async function cardPayment(card: WalletCard, req: PaymentRequest): Promise<CardPayment> {
  await card.select();
  const chain = await card.chain();
  const { voucher, challenge } = await card.pay(req);
  return { voucher, challenge, chain, bundle: encodeBundle({ voucher, chain }) };
}
