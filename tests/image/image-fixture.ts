// Test support for .tki images: the real built modules, fixed-seed signing keys written as
// key files, and an image assembler written from docs/image-format.md with outside tools
// only (DataView + zlib.crc32 for the header, cbor-x for CBOR, @noble for signatures), so
// the tests can craft images that break exactly one rule and compare tapkit's output with
// what the document says the bytes must be.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { Encoder, Tag } from "cbor-x";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { buildFirmware } from "../../host-tools/src/build/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { privateKeyPem, publicKeyPem } from "../../host-tools/src/image/index.ts";
import { COSE_ALG_EDDSA, COSE_ALG_ES256, type CoseAlg, type Signer, signerFromSecret } from "../../host-tools/src/cose/sig-alg.ts";

export { COSE_ALG_EDDSA, COSE_ALG_ES256, type CoseAlg };
export const ALGS = [COSE_ALG_EDDSA, COSE_ALG_ES256] as const;
export const algLabel = (alg: CoseAlg): string => (alg === COSE_ALG_EDDSA ? "Ed25519" : "P-256");

/** cbor-x with Maps kept as Maps and byte strings untagged: an encoder that is not ours. */
export const cborx = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

export async function builtModule(board: string): Promise<Uint8Array> {
  if (!existsSync(firmwarePath(board))) await buildFirmware(loadBoard(board), { quiet: true });
  return new Uint8Array(readFileSync(firmwarePath(board)));
}

export function tempDir(t: { onTestFinished(fn: () => void): void }, prefix = "tapkit-image-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestKey {
  signer: Signer;
  keyFile: string;
  pubFile: string;
}

/** A fixed-seed key pair written as PEM files (as keygen writes them) into `dir`. */
export function testKey(dir: string, alg: CoseAlg, seedByte = 0x21, name = `key-${alg}-${seedByte}`): TestKey {
  const secret = new Uint8Array(32).fill(seedByte);
  const signer = signerFromSecret(alg, secret);
  const keyFile = join(dir, `${name}.pem`);
  const pubFile = join(dir, `${name}.pub.pem`);
  writeFileSync(keyFile, privateKeyPem(signer, secret), { mode: 0o600 });
  writeFileSync(pubFile, publicKeyPem(alg, signer.publicKey));
  return { signer, keyFile, pubFile };
}

/** Header per docs/image-format.md, built with DataView and zlib's CRC-32. */
export function docHeader(manifestLen: number, moduleLen: number, tweak: (v: DataView) => void = () => {}, fixCrc = true): Uint8Array {
  const h = new Uint8Array(32);
  const v = new DataView(h.buffer);
  const moduleOff = Math.ceil((32 + manifestLen) / 16) * 16;
  h.set([0x89, 0x54, 0x4b, 0x49]);
  v.setUint16(4, 1, true);
  v.setUint16(6, 32, true);
  v.setUint32(8, manifestLen, true);
  v.setUint32(12, moduleOff, true);
  v.setUint32(16, moduleLen, true);
  v.setUint32(20, moduleOff + moduleLen, true);
  v.setUint32(24, 0, true);
  tweak(v);
  if (fixCrc) v.setUint32(28, crc32(h.subarray(0, 28)), true);
  return h;
}

export function sigStructure(prot: Uint8Array, aad: Uint8Array, payload: Uint8Array): Uint8Array {
  return new Uint8Array(cborx.encode(["Signature1", prot, aad, payload]));
}

/** Signs like COSE says, with @noble directly (ES256: SHA-256 prehash, low-S, raw r||s). */
export function nobleSign(alg: CoseAlg, secretByte: number, msg: Uint8Array): Uint8Array {
  const secret = new Uint8Array(32).fill(secretByte);
  return alg === COSE_ALG_EDDSA ? ed25519.sign(msg, secret) : p256.sign(msg, secret, { prehash: true, lowS: true, format: "compact" });
}

export interface CraftOptions {
  alg?: number;
  kid?: Uint8Array;
  /** payload map entries; defaults are a valid manifest for `module` on sim-plaque */
  fields?: Map<number, unknown>;
  /** sign with this key seed (default 0x21, the trusted test key) and this COSE alg */
  signSeed?: number;
  signAlg?: CoseAlg;
  /** change the signature after signing */
  tamperSignature?: (sig: Uint8Array) => Uint8Array;
}

