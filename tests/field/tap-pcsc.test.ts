// `tapkit tap --reader`: the same tap check through the real PC/SC stack (pcscd + vpcd) a
// bench reader uses, against the simulated plaque presented on the virtual reader. The file
// holds the machine's one virtual reader (flock /tmp/tapkit-pcsc.lock, reader-lock.ts).
// Skips LOUDLY when pcscd, vpcd or scriptor are missing.
import { test } from "vitest";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ndef from "ndef";
import { bootTag } from "../nfc/nfc-fixture.ts";
import { ensurePcscd, pcscMissing, settle } from "../nfc/pcscd-fixture.ts";
import { holdReaderForFile } from "../nfc/reader-lock.ts";
import { servePcsc } from "../../host-tools/src/sim/serve-pcsc.ts";
import { VPCD_READER } from "../../host-tools/src/pcsc/index.ts";
import { tapkit, tempDir, ensureCli } from "../cli/cli-helpers.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { longTests } from "../support/long-tests.ts";

longTests();
const missing = pcscMissing();
holdReaderForFile(missing !== null);
if (missing) console.warn(`\n*** SKIPPING tapkit tap --reader: ${missing} ***\n`);

test("tap --reader: the Type 4 read through pcscd, the SUN verified with the demo keys, the counter rising per tap", { skip: missing !== null }, async (t) => {
  ensureCli();
  const pcscd = await ensurePcscd();
  const tag = await bootTag("sim-plaque");
  const card = await servePcsc(tag.device);
  try {
    await settle();
    const keys = join(tempDir(t), "keys.json");
    const entry = {
      name: "demo",
      template: "https://tapkit.dev/t?p={picc}&c={mac}",
      mode: "sun",
      metaKey: toHex(tag.device.keystore.demoSecret(2)),
      fileKey: toHex(tag.device.keystore.demoSecret(3)),
    };
    writeFileSync(keys, JSON.stringify({ tags: [entry] }));
    const a = await tapkit(["tap", "--reader", VPCD_READER, "--keys", keys, "--json"]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.match(a.json.path, /PC\/SC reader/);
    assert.equal(a.json.verdict, "verified", a.json.reason);
    assert.equal(ndef.decodeMessage(Array.from(Buffer.from(a.json.message, "hex")))[0].value, a.json.url);
    const b = await tapkit(["tap", "--reader", VPCD_READER, "--keys", keys, "--json"]);
    assert.equal(b.json.verdict, "verified", b.json.reason);
    assert.equal(b.json.counter, a.json.counter + 1);
    assert.equal(b.json.uid, a.json.uid);
    const bare = await tapkit(["tap", "--reader", VPCD_READER]);
    assert.equal(bare.code, 0);
    assert.match(bare.stdout, /not verified: no keys/);
  } finally {
    await card.close();
    await tag.close();
    await pcscd.stop();
  }
});
