// Reads an EMV merchant-presented payload the way a payment app does: everything that can be
// parsed is kept, and every rule breach becomes a finding (data object, rule, hint) instead of
// stopping at the first one. Which findings are errors depends on the scheme profile chosen
// (schemes.ts): EMVCo's base rules, relaxed or tightened by a national scheme's documented
// differences. parsePayload (mpm.ts) is the strict form: the first error under EMVCo, thrown.
import { crcHex } from "./crc16.ts";
import { splitObjects, type DataObject } from "./tlv.ts";
import { applyScheme, detectScheme, SCHEMES, type SchemeId } from "./schemes.ts";
import { inspectUpiUri } from "./upi-uri.ts";

export interface Finding {
  level: "error" | "warning";
  /** the data object, e.g. "59 merchant name" or "26/00 GUID" */
  field: string;
  rule: string;
  hint: string;
  /** short rule id schemes relax or tighten, e.g. "mandatory:59" */
  id: string;
}

export interface Inspection {
  objects: DataObject[];
  /** sub-objects of templates (26-51, 62, 64, 80-99), by root ID */
  templates: Record<string, DataObject[]>;
  initiation: "static" | "dynamic" | "unspecified";
  crc: string;
  /** the scheme profile whose rules were applied */
  profile: SchemeId;
  /** the profile was picked by looking at the payload (profile "auto") */
  detected: boolean;
  /** one line per rule set applied, for people */
  rulesApplied: string[];
  findings: Finding[];
  errors: number;
  warnings: number;
}

const chars = (s: string) => Array.from(s).length;
const isTemplate = (id: number) => (id >= 26 && id <= 51) || id === 62 || id === 64 || id >= 80;

/** Collects findings; `error` ones may be downgraded or dropped by the scheme afterwards. */
export class FindingList {
  readonly items: Finding[] = [];
  add(id: string, field: string, rule: string, hint: string, level: Finding["level"] = "error"): void {
    this.items.push({ level, field, rule, hint, id });
  }
  need(ok: boolean, id: string, field: string, rule: string, hint: string, level: Finding["level"] = "error"): void {
    if (!ok) this.add(id, field, rule, hint, level);
  }
}

/** What a scheme's rules look at. */
export interface PayloadView {
  text: string;
  objects: DataObject[];
  byId: Map<string, string>;
  templates: Record<string, DataObject[]>;
  /** sub-object `sub` of template `id` */
  sub(id: string, sub: string): string | undefined;
  /** the account templates (26-51) whose GUID matches (case-insensitive) */
  accountsWithGui(gui: string): string[];
}

function view(text: string, objects: DataObject[], templates: Record<string, DataObject[]>): PayloadView {
  const byId = new Map<string, string>();
  for (const o of objects) if (!byId.has(o.id)) byId.set(o.id, o.value);
  return {
    text,
    objects,
    byId,
    templates,
    sub: (id, sub) => templates[id]?.find((s) => s.id === sub)?.value,
    accountsWithGui: (gui) =>
      Object.entries(templates)
        .filter(([id, subs]) => Number(id) >= 2 && Number(id) <= 51 && subs[0]?.id === "00" && subs[0].value.toUpperCase() === gui.toUpperCase())
        .map(([id]) => id),
  };
}

