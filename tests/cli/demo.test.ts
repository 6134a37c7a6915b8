// npm start's demo, as a new user runs it: exit 0, the panel's static and amount codes
// decode (jsQR inside the demo, zbarimg here as the outside decoder, EMV CRC re-checked by
// the host parser), both taps' SUN MACs verify with a counter that rises by one, and a
// card board (no panel) still shows its taps. Demo keys only: other keys never export.
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tapkit, tempDir } from "./cli-helpers.ts";
import { decodeWithZbar, zbarAvailable } from "../../host-tools/src/qr/decoders.ts";
import { parsePayload } from "../../host-tools/src/emv/mpm.ts";
import { Keystore, ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

if (!zbarAvailable()) console.warn("\n*** demo test: zbarimg missing (Debian package zbar-tools): panel images are checked with jsQR only ***\n");

test("tapkit demo on the plaque: static code, two verified taps, a 12.34 code; images decode with zbarimg", async (t) => {
  const png = join(tempDir(t), "panel.png");
  const r = await tapkit(["demo", "--png", png, "--json"], { timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const j = r.json;
  assert.equal(j.hello.board, "sim-plaque");
  assert.equal(j.staticCode.decoded, true);
  assert.equal(j.staticCode.initiation, "static");
  assert.equal(j.staticCode.merchant, "TAPKIT DEMO");
  assert.equal(j.amountCode.initiation, "dynamic");
  assert.equal(j.amountCode.amount, "12.34");
  assert.equal(j.taps.length, 2);
  for (const tap of j.taps) assert.equal(tap.verified, true, tap.reason);
  assert.equal(j.taps[1].counter, j.taps[0].counter + 1, "each tap advances the counter by one");
  assert.notEqual(j.taps[0].url, j.taps[1].url, "every tap gives a new URL");
  assert.ok(existsSync(png) && existsSync(j.amountCode.png));
  if (zbarAvailable()) {
    const [a, b] = decodeWithZbar([png, j.amountCode.png]).map((x) => (x ? new TextDecoder().decode(x) : null));
    assert.equal(a, j.staticCode.payload, "zbarimg reads the static code the demo reported");
    assert.equal(b, j.amountCode.payload, "zbarimg reads the amount code the demo reported");
    assert.equal(parsePayload(b!).initiation, "dynamic");
  }
});

test("tapkit demo on the card board: no panel, two verified taps", async () => {
  const r = await tapkit(["demo", "--board", "sim-card", "--json"], { timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.staticCode, null);
  assert.equal(r.json.amountCode, null);
  assert.ok(r.json.taps.every((x: { verified: boolean }) => x.verified));
});

test("only demo keys can be exported from the simulator's keystore", () => {
  const ks = new Keystore(loadBoard("sim-plaque").keystore);
  ks.generate(2, ALG_AES128, { demo: true });
  ks.import(3, ALG_AES128, new Uint8Array(16).fill(7));
  assert.equal(ks.demoSecret(2).length, 16);
  assert.throws(() => ks.demoSecret(3), /only demo keys/);
});
