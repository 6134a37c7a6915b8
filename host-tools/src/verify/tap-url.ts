// Verifies a tap URL against a keys file and the replay store: finds the tag entry whose URL
// prefix matches, checks the SUN MAC (trying counter epochs up to one past the last seen) or
// the signature, then requires the counter to be strictly above the last accepted one.
// Keys file (JSON): { "tags": [ { "name", "url", "mode": "sun" | "sun-plain" | "signed",
//   "metaKey", "fileKey", "counterLimit"?, "params"? } | { ..., "publicKey", "alg" } ] }
import { readFileSync } from "node:fs";
import { TapkitError } from "../errors/index.ts";
import { epochKey, verifySun, type SunResult } from "./sun.ts";
import { verifySignedUrl, type SignedAlg } from "./signed.ts";
import { ReplayStore } from "./replay-store.ts";

export interface TagKeys {
  name: string;
  url: string;
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
  let parsed: { tags?: TagKeys[] };
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new TapkitError("BAD_KEYS_FILE", `cannot read keys file ${path}: ${(e as Error).message}`, 'a JSON file {"tags": [{"name", "url", "mode", "metaKey", "fileKey"}]}');
  }
  if (!Array.isArray(parsed.tags)) throw new TapkitError("BAD_KEYS_FILE", `${path} has no "tags" array`, 'a JSON file {"tags": [...]}');
  return parsed.tags;
}

const key16 = (hex: string | undefined, what: string, tag: string) => {
  if (!hex || !/^[0-9a-fA-F]{32}$/.test(hex)) throw new TapkitError("BAD_KEYS_FILE", `tag ${tag}: ${what} must be 32 hex characters`, "AES-128 keys as hex");
  return Uint8Array.from(Buffer.from(hex, "hex"));
};

function hexParam(params: URLSearchParams, name: string, chars: number | null): Uint8Array {
  const v = params.get(name);
  if (v === null) throw new TapkitError("BAD_INPUT", `tap URL lacks the ${name}= parameter`, "pass the whole URL as the tag served it");
  if (!/^[0-9A-F]*$/.test(v) || (chars !== null && v.length !== chars) || v.length % 2 !== 0) {
    throw new TapkitError("BAD_INPUT", `${name}= must be ${chars ?? "an even number of"} upper-case hex characters`, "NTAG 424 mirrors are upper-case hex");
  }
  return Uint8Array.from(Buffer.from(v, "hex"));
}

export function verifyTapUrl(url: string, keys: TagKeys[], replay: ReplayStore): TapVerdict {
  const entry = keys.filter((k) => url.startsWith(k.url)).sort((a, b) => b.url.length - a.url.length)[0];
  if (!entry) throw new TapkitError("UNKNOWN_TAG", `no tag in the keys file serves ${url.split("?")[0]}`, "add the tag's URL prefix and keys to the keys file");
  const p = { picc: "p", mac: "c", enc: "e", uid: "u", ctr: "n", sig: "s", ...entry.params };
  let verdict: TapVerdict;
  let replayId: string;
  if (entry.mode === "signed") {
    if (!entry.publicKey) throw new TapkitError("BAD_KEYS_FILE", `tag ${entry.name}: signed mode needs publicKey`, "the tag's public key as hex");
    const s = verifySignedUrl(url, Uint8Array.from(Buffer.from(entry.publicKey, "hex")), entry.alg ?? "ed25519", p.sig);
    verdict = { tag: entry.name, mode: "signed", counter: s.counter, epoch: 0, sequence: s.counter, merchant: s.merchant, time: s.time, amount: s.amount };
    replayId = `${entry.name}:${entry.publicKey.toLowerCase()}`;
  } else {
    const q = url.indexOf("?");
    const params = new URLSearchParams(q >= 0 ? url.slice(q + 1) : "");
    const limit = entry.counterLimit ?? 0x1000000;
    const meta = entry.mode === "sun" ? key16(entry.metaKey, "metaKey", entry.name) : null;
    const file = key16(entry.fileKey, "fileKey", entry.name);
    const mac = hexParam(params, p.mac, 16);
    const enc = params.has(p.enc) ? hexParam(params, p.enc, null) : undefined;
    const macInput = enc ? new TextEncoder().encode(`${params.get(p.enc)}&${p.mac}=`) : undefined;
    // Epochs after the first use derived keys; try each up to one past the newest we accepted.
    let maxEpoch = 0;
    for (const id of replay.ids(`${entry.name}:`)) maxEpoch = Math.max(maxEpoch, Math.floor((replay.lastCounter(id) ?? 0) / limit));
    let found: { r: SunResult; epoch: number } | null = null;
    let lastError: unknown = null;
    for (let epoch = 0; epoch <= maxEpoch + 1 && !found; epoch++) {
      try {
        const r = entry.mode === "sun"
          ? verifySun({ picc: hexParam(params, p.picc, 32), mac, metaKey: epochKey(meta!, "meta", epoch), fileKey: epochKey(file, "file", epoch), enc, macInput })
          : verifySun({ uid: hexParam(params, p.uid, 14), counter: parseInt(params.get(p.ctr) ?? "x", 16), mac, fileKey: epochKey(file, "file", epoch), enc, macInput });
        found = { r, epoch };
      } catch (e) {
        if (!(e instanceof TapkitError) || (e.code !== "BAD_MAC" && e.code !== "BAD_PICC")) throw e;
        lastError = e;
      }
    }
    if (!found) throw lastError;
    const uid = Buffer.from(found.r.uid).toString("hex").toUpperCase();
    verdict = { tag: entry.name, mode: entry.mode, uid, counter: found.r.counter, epoch: found.epoch, sequence: found.epoch * limit + found.r.counter };
    if (found.r.fileData) verdict.fileData = Buffer.from(found.r.fileData).toString("latin1");
    replayId = `${entry.name}:${uid}`;
  }
  replay.accept(replayId, verdict.sequence);
  return verdict;
}
