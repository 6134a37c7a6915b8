// The two voucher signature algorithms and their strict verification rules, pinned here
// once: Ed25519 (COSE -8) verified per RFC 8032 strict (non-canonical S or points refused,
// not ZIP-215), ECDSA P-256 with SHA-256 (COSE -7, ES256) over raw r||s with low-S
// required, so a voucher has exactly one valid signature and cannot be malleated into a
// "new" voucher at settlement.
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { TapkitError } from "../errors/index.ts";

export const COSE_ALG_EDDSA = -8;
export const COSE_ALG_ES256 = -7;
export type CoseAlg = typeof COSE_ALG_EDDSA | typeof COSE_ALG_ES256;

export function algName(alg: number): string {
  return alg === COSE_ALG_EDDSA ? "EdDSA (Ed25519)" : alg === COSE_ALG_ES256 ? "ES256 (P-256)" : `unknown (${alg})`;
}

/** COSE alg of a raw public key: 32 bytes Ed25519, 65 bytes uncompressed SEC1 P-256. */
export function algOfPublicKey(pub: Uint8Array): CoseAlg {
  if (pub.length === 32) return COSE_ALG_EDDSA;
  if (pub.length === 65 && pub[0] === 0x04) return COSE_ALG_ES256;
  throw new TapkitError(
    "KEY_FORMAT",
    `a public key of ${pub.length} bytes is neither Ed25519 (32) nor uncompressed P-256 (65, 04...)`,
    "pass the raw public key in hex, as `tapkit issuer init` writes it",
  );
}

/** Key id: the first 8 bytes of SHA-256 over the raw public key (the card computes the same). */
export function keyId(pub: Uint8Array): Uint8Array {
  return sha256(pub).subarray(0, 8);
}

/** A private key able to sign COSE structures (host-side issuer keys and test keys). */
export interface Signer {
  alg: CoseAlg;
  publicKey: Uint8Array;
  kid: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function signerFromSecret(alg: CoseAlg, secret: Uint8Array): Signer {
  if (alg === COSE_ALG_EDDSA) {
    const publicKey = ed25519.getPublicKey(secret);
    return { alg, publicKey, kid: keyId(publicKey), sign: (m) => ed25519.sign(m, secret) };
  }
  const publicKey = p256.getPublicKey(secret, false);
  return { alg, publicKey, kid: keyId(publicKey), sign: (m) => p256.sign(m, secret, { prehash: true, lowS: true, format: "compact" }) };
}

export function newSecret(alg: CoseAlg): Uint8Array {
  return alg === COSE_ALG_EDDSA ? ed25519.utils.randomSecretKey() : p256.utils.randomSecretKey();
}

const P256_HALF_N = p256.Point.CURVE().n >> 1n;

/** True only for the one canonical signature encoding of each algorithm. */
export function verifyStrict(alg: number, pub: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  try {
    if (alg === COSE_ALG_EDDSA) {
      if (pub.length !== 32) return false;
      return ed25519.verify(sig, message, pub, { zip215: false });
    }
    if (alg === COSE_ALG_ES256) {
      if (pub.length !== 65) return false;
      const s = bytesToBigInt(sig.subarray(32));
      if (s > P256_HALF_N) return false;
      return p256.verify(sig, message, pub, { prehash: true, lowS: true, format: "compact" });
    }
  } catch {
    return false;
  }
  return false;
}

function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}
