// Payment voucher payload (docs/vouchers.md): a deterministic CBOR map with small integer
// keys, signed by the card as a COSE_Sign1. Amounts are integers in minor units.
import { decodeDet, encodeDet } from "../cose/det-cbor.ts";
import { TapkitError } from "../errors/index.ts";

export const VOUCHER_VERSION = 1;

export const VK = {
  version: 1,
  deviceId: 2,
  counter: 3,
  amount: 4,
  currency: 5,
  payee: 6,
  challenge: 7,
  subWallet: 8,
  balanceAfter: 9,
  epoch: 10,
  time: 11,
  chain: 12,
} as const;

/** PayWord commitment (hash-chain micropayments): root w0, value of one unit, chain length. */
export interface ChainCommitment {
  root: Uint8Array;
  unit: number;
  length: number;
}

export interface VoucherPayload {
  version: number;
  deviceId: Uint8Array;
  counter: number;
  amount: number;
  currency: string;
  payee: string;
  challenge: Uint8Array;
  subWallet: number;
  balanceAfter: number;
  /** sync epoch: how many times the issuer has re-synchronised the card */
  epoch: number;
  /** unix seconds, only when the card had trusted time */
  time?: number;
  chain?: ChainCommitment;
}

export function encodeVoucherPayload(v: VoucherPayload): Uint8Array {
  const m = new Map<number, unknown>([
    [VK.version, v.version],
    [VK.deviceId, v.deviceId],
    [VK.counter, v.counter],
    [VK.amount, v.amount],
    [VK.currency, v.currency],
    [VK.payee, v.payee],
    [VK.challenge, v.challenge],
    [VK.subWallet, v.subWallet],
    [VK.balanceAfter, v.balanceAfter],
    [VK.epoch, v.epoch],
  ]);
  if (v.time !== undefined) m.set(VK.time, v.time);
  if (v.chain) m.set(VK.chain, [v.chain.root, v.chain.unit, v.chain.length]);
  return encodeDet(m);
}

const uint = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

export function decodeVoucherPayload(bytes: Uint8Array): VoucherPayload {
  const m = decodeDet(bytes, "voucher payload");
  const bad = (field: string, want: string) =>
    new TapkitError("VOUCHER_FIELD", `voucher payload: ${field} must be ${want}`, "see docs/vouchers.md for the field table");
  if (!(m instanceof Map)) throw bad("the payload", "a map");
  for (const k of m.keys()) if (typeof k !== "number" || k < 1 || k > VK.chain) throw bad(`key ${String(k)}`, "one of 1..12");
  const get = (k: number) => m.get(k);
  if (get(VK.version) !== VOUCHER_VERSION) throw bad("version (1)", `${VOUCHER_VERSION}`);
  const deviceId = get(VK.deviceId);
  if (!(deviceId instanceof Uint8Array) || deviceId.length !== 8) throw bad("device id (2)", "8 bytes");
  for (const [k, name] of [
    [VK.counter, "counter (3)"],
    [VK.amount, "amount (4)"],
    [VK.subWallet, "sub-wallet (8)"],
    [VK.balanceAfter, "balance after (9)"],
    [VK.epoch, "epoch (10)"],
  ] as const) {
    if (!uint(get(k))) throw bad(name, "an unsigned integer");
  }
  if ((get(VK.counter) as number) < 1) throw bad("counter (3)", ">= 1");
  const currency = get(VK.currency);
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) throw bad("currency (5)", "three upper-case letters (ISO 4217)");
  const payee = get(VK.payee);
  if (typeof payee !== "string" || payee.length < 1 || payee.length > 32) throw bad("payee (6)", "text of 1..32 characters");
  const challenge = get(VK.challenge);
  if (!(challenge instanceof Uint8Array) || challenge.length < 16 || challenge.length > 32) throw bad("challenge (7)", "16..32 bytes");
  const v: VoucherPayload = {
    version: VOUCHER_VERSION,
    deviceId,
    counter: get(VK.counter) as number,
    amount: get(VK.amount) as number,
    currency,
    payee,
    challenge,
    subWallet: get(VK.subWallet) as number,
    balanceAfter: get(VK.balanceAfter) as number,
    epoch: get(VK.epoch) as number,
  };
  if (m.has(VK.time)) {
    if (!uint(get(VK.time))) throw bad("time (11)", "unix seconds");
    v.time = get(VK.time) as number;
  }
  if (m.has(VK.chain)) {
    const c = get(VK.chain);
    if (!Array.isArray(c) || c.length !== 3 || !(c[0] instanceof Uint8Array) || c[0].length !== 32 || !uint(c[1]) || !uint(c[2]) || c[2] < 1) {
      throw bad("chain (12)", "[root (32 bytes), unit value, length >= 1]");
    }
    v.chain = { root: c[0], unit: c[1], length: c[2] };
  }
  return v;
}
