// Issue 11 audit, tapkit hil before and around a run: every input file and output path is
// checked before the device is touched (usage error, exit 2, with a hint); --firmware must
// be a firmware and the one the device runs; --rerun-failed reuses the report's seed; a
// link lost mid-run ends the run quickly with the reports written and a non-zero exit;
// the catalogue lists tags and takes [...] globs; qemu-m4 reports hash the wasm and the ELF.
import { test } from "vitest";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { firmwarePath, ROOT } from "../../host-tools/src/paths.ts";
import { firmwareFacts } from "../../hil-tests/run-facts.ts";
import { startSim, tapkit, tempDir, ensureCli, haveSocat } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";

longTests();
const noPty = !haveSocat();
if (noPty) console.warn("\n*** SKIPPING the tapkit hil runs over a pty: socat is missing ***\n");
const env = { TAPKIT_PORT: "" };
// Nothing listens here: a check that passed would fail later with a port error (exit 3), not 2.
const NO_DEVICE = ["--port", "tcp:127.0.0.1:1"];

test("hil: missing or wrong input files and unwritable report paths are usage errors before the run", async (t) => {
  ensureCli();
  const dir = tempDir(t);
  const key = join(dir, "lab.pem");
  assert.equal((await tapkit(["image", "keygen", key, "--json"])).code, 0);
  const report = join(dir, "old.json");
  writeFileSync(report, JSON.stringify({ seed: 9, cases: [{ id: "LINK-001", verdict: "fail" }] }));
  const usage = async (args: string[], message: RegExp, code = "USAGE") => {
    const r = await tapkit(["hil", ...NO_DEVICE, "--only", "LINK-001", ...args, "--json"], { env });
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code} ${r.stdout}${r.stderr}`);
    assert.equal(r.json.error.code, code, args.join(" "));
    assert.match(r.json.error.message, message, args.join(" "));
    assert.ok(r.json.error.hint.length > 10, `${args.join(" ")} has a hint`);
    return r;
  };
  await usage(["--firmware", join(dir, "nope.wasm")], /--firmware .*nope\.wasm: cannot read it \(ENOENT\)/);
  await usage(["--firmware", report], /is not a firmware image/);
  await usage(["--sign", join(dir, "nope.pem")], /--sign .*nope\.pem/);
  await usage(["--sign", report], /--sign .*holds no PEM private key/);
  await usage(["--junit", join(dir, "no-such-dir", "lab.xml")], /--junit .*does not exist/, "OUT_DIR_MISSING");
  await usage(["--report", join(dir, "no-such-dir", "lab.json")], /--report .*does not exist/, "OUT_DIR_MISSING");
  await usage(["--html", join(dir, "no-such-dir", "lab.html")], /--html .*does not exist/, "OUT_DIR_MISSING");
  await usage(["--rerun-failed", join(dir, "gone.json")], /--rerun-failed .*no such file/);
  for (const f of ["tapkit-hil.xml", "tapkit-hil.json"]) assert.ok(!existsSync(join(ROOT, f)), `${f} not written by a refused run`);

  const neg = await tapkit(["hil", ...NO_DEVICE, "--seed", "-5", "--json"], { env });
  assert.equal(neg.code, 2);
  assert.match(neg.json.error.hint, /--seed=VALUE/);
  const negEq = await tapkit(["hil", ...NO_DEVICE, "--seed=-5", "--json"], { env });
  assert.equal(negEq.code, 2);
  assert.match(negEq.json.error.hint, /0\.\.4294967295/);

  const devNull = await tapkit(["hil", "--port", "/dev/null", "--only", "LINK-001", "--junit", join(dir, "n.xml"), "--json"], { env });
  assert.notEqual(devNull.code, 0);
  assert.equal(devNull.json.error.message, "/dev/null is not a serial port");
  assert.doesNotMatch(devNull.stdout + devNull.stderr, /ioctl/);
});

test("hil verify-report: missing files exit 2, a JSON as --key says it is not a key file, garbage .cose speaks of a signed report", async (t) => {
  ensureCli();
  const dir = tempDir(t);
  const report = join(dir, "r.json");
  writeFileSync(report, JSON.stringify({ format: "tapkit-conformance/1", seed: 1, cases: [] }));
  assert.equal((await tapkit(["image", "keygen", join(dir, "lab.pem"), "--json"])).code, 0);
  const pub = join(dir, "lab.pub.pem");
  const missingReport = await tapkit(["hil", "verify-report", join(dir, "nope.json"), "--key", pub, "--json"]);
  assert.equal(missingReport.code, 2, missingReport.stdout);
  const missingKey = await tapkit(["hil", "verify-report", report, "--key", join(dir, "nope.pem"), "--json"]);
  assert.equal(missingKey.code, 2, missingKey.stdout);
  writeFileSync(`${report}.cose`, "garbage, not CBOR at all");
  const jsonKey = await tapkit(["hil", "verify-report", report, "--key", report, "--json"]);
  assert.equal(jsonKey.code, 2, jsonKey.stdout);
  assert.match(jsonKey.json.error.message, /is not a key file: expected a PEM public key/);
  assert.doesNotMatch(jsonKey.json.error.message, /hex digits/);
  const garbage = await tapkit(["hil", "verify-report", report, "--key", pub, "--json"]);
  assert.equal(garbage.code, 1, "a bad signature file is a failed verification, not a usage error");
  assert.equal(garbage.json.error.code, "REPORT_INVALID");
  assert.match(garbage.json.error.hint, /signed summary/);
  assert.doesNotMatch(garbage.json.error.hint, /wallet/);
});

test("hil --list: a tags column, [...] globs, and --exclude in the usage", async () => {
  ensureCli();
  const list = await tapkit(["hil", "--list", "--only", "LINK-00[1-3]"], { env });
  assert.equal(list.code, 0, list.stderr);
  const header = list.stdout.split("\n")[0];
  assert.match(header, /\bid\b.*\barea\b.*\btags\b.*\broles\b/);
  assert.match(list.stdout, /3 case\(s\)/);
  const json = await tapkit(["hil", "--list", "--only", "NFC-SEL-0[!0]?", "--json"], { env });
  assert.ok(json.json.cases.every((c: any) => /^NFC-SEL-0[1-9].$/.test(c.id)) && json.json.count > 0, JSON.stringify(json.json.cases.map((c: any) => c.id)));
  const help = await tapkit(["hil", "--help"], { env });
  assert.match(help.stdout, /tapkit hil --list \[--only PAT \.\.\.\] \[--exclude PAT \.\.\.\]/);
});

test("qemu-m4: the report hashes the wasm the build made and the ELF QEMU runs", () => {
  const wasm = firmwarePath("qemu-m4");
  const elf = join(wasm, "..", "firmware.elf");
  if (!existsSync(elf)) {
    console.warn("\n*** SKIPPING the qemu-m4 ELF hash check: no build/qemu-m4/firmware.elf (npm run build) ***\n");
    return;
  }
  const f = firmwareFacts("qemu-m4");
  assert.equal(f.sha256, createHash("sha256").update(readFileSync(wasm)).digest("hex"));
  // coreutils' sha256sum as the outside oracle (firmware.elf.sha256 is the link step's cache key, not the ELF's hash).
  assert.equal(f.elf?.sha256, execFileSync("sha256sum", [elf]).toString().split(/\s/)[0]);
  assert.equal(firmwareFacts("sim-plaque").elf, undefined, "only qemu-m4 runs an ELF");
});

test("hil over the pty: --firmware of another board refused before any case; --rerun-failed reuses the report's seed unless --seed", {
  skip: noPty,
}, async (t) => {
  const dir = tempDir(t);
  const sim = await startSim([]);
  t.onTestFinished(async () => void (await sim.stop()));
  const wrong = await tapkit([
    "hil",
    "--port",
    sim.port,
    "--only",
    "LINK-001",
    "--firmware",
    firmwarePath("sim-card"),
    "--junit",
    join(dir, "w.xml"),
    "--json",
  ]);
  assert.equal(wrong.code, 2, wrong.stdout + wrong.stderr);
  assert.equal(wrong.json.error.code, "FIRMWARE_MISMATCH");
  assert.match(wrong.json.error.message, /not built for board sim-plaque/);
  assert.match(wrong.json.error.message, /SHA-256 [0-9a-f]{64}/);
  assert.ok(!existsSync(join(dir, "w.json")), "no case ran, no report");

  const old = join(dir, "old.json");
  writeFileSync(old, JSON.stringify({ seed: 4242, cases: [{ id: "LINK-001", verdict: "fail" }] }));
  const rerun = await tapkit(["hil", "--port", sim.port, "--rerun-failed", old, "--junit", join(dir, "re.xml"), "--json"]);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.equal(rerun.json.seed, 4242, "the report's seed");
  assert.equal(rerun.json.seedFrom, "the --rerun-failed report");
  // Reports thrown away on purpose (/dev/null) pass the output check.
  const rerunSeed = await tapkit([
    "hil",
    "--port",
    sim.port,
    "--rerun-failed",
    old,
    "--seed",
    "7",
    "--junit",
    "/dev/null",
    "--report",
    "/dev/null",
    "--html",
    "/dev/null",
    "--json",
  ]);
  assert.equal(rerunSeed.code, 0, rerunSeed.stdout + rerunSeed.stderr);
  assert.deepEqual([rerunSeed.json.seed, rerunSeed.json.seedFrom], [7, "--seed"], "--seed wins");
});

test("hil over the pty: the simulator killed mid-run: remaining cases 'link lost', reports written, exit non-zero, quickly", { skip: noPty }, async (t) => {
  const dir = tempDir(t);
  const sim = await startSim([]);
  t.onTestFinished(async () => void (await sim.stop("SIGKILL")));
  const junit = join(dir, "cut.xml");
  const run = tapkit(["hil", "--port", sim.port, "--only", "NFC-*", "--only", "ISO-*", "--junit", junit, "--json"], { timeoutMs: 120_000 });
  // Cut the "cable" once a few cases have run: the simulator (and its pty) goes away.
  await new Promise((r) => setTimeout(r, 4000));
  await sim.stop("SIGKILL");
  const r = await run;
  assert.notEqual(r.code, 0, "a run that lost its link is not green");
  const report = JSON.parse(readFileSync(join(dir, "cut.json"), "utf8"));
  assert.ok(report.linkLostAt, `the report names where the link went: ${r.stderr.slice(-500)}`);
  const after = report.cases.slice(report.cases.findIndex((c: any) => c.id === report.linkLostAt) + 1);
  assert.ok(after.length > 10, `${after.length} cases after the cut`);
  for (const c of after) {
    assert.equal(c.verdict, "error", c.id);
    assert.match(c.message, new RegExp(`^bench fault: link lost at case ${report.linkLostAt}`));
  }
  assert.ok(!report.cases.some((c: any) => /merchant profile/.test(c.message ?? "")), "no false precondition");
  assert.ok(existsSync(junit) && existsSync(join(dir, "cut.html")));
});
