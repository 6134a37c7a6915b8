// Host side of the plaque's payment ops over the app channel: set/read the merchant profile,
// ask for a dynamic amount code (what a POS does), or bring the static code back.
import { CHANNEL } from "../link/index.ts";
import type { DeviceClient } from "../device/client.ts";
import { accountsText, checkAmountForBuild, checkProfile, type MerchantProfile } from "../emv/mpm.ts";

export interface ShownCode {
  version: number;
  scale: number;
  /** reference counter value used (0 for the static code) */
  reference: number;
  payload: string;
}

export interface StoredProfile {
  name: string;
  city: string;
  country: string;
  currency: string;
  mcc: string;
  /** the account objects (02-51) as EMV text */
  accounts: string;
}

/** Checks the profile on the host first (same rules, clearer errors), then stores it. */
export async function setMerchantProfile(client: DeviceClient, p: MerchantProfile): Promise<number> {
  checkProfile(p);
  const args: Record<string, string> = { name: p.name, city: p.city, country: p.country, currency: p.currency, mcc: p.mcc, accounts: accountsText(p.accounts) };
  if (p.postal) args.postal = p.postal;
  const r = await client.session.request(CHANNEL.APP, "merchant.set", args);
  return r.len as number;
}

export async function getMerchantProfile(client: DeviceClient): Promise<StoredProfile> {
  return (await client.session.request(CHANNEL.APP, "merchant.get")) as unknown as StoredProfile;
}

function shown(r: Record<string, unknown>): ShownCode {
  return { version: r.v as number, scale: r.scale as number, reference: r.ref as number, payload: r.payload as string };
}

/** A dynamic code for `amount` (e.g. "12.34") on the panel until timeoutS passes. */
export async function requestAmount(client: DeviceClient, amount: string, opts: { bill?: string; timeoutS?: number } = {}): Promise<ShownCode> {
  checkAmountForBuild(amount);
  const args: Record<string, unknown> = { amount };
  if (opts.bill !== undefined) args.bill = opts.bill;
  if (opts.timeoutS !== undefined) args.timeout = opts.timeoutS;
  return shown(await client.session.request(CHANNEL.APP, "qr.amount", args));
}

export async function showStaticCode(client: DeviceClient): Promise<ShownCode> {
  return shown(await client.session.request(CHANNEL.APP, "qr.static"));
}
