// The technician's commands end to end, as the bundled CLI against simulated boards over
// TCP: tap (Type 4 read, NDEF checked with the `ndef` package, SUN verified with the demo
// keys the simulator exports), scan (the saved PNG re-decoded here with jsQR from the file and
// zbarimg), doctor (key slots without values, the tag counter, the firmware's refusal ring),
// the merchant profile round trip, and the small defects of issue 14 item 4 that need a device.
import { test, beforeAll, afterAll } from "vitest";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ndef from "ndef";
import { startSim, tapkit, tempDir, type BackgroundSim } from "../cli/cli-helpers.ts";
import { startSimulator, type RunningSimulator } from "../../host-tools/src/sim/run.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { decodeWithJsqr, decodeWithZbar, zbarAvailable } from "../../host-tools/src/qr/decoders.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

if (!zbarAvailable()) console.warn("\n*** field CLI test: zbarimg missing (Debian package zbar-tools): scan is checked with jsQR only ***\n");

let plaque: RunningSimulator;
let port: string;
let card: BackgroundSim;

beforeAll(async () => {
  plaque = await startSimulator({ board: loadBoard("sim-plaque"), wasmPath: firmwarePath("sim-plaque"), tcpPort: 0, baud: 921600 });
  port = `tcp:127.0.0.1:${plaque.ports.tcp}`;
  // The card through `tapkit sim` itself: its demo set-up (the DEMO wallet) is the CLI's.
  card = await startSim(["--board", "sim-card", "--no-pty"]);
}, 180_000);

afterAll(async () => {
  await plaque?.stop();
  await card?.stop();
});

function keysFile(dir: string, fileKey = toHex(plaque.device.keystore.demoSecret(3))): string {
  const path = join(dir, "keys.json");
  const tag = { name: "demo", template: "https://tapkit.dev/t?p={picc}&c={mac}", mode: "sun", metaKey: toHex(plaque.device.keystore.demoSecret(2)), fileKey };
  writeFileSync(path, JSON.stringify({ tags: [tag] }));
  return path;
}

