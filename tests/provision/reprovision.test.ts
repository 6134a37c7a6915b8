// Issue 10 item 4, "a provisioned device is refused unless re-provisioning is explicitly
// authorised": a locked plaque is refused without --reprovision, with the wrong serial, and
// with no grant, a grant signed by the batch key instead of the root, one for another device,
// an expired or an edited one - each with a hint and the device and records unchanged. A grant
// signed by the root wipes it (device.wipe) and provisions a new identity; the old record stays,
// marked reprovisioned, and both records link to each other in a verifying audit trail.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBatch, provisionDevice } from "../../host-tools/src/provision/provision-device.ts";
import { grantReprovision, type ReprovisionGrant } from "../../host-tools/src/provision/reprovision-grant.ts";
import { loadIssuer, readRootKey } from "../../host-tools/src/wallet/issuer.ts";
import { verifyChain } from "../../host-tools/src/wallet/certificate.ts";
import { verifyAudit } from "../../host-tools/src/records/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { blankStation, lineRecords, makeLine } from "./provision-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const refused = (code: string, hint: RegExp) => (e: unknown) => {
  assert.ok(e instanceof TapkitError, String(e));
  assert.equal(e.code, code, e.message);
  assert.match(e.hint, hint);
  return true;
};

test("a locked device is re-provisioned only with a root-signed grant for it: wiped, new identity, old record kept and linked", async (t) => {
  const line = makeLine(t, "sim-plaque");
  const batch = loadBatch(line.manifest);
  const records = await lineRecords(t, line);
  const issuer = loadIssuer(`${line.dir}/issuer`);
  // A ticking device: a wipe's reboot happens on the tick after its answer, as on hardware.
  const station = await blankStation(t, "sim-plaque", { seed: 61, tickMs: 20 });
  const first = await provisionDevice(station.client, batch, records);
  const who = { batch: line.manifest.batch, serial: first.serial, uid: first.uid, reason: "RMA 7731", hours: 1 };

  const unchanged = async () => {
    const id = await station.client.ops.identity.get();
    assert.deepEqual([id.state, id.serial, toHex(id.pub)], ["locked", first.serial, first.publicKey], "the device is untouched");
    assert.equal((await records.devices(line.manifest.batch)).length, 1, "no record was added");
  };
  const attempt = (reprovision?: { serial: number; grant?: ReprovisionGrant }) => provisionDevice(station.client, batch, records, { reprovision });

  await assert.rejects(attempt(), refused("DEVICE_PROVISIONED", /--reprovision SERIAL --grant FILE/));
  await assert.rejects(attempt({ serial: first.serial + 1, grant: grantReprovision(issuer.root, who) }), refused("REPROVISION_REFUSED", /tapkit info/));
  await assert.rejects(attempt({ serial: first.serial }), refused("REPROVISION_UNAUTHORISED", /tapkit provision authorise/));
  // The batch key is on every station: it must not be enough.
  await assert.rejects(attempt({ serial: first.serial, grant: grantReprovision(issuer.batch, who) }), refused("REPROVISION_UNAUTHORISED", /root key holder/));
  const otherUid = `04${first.uid.slice(2, 12)}${first.uid.slice(12) === "00" ? "01" : "00"}`;
  await assert.rejects(
    attempt({ serial: first.serial, grant: grantReprovision(issuer.root, { ...who, uid: otherUid }) }),
    refused("REPROVISION_UNAUTHORISED", /authorise/),
  );
  await assert.rejects(
    attempt({ serial: first.serial, grant: grantReprovision(issuer.root, { ...who, batch: "another-batch" }) }),
    refused("REPROVISION_UNAUTHORISED", /authorise/),
  );
  const expired = grantReprovision(issuer.root, { ...who, now: new Date(Date.now() - 2 * 3_600_000) });
  await assert.rejects(attempt({ serial: first.serial, grant: expired }), (e: unknown) => e instanceof TapkitError && /expired/.test(e.message));
  const edited = { ...grantReprovision(issuer.root, who), reason: "something else" };
  await assert.rejects(
    attempt({ serial: first.serial, grant: edited }),
    (e: unknown) => e instanceof TapkitError && /not signed by the batch's root/.test(e.message),
  );
  await unchanged();

  const grant = grantReprovision(issuer.root, who);
  const second = await provisionDevice(station.client, batch, records, { reprovision: { serial: first.serial, grant } });
  assert.equal(second.state, "locked");
  assert.deepEqual(second.replaced && [second.replaced.serial, second.replaced.uid, second.replaced.publicKey], [first.serial, first.uid, first.publicKey]);
  assert.notEqual(second.serial, first.serial, "a new serial");
  assert.notEqual(second.uid, first.uid, "a new UID");
  assert.notEqual(second.publicKey, first.publicKey, "the wipe replaced the device key; a new one was generated");
  const id = await station.client.ops.identity.get();
  assert.deepEqual([id.state, id.serial, toHex(id.uid!)], ["locked", second.serial, second.uid]);
  assert.equal(toHex(verifyChain(id.chain!, readRootKey(`${line.dir}/issuer/root.pub`)).device.publicKey), second.publicKey);

  const rows = await records.devices(line.manifest.batch);
  assert.deepEqual(
    rows.map((r) => [r.serial, r.state, r.result, r.publicKey]),
    [
      [first.serial, "provisioned", "reprovisioned", first.publicKey],
      [second.serial, "provisioned", "locked", second.publicKey],
    ],
    "nothing deleted: the old identity keeps its record, marked",
  );
  const trail = await records.db.query<{ serial: number; step: string; result: string; body: string }>(
    "SELECT serial, step, result, body FROM audit WHERE step IN ('reprovision', 'reprovisioned') ORDER BY seq",
  );
  const data = trail.map((r) => [Number(r.serial), r.step, r.result, JSON.parse(r.body).data]);
  assert.deepEqual(
    data.map((d) => d.slice(0, 3)),
    [
      [first.serial, "reprovision", "wiping"],
      [second.serial, "reprovisioned", "reprovisioned"],
      [first.serial, "reprovisioned", "reprovisioned"],
    ],
  );
  assert.equal(data[0][3].reason, "RMA 7731");
  assert.equal(data[1][3].oldSerial, first.serial);
  assert.equal(data[1][3].oldPub, first.publicKey);
  assert.equal(data[1][3].grant, data[0][3].grant);
  assert.equal(data[2][3].newSerial, second.serial);
  const chain = await verifyAudit(records.db);
  assert.equal(chain.ok, true, JSON.stringify(chain.problems));

  // The grant named the identity the wipe removed: it cannot be used again.
  await assert.rejects(
    provisionDevice(station.client, batch, records, { reprovision: { serial: second.serial, grant } }),
    refused("REPROVISION_UNAUTHORISED", /authorise/),
  );
});
