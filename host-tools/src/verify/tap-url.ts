// Verifies a tap URL against a keys file and the replay store: finds the tag whose template
// (or URL and parameters) the URL has exactly (tap-shape.ts: nothing the MAC or signature does
// not cover may differ), checks the SUN MAC (trying counter epochs up to one past the last
// seen) or the signature, then accepts the counter only if strictly above the last accepted
// one, atomically (replay-store.ts).
// Keys file (JSON): { "tags": [ { "name", "template" | "url", "mode": "sun" | "sun-plain" |
//   "signed", "metaKey", "fileKey", "counterLimit"?, "params"? } | { ..., "publicKey", "alg" } ] }
import { readFileSync } from "node:fs";
import { TapkitError } from "../errors/index.ts";
import { decryptPiccData, epochKey, verifySun, type SunResult } from "./sun.ts";
import { checkSignature, type SignedAlg } from "./signed.ts";
import type { ReplayStore } from "./replay-store.ts";
import { shapeFromTemplate, shapeFromUrl, type Placeholder, type TapMatch, type TapShape } from "./tap-shape.ts";

export interface TagKeys {
  name: string;
  /** the URL template given to `tapkit ndef build --tap`, placeholders included (preferred) */
  template?: string;
  /** older form: scheme, host and path exactly; the query then holds exactly the mode's `params` */
  url?: string;
  mode: "sun" | "sun-plain" | "signed";
  metaKey?: string;
  fileKey?: string;
  publicKey?: string;
  alg?: SignedAlg;
  counterLimit?: number;
  /** query parameter names (defaults: picc p, mac c, enc e, uid u, ctr n, sig s) */
  params?: Partial<Record<"picc" | "mac" | "enc" | "uid" | "ctr" | "sig", string>>;
}

export interface TapVerdict {
  tag: string;
  mode: TagKeys["mode"];
  uid?: string;
  counter: number;
  epoch: number;
  /** epoch * counterLimit + counter: what the replay store orders by */
  sequence: number;
  fileData?: string;
  merchant?: string | null;
  time?: number | null;
  amount?: string | null;
}

export function loadKeysFile(path: string): TagKeys[] {
  let parsed: { tags?: unknown } | null;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new TapkitError(
      "BAD_KEYS_FILE",
      `cannot read keys file ${path}: ${(e as Error).message}`,
      'a JSON file {"tags": [{"name", "template", "mode", "metaKey", "fileKey"}]}',
    );
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(parsed.tags))
    throw new TapkitError("BAD_KEYS_FILE", `${path} has no "tags" array`, 'a JSON file {"tags": [...]}');
  for (const [i, t] of parsed.tags.entries()) {
    if (typeof t !== "object" || t === null || typeof (t as TagKeys).name !== "string")
      throw new TapkitError("BAD_KEYS_FILE", `${path}: tags[${i}] is not an object with a "name"`, '{"name", "template", "mode", keys}');
  }
  return parsed.tags as TagKeys[];
}

const key16 = (hex: string | undefined, what: string, tag: string) => {
  if (!hex || !/^[0-9a-fA-F]{32}$/.test(hex)) throw new TapkitError("BAD_KEYS_FILE", `tag ${tag}: ${what} must be 32 hex characters`, "AES-128 keys as hex");
  return Uint8Array.from(Buffer.from(hex, "hex"));
};

const DEFAULT_PARAMS: Record<Placeholder, string> = { picc: "p", mac: "c", enc: "e", uid: "u", ctr: "n", sig: "s", time: "t" };

// An entry's shape is built once (the tap backend checks every request against every entry);
// keyed by the entry object, so an edited keys list gets new shapes.
const shapes = new WeakMap<TagKeys, TapShape>();

function shapeOf(entry: TagKeys): TapShape {
  let shape = shapes.get(entry);
  if (!shape) {
    shape = buildShape(entry);
    shapes.set(entry, shape);
  }
  return shape;
}

