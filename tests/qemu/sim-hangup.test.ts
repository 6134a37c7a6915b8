// `tapkit sim` leaves nothing behind however it ends: SIGHUP (its terminal closed: the whole
// process group, or tapkit alone) stops it like SIGTERM, and after SIGKILL the orphan guard
// stops QEMU or socat and removes the pty link and QEMU's socket directory. The next start
// removes what a dead tapkit sim left. Real processes: QEMU for qemu-m4 (skipped LOUDLY without
// the Debian tools), socat for sim-plaque.
import { beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BackgroundSim, ensureCli, haveSocat, startSim, tempDir } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { childrenNamed, pathExists as exists, qemuBoardElf, qemuMissing } from "./qemu-fixture.ts";

longTests();

const noQemu = qemuMissing !== null;
const noSocat = !haveSocat();
if (noSocat) console.warn("\n*** SKIPPING the sim-plaque hang-up tests: socat is not installed (apt-get install socat) ***\n");

beforeAll(async () => {
  ensureCli();
  if (!noQemu) await qemuBoardElf();
});

/** Running and not a zombie (an orphan's exit is reaped by init whenever init gets to it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Live processes whose command line mentions `text` (a link path, a socket directory). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text) && running(Number(entry))) found.push(Number(entry));
    } catch {
      // it ended while we looked
    }
  }
  return found;
}

/** QEMU's socket directory, from its command line (-qmp unix:DIR/qmp.sock). */
function qemuWorkDir(qemu: number): string {
  const args = readFileSync(`/proc/${qemu}/cmdline`, "utf8").split("\0");
  const qmp = args.find((a) => a.startsWith("unix:") && a.includes("/qmp.sock"));
  assert.ok(qmp, `QEMU's command line names its QMP socket: ${args.join(" ")}`);
  return qmp.slice("unix:".length, qmp.indexOf("/qmp.sock"));
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startQemuSim(t: { onTestFinished(fn: () => void): void }) {
  const sim = await startSim(["--board", "qemu-m4"], { detached: true });
  t.onTestFinished(() => void (sim.child.exitCode === null && sim.child.kill("SIGKILL")));
  const [qemu] = childrenNamed(sim.child.pid!, "qemu-system-arm");
  assert.ok(qemu && running(qemu), "QEMU runs as a child of tapkit sim");
  const work = qemuWorkDir(qemu);
  assert.ok(lstatSync(work).isDirectory());
  const link = sim.ready.pty!;
  assert.ok(lstatSync(link).isSymbolicLink());
  t.onTestFinished(() => {
    if (running(qemu)) process.kill(qemu, "SIGKILL");
  });
  return { sim, qemu, work, link };
}

function assertCleanStop(sim: BackgroundSim, code: number): void {
  assert.equal(code, 0, sim.stderr());
  assert.deepEqual(JSON.parse(sim.lines.at(-1)!), { event: "stopped" }, "a clean stop, not a crash");
}

test("closing the terminal (SIGHUP to the process group) stops tapkit sim --board qemu-m4: QEMU, the pty link and the socket directory are gone", {
  skip: noQemu,
}, async (t) => {
  const { sim, qemu, work, link } = await startQemuSim(t);
  process.kill(-sim.child.pid!, "SIGHUP");
  assertCleanStop(sim, await sim.exited);
  assert.equal(running(qemu), false, "QEMU ended");
  assert.deepEqual(processesMentioning(work), [], "no process left that uses the socket directory");
  assert.equal(exists(link), false, "the pty link is gone");
  assert.equal(exists(work), false, "the socket directory is gone");
});

test("SIGHUP to tapkit sim alone stops its QEMU as well (no orphan), and removes the link and the socket directory", { skip: noQemu }, async (t) => {
  const { sim, qemu, work, link } = await startQemuSim(t);
  assertCleanStop(sim, await sim.stop("SIGHUP"));
  assert.equal(running(qemu), false, "QEMU was stopped, not left to init");
  assert.equal(exists(link), false);
  assert.equal(exists(work), false);
});

test("SIGKILL of tapkit sim --board qemu-m4: the orphan guard stops QEMU and removes the link and the socket directory", { skip: noQemu }, async (t) => {
  const { sim, qemu, work, link } = await startQemuSim(t);
  assert.notEqual(await sim.stop("SIGKILL"), 0);
  await until("QEMU stopped", () => !running(qemu));
  await until("link and socket directory removed", () => !exists(link) && !exists(work));
  assert.deepEqual(processesMentioning(work), []);
});

for (const [how, send] of [
  ["SIGHUP to the process group", (sim: BackgroundSim) => process.kill(-sim.child.pid!, "SIGHUP")],
  ["SIGHUP to tapkit alone", (sim: BackgroundSim) => sim.child.kill("SIGHUP")],
  ["SIGKILL to tapkit alone", (sim: BackgroundSim) => sim.child.kill("SIGKILL")],
] as const) {
  test(`${how} ends tapkit sim (sim-plaque) with its socat, and the pty link is removed`, { skip: noSocat }, async (t) => {
    const link = join(tempDir(t), "plaque");
    const sim = await startSim(["--pty", link], { detached: true });
    t.onTestFinished(() => void (sim.child.exitCode === null && sim.child.kill("SIGKILL")));
    const [socat] = childrenNamed(sim.child.pid!, "socat");
    assert.ok(socat && running(socat), "socat serves the pty");
    assert.ok(lstatSync(link).isSymbolicLink());
    t.onTestFinished(() => {
      for (const pid of processesMentioning(link)) process.kill(pid, "SIGKILL");
    });
    send(sim);
    const code = await sim.exited;
    if (how.startsWith("SIGHUP")) assertCleanStop(sim, code);
    await until("socat stopped", () => !running(socat) && processesMentioning(link).length === 0);
    await until("the pty link removed", () => !exists(link));
  });
}

test("the next tapkit sim removes the pty link and socket directory of a dead tapkit sim, says so, and leaves everything else", async (t) => {
  const dead = spawnSync("true").pid!; // a pid that ran and ended
  const staleLink = `/tmp/tapkit-sim-plaque-${dead}`;
  const staleDir = join(tmpdir(), `tapkit-sim-plaque-${dead}-Ab12Cd`);
  const userFile = `/tmp/tapkit-sim-plaque-${dead + 1}`; // a regular file of the same shape: not ours
  const liveLink = `/tmp/tapkit-sim-plaque-${process.pid}`; // a running process's link
  t.onTestFinished(() => {
    for (const p of [staleLink, staleDir, userFile, liveLink]) rmSync(p, { recursive: true, force: true });
  });
  symlinkSync("/dev/pts/999", staleLink);
  mkdirSync(staleDir);
  writeFileSync(userFile, "keep me");
  symlinkSync("/dev/pts/998", liveLink);
  const sim = await startSim(["--no-pty"]);
  const code = await sim.stop("SIGTERM");
  assert.equal(code, 0, sim.stderr());
  assert.equal(exists(staleLink), false, "the dead sim's link is removed");
  assert.equal(exists(staleDir), false, "the dead sim's socket directory is removed");
  assert.match(sim.stderr(), new RegExp(`removed ${staleLink}, left by a tapkit sim \\(pid ${dead}\\) that no longer runs`));
  assert.equal(readFileSync(userFile, "utf8"), "keep me", "a regular file is never removed");
  assert.ok(lstatSync(liveLink).isSymbolicLink(), "a running process's link stays");
});