export function defaultFields(module: Uint8Array, over: Record<number, unknown> = {}): Map<number, unknown> {
  const m = new Map<number, unknown>([
    [1, "sim-plaque"],
    [2, [1, 2, 3]],
    [3, 1],
    [4, 5],
    [5, module.length],
    [6, sha256(module)],
  ]);
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) m.delete(Number(k));
    else m.set(Number(k), v);
  }
  return m;
}

/** A whole image assembled from the document with outside encoders; every rule can be broken on purpose. */
export function craftImage(module: Uint8Array, o: CraftOptions = {}): Uint8Array {
  const signAlg = o.signAlg ?? COSE_ALG_EDDSA;
  const seed = o.signSeed ?? 0x21;
  const signer = signerFromSecret(signAlg, new Uint8Array(32).fill(seed));
  const prot = new Uint8Array(
    cborx.encode(
      new Map<number, unknown>([
        [1, o.alg ?? signAlg],
        [4, o.kid ?? signer.kid],
      ]),
    ),
  );
  const payload = new Uint8Array(cborx.encode(o.fields ?? defaultFields(module)));
  const manifestOf = (sig: Uint8Array) => new Uint8Array(cborx.encode(new Tag([prot, new Map(), payload, sig], 18)));
  const manifestLen = manifestOf(new Uint8Array(64)).length;
  const header = docHeader(manifestLen, module.length);
  let sig = nobleSign(signAlg, seed, sigStructure(prot, header, payload));
  if (o.tamperSignature) sig = o.tamperSignature(sig);
  const manifest = manifestOf(sig);
  // a tampered signature of another length: a header that fits it (the signature fails anyway)
  return joinDoc(manifest.length === manifestLen ? header : docHeader(manifest.length, module.length), manifest, module);
}

export function joinDoc(header: Uint8Array, manifest: Uint8Array, module: Uint8Array): Uint8Array {
  const off = Math.ceil((32 + manifest.length) / 16) * 16;
  const out = new Uint8Array(off + module.length);
  out.set(header);
  out.set(manifest, 32);
  out.set(module, off);
  return out;
}

/** The parts of an image, read by the document's offsets (not by tapkit's parser). */
export function docParts(image: Uint8Array) {
  const v = new DataView(image.buffer, image.byteOffset, 32);
  const manifestLen = v.getUint32(8, true);
  const moduleOff = v.getUint32(12, true);
  const moduleLen = v.getUint32(16, true);
  return {
    header: image.subarray(0, 32),
    manifest: image.subarray(32, 32 + manifestLen),
    padding: image.subarray(32 + manifestLen, moduleOff),
    module: image.subarray(moduleOff, moduleOff + moduleLen),
    manifestLen,
    moduleOff,
    moduleLen,
  };
}

export function haveOpenssl(): boolean {
  const ok = spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
  if (!ok) process.stderr.write("\n*** openssl is missing: the openssl oracle checks are SKIPPED (apt-get install openssl) ***\n\n");
  return ok;
}

export function openssl(args: string[], input?: Uint8Array): string {
  return execFileSync("openssl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

export function opensslBytes(args: string[]): Uint8Array {
  return new Uint8Array(execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] }));
}

/** True when openssl pkeyutl accepts the signature over `msg` (the Sig_structure bytes) under the SPKI PEM key. */
export function opensslVerifies(dir: string, alg: CoseAlg, pubPem: string, msg: Uint8Array, rawSig: Uint8Array): boolean {
  const msgFile = join(dir, "tbs.bin");
  const sigFile = join(dir, "sig.bin");
  writeFileSync(msgFile, msg);
  // COSE carries ES256 as raw r||s; openssl wants DER
  writeFileSync(sigFile, alg === COSE_ALG_EDDSA ? rawSig : p256.Signature.fromBytes(rawSig, "compact").toBytes("der"));
  const args = [
    "pkeyutl",
    "-verify",
    "-pubin",
    "-inkey",
    pubPem,
    "-rawin",
    "-in",
    msgFile,
    "-sigfile",
    sigFile,
    ...(alg === COSE_ALG_ES256 ? ["-digest", "sha256"] : []),
  ];
  return spawnSync("openssl", args, { stdio: "ignore" }).status === 0;
}
