// A tap checked the way a phone and a backend see it, in one call: the Type 4 NDEF read a
// phone makes (SELECT the NDEF application, the CC, the NDEF file, READ BINARY; over the
// link's nfc-test channel or a PC/SC reader), the records, the tap URL, and, given the tag's
// keys, the SUN MAC or signature checked with the verifier a backend uses (verify/), with
// UID, counter and a verdict. Without keys it reports the URL and "not verified: no keys".
// Used by `tapkit tap` and the technician's web page; no file or process access here.
import type { NfcPath } from "../device/nfc-path.ts";
import { decodeMessage, describeRecord, readNdefType4, type RecordView } from "../ndef/index.ts";
import { replayRefusal, verifyTapUrl, type ReplayGuard, type TagKeys, type TapVerdict } from "../verify/index.ts";
import { TapkitError } from "../errors/index.ts";
import { toHex } from "../bytes/hex.ts";

export type TapVerdictKind = "verified" | "not-verified" | "refused";

export interface TapCheck {
  /** where the APDUs went (port + channel, or the reader) */
  path: string;
  /** APDUs the read took */
  apdus: number;
  /** NDEF message as read, hex */
  message: string;
  records: RecordView[];
  /** the first URI (a Smart Poster's included), or null */
  url: string | null;
  /** from the verified tap, or the URL's plain mirror (u=, n=) when not verified */
  uid: string | null;
  counter: number | null;
  verdict: TapVerdictKind;
  /** one line for people: "verified: tag demo UID ... counter 7" or why not */
  reason: string;
  /** the verifier's result when verified */
  verification: TapVerdict | null;
  /** the verifier's refusal (BAD_MAC, REPLAY, UNKNOWN_TAG, ...) when refused */
  error: { code: string; message: string; hint: string } | null;
}

export interface TapCheckOptions {
  /** the tag's keys (verify/tap-url.ts format); absent: the tap is read, not verified */
  keys?: TagKeys[];
  /** replay store; absent: an in-memory one (only this check's counter) */
  replay?: ReplayGuard;
  /** take the tag out of the field first, so the read starts a new tap (default true) */
  newTap?: boolean;
}

/** The first URI record, looking inside Smart Posters too. */
export function firstUri(records: RecordView[]): string | null {
  for (const r of records) {
    if (r.kind === "uri") return r.uri;
    if (r.kind === "smart-poster") {
      const inner = firstUri(r.records);
      if (inner) return inner;
    }
  }
  return null;
}

/** A replay guard in memory: one check's (no store given), or a `tapkit web` run's. */
export function memoryReplay(): ReplayGuard {
  const seen = new Map<string, number>();
  return {
    snapshot: () => new Map(seen),
    accept(id, sequence) {
      const prev = seen.get(id);
      if (prev !== undefined && sequence <= prev) throw replayRefusal(id, sequence, prev);
      seen.set(id, sequence);
    },
  };
}

/** Plain UID and counter mirrored in a URL (sun-plain: u= and n=, counter in hex), for reports without keys. */
function plainMirror(url: string): { uid: string | null; counter: number | null } {
  try {
    const q = new URL(url).searchParams;
    const u = q.get("u");
    const n = q.get("n");
    return {
      uid: u && /^[0-9A-Fa-f]{14}$/.test(u) ? u.toUpperCase() : null,
      counter: n && /^[0-9A-Fa-f]{1,8}$/.test(n) ? parseInt(n, 16) : null,
    };
  } catch {
    return { uid: null, counter: null };
  }
}

/** The bytes a phone's read returned: where, how many APDUs, the NDEF message. */
export interface TapRead {
  path: string;
  apdus: number;
  message: Uint8Array;
}

/** The Type 4 read alone (the web page reads in the browser and asks the CLI to judge). */
export async function readTap(nfc: NfcPath, opts: Pick<TapCheckOptions, "newTap"> = {}): Promise<TapRead> {
  if (opts.newTap ?? true) await nfc.newTap();
  const read = await readNdefType4((a) => nfc.apdu(a));
  return { path: nfc.description, apdus: read.apdus, message: read.message };
}

export async function checkTap(nfc: NfcPath, opts: TapCheckOptions = {}): Promise<TapCheck> {
  return judgeTap(await readTap(nfc, opts), opts);
}

/** The records, the URL and the verdict of one read (verified only with keys). */
export function judgeTap(read: TapRead, opts: Omit<TapCheckOptions, "newTap"> = {}): TapCheck {
  const records = decodeMessage(read.message).map(describeRecord);
  const url = firstUri(records);
  const base = { path: read.path, apdus: read.apdus, message: toHex(read.message), records, url };
  if (!url) {
    return {
      ...base,
      uid: null,
      counter: null,
      verdict: "refused",
      reason: "the tag holds no URI record: a phone opens nothing",
      verification: null,
      error: null,
    };
  }
  if (!opts.keys) {
    const plain = plainMirror(url);
    return { ...base, ...plain, verdict: "not-verified", reason: "not verified: no keys (pass --keys FILE)", verification: null, error: null };
  }
  try {
    const v = verifyTapUrl(url, opts.keys, opts.replay ?? memoryReplay());
    const who = `tag ${v.tag} (${v.mode})${v.uid ? ` UID ${v.uid}` : ""}`;
    return {
      ...base,
      uid: v.uid ?? null,
      counter: v.counter,
      verdict: "verified",
      reason: `verified: ${who}, counter ${v.counter}`,
      verification: v,
      error: null,
    };
  } catch (e) {
    // A broken keys file or replay store is the checker's problem, not the tag's: raise it.
    if (!(e instanceof TapkitError) || e.code === "BAD_KEYS_FILE" || e.code.startsWith("REPLAY_STORE")) throw e;
    const err = e;
    const plain = plainMirror(url);
    return {
      ...base,
      ...plain,
      verdict: "refused",
      reason: `refused (${err.code}): ${err.message}`,
      verification: null,
      error: { code: err.code, message: err.message, hint: err.hint },
    };
  }
}
