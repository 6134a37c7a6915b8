// Issuer key material on the host: the root and batch keys live in an issuer directory as
// JSON (secret in hex, mode 0600) and certify card keys read from the card. Production
// issuers keep these in an HSM; this is the lab/bench flow.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseHex, toHex } from "../bytes/hex.ts";
import { issueCertificate, ROLE_BATCH, ROLE_DEVICE, type Envelope } from "./certificate.ts";
import { COSE_ALG_EDDSA, COSE_ALG_ES256, type CoseAlg, newSecret, signerFromSecret, type Signer } from "../cose/sig-alg.ts";
import { TapkitError } from "../errors/index.ts";

const FORMAT = "tapkit-issuer-key/1";

export interface IssuerFiles {
  root: Signer;
  batch: Signer;
  batchCert: Uint8Array;
}

function writeKey(path: string, alg: CoseAlg, secret: Uint8Array, role: string): void {
  writeFileSync(path, JSON.stringify({ format: FORMAT, role, alg, secret: toHex(secret) }, null, 2) + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readKey(path: string): Signer {
  let j: { format?: string; alg?: number; secret?: string };
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new TapkitError(
      "ISSUER_MISSING",
      `cannot read issuer key ${path}: ${(e as Error).message}`,
      "create the issuer directory with `tapkit issuer init DIR`",
    );
  }
  if (j.format !== FORMAT || (j.alg !== COSE_ALG_EDDSA && j.alg !== COSE_ALG_ES256) || typeof j.secret !== "string") {
    throw new TapkitError("ISSUER_FORMAT", `${path} is not a ${FORMAT} file`, "recreate it with `tapkit issuer init`");
  }
  return signerFromSecret(j.alg, parseHex(j.secret));
}

/** Creates root and batch keys and the batch certificate; refuses to overwrite. */
export function issuerInit(dir: string, alg: CoseAlg = COSE_ALG_EDDSA, secrets?: { root: Uint8Array; batch: Uint8Array }): IssuerFiles {
  if (existsSync(join(dir, "root.key.json")))
    throw new TapkitError("ISSUER_EXISTS", `${dir} already holds an issuer root`, "pick another directory; never overwrite a root that certified cards");
  mkdirSync(dir, { recursive: true });
  const rootSecret = secrets?.root ?? newSecret(alg);
  const batchSecret = secrets?.batch ?? newSecret(alg);
  writeKey(join(dir, "root.key.json"), alg, rootSecret, "root");
  writeKey(join(dir, "batch.key.json"), alg, batchSecret, "batch");
  const root = signerFromSecret(alg, rootSecret);
  const batch = signerFromSecret(alg, batchSecret);
  const batchCert = issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey, label: "batch-1" });
  writeFileSync(join(dir, "batch.cert.cbor"), batchCert);
  writeFileSync(join(dir, "root.pub"), toHex(root.publicKey) + "\n");
  return { root, batch, batchCert };
}

export function loadIssuer(dir: string): IssuerFiles {
  const root = readKey(join(dir, "root.key.json"));
  const batch = readKey(join(dir, "batch.key.json"));
  return { root, batch, batchCert: new Uint8Array(readFileSync(join(dir, "batch.cert.cbor"))) };
}

/** The device certificate for a card's public key under the issuer's batch key. */
export function certifyDevice(issuer: IssuerFiles, devicePublicKey: Uint8Array, currency: string, limits: Envelope, label?: string): Uint8Array[] {
  const device = issueCertificate(issuer.batch, { role: ROLE_DEVICE, publicKey: devicePublicKey, currency, limits, label });
  return [issuer.batchCert, device];
}

/** Reads a root public key given as hex, or as a file holding hex (e.g. root.pub). */
export function readRootKey(spec: string): Uint8Array {
  const text = existsSync(spec) ? readFileSync(spec, "utf8").trim() : spec;
  try {
    return parseHex(text);
  } catch (e) {
    throw new TapkitError(
      "ROOT_KEY",
      `--root is neither a file nor hex: ${(e as Error).message}`,
      "pass the root public key in hex or the root.pub file `tapkit issuer init` wrote",
    );
  }
}
