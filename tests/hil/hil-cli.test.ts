// `tapkit hil` as a lab drives it: the catalogue without a device, selections (globs, tags,
// exclusions; nothing matched = usage error), a run over the simulator's pseudo-terminal
// with a seed, the firmware file and a lab key, `hil verify-report` on the filed report and
// on an edited one, --rerun-failed, and state-changing cases skipped by default.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { startSim, tapkit, tempDir, ensureCli, haveSocat } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";

longTests();
const noPty = !haveSocat();
if (noPty) console.warn("\n*** SKIPPING the tapkit hil runs over a pty: socat is missing ***\n");

test("hil --list needs no device and shows every case with its reference, roles and state change", async () => {
  ensureCli();
  const env = { ...process.env, TAPKIT_PORT: "" };
  const all = await tapkit(["hil", "--list", "--json"], { env });
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.json.count, ALL_CASES.length);
  assert.ok(all.json.count >= 300, `${all.json.count} cases`);
  for (const c of all.json.cases) {
    assert.ok(c.ref.length > 5, `${c.id} has a reference`);
    assert.ok(c.roles.length > 0 && c.area && c.title);
  }
  assert.equal(new Set(all.json.cases.map((c: any) => c.id)).size, all.json.count, "ids are unique");
  assert.ok(all.json.cases.some((c: any) => c.changes !== null));

  const sel = await tapkit(["hil", "--list", "--only", "NFC-SEL-*", "--exclude", "NFC-SEL-001", "--json"], { env });
  assert.equal(sel.json.count, ALL_CASES.filter((c) => c.id.startsWith("NFC-SEL-")).length - 1);
  const tag = await tapkit(["hil", "--list", "--tag", "cla", "--json"], { env });
  assert.deepEqual(
    tag.json.cases.map((c: any) => c.id),
    ALL_CASES.filter((c) => c.tags?.includes("cla")).map((c) => c.id),
  );
  const area = await tapkit(["hil", "--list", "--only", "emv", "--json"], { env });
  assert.equal(area.json.count, ALL_CASES.filter((c) => c.area === "emv").length);

  const badTimeout = await tapkit(["hil", "--port", "tcp:127.0.0.1:1", "--timeout", "5s", "--json"], { env });
  assert.equal(badTimeout.code, 2, "--timeout takes milliseconds");
  const none = await tapkit(["hil", "--only", "NOPE-999", "--json"], { env });
  assert.equal(none.code, 2, "a selection matching nothing is a usage error");
  assert.equal(none.json.error.code, "USAGE");
  assert.match(none.json.error.hint, /--list/);
  const typo = await tapkit(["hil", "--list", "--only", "NFC-SEL-*", "--only", "NFC-SUN", "--json"], { env });
  assert.equal(typo.code, 2, "one pattern naming nothing is a usage error even when others match");
  assert.match(typo.json.error.message, /--only NFC-SUN matches no conformance case/);
});

test("a lab run over the pty: seed, firmware hash, signed report verified offline, an edit caught, --rerun-failed", { skip: noPty }, async (t) => {
  const dir = tempDir(t);
  const key = join(dir, "lab.pem");
  assert.equal((await tapkit(["image", "keygen", key, "--json"])).code, 0);
  const sim = await startSim([]);
  t.onTestFinished(async () => void (await sim.stop()));
  assert.match(sim.port, /^\/dev\/pts\/|^\/tmp\//, "the link is the simulator's pseudo-terminal");
  const junit = join(dir, "lab.xml");
  const run = await tapkit(
    [
      "hil",
      "--port",
      sim.port,
      "--only",
      "NFC-CC-*",
      "--only",
      "LINK-00?",
      "--only",
      "NFC-SUNC-002",
      "--seed",
      "5",
      "--firmware",
      firmwarePath("sim-plaque"),
      "--junit",
      junit,
      "--sign",
      key,
      "--json",
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.equal(run.json.seed, 5);
  assert.equal(run.json.facts.firmware.source, "--firmware");
  assert.equal(run.json.facts.firmware.sha256.length, 64);
  assert.equal(run.json.facts.path.link, sim.port);
  assert.deepEqual(
    [run.json.facts.path.nfcKind, run.json.facts.path.nfc],
    ["nfc-test", `${sim.port} (nfc-test channel)`],
    "the report names the path: the simulator's pty, tag APDUs over the link's nfc-test channel",
  );
  const sunc = run.json.cases.find((c: any) => c.id === "NFC-SUNC-002");
  assert.equal(sunc.verdict, "skipped", "state-changing case skipped by default");
  assert.deepEqual(run.json.stateChanges, []);
  for (const f of ["lab.json", "lab.html", "lab.xml", "lab.json.cose"]) assert.ok(existsSync(join(dir, f)), f);

  const ok = await tapkit(["hil", "verify-report", join(dir, "lab.json"), "--key", join(dir, "lab.pub.pem"), "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json.seed, 5);
  assert.equal(ok.json.counts.pass, run.json.passed);

  const edited = readFileSync(join(dir, "lab.json"), "utf8").replace('"seed": 5', '"seed": 6');
  writeFileSync(join(dir, "edited.json"), edited);
  writeFileSync(join(dir, "edited.json.cose"), readFileSync(join(dir, "lab.json.cose")));
  const bad = await tapkit(["hil", "verify-report", join(dir, "edited.json"), "--key", join(dir, "lab.pub.pem"), "--json"]);
  assert.equal(bad.code, 1);
  assert.equal(bad.json.error.code, "REPORT_INVALID");

  // --rerun-failed takes the fail and error cases of a report, nothing else.
  const report = JSON.parse(readFileSync(join(dir, "lab.json"), "utf8"));
  report.cases.find((c: any) => c.id === "NFC-CC-003").verdict = "fail";
  report.cases.find((c: any) => c.id === "LINK-002").verdict = "error";
  writeFileSync(join(dir, "failed.json"), JSON.stringify(report));
  const rerun = await tapkit(["hil", "--port", sim.port, "--rerun-failed", join(dir, "failed.json"), "--junit", join(dir, "rerun.xml"), "--json"], {
    timeoutMs: 60_000,
  });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(
    rerun.json.cases.map((c: any) => c.id),
    ["LINK-002", "NFC-CC-003"],
  );
  const clean = await tapkit(["hil", "--port", sim.port, "--rerun-failed", join(dir, "lab.json"), "--json"]);
  assert.equal(clean.code, 2, "a report without failures selects nothing: usage error");
});
