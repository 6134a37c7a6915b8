// The conformance suite against the real firmware in the simulator (in-process link), its
// JUnit report read back with an independent XML parser, and proof that the cases fail on a
// device that breaks the protocol (the fake link device keeps no link counters).
import { test } from "vitest";
import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { createStreamPair } from "../../host-tools/src/link/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { toJUnit } from "../../hil-tests/reporters/junit.ts";
import { FakeDevice } from "../link/fake-device.ts";

// Role-specific cases skip, with a reason, on the other role's board: a plaque accepts
// vouchers, a card releases PayWord hashes. Nothing else may skip on the simulated boards.
const ROLE_SKIPS: Record<string, string[]> = {
  "sim-plaque": ["PAYWORD-001"],
  "sim-card": ["ACCEPTOR-001", "ACCEPTOR-002", "ACCEPTOR-003"],
};

for (const name of ["sim-plaque", "sim-card"]) {
  test(`every conformance case passes on the ${name} firmware (role cases of the other board skip)`, async () => {
    const board = loadBoard(name);
    // the shell as bootloader (in memory, no anchor: the development image runs), so the IMG cases reach a boot channel
    const sim = await SimDevice.create({ board, wasm: firmwarePath(name), tickMs: 10, bootFromSlots: true });
    const device = await DeviceClient.over(inProcessTransport(sim), `sim:${name}`, { timeoutMs: 300 });
    try {
      const suite = await runConformance(device);
      const failed = suite.cases.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.message}`);
      assert.deepEqual(failed, [], "no failed cases");
      const skipped = suite.cases.filter((c) => c.status === "skip").map((c) => c.id);
      assert.deepEqual(skipped, ROLE_SKIPS[name], "only the other role's cases skip");
      assert.ok(
        suite.cases.filter((c) => c.status === "skip").every((c) => c.message && c.message.length > 0),
        "each skip says why",
      );
      assert.equal(suite.passed, ALL_CASES.length - ROLE_SKIPS[name].length);
      assert.equal(suite.device.board, name);

      const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(toJUnit(suite));
      const suites = [xml.testsuites.testsuite].flat();
      const cases = suites.flatMap((s: any) => [s.testcase].flat());
      assert.equal(Number(xml.testsuites.tests), ALL_CASES.length);
      assert.equal(Number(xml.testsuites.failures), 0);
      assert.equal(cases.length, ALL_CASES.length);
      assert.equal(cases.filter((c: any) => c.skipped !== undefined).length, ROLE_SKIPS[name].length, "skips are marked in JUnit");
      assert.ok(cases.every((c: any) => c.failure === undefined));
      const props = [suites[0].properties.property].flat();
      assert.ok(
        props.some((p: any) => p.name === "device.board" && p.value === name),
        "device board recorded in the report",
      );
    } finally {
      await device.close();
      sim.close();
    }
  });
}

test("the link cases fail, with reasons, on a device that does not follow the protocol", async () => {
  const [host, dev] = createStreamPair();
  const fake = new FakeDevice(dev);
  const device = await DeviceClient.over(host, "fake", { timeoutMs: 150, retries: 0 });
  try {
    const suite = await runConformance(device, { filter: ["LINK-003", "LINK-008", "LINK-011"] });
    assert.equal(suite.cases.length, 3);
    assert.equal(suite.failed, 3, suite.cases.map((c) => `${c.id} ${c.status} ${c.message}`).join("\n"));
    for (const c of suite.cases) assert.ok(c.message && c.message.length > 0, `${c.id} says why it failed`);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(toJUnit(suite));
    assert.equal(Number(xml.testsuites.failures), 3);
  } finally {
    await device.close();
    void fake;
  }
});
