// The demo set-up of a card board: a clearly marked DEMO issuer (fixed, published keys
// derived from their label — anyone can mint with them, so nothing it signs is money) and a
// demo wallet in ISO 4217's testing currency XTS, so `tapkit wallet pay` works on a fresh
// `tapkit sim --board sim-card`. The simulator installs it at start unless --blank or
// --blank-wallet; a card already certified (e.g. kept with --state) is left as it is.
import { sha256 } from "@noble/hashes/sha2.js";
import type { DeviceClient } from "../device/client.ts";
import { COSE_ALG_EDDSA, signerFromSecret } from "../cose/sig-alg.ts";
import { issueCertificate, ROLE_BATCH } from "./certificate.ts";
import type { IssuerFiles } from "./issuer.ts";
import { provisionOverLink, readWalletInfo } from "./card-link.ts";
import { toHex } from "../bytes/hex.ts";

export const DEMO_ISSUER_LABEL = "TAPKIT DEMO ISSUER - NOT MONEY";

/** The demo wallet's terms: XTS is ISO 4217's code for testing, never a real currency. */
export const DEMO_WALLET = {
  currency: "XTS",
  balance: 10_000,
  pin: "1234",
  limits: { maxBalance: 100_000, perPayment: 5_000, cumulative: 50_000, maxCount: 1_000 },
} as const;

const secret = (what: string) => sha256(new TextEncoder().encode(`${DEMO_ISSUER_LABEL} ${what}`));

/** The DEMO issuer: the same keys everywhere (published in this file). */
export function demoIssuer(): IssuerFiles {
  const root = signerFromSecret(COSE_ALG_EDDSA, secret("root"));
  const batch = signerFromSecret(COSE_ALG_EDDSA, secret("batch"));
  return { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey, label: DEMO_ISSUER_LABEL }) };
}

export interface DemoWallet {
  /** false when the card already had an issuer's certificate (left untouched) */
  installed: boolean;
  currency: string;
  balance: number;
  pin: string;
  /** the DEMO issuer's root public key, hex: `tapkit verify voucher --root HEX` */
  root: string;
}

/** Certifies and provisions a blank card with the DEMO issuer; leaves a certified card alone. */
export async function installDemoWallet(client: DeviceClient): Promise<DemoWallet> {
  const root = toHex(demoIssuer().root.publicKey);
  const terms = { currency: DEMO_WALLET.currency, balance: DEMO_WALLET.balance, pin: DEMO_WALLET.pin, root };
  if ((await readWalletInfo(client)).chain.length > 0) return { installed: false, ...terms };
  await provisionOverLink(client, demoIssuer(), {
    pin: DEMO_WALLET.pin,
    balance: DEMO_WALLET.balance,
    currency: DEMO_WALLET.currency,
    limits: { ...DEMO_WALLET.limits },
    label: "DEMO CARD",
  });
  return { installed: true, ...terms };
}
