// `tapkit setup plaque` for a technician: the manifest is made from sane defaults instead of a
// batch file. The kit directory is an issuer directory (`tapkit issuer init`) with the two SUN
// master keys beside it (sun-meta.key, sun-file.key: 32 hex digits each) and, optionally,
// kit.json with {batch, serials, url} to override the defaults below.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TapkitError } from "../errors/index.ts";
import type { MerchantProfile } from "../emv/mpm.ts";
import { checkManifest, MANIFEST_FORMAT, type LoadedManifest, type Manifest } from "./manifest.ts";

export const FIELD_DEFAULTS = {
  batch: "field",
  serials: { first: 1, last: 999_999 },
  url: "https://tap.example.com/t?p={picc}&c={mac}",
};

export function fieldManifest(kitDir: string, board: string, merchantFile: string, url?: string): LoadedManifest {
  let merchant: MerchantProfile;
  try {
    merchant = JSON.parse(readFileSync(merchantFile, "utf8"));
  } catch (e) {
    throw new TapkitError(
      "FILE_UNREADABLE",
      `cannot read merchant profile ${merchantFile}: ${(e as Error).message}`,
      "a JSON file: name, city, country, currency, mcc, accounts",
    );
  }
  const kitFile = join(kitDir, "kit.json");
  const kit: Partial<typeof FIELD_DEFAULTS> = existsSync(kitFile) ? JSON.parse(readFileSync(kitFile, "utf8")) : {};
  const doc: Manifest = {
    format: MANIFEST_FORMAT,
    board,
    batch: kit.batch ?? FIELD_DEFAULTS.batch,
    issuer: ".",
    serials: kit.serials ?? FIELD_DEFAULTS.serials,
    keys: { sunMeta: { id: "sun-meta", file: "sun-meta.key" }, sunFile: { id: "sun-file", file: "sun-file.key" } },
    tag: { url: url ?? kit.url ?? FIELD_DEFAULTS.url },
    merchant,
  };
  return checkManifest(doc, `${kitDir} (field kit) with ${merchantFile}`, kitDir);
}
