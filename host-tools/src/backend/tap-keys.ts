// The tap backend's keys: the `tapkit verify tap` keys file format, plus per entry
//   "masterFileKey": AES-128 master the tags' SDM file-read keys are diversified from
//     (NXP AN10922 with M = UID || aid || system, as `tapkit provision` writes them),
//   "aid" (3 bytes hex, default 000000), "system" (ASCII, default "tapkit"),
//   "merchant" (shown in the verdict), "redirect" (where a phone goes after a valid tap;
//     {tag}, {uid}, {counter} are filled in).
// Loaded from a file only its owner can read (anything readable by group or others is
// refused: it holds master keys), or from $TAPKIT_TAP_KEYS (the JSON itself) for containers.
import { readFileSync, statSync } from "node:fs";
import { TapkitError } from "../errors/index.ts";
import { diversifyAes128 } from "../provision/an10922.ts";
import type { TagKeys } from "../verify/index.ts";

export interface BackendTagKeys extends TagKeys {
  masterFileKey?: string;
  aid?: string;
  system?: string;
  merchant?: string;
  redirect?: string;
}

export const KEYS_ENV = "TAPKIT_TAP_KEYS";

function parseKeys(text: string, where: string): BackendTagKeys[] {
  let parsed: { tags?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new TapkitError("BAD_KEYS_FILE", `${where} is not JSON: ${(e as Error).message}`, 'a JSON object {"tags": [{"name", "template", "mode", keys}]}');
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(parsed.tags))
    throw new TapkitError("BAD_KEYS_FILE", `${where} has no "tags" array`, 'a JSON object {"tags": [...]}');
  for (const [i, t] of parsed.tags.entries()) {
    const e = t as BackendTagKeys;
    if (typeof e !== "object" || e === null || typeof e.name !== "string" || e.name.includes(":"))
      throw new TapkitError("BAD_KEYS_FILE", `${where}: tags[${i}] needs a "name" (without ':')`, '{"name": "plaque-1", "template": ..., "mode": ...}');
    if (e.masterFileKey !== undefined && !/^[0-9a-fA-F]{32}$/.test(e.masterFileKey))
      throw new TapkitError("BAD_KEYS_FILE", `${where}: tag ${e.name}: masterFileKey must be 32 hex`, "the batch's SUN file master key");
    if (e.aid !== undefined && !/^[0-9a-fA-F]{6}$/.test(e.aid))
      throw new TapkitError("BAD_KEYS_FILE", `${where}: tag ${e.name}: aid must be 6 hex`, "the manifest's keys.aid");
  }
  return parsed.tags as BackendTagKeys[];
}

/** The keys from `path` (owner-only) or, with no path, from $TAPKIT_TAP_KEYS. */
export function loadBackendKeys(path: string | undefined, env: NodeJS.ProcessEnv = process.env): BackendTagKeys[] {
  if (path === undefined) {
    const text = env[KEYS_ENV];
    if (!text)
      throw new TapkitError(
        "USAGE",
        "no keys: give --keys FILE or set $TAPKIT_TAP_KEYS",
        `e.g. --keys tap-keys.json (chmod 600), or ${KEYS_ENV}='{"tags": [...]}'`,
      );
    return parseKeys(text, `$${KEYS_ENV}`);
  }
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    throw new TapkitError("FILE_UNREADABLE", `cannot read keys file ${path}: ${(e as Error).message}`, "check the path");
  }
  if ((mode & 0o077) !== 0) {
    throw new TapkitError(
      "KEY_FILE_PERMISSIONS",
      `keys file ${path} can be read by others (mode ${mode.toString(8)})`,
      `chmod 600 ${path}: it holds the tags' master keys`,
      { path, mode },
    );
  }
  return parseKeys(readFileSync(path, "utf8"), path);
}

/** AN10922 input M = UID || aid || system, as provisioning builds it. */
export function diversificationInput(entry: BackendTagKeys, uid: Uint8Array): Uint8Array {
  return Uint8Array.from([...uid, ...Buffer.from(entry.aid ?? "000000", "hex"), ...Buffer.from(entry.system ?? "tapkit", "ascii")]);
}

/** The tag's own file key: diversified when the entry has a master, else the entry's fileKey (undefined). */
export function tagFileKey(entry: BackendTagKeys, uid: Uint8Array): Uint8Array | undefined {
  if (entry.masterFileKey === undefined) return undefined;
  return diversifyAes128(Uint8Array.from(Buffer.from(entry.masterFileKey, "hex")), diversificationInput(entry, uid));
}
