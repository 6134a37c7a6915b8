// tapkit device lock | wipe as users run them, against `tapkit sim --blank` over its serial
// pty: both refuse without words that say "yes, irreversibly" (exit 2, nothing sent); lock
// refuses a blank device; a locked device (provisioned and locked by tapkit provision) is
// wiped only with the exact phrase, then reports blank; --json for scripts; --help with
// examples. Skips loudly without socat.
import { test } from "vitest";
import assert from "node:assert/strict";
import { join } from "node:path";
import { haveSocat, startSim, tapkit } from "./cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { makeLine } from "../provision/provision-fixture.ts";

longTests();
const skip = !haveSocat();
if (skip) console.warn("\n*** socat is not installed: SKIPPING the tapkit device lock/wipe CLI tests (apt-get install socat) ***\n");

test("device lock and wipe: --help with examples, refusals without --yes or the phrase, a locked device wiped back to blank", { skip }, async (t) => {
  for (const cmd of ["lock", "wipe"]) {
    const help = await tapkit(["device", cmd, "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`tapkit device ${cmd} --port /dev/ttyUSB0`));
  }
  const line = makeLine(t, "sim-plaque");
  const sim = await startSim(["--board", "sim-plaque", "--blank"]);
  t.onTestFinished(async () => void (await sim.stop()));
  const state = async () => (await tapkit(["info", "--port", sim.port, "--json"])).json.state;

  const noYes = await tapkit(["device", "lock", "--port", sim.port, "--json"]);
  assert.equal(noYes.code, 2, noYes.stdout);
  assert.match(noYes.json.error.hint, /--yes/);
  const blankLock = await tapkit(["device", "lock", "--port", sim.port, "--yes", "--json"]);
  assert.equal(blankLock.code, 1, blankLock.stdout);
  assert.equal(blankLock.json.error.code, "DEVICE_NOT_PROVISIONED");
  assert.equal(await state(), "blank", "a refused lock changes nothing");

  const key = join(line.dir, "station.key");
  const prov = await tapkit([
    "provision",
    "--port",
    sim.port,
    "--manifest",
    line.manifestPath,
    "--db",
    `sqlite:${line.dbPath}`,
    "--station",
    "st1",
    "--station-key",
    key,
  ]);
  assert.equal(prov.code, 0, prov.stderr);
  assert.equal(await state(), "locked");
  const again = await tapkit(["device", "lock", "--port", sim.port, "--yes", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual([again.json.before, again.json.state], ["locked", "locked"]);

  const wipeNoWords = await tapkit(["device", "wipe", "--port", sim.port]);
  assert.equal(wipeNoWords.code, 2);
  const wipeYes = await tapkit(["device", "wipe", "--port", sim.port, "--yes", "--json"]);
  assert.equal(wipeYes.code, 2, wipeYes.stdout);
  assert.equal(wipeYes.json.error.code, "WIPE_PHRASE");
  assert.match(wipeYes.json.error.hint, /--confirm "wipe locked device"/);
  const wipeWrong = await tapkit(["device", "wipe", "--port", sim.port, "--confirm", "wipe locked", "--json"]);
  assert.equal(wipeWrong.code, 2);
  assert.match(wipeWrong.json.error.message, /does not match/);
  assert.equal(await state(), "locked", "refused wipes change nothing");

  const wiped = await tapkit(["device", "wipe", "--port", sim.port, "--confirm", "wipe locked device"]);
  assert.equal(wiped.code, 0, wiped.stderr);
  assert.match(wiped.stdout, /locked -> blank/);
  assert.equal(await state(), "blank");
  const info = await tapkit(["info", "--port", sim.port, "--json"]);
  assert.equal(info.json.identity.serial, null, "the identity went with the wipe");
  const wipeBlank = await tapkit(["device", "wipe", "--port", sim.port, "--yes", "--json"]);
  assert.equal(wipeBlank.code, 0, wipeBlank.stderr);
  assert.deepEqual([wipeBlank.json.before, wipeBlank.json.state], ["blank", "blank"]);
});
