// Plans the campaign (inputs per target and board, in chunks, each from its own seed), runs a
// chunk on a fresh simulated board, and runs the whole plan on worker threads with a
// wall-clock watchdog: a worker whose input counter stands still for WATCHDOG_MS is stuck in
// an input (an endless loop the instruction budget cannot see, since the count is read after
// the input returns); it is terminated, the input recorded as a hang, and a new worker
// takes the next chunk.
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { chunkSeed, Rand } from "./random.ts";
import { Rig, firmwareFor, type BoardName, type SetupState } from "./rig.ts";
import { TARGETS, addStats, emptyStats, type Ctx, type Stats } from "./targets.ts";

export const DEFAULT_TOTAL = 10_000_000;
export const DEFAULT_CHUNK = 20_000;
export const WATCHDOG_MS = 60_000;
/** The set-up a chunk starts from, by chunk number: every target sees every lifecycle state. */
export const STATES: SetupState[] = ["demo", "provisioned", "locked", "blank"];

export interface ChunkSpec {
  target: string;
  board: BoardName;
  chunk: number;
  count: number;
  seed: number;
}

/** Splits `total` inputs over targets and boards by weight (exactly `total`), then into chunks. */
export function plan(total: number, seed: number, chunkSize = DEFAULT_CHUNK): ChunkSpec[] {
  const cells = TARGETS.flatMap((t) =>
    Object.entries(t.boards).map(([board, share]) => ({ target: t.name, board: board as BoardName, exact: total * t.weight * (share as number) })),
  );
  const sum = cells.reduce((n, c) => n + c.exact, 0);
  const counts = cells.map((c) => Math.floor((c.exact / sum) * total));
  const order = cells.map((c, i) => i).sort((a, b) => (cells[b].exact / sum) * total - counts[b] - ((cells[a].exact / sum) * total - counts[a]));
  for (let i = 0, left = total - counts.reduce((a, b) => a + b, 0); left > 0; i++, left--) counts[order[i % order.length]]++;
  const specs: ChunkSpec[] = [];
  cells.forEach((c, i) => {
    for (let chunk = 0, left = counts[i]; left > 0; chunk++, left -= chunkSize) {
      specs.push({ target: c.target, board: c.board, chunk, count: Math.min(chunkSize, left), seed: chunkSeed(seed, c.target, c.board, chunk) });
    }
  });
  return specs;
}

/**
 * Runs one chunk on a freshly booted board. `onInput` is called every 64 inputs with the
 * count so far, and with -1 once the board is set up (boot and set-up are not watched).
 */
export async function runChunk(spec: ChunkSpec, onInput?: (n: number) => void): Promise<Stats> {
  const target = TARGETS.find((t) => t.name === spec.target);
  if (!target) throw new Error(`no fuzz target ${spec.target}`);
  const states = target.states ?? STATES;
  const rig = await Rig.boot(spec.board, states[spec.chunk % states.length], spec.seed, (r) => target.prepare?.(r, spec.chunk));
  const stats = emptyStats();
  try {
    rig.frames();
    onInput?.(-1);
    const ctx: Ctx = { rig, rand: new Rand(spec.seed), stats, target: spec.target, chunk: spec.chunk, index: 0, memo: {} };
    for (let i = 0; i < spec.count; i++) {
      ctx.index = i;
      target.step(ctx);
      if (onInput && (i & 63) === 0) onInput(i);
    }
  } finally {
    rig.close();
  }
  return stats;
}

export interface CampaignReport {
  total: number;
  seed: number;
  workers: number;
  seconds: number;
  /** target -> board -> stats */
  targets: Record<string, Record<string, Stats>>;
  totals: Stats;
}

export interface CampaignOptions {
  total?: number;
  seed?: number;
  workers?: number;
  chunkSize?: number;
  onProgress?: (done: number, total: number, seconds: number) => void;
}

function record(report: CampaignReport, spec: ChunkSpec, s: Stats): void {
  const byBoard = (report.targets[spec.target] ??= {});
  addStats((byBoard[spec.board] ??= emptyStats()), s);
  addStats(report.totals, s);
}

export async function runCampaign(o: CampaignOptions = {}): Promise<CampaignReport> {
  const total = o.total ?? DEFAULT_TOTAL;
  const seed = o.seed ?? 1;
  const workers = Math.max(1, o.workers ?? availableParallelism());
  const queue = plan(total, seed, o.chunkSize ?? DEFAULT_CHUNK);
  // Instrument both builds once here, so the workers find them ready.
  await firmwareFor("sim-plaque");
  await firmwareFor("sim-card");
  const started = Date.now();
  const report: CampaignReport = { total, seed, workers, seconds: 0, targets: {}, totals: emptyStats() };
  let done = 0;
  const progress = setInterval(() => o.onProgress?.(done + running.reduce((n, r) => n + r.seen(), 0), total, (Date.now() - started) / 1000), 5000);
  const running: { seen(): number }[] = [];

  // Shared with each worker: [0] inputs done in its chunk, [1] 1 while it runs inputs (the
  // watchdog's turn) and 0 while it boots and sets up a board, [2] a heartbeat.
  const lane = async () => {
    while (queue.length > 0) {
      const shared = new Int32Array(new SharedArrayBuffer(12));
      // tsx's loader is registered per thread: the worker registers it before loading worker.ts.
      const entry = JSON.stringify(new URL("./worker.ts", import.meta.url).href);
      const worker = new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${entry}); })`, {
        eval: true,
        workerData: { progress: shared },
      });
      const slot = { seen: () => Atomics.load(shared, 0) };
      running.push(slot);
      let spec: ChunkSpec | undefined;
      const finished = await new Promise<boolean>((resolve, reject) => {
        let beat = -1;
        let lastBeat = Date.now();
        const next = () => {
          spec = queue.shift();
          Atomics.store(shared, 0, 0);
          Atomics.store(shared, 1, 0);
          if (!spec) return resolve(true);
          worker.postMessage(spec);
        };
        const watchdog = setInterval(() => {
          const now = Atomics.load(shared, 2);
          if (now !== beat || Atomics.load(shared, 1) === 0) {
            beat = now;
            lastBeat = Date.now();
          } else if (spec && Date.now() - lastBeat > WATCHDOG_MS) {
            clearInterval(watchdog);
            const at = Atomics.load(shared, 0);
            const s = emptyStats();
            s.inputs = at + 1;
            s.hangs = 1;
            s.findings.push({
              kind: "hang",
              target: spec.target,
              board: spec.board,
              chunk: spec.chunk,
              index: at,
              input: "",
              detail: `no progress for ${WATCHDOG_MS / 1000} s (an input between ${at} and ${at + 64} of the chunk; rerun the chunk to find it)`,
            });
            record(report, spec, s);
            void worker.terminate().then(() => resolve(false));
          }
        }, 1000);
        worker.on("message", (s: Stats) => {
          record(report, spec!, s);
          done += spec!.count;
          next();
        });
        worker.on("error", (e) => {
          clearInterval(watchdog);
          reject(e);
        });
        worker.once("online", next);
        worker.once("exit", () => clearInterval(watchdog));
      });
      running.splice(running.indexOf(slot), 1);
      if (finished) await worker.terminate();
      else if (spec) done += spec.count;
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, lane));
  } finally {
    clearInterval(progress);
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
