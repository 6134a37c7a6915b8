// Bad input to `tapkit provision`: each a refusal with its code and a hint, and nothing
// half-written: no device record, the device left as it was (blank stays blank, a locked
// device keeps its identity). Manifest problems are refused by the CLI before any port is
// opened; device problems after the check step, before anything is written; a database that
// goes away mid-run (PostgreSQL, paused) fails the run with the device unlocked, and the run
// after it comes back finishes the same device with the same serial.
import { afterAll, beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { issuerInit } from "../../host-tools/src/wallet/issuer.ts";
import { loadBatch, provisionDevice } from "../../host-tools/src/provision/provision-device.ts";
import { loadManifest } from "../../host-tools/src/provision/manifest.ts";
import { verifyAudit } from "../../host-tools/src/records/index.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { tapkit } from "../cli/cli-helpers.ts";
import { findPostgres, startPostgres, type PostgresServer } from "../support/postgres-server.ts";
import { longTests } from "../support/long-tests.ts";
import { blankStation, lineRecords, makeLine } from "./provision-fixture.ts";

longTests();

const refusedWith = (code: string, hint?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof TapkitError, String(e));
  assert.equal(e.code, code, e.message);
  assert.ok(e.hint.length > 10, "a hint");
  if (hint) assert.match(e.hint, hint);
  return true;
};

