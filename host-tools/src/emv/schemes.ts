// National scheme profiles on top of EMVCo MPM: what each scheme's own specification changes
// (which account template and GUID, fixed currency and country, objects it makes optional,
// its sub-object formats), each with the document it comes from. inspect.ts applies one;
// `tapkit emv check --profile <id>` and the web page name the rules they applied.
// Sources: each scheme's `source` names its published document (URL and section where one
// could be reached; docs/ and the search notes of 2026-12-04). A rule whose published source
// could not be found says so in its comment and in `rulesApplied` (UNSOURCED) and is checked
// as a warning, never an error: a real code the scheme's own apps accept must not be refused
// on our memory of a rule.
import { describeCurrency } from "./currency.ts";
import { FindingList, type Finding, type PayloadView } from "./inspect.ts";
import { splitObjects } from "./tlv.ts";

export const SCHEME_IDS = ["emvco", "pix", "promptpay", "paynow", "sgqr", "vietqr", "duitnow", "qris", "upi"] as const;
export type SchemeId = (typeof SCHEME_IDS)[number];

export interface Scheme {
  id: SchemeId;
  name: string;
  /** the scheme's own document */
  source: string;
  country?: string;
  /** ISO 4217 numeric */
  currency?: string;
  /** base rule ids (inspect.ts) this scheme does not apply: their findings become warnings */
  relaxed: string[];
  /** scheme-specific rules */
  check(v: PayloadView, f: FindingList): void;
  /** is this payload one of ours (profile "auto") */
  detect(v: PayloadView): boolean;
  /** for people: the differences from EMVCo this profile applies */
  rulesApplied: string[];
}

const EMVCO_LINE = "EMVCo QR Code Specification for Payment Systems, Merchant-Presented Mode v1.1: data objects, lengths, CRC-16/CCITT-FALSE";
/** Said of a rule whose scheme document could not be found: it is checked as a warning only. */
const UNSOURCED = "no published source found: checked as a warning, not an error";

/** One account template with `gui`; its ID or undefined (finding added). */
function requireAccount(v: PayloadView, f: FindingList, gui: string, ids: string[] | undefined, scheme: string, hint: string): string | undefined {
  const found = v.accountsWithGui(gui).filter((id) => !ids || ids.includes(id));
  f.need(found.length > 0, `${scheme}:account`, `${ids ? ids.join("/") : "26-51"}/00 GUID`, `${scheme} requires an account template with GUID ${gui}`, hint);
  return found[0];
}

function fixed(v: PayloadView, f: FindingList, s: Pick<Scheme, "name" | "country" | "currency">, level: "error" | "warning" = "error"): void {
  if (s.currency && v.byId.has("53"))
    f.need(
      v.byId.get("53") === s.currency,
      `${s.name}:53`,
      "53 currency",
      `must be ${describeCurrency(s.currency)} under ${s.name}`,
      `write 5303${s.currency}`,
      level,
    );
  if (s.country && v.byId.has("58"))
    f.need(v.byId.get("58") === s.country, `${s.name}:58`, "58 country", `must be ${s.country} under ${s.name}`, `write 5802${s.country}`, level);
}

const sub = (v: PayloadView, id: string | undefined, s: string) => (id ? v.sub(id, s) : undefined);

