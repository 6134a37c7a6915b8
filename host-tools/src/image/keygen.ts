// `tapkit image keygen` as a library: a new signing key pair as two files, the private key
// created exclusively (0600, no links followed) and its public key (0644) beside it. Both
// paths are checked before either is written, so a refusal leaves nothing behind.
import { toHexLower as hex } from "../bytes/hex.ts";
import { unlinkSync } from "node:fs";
import { resolve } from "node:path";
import { algName } from "../cose/sig-alg.ts";
import { imageError } from "./image-error.ts";
import { checkWritable, writeNewFile } from "./key-file-write.ts";
import { type KeyAlgName, generateSigningKey, privateKeyPem, publicKeyPem } from "./signing-key.ts";

export interface KeygenResult {
  alg: KeyAlgName;
  coseAlg: number;
  algName: string;
  kid: string;
  publicKey: string;
  keyFile: string;
  publicKeyFile: string;
}

/** signing.pem -> signing.pub.pem; anything else gets .pub.pem appended. */
function defaultPublicKeyPath(keyFile: string): string {
  return keyFile.endsWith(".pem") ? `${keyFile.slice(0, -4)}.pub.pem` : `${keyFile}.pub.pem`;
}

export function keygen(keyFile: string, opts: { alg?: KeyAlgName; publicKeyFile?: string; force?: boolean } = {}): KeygenResult {
  const alg = opts.alg ?? "ed25519";
  const publicKeyFile = opts.publicKeyFile ?? defaultPublicKeyPath(keyFile);
  if (resolve(publicKeyFile) === resolve(keyFile))
    throw imageError("IMAGE_ARGUMENT", "the public key file cannot be the private key file", "leave --pub out (KEYFILE.pub.pem) or give another path");
  checkWritable(keyFile, opts.force);
  checkWritable(publicKeyFile, opts.force);
  const { signer, secret } = generateSigningKey(alg);
  writeNewFile(keyFile, privateKeyPem(signer, secret), { mode: 0o600, force: opts.force });
  try {
    writeNewFile(publicKeyFile, publicKeyPem(signer.alg, signer.publicKey), { mode: 0o644, force: opts.force });
  } catch (e) {
    unlinkSync(keyFile); // never leave a private key whose public half was not written
    throw e;
  }
  secret.fill(0);
  return { alg, coseAlg: signer.alg, algName: algName(signer.alg), kid: hex(signer.kid), publicKey: hex(signer.publicKey), keyFile, publicKeyFile };
}
