// verify tap accepts only the URL the tag serves (issue 16, finding 6). A SUN MAC covers only
// the mirrors, a signature only the query up to "s=": the path, other parameters and anything
// appended after the MAC or signature are covered by nothing, so each such change must be
// refused (BAD_URL, or UNKNOWN_TAG for another host) before any crypto, and never consume the
// tag's counter. A forged MAC with valid PICCData is BAD_MAC (AN12196: PICCData decrypts to
// tag C7, then the MAC is compared); forged PICCData is BAD_PICC. URLs come from the built
// firmware; the genuine URL is verified last, so every refusal above left the store alone.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootTag } from "../nfc/nfc-fixture.ts";
import { buildTapTemplate, setTag } from "../../host-tools/src/ndef/index.ts";
import { ReplayStore, verifySignedUrl, verifyTapUrl, type TagKeys } from "../../host-tools/src/verify/index.ts";
import { FILE, META, keyedTag, tap } from "./tap-fixture.ts";
import type { TapkitError } from "../../host-tools/src/errors/index.ts";

const tag = keyedTag;

function store(t: { onTestFinished(fn: () => void): void }): ReplayStore {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-shape-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return new ReplayStore(join(dir, "replay.json"));
}

/** Each changed URL must be refused with `code`; then the genuine URL still verifies. */
function refusesThenAccepts(url: string, keys: TagKeys[], replay: ReplayStore, changed: [string, string, string][]): void {
  for (const [what, bad, code] of changed) {
    assert.notEqual(bad, url, what);
    assert.throws(
      () => verifyTapUrl(bad, keys, replay),
      (e: TapkitError) => {
        assert.equal(e.code, code, `${what}: ${e.message}`);
        return true;
      },
      what,
    );
  }
  assert.equal(verifyTapUrl(url, keys, replay).counter, 1, "the genuine URL verifies after all the refusals");
}

/** Changes outside what a SUN MAC covers. */
function sunChanges(url: string): [string, string, string][] {
  return [
    ["parameter appended after the MAC", `${url}&amount=999999`, "BAD_URL"],
    ["parameter appended without a separator", `${url}0`, "BAD_URL"],
    ["fragment appended", `${url}#amount=999999`, "BAD_URL"],
    ["parameter inserted before the PICCData", url.replace("?", "?amount=999999&"), "BAD_URL"],
    ["longer path", url.replace("/t?", "/tx?"), "BAD_URL"],
    ["sub-path", url.replace("/t?", "/t/admin?"), "BAD_URL"],
    ["dot segments", url.replace("/t?", "/t/../admin?"), "BAD_URL"],
    ["another host", url.replace("pay.example.com", "pay.example.com.evil.test"), "UNKNOWN_TAG"],
    ["http instead of https", url.replace("https:", "http:"), "UNKNOWN_TAG"],
    ["lower-case PICCData", url.replace(/p=([0-9A-F]{32})/, (_, m: string) => `p=${m.toLowerCase()}`), "BAD_URL"],
    ["percent-encoded character", url.replace(/p=([0-9A-F])/, (_, c: string) => `p=%${c.charCodeAt(0).toString(16).toUpperCase()}`), "BAD_URL"],
    ["parameter given twice", `${url}&c=0000000000000000`, "BAD_URL"],
  ];
}

test("SUN template: appended parameters, a changed path, fragments and re-encodings are BAD_URL; the genuine URL verifies", async (t) => {
  const template = "https://pay.example.com/t?p={picc}&c={mac}";
  const tg = await tag(template);
  t.onTestFinished(() => tg.close());
  const url = await tap(tg);
  refusesThenAccepts(url, [{ name: "plaque-1", template, mode: "sun", metaKey: META, fileKey: FILE }], store(t), sunChanges(url));
});

test("older keys files (url + params) get the same shape check", async (t) => {
  const tg = await tag("https://pay.example.com/t?p={picc}&c={mac}");
  t.onTestFinished(() => tg.close());
  const url = await tap(tg);
  refusesThenAccepts(url, [{ name: "plaque-1", url: "https://pay.example.com/t", mode: "sun", metaKey: META, fileKey: FILE }], store(t), sunChanges(url));
});

