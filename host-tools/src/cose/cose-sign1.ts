// COSE_Sign1 (RFC 9052 §4.2) as used by vouchers, certificates and firmware image manifests (the manifest adds external_aad): tag 18, protected
// header {1: alg, 4: kid} as a byte string, empty unprotected map, embedded payload, raw
// 64-byte signature over Sig_structure ["Signature1", protected, h'', payload].
import { COSE_SIGN1_TAG, Tagged, decodeDet, encodeDet } from "./det-cbor.ts";
import { type Signer, verifyStrict } from "./sig-alg.ts";
import { TapkitError } from "../errors/index.ts";

const HDR_ALG = 1;
const HDR_KID = 4;

export interface Sign1 {
  alg: number;
  kid: Uint8Array;
  /** the protected header bytes exactly as received */
  protectedBytes: Uint8Array;
  /** the payload bytes exactly as received */
  payload: Uint8Array;
  signature: Uint8Array;
}

export function encodeProtected(alg: number, kid: Uint8Array): Uint8Array {
  return encodeDet(
    new Map<number, unknown>([
      [HDR_ALG, alg],
      [HDR_KID, kid],
    ]),
  );
}

/** The bytes a COSE_Sign1 signature covers. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = new Uint8Array()): Uint8Array {
  return encodeDet(["Signature1", protectedBytes, externalAad, payload]);
}

export function encodeSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeDet(new Tagged(COSE_SIGN1_TAG, [protectedBytes, new Map(), payload, signature]));
}

export function signSign1(signer: Signer, payload: Uint8Array): Uint8Array {
  const prot = encodeProtected(signer.alg, signer.kid);
  return encodeSign1(prot, payload, signer.sign(sigStructure(prot, payload)));
}

/** Parses (strictly) without checking the signature. */
export function decodeSign1(bytes: Uint8Array, what: string): Sign1 {
  const v = decodeDet(bytes, what);
  if (!(v instanceof Tagged) || v.tag !== COSE_SIGN1_TAG || !Array.isArray(v.value) || v.value.length !== 4) {
    throw new TapkitError(
      "COSE_SHAPE",
      `${what} is not a tagged COSE_Sign1 (tag 18, 4 items)`,
      "vouchers, certificates and image manifests are COSE_Sign1 structures; see docs/vouchers.md or docs/image-format.md",
    );
  }
  const [prot, unprot, payload, signature] = v.value as unknown[];
  if (
    !(prot instanceof Uint8Array) ||
    !(unprot instanceof Map) ||
    unprot.size !== 0 ||
    !(payload instanceof Uint8Array) ||
    !(signature instanceof Uint8Array)
  ) {
    throw new TapkitError(
      "COSE_SHAPE",
      `${what}: protected header, empty unprotected map, embedded payload and signature expected`,
      "see the COSE_Sign1 profile in docs/vouchers.md (docs/image-format.md for images)",
    );
  }
  const hdr = decodeDet(prot, `${what} protected header`);
  if (!(hdr instanceof Map) || hdr.size !== 2 || typeof hdr.get(HDR_ALG) !== "number" || !(hdr.get(HDR_KID) instanceof Uint8Array)) {
    throw new TapkitError(
      "COSE_HEADER",
      `${what}: protected header must be exactly {1: alg, 4: kid}`,
      "see the COSE_Sign1 profile in docs/vouchers.md (docs/image-format.md for images)",
    );
  }
  return { alg: hdr.get(HDR_ALG) as number, kid: hdr.get(HDR_KID) as Uint8Array, protectedBytes: prot, payload, signature };
}

/** Throws unless the signature verifies (strict rules, sig-alg.ts) under `pub`. */
export function checkSign1(s: Sign1, pub: Uint8Array, alg: number, what: string): void {
  if (s.alg !== alg)
    throw new TapkitError("COSE_ALG", `${what} says alg ${s.alg} but its signer's key is alg ${alg}`, "the signer's certificate and the header disagree");
  if (!verifyStrict(alg, pub, sigStructure(s.protectedBytes, s.payload), s.signature)) {
    throw new TapkitError(
      "BAD_SIGNATURE",
      `${what}: signature does not verify`,
      "the data was altered, signed by another key, or the signature is malleated (high-S / non-canonical)",
    );
  }
}
