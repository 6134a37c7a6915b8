// Flake hunt for the conformance suite (issue 11 item 4): runs `tapkit hil` with the whole
// catalogue N times against a fresh `tapkit sim` each time, over its pseudo-terminal, with
// one seed, and reports every case whose verdict was not the same in all runs on the same
// firmware (goal: none) and every case that was not pass or n/a. A fresh simulator per run
// makes each run start from the same device state, so "same seed, same firmware, same
// verdicts" is what is tested. Not part of npm test (minutes per run); docs/conformance.md
// describes the output file (format tapkit-conformance-flakes/1) and has the last result.
// Usage: npm run conformance:flakes -- [--runs N] [--parallel P] [--board sim-plaque|sim-card|both]
//   [--seed S] [--baud N] [--timeout MS] [--out FILE] [--stop-at HH:MM|ISO] [--keep-reports DIR] [--only SEL]...
// --timeout: tapkit hil's per-attempt link timeout, default 5000 ms: on a shared, loaded machine
//   the simulator can take over 2 s to verify a voucher chain, which the default 534 ms x 4
//   attempts reported as a bench-fault error.
// --baud: the simulated line speed, default 921600 (at 115200 a plaque run takes ~140 s, mostly
//   QR frame readback).
// --out: rewritten (temp + rename) after every run, so a hunt cut short still leaves a file a
//   lab can file, marked "complete": false with the runs that finished.
// --stop-at: start no run after this time (UTC HH:MM, or an ISO date); runs under way finish.
// --only SEL (repeatable): passed to tapkit hil, e.g. --only 'WALLET-*' to hunt one family
//   many more times than the whole catalogue fits; the default is the whole catalogue.
// --keep-reports DIR: keep there the JSON report of each board's first run and of every run
//   that had a case not pass or n/a (to read the messages of a flake).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const USAGE =
  "usage: npm run conformance:flakes -- [--runs N] [--parallel P] [--board sim-plaque|sim-card|both] [--seed S] [--baud N] [--timeout MS] [--out FILE] [--stop-at HH:MM|ISO] [--keep-reports DIR] [--only SEL]...";

