// The batch manifest of `tapkit provision` (docs/provisioning.md, Manifest): one JSON file per
// production batch naming the board, firmware, issuer keys, serial range, symmetric master
// keys (by id and file) and the profile templates. Checked against MANIFEST_SCHEMA (ajv) and
// then against the files it names, so a bad manifest is refused before any device is touched.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { Ajv } from "ajv";
import { parseHex } from "../bytes/hex.ts";
import { TapkitError } from "../errors/index.ts";
import { BOARDS_DIR } from "../paths.ts";
import { checkProfile, type MerchantProfile } from "../emv/mpm.ts";
import { readBatchImage, type BatchImage } from "./batch-image.ts";

export const MANIFEST_FORMAT = "tapkit-manifest/1";

const HEX16 = { type: "string", pattern: "^[0-9A-Fa-f]*$" } as const;
const KEY_REF = {
  type: "object",
  additionalProperties: false,
  required: ["id", "file"],
  properties: {
    id: { type: "string", minLength: 1, maxLength: 64, description: "key id kept in the records (never the key)" },
    file: { type: "string", minLength: 1, description: "file holding the 16-byte master key in hex" },
    diversify: { type: "boolean", description: "AN10922 per-UID diversification (default: false for sunMeta, true for sunFile)" },
  },
} as const;

export const MANIFEST_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "tapkit batch manifest",
  type: "object",
  additionalProperties: false,
  required: ["format", "board", "batch", "issuer", "serials", "keys", "tag"],
  properties: {
    format: { const: MANIFEST_FORMAT },
    board: { type: "string", pattern: "^[a-z0-9-]+$" },
    batch: { type: "string", minLength: 1, maxLength: 32, pattern: "^[A-Za-z0-9._-]+$" },
    firmware: {
      type: "object",
      additionalProperties: false,
      properties: {
        version: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+$", description: "the version the device must run (the image's, when /image is given)" },
        image: { type: "string", minLength: 1, description: "signed image (.tki) the device must run; flashed first when its active slot holds another" },
        sha256: { type: "string", pattern: "^[0-9A-Fa-f]{64}$", description: "pins the image file's SHA-256" },
        signer: { type: "string", minLength: 1, description: "public key the image is signed with; the trust anchor a device without one receives" },
      },
    },
    issuer: { type: "string", minLength: 1, description: "issuer directory (tapkit issuer init): root and batch keys, batch certificate" },
    root: { type: "string", minLength: 1, description: "pinned root public key file (hex) the chain is checked against (default: ISSUER/root.pub)" },
    serials: {
      type: "object",
      additionalProperties: false,
      required: ["first", "last"],
      properties: { first: { type: "integer", minimum: 1, maximum: 4294967295 }, last: { type: "integer", minimum: 1, maximum: 4294967295 } },
    },
    keys: {
      type: "object",
      additionalProperties: false,
      required: ["sunMeta", "sunFile"],
      properties: {
        sunMeta: KEY_REF,
        sunFile: KEY_REF,
        aid: { ...HEX16, maxLength: 6, description: "AN10922 application id (default 000000)" },
        system: { type: "string", maxLength: 18, description: "AN10922 system identifier, ASCII (default tapkit)" },
      },
    },
    tag: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      properties: { url: { type: "string", minLength: 8 }, counterLimit: { type: "integer", minimum: 1 } },
    },
    merchant: {
      type: "object",
      description: "the merchant profile (plaques), as `tapkit merchant set --profile` takes it; checked by the EMV rules too",
      required: ["name", "city", "country", "currency", "mcc", "accounts"],
      properties: {
        name: { type: "string", minLength: 1, maxLength: 25 },
        city: { type: "string", minLength: 1, maxLength: 15 },
        country: { type: "string", pattern: "^[A-Z]{2}$" },
        currency: { type: "string", pattern: "^[0-9]{3}$" },
        mcc: { type: "string", pattern: "^[0-9]{4}$" },
        postal: { type: "string", maxLength: 10 },
        accounts: { type: "array", minItems: 1, items: { type: "object" } },
      },
    },
    wallet: {
      type: "object",
      additionalProperties: false,
      required: ["currency", "balance", "pin", "limits"],
      properties: {
        currency: { type: "string", pattern: "^[A-Z]{3}$" },
        balance: { type: "integer", minimum: 0 },
        pin: { type: "string", pattern: "^[0-9]{4,8}$", description: "transport PIN the owner changes" },
        limits: {
          type: "object",
          additionalProperties: false,
          required: ["maxBalance", "perPayment", "cumulative", "maxCount"],
          properties: {
            maxBalance: { type: "integer", minimum: 0 },
            perPayment: { type: "integer", minimum: 1 },
            cumulative: { type: "integer", minimum: 0 },
            maxCount: { type: "integer", minimum: 1 },
          },
        },
      },
    },
  },
} as const;

