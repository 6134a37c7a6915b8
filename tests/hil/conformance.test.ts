// The whole catalogue against the real firmware of both simulated boards (in-process link):
// every case passes or is n/a for the other role, with --allow-destructive; without it the
// state-changing cases are skipped and nothing else changes. The JUnit report is read back
// with an independent XML parser.
import { test } from "vitest";
import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { toJUnit } from "../../hil-tests/reporters/junit.ts";
import { selectCases } from "../../hil-tests/select.ts";
import { bootSim } from "./sim-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

for (const name of ["sim-plaque", "sim-card"] as const) {
  test(`${name}: every case passes, or is n/a for the other role, with --allow-destructive`, async () => {
    const { device, close } = await bootSim(name);
    try {
      const suite = await runConformance(device, { allowDestructive: true, seed: 11 });
      const role = name === "sim-plaque" ? "plaque" : "card";
      const notPassed = suite.cases.filter((c) => c.verdict !== "pass" && c.verdict !== "n/a").map((c) => `${c.id} ${c.verdict}: ${c.message}`);
      assert.deepEqual(notPassed, [], "no fail, error or skip");
      const na = suite.cases.filter((c) => c.verdict === "n/a").map((c) => c.id);
      const otherRole = ALL_CASES.filter((c) => c.roles && !c.roles.includes(role)).map((c) => c.id);
      assert.deepEqual(na, otherRole, "exactly the other role's cases are n/a");
      assert.ok(
        suite.cases.filter((c) => c.verdict === "n/a").every((c) => c.message?.includes(role)),
        "each n/a says why",
      );
      assert.ok(
        suite.cases.filter((c) => c.verdict === "pass").every((c) => c.checks > 0),
        "no pass without checks",
      );
      assert.ok(suite.stateChanges.length > 0, "the destructive cases that ran are listed");
      assert.equal(suite.seed, 11);
      assert.equal(suite.facts.board, name);
      assert.match(suite.facts.firmware.sha256 ?? "", /^[0-9a-f]{64}$/);

      const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(toJUnit(suite));
      const suites = [xml.testsuites.testsuite].flat();
      const cases = suites.flatMap((s: any) => [s.testcase].flat());
      assert.equal(Number(xml.testsuites.tests), ALL_CASES.length);
      assert.equal(Number(xml.testsuites.failures), 0);
      assert.equal(Number(xml.testsuites.errors), 0);
      assert.equal(cases.length, ALL_CASES.length);
      assert.equal(cases.filter((c: any) => c.skipped !== undefined).length, na.length, "n/a is marked skipped in JUnit");
      const props = [suites[0].properties.property].flat();
      assert.ok(props.some((p: any) => p.name === "device.board" && p.value === name));
      assert.ok(props.some((p: any) => p.name === "seed" && p.value === "11"));
    } finally {
      await close();
    }
  });
}

test("without --allow-destructive the state-changing cases are skipped with the reason, and the run lists no state change", async () => {
  const { device, close } = await bootSim("sim-card");
  try {
    const destructive = ALL_CASES.filter((c) => c.changes && (!c.roles || c.roles.includes("card")));
    assert.ok(destructive.length >= 5, `${destructive.length} destructive card cases`);
    const suite = await runConformance(device, { cases: destructive, seed: 1 });
    assert.deepEqual(
      suite.cases.map((c) => c.verdict),
      destructive.map(() => "skipped"),
    );
    for (const c of suite.cases) assert.match(c.message ?? "", /--allow-destructive/);
    assert.deepEqual(suite.stateChanges, []);
  } finally {
    await close();
  }
});

test("a lab-profile device (wallet certified by the lab test issuer) runs the state-changing cases without the flag, and says so", async () => {
  const { device, close } = await bootSim("sim-card");
  try {
    const cases = selectCases(ALL_CASES, { only: ["WALLET-003"] });
    const before = await runConformance(device, { cases });
    assert.deepEqual([before.destructive, before.cases[0].verdict], ["not allowed", "skipped"], "the demo wallet is not the lab's");
    const first = await runConformance(device, { cases, allowDestructive: true });
    assert.equal(first.cases[0].verdict, "pass");
    assert.match(first.stateChanges[0], /provisioned the blank wallet with the lab test issuer/);
    const after = await runConformance(device, { cases });
    assert.equal(after.destructive, "lab-profile device (wallet certified by the lab test issuer)");
    assert.equal(after.cases[0].verdict, "pass");
    assert.deepEqual(after.stateChanges, ["WALLET-003: spends 1 unit and uses one voucher counter"]);
  } finally {
    await close();
  }
});
