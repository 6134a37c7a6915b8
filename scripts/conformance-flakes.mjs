// Flake hunt for the conformance suite (issue 11 item 4): runs `tapkit hil` with the whole
// catalogue N times against a fresh `tapkit sim` each time, over its pseudo-terminal, with
// one seed, and reports every case whose verdict was not the same in all runs (goal: none)
// and every case that was not pass or n/a. A fresh simulator per run makes each run start
// from the same device state, so "same seed, same firmware, same verdicts" is what is tested.
// Not part of npm test (it takes minutes per run); docs/conformance.md has the last result.
// Usage: npm run conformance:flakes -- [--runs N] [--parallel P] [--board sim-plaque|sim-card|both] [--seed S] [--baud N] [--timeout MS] [--out FILE]
// (--timeout: tapkit hil's per-attempt link timeout, default 5000 ms: on a shared, loaded machine the
// simulator can take over 2 s to verify a voucher chain, which the default 534 ms x 4 attempts
// reported as a bench-fault error; --baud: the simulated line speed, default 921600; at the boards' 115200 a plaque run takes ~140 s, mostly QR frame readback)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    timeout: { type: "string", default: "5000" },
    parallel: { type: "string", default: "1" },
    baud: { type: "string", default: "921600" },
    runs: { type: "string", default: "10" },
    board: { type: "string", default: "both" },
    seed: { type: "string", default: "2026" },
    out: { type: "string" },
  },
});
const runs = Number(values.runs);
const seed = values.seed;
const boards = values.board === "both" ? ["sim-plaque", "sim-card"] : [values.board];
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs})`);
// TAPKIT_CLI: a copy of the bundle (e.g. under reports/, which no build or npm ci touches), so a
// rebuild during a long hunt does not change the tool mid-way; TAPKIT_BUILD_DIR likewise for firmware.
const CLI = process.env.TAPKIT_CLI ?? new URL("../dist/tapkit.mjs", import.meta.url).pathname;
if (spawnSync("socat", ["-V"], { stdio: "ignore" }).status !== 0) {
  console.error("socat is missing: the simulator's pseudo-terminal needs it (apt-get install socat)");
  process.exit(2);
}

function startSim(board) {
  const child = spawn(process.execPath, [CLI, "sim", "--board", board, "--baud", values.baud, "--json"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (l) => {
      const ev = JSON.parse(l);
      if (ev.event === "ready") resolve({ child, pty: ev.pty });
    });
    child.on("exit", (code) => reject(new Error(`tapkit sim exited with ${code}`)));
  });
}

function hil(port, junit) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [CLI, "hil", "--port", port, "--baud", values.baud, "--timeout", values.timeout, "--allow-destructive", "--seed", seed, "--junit", junit, "--json"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

const dir = mkdtempSync(join(tmpdir(), "tapkit-flakes-"));
const summary = { seed: Number(seed), runsPerBoard: runs, parallel: Number(values.parallel), started: new Date().toISOString(), boards: {} };
const state = Object.fromEntries(boards.map((b) => [b, { verdicts: new Map(), times: [], badRuns: 0, done: 0, messages: [] }]));

/** One run: a fresh simulator, the whole catalogue over its pty, the verdicts tallied. */
async function oneRun(board, i) {
  const s = state[board];
  const t0 = Date.now();
  const sim = await startSim(board);
  const r = await hil(sim.pty, join(dir, `${board}-${i}.xml`));
  sim.child.kill("SIGTERM");
  await new Promise((res) => sim.child.once("exit", res));
  s.times.push(Date.now() - t0);
  let report;
  try {
    report = JSON.parse(r.out);
    if (!Array.isArray(report.cases)) throw new Error("no cases");
  } catch {
    s.badRuns++;
    console.error(`${board} run ${i + 1}: tapkit hil exited ${r.code} without a report: ${r.out.slice(0, 400)} ${r.err.slice(-400)}`);
    return;
  }
  for (const c of report.cases) {
    const m = s.verdicts.get(c.id) ?? new Map();
    m.set(c.verdict, (m.get(c.verdict) ?? 0) + 1);
    s.verdicts.set(c.id, m);
    if (c.verdict !== "pass" && c.verdict !== "n/a") {
      s.messages.push({ run: i + 1, id: c.id, verdict: c.verdict, message: c.message });
      console.error(`  ${board} run ${i + 1}: ${c.id} ${c.verdict}: ${c.message}`);
    }
  }
  s.done++;
  console.error(
    `${board} run ${i + 1} (${s.done}/${runs} done): pass ${report.passed}, fail ${report.failed}, error ${report.errors}, n/a ${report.notApplicable}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

// Runs are independent (a simulator each, nothing shared), so --parallel lanes only divide
// the wall time: a run mostly waits on the link, not on the CPU.
const queue = boards.flatMap((b) => Array.from({ length: runs }, (_, i) => [b, i]));
try {
  await Promise.all(
    Array.from({ length: Math.max(1, Number(values.parallel)) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await oneRun(...next);
    }),
  );
  for (const board of boards) {
    const { verdicts, times, badRuns, messages } = state[board];
    const flaky = [...verdicts].filter(([, m]) => m.size > 1).map(([id, m]) => ({ id, verdicts: Object.fromEntries(m) }));
    const notPassing = [...verdicts]
      .filter(([, m]) => [...m.keys()].some((v) => v !== "pass" && v !== "n/a"))
      .map(([id, m]) => ({ id, verdicts: Object.fromEntries(m) }));
    times.sort((a, b) => a - b);
    summary.boards[board] = {
      runs,
      runsWithoutReport: badRuns,
      cases: verdicts.size,
      flaky,
      notPassing,
      messages,
      secondsPerRun: { min: times[0] / 1000, median: times[Math.floor(times.length / 2)] / 1000, max: times[times.length - 1] / 1000 },
    };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
summary.ended = new Date().toISOString();
const text = `${JSON.stringify(summary, null, 2)}\n`;
if (values.out) writeFileSync(values.out, text);
process.stdout.write(text);
const bad = Object.values(summary.boards).some((b) => b.flaky.length || b.notPassing.length || b.runsWithoutReport);
process.exit(bad ? 1 : 0);