/** EMVCo MPM base rules (notes/qr.md section 3), as findings in payload order. */
function baseRules(text: string, f: FindingList): { objects: DataObject[]; templates: Record<string, DataObject[]>; crc: string } {
  const crcAt = text.lastIndexOf("6304");
  f.need(
    crcAt >= 0 && text.length - crcAt >= 8,
    "crc:present",
    "63 CRC",
    "missing: the payload must end with 6304 and 4 hex digits",
    "append 6304 + CRC-16/CCITT-FALSE",
  );
  const { objects, error } = splitObjects(text);
  if (error) f.add("structure", error.field, error.rule, "each object is ID(2) + length(2) + value; the length counts characters");
  f.need(objects.length > 0 && objects[0].id === "00", "00:first", "00 payload format indicator", "must be the first object", "start with 000201");
  f.need(objects[0]?.id !== "00" || objects[0].value === "01", "00:value", "00 payload format indicator", 'value must be "01"', "start with 000201");
  const last = objects[objects.length - 1];
  let crc = "";
  if (last?.id === "63") {
    crc = last.value;
    f.need(
      chars(last.value) === 4 && /^[0-9A-F]{4}$/.test(last.value),
      "crc:format",
      "63 CRC",
      "4 upper-case hex digits",
      "write the CRC in upper case, e.g. 6304A13A",
    );
    const all = Array.from(text);
    const covered = all.slice(0, all.length - 4).join("");
    f.need(covered.endsWith("6304"), "crc:length", "63 CRC", "length must be 04", "the CRC object is always 6304 followed by 4 hex digits");
    const want = crcHex(covered);
    f.need(
      want === last.value.toUpperCase(),
      "crc:value",
      "63 CRC",
      `mismatch: payload says ${last.value}, CRC-16/CCITT-FALSE over the UTF-8 bytes up to and including 6304 is ${want}`,
      "rebuild the CRC after any change (tapkit emv build)",
    );
  } else if (!error) {
    f.add("crc:last", "63 CRC", "must be the last object (nothing may follow it)", "drop trailing data after the CRC");
  }
  const seen = new Set<string>();
  for (const o of objects) {
    f.need(!seen.has(o.id), `once:${o.id}`, `${o.id}`, "object appears twice", "each root ID at most once");
    seen.add(o.id);
  }
  const templates: Record<string, DataObject[]> = {};
  for (const o of objects) {
    if (!isTemplate(Number(o.id))) continue;
    const t = splitObjects(o.value, o.id);
    templates[o.id] = t.objects;
    if (t.error) f.add(`structure:${o.id}`, t.error.field, t.error.rule, "sub-objects are ID(2) + length(2) + value too");
  }
  const v = view(text, objects, templates);
  const ini = v.byId.get("01");
  f.need(
    ini === undefined || ini === "11" || ini === "12",
    "01:value",
    "01 point of initiation",
    'must be "11" (static) or "12" (dynamic)',
    "use 010211 for a static code, 010212 for one with an amount",
  );
  f.need(
    objects.some((o) => Number(o.id) >= 2 && Number(o.id) <= 51),
    "accounts:present",
    "02-51 merchant account",
    "at least one merchant account object required",
    "add a scheme template, e.g. 26 with its GUID",
  );
  for (const [id, subs] of Object.entries(templates)) {
    const n = Number(id);
    if ((n >= 26 && n <= 51) || n >= 80) {
      f.need(
        subs.length > 0 && subs[0].id === "00",
        `gui:${id}`,
        `${id}/00 GUID`,
        "template must start with its globally unique identifier",
        "e.g. 0014BR.GOV.BCB.PIX",
      );
      if (subs[0]?.id === "00")
        f.need(
          chars(subs[0].value) >= 1 && chars(subs[0].value) <= 32,
          `gui:${id}`,
          `${id}/00 GUID`,
          "1-32 characters",
          "a scheme's AID or reverse domain name",
        );
    }
  }
  const field = (id: string, label: string, re: RegExp, rule: string, hint: string, mandatory: boolean) => {
    const val = v.byId.get(id);
    if (val === undefined) f.need(!mandatory, `mandatory:${id}`, `${id} ${label}`, "mandatory object missing", hint);
    else f.need(re.test(val), `format:${id}`, `${id} ${label}`, rule, hint);
  };
  field("52", "merchant category code", /^\d{4}$/, "four digits (ISO 18245)", "e.g. 5812", true);
  field("53", "currency", /^\d{3}$/, "three digits (ISO 4217 numeric)", "e.g. 986", true);
  field("58", "country", /^[A-Z]{2}$/, "two capital letters (ISO 3166-1 alpha-2)", "e.g. BR", true);
  field("59", "merchant name", /^.{1,25}$/u, "1-25 characters", "shorten the name", true);
  field("60", "merchant city", /^.{1,15}$/u, "1-15 characters", "abbreviate the city", true);
  field("61", "postal code", /^.{1,10}$/u, "1-10 characters", "e.g. 1000-001", false);
  const amount = /^(?=.{1,13}$)\d+(\.\d+)?$/;
  field("54", "transaction amount", amount, "1-13 characters, digits with an optional decimal point", "e.g. 23.72", false);
  if (v.byId.has("54") && amount.test(v.byId.get("54")!))
    f.need(
      /[1-9]/.test(v.byId.get("54")!),
      "amount:positive",
      "54 transaction amount",
      "must be greater than zero",
      "leave 54 out for a code without an amount",
    );
  field(
    "55",
    "tip or convenience indicator",
    /^0[123]$/,
    'must be "01", "02" or "03"',
    "01 asks for a tip, 02 a fixed fee (56), 03 a percentage fee (57)",
    false,
  );
  field("56", "convenience fee fixed", amount, "1-13 characters, digits with an optional decimal point", "e.g. 1.50", false);
  field("57", "convenience fee percentage", /^(?=.{1,5}$)\d+(\.\d+)?$/, "1-5 characters, e.g. 3.00", "a percentage, e.g. 3.00", false);
  if (v.byId.get("55") === "02") f.need(v.byId.has("56"), "tip:56", "56 convenience fee fixed", 'required when 55 is "02"', "add 56 with the fee");
  if (v.byId.get("55") === "03") f.need(v.byId.has("57"), "tip:57", "57 convenience fee percentage", 'required when 55 is "03"', "add 57 with the percentage");
  for (const s of templates["62"] ?? [])
    f.need(chars(s.value) >= 1 && chars(s.value) <= 25, `length:62/${s.id}`, `62/${s.id}`, "1-25 characters", "shorten the additional data field");
  if (templates["64"]) {
    const lang = new Map(templates["64"].map((s) => [s.id, s.value]));
    f.need(/^[a-zA-Z]{2}$/.test(lang.get("00") ?? ""), "64:00", "64/00 language preference", "mandatory, 2 letters (ISO 639)", "e.g. ZH");
    f.need(
      chars(lang.get("01") ?? "") >= 1 && chars(lang.get("01") ?? "") <= 25,
      "64:01",
      "64/01 alternate name",
      "mandatory, 1-25 characters",
      "the merchant name in the alternate language",
    );
    if (lang.has("02")) f.need(chars(lang.get("02")!) <= 15, "64:02", "64/02 alternate city", "1-15 characters", "abbreviate the city");
  }
  const name = v.byId.get("59");
  if (name !== undefined)
    f.need(
      /^[\x20-\x7e]*$/.test(name),
      "ascii:59",
      "59 merchant name",
      "not plain ASCII; some apps show it garbled",
      "put the local-script name in template 64",
      "warning",
    );
  return { objects, templates, crc };
}

