// Issuer certificates (issuer root -> batch -> device): COSE_Sign1 over a deterministic
// CBOR map. The root is a pinned public key, not a certificate. A device certificate also
// carries the issuer's offline envelope (currency and limits) that settlement enforces.
import { signSign1, decodeSign1, checkSign1 } from "../cose/cose-sign1.ts";
import { bytesEqual, decodeDet, encodeDet } from "../cose/det-cbor.ts";
import { algOfPublicKey, keyId, type Signer } from "../cose/sig-alg.ts";
import { TapkitError } from "../errors/index.ts";

export const CERT_VERSION = 1;
export const ROLE_BATCH = 1;
export const ROLE_DEVICE = 2;

const CK = { version: 1, role: 2, kid: 3, alg: 4, publicKey: 5, issuer: 6, currency: 7, limits: 8, label: 9 } as const;

/** The issuer's offline risk envelope for one device, per sync epoch. */
export interface Envelope {
  maxBalance: number;
  perPayment: number;
  cumulative: number;
  maxCount: number;
}

export interface CertPayload {
  role: number;
  kid: Uint8Array;
  alg: number;
  publicKey: Uint8Array;
  issuer: Uint8Array;
  currency?: string;
  limits?: Envelope;
  label?: string;
}

function encodeCertPayload(c: CertPayload): Uint8Array {
  const m = new Map<number, unknown>([
    [CK.version, CERT_VERSION],
    [CK.role, c.role],
    [CK.kid, c.kid],
    [CK.alg, c.alg],
    [CK.publicKey, c.publicKey],
    [CK.issuer, c.issuer],
  ]);
  if (c.currency !== undefined) m.set(CK.currency, c.currency);
  if (c.limits) m.set(CK.limits, [c.limits.maxBalance, c.limits.perPayment, c.limits.cumulative, c.limits.maxCount]);
  if (c.label !== undefined) m.set(CK.label, c.label);
  return encodeDet(m);
}

/** Issues a certificate for `subjectKey` signed by `issuer`. */
export function issueCertificate(issuer: Signer, subject: Omit<CertPayload, "kid" | "alg" | "issuer">): Uint8Array {
  const alg = algOfPublicKey(subject.publicKey);
  return signSign1(issuer, encodeCertPayload({ ...subject, kid: keyId(subject.publicKey), alg, issuer: issuer.kid }));
}

export function decodeCertPayload(bytes: Uint8Array): CertPayload {
  const m = decodeDet(bytes, "certificate payload");
  const bad = (what: string) => new TapkitError("CERT_FIELD", `certificate payload: ${what}`, "see docs/vouchers.md, Certificates");
  if (!(m instanceof Map) || m.get(CK.version) !== CERT_VERSION) throw bad("version 1 map expected");
  const role = m.get(CK.role),
    kid = m.get(CK.kid),
    alg = m.get(CK.alg),
    pub = m.get(CK.publicKey),
    issuer = m.get(CK.issuer);
  if (role !== ROLE_BATCH && role !== ROLE_DEVICE) throw bad("role must be 1 (batch) or 2 (device)");
  if (!(kid instanceof Uint8Array) || !(pub instanceof Uint8Array) || !(issuer instanceof Uint8Array) || typeof alg !== "number")
    throw bad("kid, alg, public key and issuer required");
  if (algOfPublicKey(pub) !== alg) throw bad("alg does not match the public key");
  if (!bytesEqual(keyId(pub), kid)) throw bad("kid is not SHA-256(public key)[0..8]");
  const c: CertPayload = { role, kid, alg, publicKey: pub, issuer };
  if (m.has(CK.currency)) c.currency = m.get(CK.currency) as string;
  if (m.has(CK.limits)) {
    const l = m.get(CK.limits);
    if (!Array.isArray(l) || l.length !== 4 || !l.every((x) => Number.isSafeInteger(x) && x >= 0))
      throw bad("limits must be [maxBalance, perPayment, cumulative, maxCount]");
    c.limits = { maxBalance: l[0], perPayment: l[1], cumulative: l[2], maxCount: l[3] };
  }
  if (m.has(CK.label)) c.label = m.get(CK.label) as string;
  if (role === ROLE_DEVICE && (!c.currency || !c.limits)) throw bad("a device certificate needs currency and limits");
  return c;
}

export interface VerifiedChain {
  batch: CertPayload;
  device: CertPayload;
}

/**
 * Checks [batch, device] against the pinned root public key: each certificate is signed by
 * the key above it and names it as issuer; roles are batch then device.
 */
export function verifyChain(chain: Uint8Array[], root: Uint8Array): VerifiedChain {
  if (chain.length !== 2)
    throw new TapkitError(
      "CHAIN_LENGTH",
      `certificate chain has ${chain.length} certificates, expected 2 (batch, device)`,
      "read the chain from the card with `tapkit info --json` or the wallet GET DATA command",
    );
  const rootAlg = algOfPublicKey(root);
  const rootKid = keyId(root);
  const batchSign = decodeSign1(chain[0], "batch certificate");
  if (!bytesEqual(batchSign.kid, rootKid))
    throw new TapkitError(
      "CHAIN_ROOT",
      "the batch certificate was not issued by this root key",
      "check --root: it must be the issuer root that certified this card's batch",
    );
  checkSign1(batchSign, root, rootAlg, "batch certificate");
  const batch = decodeCertPayload(batchSign.payload);
  if (batch.role !== ROLE_BATCH || !bytesEqual(batch.issuer, rootKid))
    throw new TapkitError("CHAIN_ROLE", "the first certificate is not a batch certificate under the root", "the chain must be [batch, device]");
  const devSign = decodeSign1(chain[1], "device certificate");
  if (!bytesEqual(devSign.kid, batch.kid))
    throw new TapkitError("CHAIN_LINK", "the device certificate was not issued by the batch key", "the chain's certificates belong to different batches");
  checkSign1(devSign, batch.publicKey, batch.alg, "device certificate");
  const device = decodeCertPayload(devSign.payload);
  if (device.role !== ROLE_DEVICE || !bytesEqual(device.issuer, batch.kid))
    throw new TapkitError("CHAIN_ROLE", "the second certificate is not a device certificate under the batch", "the chain must be [batch, device]");
  return { batch, device };
}
