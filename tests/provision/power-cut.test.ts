// Safe to interrupt: power is cut at every flash operation of a provisioning run (the
// simulator's cut hook: before, during or after the operation; plaque and card), then a second run on the same device and database
// finishes it. Whatever the cut hit, the device ends locked with exactly one identity (the
// keystore's key is the certified one, the records hold one row for it, serial unchanged
// from the first allocation) and the audit trail records the run as resumed.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBatch, provisionDevice } from "../../host-tools/src/provision/provision-device.ts";
import { verifyChain } from "../../host-tools/src/wallet/certificate.ts";
import { readRootKey } from "../../host-tools/src/wallet/issuer.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { verifyAudit } from "../../host-tools/src/records/index.ts";
import type { CutPhase } from "../../host-tools/src/sim/flash.ts";
import { blankStation, lineRecords, makeLine } from "./provision-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const CAMPAIGNS: ["sim-card" | "sim-plaque", CutPhase[]][] = [
  ["sim-card", ["before", "during", "after"]],
  ["sim-plaque", ["during"]],
];

for (const [board, phases] of CAMPAIGNS)
  test(`${board}: a cut ${phases.join("/")} any flash operation of a run leaves a device the next run finishes, with one identity, recorded as resumed`, async (t) => {
    const line = makeLine(t, board);
    const batch = loadBatch(line.manifest);
    const root = readRootKey(`${line.dir}/issuer/root.pub`);

    // How many flash operations one whole run makes.
    const probe = await blankStation(t, board, { seed: 100 });
    const before = probe.device.flash.operations;
    const recordsProbe = await lineRecords(t, line, "probe", `sqlite:${line.dir}/probe.sqlite`);
    await provisionDevice(probe.client, batch, recordsProbe);
    const total = probe.device.flash.operations - before;
    assert.ok(total >= 4, `a run programs flash (${total} operations)`);

    const records = await lineRecords(t, line);
    let cutsThatInterrupted = 0;
    let devices = 0;
    for (const phase of phases)
      for (let k = 1; k <= total; k++) {
        devices++;
        const station = await blankStation(t, board, { seed: 200 + devices, timeoutMs: 150, retries: 1 });
        station.device.flash.cutPowerAt({ op: k, phase });
        let firstServed = "";
        let finished = false;
        try {
          const r = await provisionDevice(station.client, batch, records);
          firstServed = `finished (serial ${r.serial})`;
          finished = true;
        } catch (e) {
          cutsThatInterrupted++;
          firstServed = (e as Error).message;
        }
        assert.equal(station.device.lastResetReason?.kind, "power-cut", `cut ${k}/${total} happened (${firstServed})`);
        const client = await station.reconnect();
        const pub = toHex(station.device.keystore.publicKey(0));
        const firstAllocation = (await records.devices(line.manifest.batch)).find((d) => d.hardwareId === pub);
        if (finished) {
          // The link's retry redid the request after the reboot and the run finished: a second run is refused.
          await assert.rejects(provisionDevice(client, batch, records), /already provisioned and locked/);
        } else {
          const r = await provisionDevice(client, batch, records).catch((e: Error) => {
            throw new Error(`cut ${k}/${total}: the second run did not finish: ${e.message}`);
          });
          assert.equal(r.state, "locked");
          assert.equal(r.run, "resumed");
          assert.equal(r.publicKey, pub, "the device kept its key");
          if (firstAllocation) assert.equal(r.serial, firstAllocation.serial, "the serial did not change");
        }
        const id = await client.ops.identity.get();
        assert.equal(id.state, "locked");
        assert.equal(id.serial, (await records.devices(line.manifest.batch)).find((d) => d.hardwareId === pub)!.serial);
        assert.equal(toHex(verifyChain(id.chain!, root).device.publicKey), pub);
      }
    assert.ok(cutsThatInterrupted > 0, "some cuts interrupted a run");

    const rows = await records.devices(line.manifest.batch);
    assert.equal(rows.length, devices, "one record per device");
    assert.equal(new Set(rows.map((r) => r.hardwareId)).size, devices);
    assert.ok(rows.every((r) => r.state === "provisioned" && r.result === "locked"));
    const [resumed] = await records.db.query<{ n: number }>("SELECT COUNT(DISTINCT serial) AS n FROM audit WHERE step = 'resume' AND result = 'resumed'");
    assert.ok(Number(resumed.n) >= cutsThatInterrupted, `${resumed.n} runs recorded as resumed for ${cutsThatInterrupted} interrupted ones`);
    const chain = await verifyAudit(records.db);
    assert.equal(chain.ok, true, JSON.stringify(chain.problems));
  });