/**
 * Inspects `text` under `profile` ("auto" picks the scheme from the account templates and
 * currency, falling back to EMVCo). Never throws for bad payloads: every problem is a finding.
 */
export function inspectPayload(text: string, profile: SchemeId | "auto" = "auto"): Inspection {
  const f = new FindingList();
  const upi = /^upi:\/\//i.test(text);
  const { objects, templates, crc } = upi ? { objects: inspectUpiUri(text, f), templates: {}, crc: "" } : baseRules(text, f);
  const v = view(text, objects, templates);
  const detected = profile === "auto";
  const chosen: SchemeId = profile === "auto" ? detectScheme(v) : profile;
  if (upi && chosen !== "upi") f.add("upi:profile", "payload", `a upi:// URI is not an EMV payload (profile ${chosen})`, "check it with --profile upi");
  const findings = applyScheme(SCHEMES[chosen], v, f.items);
  const ini = v.byId.get("01");
  const errors = findings.filter((x) => x.level === "error").length;
  return {
    objects,
    templates,
    initiation: upi ? (v.byId.has("am") ? "dynamic" : "static") : ini === "11" ? "static" : ini === "12" ? "dynamic" : "unspecified",
    crc,
    profile: chosen,
    detected,
    rulesApplied: SCHEMES[chosen].rulesApplied,
    findings,
    errors,
    warnings: findings.length - errors,
  };
}
