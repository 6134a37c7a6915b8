// Issue 10 item 3, "flashes the manifest's signed image first": a manifest naming a signed
// image makes provisioning check the device's active slot over the boot channel and, when it
// holds another image, install it (trust anchor set once on a fresh shell, resumable upload,
// confirmed) before the firmware is provisioned; the device record and the customer export
// carry the image's SHA-256. A power cut or a cut cable during the flash step fails the run
// with no device record written, and the next run finishes the device.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { loadBatch, provisionDevice, type BatchContext } from "../../host-tools/src/provision/provision-device.ts";
import { installBatchImage } from "../../host-tools/src/provision/firmware-step.ts";
import { exportRows, verifyAudit, type ProvisioningRecords } from "../../host-tools/src/records/index.ts";
import { publicKeyPem } from "../../host-tools/src/image/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { toHexLower } from "../../host-tools/src/bytes/hex.ts";
import { BootClient } from "../../host-tools/src/update/boot-client.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { image, otherKey, releaseKey } from "../update/update-fixture.ts";
import { blankStation, lineRecords, makeLine, type Line, type Station } from "./provision-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const BOARD = "sim-plaque";

/** A plaque line whose manifest names `version` signed by releaseKey, pinned by its SHA-256. */
async function imageLine(t: Parameters<typeof makeLine>[0], version: [number, number, number] = [1, 4, 0]): Promise<Line & { sha: string }> {
  const bytes = await image(version, 0, releaseKey, BOARD);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const line = makeLine(
    t,
    BOARD,
    (m) => {
      m.firmware = { version: version.join("."), image: "fw.tki", sha256: sha, signer: "release.pub.pem" };
    },
    { "fw.tki": bytes, "release.pub.pem": publicKeyPem(releaseKey.alg, releaseKey.publicKey) },
  );
  return { ...line, sha };
}

async function boot(station: Station): Promise<BootClient> {
  await station.client.close();
  return BootClient.over(inProcessTransport(station.device), "sim", { timeoutMs: 300, retries: 1 });
}

/** The flash step, then provisioning over a fresh link to the (reset) firmware. */
async function provisionWithImage(station: Station, batch: BatchContext, records: ProvisioningRecords, autoResume = 0) {
  const b = await boot(station);
  const firmware = await installBatchImage(b, batch, records, { autoResume }).finally(() => b.close());
  const client = await station.reconnect();
  return { firmware, result: await provisionDevice(client, batch, records, { firmware }) };
}

test("a manifest image is flashed (signer trusted once), confirmed, then the device provisioned; records and export carry its SHA-256", async (t) => {
  const line = await imageLine(t);
  const batch = loadBatch(line.manifest);
  const records = await lineRecords(t, line);
  const station = await blankStation(t, BOARD, { seed: 31, bootFromSlots: true });
  assert.equal(String(station.device.running), "development", "a fresh shell runs the development module");

  const { firmware, result } = await provisionWithImage(station, batch, records);
  assert.equal(firmware.action, "flashed");
  assert.equal(firmware.trustSet, true);
  assert.equal(firmware.sha256, line.sha);
  assert.equal(firmware.uploadedBytes, line.manifest.image!.bytes.length);
  assert.equal(result.state, "locked");
  assert.equal(result.firmware?.sha256, line.sha, "the result names the image");
  const running = station.device.running;
  assert.ok(typeof running === "object" && running !== null, "a slot image runs");
  assert.equal(toHexLower(running.sha256), line.sha);

  const b = await boot(station);
  const listing = await b.slots();
  assert.equal(listing.running, "confirmed");
  // A second pass finds the image in place and sends nothing.
  const again = await installBatchImage(b, batch, records);
  await b.close();
  assert.deepEqual([again.action, again.uploadedBytes, again.trustSet], ["kept", 0, false]);

  const [row] = await records.devices(line.manifest.batch);
  assert.equal(row.firmwareHash?.toLowerCase(), line.sha);
  const [exported] = await exportRows(records.db, { batch: line.manifest.batch });
  assert.equal(String(exported.firmwareHash).toLowerCase(), line.sha);
  const steps = await records.db.query<{ result: string; body: string }>("SELECT result, body FROM audit WHERE step = 'firmware' ORDER BY seq");
  assert.deepEqual(
    steps.map((s) => [s.result, JSON.parse(s.body).data.action]),
    [
      ["ok", "flashed"],
      ["ok", "kept"],
    ],
  );
  assert.equal((await verifyAudit(records.db)).ok, true);

  // A newer batch image does not reach a device that batch would refuse: nothing is flashed.
  const newer = await imageLine(t, [1, 5, 0]);
  const newerBatch = loadBatch(newer.manifest);
  const newerRecords = await lineRecords(t, newer);
  const id = await (await station.reconnect()).ops.identity.get();
  const nb = await boot(station);
  await assert.rejects(
    installBatchImage(nb, newerBatch, newerRecords, { found: { state: id.state, serial: id.serial } }),
    (e: unknown) => e instanceof TapkitError && e.code === "DEVICE_PROVISIONED" && /--grant/.test(e.hint),
  );
  const after = await nb.slots();
  await nb.close();
  assert.deepEqual(
    after.slots.map((s) => [s.state, s.sha ? toHexLower(s.sha) : null]),
    listing.slots.map((s) => [s.state, s.sha ? toHexLower(s.sha) : null]),
    "the slots are as they were",
  );
});

