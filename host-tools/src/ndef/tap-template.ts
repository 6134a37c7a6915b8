// Turns a tap-URL template such as `https://pay.example.com/t?p={picc}&c={mac}` into the NDEF
// message the tag stores (placeholders as zeros) and the mirror offsets the firmware needs
// (`tag.set`), computed exactly as NTAG 424 SDM offsets: NDEF-file offsets, NLEN included.
// Placeholders: {picc} {mac} (SUN), {uid} {ctr} {mac} (plain SUN), {enc} (SDMENCFileData with
// the `encPlain` text), {ctr} {time} {sig} (signed; the signed range starts after `?`).
import { encodeMessage } from "./record.ts";
import { aarRecord, uriRecord } from "./records.ts";
import { bestUriCode, URI_PREFIXES } from "./uri-prefixes.ts";
import { TapkitError } from "../errors/index.ts";

export type TapMode = "static" | "sun" | "sun-plain" | "signed";
export const MODE_IDS: Record<TapMode, number> = { static: 0, sun: 1, "sun-plain": 2, signed: 3 };

export interface TapTemplateOptions {
  url: string;
  mode?: TapMode;
  aar?: string;
  /** SDMENCFileData plaintext (e.g. "amount=12.50"), padded with '0' to a 16-byte multiple */
  encPlain?: string;
  metaSlot?: number;
  fileSlot?: number;
  signSlot?: number;
  /** counter values per epoch (SUN); default 2^24 */
  counterLimit?: number;
  writable?: boolean;
}

/** The `tag.set` arguments: message plus mirror layout. */
export interface TagConfig {
  m: Uint8Array;
  mode: number;
  meta: number;
  file: number;
  sign: number;
  picc: number;
  uid: number;
  ctr: number;
  time: number;
  enc: number;
  enc_len: number;
  mac_in: number;
  mac: number;
  limit: number;
  writable: boolean;
}

const WIDTH: Record<string, number> = { picc: 32, uid: 14, mac: 16, time: 8, sig: 86 };
const REQUIRED: Record<TapMode, string[]> = { static: [], sun: ["picc", "mac"], "sun-plain": ["uid", "ctr", "mac"], signed: ["ctr", "sig"] };

export function buildTapTemplate(o: TapTemplateOptions): TagConfig {
  const mode = o.mode ?? (o.url.includes("{sig}") ? "signed" : o.url.includes("{picc}") ? "sun" : o.url.includes("{uid}") ? "sun-plain" : "static");
  if (!/^[\x20-\x7e]*$/.test(o.url)) throw new TapkitError("TAP_URL_NOT_ASCII", "the tap URL template must be ASCII", "percent-encode other characters");
  const encPlain = o.encPlain ?? "";
  const encPlainLen = Math.ceil(Buffer.byteLength(encPlain) / 16) * 16;
  const widths = { ...WIDTH, ctr: mode === "signed" ? 8 : 6, enc: 2 * encPlainLen };
  const positions: Record<string, number> = {};
  let text = "";
  let rest = o.url;
  for (;;) {
    const m = /\{(picc|uid|ctr|mac|enc|time|sig)\}/.exec(rest);
    if (!m) break;
    text += rest.slice(0, m.index);
    if (m[1] in positions) throw new TapkitError("TAP_DUPLICATE", `placeholder {${m[1]}} appears twice`, "use each placeholder once");
    if (m[1] === "enc" && encPlainLen === 0)
      throw new TapkitError("TAP_ENC_EMPTY", "{enc} needs --enc-plain TEXT", "give the plaintext to encrypt, e.g. --enc-plain amount=12.50");
    positions[m[1]] = text.length;
    text += m[1] === "enc" ? encPlain.padEnd(encPlainLen, "0") + "0".repeat(encPlainLen) : "0".repeat(widths[m[1] as keyof typeof widths]);
    rest = rest.slice(m.index + m[0].length);
  }
  text += rest;
  for (const need of REQUIRED[mode]) {
    if (!(need in positions))
      throw new TapkitError(
        "TAP_MISSING_PLACEHOLDER",
        `mode ${mode} needs a {${need}} placeholder in the URL`,
        `e.g. https://pay.example.com/t?p={picc}&c={mac}`,
      );
  }
  const records = [uriRecord(text)];
  if (o.aar) records.push(aarRecord(o.aar));
  const message = encodeMessage(records);
  const code = bestUriCode(text);
  const uriPayloadLen = 1 + text.length - URI_PREFIXES[code].length;
  const header = uriPayloadLen < 256 ? 4 : 7;
  const fileOffset = (p: number) => 2 + header + 1 + p - URI_PREFIXES[code].length;
  for (const [name, p] of Object.entries(positions)) {
    if (p < URI_PREFIXES[code].length) throw new TapkitError("TAP_IN_PREFIX", `{${name}} sits inside the URI scheme`, "put placeholders in the path or query");
  }
  const at = (name: string) => (name in positions ? fileOffset(positions[name]) : 0);
  const mac = mode === "signed" ? at("sig") : at("mac");
  let macIn = mac;
  if (mode === "signed") {
    const q = text.indexOf("?");
    if (q < 0 || q > positions.ctr)
      throw new TapkitError(
        "TAP_SIGNED_QUERY",
        "signed URLs sign the query string: put {ctr} (and {time}) after '?'",
        "e.g. https://pay.example.com/s?m=shop42&n={ctr}&t={time}&s={sig}",
      );
    macIn = fileOffset(q + 1);
  } else if ("enc" in positions) {
    macIn = at("enc");
  }
  return {
    m: message,
    mode: MODE_IDS[mode],
    meta: o.metaSlot ?? 2,
    file: o.fileSlot ?? 3,
    sign: o.signSlot ?? 0,
    picc: at("picc"),
    uid: at("uid"),
    ctr: at("ctr"),
    time: at("time"),
    enc: at("enc"),
    enc_len: widths.enc,
    mac_in: macIn,
    mac,
    limit: o.counterLimit ?? 0x1000000,
    writable: o.writable ?? false,
  };
}
