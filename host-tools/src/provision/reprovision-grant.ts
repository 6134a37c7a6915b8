// The authorisation to re-provision one device (docs/provisioning.md, Re-provisioning): a
// small JSON grant naming the device (serial and UID), the batch it goes into, reason,
// expiry and a nonce, signed by the maker's
// root key (`tapkit provision authorise`), which a station checks against the manifest's
// pinned root public key alone. A station holding only the batch secrets cannot make one, a
// grant names exactly one device, it expires, and the records refuse a second use of it.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { sha256 } from "@noble/hashes/sha2.js";
import { parseHex, toHex } from "../bytes/hex.ts";
import { algOfPublicKey, keyId, verifyStrict, type Signer } from "../cose/sig-alg.ts";
import { TapkitError } from "../errors/index.ts";
import { canonicalJson } from "../records/audit.ts";

export const GRANT_FORMAT = "tapkit-reprovision/1";
const DOMAIN = new TextEncoder().encode(`${GRANT_FORMAT}\n`);

export interface ReprovisionGrant {
  format: typeof GRANT_FORMAT;
  /** the batch the device is provisioned into */
  batch: string;
  /** the device as it is now: serial and 7-byte NFC UID (hex), as tapkit info shows them */
  serial: number;
  uid: string;
  reason: string;
  /** ISO 8601; the grant is refused after it */
  notAfter: string;
  nonce: string;
  /** key id of the root that signed it */
  kid: string;
  sig: string;
}

const HINT = "ask the root key holder for a grant: tapkit provision authorise --issuer DIR --batch ID --serial N --uid UID --out grant.json";

function unauthorised(message: string, details: Record<string, unknown> = {}): TapkitError {
  return new TapkitError("REPROVISION_UNAUTHORISED", message, HINT, details);
}

function signedBytes(g: Omit<ReprovisionGrant, "sig">): Uint8Array {
  return Uint8Array.from([...DOMAIN, ...new TextEncoder().encode(canonicalJson(g))]);
}

/** A grant for `serial` of `batch`, valid for `hours`, signed by the root key. */
export function grantReprovision(root: Signer, p: { batch: string; serial: number; uid: string; reason: string; hours: number; now?: Date }): ReprovisionGrant {
  const now = p.now ?? new Date();
  const body: Omit<ReprovisionGrant, "sig"> = {
    format: GRANT_FORMAT,
    batch: p.batch,
    serial: p.serial,
    uid: p.uid.toUpperCase(),
    reason: p.reason,
    notAfter: new Date(now.getTime() + p.hours * 3_600_000).toISOString(),
    nonce: randomBytes(8).toString("hex"),
    kid: toHex(root.kid),
  };
  return { ...body, sig: toHex(root.sign(signedBytes(body))) };
}

export function readGrant(path: string): ReprovisionGrant {
  let g: unknown;
  try {
    g = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw unauthorised(`cannot read the re-provisioning grant ${path}: ${(e as Error).message}`);
  }
  const x = g as Partial<ReprovisionGrant>;
  if (
    x?.format !== GRANT_FORMAT ||
    typeof x.batch !== "string" ||
    !Number.isSafeInteger(x.serial) ||
    typeof x.uid !== "string" ||
    typeof x.reason !== "string" ||
    typeof x.notAfter !== "string" ||
    typeof x.nonce !== "string" ||
    typeof x.kid !== "string" ||
    typeof x.sig !== "string"
  )
    throw unauthorised(`${path} is not a ${GRANT_FORMAT} grant`);
  return x as ReprovisionGrant;
}

/** The grant's id (SHA-256 of its signature), kept in the audit trail so it is used once. */
export const grantId = (g: ReprovisionGrant): string => toHex(sha256(parseHex(g.sig)));

/** Refuses a grant that is not signed by `root`, names another device, or has expired. */
export function checkGrant(g: ReprovisionGrant, root: Uint8Array, device: { batch: string; serial: number; uid: string }, now = new Date()): void {
  const { sig, ...body } = g;
  let valid = false;
  try {
    valid = g.kid === toHex(keyId(root)) && verifyStrict(algOfPublicKey(root), root, signedBytes(body), parseHex(sig));
  } catch {
    valid = false;
  }
  if (!valid) throw unauthorised(`the re-provisioning grant is not signed by the batch's root (kid ${toHex(keyId(root))})`, { kid: g.kid });
  if (g.batch !== device.batch || g.serial !== device.serial || g.uid !== device.uid.toUpperCase())
    throw unauthorised(
      `the grant is for serial ${g.serial} (UID ${g.uid}) into batch ${g.batch}; this is serial ${device.serial} (UID ${device.uid}) into batch ${device.batch}`,
      {
        serial: g.serial,
      },
    );
  if (!(Date.parse(g.notAfter) > now.getTime())) throw unauthorised(`the grant expired at ${g.notAfter}`, { notAfter: g.notAfter });
}
