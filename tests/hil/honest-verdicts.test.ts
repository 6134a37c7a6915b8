// Issue 11 audit, honest verdicts: a lost link is a bench fault (never "no merchant
// profile"), and the cases after it are not tried over the dead link; a lifecycle refusal
// (blank plaque) is an unmet precondition, except in a case about lifecycle refusals; a
// blocked PIN is a precondition for WALLET-005, not a pass; boot-channel cases are n/a on a
// shell without one (IMG-009 too); the report lists only the state changes made; random
// inputs follow the run's seed.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { selectCases } from "../../hil-tests/select.ts";
import { requireMerchantProfile } from "../../hil-tests/cases/merchant-profile.ts";
import check from "../../hil-tests/check.ts";
import type { ConformanceCase } from "../../hil-tests/case.ts";
import { ROOT } from "../../host-tools/src/paths.ts";
import { bootSim } from "./sim-fixture.ts";

const synthetic = (id: string, run: ConformanceCase["run"], extra: Partial<ConformanceCase> = {}): ConformanceCase => ({
  id,
  area: "test",
  title: id,
  ref: "test",
  run,
  ...extra,
});
const pick = (...ids: string[]) => selectCases(ALL_CASES, { only: ids });

test("a link lost mid-run: a bench fault, not 'no merchant profile'; later cases are not tried over the dead link", async () => {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const t0 = performance.now();
    const suite = await runConformance(device, {
      cases: [
        synthetic("T-BEFORE", async () => check.ok(true)),
        synthetic("T-CUT", async (ctx) => {
          await ctx.device.close(); // the cable comes out
          await requireMerchantProfile(ctx);
        }),
        ...pick("QR-003", "EMV-DO-001", "NFC-CC-001"),
      ],
      seed: 1,
    });
    const ms = performance.now() - t0;
    const by = Object.fromEntries(suite.cases.map((c) => [c.id, c]));
    assert.equal(by["T-BEFORE"].verdict, "pass");
    assert.equal(by["T-CUT"].verdict, "error");
    assert.match(by["T-CUT"].message!, /^bench fault LINK_CLOSED/, by["T-CUT"].message);
    assert.doesNotMatch(by["T-CUT"].message!, /merchant profile/);
    assert.equal(suite.linkLostAt, "T-CUT");
    for (const id of ["QR-003", "EMV-DO-001", "NFC-CC-001"]) {
      assert.equal(by[id].verdict, "error", id);
      assert.equal(by[id].message, "bench fault: link lost at case T-CUT; not tried (reconnect the device and run --rerun-failed)");
      assert.equal(by[id].checks, 0);
    }
    assert.ok(ms < 5000, `the dead link is not retried case by case (${Math.round(ms)} ms)`);
  } finally {
    await close();
  }
});

test("the device's own 'no merchant profile' answer is still a precondition", async () => {
  const { device, close } = await bootSim("sim-plaque", { blank: true });
  try {
    const suite = await runConformance(device, { cases: [synthetic("T-PROFILE", async (ctx) => requireMerchantProfile(ctx))] });
    const [c] = suite.cases;
    // A blank plaque either has no profile or refuses the op in its lifecycle state: both are preconditions.
    assert.equal(c.verdict, "error");
    assert.match(c.message!, /^precondition not met: (no merchant profile|a device state that serves)/, c.message);
  } finally {
    await close();
  }
});

