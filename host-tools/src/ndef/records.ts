// The record kinds a tap plaque uses: URI (prefix-coded), Text, Smart Poster, external type,
// Android Application Record; and a readable description of any decoded record.
import { bestUriCode, URI_PREFIXES } from "./uri-prefixes.ts";
import { decodeMessage, encodeMessage, type NdefRecord, TNF } from "./record.ts";
import { TapkitError } from "../errors/index.ts";
import { toHex } from "../bytes/hex.ts";

const utf8 = new TextEncoder();
const ascii = (s: string) => utf8.encode(s);
const EMPTY = new Uint8Array(0);
export const AAR_TYPE = "android.com:pkg";

export function uriRecord(uri: string): NdefRecord {
  const code = bestUriCode(uri);
  const rest = utf8.encode(uri.slice(URI_PREFIXES[code].length));
  return { tnf: TNF.WELL_KNOWN, type: ascii("U"), id: EMPTY, payload: Uint8Array.from([code, ...rest]) };
}

export function textRecord(text: string, lang = "en"): NdefRecord {
  const l = ascii(lang);
  if (l.length < 1 || l.length > 63)
    throw new TapkitError("NDEF_BAD_LANG", `language code "${lang}" must be 1..63 bytes`, "use an IANA language tag such as en or zh-CN");
  return { tnf: TNF.WELL_KNOWN, type: ascii("T"), id: EMPTY, payload: Uint8Array.from([l.length, ...l, ...utf8.encode(text)]) };
}

export function smartPosterRecord(uri: string, title: string, lang = "en"): NdefRecord {
  return { tnf: TNF.WELL_KNOWN, type: ascii("Sp"), id: EMPTY, payload: encodeMessage([uriRecord(uri), textRecord(title, lang)]) };
}

export function externalRecord(type: string, data: Uint8Array): NdefRecord {
  if (!/^[a-z0-9.-]+:[^\s]+$/i.test(type))
    throw new TapkitError("NDEF_BAD_EXTERNAL_TYPE", `external type "${type}" is not domain:name`, "e.g. example.com:pay");
  return { tnf: TNF.EXTERNAL, type: ascii(type.toLowerCase()), id: EMPTY, payload: data };
}

export function aarRecord(pkg: string): NdefRecord {
  return { tnf: TNF.EXTERNAL, type: ascii(AAR_TYPE), id: EMPTY, payload: utf8.encode(pkg) };
}

export type RecordView =
  | { kind: "uri"; uri: string; code: number }
  | { kind: "text"; text: string; lang: string; encoding: "utf-8" | "utf-16" }
  | { kind: "smart-poster"; records: RecordView[] }
  | { kind: "aar"; package: string }
  | { kind: "external"; type: string; hex: string }
  | { kind: "other"; tnf: number; type: string; hex: string };

const text = (b: Uint8Array) => new TextDecoder().decode(b);

export function describeRecord(r: NdefRecord): RecordView {
  const type = text(r.type);
  if (r.tnf === TNF.WELL_KNOWN && type === "U" && r.payload.length >= 1) {
    const code = r.payload[0];
    return { kind: "uri", uri: (URI_PREFIXES[code] ?? "") + text(r.payload.subarray(1)), code };
  }
  if (r.tnf === TNF.WELL_KNOWN && type === "T" && r.payload.length >= 1) {
    const status = r.payload[0];
    const langLen = status & 0x3f;
    const utf16 = (status & 0x80) !== 0;
    const body = r.payload.subarray(1 + langLen);
    return {
      kind: "text",
      lang: text(r.payload.subarray(1, 1 + langLen)),
      text: utf16 ? new TextDecoder("utf-16be").decode(body) : text(body),
      encoding: utf16 ? "utf-16" : "utf-8",
    };
  }
  if (r.tnf === TNF.WELL_KNOWN && type === "Sp") return { kind: "smart-poster", records: decodeMessage(r.payload).map(describeRecord) };
  if (r.tnf === TNF.EXTERNAL && type === AAR_TYPE) return { kind: "aar", package: text(r.payload) };
  if (r.tnf === TNF.EXTERNAL) return { kind: "external", type, hex: toHex(r.payload) };
  return { kind: "other", tnf: r.tnf, type, hex: toHex(r.payload) };
}