test("a forged SUN MAC with valid PICCData is BAD_MAC at every epoch the verifier tries; forged PICCData is BAD_PICC", async (t) => {
  const template = "https://pay.example.com/t?p={picc}&c={mac}";
  const tg = await tag(template, { counterLimit: 4 });
  t.onTestFinished(() => tg.close());
  const keys: TagKeys[] = [{ name: "plaque-1", template, mode: "sun", metaKey: META, fileKey: FILE, counterLimit: 4 }];
  const replay = store(t);
  const flipLast = (u: string) => u.slice(0, -1) + (u.endsWith("0") ? "1" : "0");
  // epochs 0 and 1 are tried at first; after taps in epoch 1, epochs 0..2
  for (let i = 0; i < 6; i++) {
    const url = await tap(tg);
    const forgedMac = flipLast(url);
    assert.throws(
      () => verifyTapUrl(forgedMac, keys, replay),
      (e: TapkitError) => e.code === "BAD_MAC",
      `tap ${i + 1}: forged MAC`,
    );
    const picc = url.match(/p=([0-9A-F]{32})/)![1];
    const forgedPicc = url.replace(picc, (picc[0] === "0" ? "1" : "0") + picc.slice(1));
    assert.throws(
      () => verifyTapUrl(forgedPicc, keys, replay),
      (e: TapkitError) => e.code === "BAD_PICC" || e.code === "BAD_MAC",
      `tap ${i + 1}: forged PICCData`,
    );
    verifyTapUrl(url, keys, replay);
  }
});

test("plain mirror (sun-plain): a counter with a character appended, or a changed UID, is refused", async (t) => {
  const template = "https://pay.example.com/t?u={uid}&n={ctr}&c={mac}";
  const tg = await tag(template);
  t.onTestFinished(() => tg.close());
  const url = await tap(tg);
  refusesThenAccepts(url, [{ name: "plaque-1", template, mode: "sun-plain", fileKey: FILE }], store(t), [
    ["counter with a character appended", url.replace("&c=", "x&c="), "BAD_URL"],
    ["counter in lower-case with a suffix", url.replace("n=000001", "n=000001g"), "BAD_URL"],
    ["another UID (the MAC's session key covers it)", url.replace("u=04A1B2C3D4E5F6", "u=04A1B2C3D4E5F7"), "BAD_MAC"],
    ["parameter appended", `${url}&amount=999999`, "BAD_URL"],
  ]);
});

test("SDMENCFileData template: the encrypted amount verifies and decrypts; anything appended is refused", async (t) => {
  const template = "https://pay.example.com/t?p={picc}&e={enc}&c={mac}";
  const tg = await tag(template, { encPlain: "amount=12.50" });
  t.onTestFinished(() => tg.close());
  const url = await tap(tg);
  const keys: TagKeys[] = [{ name: "plaque-1", template, mode: "sun", metaKey: META, fileKey: FILE }];
  const replay = store(t);
  for (const bad of [`${url}&amount=999999`, url.replace("&e=", "&amount=999999&e=")]) {
    assert.throws(
      () => verifyTapUrl(bad, keys, replay),
      (e: TapkitError) => e.code === "BAD_URL",
    );
  }
  const v = verifyTapUrl(url, keys, replay);
  assert.equal(v.fileData!.slice(0, 12), "amount=12.50");
});

test("signed template: a different path, an amount appended after the signature, a fragment are refused; the signed amount is reported", async (t) => {
  const template = "https://pay.example.com/s?m=shop-42&a=12.50&n={ctr}&t={time}&s={sig}";
  const tg = await bootTag("sim-plaque");
  t.onTestFinished(() => tg.close());
  await setTag(tg.client, buildTapTemplate({ url: template, signSlot: 0 }));
  const url = await tap(tg);
  const publicKey = Buffer.from(tg.device.keystore.publicKey(0)).toString("hex");
  const changes: [string, string, string][] = [
    ["amount appended after the signature", `${url}&a=99.50`, "BAD_URL"],
    ["amount appended after the signature (amount=)", `${url}&amount=999999`, "BAD_URL"],
    ["fragment", `${url}#a=99.50`, "BAD_URL"],
    ["longer path", url.replace("/s?", "/sx?"), "BAD_URL"],
    ["dot segments", url.replace("/s?", "/s/../refund?"), "BAD_URL"],
    ["another host", url.replace("pay.example.com", "evil.example.com"), "UNKNOWN_TAG"],
  ];
  const signedFieldChanged = url.replace("a=12.50", "a=92.50");
  for (const [keys, code] of [
    // the template fixes the amount's text itself; the older form leaves it to the signature
    [[{ name: "plaque-2", template, mode: "signed", publicKey, alg: "ed25519" }], "BAD_URL"],
    [[{ name: "plaque-2", url: "https://pay.example.com/s", mode: "signed", publicKey, alg: "ed25519" }], "BAD_SIGNATURE"],
  ] as [TagKeys[], string][]) {
    const replay = store(t);
    refusesThenAccepts(url, keys, replay, [...changes, ["a signed field changed", signedFieldChanged, code]]);
    assert.equal(verifyTapUrl(await tap(tg), keys, replay).amount, "12.50");
  }
  // the URL-only helper refuses anything after the signature too
  assert.throws(
    () => verifySignedUrl(`${url}&a=99.50`, tg.device.keystore.publicKey(0), "ed25519"),
    (e: TapkitError) => e.code === "BAD_URL",
  );
});
