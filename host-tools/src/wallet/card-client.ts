// The host side of the wallet applet (docs/wallet-apdu.md): builds APDUs, reads answers,
// and turns status words and refusal reasons into TapkitErrors. Talks through any APDU
// transport (the nfc-test channel of a DeviceClient, or a PC/SC reader).
import { randomBytes } from "node:crypto";
import { decode } from "cborg";
import { TapkitError } from "../errors/index.ts";

export const WALLET_AID = Uint8Array.from([0xf0, 0x74, 0x61, 0x70, 0x6b, 0x57, 0x31]);

export type ApduTransport = (apdu: Uint8Array) => Promise<Uint8Array>;

export const REFUSAL: Record<number, [string, string]> = {
  1: ["not provisioned", "provision the card first (tapkit issuer certify --port ...)"],
  2: ["no payment session", "send BEGIN PAYMENT with the payee's challenge before SIGN"],
  3: ["sub-wallet closed or unknown", "fund the sub-wallet first, or pay from sub-wallet 0"],
  4: ["wrong currency", "the card pays only in its certified currency (see tapkit info)"],
  5: ["bad amount or payment data", "amount must be > 0; challenge 16..32 bytes; payee 1..32 bytes"],
  6: ["balance too low", "sync the card with the issuer to reload it"],
  7: ["above the per-payment cap", "lower the amount or raise the sub-wallet limit within the issuer envelope (tapkit wallet limits)"],
  8: ["cumulative cap since last sync reached", "sync the card with the issuer"],
  9: ["maximum number of payments since last sync reached", "sync the card with the issuer"],
  10: ["store refused the transaction", "the card's flash may be full or failing; read `tapkit info`"],
  11: ["signing failed", "the card's keystore refused; check the device key slot"],
  12: ["a PayWord chain is already open", "close it first (CLOSE CHAIN returns its unreleased units)"],
  13: ["no PayWord chain open", "commit a chain with SIGN CHAIN first"],
  14: ["payword index out of order", "ask for the next word (released + 1), or the last one again"],
  15: ["not a sync token", "build it with buildSyncToken (docs/vouchers.md, Sync token); at most 255 bytes"],
  16: ["sync token is for another card", "build the token with this card's kid (GET DATA info)"],
  17: ["sync token epoch is not the card's epoch + 1", "the token was already applied or is stale: read the card's epoch and build a new one"],
  18: ["settled counter above the card's counter", "the issuer cannot have settled vouchers the card never signed; check the card's ctr"],
  19: ["sync token not signed by this card's batch key", "sign with the batch key of the issuer that certified the card (issuer DIR/batch.key.json)"],
  20: ["top-up would exceed the maximum balance", "lower --top-up, or raise maxBalance in the token's envelope"],
  0x21: ["sub-wallet closed or unknown", "sub-wallets are 1..3 and must be open; fund one to open it (tapkit wallet fund)"],
  0x22: ["limit above the issuer envelope", "sub-wallet limits can only be at or below the envelope (tapkit wallet status shows the certified one)"],
  0x23: ["not enough balance to move", "the main wallet (0) holds less than that; check balances with tapkit wallet status (GET DATA 03)"],
};

/** The card said 63Cx: a wrong PIN, x tries left (`details.triesLeft`). */
function pinWrong(what: string, triesLeft: number): TapkitError {
  const tries = triesLeft === 1 ? "try" : "tries";
  return new TapkitError(
    "PIN_WRONG",
    `${what}: wrong PIN: ${triesLeft} ${tries} left`,
    `check the PIN before trying again; after ${triesLeft} more wrong ${tries} the PIN is blocked for good (payments keep working)`,
    { triesLeft },
  );
}

/** The card said 6983, or GET DATA shows no tries left: owner operations are over for this card. */
export function pinBlocked(what: string): TapkitError {
  return new TapkitError(
    "PIN_BLOCKED",
    `${what}: the owner PIN is blocked (no tries left)`,
    "owner operations are locked for good; payments under the envelope keep working; the issuer must replace the card",
    { triesLeft: 0 },
  );
}

export interface CardInfo {
  v: number;
  alg: number;
  kid: Uint8Array;
  pub: Uint8Array;
  bal?: number;
  ctr?: number;
  cur?: string;
  pin?: number;
  epoch?: number;
}

export interface PaymentRequest {
  amount: number;
  currency: string;
  payee: string;
  challenge?: Uint8Array;
  subWallet?: number;
  time?: number;
}

function apdu(ins: number, p1: number, p2: number, data?: Uint8Array): Uint8Array {
  if (!data) return Uint8Array.from([0x00, ins, p1, p2]);
  if (data.length > 255) throw new TapkitError("APDU_TOO_LONG", `command data of ${data.length} bytes`, "short APDUs carry at most 255 bytes");
  return Uint8Array.from([0x00, ins, p1, p2, data.length, ...data]);
}

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** A sub-wallet's caps and what it used since the last sync. */
export interface SubWalletLimits {
  perPayment: number;
  cumulative: number;
  maxCount: number;
  spent: number;
  count: number;
}

