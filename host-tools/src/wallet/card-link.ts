// A card wallet reached over the device link: its applet through the nfc-test channel, its
// identity and chain through the app op `wallet.info`, and issuer provisioning through the
// provisioning-only op `wallet.provision`.
import type { DeviceClient } from "../device/client.ts";
import { LinkError } from "../link/index.ts";
import type { OpArgs } from "../ops/index.ts";
import type { Envelope } from "./certificate.ts";
import { WalletCard, type CardInfo } from "./card-client.ts";
import { certifyDevice, type IssuerFiles } from "./issuer.ts";
import { TapkitError } from "../errors/index.ts";

export function walletOverLink(client: DeviceClient): WalletCard {
  return new WalletCard((apdu) => client.nfcApdu(apdu));
}

export interface LinkWalletInfo {
  info: CardInfo;
  chain: Uint8Array[];
}

/** `slot` picks the key to report while the wallet is still blank (provisioning). */
export async function readWalletInfo(client: DeviceClient, slot = 0): Promise<LinkWalletInfo> {
  try {
    const r = await client.ops.wallet.info(slot ? { slot } : {});
    return { info: r.info, chain: r.chain };
  } catch (e) {
    if (e instanceof LinkError && e.details.deviceCode === "unknown-op") {
      throw new TapkitError("NO_WALLET", "the device has no wallet (app op wallet.info unknown)", "connect a card-wallet board (mode card)");
    }
    throw e;
  }
}

/** The card's identity and chain for reports (`tapkit info`), or null when the device has no wallet or does not answer. */
export async function readWalletInfoIfAny(client: DeviceClient): Promise<LinkWalletInfo | null> {
  try {
    return await readWalletInfo(client);
  } catch {
    return null;
  }
}

export interface ProvisionOptions {
  pin: string;
  balance: number;
  currency: string;
  limits: Envelope;
  /** keystore slot of the device key: 0 Ed25519 (default), 1 P-256 on the demo set-up */
  slot?: number;
  label?: string;
}

/**
 * Issuer flow at the bench: read the card's public key, certify it under the batch key,
 * and write chain, envelope, opening balance and PIN in one provisioning op.
 */
export async function provisionOverLink(client: DeviceClient, issuer: IssuerFiles, opts: ProvisionOptions): Promise<Uint8Array[]> {
  const pub = (await readWalletInfo(client, opts.slot ?? 0)).info.pub;
  return provisionWithPublicKey(client, issuer, pub, opts);
}

async function provisionWithPublicKey(client: DeviceClient, issuer: IssuerFiles, pub: Uint8Array, opts: ProvisionOptions): Promise<Uint8Array[]> {
  if (!pub || pub.length === 0)
    throw new TapkitError("NO_DEVICE_KEY", "the card reports no device key", "the keystore slot is empty; run the demo set-up or generate a key");
  const chain = certifyDevice(issuer, pub, opts.currency, opts.limits, opts.label);
  await client.ops.wallet.provision(walletProvisionArgs(chain, opts));
  return chain;
}

/** The `wallet.provision` op's arguments (docs/wallet-apdu.md) for a certified chain. */
export function walletProvisionArgs(chain: Uint8Array[], opts: ProvisionOptions): OpArgs<"wallet.provision"> {
  return {
    chain,
    slot: opts.slot ?? 0,
    cur: opts.currency,
    max: opts.limits.maxBalance,
    per: opts.limits.perPayment,
    cum: opts.limits.cumulative,
    count: opts.limits.maxCount,
    bal: opts.balance,
    pin: opts.pin,
  };
}
