// `provisionDevice` on blank simulated boards (the real firmware): a plaque and a card end up
// locked with their own keys, serial and UID; the plaque's tap verifies with the batch master
// keys alone (the tag presents the allocated UID, not the board file's), its panel decodes,
// its chain checks against the root public key only; the card's wallet carries the same chain.
// After the run no key byte is in the link capture, Wasm memory, log, report or database.
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { loadBatch, provisionDevice, tagKey } from "../../host-tools/src/provision/provision-device.ts";
import { verifyChain } from "../../host-tools/src/wallet/certificate.ts";
import { readRootKey } from "../../host-tools/src/wallet/issuer.ts";
import { checkSignature } from "../../host-tools/src/verify/signed.ts";
import { blankStation, lineRecords, makeLine } from "./provision-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

test("a blank plaque is provisioned, verified as a phone and a backend see it, locked; no key byte leaks anywhere", async (t) => {
  const line = makeLine(t, "sim-plaque");
  const station = await blankStation(t, "sim-plaque");
  const boardUid = station.device.board.nfc.uid.toUpperCase();
  const records = await lineRecords(t, line);
  const batch = loadBatch(line.manifest);
  const steps: string[] = [];
  const r = await provisionDevice(station.client, batch, records, { onStep: (s) => steps.push(s) });

  assert.deepEqual(steps, ["check", "keys", "serial", "certificate", "symmetric-keys", "tag", "profile", "verify", "lock"]);
  assert.equal(r.serial, 1000);
  assert.equal(r.state, "locked");
  assert.equal(r.run, "fresh");
  assert.match(r.uid, /^04[0-9A-F]{12}$/);
  assert.notEqual(r.uid, boardUid);
  assert.equal(r.check.tap?.uid, r.uid);
  assert.deepEqual(r.check.panel?.decoders.includes("jsQR"), true);
  assert.equal(r.check.panel?.merchant, "CAFE TAPKIT");

  // The chain verifies with the root public key alone and certifies the keystore's key.
  const id = await station.client.ops.identity.get();
  assert.equal(id.state, "locked");
  const root = readRootKey(`${line.dir}/issuer/root.pub`);
  const chain = verifyChain(id.chain!, root);
  assert.deepEqual(chain.device.publicKey, station.device.keystore.publicKey(0));
  assert.equal(chain.device.label, `B2026-12/1000/${r.uid}`);
  // A signature made by the device key (what a signed tap URL carries) verifies under it.
  const text = "m=shop&n=000001";
  const sig = Buffer.from(station.device.keystore.sign(0, new TextEncoder().encode(text))).toString("base64url");
  checkSignature(text, sig, chain.device.publicKey, "ed25519");

  // Locked: set-up and test channels refused.
  await assert.rejects(station.client.ops.identity.keygen(), /device is locked: op not served/);
  await assert.rejects(station.client.nfcApdu(Uint8Array.of(0, 0xa4, 4, 0)), /device is locked: op not served/);
  await assert.rejects(station.client.ops.store.put({ k: 5, v: Uint8Array.of(1) }), /device is locked: op not served/);

  // No key byte anywhere: masters and this device's (diversified) keys.
  const uid = Uint8Array.from(Buffer.from(r.uid, "hex"));
  const secrets = [
    line.masters.meta,
    line.masters.file,
    tagKey(batch, line.manifest.keys.sunFile, line.masters.file, uid, true),
    tagKey(batch, line.manifest.keys.sunMeta, line.masters.meta, uid, false),
  ];
  const capture = Buffer.concat(station.capture);
  const memory = new Uint8Array(station.device.firmware!.memory.buffer);
  const texts = [station.logs.join("\n"), JSON.stringify(r)];
  await records.close();
  const db = [line.dbPath, `${line.dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f));
  assert.ok(capture.length > 1000, "the capture holds the run");
  for (const s of secrets) {
    assert.equal(contains(capture, s), false, "key bytes on the link");
    assert.equal(contains(memory, s), false, "key bytes in Wasm memory");
    for (const d of db) {
      assert.equal(contains(d, s), false, "key bytes in the database");
      assert.equal(d.includes(Buffer.from(toHex(s))) || d.includes(Buffer.from(toHex(s).toLowerCase())), false, "key hex in the database");
    }
    for (const x of texts) assert.equal(x.toUpperCase().includes(toHex(s)), false, "key hex in a log or report");
  }
  // The database keeps key ids and check values instead.
  assert.ok(db.some((d) => d.includes(Buffer.from("sun-file-2026")) && d.includes(Buffer.from(r.keys[1].kcv))));
});

test("a blank card is provisioned with the same chain in its wallet and locked", async (t) => {
  const line = makeLine(t, "sim-card");
  const station = await blankStation(t, "sim-card");
  const records = await lineRecords(t, line);
  const r = await provisionDevice(station.client, loadBatch(line.manifest), records);
  assert.equal(r.state, "locked");
  assert.equal(r.check.panel, null);
  const info = await station.client.ops.wallet.info({});
  const id = await station.client.ops.identity.get();
  assert.deepEqual(info.chain, id.chain);
  const chain = verifyChain(info.chain, readRootKey(`${line.dir}/issuer/root.pub`));
  assert.equal(chain.device.currency, "EUR");
  assert.deepEqual(info.info.pub, station.device.keystore.publicKey(0));
});
