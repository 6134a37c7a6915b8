// EMV QR Code Specification for Payment Systems, merchant-presented mode (MPM): build a
// payload from a merchant profile, parse one into its fields, and check every rule we know
// (notes/qr.md section 3), each failure naming the data object and the rule. The builder
// emits exactly what the firmware's builder does (firmware/emv/mpm-payload.ts) so the two
// can be compared byte for byte.
import { crcHex } from "./crc16.ts";
import { emvError } from "./emv-error.ts";
import { formatObject, parseObjects, type DataObject } from "./tlv.ts";

export interface MerchantAccount {
  /** 02-51; 26-51 are templates with a GUID */
  id: number;
  /** for templates: sub-object 00, the globally unique identifier (AID or reverse domain) */
  gui?: string;
  /** for templates: further sub-objects by ID ("01".."99") */
  fields?: Record<string, string>;
  /** for 02-25: the network's value as is */
  value?: string;
}

export interface MerchantProfile {
  name: string;
  city: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  /** ISO 4217 numeric */
  currency: string;
  /** ISO 18245 */
  mcc: string;
  postal?: string;
  accounts: MerchantAccount[];
}

export interface PaymentRequest {
  /** decimal, e.g. "12.34": makes the payload dynamic (12) */
  amount?: string;
  /** bill number, additional data 62/01 */
  bill?: string;
  /** reference counter: additional data 62/05 "TK<n>" */
  reference?: number;
}

const chars = (s: string) => Array.from(s).length;
const PRINTABLE = /^[\x20-\x7e]*$/;

function need(ok: boolean, field: string, rule: string, hint: string): void {
  if (!ok) throw emvError(field, rule, hint);
}

/** Builder amounts: 1-13 characters, digits, optional point with 1-2 decimals, > 0, no leading zeros. */
export function checkAmountForBuild(amount: string): void {
  need(chars(amount) >= 1 && chars(amount) <= 13, "54 amount", "1-13 characters", "e.g. 12.34");
  need(/^\d+(\.\d{1,2})?$/.test(amount), "54 amount", "digits with an optional point and 1 or 2 decimals", "e.g. 12.34 (no currency sign, no comma)");
  need(!/^0\d/.test(amount), "54 amount", "no leading zeros", "write 5.00, not 05.00");
  need(/[1-9]/.test(amount), "54 amount", "must be greater than zero", "a payment of 0 cannot be requested");
}

function accountObject(a: MerchantAccount): string {
  const key = String(a.id).padStart(2, "0");
  need(Number.isInteger(a.id) && a.id >= 2 && a.id <= 51, `${key} merchant account`, "ID must be 02-51", "26-51 for templates with a GUID");
  if (a.id < 26) {
    need(a.value !== undefined && chars(a.value) >= 1, `${key} merchant account`, "value required for IDs 02-25", "the network's account value");
    return formatObject(a.id, a.value!);
  }
  need(!!a.gui && chars(a.gui) <= 32, `${key}/00 GUID`, "1-32 characters required", "e.g. BR.GOV.BCB.PIX or an AID like A000000677010111");
  let inner = formatObject("00", a.gui!);
  for (const [sub, v] of Object.entries(a.fields ?? {}).sort(([x], [y]) => Number(x) - Number(y))) {
    need(/^\d\d$/.test(sub) && sub !== "00", `${key}/${sub}`, "sub-IDs are 01-99", "00 is the GUID");
    inner += formatObject(sub, v);
  }
  return formatObject(a.id, inner);
}

/** The account objects in ID order, as `merchant set` sends them to the device. */
export function accountsText(accounts: MerchantAccount[]): string {
  need(accounts.length > 0, "02-51 merchant account", "at least one account required", "add a scheme template, e.g. --account 26:BR.GOV.BCB.PIX:01=key");
  const sorted = [...accounts].sort((a, b) => a.id - b.id);
  sorted.forEach((a, i) =>
    need(i === 0 || a.id !== sorted[i - 1].id, `${String(a.id).padStart(2, "0")} merchant account`, "ID used twice", "one object per ID"),
  );
  return sorted.map(accountObject).join("");
}

