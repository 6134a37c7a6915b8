// Host side of the plaque's payment ops over the app channel: set/read the merchant profile,
// ask for a dynamic amount code (what a POS does), or bring the static code back. Host-side
// checks first (same rules, clearer errors), then the typed op client (client.ops).
import type { DeviceClient } from "../device/client.ts";
import type { OpResult } from "../ops/index.ts";
import { currencyNumeric } from "../emv/currency.ts";
import { accountsText, checkAmountForBuild, checkProfile, type MerchantProfile } from "../emv/mpm.ts";

export interface ShownCode {
  version: number;
  scale: number;
  /** reference counter value used (0 for the static code) */
  reference: number;
  payload: string;
}

/** The stored profile; `accounts` holds the account objects (02-51) as EMV text. */
export type StoredProfile = OpResult<"merchant.get">;

/** Checks the profile on the host first (same rules, clearer errors), then stores it. */
export async function setMerchantProfile(client: DeviceClient, p: MerchantProfile): Promise<number> {
  checkProfile(p);
  const r = await client.ops.merchant.set({
    name: p.name,
    city: p.city,
    country: p.country,
    currency: currencyNumeric(p.currency),
    mcc: p.mcc,
    accounts: accountsText(p.accounts),
    postal: p.postal || undefined,
    ref: p.reference || undefined,
  });
  return r.len;
}

export async function getMerchantProfile(client: DeviceClient): Promise<StoredProfile> {
  return client.ops.merchant.get();
}

function shown(r: OpResult<"qr.amount">): ShownCode {
  return { version: r.v, scale: r.scale, reference: r.ref, payload: r.payload };
}

/** A dynamic code for `amount` (e.g. "12.34") on the panel until timeoutS passes. */
export async function requestAmount(client: DeviceClient, amount: string, opts: { bill?: string; timeoutS?: number } = {}): Promise<ShownCode> {
  checkAmountForBuild(amount);
  return shown(await client.ops.qr.amount({ amount, bill: opts.bill, timeout: opts.timeoutS }));
}

export async function showStaticCode(client: DeviceClient): Promise<ShownCode> {
  return shown(await client.ops.qr.static());
}