test("without the flash step, or with a shell trusting another signer, provisioning refuses with a hint and writes no device record", async (t) => {
  const line = await imageLine(t);
  const batch = loadBatch(line.manifest);
  const records = await lineRecords(t, line);
  const station = await blankStation(t, BOARD, { seed: 32, bootFromSlots: true });
  await assert.rejects(provisionDevice(station.client, batch, records), (e: unknown) => {
    return e instanceof TapkitError && e.code === "FIRMWARE_MISMATCH" && /flashes the manifest's image first/.test(e.hint);
  });
  // A card's shell answering to a plaque manifest: refused before anything is written.
  const card = await blankStation(t, "sim-card", { seed: 33, bootFromSlots: true });
  const cb = await boot(card);
  await assert.rejects(
    installBatchImage(cb, batch, records),
    (e: unknown) => e instanceof TapkitError && e.code === "DEVICE_WRONG_BOARD" && e.hint.length > 20,
  );
  assert.equal((await cb.slots()).anchor, null, "the card's shell was not given a trust anchor");
  await cb.close();
  const b = await boot(station);
  await b.trust(otherKey.publicKey);
  await assert.rejects(
    installBatchImage(b, batch, records),
    (e: unknown) => e instanceof TapkitError && e.code === "FIRMWARE_SIGNER_MISMATCH" && e.hint.length > 20,
  );
  const listing = await b.slots();
  await b.close();
  assert.ok(
    listing.slots.every((s) => s.state === "empty"),
    "nothing was written to a slot",
  );
  assert.deepEqual(await records.devices(line.manifest.batch), []);
  const refused = await records.db.query<{ step: string }>("SELECT step FROM audit WHERE result = 'refused' ORDER BY seq");
  assert.deepEqual(
    refused.map((r) => r.step),
    ["check", "firmware", "firmware"],
  );
});

