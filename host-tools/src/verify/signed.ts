// Signed tap URLs (docs/nfc.md "Signed tap URLs"): the tag signs the query string from just
// after '?' up to and including "s=" with Ed25519 or ECDSA P-256 (SHA-256, r||s); the query
// carries the merchant id (m), counter (n, 8 hex), unix time (t, 8 hex) and amount (a).
// Verified with @noble/curves, so only the public key is needed.
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { TapkitError } from "../errors/index.ts";

export type SignedAlg = "ed25519" | "p256";

export interface SignedTap {
  merchant: string | null;
  counter: number;
  time: number | null;
  amount: string | null;
  signedText: string;
}

function base64UrlDecode(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new TapkitError("BAD_INPUT", "signature is not base64url", "the s= parameter holds 86 base64url characters");
  return Uint8Array.from(Buffer.from(s, "base64url"));
}

/** Throws BAD_SIGNATURE unless `signatureB64` (86 base64url characters) signs `signedText`. */
export function checkSignature(signedText: string, signatureB64: string, publicKey: Uint8Array, alg: SignedAlg): void {
  const signature = base64UrlDecode(signatureB64);
  if (signature.length !== 64) throw new TapkitError("BAD_INPUT", `signature is ${signature.length} bytes, 64 expected`, "the URL was truncated");
  const message = new TextEncoder().encode(signedText);
  let valid = false;
  try {
    valid = alg === "ed25519" ? ed25519.verify(signature, message, publicKey) : p256.verify(signature, message, publicKey);
  } catch {
    valid = false;
  }
  if (!valid) throw new TapkitError("BAD_SIGNATURE", "the tap URL's signature does not verify", "wrong public key or algorithm, or a tampered URL");
}

/** The merchant (m), amount (a), counter (n, 8 hex) and time (t) read from verified signed text ending in `<sigParam>=`. */
export function signedFields(signedText: string, sigParam = "s"): SignedTap {
  const params = new URLSearchParams(signedText.slice(0, -(sigParam.length + 1)));
  const n = params.get("n");
  if (!n || !/^[0-9A-F]{8}$/.test(n)) throw new TapkitError("BAD_INPUT", "signed query lacks the counter n (8 upper-case hex)", "the template needs n={ctr}");
  const t = params.get("t");
  return { merchant: params.get("m"), counter: parseInt(n, 16), time: t ? parseInt(t, 16) : null, amount: params.get("a"), signedText };
}

/**
 * A whole signed tap URL: the signature must be the last thing in it. What precedes '?' is not
 * signed, so a caller that knows the tag's URL must compare it (verifyTapUrl does).
 */
export function verifySignedUrl(url: string, publicKey: Uint8Array, alg: SignedAlg, sigParam = "s"): SignedTap {
  const q = url.indexOf("?");
  const marker = url.lastIndexOf(`&${sigParam}=`);
  if (q < 0 || marker < q)
    throw new TapkitError("BAD_INPUT", `URL has no &${sigParam}= signature parameter in its query`, "pass the whole tap URL as the tag served it");
  const sigStart = marker + sigParam.length + 2;
  const sig = url.slice(sigStart);
  if (!/^[A-Za-z0-9_-]{86}$/.test(sig)) {
    throw new TapkitError(
      "BAD_URL",
      `the URL must end with the 86-character signature; found ${JSON.stringify(sig.slice(0, 100))}`,
      "nothing after the signature is signed: a changed or extended tap URL",
    );
  }
  const signedText = url.slice(q + 1, sigStart);
  checkSignature(signedText, sig, publicKey, alg);
  return signedFields(signedText, sigParam);
}