test("a blank plaque: acceptor cases are a precondition (lifecycle state, with a hint), list no state change; a lifecycle case still fails", async () => {
  const { device, close } = await bootSim("sim-plaque", { blank: true });
  try {
    const suite = await runConformance(device, {
      cases: [
        ...pick("ACCEPTOR-001", "ACCEPTOR-002", "ACCEPTOR-003", "ACCEPTOR-010", "ACCEPTOR-021"),
        synthetic("T-LIFECYCLE", async (ctx) => void (await ctx.device.ops.merchant.get()), { tags: ["lifecycle"] }),
      ],
      allowDestructive: true,
    });
    for (const c of suite.cases.filter((c) => c.id.startsWith("ACCEPTOR"))) {
      assert.equal(c.verdict, "error", `${c.id}: ${c.verdict} ${c.message}`);
      assert.match(c.message!, /^precondition not met: a device state that serves this case's ops \(device is blank: /, c.id);
      assert.match(c.message!, /provision it first/, `${c.id} says what to do`);
      assert.deepEqual([c.stateChanges, c.stateChangesUnconfirmed], [[], []], `${c.id} changed nothing`);
    }
    assert.deepEqual(suite.stateChanges, []);
    assert.deepEqual(suite.stateChangesUnconfirmed, []);
    const life = suite.cases.find((c) => c.id === "T-LIFECYCLE")!;
    assert.equal(life.verdict, "fail", `a case about lifecycle refusals judges them: ${life.message}`);
  } finally {
    await close();
  }
});

test("state changes: listed when made (the acceptor root set), declared-but-unconfirmed when a case stops part-way", async () => {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const suite = await runConformance(device, {
      cases: [
        ...pick("ACCEPTOR-001"),
        synthetic(
          "T-STOPPED",
          async () => {
            check.equal(1, 2, "stopped before its change");
          },
          { changes: "writes the test record" },
        ),
        synthetic("T-PRE", async (ctx) => ctx.precondition("a thing"), { changes: "writes another record" }),
      ],
      allowDestructive: true,
    });
    const acc = suite.cases.find((c) => c.id === "ACCEPTOR-001")!;
    assert.equal(acc.verdict, "pass", acc.message);
    assert.ok(suite.stateChanges.includes("ACCEPTOR-001: set the acceptor root to the lab issuer (payee 'conformance', EUR)"), suite.stateChanges.join("\n"));
    assert.ok(!suite.stateChanges.some((s) => s.startsWith("T-")), "a stopped case's declared change is not listed as made");
    assert.deepEqual(suite.stateChangesUnconfirmed, ["T-STOPPED: writes the test record (declared; the case stopped before its end)"]);
  } finally {
    await close();
  }
});

test("WALLET-005 on a card whose PIN is already blocked: a precondition error, not a pass", async () => {
  const { device, close } = await bootSim("sim-card");
  try {
    const first = await runConformance(device, { cases: pick("WALLET-005"), allowDestructive: true });
    assert.equal(first.cases[0].verdict, "pass", first.cases[0].message);
    const again = await runConformance(device, { cases: pick("WALLET-005"), allowDestructive: true });
    const c = again.cases[0];
    assert.equal(c.verdict, "error", `${c.verdict} with ${c.checks} check(s)`);
    assert.match(c.message!, /^precondition not met: an unblocked PIN/);
  } finally {
    await close();
  }
});

test("a shell with no boot channel: every IMG case is n/a with that reason (IMG-009 included)", async () => {
  const { device, close } = await bootSim("sim-plaque", { noBootChannel: true });
  try {
    const suite = await runConformance(device, { cases: pick("IMG-*") });
    assert.ok(suite.cases.length >= 10);
    for (const c of suite.cases) {
      assert.equal(c.verdict, "n/a", `${c.id}: ${c.verdict} ${c.message}`);
      assert.equal(c.message, "this shell serves no boot channel (not a bootloader shell)");
    }
  } finally {
    await close();
  }
});

test("random inputs follow the seed: ctx.random repeats per seed; no case draws from Math.random, getRandomValues or the clock for inputs", async () => {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const draw = synthetic("T-RAND", async (ctx) => {
      ctx.note("r", Buffer.from(ctx.random.fill(new Uint8Array(8))).toString("hex"));
      check.ok(true);
    });
    const a = await runConformance(device, { cases: [draw], seed: 7 });
    const b = await runConformance(device, { cases: [draw], seed: 7 });
    const c = await runConformance(device, { cases: [draw], seed: 8 });
    assert.equal(a.cases[0].notes.r, b.cases[0].notes.r);
    assert.notEqual(a.cases[0].notes.r, c.cases[0].notes.r);
  } finally {
    await close();
  }
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith(".ts") ? [join(dir, f)] : []));
  for (const f of files(join(ROOT, "hil-tests", "cases"))) {
    const text = readFileSync(f, "utf8");
    assert.doesNotMatch(text, /Math\.random|getRandomValues|randomBytes|`[^`]*\$\{Date\.now\(\)\}/, `${f} draws randomness outside the run's seed`);
  }
});