test("a power cut or a cut cable during the flash step: the run fails with no device record, the next run resumes the upload and finishes the device", async (t) => {
  const line = await imageLine(t);
  const batch = loadBatch(line.manifest);
  const records = await lineRecords(t, line);
  const imageBytes = line.manifest.image!.bytes.length;

  // How many flash operations the flash step makes on a fresh device.
  const probe = await blankStation(t, BOARD, { seed: 40, bootFromSlots: true });
  const probeRecords = await lineRecords(t, line, "probe", `sqlite:${line.dir}/probe.sqlite`);
  const before = probe.device.flash.operations;
  const pb = await boot(probe);
  await installBatchImage(pb, batch, probeRecords);
  await pb.close();
  const total = probe.device.flash.operations - before;
  assert.ok(total > 50, `the flash step programs flash (${total} operations)`);

  // Cuts early (erase), in the upload, near its end, and in the last operations (finish, confirm;
  // a trial image cut before its confirmation is rejected by the boot rules and sent again).
  const cuts = [1, Math.floor(total / 4), Math.floor(total / 2), total - 3, total - 1];
  const outcomes: string[] = [];
  let finished = 0;
  let seed = 41;
  for (const op of [...cuts, "cable" as const]) {
    const station = await blankStation(t, BOARD, { seed: seed++, bootFromSlots: true, timeoutMs: 150, retries: 1 });
    const b = await boot(station);
    let first: unknown = null;
    if (op === "cable") {
      // The cable goes at a third of the upload: the host loses the link mid-transfer.
      let cut = false;
      first = await installBatchImage(b, batch, records, {
        onProgress: (p) => {
          if (!cut && p.held > imageBytes / 3) {
            cut = true;
            void b.close();
          }
        },
      }).catch((e: unknown) => e);
      assert.ok(first instanceof Error, "the cut cable fails the run");
    } else {
      const resets: string[] = [];
      station.device.on("reset", (r: { kind: string }) => resets.push(r.kind));
      station.device.flash.cutPowerAt({ op, phase: "during" });
      // A cut the link's retry rides over (the request is simply sent again) lets the run go on.
      first = await installBatchImage(b, batch, records, { autoResume: 0 }).catch((e: unknown) => e);
      assert.ok(resets.includes("power-cut"), `the cut at flash operation ${op}/${total} happened (${resets.join(", ")})`);
      await b.close().catch(() => {});
    }
    if (first instanceof Error) {
      assert.deepEqual((await records.devices(line.manifest.batch)).length, finished, "a failed flash step writes no device record");
    }
    const probeBoot = await BootClient.over(inProcessTransport(station.device), "sim", { timeoutMs: 300, retries: 1 });
    const listingAfter = await probeBoot.slots();
    const held = listingAfter.slots.find((x) => x.state === "partial")?.held ?? 0;
    await probeBoot.close();
    const { firmware, result } = await provisionWithImage(station, batch, records);
    finished++;
    outcomes.push(`${op}:${first instanceof Error ? "failed" : "rode over"}->${firmware.action}`);
    assert.equal(result.state, "locked");
    if (first instanceof Error && held > 0) assert.equal(firmware.resumedFrom, held, `cut ${op}: the upload continued from the ${held} bytes the device held`);
    const running = station.device.running;
    assert.ok(typeof running === "object" && running !== null && toHexLower(running.sha256) === line.sha, `cut ${op}: the batch image runs`);
    const row = (await records.devices(line.manifest.batch)).find((r) => r.serial === result.serial)!;
    assert.equal(row.firmwareHash?.toLowerCase(), line.sha);
  }
  assert.ok(outcomes.filter((o) => o.includes(":failed->")).length >= 3, `most cuts failed the run (${outcomes.join(", ")})`);
  assert.ok(
    outcomes.some((o) => /failed->resumed$/.test(o)),
    `some re-runs resumed an upload (${outcomes.join(", ")})`,
  );
  assert.ok(outcomes.includes("cable:failed->resumed"), `the cut cable's upload resumed (${outcomes.join(", ")})`);
  const chain = await verifyAudit(records.db);
  assert.equal(chain.ok, true, JSON.stringify(chain.problems));
});

test("a manifest image that is altered, signed by another key, built for another board, or not the pinned hash or version is refused before any device is touched", async (t) => {
  const good = await image([1, 4, 0], 0, releaseKey, BOARD);
  const sha = createHash("sha256").update(good).digest("hex");
  const pem = publicKeyPem(releaseKey.alg, releaseKey.publicKey);
  const altered = good.slice();
  altered[altered.length - 100] ^= 0x01;
  const cases: [string, Uint8Array, Partial<{ sha256: string; version: string; signer: string }>, RegExp][] = [
    ["altered module byte", altered, {}, /\/firmware\/image: .*module's SHA-256/],
    ["signed by another key", await image([1, 4, 0], 0, otherKey, BOARD), {}, /\/firmware\/image: .*not a trusted key/],
    ["built for the card", await image([1, 4, 0], 0, releaseKey, "sim-card"), {}, /\/firmware\/image: .*for board sim-card/],
    ["another pinned hash", good, { sha256: "00".repeat(32) }, /\/firmware\/sha256: .* pins 0000/],
    ["another version", good, { version: "1.5.0" }, /\/firmware\/version: the image is version 1\.4\.0/],
    ["no signer", good, { signer: undefined }, /\/firmware\/signer: an image needs the public key/],
  ];
  for (const [what, bytes, edit, problem] of cases) {
    assert.throws(
      () =>
        makeLine(
          t,
          BOARD,
          (m) => {
            m.firmware = { version: "1.4.0", image: "fw.tki", sha256: sha, signer: "release.pub.pem", ...edit };
            if ("signer" in edit && edit.signer === undefined) delete m.firmware.signer;
            if (!("sha256" in edit)) m.firmware.sha256 = createHash("sha256").update(bytes).digest("hex");
          },
          { "fw.tki": bytes, "release.pub.pem": pem },
        ),
      (e: unknown) => {
        assert.ok(e instanceof TapkitError, `${what}: ${String(e)}`);
        assert.equal(e.code, "MANIFEST_INVALID", `${what}: ${e.message}`);
        assert.match(e.hint, /docs\/provisioning\.md/);
        assert.ok(
          (e.details.problems as string[]).some((p) => problem.test(p)),
          `${what}: ${JSON.stringify(e.details.problems)}`,
        );
        return true;
      },
      what,
    );
  }
});