/** The card's envelope (as the issuer set it, changed by SYNC) and its use since the last sync. */
export interface CardLimits extends SubWalletLimits {
  maxBalance: number;
  subWallets: SubWalletLimits[];
}

export class WalletCard {
  constructor(private readonly send: ApduTransport) {}

  /** Sends one APDU; returns the data when SW = 9000, else throws with the reason. */
  async exchange(command: Uint8Array, what: string): Promise<Uint8Array> {
    const r = await this.send(command);
    if (r.length < 2) throw new TapkitError("APDU_SHORT", `${what}: response of ${r.length} bytes`, "the card answered without a status word");
    const sw = (r[r.length - 2] << 8) | r[r.length - 1];
    const data = r.subarray(0, r.length - 2);
    if (sw === 0x9000) return data;
    if (sw === 0x6985 && (data.length === 1 || data.length === 2)) {
      const [reason, hint] = REFUSAL[data[0]] ?? ["unknown reason", "see docs/wallet-apdu.md, Refusals"];
      const detail = data.length === 2 ? ` (store error -${data[1]})` : "";
      const code = data[0].toString(16).toUpperCase().padStart(2, "0");
      throw new TapkitError("CARD_REFUSED", `${what}: card refused: ${reason}${detail} (reason ${code})`, hint, {
        sw,
        reason: data[0],
        ...(data.length === 2 ? { storeError: -data[1] } : {}),
      });
    }
    if ((sw & 0xfff0) === 0x63c0) throw pinWrong(what, sw & 0xf);
    if (sw === 0x6983) throw pinBlocked(what);
    if (sw === 0x6982) throw new TapkitError("PIN_REQUIRED", `${what}: owner PIN not verified`, "verify the PIN first (INS 20)", { sw });
    if (sw === 0x6a82)
      throw new TapkitError("NO_WALLET", `${what}: the device has no wallet applet`, "this is not a card-wallet firmware (board mode card)", { sw });
    throw new TapkitError("CARD_STATUS", `${what}: card answered SW ${sw.toString(16).toUpperCase()}`, "see docs/wallet-apdu.md, status words", { sw });
  }

  async select(): Promise<{ version: number; active: boolean }> {
    const d = await this.exchange(apdu(0xa4, 0x04, 0x00, WALLET_AID), "SELECT wallet");
    return { version: d[0], active: d[1] === 1 };
  }

  async info(): Promise<CardInfo> {
    return decode(await this.exchange(apdu(0xca, 0x00, 0x00), "GET DATA info"), { useMaps: false }) as CardInfo;
  }

  async chain(): Promise<Uint8Array[]> {
    return [await this.exchange(apdu(0xca, 0x00, 0x01), "GET DATA batch cert"), await this.exchange(apdu(0xca, 0x00, 0x02), "GET DATA device cert")];
  }

  async begin(challenge: Uint8Array, payee: string, time?: number): Promise<void> {
    const p = new TextEncoder().encode(payee);
    const t = time === undefined ? [] : [...be32(Math.floor(time / 2 ** 32)), ...be32(time >>> 0)];
    await this.exchange(apdu(0x50, 0, 0, Uint8Array.from([challenge.length, ...challenge, p.length, ...p, ...t])), "BEGIN PAYMENT");
  }

  async sign(amount: number, currency: string, subWallet = 0): Promise<Uint8Array> {
    const c = new TextEncoder().encode(currency);
    if (c.length !== 3) throw new TapkitError("CURRENCY", `currency '${currency}' is not 3 letters`, "use an ISO 4217 code such as EUR");
    return (await this.exchange(apdu(0x52, 0, 0, Uint8Array.from([...be32(amount), ...c, subWallet])), "SIGN VOUCHER")).slice();
  }

  /** BEGIN + SIGN with a fresh random challenge unless one is given. */
  async pay(req: PaymentRequest): Promise<{ voucher: Uint8Array; challenge: Uint8Array }> {
    const challenge = req.challenge ?? new Uint8Array(randomBytes(16));
    await this.begin(challenge, req.payee, req.time);
    return { voucher: await this.sign(req.amount, req.currency, req.subWallet ?? 0), challenge };
  }

  /** SIGN CHAIN: a voucher committing to a PayWord chain of `length` words worth `unit` each (BEGIN first). */
  async signChain(unit: number, length: number, currency: string, subWallet = 0): Promise<Uint8Array> {
    const c = new TextEncoder().encode(currency);
    if (c.length !== 3) throw new TapkitError("CURRENCY", `currency '${currency}' is not 3 letters`, "use an ISO 4217 code such as EUR");
    return (await this.exchange(apdu(0x54, 0, 0, Uint8Array.from([...be32(unit), ...be32(length), ...c, subWallet])), "SIGN CHAIN")).slice();
  }

