// Image-signing keys as files openssl and imgtool users already know: the private key as
// PKCS#8 PEM, the public key as SPKI PEM (both parsed and written by Node's OpenSSL), and
// the same keys as the raw bytes COSE and the device use (Ed25519 32-byte public key,
// P-256 65-byte uncompressed SEC1). The key id is the project's: the first 8 bytes of
// SHA-256 over the raw public key (cose/sig-alg.ts keyId).
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseHex } from "../bytes/hex.ts";
import { COSE_ALG_EDDSA, COSE_ALG_ES256, type CoseAlg, type Signer, algOfPublicKey, keyId, newSecret, signerFromSecret } from "../cose/sig-alg.ts";
import { imageError } from "./image-error.ts";

export type KeyAlgName = "ed25519" | "p256";

export const COSE_ALG_BY_NAME: Record<KeyAlgName, CoseAlg> = { ed25519: COSE_ALG_EDDSA, p256: COSE_ALG_ES256 };
/** The board file's keystore algorithm name for a COSE alg (boards/*.json keystore.algorithms). */
export const keyAlgName = (alg: number): KeyAlgName => (alg === COSE_ALG_EDDSA ? "ed25519" : "p256");

/** A public key the verifier trusts (a trust anchor), with where it came from. */
export interface PublicKeyInfo {
  alg: CoseAlg;
  publicKey: Uint8Array;
  kid: Uint8Array;
  source: string;
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
const fromB64u = (s: unknown): Uint8Array => Uint8Array.from(Buffer.from(String(s), "base64url"));

function jwkOf(alg: CoseAlg, publicKey: Uint8Array, secret?: Uint8Array): Record<string, string> {
  const d: Record<string, string> = secret ? { d: b64u(secret) } : {};
  if (alg === COSE_ALG_EDDSA) return { kty: "OKP", crv: "Ed25519", x: b64u(publicKey), ...d };
  return { kty: "EC", crv: "P-256", x: b64u(publicKey.subarray(1, 33)), y: b64u(publicKey.subarray(33, 65)), ...d };
}

export function privateKeyPem(signer: Signer, secret: Uint8Array): string {
  return createPrivateKey({ key: jwkOf(signer.alg, signer.publicKey, secret), format: "jwk" }).export({ type: "pkcs8", format: "pem" }) as string;
}

export function publicKeyPem(alg: CoseAlg, publicKey: Uint8Array): string {
  return createPublicKey({ key: jwkOf(alg, publicKey), format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
}

/** A fresh key pair: the signer and the secret (the caller writes it with writeNewKeyFile). */
export function generateSigningKey(name: KeyAlgName): { signer: Signer; secret: Uint8Array } {
  const secret = newSecret(COSE_ALG_BY_NAME[name]);
  return { signer: signerFromSecret(COSE_ALG_BY_NAME[name], secret), secret };
}

function algOfKeyObject(k: KeyObject, source: string): CoseAlg {
  if (k.asymmetricKeyType === "ed25519") return COSE_ALG_EDDSA;
  if (k.asymmetricKeyType === "ec" && k.asymmetricKeyDetails?.namedCurve === "prime256v1") return COSE_ALG_ES256;
  const what = k.asymmetricKeyType === "ec" ? `EC ${k.asymmetricKeyDetails?.namedCurve}` : k.asymmetricKeyType;
  throw imageError(
    "KEY_FORMAT",
    `${source} is a ${what} key; image signing keys are Ed25519 or P-256`,
    "make one with tapkit image keygen --alg ed25519 (or p256)",
  );
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw imageError(
      "KEY_READ",
      `cannot read key file ${path}: ${(e as Error).message}`,
      "give the path of a key file written by tapkit image keygen (or openssl genpkey)",
    );
  }
}

/** A signer from a private key file: PKCS#8 or SEC1 ("EC PRIVATE KEY") PEM, unencrypted. */
export function loadSigningKey(path: string): Signer {
  const text = readText(path);
  if (text.includes("ENCRYPTED PRIVATE KEY")) {
    throw imageError(
      "KEY_FORMAT",
      `${path} is an encrypted private key`,
      `decrypt it to a file only you can read: openssl pkey -in ${path} -out plain.pem (then chmod 600), or keep the key in an HSM and sign there`,
    );
  }
  if (!/-----BEGIN (EC )?PRIVATE KEY-----/.test(text)) {
    const hint =
      text.includes("PUBLIC KEY") || /^[0-9a-fA-F\s]+$/.test(text)
        ? "this is a public key; signing needs the private key file tapkit image keygen wrote"
        : "give the private key file tapkit image keygen wrote (PKCS#8 PEM)";
    throw imageError("KEY_FORMAT", `${path} holds no PEM private key`, hint);
  }
  let k: KeyObject;
  try {
    k = createPrivateKey(text);
  } catch (e) {
    throw imageError(
      "KEY_FORMAT",
      `${path} is not a readable private key: ${(e as Error).message}`,
      "the file may be damaged; use your backup of the signing key",
    );
  }
  const alg = algOfKeyObject(k, path);
  const jwk = k.export({ format: "jwk" });
  const signer = signerFromSecret(alg, fromB64u(jwk.d));
  const stated = alg === COSE_ALG_EDDSA ? fromB64u(jwk.x) : Uint8Array.of(4, ...fromB64u(jwk.x), ...fromB64u(jwk.y));
  if (Buffer.compare(Buffer.from(stated), Buffer.from(signer.publicKey)) !== 0) {
    throw imageError(
      "KEY_FORMAT",
      `${path}: the public key stored in the file does not belong to its private key`,
      "the file is damaged or was edited; use your backup of the signing key",
    );
  }
  return signer;
}

/**
 * A trust anchor from a file: SPKI PEM public key, a private key PEM (its public half), or
 * the raw public key in hex (32-byte Ed25519 or 65-byte uncompressed P-256).
 */
export function loadPublicKey(path: string): PublicKeyInfo {
  const text = readText(path);
  let publicKey: Uint8Array;
  let alg: CoseAlg;
  if (/-----BEGIN (EC )?PRIVATE KEY-----/.test(text)) {
    const s = loadSigningKey(path);
    ({ alg, publicKey } = s);
  } else if (text.includes("-----BEGIN PUBLIC KEY-----")) {
    let k: KeyObject;
    try {
      k = createPublicKey(text);
    } catch (e) {
      throw imageError(
        "KEY_FORMAT",
        `${path} is not a readable public key: ${(e as Error).message}`,
        "export it again: tapkit image keygen writes NAME.pub.pem next to the private key",
      );
    }
    alg = algOfKeyObject(k, path);
    const jwk = k.export({ format: "jwk" });
    publicKey = alg === COSE_ALG_EDDSA ? fromB64u(jwk.x) : Uint8Array.of(4, ...fromB64u(jwk.x), ...fromB64u(jwk.y));
  } else if (!/^[0-9a-fA-F\s]+$/.test(text)) {
    throw imageError(
      "KEY_FORMAT",
      `${path} is not a key file: expected a PEM public key (NAME.pub.pem from tapkit image keygen) or a raw public key in hex`,
      "give NAME.pub.pem from tapkit image keygen",
    );
  } else {
    try {
      return trustAnchor(parseHex(text.trim()), path);
    } catch (e) {
      throw imageError(
        "KEY_FORMAT",
        `${path} is neither a PEM key nor a raw public key in hex: ${(e as Error).message}`,
        "give NAME.pub.pem from tapkit image keygen",
      );
    }
  }
  return { alg, publicKey, kid: keyId(publicKey), source: path };
}

/** A trust anchor from a raw public key (32-byte Ed25519 or 65-byte uncompressed P-256), e.g. from a shell's keystore. */
export function trustAnchor(publicKey: Uint8Array, source: string): PublicKeyInfo {
  return { alg: algOfPublicKey(publicKey), publicKey, kid: keyId(publicKey), source };
}

export { keyId };