export function checkProfile(p: MerchantProfile): void {
  need(
    chars(p.name) >= 1 && chars(p.name) <= 25 && PRINTABLE.test(p.name),
    "59 merchant name",
    "1-25 printable ASCII characters",
    "put non-ASCII names in template 64",
  );
  need(chars(p.city) >= 1 && chars(p.city) <= 15 && PRINTABLE.test(p.city), "60 merchant city", "1-15 printable ASCII characters", "abbreviate the city");
  need(/^[A-Z]{2}$/.test(p.country), "58 country", "ISO 3166-1 alpha-2, two capital letters", "e.g. BR, SG, TH");
  need(/^\d{3}$/.test(p.currency), "53 currency", "ISO 4217 numeric, three digits", "e.g. 986 BRL, 702 SGD, 978 EUR");
  need(/^\d{4}$/.test(p.mcc), "52 merchant category code", "ISO 18245, four digits", "e.g. 5812 restaurants, 0000 when the scheme has none");
  need(
    p.postal === undefined || (chars(p.postal) <= 10 && PRINTABLE.test(p.postal)),
    "61 postal code",
    "up to 10 printable ASCII characters",
    "e.g. --postal 1000-001",
  );
  accountsText(p.accounts);
}

/** The payload: static (01 = 11) without an amount, dynamic (12) with one. */
export function buildPayload(p: MerchantProfile, req: PaymentRequest = {}): string {
  checkProfile(p);
  if (req.amount !== undefined) checkAmountForBuild(req.amount);
  if (req.bill !== undefined)
    need(
      chars(req.bill) >= 1 && chars(req.bill) <= 25 && PRINTABLE.test(req.bill),
      "62/01 bill number",
      "1-25 printable ASCII characters",
      "e.g. --bill INV-7",
    );
  let s = formatObject("00", "01") + formatObject("01", req.amount !== undefined ? "12" : "11");
  s += accountsText(p.accounts);
  s += formatObject(52, p.mcc) + formatObject(53, p.currency);
  if (req.amount !== undefined) s += formatObject(54, req.amount);
  s += formatObject(58, p.country) + formatObject(59, p.name) + formatObject(60, p.city);
  if (p.postal) s += formatObject(61, p.postal);
  if (req.bill !== undefined || req.reference) {
    let add = "";
    if (req.bill !== undefined) add += formatObject("01", req.bill);
    if (req.reference) add += formatObject("05", `TK${req.reference}`);
    s += formatObject(62, add);
  }
  s += "6304";
  return s + crcHex(s);
}

export interface ParsedPayload {
  objects: DataObject[];
  /** sub-objects of templates (26-51, 62, 64, 80-99), by root ID */
  templates: Record<string, DataObject[]>;
  initiation: "static" | "dynamic" | "unspecified";
  crc: string;
}

const TEMPLATE = (id: number) => (id >= 26 && id <= 51) || id === 62 || id === 64 || id >= 80;

/**
 * Parses and checks a payload; throws the first EMV_INVALID error. Rules: 00 first and "01"; 63 last,
 * length 04, upper-case hex CRC over everything before its value; no repeated IDs; at least
 * one account (02-51) and GUIDs in 26-51/80-99; 52, 53, 58, 59, 60 present with their
 * formats and limits; 54/56/57 decimal amounts (13/13/5 characters); 55 with 56 or 57 as
 * its value requires; templates well-formed.
 */
