// EMV QR Code Specification for Payment Systems, merchant-presented mode (MPM): build a
// payload from a merchant profile, parse one into its fields, and check every rule we know
// (notes/qr.md section 3), each failure naming the data object and the rule. The builder
// emits exactly what the firmware's builder does (firmware/emv/mpm-payload.ts) so the two
// can be compared byte for byte.
import { crcHex } from "./crc16.ts";
import { emvError } from "./emv-error.ts";
import { formatObject, type DataObject } from "./tlv.ts";
import { inspectPayload } from "./inspect.ts";
import { currencyNumeric } from "./currency.ts";

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
  /** ISO 4217, numeric ("986") or alphabetic ("BRL"); payloads carry the numeric code */
  currency: string;
  /** ISO 18245 */
  mcc: string;
  postal?: string;
  /** reference label (62/05) static codes carry, e.g. "***" for Pix (the payer's app asks) */
  reference?: string;
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
  currencyNumeric(p.currency); // numeric or alphabetic ISO 4217; throws naming 53 otherwise
  need(/^\d{4}$/.test(p.mcc), "52 merchant category code", "ISO 18245, four digits", "e.g. 5812 restaurants, 0000 when the scheme has none");
  need(
    p.postal === undefined || (chars(p.postal) <= 10 && PRINTABLE.test(p.postal)),
    "61 postal code",
    "up to 10 printable ASCII characters",
    "e.g. --postal 1000-001",
  );
  need(
    p.reference === undefined || (chars(p.reference) >= 1 && chars(p.reference) <= 25 && PRINTABLE.test(p.reference)),
    "62/05 reference label",
    "1-25 printable ASCII characters",
    "e.g. *** (Pix: the payer's app fills it in)",
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
  s += formatObject(52, p.mcc) + formatObject(53, currencyNumeric(p.currency));
  if (req.amount !== undefined) s += formatObject(54, req.amount);
  s += formatObject(58, p.country) + formatObject(59, p.name) + formatObject(60, p.city);
  if (p.postal) s += formatObject(61, p.postal);
  if (req.bill !== undefined || req.reference) {
    let add = "";
    if (req.bill !== undefined) add += formatObject("01", req.bill);
    if (req.reference) add += formatObject("05", `TK${req.reference}`);
    s += formatObject(62, add);
  } else if (p.reference) s += formatObject(62, formatObject("05", p.reference));
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

/**
 * Parses and checks a payload strictly under EMVCo's rules; throws the first EMV_INVALID error.
 * inspectPayload (inspect.ts) is the lenient form that keeps every finding and applies a
 * national scheme's profile.
 */
export function parsePayload(text: string): ParsedPayload {
  const r = inspectPayload(text, "emvco");
  const e = r.findings.find((x) => x.level === "error");
  if (e) throw emvError(e.field, e.rule, e.hint);
  return { objects: r.objects, templates: r.templates, initiation: r.initiation, crc: r.crc };
}
