// The few fields a technician types for each scheme, turned into the merchant account
// template(s) that scheme's profile (schemes.ts) expects, with the scheme's country, currency
// and usual MCC filled in. Used by the web page's profile editor; the result is an ordinary
// MerchantProfile, checked by inspectPayload under the same scheme before it is stored.
import { formatObject } from "./tlv.ts";
import type { MerchantAccount } from "./mpm.ts";
import type { SchemeId } from "./schemes.ts";

export interface PresetField {
  key: string;
  label: string;
  example: string;
}

export interface SchemePreset {
  scheme: SchemeId;
  label: string;
  country: string;
  /** ISO 4217 alphabetic; the profile may use it as is (mpm.ts converts) */
  currency: string;
  mcc: string;
  /** 62/05 of static codes, when the scheme requires one */
  reference?: string;
  fields: PresetField[];
  accounts(values: Record<string, string>): MerchantAccount[];
}

const v = (values: Record<string, string>, k: string) => (values[k] ?? "").trim();

export const PRESETS: SchemePreset[] = [
  {
    scheme: "promptpay",
    label: "PromptPay (Thailand)",
    country: "TH",
    currency: "THB",
    mcc: "0000",
    fields: [{ key: "mobile", label: "PromptPay mobile number", example: "0812345678" }],
    accounts: (x) => [{ id: 29, gui: "A000000677010111", fields: { "01": `0066${v(x, "mobile").replace(/\D/g, "").replace(/^0/, "")}` } }],
  },
  {
    scheme: "pix",
    label: "Pix (Brazil)",
    country: "BR",
    currency: "BRL",
    mcc: "0000",
    reference: "***",
    fields: [{ key: "key", label: "Pix key (chave)", example: "loja@example.com.br" }],
    accounts: (x) => [{ id: 26, gui: "br.gov.bcb.pix", fields: { "01": v(x, "key") } }],
  },
  {
    scheme: "paynow",
    label: "PayNow (Singapore)",
    country: "SG",
    currency: "SGD",
    mcc: "0000",
    fields: [{ key: "uen", label: "Company UEN", example: "201403121W" }],
    accounts: (x) => [{ id: 26, gui: "SG.PAYNOW", fields: { "01": "2", "02": v(x, "uen").toUpperCase(), "03": "1" } }],
  },
  {
    scheme: "vietqr",
    label: "VietQR (Vietnam)",
    country: "VN",
    currency: "VND",
    mcc: "5812",
    fields: [
      { key: "bin", label: "Bank BIN (NAPAS)", example: "970415" },
      { key: "account", label: "Account number", example: "0011001932418" },
    ],
    accounts: (x) => [{ id: 38, gui: "A000000727", fields: { "01": formatObject("00", v(x, "bin")) + formatObject("01", v(x, "account")), "02": "QRIBFTTA" } }],
  },
  {
    scheme: "duitnow",
    label: "DuitNow (Malaysia)",
    country: "MY",
    currency: "MYR",
    mcc: "5812",
    fields: [
      { key: "acquirer", label: "Acquirer ID", example: "890087" },
      { key: "merchant", label: "Merchant account", example: "0000000000000000000000091507" },
    ],
    accounts: (x) => [{ id: 26, gui: "A0000006150001", fields: { "01": v(x, "acquirer"), "02": v(x, "merchant") } }],
  },
  {
    scheme: "qris",
    label: "QRIS (Indonesia)",
    country: "ID",
    currency: "IDR",
    mcc: "5812",
    fields: [
      { key: "nmid", label: "NMID", example: "ID1020012345678" },
      { key: "criteria", label: "Merchant criteria", example: "UMI" },
    ],
    accounts: (x) => [{ id: 51, gui: "ID.CO.QRIS.WWW", fields: { "02": v(x, "nmid"), "03": v(x, "criteria").toUpperCase() } }],
  },
];

export function presetFor(scheme: string): SchemePreset | undefined {
  return PRESETS.find((p) => p.scheme === scheme);
}