export function parsePayload(text: string): ParsedPayload {
  const crcAt = text.lastIndexOf("6304");
  need(crcAt >= 0 && text.length - crcAt >= 8, "63 CRC", "missing: the payload must end with 6304 and 4 hex digits", "append 6304 + CRC-16/CCITT-FALSE");
  const objects = parseObjects(text);
  need(objects.length > 0 && objects[0].id === "00", "00 payload format indicator", "must be the first object", "start with 000201");
  need(objects[0].value === "01", "00 payload format indicator", 'value must be "01"', "start with 000201");
  const last = objects[objects.length - 1];
  need(last.id === "63", "63 CRC", "must be the last object (nothing may follow it)", "drop trailing data after the CRC");
  need(chars(last.value) === 4 && /^[0-9A-F]{4}$/.test(last.value), "63 CRC", "4 upper-case hex digits", "write the CRC in upper case, e.g. 6304A13A");
  const covered = Array.from(text)
    .slice(0, Array.from(text).length - 4)
    .join("");
  need(covered.endsWith("6304"), "63 CRC", "length must be 04", "the CRC object is always 6304 followed by 4 hex digits");
  const want = crcHex(covered);
  need(
    want === last.value,
    "63 CRC",
    `mismatch: payload says ${last.value}, CRC-16/CCITT-FALSE over the UTF-8 bytes up to and including 6304 is ${want}`,
    "rebuild the CRC after any change (tapkit emv build)",
  );
  const byId = new Map<string, string>();
  for (const o of objects) {
    need(!byId.has(o.id), `${o.id}`, "object appears twice", "each root ID at most once");
    byId.set(o.id, o.value);
  }
  const templates: Record<string, DataObject[]> = {};
  for (const o of objects) {
    const id = Number(o.id);
    if (TEMPLATE(id)) templates[o.id] = parseObjects(o.value, o.id);
  }
  const ini = byId.get("01");
  need(
    ini === undefined || ini === "11" || ini === "12",
    "01 point of initiation",
    'must be "11" (static) or "12" (dynamic)',
    "use 010211 for a static code, 010212 for one with an amount",
  );
  need(
    objects.some((o) => Number(o.id) >= 2 && Number(o.id) <= 51),
    "02-51 merchant account",
    "at least one merchant account object required",
    "add a scheme template, e.g. 26 with its GUID",
  );
  for (const [id, subs] of Object.entries(templates)) {
    const n = Number(id);
    if ((n >= 26 && n <= 51) || n >= 80) {
      need(subs.length > 0 && subs[0].id === "00", `${id}/00 GUID`, "template must start with its globally unique identifier", "e.g. 0014BR.GOV.BCB.PIX");
      need(
        chars(subs[0].value) >= 1 && chars(subs[0].value) <= 32,
        `${id}/00 GUID`,
        "1-32 characters",
        "a scheme's AID or reverse domain name, e.g. BR.GOV.BCB.PIX",
      );
    }
  }
  const field = (id: string, label: string, re: RegExp, rule: string, hint: string, mandatory: boolean) => {
    const v = byId.get(id);
    if (v === undefined) {
      need(!mandatory, `${id} ${label}`, "mandatory object missing", hint);
      return;
    }
    need(re.test(v), `${id} ${label}`, rule, hint);
  };
  field("52", "merchant category code", /^\d{4}$/, "four digits (ISO 18245)", "e.g. 5812", true);
  field("53", "currency", /^\d{3}$/, "three digits (ISO 4217 numeric)", "e.g. 986", true);
  field("58", "country", /^[A-Z]{2}$/, "two capital letters (ISO 3166-1 alpha-2)", "e.g. BR", true);
  field("59", "merchant name", /^.{1,25}$/u, "1-25 characters", "shorten the name", true);
  field("60", "merchant city", /^.{1,15}$/u, "1-15 characters", "abbreviate the city", true);
  field("61", "postal code", /^.{1,10}$/u, "1-10 characters", "e.g. 1000-001", false);
  const amount = /^(?=.{1,13}$)\d+(\.\d+)?$/;
  field("54", "transaction amount", amount, "1-13 characters, digits with an optional decimal point", "e.g. 23.72", false);
  if (byId.has("54")) need(/[1-9]/.test(byId.get("54")!), "54 transaction amount", "must be greater than zero", "leave 54 out for a code without an amount");
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
  if (byId.get("55") === "02") need(byId.has("56"), "56 convenience fee fixed", 'required when 55 is "02"', "add 56 with the fee");
  if (byId.get("55") === "03") need(byId.has("57"), "57 convenience fee percentage", 'required when 55 is "03"', "add 57 with the percentage");
  for (const s of templates["62"] ?? [])
    need(chars(s.value) >= 1 && chars(s.value) <= 25, `62/${s.id}`, "1-25 characters", "shorten the additional data field");
  if (templates["64"]) {
    const lang = new Map(templates["64"].map((s) => [s.id, s.value]));
    need(/^[a-zA-Z]{2}$/.test(lang.get("00") ?? ""), "64/00 language preference", "mandatory, 2 letters (ISO 639)", "e.g. ZH");
    need(
      chars(lang.get("01") ?? "") >= 1 && chars(lang.get("01") ?? "") <= 25,
      "64/01 alternate name",
      "mandatory, 1-25 characters",
      "the merchant name in the alternate language",
    );
    if (lang.has("02")) need(chars(lang.get("02")!) <= 15, "64/02 alternate city", "1-15 characters", "abbreviate the city");
  }
  return { objects, templates, initiation: ini === "11" ? "static" : ini === "12" ? "dynamic" : "unspecified", crc: last.value };
}