/** --help: this file's header comment, which is the documentation of every option. */
function helpText() {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  const header = [];
  for (const line of lines) {
    if (!line.startsWith("//")) break;
    header.push(line.replace(/^\/\/ ?/, ""));
  }
  return header.join("\n");
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      help: { type: "boolean", short: "h" },
      timeout: { type: "string", default: "5000" },
      parallel: { type: "string", default: "1" },
      baud: { type: "string", default: "921600" },
      runs: { type: "string", default: "10" },
      board: { type: "string", default: "both" },
      seed: { type: "string", default: "2026" },
      out: { type: "string" },
      "stop-at": { type: "string" },
      "keep-reports": { type: "string" },
      only: { type: "string", multiple: true, default: [] },
    },
  });
} catch (e) {
  // An unknown or value-less option: one line saying which, not a stack trace.
  console.error(`conformance-flakes: ${e.message}\n${USAGE} (--help for every option)`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(helpText());
  process.exit(0);
}
const { values } = parsed;

function positiveInt(name, text) {
  if (!/^[1-9][0-9]*$/.test(text)) {
    console.error(`--${name} must be a positive integer (got ${text})`);
    process.exit(2);
  }
  return Number.parseInt(text, 10);
}
const runs = positiveInt("runs", values.runs);
const lanes = positiveInt("parallel", values.parallel);
const seed = values.seed;
const boards = values.board === "both" ? ["sim-plaque", "sim-card"] : [values.board];

function parseStopAt(text) {
  if (text === undefined) return null;
  const hm = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(text);
  if (hm) {
    const d = new Date();
    d.setUTCHours(Number.parseInt(hm[1], 10), Number.parseInt(hm[2], 10), 0, 0);
    if (d.getTime() < Date.now()) d.setUTCDate(d.getUTCDate() + 1);
    return d;
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) {
    console.error(`--stop-at must be HH:MM (UTC) or an ISO date (got ${text})`);
    process.exit(2);
  }
  return d;
}
const stopAt = parseStopAt(values["stop-at"]);

// TAPKIT_CLI: a copy of the bundle (e.g. under reports/, which no build or npm ci touches), so a
// rebuild during a long hunt does not change the tool mid-way; TAPKIT_BUILD_DIR likewise for firmware.
const CLI = process.env.TAPKIT_CLI ?? new URL("../dist/tapkit.mjs", import.meta.url).pathname;
if (spawnSync("socat", ["-V"], { stdio: "ignore" }).status !== 0) {
  console.error("socat is missing: the simulator's pseudo-terminal needs it (apt-get install socat)");
  process.exit(2);
}

// Each run's simulator keeps its flash in a fresh state directory: with one, the shell boots
// from the image slots and serves the boot channel, so the IMG cases run instead of being
// skipped. Cards start with a blank wallet, which the suite provisions with the published lab
// issuer (--allow-destructive): the demo wallet is not the lab's, so its sync case could only
// be a precondition error.
function startSim(board, stateDir) {
  const args = [CLI, "sim", "--board", board, "--state", stateDir, "--baud", values.baud, "--json"];
  if (board.includes("card")) args.push("--blank-wallet");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
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
      [
        CLI,
        "hil",
        "--port",
        port,
        "--baud",
        values.baud,
        "--timeout",
        values.timeout,
        "--allow-destructive",
        "--seed",
        seed,
        "--junit",
        junit,
        "--json",
        ...values.only.flatMap((o) => ["--only", o]),
      ],
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
const keepDir = values["keep-reports"];
if (keepDir) mkdirSync(keepDir, { recursive: true });
const started = new Date().toISOString();
/** per board: firmware SHA-256 -> { facts, per-case verdict counts, runs } */
const state = Object.fromEntries(boards.map((b) => [b, { firmware: new Map(), times: [], runsWithoutReport: [], done: 0, messages: [], launched: 0 }]));

/** One run: a fresh simulator, the whole catalogue over its pty, the verdicts tallied. */
async function oneRun(board, i) {
  const s = state[board];
  const t0 = Date.now();
  const stateDir = join(dir, `${board}-${i + 1}-state`);
  const sim = await startSim(board, stateDir);
  const junit = join(dir, `${board}-${i + 1}.xml`);
  const r = await hil(sim.pty, junit);
  sim.child.kill("SIGTERM");
  await new Promise((res) => sim.child.once("exit", res));
  rmSync(stateDir, { recursive: true, force: true });
  s.times.push(Date.now() - t0);
  let report;
  try {
    report = JSON.parse(r.out);
    if (!Array.isArray(report.cases)) throw new Error("no cases");
  } catch {
    s.runsWithoutReport.push({ run: i + 1, exit: r.code, stdout: r.out.slice(0, 400), stderr: r.err.slice(-400) });
    console.error(`${board} run ${i + 1}: tapkit hil exited ${r.code} without a report: ${r.out.slice(0, 400)} ${r.err.slice(-400)}`);
    return;
  }
  const sha = report.facts?.firmware?.sha256 ?? "unknown";
  let fw = s.firmware.get(sha);
  if (!fw) {
    fw = {
      firmwareSha256: sha,
      firmwareFile: report.facts?.firmware?.file ?? null,
      fw: report.facts?.fw ?? report.device?.fw,
      halAbi: report.facts?.halAbi ?? report.device?.abi,
      tapkit: report.facts?.tapkit ?? null,
      path: report.facts?.path ?? null,
      runs: 0,
      cases: new Map(),
    };
    s.firmware.set(sha, fw);
  }
  fw.runs++;
  let odd = false;
  for (const c of report.cases) {
    const entry = fw.cases.get(c.id) ?? { id: c.id, area: c.area, verdicts: {} };
    entry.verdicts[c.verdict] = (entry.verdicts[c.verdict] ?? 0) + 1;
    fw.cases.set(c.id, entry);
    if (c.verdict !== "pass" && c.verdict !== "n/a") {
      odd = true;
      s.messages.push({ run: i + 1, id: c.id, verdict: c.verdict, message: c.message });
      console.error(`  ${board} run ${i + 1}: ${c.id} ${c.verdict}: ${c.message}`);
    }
  }
  if (keepDir && (odd || i === 0)) writeFileSync(join(keepDir, `${board}-run-${i + 1}.json`), r.out);
  s.done++;
  console.error(
    `${board} run ${i + 1} (${s.done}/${runs} done): pass ${report.passed}, fail ${report.failed}, error ${report.errors}, n/a ${report.notApplicable}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

const seconds = (ms) => Math.round(ms / 100) / 10;

/** The filed result: per board and firmware, every case's verdict counts; flaky = more than one verdict. */
function summary(complete) {
  const out = {
    format: "tapkit-conformance-flakes/1",
    complete,
    seed: Number(seed),
    runsAsked: runs,
    parallel: lanes,
    baud: Number(values.baud),
    timeoutMs: Number(values.timeout),
    stopAt: stopAt ? stopAt.toISOString() : null,
    only: values.only.length ? values.only : "the whole catalogue",
    started,
    ended: new Date().toISOString(),
    boards: {},
  };
  for (const board of boards) {
    const s = state[board];
    const times = [...s.times].sort((a, b) => a - b);
    const firmware = [...s.firmware.values()].map((fw) => {
      const cases = [...fw.cases.values()];
      return {
        firmwareSha256: fw.firmwareSha256,
        firmwareFile: fw.firmwareFile,
        fw: fw.fw,
        halAbi: fw.halAbi,
        tapkit: fw.tapkit,
        path: fw.path,
        runs: fw.runs,
        flaky: cases.filter((c) => Object.keys(c.verdicts).length > 1),
        notPassing: cases.filter((c) => Object.keys(c.verdicts).some((v) => v !== "pass" && v !== "n/a")),
        verdictTotals: cases.reduce((t, c) => {
          for (const [v, n] of Object.entries(c.verdicts)) t[v] = (t[v] ?? 0) + n;
          return t;
        }, {}),
        cases,
      };
    });
    out.boards[board] = {
      runsCompleted: s.done,
      runsWithoutReport: s.runsWithoutReport,
      flakyCases: firmware.reduce((n, f) => n + f.flaky.length, 0),
      notPassingCases: firmware.reduce((n, f) => n + f.notPassing.length, 0),
      secondsPerRun: times.length
        ? { min: seconds(times[0]), median: seconds(times[Math.floor(times.length / 2)]), max: seconds(times[times.length - 1]) }
        : null,
      messages: s.messages,
      firmware,
    };
  }
  return out;
}

function writeOut(complete) {
  const text = `${JSON.stringify(summary(complete), null, 2)}\n`;
  if (values.out) {
    const tmp = `${values.out}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, values.out);
  }
  return text;
}

// Boards interleaved, so a hunt stopped early still has runs of each. Runs are independent (a
// simulator each, nothing shared), so --parallel lanes only divide the wall time.
const queue = Array.from({ length: runs }, (_, i) => boards.map((b) => [b, i])).flat();
let stoppedEarly = false;
try {
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (stopAt && Date.now() >= stopAt.getTime()) {
          stoppedEarly = true;
          queue.length = 0;
          break;
        }
        await oneRun(...next);
        writeOut(false);
      }
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const text = writeOut(!stoppedEarly);
const result = summary(!stoppedEarly);
for (const [board, b] of Object.entries(result.boards)) {
  console.error(
    `${board}: ${b.runsCompleted} runs, ${b.flakyCases} flaky cases, ${b.notPassingCases} cases not pass/n-a, ${b.runsWithoutReport.length} runs without a report`,
  );
}
process.stdout.write(values.out ? "" : text);
const bad = Object.values(result.boards).some((b) => b.flakyCases || b.notPassingCases || b.runsWithoutReport.length);
process.exit(bad ? 1 : 0);
