// Real-world payment codes (tests/vectors/emv-schemes.json, each with its source) under the
// national scheme profiles: each passes its own scheme's rules, "auto" recognises its scheme,
// EMVCo's strict rules flag exactly the objects the scheme makes optional, and the scheme
// rules catch what the scheme forbids. The CLI shows every object even when rules are broken
// and its exit status follows the chosen profile. ISO 4217 codes work in both forms.
import { test } from "vitest";
import assert from "node:assert/strict";
import { inspectPayload } from "../../host-tools/src/emv/inspect.ts";
import { buildPayload, parsePayload } from "../../host-tools/src/emv/mpm.ts";
import { currencyAlpha, currencyNumeric } from "../../host-tools/src/emv/currency.ts";
import { PRESETS } from "../../host-tools/src/emv/scheme-presets.ts";
import { isSchemeId, SCHEMES } from "../../host-tools/src/emv/schemes.ts";
import { crcHex } from "../../host-tools/src/emv/crc16.ts";
import { EMV_SCHEMES } from "../vectors/vectors.ts";
import { HAND_PROFILE } from "./vectors.ts";
import { tapkit } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const errorFields = (payload: string, profile: Parameters<typeof inspectPayload>[1]) =>
  inspectPayload(payload, profile)
    .findings.filter((f) => f.level === "error")
    .map((f) => f.field);

test("every vector carries a source and a correct CRC (re-computed here, not trusted)", () => {
  for (const v of [...EMV_SCHEMES.valid, ...EMV_SCHEMES.schemeBreaches]) {
    assert.ok(v.source.length > 20, v.name);
    assert.ok(isSchemeId(v.profile), v.name);
    if (v.payload.startsWith("upi://")) continue;
    assert.equal(crcHex(v.payload.slice(0, -4)), v.payload.slice(-4), v.name);
  }
});

test("scheme vectors pass their scheme's rules, and auto detection names that scheme", () => {
  for (const v of EMV_SCHEMES.valid) {
    const own = inspectPayload(v.payload, v.profile as never);
    assert.equal(own.errors, 0, `${v.name}: ${JSON.stringify(own.findings)}`);
    const auto = inspectPayload(v.payload, "auto");
    assert.equal(auto.profile, v.profile, v.name);
    assert.equal(auto.detected, true);
    assert.ok(
      auto.rulesApplied.length >= 1 &&
        auto.rulesApplied.join(" ").includes(SCHEMES[v.profile as never as "pix"].name === "EMVCo" ? "EMVCo" : SCHEMES[v.profile as "pix"].name),
    );
  }
});

test("under EMVCo's strict rules, exactly the objects the scheme makes optional are errors; everything parsed is kept", () => {
  for (const v of EMV_SCHEMES.valid) {
    const strict = inspectPayload(v.payload, "emvco");
    const fields = errorFields(v.payload, "emvco");
    if (v.emvcoErrors[0] === "upi") {
      assert.ok(strict.errors > 0, "a upi:// URI is no EMV payload");
      continue;
    }
    assert.deepEqual(
      fields.map((f) => f.slice(0, 2)),
      v.emvcoErrors,
      `${v.name}: ${fields.join("; ")}`,
    );
    // nothing is lost: every object of the payload is in the result
    assert.equal(strict.objects.map((o) => `${o.id}${String(Array.from(o.value).length).padStart(2, "0")}${o.value}`).join(""), v.payload, v.name);
    if (v.emvcoErrors.length) assert.throws(() => parsePayload(v.payload), /mandatory object missing/);
  }
});

test("scheme rules catch what the scheme forbids, naming the object", () => {
  for (const v of EMV_SCHEMES.schemeBreaches) {
    const fields = errorFields(v.payload, v.profile as never);
    for (const want of v.fields) assert.ok(fields.includes(want), `${v.name}: ${want} not in ${fields.join("; ")}`);
    // a rule without a published source is a warning, never an error (schemes.ts UNSOURCED)
    const warnings = inspectPayload(v.payload, v.profile as never).findings.filter((f) => f.level === "warning");
    for (const want of v.warningFields ?? []) {
      assert.ok(!fields.includes(want), `${v.name}: ${want} must not be an error`);
      assert.ok(
        warnings.some((w) => w.field === want && /no published source found/.test(w.rule)),
        `${v.name}: ${want} is a warning that says why`,
      );
    }
  }
  // each scheme names its document, and no rule is left on recall
  for (const s of Object.values(SCHEMES)) {
    assert.ok(s.source.length > 20, s.id);
    assert.ok(!s.rulesApplied.join(" ").includes("[recall]"), s.id);
  }
  // and targeted breaches of each scheme's sub-object formats
  const promptpay = EMV_SCHEMES.valid.find((v) => v.name === "promptpay-mobile-static")!.payload;
  const broken = promptpay.replace("011300668999999995802TH", "0113001689999999958").replace(/6304.{4}$/, "6304");
  assert.ok(errorFields(broken + crcHex(broken), "promptpay").includes("29/01 mobile"));
  const paynow = EMV_SCHEMES.valid.find((v) => v.name === "paynow-uen")!.payload.replace("03011", "03019");
  const pn = paynow.slice(0, -4);
  assert.ok(errorFields(pn + crcHex(pn), "paynow").some((f) => f.endsWith("/03 amount editable")));
});

