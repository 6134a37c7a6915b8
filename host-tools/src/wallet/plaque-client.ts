// The host side of the plaque's offline acceptor (app ops acceptor.*, docs/vouchers.md,
// Acceptor): provisioning its issuer root, challenges, voucher submission, PayWord words,
// export of held vouchers as settlement bundles, and clearing after upload. The plaque
// answers refusals with a bare code; reasons and hints for people live here.
import type { DeviceClient } from "../device/client.ts";
import { LinkError } from "../link/index.ts";
import type { OpName, OpsClient } from "../ops/index.ts";
import { encodeBundle, type VoucherBundle } from "./bundle.ts";
import { TapkitError } from "../errors/index.ts";

export const ACCEPTOR_REFUSAL: Record<string, [string, string]> = {
  NOT_SET_UP: ["the plaque has no issuer root", "provision it: tapkit wallet plaque-setup --plaque PORT --root KEY --payee ID --currency C"],
  NO_CHALLENGE: ["no open challenge on the plaque", "ask for a challenge first; each challenge takes exactly one voucher"],
  CHAIN_ROOT: [
    "the card's batch certificate is not signed by the plaque's issuer root",
    "the card belongs to another issuer, or the plaque holds the wrong root",
  ],
  CHAIN_LINK: ["the device certificate is not signed by the batch key", "the chain's certificates come from different batches"],
  CHAIN_FORMAT: ["the card's certificates do not follow docs/vouchers.md", "re-provision the card with tapkit issuer certify"],
  VOUCHER_FORMAT: ["not a deterministic version-1 voucher", "the voucher was truncated or built by other firmware"],
  VOUCHER_KID: ["the voucher is not signed by the certified device key", "voucher and chain come from different cards"],
  BAD_SIGNATURE: ["the voucher signature does not verify", "the voucher was altered, or its signature malleated (high-S / non-canonical)"],
  CHALLENGE_MISMATCH: ["the voucher answers another challenge", "a replayed voucher: take a fresh challenge for every payment"],
  PAYEE_MISMATCH: ["the voucher pays another payee", "the card was asked to pay a different payee id"],
  CURRENCY: ["voucher or card currency differs from the plaque's", "the card is certified for another currency"],
  AMOUNT_MISMATCH: ["the voucher's amount differs from the amount asked", "the card signed another amount"],
  ENVELOPE: ["amount or balance outside the card's certified envelope", "refuse the payment: the card firmware should never sign this"],
  COUNTER_REUSED: ["the card's counter is not above the last one this plaque accepted from it", "a cloned or rolled-back card; keep the card and report it"],
  ACCEPTOR_FULL: ["the plaque holds 64 vouchers", "export and clear them: tapkit wallet export --plaque PORT --out DIR --clear"],
  CARDS_FULL: ["the plaque remembers 16 cards and holds vouchers from them", "export and clear the vouchers first"],
  CHAIN_TERMS: ["the PayWord commitment is missing or not the unit and length asked", "the card committed to other terms"],
  NO_CHAIN: ["that slot holds no PayWord commitment", "use the slot the commitment was accepted in"],
  PAYWORD_BAD: ["the word does not hash to the previous one", "the word was altered or belongs to another chain"],
  PAYWORD_END: ["the chain is used up", "commit a new chain"],
  HELD: ["vouchers are held on the plaque", "export and clear them before changing the root"],
  STORE: ["the plaque's store refused the write", "its flash may be full or failing; read tapkit info (store)"],
};

export interface AcceptorChallenge {
  challenge: Uint8Array;
  payee: string;
  cur: string;
  amount: number;
  unit?: number;
}

export interface AcceptedVoucher {
  slot: number;
  counter: number;
  amount: number;
  kid: Uint8Array;
}

export interface AcceptorStatus {
  held: number;
  cards: number;
  capacity: number;
  configured: number;
  payee?: string;
  cur?: string;
}

export class PlaqueAcceptor {
  constructor(readonly client: DeviceClient) {}

  /** Runs one acceptor op through the typed client, turning the plaque's refusals into TapkitErrors. */
  private async op<T>(op: OpName, what: string, call: (ops: OpsClient["acceptor"]) => Promise<T>): Promise<T> {
    try {
      return await call(this.client.ops.acceptor);
    } catch (e) {
      if (!(e instanceof LinkError)) throw e;
      const { deviceCode, deviceMsg } = e.details;
      if (deviceCode === "unknown-op")
        throw new TapkitError("NO_ACCEPTOR", `${what}: the device has no acceptor (op ${op} unknown)`, "connect a plaque board (mode plaque)", { deviceCode });
      if (deviceMsg !== undefined && Object.hasOwn(ACCEPTOR_REFUSAL, deviceMsg)) {
        const [reason, hint] = ACCEPTOR_REFUSAL[deviceMsg];
        throw new TapkitError(deviceMsg as Uppercase<string>, `${what}: plaque refused: ${reason}`, hint, { deviceCode, deviceMsg });
      }
      throw e;
    }
  }

  async setup(root: Uint8Array, payee: string, currency: string): Promise<void> {
    await this.op("acceptor.setup", "plaque setup", (a) => a.setup({ root, payee, cur: currency }));
  }

  /** A fresh challenge for one payment; with `unit`, for a PayWord commitment of amount = unit x length. */
  async challenge(amount: number, unit?: number): Promise<AcceptorChallenge> {
    return this.op("acceptor.challenge", "challenge", (a) => a.challenge(unit ? { amount, unit } : { amount }));
  }

  async submit(voucher: Uint8Array, chain: Uint8Array[]): Promise<AcceptedVoucher> {
    return this.op("acceptor.submit", "submit voucher", (a) => a.submit({ voucher, chain }));
  }

  async payword(slot: number, word: Uint8Array): Promise<{ slot: number; units: number; value: number }> {
    return this.op("acceptor.payword", "payword", (a) => a.payword({ slot, word }));
  }

  async status(): Promise<AcceptorStatus> {
    return this.op("acceptor.list", "acceptor list", (a) => a.list());
  }

  async exportOne(slot: number): Promise<VoucherBundle> {
    const r = await this.op("acceptor.export", "export", (a) => a.export({ slot }));
    const b: VoucherBundle = { voucher: r.voucher, chain: r.chain };
    if (r.payword) b.payword = { index: r.payword[0] as number, word: r.payword[1] as Uint8Array };
    return b;
  }

  /** Every held voucher as settlement bundle bytes (what `tapkit settle` reads), in slot order. */
  async exportAll(): Promise<Uint8Array[]> {
    const { held } = await this.status();
    const out: Uint8Array[] = [];
    for (let slot = 0; slot < held; slot++) out.push(encodeBundle(await this.exportOne(slot)));
    return out;
  }

  async clear(): Promise<number> {
    return (await this.op("acceptor.clear", "clear", (a) => a.clear())).cleared;
  }
}
