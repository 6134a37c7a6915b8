// ISO 4217 currency codes, both forms: EMV payloads carry the numeric code (53 "986"), people
// type the alphabetic one ("BRL"). Every command or profile that asks for a currency takes
// either and normalises with these functions, so "156", "CNY" and "cny" mean the same thing.
// The table holds the currencies in active use that our schemes and customers meet (ISO 4217
// list one, amendment 179, plus XTS and XXX, the codes for testing and for no currency); an unknown alphabetic code is refused with a hint, an unknown
// three-digit code is passed through (the list grows, the EMV rule is only "three digits").
import { TapkitError } from "../errors/index.ts";

/** alphabetic code, numeric code, minor unit digits */
const TABLE: [string, string, number][] = [
  ["AED", "784", 2],
  ["ARS", "032", 2],
  ["AUD", "036", 2],
  ["BDT", "050", 2],
  ["BGN", "975", 2],
  ["BHD", "048", 3],
  ["BND", "096", 2],
  ["BRL", "986", 2],
  ["CAD", "124", 2],
  ["CHF", "756", 2],
  ["CLP", "152", 0],
  ["CNY", "156", 2],
  ["COP", "170", 2],
  ["CZK", "203", 2],
  ["DKK", "208", 2],
  ["EGP", "818", 2],
  ["EUR", "978", 2],
  ["GBP", "826", 2],
  ["GHS", "936", 2],
  ["HKD", "344", 2],
  ["HUF", "348", 2],
  ["IDR", "360", 2],
  ["ILS", "376", 2],
  ["INR", "356", 2],
  ["ISK", "352", 0],
  ["JOD", "400", 3],
  ["JPY", "392", 0],
  ["KES", "404", 2],
  ["KHR", "116", 2],
  ["KRW", "410", 0],
  ["KWD", "414", 3],
  ["KZT", "398", 2],
  ["LAK", "418", 2],
  ["LKR", "144", 2],
  ["MAD", "504", 2],
  ["MMK", "104", 2],
  ["MNT", "496", 2],
  ["MOP", "446", 2],
  ["MXN", "484", 2],
  ["MYR", "458", 2],
  ["NGN", "566", 2],
  ["NOK", "578", 2],
  ["NPR", "524", 2],
  ["NZD", "554", 2],
  ["OMR", "512", 3],
  ["PEN", "604", 2],
  ["PHP", "608", 2],
  ["PKR", "586", 2],
  ["PLN", "985", 2],
  ["QAR", "634", 2],
  ["RON", "946", 2],
  ["RSD", "941", 2],
  ["SAR", "682", 2],
  ["SEK", "752", 2],
  ["SGD", "702", 2],
  ["THB", "764", 2],
  ["TRY", "949", 2],
  ["TWD", "901", 2],
  ["TZS", "834", 2],
  ["UAH", "980", 2],
  ["UGX", "800", 0],
  ["USD", "840", 2],
  ["UYU", "858", 2],
  ["VND", "704", 0],
  ["XAF", "950", 0],
  ["XOF", "952", 0],
  ["ZAR", "710", 2],
  ["XTS", "963", 0],
  ["XXX", "999", 0],
];

const BY_ALPHA = new Map(TABLE.map(([a, n, d]) => [a, { alpha: a, numeric: n, digits: d }]));
const BY_NUMERIC = new Map(TABLE.map(([a, n, d]) => [n, { alpha: a, numeric: n, digits: d }]));

export interface Currency {
  /** "BRL"; undefined for a three-digit code missing from our table */
  alpha?: string;
  numeric: string;
  /** minor unit digits (2 for BRL, 0 for JPY/VND); undefined when unknown */
  digits?: number;
}

function currencyError(input: string, why: string): TapkitError {
  return new TapkitError("EMV_INVALID", `currency '${input}': ${why}`, "give an ISO 4217 code, numeric or alphabetic: 986 or BRL, 156 or CNY, 978 or EUR", {
    field: "53 currency",
    rule: why,
  });
}

/** Looks up "156", "CNY" or "cny"; throws EMV_INVALID for anything else. */
export function parseCurrency(input: string): Currency {
  const s = String(input).trim();
  if (/^\d{3}$/.test(s)) return BY_NUMERIC.get(s) ?? { numeric: s };
  if (/^[A-Za-z]{3}$/.test(s)) {
    const c = BY_ALPHA.get(s.toUpperCase());
    if (!c) throw currencyError(input, "not an ISO 4217 alphabetic code we know");
    return c;
  }
  throw currencyError(input, "must be three digits (ISO 4217 numeric) or three letters (alphabetic)");
}

/** The numeric code EMV object 53 carries. */
export function currencyNumeric(input: string): string {
  return parseCurrency(input).numeric;
}

/** The alphabetic code (wallet vouchers and people use it); throws when the numeric code is not in our table. */
export function currencyAlpha(input: string): string {
  const c = parseCurrency(input);
  if (!c.alpha) throw currencyError(input, "numeric code not in tapkit's ISO 4217 table; give the alphabetic code");
  return c.alpha;
}

/** "986 (BRL)" for messages. */
export function describeCurrency(numeric: string): string {
  const c = BY_NUMERIC.get(numeric);
  return c ? `${numeric} (${c.alpha})` : numeric;
}
