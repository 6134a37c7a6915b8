// The image manifest (docs/image-format.md): a COSE_Sign1 (RFC 9052, tag 18) whose payload
// is a deterministic-CBOR map of what a bootloader checks before it instantiates a module
// (board, version, HAL ABI, security counter, module size and SHA-256), signed over
// Sig_structure with the image header as external_aad so that every byte of the file is
// covered. Encoding and the COSE profile are the project's (cose/det-cbor.ts,
// cose/cose-sign1.ts, cose/sig-alg.ts), imported, not copied.
import { decodeDet, encodeDet } from "../cose/det-cbor.ts";
import { type Sign1, decodeSign1, encodeProtected, encodeSign1, sigStructure } from "../cose/cose-sign1.ts";
import { COSE_ALG_EDDSA, COSE_ALG_ES256, type Signer, verifyStrict } from "../cose/sig-alg.ts";
import { TapkitError } from "../errors/index.ts";
import { imageError } from "./image-error.ts";

export const KEY_BOARD = 1;
export const KEY_VERSION = 2;
export const KEY_HAL_ABI = 3;
export const KEY_SECURITY_COUNTER = 4;
export const KEY_MODULE_SIZE = 5;
export const KEY_MODULE_SHA256 = 6;

export const KID_BYTES = 8;
export const SIGNATURE_BYTES = 64;
const U32_MAX = 0xffff_ffff;
/** boards/board.schema.json's board-name rule; a name can never look like a path. */
export const BOARD_NAME_RULE = /^[a-z0-9][a-z0-9-]{1,31}$/;

export type FirmwareVersion = readonly [major: number, minor: number, patch: number];

export interface ManifestFields {
  board: string;
  version: FirmwareVersion;
  halAbi: number;
  securityCounter: number;
  moduleSize: number;
  moduleSha256: Uint8Array;
}

export const versionText = (v: FirmwareVersion): string => v.join(".");

const isU32 = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= U32_MAX;

/** The problems with a set of fields (empty when they can be signed and booted). */
function fieldProblems(f: ManifestFields): string[] {
  const p: string[] = [];
  if (typeof f.board !== "string" || !BOARD_NAME_RULE.test(f.board)) p.push(`board ${JSON.stringify(f.board)} is not a board name (2..32 of a-z 0-9 -)`);
  if (!Array.isArray(f.version) || f.version.length !== 3 || !f.version.every(isU32)) p.push("version must be [major, minor, patch], unsigned 32-bit integers");
  if (!isU32(f.halAbi) || f.halAbi === 0) p.push("HAL ABI version must be an unsigned 32-bit integer >= 1");
  if (!isU32(f.securityCounter)) p.push("security counter must be an unsigned 32-bit integer");
  if (!isU32(f.moduleSize) || f.moduleSize === 0) p.push("module size must be 1..2^32-1");
  if (!(f.moduleSha256 instanceof Uint8Array) || f.moduleSha256.length !== 32) p.push("module SHA-256 must be 32 bytes");
  return p;
}

/** The payload: map {1: board, 2: [maj, min, patch], 3: hal abi, 4: security counter, 5: size, 6: sha-256}. */
export function encodeManifestPayload(f: ManifestFields): Uint8Array {
  const problems = fieldProblems(f);
  if (problems.length)
    throw imageError("IMAGE_ARGUMENT", `cannot sign these manifest fields: ${problems.join("; ")}`, "see docs/image-format.md, Manifest payload");
  return encodeDet(
    new Map<number, unknown>([
      [KEY_BOARD, f.board],
      [KEY_VERSION, [...f.version]],
      [KEY_HAL_ABI, f.halAbi],
      [KEY_SECURITY_COUNTER, f.securityCounter],
      [KEY_MODULE_SIZE, f.moduleSize],
      [KEY_MODULE_SHA256, f.moduleSha256],
    ]),
  );
}

