// What phones need from a tap message (docs/nfc.md "Lint rules"), the same rule names as the
// firmware's lint: errors block a plaque from working on iPhone or Android, warnings cost
// reach (no Android Application Record; too big for an NTAG 424's 256-byte file).
import { decodeMessage, FLAG, TNF } from "./record.ts";
import { URI_PREFIXES } from "./uri-prefixes.ts";
import { AAR_TYPE } from "./records.ts";
import { TapkitError } from "../errors/index.ts";

export const LINT_ERRORS = ["empty", "malformed", "chunked", "tnf", "first-not-uri", "not-https", "uri-code", "too-large", "text"] as const;
export const LINT_WARNINGS = ["no-aar", "over-256"] as const;
/** Largest message our Type 4 NDEF file holds (1024 bytes minus NLEN). */
export const MESSAGE_CAP = 1022;

export interface LintResult {
  errors: string[];
  warnings: string[];
}

export function lintMessage(bytes: Uint8Array, cap = MESSAGE_CAP): LintResult {
  const found = new Set<string>();
  if (bytes.length === 0) return { errors: ["empty"], warnings: [] };
  if (bytes.length > cap) found.add("too-large");
  if (bytes.length > 254) found.add("over-256");
  let records;
  try {
    records = decodeMessage(bytes);
  } catch (e) {
    if (!(e instanceof TapkitError)) throw e;
    found.add("malformed");
    return split(found);
  }
  records.forEach((r, i) => {
    const type = new TextDecoder().decode(r.type);
    if ((r.flags ?? 0) & FLAG.CF) found.add("chunked");
    const tnfOk =
      r.tnf === TNF.EMPTY
        ? r.type.length + r.id.length + r.payload.length === 0
        : r.tnf <= TNF.EXTERNAL
          ? r.type.length > 0
          : r.tnf === TNF.UNCHANGED
            ? false
            : r.type.length === 0;
    if (!tnfOk) found.add("tnf");
    const isUri = r.tnf === TNF.WELL_KNOWN && type === "U";
    if (isUri) {
      if (r.payload.length < 1 || r.payload[0] >= URI_PREFIXES.length) found.add("uri-code");
      if (i === 0) {
        const code = r.payload[0];
        const https = code === 2 || code === 4 || (code === 0 && new TextDecoder().decode(r.payload.subarray(1)).startsWith("https://"));
        if (!https) found.add("not-https");
      }
    } else if (i === 0) {
      found.add("first-not-uri");
    }
    if (r.tnf === TNF.WELL_KNOWN && type === "T") {
      const status = r.payload.length > 0 ? r.payload[0] : 0x40;
      if (status & 0x40 || (status & 0x3f) === 0 || 1 + (status & 0x3f) > r.payload.length) found.add("text");
    }
  });
  if (!records.some((r) => r.tnf === TNF.EXTERNAL && new TextDecoder().decode(r.type) === AAR_TYPE)) found.add("no-aar");
  return split(found);
}

function split(found: Set<string>): LintResult {
  return { errors: LINT_ERRORS.filter((n) => found.has(n)), warnings: LINT_WARNINGS.filter((n) => found.has(n)) };
}