function buildShape(entry: TagKeys): TapShape {
  if (entry.mode !== "sun" && entry.mode !== "sun-plain" && entry.mode !== "signed") {
    throw new TapkitError("BAD_KEYS_FILE", `tag ${entry.name}: mode must be sun, sun-plain or signed`, "the mode the tag was built with");
  }
  if (typeof entry.template === "string") return shapeFromTemplate(entry.template, entry.mode, entry.name);
  if (typeof entry.url === "string")
    return shapeFromUrl(entry.url, entry.mode, { ...DEFAULT_PARAMS, ...entry.params } as Record<Placeholder, string>, entry.name);
  throw new TapkitError("BAD_KEYS_FILE", `tag ${entry.name}: give "template" (or "url")`, 'e.g. "template": "https://pay.example.com/t?p={picc}&c={mac}"');
}

/** The entry whose shape the URL has exactly; BAD_URL for a near miss of one, UNKNOWN_TAG otherwise. */
function findTag(url: string, keys: TagKeys[]): { entry: TagKeys; match: TapMatch } {
  const candidates = keys.map((entry) => ({ entry, shape: shapeOf(entry) }));
  const exact = candidates
    .map((s) => ({ ...s, match: s.shape.match(url) }))
    .filter((s) => s.match)
    .sort((a, b) => b.shape.literalLength - a.shape.literalLength);
  if (exact.length > 0) return { entry: exact[0].entry, match: exact[0].match! };
  const near = candidates.filter((s) => url.startsWith(s.shape.base)).sort((a, b) => b.shape.base.length - a.shape.base.length)[0];
  if (near) {
    throw new TapkitError(
      "BAD_URL",
      `the URL is not one tag ${near.entry.name} serves (${near.shape.describe}): ${near.shape.explain(url)}`,
      "the MAC or signature does not cover this part: a changed or extended tap URL; pass the URL exactly as the tag served it",
    );
  }
  throw new TapkitError("UNKNOWN_TAG", `no tag in the keys file serves ${url.split("?")[0]}`, "add the tag's template and keys to the keys file");
}

/** What checkTapUrl needs from the replay state and key store that it does not own. */
export interface TapCheckHooks {
  /** the highest epoch accepted so far for any tag of this keys entry (epochs above it + 1 are not tried) */
  maxEpoch(entryName: string): number;
  /**
   * The tag's own SDM file-read key for this UID (before epoch derivation): per-tag keys
   * diversified from a master key. Absent (or undefined returned): the entry's fileKey.
   */
  fileKeyFor?(entry: TagKeys, uid: Uint8Array): Uint8Array | undefined;
}

/**
 * Checks a tap URL's MAC or signature (nothing else): the verdict and the id its counter is
 * kept under. The caller accepts the counter in its replay store (file or database).
 */
