// Test fixture: a host-side issuer and "card" keys (fixed seeds) that produce vouchers the
// way the card firmware does, so format and settlement tests run without a device.
import {
  certifyDevice,
  COSE_ALG_EDDSA,
  COSE_ALG_ES256,
  type CoseAlg,
  encodeBundle,
  encodeVoucherPayload,
  issueCertificate,
  ROLE_BATCH,
  signerFromSecret,
  signSign1,
  type Envelope,
  type IssuerFiles,
  type Signer,
  type VoucherPayload,
} from "../../host-tools/src/wallet/index.ts";

export const ENVELOPE: Envelope = { maxBalance: 50_000, perPayment: 2_000, cumulative: 5_000, maxCount: 10 };

export function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export function testIssuer(alg: CoseAlg = COSE_ALG_EDDSA, rootSeed = 0x11): IssuerFiles {
  const root = signerFromSecret(alg, seed(rootSeed));
  const batch = signerFromSecret(alg, seed(rootSeed + 0x11));
  return { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
}

export interface TestCard {
  key: Signer;
  chain: Uint8Array[];
}

export function testCard(issuer: IssuerFiles, alg: CoseAlg = COSE_ALG_EDDSA, seedByte = 0x33): TestCard {
  const key = signerFromSecret(alg, seed(seedByte));
  return { key, chain: certifyDevice(issuer, key.publicKey, "EUR", ENVELOPE) };
}

export function payload(card: TestCard, over: Partial<VoucherPayload> = {}): VoucherPayload {
  return {
    version: 1,
    deviceId: card.key.kid,
    counter: 1,
    amount: 250,
    currency: "EUR",
    payee: "shop-42",
    challenge: new Uint8Array(16).fill(0xc4),
    subWallet: 0,
    balanceAfter: 9_750,
    epoch: 0,
    ...over,
  };
}

export function voucherBytes(card: TestCard, over: Partial<VoucherPayload> = {}): Uint8Array {
  return signSign1(card.key, encodeVoucherPayload(payload(card, over)));
}

export function bundleBytes(card: TestCard, over: Partial<VoucherPayload> = {}): Uint8Array {
  return encodeBundle({ voucher: voucherBytes(card, over), chain: card.chain });
}

export { COSE_ALG_EDDSA, COSE_ALG_ES256 };
