// Honest verdicts (issue 11 item 2): a case that checks nothing is an error, a bug in a case
// is an error with a summary (not the raw exception text), n/a and precondition say why, a
// bench fault is not blamed on the device; the cases the issue named (WALLET-* on a plaque,
// NFC-SUN-* on a blank plaque, an unprovisioned wallet) get those verdicts; and the
// catalogue can fail: a device that breaks the protocol, or a patched tag answer, fails cases.
import { test } from "vitest";
import assert from "node:assert/strict";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { selectCases } from "../../hil-tests/select.ts";
import check from "../../hil-tests/check.ts";
import type { ConformanceCase } from "../../hil-tests/case.ts";
import { nfcTestPath, type NfcPath } from "../../host-tools/src/device/nfc-path.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { createStreamPair } from "../../host-tools/src/link/index.ts";
import { FakeDevice } from "../link/fake-device.ts";
import { bootSim } from "./sim-fixture.ts";

const synthetic = (id: string, run: ConformanceCase["run"]): ConformanceCase => ({ id, area: "test", title: id, ref: "test", run });

test("verdicts: no checks is error, a case bug is error with a summary, n/a, precondition, fail, bench fault", async () => {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const suite = await runConformance(device, {
      cases: [
        synthetic("T-NOCHECK", async () => {}),
        synthetic("T-BUG", async () => {
          const x: any = undefined;
          check.ok(x.field.deeper);
        }),
        synthetic("T-NA", async (ctx) => ctx.notApplicable("no panel on this board")),
        synthetic("T-PRE", async (ctx) => ctx.precondition("the merchant profile")),
        synthetic("T-FAIL", async () => check.equal(1, 2, "one is not two")),
        synthetic("T-BENCH", async () => {
          throw new TapkitError("TIMEOUT", "no answer in 300 ms", "check the cable");
        }),
        synthetic("T-PASS", async () => check.ok(true)),
      ],
    });
    const by = Object.fromEntries(suite.cases.map((c) => [c.id, c]));
    assert.equal(by["T-NOCHECK"].verdict, "error");
    assert.match(by["T-NOCHECK"].message!, /no checks/);
    assert.equal(by["T-BUG"].verdict, "error");
    assert.match(by["T-BUG"].message!, /^internal error in the case \(TypeError/);
    assert.doesNotMatch(by["T-BUG"].message!, /Cannot read properties/, "not the raw exception text");
    assert.deepEqual([by["T-NA"].verdict, by["T-NA"].message], ["n/a", "no panel on this board"]);
    assert.deepEqual([by["T-PRE"].verdict, by["T-PRE"].message], ["error", "precondition not met: the merchant profile"]);
    assert.deepEqual([by["T-FAIL"].verdict, by["T-FAIL"].message!.startsWith("one is not two")], ["fail", true]);
    assert.equal(by["T-BENCH"].verdict, "error");
    assert.match(by["T-BENCH"].message!, /^bench fault TIMEOUT/);
    assert.deepEqual([by["T-PASS"].verdict, by["T-PASS"].checks], ["pass", 1]);
    assert.deepEqual(suite.counts, { fail: 1, error: 4, pass: 1, "n/a": 1, skipped: 0 });
  } finally {
    await close();
  }
});