test("a damaged code still shows every object it can; the breach is a finding, not a refusal", () => {
  const pix = EMV_SCHEMES.valid[0].payload;
  const bad = pix.slice(0, -4) + "0000";
  const r = inspectPayload(bad, "pix");
  assert.equal(r.objects.length, 9);
  assert.deepEqual(
    r.findings.filter((f) => f.level === "error").map((f) => f.field),
    ["63 CRC"],
  );
  const cut = inspectPayload(pix.slice(0, 90), "emvco");
  assert.deepEqual(
    cut.objects.map((o) => o.id),
    ["00", "26", "52", "53", "58"],
    "the objects before the cut are kept",
  );
  assert.ok(cut.findings.some((f) => /truncated object header|runs past the end/.test(f.rule)));
});

test("built profiles pass the scheme they were built for (the page's presets)", () => {
  const values: Record<string, Record<string, string>> = {
    promptpay: { mobile: "0812345678" },
    pix: { key: "loja@example.com.br" },
    paynow: { uen: "201403121W" },
    vietqr: { bin: "970415", account: "0011001932418" },
    duitnow: { acquirer: "890087", merchant: "0000000000000000000000091507" },
    qris: { nmid: "ID1020012345678", criteria: "UMI" },
  };
  for (const p of PRESETS) {
    const payload = buildPayload({
      name: "TEST SHOP",
      city: "CAPITAL",
      country: p.country,
      currency: p.currency,
      mcc: p.mcc,
      postal: p.scheme === "qris" ? "10110" : undefined,
      reference: p.reference,
      accounts: p.accounts(values[p.scheme]),
    });
    const r = inspectPayload(payload, "auto");
    assert.equal(r.profile, p.scheme, payload);
    assert.equal(r.errors, 0, `${p.scheme}: ${JSON.stringify(r.findings)}`);
  }
  // without its reference label a Pix static code breaks the Pix rules
  const noRef = buildPayload({ ...HAND_PROFILE, accounts: [PRESETS.find((x) => x.scheme === "pix")!.accounts({ key: "a@b.co" })[0]] });
  assert.ok(errorFields(noRef, "pix").includes("62/05 txid"));
});

test("ISO 4217: numeric and alphabetic codes are the same currency everywhere", () => {
  assert.equal(currencyNumeric("CNY"), "156");
  assert.equal(currencyNumeric("cny"), "156");
  assert.equal(currencyNumeric("156"), "156");
  assert.equal(currencyAlpha("156"), "CNY");
  assert.equal(currencyAlpha("978"), "EUR");
  assert.throws(() => currencyNumeric("EUX"), /not an ISO 4217/);
  assert.throws(() => currencyNumeric("12"), /three digits/);
  assert.equal(buildPayload({ ...HAND_PROFILE, currency: "BRL" }), buildPayload({ ...HAND_PROFILE, currency: "986" }));
});

test("CLI: emv check follows the chosen profile and names the rules it applied; emv parse always lists the objects", async () => {
  const promptpay = EMV_SCHEMES.valid.find((v) => v.name === "promptpay-mobile-static")!.payload;
  const own = await tapkit(["emv", "check", promptpay, "--profile", "promptpay"]);
  assert.equal(own.code, 0, own.stderr);
  assert.match(own.stdout, /rules applied:[\s\S]*PromptPay \(BOT Thai QR Code Payment Standard\)/);
  assert.match(own.stdout, /OK under PromptPay/);
  const strict = await tapkit(["emv", "check", promptpay, "--profile", "emvco", "--json"]);
  assert.equal(strict.code, 1);
  assert.equal(strict.json.ok, false);
  assert.deepEqual(
    strict.json.findings.filter((f: any) => f.level === "error").map((f: any) => f.field.slice(0, 2)),
    ["52", "59", "60"],
  );
  const parsed = await tapkit(["emv", "parse", promptpay, "--profile", "emvco"]);
  assert.equal(parsed.code, 1);
  assert.match(parsed.stdout, /^29 37 0016A000000677010111/m, "the objects are shown despite the breaches");
  assert.match(parsed.stdout, /INVALID under EMVCo/);
  assert.match(parsed.stderr, /error: 59 merchant name: mandatory object missing/);
  const auto = await tapkit(["emv", "parse", promptpay, "--json"]);
  assert.equal(auto.code, 0);
  assert.equal(auto.json.profile, "promptpay");
  const badProfile = await tapkit(["emv", "check", promptpay, "--profile", "swish"]);
  assert.equal(badProfile.code, 2);
  assert.match(badProfile.stderr, /not a scheme profile/);
  const upi = EMV_SCHEMES.valid.find((v) => v.profile === "upi")!.payload;
  const u = await tapkit(["emv", "check", upi, "--json"]);
  assert.equal(u.code, 0, u.stdout);
  assert.equal(u.json.profile, "upi");
});

test("CLI: --currency takes ISO 4217 numeric and alphabetic codes (merchant profile and wallet)", async () => {
  const args = (cur: string) => [
    "emv",
    "build",
    "--name",
    "SHOP",
    "--city",
    "BEIJING",
    "--country",
    "CN",
    "--currency",
    cur,
    "--mcc",
    "5812",
    "--account",
    "15:ABCDEF1234567890",
    "--json",
  ];
  const numeric = await tapkit(args("156"));
  const alpha = await tapkit(args("CNY"));
  assert.equal(numeric.code, 0, numeric.stderr);
  assert.equal(alpha.json.payload, numeric.json.payload);
  assert.match(numeric.json.payload, /5303156/);
  const unknown = await tapkit(args("XYZ"));
  assert.equal(unknown.code, 1);
  assert.match(unknown.json.error.message, /currency 'XYZ'/);
  const wallet = await tapkit(["wallet", "pay", "--port", "tcp:127.0.0.1:1", "--amount", "100", "--currency", "1560", "--payee", "p"]);
  assert.equal(wallet.code, 2);
  assert.match(wallet.stderr, /currency '1560'/);
});
