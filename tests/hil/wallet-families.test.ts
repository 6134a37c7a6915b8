// The wallet families (issue 11 item 6: limits, PIN, sync, acceptor) can fail: a card or plaque
// with one deliberate defect fails exactly the cases that check that rule. The defects are
// patched into the real simulated devices' answers: a refusal reason mislabelled, a wrong PIN
// answered as success, a refused payment that debits anyway, a refused sync answered as
// accepted, a plaque that stores what it should refuse. tests/hil/conformance.test.ts runs the
// families unpatched (they pass) on both boards; destructive gating is tested there too.
import { test } from "vitest";
import assert from "node:assert/strict";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { selectCases } from "../../hil-tests/select.ts";
import { nfcTestPath, type NfcPath } from "../../host-tools/src/device/nfc-path.ts";
import { LinkError } from "../../host-tools/src/link/index.ts";
import { bootSim } from "./sim-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

/** The real tag path with a defect: `patch` sees each command and answer (hex) and may send more. */
function defective(path: NfcPath, patch: (command: string, answer: string, send: (hex: string) => Promise<string>) => Promise<string>): NfcPath {
  const send = async (h: string) => hexOf(await path.apdu(Uint8Array.from(Buffer.from(h, "hex"))));
  return { ...path, apdu: async (c) => Uint8Array.from(Buffer.from(await patch(hexOf(c), hexOf(await path.apdu(c)), send), "hex")) };
}

const FAMILIES = ["WALLET-LIM-*", "WALLET-PIN-*", "WALLET-SYNC-*"];

async function failedUnder(
  patch: Parameters<typeof defective>[1],
): Promise<{ failed: Set<string>; errors: string[]; honest: number; messages: Map<string, string> }> {
  const { device, close } = await bootSim("sim-card");
  try {
    // Provision the lab wallet (WALLET-001), then the families on a defective path.
    await runConformance(device, { cases: selectCases(ALL_CASES, { only: ["WALLET-001"] }), allowDestructive: true });
    const cases = selectCases(ALL_CASES, { only: FAMILIES });
    const suite = await runConformance(device, { cases, nfc: defective(nfcTestPath(device), patch), allowDestructive: true, seed: 5 });
    return {
      failed: new Set(suite.cases.filter((c) => c.verdict === "fail").map((c) => c.id)),
      errors: suite.cases.filter((c) => c.verdict === "error").map((c) => `${c.id}: ${c.message}`),
      honest: suite.cases.filter((c) => c.verdict === "pass").length,
      messages: new Map(suite.cases.map((c) => [c.id, c.message ?? ""])),
    };
  } finally {
    await close();
  }
}

test("unpatched, every limit, PIN and sync case passes on the card", async () => {
  const r = await failedUnder(async (_c, a) => a);
  assert.deepEqual([...r.failed], []);
  assert.deepEqual(r.errors, []);
  assert.equal(r.honest, selectCases(ALL_CASES, { only: FAMILIES }).length);
});

test("a card that reports the per-payment cap as 'balance too low' (6985 07 -> 06) fails the per-payment cases", async () => {
  const r = await failedUnder(async (c, a) => (c.startsWith("00520000") && a === "076985" ? "066985" : a));
  for (const id of ["WALLET-LIM-001", "WALLET-LIM-006"]) assert.ok(r.failed.has(id), `${id} fails`);
  assert.ok(!r.failed.has("WALLET-LIM-002"), "the balance case is unaffected");
});

test("a card that debits on a refused payment fails the 'nothing moves' checks", async () => {
  const r = await failedUnder(async (c, a, send) => {
    // SIGN refused for the cap: the defective card spends 1 unit behind the refusal.
    if (c.startsWith("00520000") && a === "076985") {
      const begin = await send(`0050000013 10 ${"42".repeat(16)} 01 78`.replaceAll(" ", ""));
      const sign = await send("00520000 08 00000001 455552 00".replaceAll(" ", ""));
      assert.deepEqual([begin.slice(-4), sign.slice(-4)], ["9000", "9000"], "the hidden payment went through");
    }
    return a;
  });
  assert.ok(r.failed.has("WALLET-LIM-001"), "the per-payment refusal must leave the balance unchanged");
  assert.match(r.messages.get("WALLET-LIM-001")!, /left balances, counter, epoch, use since sync, log and PIN tries unchanged/);
});

test("a card that answers a wrong PIN with 9000 fails every PIN case", async () => {
  const r = await failedUnder(async (c, a) => (c.startsWith("00200080") && /^63C[0-9A-F]$/.test(a) ? "9000" : a));
  for (const id of ["WALLET-PIN-001", "WALLET-PIN-002", "WALLET-PIN-003", "WALLET-PIN-004"]) assert.ok(r.failed.has(id), `${id} fails`);
});

test("a card that answers a refused SYNC as accepted fails each sync refusal case", async () => {
  const r = await failedUnder(async (c, a) => (c.startsWith("005A0000") && a.endsWith("6985") ? "00000001000000019000" : a));
  const rows = selectCases(ALL_CASES, { only: ["WALLET-SYNC-0??"] }).map((c) => c.id);
  assert.ok(rows.length >= 13);
  for (const id of rows) assert.ok(r.failed.has(id), `${id} fails`);
});

test("a plaque that stores vouchers it should refuse fails the acceptor refusal cases", async () => {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const cases = selectCases(ALL_CASES, { only: ["ACCEPTOR-01?", "ACCEPTOR-02?"] });
    const honest = await runConformance(device, { cases, allowDestructive: true });
    assert.deepEqual(
      honest.cases.filter((c) => c.verdict !== "pass").map((c) => `${c.id}: ${c.message}`),
      [],
    );
    const session = device.session;
    const request = session.request.bind(session);
    session.request = async (channel, op, args, opts) => {
      try {
        return await request(channel, op, args, opts);
      } catch (e) {
        // The defect: a refused submit answered as accepted into slot 0.
        if (op === "acceptor.submit" && e instanceof LinkError && e.details.deviceCode !== "NO_CHALLENGE")
          return { kid: new Uint8Array(8), slot: 0, amount: 9, counter: 1 };
        throw e;
      }
    };
    const suite = await runConformance(device, { cases, allowDestructive: true });
    const failed = suite.cases.filter((c) => c.verdict === "fail").map((c) => c.id);
    assert.deepEqual(
      failed,
      cases.map((c) => c.id),
      "every refusal case fails",
    );
    assert.ok(failed.length >= 12, `${failed.length} acceptor cases fail`);
  } finally {
    await close();
  }
});