test("a blank plaque: SUN cases are a precondition error naming the keys, wallet cases n/a; a blank card's wallet cases need provisioning", async () => {
  const plaque = await bootSim("sim-plaque", { blank: true });
  try {
    const suite = await runConformance(plaque.device, { cases: selectCases(ALL_CASES, { only: ["NFC-SUN-*", "WALLET-*"] }), allowDestructive: true });
    for (const c of suite.cases.filter((c) => c.id.startsWith("NFC-SUN"))) {
      assert.equal(c.verdict, "error", `${c.id}: ${c.message}`);
      assert.match(c.message!, /^precondition not met: SUN keys/);
    }
    for (const c of suite.cases.filter((c) => c.id.startsWith("WALLET-") && c.id !== "WALLET-000")) assert.equal(c.verdict, "n/a", c.id);
    assert.equal(suite.cases.find((c) => c.id === "WALLET-000")?.verdict, "pass", "a plaque refuses the wallet AID");
  } finally {
    await plaque.close();
  }
  const card = await bootSim("sim-card", { blank: true });
  try {
    const suite = await runConformance(card.device, { cases: selectCases(ALL_CASES, { only: ["WALLET-001", "WALLET-002"] }) });
    for (const c of suite.cases) {
      assert.equal(c.verdict, "error", `${c.id}: ${c.message}`);
      assert.match(c.message!, /precondition not met: the wallet is not provisioned/);
    }
    assert.deepEqual(suite.stateChanges, [], "nothing was provisioned behind the lab's back");
    const allowed = await runConformance(card.device, { cases: selectCases(ALL_CASES, { only: ["WALLET-003"] }), allowDestructive: true });
    assert.equal(allowed.cases[0].verdict, "error", "a card without a device key is a precondition, not a failure");
    assert.match(allowed.cases[0].message!, /^precondition not met: the device key/);
  } finally {
    await card.close();
  }
});

test("the link cases fail, with reasons, on a device that does not follow the protocol", async () => {
  const [host, dev] = createStreamPair();
  const fake = new FakeDevice(dev);
  const device = await DeviceClient.over(host, "fake", { timeoutMs: 150, retries: 0 });
  try {
    const suite = await runConformance(device, { cases: selectCases(ALL_CASES, { only: ["LINK-003", "LINK-008", "LINK-011"] }) });
    assert.equal(suite.cases.length, 3);
    assert.equal(suite.failed + suite.errors, 3, suite.cases.map((c) => `${c.id} ${c.verdict} ${c.message}`).join("\n"));
    assert.ok(suite.failed >= 2);
    for (const c of suite.cases) assert.ok(c.message && c.message.length > 0, `${c.id} says why`);
  } finally {
    await device.close();
    void fake;
  }
});

/** The real tag path with one deliberate defect patched into its answers. */
function patched(path: NfcPath, patch: (command: string, answer: string) => string): NfcPath {
  return {
    ...path,
    apdu: async (c) => {
      const a = Buffer.from(await path.apdu(c))
        .toString("hex")
        .toUpperCase();
      return Uint8Array.from(Buffer.from(patch(Buffer.from(c).toString("hex").toUpperCase(), a), "hex"));
    },
  };
}

test("the catalogue can fail: patched tag answers (CLA ignored, CC mapping 1.0, 6A82 as 6A86) fail exactly the cases that check them", async () => {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const cases = selectCases(ALL_CASES, { only: ["ISO-CLA-*", "NFC-RB-*", "NFC-SEL-*", "NFC-T4-*"] });
    const honest = await runConformance(device, { cases, seed: 3 });
    assert.equal(honest.failed + honest.errors, 0, "all pass unpatched");
    const broken = patched(nfcTestPath(device), (c, a) => {
      if (/^(?!00)[0-9A-F]{2}(A4|B0)/.test(c) && a === "6E00") return "6D00"; // class byte not checked first
      if (c.startsWith("00B0000") && a.startsWith("000F20")) return `000F10${a.slice(6)}`; // CC says mapping 1.0
      if (a === "6A82") return "6A86";
      return a;
    });
    const suite = await runConformance(device, { cases, nfc: broken, seed: 3 });
    const failed = new Set(suite.cases.filter((c) => c.verdict === "fail").map((c) => c.id));
    for (const id of cases.filter((c) => c.id.startsWith("ISO-CLA-")).map((c) => c.id)) assert.ok(failed.has(id), `${id} fails when CLA is not checked`);
    for (const id of ["NFC-RB-001", "NFC-RB-010", "NFC-SEL-006", "NFC-SEL-007", "NFC-T4-001", "NFC-T4-002"]) assert.ok(failed.has(id), `${id} fails`);
    assert.equal(suite.errors, 0, "a wrong answer is a fail, not an error");
  } finally {
    await close();
  }
});
