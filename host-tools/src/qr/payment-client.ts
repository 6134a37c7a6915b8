// Host side of the plaque's payment ops over the app channel: set/read the merchant profile,
// ask for a dynamic amount code (what a POS does), or bring the static code back. Host-side
// checks first (same rules, clearer errors), then the typed op client (client.ops). A board
// without a payment app (a card) is told so in words, not as the link's unknown-op.
import type { DeviceClient } from "../device/client.ts";
import type { OpResult } from "../ops/index.ts";
import { currencyNumeric } from "../emv/currency.ts";
import { LinkError } from "../link/index.ts";
import { TapkitError } from "../errors/index.ts";
import { accountsText, checkAmountForBuild, checkProfile, type MerchantProfile } from "../emv/mpm.ts";
import { accountsFromText } from "../emv/account-objects.ts";

export interface ShownCode {
  version: number;
  scale: number;
  /** reference counter value used (0 for the static code) */
  reference: number;
  payload: string;
}

/** The device's answer as it came: `accounts` holds the account objects (02-51) as EMV text. */
export type StoredProfileWire = OpResult<"merchant.get">;

/** The stored profile in the shape `merchant set --profile` and `emv build` take (accounts as fields). */
export type StoredProfile = MerchantProfile;

/** Runs a payment op; a board without one (a card) fails with NO_PAYMENT_APP naming the board. */
async function paymentOp<T>(client: DeviceClient, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof LinkError) || e.details.deviceCode !== "unknown-op") throw e;
    const status = await client.appStatus().catch(() => null);
    const board = status ? `${status.board} (a ${status.mode})` : client.hello.board;
    throw new TapkitError(
      "NO_PAYMENT_APP",
      `${what}: board ${board} has no merchant profile or payment codes`,
      "merchant profiles and QR codes live on plaque boards (e.g. sim-plaque); a card board pays with vouchers: tapkit wallet pay",
      { board: status?.board ?? client.hello.board, mode: status?.mode },
    );
  }
}

/** Checks the profile on the host first (same rules, clearer errors), then stores it. */
export async function setMerchantProfile(client: DeviceClient, p: MerchantProfile): Promise<number> {
  checkProfile(p);
  const r = await paymentOp(client, "merchant set", () =>
    client.ops.merchant.set({
      name: p.name,
      city: p.city,
      country: p.country,
      currency: currencyNumeric(p.currency),
      mcc: p.mcc,
      accounts: accountsText(p.accounts),
      postal: p.postal || undefined,
      ref: p.reference || undefined,
    }),
  );
  return r.len;
}

/** The profile as stored, in the shape setMerchantProfile takes: get then set changes nothing. */
export async function getMerchantProfile(client: DeviceClient): Promise<StoredProfile> {
  const r = await paymentOp(client, "merchant get", () => client.ops.merchant.get());
  const p: StoredProfile = { name: r.name, city: r.city, country: r.country, currency: r.currency, mcc: r.mcc, accounts: accountsFromText(r.accounts) };
  if (r.postal) p.postal = r.postal;
  if (r.ref) p.reference = r.ref;
  return p;
}

function shown(r: OpResult<"qr.amount">): ShownCode {
  return { version: r.v, scale: r.scale, reference: r.ref, payload: r.payload };
}

/** A dynamic code for `amount` (e.g. "12.34") on the panel until timeoutS passes. */
export async function requestAmount(client: DeviceClient, amount: string, opts: { bill?: string; timeoutS?: number } = {}): Promise<ShownCode> {
  checkAmountForBuild(amount);
  return shown(await paymentOp(client, "qr amount", () => client.ops.qr.amount({ amount, bill: opts.bill, timeout: opts.timeoutS })));
}

export async function showStaticCode(client: DeviceClient): Promise<ShownCode> {
  return shown(await paymentOp(client, "qr static", () => client.ops.qr.static()));
}