test("a malformed manifest is refused by the CLI with every problem listed and a hint, before any port is opened", async (t) => {
  const line = makeLine(t, "sim-plaque");
  const bad = join(line.dir, "bad.json");
  writeFileSync(
    bad,
    JSON.stringify({ format: "tapkit-manifest/1", board: "sim-plaque", batch: "x y", serials: { first: 5, last: 2 }, keys: {}, tag: {}, extra: 1 }),
  );
  const r = await tapkit(["provision", "--port", "/dev/nonexistent-port", "--manifest", bad, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.error.code, "MANIFEST_INVALID");
  const problems: string[] = r.json.error.details.problems;
  for (const want of [/issuer/, /\/batch/, /'extra'/, /\/keys/, /\/tag/])
    assert.ok(
      problems.some((p) => want.test(p)),
      `${want} in ${problems.join("; ")}`,
    );
  assert.match(r.json.error.hint, /docs\/provisioning\.md/);
  writeFileSync(bad, "{ not json");
  const notJson = await tapkit(["provision", "--port", "/dev/nonexistent-port", "--manifest", bad]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /not JSON/);
  assert.match(notJson.stderr, /hint:/);
});

test("an unknown board is refused with BOARD_NOT_FOUND (exit 9); a missing key file, an inverted serial range are named", async (t) => {
  const unknown = makeLine(t, "sim-plaque");
  const m = JSON.parse(JSON.stringify(unknown.manifest));
  m.board = "plaque-9000";
  for (const k of ["path", "dir"]) delete m[k];
  writeFileSync(unknown.manifestPath, JSON.stringify(m));
  const r = await tapkit(["provision", "--port", "/dev/nonexistent-port", "--manifest", unknown.manifestPath, "--json"]);
  assert.equal(r.code, 9);
  assert.equal(r.json.error.code, "BOARD_NOT_FOUND");
  m.board = "sim-plaque";
  m.keys.sunFile.file = "missing.key";
  m.serials = { first: 10, last: 9 };
  writeFileSync(unknown.manifestPath, JSON.stringify(m));
  assert.throws(
    () => loadManifest(unknown.manifestPath),
    (e: unknown) => {
      refusedWith("MANIFEST_INVALID")(e);
      const problems = (e as TapkitError).details.problems as string[];
      return problems.some((p) => /missing\.key does not exist/.test(p)) && problems.some((p) => /last \(9\) is below first \(10\)/.test(p));
    },
  );
});

test("a wrong root or a batch key the root did not certify is refused before any device is touched", async (t) => {
  const line = makeLine(t, "sim-plaque", (m) => {
    m.root = "other/root.pub";
  });
  issuerInit(join(line.dir, "other"));
  assert.throws(() => loadBatch(loadManifest(line.manifestPath)), refusedWith("BATCH_KEY_MISMATCH", /\/root/));
  const swapped = makeLine(t, "sim-plaque");
  issuerInit(join(swapped.dir, "other"));
  // the issuer's batch key replaced by another issuer's: the batch certificate no longer matches it
  writeFileSync(join(swapped.dir, "issuer", "batch.key.json"), readFileSync(join(swapped.dir, "other", "batch.key.json")));
  assert.throws(() => loadBatch(swapped.manifest), refusedWith("BATCH_KEY_MISMATCH"));
});

test("a demo device, a device answering as another board, an exhausted batch and a locked device are refused with no record written and the device unchanged", async (t) => {
  const line = makeLine(t, "sim-plaque", (m) => {
    m.serials = { first: 1000, last: 1000 };
  });
  const batch = loadBatch(line.manifest);
  const records = await lineRecords(t, line);

  const demo = await SimDevice.create({ board: loadBoard("sim-plaque"), wasm: firmwarePath("sim-plaque"), tickMs: 0, seed: 5 });
  const demoClient = await DeviceClient.over(inProcessTransport(demo));
  t.onTestFinished(async () => {
    await demoClient.close();
    demo.close();
  });
  await assert.rejects(provisionDevice(demoClient, batch, records), refusedWith("DEVICE_NOT_BLANK"));
  assert.equal((await demoClient.ops.identity.get()).state, "demo");

  const card = await blankStation(t, "sim-card");
  await assert.rejects(provisionDevice(card.client, batch, records), refusedWith("DEVICE_WRONG_BOARD"));
  assert.equal((await card.client.ops.identity.get()).pub.length, 0, "no key was generated");
  assert.deepEqual(await records.devices(line.manifest.batch), []);

  const first = await blankStation(t, "sim-plaque", { seed: 7 });
  const done = await provisionDevice(first.client, batch, records);
  const second = await blankStation(t, "sim-plaque", { seed: 8 });
  await assert.rejects(provisionDevice(second.client, batch, records), refusedWith("BATCH_EXHAUSTED", /new batch/));
  const untouched = await second.client.ops.identity.get();
  assert.equal(untouched.state, "blank");
  assert.equal(untouched.pub.length, 0, "the refused device got no key");

  await assert.rejects(provisionDevice(first.client, batch, records), refusedWith("DEVICE_PROVISIONED", /--reprovision/));
  const id = await first.client.ops.identity.get();
  assert.equal(id.serial, done.serial);
  assert.equal(id.state, "locked");
  const rows = await records.devices(line.manifest.batch);
  assert.deepEqual(
    rows.map((r) => [r.serial, r.state]),
    [[1000, "provisioned"]],
  );
  const [refusals] = await records.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM audit WHERE result = 'refused'");
  assert.equal(Number(refusals.n), 4, "each refusal is in the audit trail");
});

const pgBin = findPostgres();
let pg: PostgresServer | undefined;
beforeAll(async () => {
  if (pgBin) pg = await startPostgres(pgBin);
}, 120_000);
afterAll(() => pg?.stop());

test.skipIf(!pgBin)(
  "PostgreSQL unreachable mid-batch: the run fails with the database's error, the device stays unlocked; back again, the next run finishes it with the same serial",
  async (t) => {
    const line = makeLine(t, "sim-card");
    const url = pg!.createDatabase("midbatch");
    const batch = loadBatch(line.manifest);
    const records = await lineRecords(t, line, "st-pg", url);
    const station = await blankStation(t, "sim-card", { seed: 11 });
    const before = await provisionDevice((await blankStation(t, "sim-card", { seed: 12 })).client, batch, records);

    let paused = false;
    const err = await provisionDevice(station.client, batch, records, {
      onStep: (step) => {
        if (step === "certificate") {
          pg!.pause();
          paused = true;
        }
      },
    }).catch((e: unknown) => e);
    assert.ok(paused);
    assert.ok(err instanceof TapkitError, String(err));
    assert.match(err.code, /^DB_/, `${err.code}: ${err.message}`);
    assert.ok(err.hint.length > 10);
    const id = await station.client.ops.identity.get();
    assert.equal(id.state, "provisioned", "not locked without a record saying so");
    pg!.resume();
    const again = await lineRecords(t, line, "st-pg-2", url);
    const r = await provisionDevice(station.client, batch, again);
    assert.equal(r.serial, id.serial);
    assert.equal(r.run, "resumed");
    const rows = await again.devices(line.manifest.batch);
    assert.deepEqual(
      rows.map((x) => [x.serial, x.state]),
      [
        [before.serial, "provisioned"],
        [r.serial, "provisioned"],
      ],
    );
    const chain = await verifyAudit(again.db);
    assert.equal(chain.ok, true, `no audit record lost or half-written: ${JSON.stringify(chain.problems)}`);

    // Unreachable before a run: refused at its first record, the next device untouched.
    const next = await blankStation(t, "sim-card", { seed: 13 });
    pg!.pause();
    const down = await provisionDevice(next.client, batch, again).catch((e: unknown) => e);
    pg!.resume();
    assert.ok(down instanceof TapkitError && /^DB_/.test(down.code) && down.hint.length > 10, String(down));
    assert.equal((await next.client.ops.identity.get()).pub.length, 0, "no key was generated while the database was away");
  },
);
