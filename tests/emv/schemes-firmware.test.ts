// The firmware builds the national schemes' codes: for every real-world vector
// (tests/vectors/emv-schemes.json), the profile the host reads out of it is stored with
// merchant.set (currency sent as the alphabetic code, which the firmware's ISO 4217 table
// turns into the numeric one), and the firmware's payload passes that scheme's rules with the
// vector's account templates unchanged; the PayNow vector, in canonical order, comes back byte
// for byte. The panel then shows the code, and jsQR and zbarimg both read it back exactly.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHANNEL } from "../../host-tools/src/link/index.ts";
import { inspectPayload } from "../../host-tools/src/emv/inspect.ts";
import { currencyAlpha } from "../../host-tools/src/emv/currency.ts";
import type { SchemeId } from "../../host-tools/src/emv/schemes.ts";
import { bitmapToPng } from "../../host-tools/src/raster/framebuffer.ts";
import { decodeBitmapWithJsqr, decodeWithZbar, zbarAvailable } from "../../host-tools/src/qr/decoders.ts";
import { EMV_SCHEMES } from "../vectors/vectors.ts";
import { plaque } from "../qr/qr-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const EMV_VECTORS = EMV_SCHEMES.valid.filter((v) => !v.payload.startsWith("upi://") && v.firmware !== false);

test("the firmware stores each scheme's profile and builds a code that passes the scheme's rules; panel codes decode with jsQR and zbarimg", async (t) => {
  const { client } = await plaque(t);
  const app = (op: string, args: Record<string, unknown> = {}) => client.session.request(CHANNEL.APP, op, args);
  const dir = mkdtempSync(join(tmpdir(), "tapkit-schemes-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const shown: { name: string; payload: string; file: string }[] = [];
  for (const v of EMV_VECTORS) {
    const src = inspectPayload(v.payload, v.profile as SchemeId);
    const get = (id: string) => src.objects.find((o) => o.id === id)?.value;
    const accounts = src.objects
      .filter((o) => Number(o.id) >= 2 && Number(o.id) <= 51)
      .map((o) => `${o.id}${String(o.value.length).padStart(2, "0")}${o.value}`)
      .join("");
    const args: Record<string, unknown> = {
      name: get("59") ?? "TEST SHOP",
      city: get("60") ?? "CAPITAL",
      country: get("58"),
      currency: currencyAlpha(get("53")!),
      mcc: get("52") ?? "0000",
      accounts,
    };
    if (get("61")) args.postal = get("61");
    const ref = src.templates["62"]?.find((s) => s.id === "05")?.value;
    if (ref && !get("54")) args.ref = ref;
    await app("merchant.set", args);
    const amount = get("54");
    const built = (await app("emv.build", amount ? { amount } : {})).payload as string;
    const r = inspectPayload(built, v.profile as SchemeId);
    assert.equal(r.errors, 0, `${v.name}: ${built}\n${JSON.stringify(r.findings)}`);
    for (const o of src.objects.filter((o) => Number(o.id) >= 2 && Number(o.id) <= 51))
      assert.equal(r.objects.find((x) => x.id === o.id)?.value, o.value, `${v.name}: account ${o.id} unchanged`);
    assert.equal(r.objects.find((x) => x.id === "53")?.value, get("53"), `${v.name}: alphabetic ${args.currency} became ${get("53")}`);
    if (v.name === "paynow-uen") assert.equal(built, v.payload, "canonical order: byte for byte");
    const stored = await app("merchant.get");
    assert.equal(stored.ref, ref && !amount ? ref : "");

    // The panel's dynamic code carries the next reference (62/05 TK<n>); it passes the rules too.
    const code = amount ? await app("qr.amount", { amount }) : await app("qr.static");
    if (amount) assert.equal(inspectPayload(code.payload as string, v.profile as SchemeId).errors, 0, code.payload as string);
    else assert.equal(code.payload, built);
    const fb = await client.framebuffer();
    const jsqr = decodeBitmapWithJsqr(fb);
    assert.ok(jsqr, `${v.name}: jsQR reads the panel`);
    assert.equal(new TextDecoder().decode(jsqr), code.payload, v.name);
    const file = join(dir, `${v.name}.png`);
    writeFileSync(file, bitmapToPng(fb, 3));
    shown.push({ name: v.name, payload: code.payload as string, file });
    if (amount) await app("qr.static");
  }
  if (!zbarAvailable()) {
    console.warn("SKIPPED the zbarimg half: zbarimg is not installed (apt-get install zbar-tools; .ci/run installs it)");
    return;
  }
  const zbar = decodeWithZbar(shown.map((s) => s.file));
  shown.forEach((s, i) => assert.equal(zbar[i] && new TextDecoder().decode(zbar[i]!), s.payload, `${s.name}: zbarimg`));
});

test("firmware: alphabetic currencies it knows become numeric; unknown ones are refused naming 53", async (t) => {
  const { client } = await plaque(t);
  const base = { name: "SHOP", city: "BEIJING", country: "CN", mcc: "5812", accounts: "1516ABCDEF1234567890" };
  await client.session.request(CHANNEL.APP, "merchant.set", { ...base, currency: "CNY" });
  assert.match((await client.session.request(CHANNEL.APP, "emv.build")).payload as string, /5303156/);
  assert.equal((await client.session.request(CHANNEL.APP, "merchant.get")).currency, "156");
  await assert.rejects(client.session.request(CHANNEL.APP, "merchant.set", { ...base, currency: "XYZ" }), /currency \(53\)/);
});