  /** PAYWORD: releases word `index` of the open chain (the next one, or the last one again). */
  async payword(index: number): Promise<Uint8Array> {
    return (await this.exchange(apdu(0x56, 0, 0, Uint8Array.from(be32(index))), "PAYWORD")).slice();
  }

  /** CLOSE CHAIN: unreleased units return to the sub-wallet; returns the amount refunded. */
  async closeChain(): Promise<number> {
    const d = await this.exchange(apdu(0x58, 0, 0), "CLOSE CHAIN");
    return ((d[0] << 24) >>> 0) + (d[1] << 16) + (d[2] << 8) + d[3];
  }

  /** SYNC: applies an issuer sync token (sync-token.ts); returns the card's new epoch and balance. */
  async sync(token: Uint8Array): Promise<{ epoch: number; balance: number }> {
    const d = await this.exchange(apdu(0x5a, 0, 0, token), "SYNC");
    if (d.length !== 8)
      throw new TapkitError("APDU_SHORT", `SYNC: answer of ${d.length} bytes, expected 8`, "the card's firmware predates SYNC or answered garbage");
    const dv = new DataView(d.buffer, d.byteOffset, 8);
    return { epoch: dv.getUint32(0), balance: dv.getUint32(4) };
  }

  async verifyPin(pin: string): Promise<void> {
    await this.exchange(apdu(0x20, 0x00, 0x80, new TextEncoder().encode(pin)), "VERIFY PIN");
  }

  async changePin(pin: string): Promise<void> {
    await this.exchange(apdu(0x24, 0x00, 0x80, new TextEncoder().encode(pin)), "CHANGE PIN");
  }

  async setLimits(sub: number, perPayment: number, cumulative: number, maxCount: number): Promise<void> {
    await this.exchange(apdu(0xd4, sub, 1, Uint8Array.from([...be32(perPayment), ...be32(cumulative), ...be32(maxCount)])), "SET LIMITS");
  }

  async fund(sub: number, amount: number): Promise<void> {
    await this.exchange(apdu(0xd4, sub, 2, Uint8Array.from(be32(amount))), "FUND SUB-WALLET");
  }

  async close(sub: number): Promise<void> {
    await this.exchange(apdu(0xd4, sub, 3), "CLOSE SUB-WALLET");
  }

  /** The card's envelope and use since the last sync, and each sub-wallet's caps and use (GET DATA 04). */
  async limits(): Promise<CardLimits> {
    const d = await this.exchange(apdu(0xca, 0, 4), "GET DATA limits");
    const u = (at: number) => ((d[at] << 24) >>> 0) + (d[at + 1] << 16) + (d[at + 2] << 8) + d[at + 3];
    const subs: SubWalletLimits[] = [];
    for (let at = 24; at + 20 <= d.length; at += 20)
      subs.push({ perPayment: u(at), cumulative: u(at + 4), maxCount: u(at + 8), spent: u(at + 12), count: u(at + 16) });
    return { maxBalance: u(0), perPayment: u(4), cumulative: u(8), maxCount: u(12), spent: u(16), count: u(20), subWallets: subs };
  }

  async balances(): Promise<{ open: boolean; balance: number }[]> {
    const d = await this.exchange(apdu(0xca, 0, 3), "GET DATA balances");
    const out = [];
    for (let i = 0; i + 5 <= d.length; i += 5)
      out.push({ open: d[i] === 1, balance: ((d[i + 1] << 24) >>> 0) + (d[i + 2] << 16) + (d[i + 3] << 8) + d[i + 4] });
    return out;
  }

  /** Log entries, newest first (docs/wallet-apdu.md, READ RECORD). */
  async log(max = 64): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for (let i = 1; i <= max; i++) {
      const r = await this.send(apdu(0xb2, i, 0x04));
      if (r.length < 2 || r[r.length - 2] !== 0x90) break;
      out.push(parseLogEntry(r.subarray(0, r.length - 2)));
    }
    return out;
  }
}

export interface LogEntry {
  seq: number;
  counter: number;
  amount: number;
  balanceAfter: number;
  subWallet: number;
  kind: "payment" | "fund" | "close" | "provision" | "refund" | "sync" | "unknown";
  payee: string;
}

export function parseLogEntry(b: Uint8Array): LogEntry {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const kinds = ["unknown", "payment", "fund", "close", "provision", "refund", "sync"] as const;
  return {
    seq: dv.getUint32(0, true),
    counter: dv.getUint32(4, true),
    amount: dv.getUint32(8, true),
    balanceAfter: dv.getUint32(12, true),
    subWallet: b[16],
    kind: kinds[b[17]] ?? "unknown",
    payee: new TextDecoder().decode(b.subarray(20, 28)).replace(/\0+$/, ""),
  };
}