export const SCHEMES: Record<SchemeId, Scheme> = {
  emvco: {
    id: "emvco",
    name: "EMVCo",
    source: "EMVCo, QR Code Specification for Payment Systems (EMV QRCPS), Merchant-Presented Mode v1.1",
    relaxed: [],
    check() {},
    detect: () => true,
    rulesApplied: [EMVCO_LINE],
  },
  pix: {
    id: "pix",
    name: "Pix",
    // Banco Central do Brasil, Manual de Padrões para Iniciação do Pix (Regulamento Pix, annex II;
    // v2.3.0: https://www.bcb.gov.br/content/estabilidadefinanceira/pix/Regulamento_Pix/II_ManualdePadroesparaIniciacaodoPix_versao2-3-0.pdf,
    // the QR Code chapter: the BR Code layout, template 26 GUI br.gov.bcb.pix with 01 chave / 02
    // info / 25 URL, 62/05 txid "***"), on top of the BR Code manual
    // (https://www.bcb.gov.br/content/estabilidadefinanceira/spb_docs/ManualBRCode.pdf) for the EMVCo base.
    source:
      "Banco Central do Brasil, Manual de Padrões para Iniciação do Pix, QR Code chapter (https://www.bcb.gov.br/content/estabilidadefinanceira/pix/Regulamento_Pix/II_ManualdePadroesparaIniciacaodoPix_versao2-3-0.pdf)",
    country: "BR",
    currency: "986",
    relaxed: [],
    detect: (v) => v.accountsWithGui("br.gov.bcb.pix").length > 0,
    check(v, f) {
      const id = requireAccount(v, f, "br.gov.bcb.pix", undefined, "Pix", "add 26 with 0014br.gov.bcb.pix and 01 = the Pix key (chave)");
      const key = sub(v, id, "01");
      const url = sub(v, id, "25");
      if (id)
        f.need(
          (key !== undefined) !== (url !== undefined),
          "pix:key",
          `${id}/01 chave or ${id}/25 URL`,
          "exactly one of key (static) or location URL (dynamic)",
          "static codes carry 01 = key; dynamic ones 25 = the PSP's URL",
        );
      if (key !== undefined)
        f.need(Array.from(key).length <= 77, "pix:key", `${id}/01 chave`, "at most 77 characters", "e-mail, +55 phone, CPF/CNPJ or random key (EVP)");
      const txid = v.sub("62", "05");
      f.need(txid !== undefined, "pix:txid", "62/05 txid", "mandatory under Pix (*** when the receiver gives none)", "add 62 with 0503***");
      if (txid !== undefined)
        f.need(txid === "***" || /^[A-Za-z0-9]{1,25}$/.test(txid), "pix:txid", "62/05 txid", "*** or 1-25 letters and digits", "e.g. 0503*** or 0510PEDIDO42");
      fixed(v, f, this);
    },
    rulesApplied: [
      EMVCO_LINE,
      "Pix (BCB BR Code manual): template with GUI br.gov.bcb.pix (any case), exactly one of 01 key / 25 URL, 02 free text; 53 = 986, 58 = BR; 62/05 txid mandatory (*** if none, else 1-25 alphanumerics); 01 optional",
    ],
  },
  promptpay: {
    id: "promptpay",
    name: "PromptPay",
    // Bank of Thailand / Thai Bankers' Association, Thai QR Code Payment Standard (tag 29 PromptPay
    // credit transfer, AID A000000677010111, sub-tags 01 mobile 0066+9 digits / 02 national or tax
    // ID 13 / 03 e-wallet 15; tag 30 bill payment, AID A000000677010112, 01 biller ID 15). The BOT
    // document itself was not reachable from here; the sub-tag table is cross-read against
    // https://thai-qr-payment.js.org/reference/spec/ ("PromptPay merchant template (under tag 29)"),
    // which follows the BOT/TBA supplement, and dtinth/promptpay-qr's vectors (tests/vectors).
    source: "Bank of Thailand, Thai QR Code Payment Standard (PromptPay credit transfer tag 29, bill payment tag 30)",
    country: "TH",
    currency: "764",
    relaxed: ["mandatory:52", "mandatory:59", "mandatory:60"],
    detect: (v) => v.accountsWithGui("A000000677010111").length + v.accountsWithGui("A000000677010112").length > 0,
    check(v, f) {
      const transfer = v.accountsWithGui("A000000677010111").filter((id) => id === "29")[0];
      const bill = v.accountsWithGui("A000000677010112").filter((id) => id === "30")[0];
      f.need(
        !!transfer || !!bill,
        "promptpay:account",
        "29/30 PromptPay",
        "requires template 29 (AID A000000677010111) or 30 (AID A000000677010112)",
        "e.g. 29 with 01 = 0066 + mobile without its leading 0",
      );
      if (transfer) {
        const ids = (["01", "02", "03", "04"] as const).filter((s) => v.sub(transfer, s) !== undefined);
        f.need(
          ids.length === 1,
          "promptpay:target",
          "29 target",
          "exactly one of 01 mobile, 02 national/tax ID, 03 e-wallet ID, 04 bank account",
          "a PromptPay code pays one target",
        );
        const mobile = v.sub(transfer, "01");
        if (mobile !== undefined)
          f.need(
            /^0066\d{9}$/.test(mobile),
            "promptpay:mobile",
            "29/01 mobile",
            "13 digits: 0066 + the number without its leading 0",
            "0812345678 -> 0066812345678",
          );
        const nid = v.sub(transfer, "02");
        if (nid !== undefined) f.need(/^\d{13}$/.test(nid), "promptpay:nid", "29/02 national ID", "13 digits", "the citizen or tax ID without dashes");
        const wallet = v.sub(transfer, "03");
        if (wallet !== undefined) f.need(/^\d{15}$/.test(wallet), "promptpay:wallet", "29/03 e-wallet ID", "15 digits", "the e-wallet ID");
      }
      if (bill)
        f.need(/^\d{15}$/.test(v.sub(bill, "01") ?? ""), "promptpay:biller", "30/01 biller ID", "15 digits (tax ID + suffix)", "the biller ID from the bank");
      fixed(v, f, this);
    },
    rulesApplied: [
      EMVCO_LINE,
      "PromptPay (BOT Thai QR Code Payment Standard): template 29 (A000000677010111: exactly one of 01 mobile 0066+9 digits, 02 national ID 13 digits, 03 e-wallet 15 digits) or 30 (A000000677010112 bill payment, 01 biller ID 15 digits); 53 = 764, 58 = TH; 52, 59, 60 optional (personal transfer codes omit them)",
    ],
  },
  paynow: {
    id: "paynow",
    name: "PayNow",
    // The Association of Banks in Singapore, PayNow QR specification (template GUID SG.PAYNOW: 01 proxy
    // type, 02 proxy value, 03 amount editable, 04 expiry). The SGQR specification's sample code
    // (tests/vectors/emv-schemes.json sgqr-spec-sample) carries the same template: 0009SG.PAYNOW,
    // 01 "0", 02 "+65...", 03 "0", 04 YYYYMMDD.
    source: "The Association of Banks in Singapore, PayNow QR code specification (on SGQR / EMVCo MPM)",
    country: "SG",
    currency: "702",
    relaxed: [],
    detect: (v) => v.accountsWithGui("SG.PAYNOW").length > 0,
    check(v, f) {
      const id = requireAccount(v, f, "SG.PAYNOW", undefined, "PayNow", "add 26 with 0009SG.PAYNOW, 01 proxy type, 02 proxy value, 03 editable");
      if (id) {
        const type = v.sub(id, "01");
        const proxy = v.sub(id, "02") ?? "";
        f.need(
          type === "0" || type === "2",
          "paynow:type",
          `${id}/01 proxy type`,
          '"0" (mobile) or "2" (UEN)',
          "0 for a +65 mobile number, 2 for a company UEN",
        );
        if (type === "0") f.need(/^\+65\d{8}$/.test(proxy), "paynow:proxy", `${id}/02 proxy value`, "a mobile proxy is +65 and 8 digits", "e.g. +6591234567");
        if (type === "2") f.need(/^[0-9A-Z]{9,10}$/.test(proxy), "paynow:proxy", `${id}/02 proxy value`, "a UEN is 9-10 letters and digits", "e.g. 201403121W");
        f.need(
          /^[01]$/.test(v.sub(id, "03") ?? ""),
          "paynow:editable",
          `${id}/03 amount editable`,
          'mandatory, "0" or "1"',
          "1 lets the payer change the amount",
        );
        const exp = v.sub(id, "04");
        if (exp !== undefined) f.need(/^\d{8}$/.test(exp), "paynow:expiry", `${id}/04 expiry`, "YYYYMMDD", "e.g. 20301231");
      }
      fixed(v, f, this);
    },
    rulesApplied: [
      EMVCO_LINE,
      "PayNow (ABS PayNow QR): template with GUID SG.PAYNOW: 01 proxy type 0 mobile / 2 UEN, 02 proxy (+65 and 8 digits, or a 9-10 character UEN), 03 amount editable 0/1 (mandatory), 04 expiry YYYYMMDD; 53 = 702, 58 = SG",
    ],
  },
  sgqr: {
    id: "sgqr",
    name: "SGQR",
    // MAS / IMDA, SGQR specification: root template 51 "SGQR ID". The MAS/IMDA document itself could
    // not be found; its sample code (merchant FOOD XYZ PTE LTD, CRC 317F) is reproduced in full at
    // https://victor.medium.com/a-quick-guide-into-how-sgqr-code-works-126e20bad640 and kept in
    // tests/vectors/emv-schemes.json: 51 = 00 SG.SGQR, 01 "180307510317" (12 characters), 02 version
    // "01.0000", 03 postal "081006" (6 digits), 04 level, 05 unit, 06 misc, 07 date. One sample shows
    // the GUID and template (an error when missing) but not the length rules: 01 and 03 are warnings.
    source:
      "MAS / IMDA, SGQR specification (root template 51 'SGQR ID'); document not reachable, its sample code reproduced at https://victor.medium.com/a-quick-guide-into-how-sgqr-code-works-126e20bad640",
    country: "SG",
    currency: "702",
    relaxed: [],
    detect: (v) => v.accountsWithGui("SG.SGQR").length > 0,
    check(v, f) {
      const id = requireAccount(v, f, "SG.SGQR", ["51"], "SGQR", "add 51 with 0007SG.SGQR, 01 SGQR ID, 02 version");
      if (id) {
        f.need(
          /^.{12}$/.test(v.sub(id, "01") ?? ""),
          "sgqr:id",
          "51/01 SGQR ID",
          `12 characters, as in the specification's sample (${UNSOURCED})`,
          "the ID the SGQR centralised repository assigned",
          "warning",
        );
        const postal = v.sub(id, "03");
        if (postal !== undefined)
          f.need(/^\d{6}$/.test(postal), "sgqr:postal", "51/03 postal code", `6 digits (${UNSOURCED})`, "a Singapore postal code", "warning");
      }
      fixed(v, f, this);
    },
    rulesApplied: [
      EMVCO_LINE,
      `SGQR (the specification's sample code): template 51 with GUID SG.SGQR; 53 = 702, 58 = SG; 01 SGQR ID 12 characters and 03 postal code 6 digits are warnings (${UNSOURCED})`,
    ],
  },
  vietqr: {
    id: "vietqr",
    name: "VietQR",
    // NAPAS, Technical Specifications on NAPAS QR Switching, Part IV: QR Code Format, v1.5.2 (January
    // 2021), section 5.2.3.2 "Merchant Account Information Template (ID 26-51)": template 38, GUID
    // A000000727, 01 beneficiary organisation (00 acquirer BIN, 01 merchant/consumer account), 02
    // service code (QRPUSH, QRIBFTTA to account, QRIBFTTC to card); section 5.2.4-5.2.5 for 52/53.
    // Published copy: https://www.scribd.com/document/739763909 (NAPAS247 VietQR format, English).
    source: "NAPAS, Technical Specifications on NAPAS QR Switching, Part IV: QR Code Format v1.5.2, section 5.2.3.2 (template 38, GUID A000000727)",
    country: "VN",
    currency: "704",
    relaxed: ["mandatory:52", "mandatory:59", "mandatory:60"],
    detect: (v) => v.accountsWithGui("A000000727").length > 0,
    check(v, f) {
      const id = requireAccount(v, f, "A000000727", ["38"], "VietQR", "add 38 with 0010A000000727, 01 beneficiary (00 bank BIN, 01 account), 02 service code");
      if (id) {
        const org = v.sub(id, "01");
        const inner = org === undefined ? [] : splitObjects(org, `${id}/01`).objects;
        const bin = inner.find((o) => o.id === "00")?.value ?? "";
        const acct = inner.find((o) => o.id === "01")?.value ?? "";
        f.need(/^\d{6}$/.test(bin), "vietqr:bin", `${id}/01/00 acquirer BIN`, "mandatory, 6 digits", "the bank's NAPAS BIN, e.g. 970415");
        f.need(
          /^[0-9A-Za-z]{1,19}$/.test(acct),
          "vietqr:account",
          `${id}/01/01 account or card`,
          "mandatory, 1-19 letters and digits",
          "the beneficiary's account or card number",
        );
        f.need(
          ["QRIBFTTA", "QRIBFTTC", "QRPUSH"].includes(v.sub(id, "02") ?? ""),
          "vietqr:service",
          `${id}/02 service code`,
          "QRIBFTTA (to account), QRIBFTTC (to card) or QRPUSH (merchant)",
          "most transfer codes use QRIBFTTA",
        );
      }
      fixed(v, f, this);
    },
    rulesApplied: [
      EMVCO_LINE,
      "VietQR (NAPAS): template 38 with GUID A000000727: 01 beneficiary organisation (00 acquirer BIN 6 digits, 01 account/card up to 19), 02 service code QRIBFTTA/QRIBFTTC/QRPUSH; 53 = 704, 58 = VN; 52, 59, 60 optional",
    ],
  },
  duitnow: {
    id: "duitnow",
    name: "DuitNow",
    // PayNet, DuitNow National QR Code Standard, Merchant Presented Mode V1.5,
    // https://docs.developer.paynet.my/docs/duitNow-QR/integration/QR-generation-specification/merchant-presented-mode/qr-data-object
    // ("DuitNow QR Data Object": 26 merchant account information mandatory, 27 RFU; 53 = 458) and its
    // page "Merchant Account Information (IDs 26-27)" (GUID A0000006150001, 01 acquirer ID, 02
    // merchant account).
    source:
      "PayNet, DuitNow QR Merchant Presented Mode V1.5, QR Data Object (https://docs.developer.paynet.my/docs/duitNow-QR/integration/QR-generation-specification/merchant-presented-mode/qr-data-object)",
    country: "MY",
    currency: "458",
    relaxed: [],
    detect: (v) => v.accountsWithGui("A0000006150001").length > 0,
    check(v, f) {
      const id = requireAccount(v, f, "A0000006150001", undefined, "DuitNow", "add 26 with 0014A0000006150001, 01 acquirer ID, 02 merchant account");
      if (id) {
        f.need(/^\d{6}$/.test(v.sub(id, "01") ?? ""), "duitnow:acquirer", `${id}/01 acquirer ID`, "mandatory, 6 digits", "e.g. 890087");
        f.need(
          (v.sub(id, "02") ?? "").length > 0,
          "duitnow:merchant",
          `${id}/02 merchant account`,
          "mandatory",
          "the merchant's DuitNow account from the acquirer",
        );
      }
      fixed(v, f, this);
    },
    rulesApplied: [EMVCO_LINE, "DuitNow (PayNet): template with GUID A0000006150001: 01 acquirer ID 6 digits, 02 merchant account; 53 = 458, 58 = MY"],
  },
  qris: {
    id: "qris",
    name: "QRIS",
    // Bank Indonesia, Regulation of the Board of Governors 21/18/PADG/2019 on the national QR code
    // standard (QRIS), which adopts ASPI's QRIS technical standard (template 51 GUID ID.CO.QRIS.WWW,
    // 02 NMID, 03 merchant criteria). ASPI's technical document is not published openly; that 61
    // postal code is mandatory could not be confirmed in any published source, so it is a warning.
    source: "Bank Indonesia PADG 21/18/PADG/2019 (QRIS national standard) adopting ASPI's QRIS MPM technical standard",
    country: "ID",
    currency: "360",
    relaxed: [],
    detect: (v) => v.accountsWithGui("ID.CO.QRIS.WWW").length > 0 || (v.byId.get("58") === "ID" && v.byId.get("53") === "360"),
    check(v, f) {
      const id = requireAccount(v, f, "ID.CO.QRIS.WWW", ["51"], "QRIS", "add 51 with 0014ID.CO.QRIS.WWW, 02 NMID, 03 merchant criteria");
      if (id) {
        f.need(
          /^ID\d{10,13}$/.test(v.sub(id, "02") ?? ""),
          "qris:nmid",
          "51/02 NMID",
          "national merchant ID: ID and 10-13 digits",
          "as issued by the QRIS registry",
        );
        f.need(
          /^(UMI|UKE|UME|UBE|URE)$/.test(v.sub(id, "03") ?? ""),
          "qris:criteria",
          "51/03 merchant criteria",
          "UMI, UKE, UME, UBE or URE",
          "the merchant's size class",
        );
      }
      f.need(v.byId.has("61"), "qris:postal", "61 postal code", `expected under QRIS (${UNSOURCED})`, "the merchant's 5-digit postal code", "warning");
      fixed(v, f, this);
    },
    rulesApplied: [
      EMVCO_LINE,
      `QRIS (BI/ASPI): template 51 with GUID ID.CO.QRIS.WWW: 02 NMID (ID + digits), 03 criteria UMI/UKE/UME/UBE/URE; acquirer templates 26-45 keep their own GUIDs; 53 = 360, 58 = ID; 61 postal code a warning (${UNSOURCED})`,
    ],
  },
  upi: {
    id: "upi",
    name: "UPI",
    // NPCI, UPI Linking Specifications v1.6 (November 2017), section 1.2 "Link Specification and
    // Parameters" (pa, pn, mc, tr, tn, am, cu) and 2.2 "QR Code"; published copy:
    // https://studylib.net/doc/27265723/upi.linking.specs-ver.1.6. The EMV form (BharatQR) is
    // NPCI's with Visa, Mastercard and RuPay and not published openly: its 53/58 checks are warnings.
    source: "NPCI, UPI Linking Specifications v1.6, sections 1.2 and 2.2 (upi://pay URI); EMV form (BharatQR): no published source found",
    country: "IN",
    currency: "356",
    relaxed: [],
    detect: (v) => /^upi:\/\//i.test(v.text) || (v.byId.get("58") === "IN" && v.byId.get("53") === "356"),
    check(v, f) {
      fixed(v, f, this, "warning");
    },
    rulesApplied: [
      "UPI (NPCI UPI Linking Specifications v1.6): upi://pay URI, pa (VPA name@handle) and pn mandatory, am decimal with up to 2 decimals, cu = INR, mc 4 digits, tn up to 50 characters, values percent-encoded",
      `UPI in EMV form (BharatQR): EMVCo rules; 53 = 356, 58 = IN are warnings (${UNSOURCED})`,
    ],
  },
};

/** Profile "auto": the first scheme (most specific first) whose templates and country (58) appear, else EMVCo. */
export function detectScheme(v: PayloadView): SchemeId {
  const country = v.byId.get("58");
  for (const id of ["upi", "qris", "pix", "promptpay", "vietqr", "sgqr", "paynow", "duitnow"] as const) {
    const s = SCHEMES[id];
    // A code that carries several schemes' templates belongs to the one of its country.
    if (s.detect(v) && (country === undefined || country === s.country)) return id;
  }
  return "emvco";
}

/** Base findings with the scheme's relaxations applied, then the scheme's own. */
export function applyScheme(s: Scheme, v: PayloadView, base: Finding[]): Finding[] {
  const out = base.map((x) =>
    x.level === "error" && s.relaxed.includes(x.id) ? { ...x, level: "warning" as const, rule: `${x.rule} (optional under ${s.name})` } : x,
  );
  const f = new FindingList();
  s.check(v, f);
  return [...out, ...f.items];
}

export function isSchemeId(s: string): s is SchemeId {
  return (SCHEME_IDS as readonly string[]).includes(s);
}