export interface KeyRef {
  id: string;
  file: string;
  diversify?: boolean;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  board: string;
  batch: string;
  firmware?: { version?: string; image?: string; sha256?: string; signer?: string };
  issuer: string;
  root?: string;
  serials: { first: number; last: number };
  keys: { sunMeta: KeyRef; sunFile: KeyRef; aid?: string; system?: string };
  tag: { url: string; counterLimit?: number };
  merchant?: MerchantProfile;
  wallet?: { currency: string; balance: number; pin: string; limits: { maxBalance: number; perPayment: number; cumulative: number; maxCount: number } };
}

/** A manifest with its files resolved against the manifest's directory. */
export interface LoadedManifest extends Manifest {
  path: string;
  dir: string;
  /** the signed image /firmware names, checked against its signer and board */
  image?: BatchImage;
  resolve(file: string): string;
}

const HINT = "see docs/provisioning.md, Manifest (every field, with an example)";
let validate: ReturnType<Ajv["compile"]> | undefined;

function invalid(path: string, problems: string[]): TapkitError {
  return new TapkitError("MANIFEST_INVALID", `${path}: ${problems.join("; ")}`, HINT, { problems });
}

/** Reads, schema-checks and cross-checks a manifest; refuses with MANIFEST_INVALID and every problem. */
export function loadManifest(path: string): LoadedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code) throw new TapkitError("FILE_UNREADABLE", `cannot read manifest ${path}: ${err.message}`, "check the --manifest path");
    throw invalid(path, [`not JSON: ${err.message}`]);
  }
  return checkManifest(doc, path, dirname(path));
}

/** Schema and cross-checks of a manifest document whose relative files live in `dir`. */
export function checkManifest(doc: unknown, path: string, dir: string): LoadedManifest {
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(MANIFEST_SCHEMA);
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map((e) => {
      const at = e.instancePath || "(top level)";
      const extra = e.keyword === "additionalProperties" ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : "";
      return `${at} ${e.message}${extra}`;
    });
    throw invalid(path, problems);
  }
  const m = doc as Manifest;
  const resolve = (file: string) => (isAbsolute(file) ? file : join(dir, file));
  const problems: string[] = [];
  if (m.serials.last < m.serials.first) problems.push(`/serials: last (${m.serials.last}) is below first (${m.serials.first})`);
  if (!existsSync(join(BOARDS_DIR, `${m.board}.json`))) problems.push(`/board: unknown board '${m.board}' (boards/ has no ${m.board}.json)`);
  if (m.merchant && m.wallet) problems.push("give /merchant (plaques) or /wallet (cards), not both");
  if (m.merchant) {
    try {
      checkProfile(m.merchant);
    } catch (e) {
      problems.push(`/merchant: ${(e as Error).message}`);
    }
  }
  for (const which of ["sunMeta", "sunFile"] as const) {
    const f = resolve(m.keys[which].file);
    if (!existsSync(f)) problems.push(`/keys/${which}/file: ${f} does not exist`);
  }
  if (!existsSync(join(resolve(m.issuer), "batch.key.json"))) problems.push(`/issuer: ${resolve(m.issuer)} holds no batch.key.json (tapkit issuer init DIR)`);
  const { image, problems: imageProblems } = readBatchImage(m, resolve);
  problems.push(...imageProblems);
  if (problems.length) {
    if (problems.length === 1 && problems[0].startsWith("/board: unknown"))
      throw new TapkitError("BOARD_NOT_FOUND", `${path}: ${problems[0]}`, "use one of the boards in boards/ (`tapkit boards` lists them)", { problems });
    throw invalid(path, problems);
  }
  return { ...m, path, dir, resolve, image };
}

/** A 16-byte master key from its file (hex, whitespace ignored). */
export function readMasterKey(manifest: LoadedManifest, ref: KeyRef): Uint8Array {
  const file = manifest.resolve(ref.file);
  let key: Uint8Array;
  try {
    key = parseHex(readFileSync(file, "utf8").replace(/\s+/g, ""));
  } catch (e) {
    throw new TapkitError("KEY_FILE", `key '${ref.id}' (${file}): ${(e as Error).message}`, "a key file holds 32 hex digits (16 bytes)");
  }
  if (key.length !== 16)
    throw new TapkitError("KEY_FILE", `key '${ref.id}' (${file}) is ${key.length} bytes, not 16`, "a key file holds 32 hex digits (16 bytes)");
  return key;
}
