// Issuer key material on the host: the root and batch keys live in an issuer directory as
// JSON (secret in hex, mode 0600) and certify card keys read from the card. Production
// issuers keep these in an HSM; this is the lab/bench flow. The directory is built under a
// temporary name and renamed whole, so it exists complete or not at all, and every file in
// it is created exclusively (a planted symlink or file is never written through).
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import { createSecretFile, syncDirectory } from "../files/durable-write.ts";
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
  createSecretFile(path, new TextEncoder().encode(JSON.stringify({ format: FORMAT, role, alg, secret: toHex(secret) }, null, 2) + "\n"));
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

/** Refuses a path `issuer init` must not build at: empty, existing (file, folder or link), or without a parent folder. */
function checkIssuerPath(dir: string): void {
  if (dir.trim() === "" || basename(resolve(dir)) === "")
    throw new TapkitError("ISSUER_PATH", `'${dir}' is not a directory name`, "name the new issuer directory, e.g. tapkit issuer init lab-issuer");
  let existing;
  try {
    existing = lstatSync(dir);
  } catch {
    existing = null;
  }
  if (existing) {
    if (existing.isDirectory() && existsSync(join(dir, "root.key.json")))
      throw new TapkitError("ISSUER_EXISTS", `${dir} already holds an issuer root`, "pick another directory; never overwrite a root that certified cards");
    const kind = existing.isSymbolicLink() ? "a symbolic link" : existing.isDirectory() ? "an existing directory" : "an existing file";
    throw new TapkitError("ISSUER_EXISTS", `${dir} is ${kind}; issuer init creates a new directory`, "pick a name that does not exist yet", { path: dir });
  }
  const parent = dirname(resolve(dir));
  let parentIsDir = false;
  try {
    parentIsDir = statSync(parent).isDirectory();
  } catch {
    // reported below
  }
  if (!parentIsDir) throw new TapkitError("OUT_DIR_MISSING", `${parent} is not an existing folder`, `create it first (mkdir -p ${parent})`, { path: dir });
}

/**
 * Creates root and batch keys and the batch certificate in a new directory `dir`: built as
 * .NAME.RANDOM.tmp beside it (mode 0700, key files 0600, all created exclusively and
 * fsynced), then renamed whole. Any failure removes the temporary directory; refuses an
 * existing path.
 */
export function issuerInit(dir: string, alg: CoseAlg = COSE_ALG_EDDSA, secrets?: { root: Uint8Array; batch: Uint8Array }): IssuerFiles {
  checkIssuerPath(dir);
  const rootSecret = secrets?.root ?? newSecret(alg);
  const batchSecret = secrets?.batch ?? newSecret(alg);
  const root = signerFromSecret(alg, rootSecret);
  const batch = signerFromSecret(alg, batchSecret);
  const batchCert = issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey, label: "batch-1" });
  const parent = dirname(resolve(dir));
  const tmp = join(parent, `.${basename(resolve(dir))}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    mkdirSync(tmp, { mode: 0o700 });
    writeKey(join(tmp, "root.key.json"), alg, rootSecret, "root");
    writeKey(join(tmp, "batch.key.json"), alg, batchSecret, "batch");
    createSecretFile(join(tmp, "batch.cert.cbor"), batchCert);
    createSecretFile(join(tmp, "root.pub"), new TextEncoder().encode(toHex(root.publicKey) + "\n"));
    syncDirectory(tmp);
    // rename() would replace an empty directory made meanwhile: check once more right before.
    if (lstatSafe(dir)) throw new TapkitError("ISSUER_EXISTS", `${dir} appeared while the issuer was being created`, "pick another name");
    renameSync(tmp, dir);
    syncDirectory(parent);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof TapkitError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new TapkitError(
      "FILE_WRITE",
      `cannot create issuer directory ${dir}: ${code}`,
      code === "ENOSPC"
        ? "the disk is full: free space and run it again (nothing was left behind)"
        : "check the folder's permissions (nothing was left behind)",
      { path: dir, osCode: code },
      { cause: e },
    );
  }
  return { root, batch, batchCert };
}

function lstatSafe(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
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
  let text = spec;
  if (existsSync(spec)) {
    try {
      text = readFileSync(spec, "utf8").trim();
    } catch (e) {
      throw new TapkitError(
        "FILE_UNREADABLE",
        `--root ${spec}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        "pass the root.pub file `tapkit issuer init` wrote (not its folder), or the key in hex",
        { path: spec },
      );
    }
  }
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
