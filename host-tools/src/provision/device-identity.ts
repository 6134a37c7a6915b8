// Serial -> NFC UID, and the certificate that binds serial, UID and device key under the
// batch key. UIDs are NXP-style 7 bytes: 04, a batch prefix (2 bytes, default from the batch
// name), then the serial (4 bytes big-endian): unique within a batch because serials are.
import { sha256 } from "@noble/hashes/sha2.js";
import { parseHex, toHex } from "../bytes/hex.ts";
import type { IssuerFiles } from "../wallet/issuer.ts";
import { issueCertificate, ROLE_DEVICE, type Envelope } from "../wallet/certificate.ts";
import type { Manifest } from "./manifest.ts";

/** ISO 4217 "no currency" and a zero envelope: a plaque's certificate can pay nothing. */
export const PLAQUE_CURRENCY = "XXX";
export const PLAQUE_ENVELOPE: Envelope = { maxBalance: 0, perPayment: 0, cumulative: 0, maxCount: 0 };

export function uidForSerial(manifest: Pick<Manifest, "batch" | "uidPrefix">, serial: number): string {
  const prefix = manifest.uidPrefix ? parseHex(manifest.uidPrefix) : sha256(new TextEncoder().encode(manifest.batch)).subarray(0, 2);
  const uid = new Uint8Array(7);
  uid[0] = 0x04;
  uid.set(prefix.subarray(0, 2), 1);
  new DataView(uid.buffer).setUint32(3, serial >>> 0, false);
  return toHex(uid);
}

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
