// The certificate that binds serial, UID and device key under the batch key, and the
// envelope a plaque's certificate carries.
import type { IssuerFiles } from "../wallet/issuer.ts";
import { issueCertificate, ROLE_DEVICE, type Envelope } from "../wallet/certificate.ts";

/** ISO 4217 "no currency" and a zero envelope: a plaque's certificate can pay nothing. */
export const PLAQUE_CURRENCY = "XXX";
export const PLAQUE_ENVELOPE: Envelope = { maxBalance: 0, perPayment: 0, cumulative: 0, maxCount: 0 };

/** [batch certificate, device certificate]; the label names batch, serial and UID. */
export function certifyIdentity(
  issuer: IssuerFiles,
  pub: Uint8Array,
  who: { batch: string; serial: number; uid: string },
  envelope: { currency: string; limits: Envelope },
): Uint8Array[] {
  const device = issueCertificate(issuer.batch, {
    role: ROLE_DEVICE,
    publicKey: pub,
    currency: envelope.currency,
    limits: envelope.limits,
    label: `${who.batch}/${who.serial}/${who.uid}`,
  });
  return [issuer.batchCert, device];
}
