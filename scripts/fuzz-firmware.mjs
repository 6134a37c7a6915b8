// The firmware fuzzing campaign (docs/security.md, "Fuzzing"): 10,000,000 seeded inputs by
// default across Type 4 APDUs (NDEF application and the card's wallet applet), Type 2
// commands, raw link bytes, well-formed link frames for every channel and op with mutated
// arguments, mutated CBOR bodies, and the EMV and NDEF parsers behind merchant.set,
// emv.build, qr.amount, ndef.* and tag.set, on both simulated boards, against the built
// firmware (npm run build) in the reference board shell, on every core.
// Reports inputs, traps, hangs, undocumented codes and deviations per target and board.
// Exit 0 only with 0 traps, 0 hangs, 0 undocumented answers and no unknown deviations.
//
// Usage: node --import tsx scripts/fuzz-firmware.mjs [--total N] [--seed S] [--workers W]
//          [--chunk N] [--json] [--out report.json]
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { DEFAULT_CHUNK, DEFAULT_TOTAL, runCampaign } from "./fuzz-firmware/campaign.ts";
import { HANG_INSTRUCTIONS } from "./fuzz-firmware/targets.ts";

const { values } = parseArgs({
  options: {
    total: { type: "string", default: String(DEFAULT_TOTAL) },
    seed: { type: "string", default: "1" },
    workers: { type: "string" },
    chunk: { type: "string", default: String(DEFAULT_CHUNK) },
    json: { type: "boolean", default: false },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("node --import tsx scripts/fuzz-firmware.mjs [--total 10000000] [--seed 1] [--workers CORES] [--chunk 20000] [--json] [--out report.json]");
  process.exit(0);
}
const int = (name, min) => {
  const v = values[name];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    console.error(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return Number(v);
};
const total = int("total", 1);
const seed = int("seed", 0);
const workers = int("workers", 1);
const chunkSize = int("chunk", 1);

const fmt = (n) => n.toLocaleString("en-US");
const report = await runCampaign({
  total,
  seed,
  workers,
  chunkSize,
  onProgress: (done, all, s) => {
    const rate = done / Math.max(s, 1);
    process.stderr.write(
      `fuzz: ${fmt(done)} / ${fmt(all)} inputs, ${fmt(Math.round(rate))}/s, ${Math.round(s)} s, about ${Math.round((all - done) / Math.max(rate, 1))} s left\n`,
    );
  },
});

const t = report.totals;
const clean = t.traps === 0 && t.hangs === 0 && t.undocumented === 0 && t.deviations === 0;
if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 1) + "\n");
if (values.json) {
  console.log(JSON.stringify(report, null, 1));
} else {
  console.log(
    `seed ${report.seed}, ${fmt(report.total)} inputs on ${report.workers} worker(s) in ${report.seconds.toFixed(0)} s (${fmt(Math.round(report.total / report.seconds))}/s); hang budget ${fmt(HANG_INSTRUCTIONS)} Wasm instructions per input`,
  );
  console.log("target       board       inputs      ok       traps hangs undoc dev  known  max instr");
  for (const [target, boards] of Object.entries(report.targets)) {
    for (const [board, s] of Object.entries(boards)) {
      console.log(
        `${target.padEnd(12)} ${board.padEnd(11)} ${fmt(s.inputs).padStart(10)} ${fmt(s.ok).padStart(9)} ${String(s.traps).padStart(5)} ${String(s.hangs).padStart(5)} ${String(s.undocumented).padStart(5)} ${String(s.deviations).padStart(4)} ${fmt(s.known).padStart(6)} ${fmt(s.maxInstructions).padStart(10)}`,
      );
    }
  }
  console.log(
    `${"total".padEnd(24)} ${fmt(t.inputs).padStart(10)} ${fmt(t.ok).padStart(9)} ${String(t.traps).padStart(5)} ${String(t.hangs).padStart(5)} ${String(t.undocumented).padStart(5)} ${String(t.deviations).padStart(4)} ${fmt(t.known).padStart(6)} ${fmt(t.maxInstructions).padStart(10)}`,
  );
  if (t.known)
    console.log(
      `known defects (expected-fail tests): ${Object.entries(t.knownBy)
        .map(([k, n]) => `${k} ${fmt(n)}`)
        .join(", ")}`,
    );
  for (const f of t.findings)
    console.log(`${f.kind}: ${f.target} ${f.board} chunk ${f.chunk} input ${f.index}: ${f.detail}${f.kind === "known" ? "" : `\n  input ${f.input}`}`);
  console.log(
    clean
      ? "result: 0 traps, 0 hangs, only documented status words and error codes"
      : "result: FINDINGS above (rerun a chunk with the same --seed to reproduce)",
  );
}
process.exit(clean ? 0 : 1);