/** Strict decode of a payload whose signature has already been checked. */
export function decodeManifestPayload(payload: Uint8Array): ManifestFields {
  let m: unknown;
  try {
    m = decodeDet(payload, "the manifest payload");
  } catch (e) {
    throw fromWallet(e, "IMAGE_MANIFEST_FIELDS");
  }
  const bad = (why: string) =>
    imageError(
      "IMAGE_MANIFEST_FIELDS",
      `the manifest payload is signed but malformed: ${why}`,
      "the signing tool is broken or from another format; sign the module again with tapkit image sign",
    );
  if (!(m instanceof Map)) throw bad("not a map");
  const keys = [...m.keys()];
  const want = [KEY_BOARD, KEY_VERSION, KEY_HAL_ABI, KEY_SECURITY_COUNTER, KEY_MODULE_SIZE, KEY_MODULE_SHA256];
  if (keys.length !== want.length || !want.every((k) => m.has(k))) throw bad(`keys are ${JSON.stringify(keys)}, format 1 has exactly ${JSON.stringify(want)}`);
  const f: ManifestFields = {
    board: m.get(KEY_BOARD) as string,
    version: m.get(KEY_VERSION) as FirmwareVersion,
    halAbi: m.get(KEY_HAL_ABI) as number,
    securityCounter: m.get(KEY_SECURITY_COUNTER) as number,
    moduleSize: m.get(KEY_MODULE_SIZE) as number,
    moduleSha256: m.get(KEY_MODULE_SHA256) as Uint8Array,
  };
  const problems = fieldProblems(f);
  if (problems.length) throw bad(problems.join("; "));
  return f;
}

/** The bytes the manifest signature covers: Sig_structure with the image header as external_aad. */
function manifestToBeSigned(protectedBytes: Uint8Array, payload: Uint8Array, header: Uint8Array): Uint8Array {
  return sigStructure(protectedBytes, payload, header);
}

/** Length of the manifest for this signer and payload, known before signing (signatures are 64 bytes). */
export function manifestLength(signer: Pick<Signer, "alg" | "kid">, payload: Uint8Array): number {
  return encodeSign1(encodeProtected(signer.alg, signer.kid), payload, new Uint8Array(SIGNATURE_BYTES)).length;
}

/** COSE_Sign1 over the payload, bound to the header (whose manifest length must already be right). */
export function signManifest(signer: Signer, payload: Uint8Array, header: Uint8Array): Uint8Array {
  const prot = encodeProtected(signer.alg, signer.kid);
  return encodeSign1(prot, payload, signer.sign(manifestToBeSigned(prot, payload, header)));
}

/** The COSE_Sign1 structure (strict deterministic CBOR, {1: alg, 4: kid}); signature not checked. */
export function parseManifest(manifest: Uint8Array): Sign1 {
  let s: Sign1;
  try {
    s = decodeSign1(manifest, "the image manifest");
  } catch (e) {
    throw fromWallet(e, "IMAGE_MANIFEST_MALFORMED");
  }
  if (s.alg !== COSE_ALG_EDDSA && s.alg !== COSE_ALG_ES256) {
    throw imageError(
      "IMAGE_ALG",
      `the manifest is signed with COSE algorithm ${s.alg}; images use EdDSA (-8) or ES256 (-7)`,
      "sign with a key from tapkit image keygen --alg ed25519|p256",
    );
  }
  if (s.kid.length !== KID_BYTES)
    throw imageError("IMAGE_MANIFEST_MALFORMED", `the manifest's key id has ${s.kid.length} bytes, not ${KID_BYTES}`, "see docs/image-format.md, Key id");
  if (s.signature.length !== SIGNATURE_BYTES)
    throw imageError(
      "IMAGE_MANIFEST_MALFORMED",
      `the manifest signature has ${s.signature.length} bytes, not ${SIGNATURE_BYTES}`,
      "EdDSA and ES256 signatures are 64 bytes (ES256 as raw r||s, not DER)",
    );
  return s;
}

/** True only for the one canonical signature (Ed25519 RFC 8032 strict, ES256 low-S). */
export function manifestSignatureValid(s: Sign1, publicKey: Uint8Array, header: Uint8Array): boolean {
  return verifyStrict(s.alg, publicKey, manifestToBeSigned(s.protectedBytes, s.payload, header), s.signature);
}

/** The COSE codec's refusals, re-labelled for images (the reason text is kept). */
function fromWallet(e: unknown, code: "IMAGE_MANIFEST_MALFORMED" | "IMAGE_MANIFEST_FIELDS"): unknown {
  if (!(e instanceof TapkitError)) return e;
  return imageError(
    code,
    `${e.message} (${e.code})`,
    "the manifest is not a format-1 tapkit image manifest: the file was altered or made by another tool; sign the module again",
  );
}
