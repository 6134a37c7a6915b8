// The maker's path with the real CLI over the simulator's serial port: a simulator with
// --state (its shell is the bootloader), keygen, sign, trust, flash (plain progress lines
// when not on a terminal), list, confirm, a restart that keeps the confirmed image, and a
// refused image that exits 1 with the device's reason code and changes nothing. The first
// image's self-test fails (so the host confirms it); the second confirms itself.
import { test } from "vitest";
import assert from "node:assert/strict";
import { join } from "node:path";
import { longTests } from "../support/long-tests.ts";
import { haveSocat, startSim, tapkit, tempDir } from "../cli/cli-helpers.ts";
import { writeFileSync, readFileSync } from "node:fs";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { selfTestFailingModule } from "../../host-tools/src/torture/update-images.ts";

longTests();

test("keygen, sign, trust, flash, list, confirm, restart, and a refused image, through the CLI", async (t) => {
  const dir = tempDir(t);
  const state = join(dir, "state");
  const ptyArgs = haveSocat() ? ["--pty", join(dir, "pty")] : ["--no-pty"];
  const ok = async (args: string[]) => {
    const r = await tapkit(args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  await ok(["image", "keygen", join(dir, "release.pem")]);
  await ok(["image", "keygen", join(dir, "other.pem")]);
  const fw = join(dir, "fw.tki");
  const failing = join(dir, "self-test-fails.wasm");
  writeFileSync(failing, selfTestFailingModule(readFileSync(firmwarePath("sim-card"))));
  await ok(["image", "sign", failing, "--key", join(dir, "release.pem"), "--board", "sim-card", "--version", "1.2.3", "--out", fw]);
  const selfConfirming = join(dir, "fw2.tki");
  await ok([
    "image",
    "sign",
    firmwarePath("sim-card"),
    "--key",
    join(dir, "release.pem"),
    "--board",
    "sim-card",
    "--version",
    "1.3.0",
    "--out",
    selfConfirming,
  ]);
  const stranger = join(dir, "stranger.tki");
  await ok(["image", "sign", firmwarePath("sim-card"), "--key", join(dir, "other.pem"), "--board", "sim-card", "--version", "9.0.0", "--out", stranger]);

  let sim = await startSim(["--board", "sim-card", "--state", state, ...ptyArgs]);
  t.onTestFinished(() => void sim.stop("SIGKILL"));
  const port = sim.port;
  const trust = JSON.parse((await ok(["image", "trust", "--port", port, "--key", join(dir, "release.pub.pem"), "--json"])).stdout);
  assert.match(trust.kid, /^[0-9a-f]{16}$/);

  const flashed = await ok(["flash", "--port", port, fw, "--json"]);
  const report = JSON.parse(flashed.stdout);
  assert.equal(report.state, "trial");
  assert.equal(report.version, "1.2.3");
  assert.equal(report.resumedFrom, 0);
  const plain = await ok(["flash", "--port", port, fw]);
  assert.match(plain.stdout, /already-installed/);

  let list = JSON.parse((await ok(["image", "list", "--port", port, "--json"])).stdout);
  assert.deepEqual(
    list.slots.map((s: any) => [s.state, s.version ?? null, s.trial ?? false]),
    [
      ["active", "1.2.3", true],
      ["empty", null, false],
    ],
  );
  await ok(["image", "confirm", "--port", port]);

  const self = await ok(["flash", "--port", port, selfConfirming]);
  assert.match(self.stdout, /confirmed by the firmware's self-test/);
  list = JSON.parse((await ok(["image", "list", "--port", port, "--json"])).stdout);
  assert.deepEqual(
    list.slots.map((s: any) => [s.state, s.version ?? null, s.trial ?? false, s.self ?? false]),
    [
      ["confirmed", "1.2.3", false, false],
      ["active", "1.3.0", false, true],
    ],
  );

  const refused = await tapkit(["flash", "--port", port, stranger, "--json"]);
  assert.equal(refused.code, 1, refused.stderr);
  const err = JSON.parse(refused.stdout).error;
  assert.equal(err.code, "IMAGE_UNKNOWN_KEY");
  assert.ok(err.hint.length > 10);

  assert.equal(await sim.stop(), 0);
  sim = await startSim(["--board", "sim-card", "--state", state, ...ptyArgs]);
  list = JSON.parse((await ok(["image", "list", "--port", sim.port, "--json"])).stdout);
  assert.equal(list.running, "confirmed", "the confirmed image runs after a restart, from the slot");
  assert.equal(list.slots[1].version, "1.3.0");
  const info = JSON.parse((await ok(["info", "--port", sim.port, "--json"])).stdout);
  assert.equal(info.board, "sim-card");
  assert.equal(await sim.stop(), 0);
});

test("tapkit flash prints plain progress lines with bytes, rate and time left when not on a terminal", async (t) => {
  const dir = tempDir(t);
  await tapkit(["image", "keygen", join(dir, "k.pem")]);
  const fw = join(dir, "fw.tki");
  await tapkit(["image", "sign", firmwarePath("sim-card"), "--key", join(dir, "k.pem"), "--board", "sim-card", "--version", "1.0.0", "--out", fw]);
  const sim = await startSim(["--board", "sim-card", "--state", join(dir, "state"), "--no-pty"]);
  t.onTestFinished(() => void sim.stop("SIGKILL"));
  assert.equal((await tapkit(["image", "trust", "--port", sim.port, "--key", join(dir, "k.pub.pem")])).code, 0);
  const r = await tapkit(["flash", "--port", sim.port, fw, "--confirm"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split("\n").filter((l) => / % /.test(l));
  assert.ok(lines.length >= 3, r.stderr);
  assert.match(lines.at(-1)!, /100 % \d+\.\d\/\d+\.\d KiB \d+\.\d KiB\/s/);
  assert.ok(!r.stderr.includes("\r"), "no carriage returns in a log");
  assert.match(r.stdout, /confirmed/);
  assert.equal(await sim.stop(), 0);
});
