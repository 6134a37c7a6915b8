// `tapkit ndef build|parse|lint` and `tapkit verify sun|tap` as a user runs them (the bundled
// CLI that `npm test` builds first): exit codes, --json output, the AN12196 vector, and the
// replay store on disk refusing a second use of a tap URL.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ndef from "ndef";
import { tapkit } from "../cli/cli-helpers.ts";
import { bootTag, hex } from "./nfc-fixture.ts";
import { buildTapTemplate, readNdefType4, setTag } from "../../host-tools/src/ndef/index.ts";
import { ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const Z = "00".repeat(16);

test("tapkit verify sun: AN12196 vector valid (exit 0), a flipped MAC bit fails with BAD_MAC (exit 1); plain and enc forms", async () => {
  const ok = await tapkit([
    "verify",
    "sun",
    "--picc",
    "EF963FF7828658A599F3041510671E88",
    "--mac",
    "94EED9EE65337086",
    "--meta-key",
    Z,
    "--file-key",
    Z,
    "--json",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual([ok.json.uid, ok.json.counter], ["04DE5F1EACC040", 61]);
  const bad = await tapkit([
    "verify",
    "sun",
    "--picc",
    "EF963FF7828658A599F3041510671E88",
    "--mac",
    "94EED9EE65337087",
    "--meta-key",
    Z,
    "--file-key",
    Z,
    "--json",
  ]);
  assert.equal(bad.code, 1);
  assert.equal(bad.json.error.code, "BAD_MAC");
  const enc = await tapkit([
    "verify",
    "sun",
    "--picc",
    "FD91EC264309878BE6345CBE53BADF40",
    "--enc",
    "CEE9A53E3E463EF1F459635736738962",
    "--mac",
    "ECC1E7F6C6C73BF6",
    "--meta-key",
    Z,
    "--file-key",
    Z,
  ]);
  assert.equal(enc.code, 0, enc.stderr);
  assert.match(enc.stdout, /UID 04958CAA5C5E80, counter 8/);
  assert.match(enc.stdout, /"xxxxxxxxxxxxxxxx"/);
});

test("tapkit ndef build/parse/lint round trip, checked with the ndef package", async () => {
  const built = await tapkit(["ndef", "build", "--uri", "https://pay.example.com/m/12345", "--aar", "com.example.pay", "--json"]);
  assert.equal(built.code, 0, built.stderr);
  const records = ndef.decodeMessage(Array.from(hex(built.json.message)));
  assert.equal(records[0].value, "https://pay.example.com/m/12345");
  assert.deepEqual(built.json.lint, { errors: [], warnings: [] });
  const parsed = await tapkit(["ndef", "parse", built.json.message, "--json"]);
  assert.deepEqual(parsed.json.records, [
    { kind: "uri", uri: "https://pay.example.com/m/12345", code: 4 },
    { kind: "aar", package: "com.example.pay" },
  ]);
  const lint = await tapkit(["ndef", "lint", Buffer.from(ndef.encodeMessage([ndef.uriRecord("http://x.example")])).toString("hex"), "--json"]);
  assert.equal(lint.code, 1);
  assert.deepEqual(lint.json, { errors: ["not-https"], warnings: ["no-aar"] });
  const tap = await tapkit(["ndef", "build", "--tap", "https://pay.example.com/t?p={picc}&c={mac}", "--json"]);
  // NLEN 2 + header D1 01 PL 55 + URI code, then "pay.example.com/t?p=" (20), then 32 + "&c=".
  assert.deepEqual([tap.json.mirror.picc, tap.json.mirror.mac, tap.json.mirror.mac_in], [2 + 4 + 1 + 20, 2 + 4 + 1 + 20 + 35, 2 + 4 + 1 + 20 + 35]);
  const broken = await tapkit(["ndef", "parse", "D10109550461", "--json"]);
  assert.equal(broken.json.error.code, "NDEF_TRUNCATED");
});

test("tapkit verify tap: a URL from the firmware verifies once; the same URL again is a REPLAY (exit 1)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-verify-"));
  const t = await bootTag("sim-plaque");
  try {
    const key = "000102030405060708090A0B0C0D0E0F";
    t.device.keystore.import(2, ALG_AES128, hex(key));
    t.device.keystore.import(3, ALG_AES128, hex(key).reverse());
    await setTag(t.client, buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}" }));
    const url = ndef.decodeMessage(Array.from((await readNdefType4((a) => t.device.nfcApdu(a))).message))[0].value;
    const keys = join(dir, "keys.json");
    writeFileSync(
      keys,
      JSON.stringify({
        tags: [{ name: "plaque-1", url: "https://pay.example.com/t", mode: "sun", metaKey: key, fileKey: Buffer.from(hex(key).reverse()).toString("hex") }],
      }),
    );
    const first = await tapkit(["verify", "tap", url, "--keys", keys, "--json"]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual([first.json.uid, first.json.counter], ["04A1B2C3D4E5F6", 1]);
    const again = await tapkit(["verify", "tap", url, "--keys", keys, "--json"]);
    assert.equal(again.code, 1);
    assert.equal(again.json.error.code, "REPLAY");
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "keys.replay.json"), "utf8")), { "plaque-1:04A1B2C3D4E5F6": 1 });
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