export function checkTapUrl(url: string, keys: TagKeys[], hooks: TapCheckHooks): { verdict: TapVerdict; replayId: string } {
  const { entry, match } = findTag(url, keys);
  const v = match.values;
  const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));
  let verdict: TapVerdict;
  let replayId: string;
  if (entry.mode === "signed") {
    if (!entry.publicKey || !/^([0-9a-fA-F]{2})+$/.test(entry.publicKey))
      throw new TapkitError("BAD_KEYS_FILE", `tag ${entry.name}: signed mode needs publicKey`, "the tag's public key as hex");
    const sigStart = match.starts.sig!;
    const signedText = url.slice(url.indexOf("?") + 1, sigStart);
    checkSignature(signedText, v.sig!, hex(entry.publicKey), entry.alg ?? "ed25519");
    // Counter and time come from their placeholders; merchant and amount from the usual names.
    const q = new URLSearchParams(signedText);
    const counter = parseInt(v.ctr!, 16);
    verdict = {
      tag: entry.name,
      mode: "signed",
      counter,
      epoch: 0,
      sequence: counter,
      merchant: q.get("m"),
      time: v.time !== undefined ? parseInt(v.time, 16) : null,
      amount: q.get("a"),
    };
    replayId = `${entry.name}:${entry.publicKey.toLowerCase()}`;
  } else {
    const limit = entry.counterLimit ?? 0x1000000;
    if (!Number.isSafeInteger(limit) || limit < 2 || limit > 0x1000000)
      throw new TapkitError(
        "BAD_KEYS_FILE",
        `tag ${entry.name}: counterLimit must be 2..16777216`,
        "the --counter-limit the tag was built with (default 16777216)",
      );
    const meta = entry.mode === "sun" ? key16(entry.metaKey, "metaKey", entry.name) : null;
    const entryFile = hooks.fileKeyFor ? null : key16(entry.fileKey, "fileKey", entry.name);
    const mac = hex(v.mac!);
    const enc = v.enc !== undefined ? hex(v.enc) : undefined;
    // The MAC input is the text from the encrypted data up to the MAC (firmware mac_in = enc).
    const macInput = enc ? new TextEncoder().encode(url.slice(match.starts.enc!, match.starts.mac!)) : undefined;
    // Epochs after the first use derived keys; try each up to one past the newest we accepted.
    const maxEpoch = hooks.maxEpoch(entry.name);
    let found: { r: SunResult; epoch: number } | null = null;
    let macError: TapkitError | null = null;
    let piccError: TapkitError | null = null;
    for (let epoch = 0; epoch <= maxEpoch + 1 && !found; epoch++) {
      try {
        const metaKey = meta ? epochKey(meta, "meta", epoch) : undefined;
        // per-tag keys need the UID first: from the plain mirror, or decrypted from PICCData
        const tagUid = () => (metaKey ? decryptPiccData(hex(v.picc!), metaKey).uid : hex(v.uid!));
        const file = entryFile ?? hooks.fileKeyFor?.(entry, tagUid()) ?? key16(entry.fileKey, "fileKey", entry.name);
        const r =
          entry.mode === "sun"
            ? verifySun({ picc: hex(v.picc!), mac, metaKey, fileKey: epochKey(file, "file", epoch), enc, macInput })
            : verifySun({ uid: hex(v.uid!), counter: parseInt(v.ctr!, 16), mac, fileKey: epochKey(file, "file", epoch), enc, macInput });
        found = { r, epoch };
      } catch (e) {
        if (!(e instanceof TapkitError)) throw e;
        if (e.code === "BAD_MAC") macError ??= e;
        else if (e.code === "BAD_PICC") piccError ??= e;
        else throw e;
      }
    }
    // AN12196: PICCData that decrypts to a valid tag byte under some epoch's key, with a MAC
    // that does not match, is a forged or damaged MAC, not bad PICCData.
    if (!found) throw macError ?? piccError!;
    const uid = Buffer.from(found.r.uid).toString("hex").toUpperCase();
    verdict = { tag: entry.name, mode: entry.mode, uid, counter: found.r.counter, epoch: found.epoch, sequence: found.epoch * limit + found.r.counter };
    if (found.r.fileData) verdict.fileData = Buffer.from(found.r.fileData).toString("latin1");
    replayId = `${entry.name}:${uid}`;
  }
  return { verdict, replayId };
}

/** The highest epoch the file replay store has accepted for any tag of `entry`. */
function storeMaxEpoch(replay: ReplayGuard, entry: TagKeys | undefined, name: string): number {
  const limit = entry?.counterLimit ?? 0x1000000;
  let maxEpoch = 0;
  for (const [id, seq] of replay.snapshot()) if (id.startsWith(`${name}:`)) maxEpoch = Math.max(maxEpoch, Math.floor(seq / limit));
  return maxEpoch;
}

/** What verifyTapUrl needs of a replay store: the on-disk ReplayStore, or an in-memory one (tap checks in a browser). */
export type ReplayGuard = Pick<ReplayStore, "snapshot" | "accept">;

export function verifyTapUrl(url: string, keys: TagKeys[], replay: ReplayGuard): TapVerdict {
  const { verdict, replayId } = checkTapUrl(url, keys, {
    maxEpoch: (name) =>
      storeMaxEpoch(
        replay,
        keys.find((k) => k.name === name),
        name,
      ),
  });
  replay.accept(replayId, verdict.sequence);
  return verdict;
}