test("tap: without keys the URL and 'not verified: no keys'; with the keys verified, UID and a counter rising by one; a wrong key is refused (exit 1)", async (t) => {
  const bare = await tapkit(["tap", "--port", port, "--json"]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal(bare.json.verdict, "not-verified");
  assert.match(bare.json.reason, /not verified: no keys/);
  // The `ndef` package reads the message the command read, and finds the same URL.
  const [record] = ndef.decodeMessage(Array.from(Buffer.from(bare.json.message, "hex")));
  assert.equal(record.value, bare.json.url);
  assert.match(bare.json.url, /^https:\/\/tapkit\.dev\/t\?p=[0-9A-F]{32}&c=[0-9A-F]{16}$/);
  const human = await tapkit(["tap", "--port", port]);
  assert.equal(human.stdout.trim().split("\n").at(-1), "not verified: no keys (pass --keys FILE)");

  const dir = tempDir(t);
  const keys = keysFile(dir);
  const first = await tapkit(["tap", "--port", port, "--keys", keys, "--json"]);
  const second = await tapkit(["tap", "--port", port, "--keys", keys, "--json"]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(first.json.verdict, "verified", first.json.reason);
  // The UID the board file gives the tag: decrypted from the PICC data with the demo meta key.
  assert.equal(first.json.uid, String(loadBoard("sim-plaque").nfc.uid).toUpperCase());
  assert.equal(second.json.counter, first.json.counter + 1, "every tap advances the counter by one");
  assert.notEqual(second.json.url, first.json.url);

  const wrong = await tapkit(["tap", "--port", port, "--keys", keysFile(dir, "00".repeat(16)), "--json"]);
  assert.equal(wrong.code, 1);
  assert.equal(wrong.json.verdict, "refused");
  assert.equal(wrong.json.error.code, "BAD_MAC");
  assert.equal(wrong.json.counter, null, "nothing from a refused SUN message is trusted");
});

test("scan: both decoders, every EMV field named, the picture saved (default name in the cwd) and decodable from the file", async (t) => {
  const dir = tempDir(t);
  const r = await tapkit(["scan", "--port", port, "--json"], { cwd: dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.json.verdict, "ok", r.json.reason);
  assert.match(r.json.png, /^tapkit-scan-sim-plaque-.*\.png$/);
  const png = join(dir, r.json.png);
  assert.ok(existsSync(png));
  assert.equal(new TextDecoder().decode(decodeWithJsqr(readFileSync(png))!), r.json.payload, "jsQR on the saved file reads the reported payload");
  const zbar = r.json.decoders.find((d: { name: string }) => d.name === "zbarimg");
  if (zbarAvailable()) {
    assert.deepEqual([zbar.available, zbar.decoded], [true, true]);
    assert.equal(new TextDecoder().decode(decodeWithZbar([png])[0]!), r.json.payload);
  } else assert.match(zbar.note, /zbarimg is not installed/);
  const name = r.json.emv.fields.find((f: { id: string }) => f.id === "59");
  assert.deepEqual(name, { id: "59", name: "merchant name", value: "TAPKIT DEMO" });
  const human = await tapkit(["scan", "--port", port, "--png", join(dir, "p.png")]);
  assert.match(human.stdout, /^59 merchant name\s+TAPKIT DEMO$/m);
  assert.match(human.stdout.trim().split("\n").at(-1)!, /^ok: static EMV code decoded alike by jsQR/);

  const onCard = await tapkit(["scan", "--port", card.port, "--json"], { cwd: dir });
  assert.equal(onCard.code, 1);
  assert.equal(onCard.json.error.code, "NO_PANEL");
});

test("merchant profile: get --json feeds set --profile unchanged (postal kept); get shows accounts as fields; on a card: no merchant profile", async (t) => {
  const dir = tempDir(t);
  const set = await tapkit([
    ...[
      "merchant",
      "set",
      "--port",
      port,
      "--name",
      "CAFE",
      "--city",
      "LISBOA",
      "--country",
      "PT",
      "--currency",
      "978",
      "--mcc",
      "5812",
      "--postal",
      "1000-001",
    ],
    ...["--account", "26:PT.EXAMPLE.PAY:01=123,02=shop", "--account", "04:4111111111111111"],
  ]);
  assert.equal(set.code, 0, set.stderr);
  const got = await tapkit(["merchant", "get", "--port", port, "--json"]);
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(got.json.accounts, [
    { id: 4, value: "4111111111111111" },
    { id: 26, gui: "PT.EXAMPLE.PAY", fields: { "01": "123", "02": "shop" } },
  ]);
  assert.equal(got.json.postal, "1000-001");
  const file = join(dir, "merchant.json");
  writeFileSync(file, got.stdout);
  const staticBefore = await tapkit(["qr", "static", "--port", port, "--json"]);
  const back = await tapkit(["merchant", "set", "--port", port, "--profile", file, "--json"]);
  assert.equal(back.code, 0, back.stdout + back.stderr);
  const again = await tapkit(["merchant", "get", "--port", port, "--json"]);
  assert.deepEqual(again.json, got.json);
  assert.equal((await tapkit(["qr", "static", "--port", port, "--json"])).json.payload, staticBefore.json.payload, "the same profile gives the same code");
  const human = await tapkit(["merchant", "get", "--port", port]);
  assert.match(human.stdout, /^account 26 {2}GUID PT\.EXAMPLE\.PAY$/m);
  assert.match(human.stdout, /^ {3}26\/01 {2}123$/m);
  assert.doesNotMatch(human.stdout, /0014PT\.EXAMPLE/, "no raw TLV");

  for (const args of [
    ["merchant", "set", "--port", card.port, "--profile", file],
    ["merchant", "get", "--port", card.port],
  ]) {
    const r = await tapkit([...args, "--json"]);
    assert.equal(r.code, 1);
    assert.equal(r.json.error.code, "NO_PAYMENT_APP");
    assert.match(r.json.error.message, /board sim-card \(a card\) has no merchant profile/);
    assert.doesNotMatch(r.json.error.message, /unknown-op/);
  }
});

test("doctor: key slots filled or empty (no values), tag counter, refusals from the firmware's log with what to do; a blank plaque has problems (exit 1)", async (t) => {
  // A refused command APDU (SELECT of a file that does not exist) lands in the refusal ring.
  const refused = await tapkit(["nfc", "apdu", "--port", port, "00A4000C02ABCD", "--json"]);
  assert.equal(refused.code, 7);
  const r = await tapkit(["doctor", "--port", port, "--json"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.json.verdict, "warnings");
  assert.deepEqual(
    r.json.keys.slots.slice(0, 5).map((s: { filled: boolean; alg: string | null }) => [s.filled, s.alg]),
    [
      [true, "Ed25519"],
      [true, "P-256"],
      [true, "AES-128"],
      [true, "AES-128"],
      [false, null],
    ],
  );
  for (const slot of [2, 3]) assert.ok(!r.stdout.includes(toHex(plaque.device.keystore.demoSecret(slot))), `slot ${slot}'s key never leaves the device`);
  assert.equal(r.json.tag.mode, "sun");
  assert.ok(r.json.tag.counter >= 2, `the taps above counted (${r.json.tag.counter})`);
  assert.ok(r.json.log.total >= 1);
  const entry = r.json.log.recent.find((e: { msg: string }) => /SW 6A82/.test(e.msg));
  assert.ok(entry, JSON.stringify(r.json.log));
  assert.match(entry.msg, /tap refused: INS A4 P1 00 answered SW 6A82/);
  const problem = r.json.problems.find((p: { area: string; problem: string }) => p.area === "log" && p.problem.includes("6A82"));
  assert.match(problem.fix, /file or application not found/);
  assert.ok(
    r.json.problems.some((p: { area: string }) => p.area === "state"),
    "the demo set-up is named",
  );
  const human = await tapkit(["doctor", "--port", port]);
  assert.match(human.stdout, /^key slots\s+0:Ed25519 {2}1:P-256 {2}2:AES-128 {2}3:AES-128 {2}4:empty/m);
  assert.match(human.stdout.trim().split("\n").at(-1)!, /^ok with warnings: sim-plaque/);

  const blank = await startSimulator({ board: loadBoard("sim-plaque"), wasmPath: firmwarePath("sim-plaque"), tcpPort: 0, blank: true });
  t.onTestFinished(() => blank.stop());
  const b = await tapkit(["doctor", "--port", `tcp:127.0.0.1:${blank.ports.tcp}`, "--json"]);
  assert.equal(b.code, 1, b.stdout);
  assert.equal(b.json.verdict, "problems");
  const areas = b.json.problems.filter((p: { severity: string }) => p.severity === "error").map((p: { area: string }) => p.area);
  assert.ok(areas.includes("merchant") && areas.includes("tag"), JSON.stringify(b.json.problems));
  assert.ok(
    b.json.keys.slots.every((s: { filled: boolean }) => !s.filled),
    "a blank board has no keys",
  );
});

test("card: wallet pay works on a fresh `tapkit sim --board sim-card` (DEMO issuer, XTS) and verifies against the printed DEMO root", async (t) => {
  assert.equal(card.ready.demoWallet?.currency, "XTS");
  const dir = tempDir(t);
  const out = join(dir, "v.voucher");
  const pay = await tapkit(["wallet", "pay", "--port", card.port, "--amount", "250", "--currency", "XTS", "--payee", "shop-42", "--out", out, "--json"]);
  assert.equal(pay.code, 0, pay.stdout + pay.stderr);
  const v = await tapkit(["verify", "voucher", out, "--root", card.ready.demoWallet!.root, "--challenge", pay.json.challenge, "--payee", "shop-42", "--json"]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.equal(v.json.balanceAfter, 9_750);
  const doc = await tapkit(["doctor", "--port", card.port, "--json"]);
  assert.equal(doc.json.wallet.provisioned, true);
  assert.equal(doc.json.merchant.profile, null);
});

test("nfc apdu: a status word other than 9000 is explained and exits 7 (APDU_STATUS); ndef build stores on $TAPKIT_PORT", async () => {
  const r = await tapkit(["nfc", "apdu", "--port", port, "00A4040005A000000001"]);
  assert.equal(r.code, 7);
  assert.match(r.stderr, /the tag answered 6A82: file or application not found/);
  const j = await tapkit(["nfc", "apdu", "--port", port, "00A4040005A000000001", "--json"]);
  assert.equal(j.json.error.code, "APDU_STATUS");
  assert.equal(j.json.error.details.sw, "6A82");
  const ok = await tapkit(["nfc", "apdu", "--port", port, "00A4040007D276000085010100", "--json"]);
  assert.deepEqual([ok.code, ok.json.sw], [0, "9000"]);

  const before = await tapkit(["tap", "--port", port, "--json"]);
  const built = await tapkit(["ndef", "build", "--uri", "https://example.com/from-env", "--json"], { env: { TAPKIT_PORT: port } });
  assert.equal(built.code, 0, built.stderr);
  assert.equal(built.json.stored, true);
  const after = await tapkit(["tap", "--port", port, "--json"]);
  assert.equal(after.json.url, "https://example.com/from-env");
  assert.notEqual(before.json.url, after.json.url);
});
