// The card owner's operations (docs/wallet-apdu.md: VERIFY PIN, CHANGE PIN, SET LIMITS,
// FUND / CLOSE SUB-WALLET, READ RECORD, GET DATA) over any APDU path. A session selects the
// wallet, refuses a blank card, and verifies the PIN in the same tap as the operation it
// guards. A malformed PIN is never sent: the card would count it as a wrong try.
import { TapkitError } from "../errors/index.ts";
import { decodeSign1 } from "../cose/cose-sign1.ts";
import { decodeCertPayload, type Envelope } from "./certificate.ts";
import { pinBlocked, type CardLimits, type LogEntry, type SubWalletLimits, type WalletCard } from "./card-client.ts";

/** The owner PIN: 4..8 digits (docs/wallet-apdu.md, PIN). */
export const PIN_FORMAT = /^[0-9]{4,8}$/;
/** Sub-wallet 0 is the main wallet; 1..LAST_SUB_WALLET are funded from it. */
export const MAIN_WALLET = 0;
export const LAST_SUB_WALLET = 3;
/** The card keeps the newest LOG_CAPACITY log entries. */
export const LOG_CAPACITY = 64;

export function isWellFormedPin(pin: string): boolean {
  return PIN_FORMAT.test(pin);
}

function checkPinFormat(pin: string, which: string): void {
  if (!isWellFormedPin(pin)) {
    throw new TapkitError("PIN_FORMAT", `the ${which} PIN must be 4..8 digits`, "the card would count a malformed PIN as a wrong try, so it is not sent");
  }
}

export interface Balance {
  sub: number;
  open: boolean;
  balance: number;
}

export interface CardStatus {
  kid: Uint8Array;
  currency: string | null;
  counter: number;
  epoch: number;
  pinTriesLeft: number;
  pinBlocked: boolean;
  /** per sub-wallet: balance, caps and use since the last sync */
  balances: (Balance & SubWalletLimits)[];
  total: number;
  /** the card's envelope (as the issuer set it, changed by SYNC) and its use since the last sync */
  limits: Omit<CardLimits, "subWallets">;
  /** the envelope in the device certificate, or null when the chain cannot be read */
  envelope: Envelope | null;
}

export interface SubWalletCaps {
  perPayment: number;
  cumulative: number;
  maxCount: number;
}

export class OwnerSession {
  private constructor(readonly card: WalletCard) {}

  /** Selects the wallet; with a PIN, checks it is not blocked and verifies it (same tap). */
  static async open(card: WalletCard, pin: string | null): Promise<OwnerSession> {
    if (pin !== null) checkPinFormat(pin, "owner");
    const sel = await card.select();
    if (!sel.active)
      throw new TapkitError(
        "NOT_PROVISIONED",
        "the card's wallet is blank (not provisioned)",
        "provision it first: tapkit issuer certify --port P --issuer DIR ...",
      );
    if (pin !== null) {
      if (((await card.info()).pin ?? 0) === 0) throw pinBlocked("VERIFY PIN");
      await card.verifyPin(pin);
    }
    return new OwnerSession(card);
  }

  async balances(): Promise<Balance[]> {
    return (await this.card.balances()).map((x, sub) => ({ sub, open: x.open, balance: x.balance }));
  }

  async status(): Promise<CardStatus> {
    const info = await this.card.info();
    const balances = await this.balances();
    const { subWallets, ...limits } = await this.card.limits();
    let envelope: Envelope | null;
    try {
      const device = (await this.card.chain())[1];
      envelope = decodeCertPayload(decodeSign1(device, "device certificate").payload).limits ?? null;
    } catch {
      envelope = null;
    }
    return {
      kid: info.kid,
      currency: info.cur ?? null,
      counter: info.ctr ?? 0,
      epoch: info.epoch ?? 0,
      pinTriesLeft: info.pin ?? 0,
      pinBlocked: (info.pin ?? 0) === 0,
      balances: balances.map((b) => ({ ...b, ...subWallets[b.sub] })),
      total: balances.reduce((a, b) => a + b.balance, 0),
      limits,
      envelope,
    };
  }

  /** The newest `count` log entries, oldest first (in sequence order). */
  async log(count: number): Promise<LogEntry[]> {
    return (await this.card.log(count)).reverse();
  }

  async setLimits(sub: number, caps: SubWalletCaps): Promise<void> {
    await this.card.setLimits(sub, caps.perPayment, caps.cumulative, caps.maxCount);
  }

  /** Moves `amount` from the main wallet into sub-wallet `sub` (opening it); returns the balances after. */
  async fund(sub: number, amount: number): Promise<Balance[]> {
    await this.card.fund(sub, amount);
    return this.balances();
  }

  /** Closes sub-wallet `sub`: its balance returns to the main wallet. */
  async close(sub: number): Promise<{ moved: number; balances: Balance[] }> {
    const moved = (await this.card.balances())[sub]?.balance ?? 0;
    await this.card.close(sub);
    return { moved, balances: await this.balances() };
  }

  /** The new PIN gets a full retry counter; needs a session opened with the current PIN. */
  async changePin(newPin: string): Promise<void> {
    checkPinFormat(newPin, "new");
    await this.card.changePin(newPin);
  }
}
