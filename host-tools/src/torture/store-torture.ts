// `tapkit torture store`: a seeded random workload (puts, deletes, multi-record
// transactions, counter increments, wallet-shaped payments over cold provisioned records:
// store-workload.ts) against an in-process simulated device, with power cut before, during
// or after a random one of the next flash operations, or (one cut in four) one of the first
// operations after the next page erase, where compaction copies live, again and again. After
// every reboot (tk_init -> storeMount) it reads back every key and counter and checks them
// against the host model: nothing acknowledged may be lost, no torn or partial write may be
// accepted, no counter may repeat, fall, or skip more than the one value in flight, and the
// store may never refuse a write (the workload stays far below capacity).
import type { Board } from "../boards/board.ts";
import type { CutPhase } from "../sim/flash.ts";
import { SimDevice } from "../sim/device.ts";
import { SeededRandom } from "../sim/seeded-random.ts";
import { StoreLink } from "./store-link.ts";
import { StoreModel, sameValue, type InFlight, type Value } from "./store-model.ts";
import { COUNTER_IDS, FIRST_KEY, LAST_KEY, nextOperation, provisioning, type StoreOperation } from "./store-workload.ts";
import { TapkitError } from "../errors/index.ts";

export interface TortureOptions {
  board: Board;
  wasm: Uint8Array | string;
  cuts: number;
  seed: number;
  /** a cut lands at one of the next `window` flash operations (default 20) */
  window?: number;
  onProgress?: (report: TortureReport) => void;
  /** called every this many cuts (default 1000) */
  progressEvery?: number;
}

export interface TortureReport {
  board: string;
  seed: number;
  cuts: number;
  /** operations the device acknowledged */
  operations: number;
  /** acknowledged operations that changed the store */
  committed: number;
  /** acknowledged keys missing or rolled back after a reboot */
  lost: number;
  /** values never completely written, or half of a transaction, read back after a reboot */
  tornAccepted: number;
  counterRepeats: number;
  counterDecreases: number;
  /** a counter read back more than one above its last acknowledged value */
  counterSkips: number;
  bootFailures: number;
  /** operations the store refused (e.g. E_STORE_FULL): the workload never nears capacity */
  refusals: number;
  /** wallet-shaped payment transactions acknowledged */
  payments: number;
  /** cuts aimed at the operations right after a page erase (compaction, page opening) */
  aimedCuts: number;
  /** in-flight operations found applied / not applied after the cut */
  inFlightLanded: number;
  inFlightDropped: number;
  /** cuts by phase */
  phases: Record<CutPhase, number>;
  flashOperations: number;
  /** erase cycles per store page: lowest and highest (wear levelling) */
  eraseMin: number;
  eraseMax: number;
  norViolations: number;
  /** first few failures, for reproducing */
  failures: string[];
}

/** Every way a run can fail, summed: zero means nothing was lost, torn, repeated or refused. */
export function tortureFailures(r: TortureReport): number {
  return r.lost + r.tornAccepted + r.counterRepeats + r.counterDecreases + r.counterSkips + r.bootFailures + r.refusals + r.norViolations;
}

/** Runs that found failures, as the error a CLI or CI job exits on (TORTURE_FAILED, exit 10). */
export function tortureFailedError(r: TortureReport): TapkitError {
  return new TapkitError(
    "TORTURE_FAILED",
    `${tortureFailures(r)} store failures under power cuts (seed ${r.seed})`,
    `replay with --seed ${r.seed} --cuts ${r.cuts}; the first failures are listed above`,
    { seed: r.seed, cuts: r.cuts, failures: tortureFailures(r), first: r.failures },
  );
}

const PHASES: CutPhase[] = ["before", "during", "after"];
const MAX_OPS_PER_CUT = 2000;

export async function tortureStore(opts: TortureOptions): Promise<TortureReport> {
  const rng = new SeededRandom(opts.seed);
  const window = opts.window ?? 20;
  const device = await SimDevice.create({ board: opts.board, wasm: opts.wasm, tickMs: 0, seed: opts.seed, blank: true, now: stepClock() });
  let mountFailed = false;
  device.on("log", (l: { text: string }) => {
    if (l.text.includes("store did not mount")) mountFailed = true;
  });
  const link = new StoreLink(device);
  const model = new StoreModel(FIRST_KEY, LAST_KEY, COUNTER_IDS);
  const report: TortureReport = {
    board: opts.board.name,
    seed: opts.seed,
    cuts: 0,
    operations: 0,
    committed: 0,
    lost: 0,
    tornAccepted: 0,
    counterRepeats: 0,
    counterDecreases: 0,
    counterSkips: 0,
    bootFailures: 0,
    refusals: 0,
    payments: 0,
    aimedCuts: 0,
    inFlightLanded: 0,
    inFlightDropped: 0,
    phases: { before: 0, during: 0, after: 0 },
    flashOperations: 0,
    eraseMin: 0,
    eraseMax: 0,
    norViolations: 0,
    failures: [],
  };
  const failure = (text: string) => {
    if (report.failures.length < 10) report.failures.push(`cut ${report.cuts}: ${text}`);
  };
  const every = opts.progressEvery ?? 1000;
  try {
    for (const op of provisioning(rng, model)) {
      if (send(link, model, op, report, failure) !== null)
        throw new TapkitError("TORTURE_SETUP", `${op.op} lost while provisioning without a cut`, "the device rebooted on its own; check the firmware log");
    }
    while (report.cuts < opts.cuts) {
      const phase = PHASES[rng.below(3)]!;
      if (rng.below(4) === 0) {
        aimAfterErase(device, 1 + rng.below(4), phase);
        report.aimedCuts++;
      } else device.flash.cutPowerAt({ op: 1 + rng.below(window), phase });
      const bootsBefore = device.boots;
      let inFlight: InFlight | null = null;
      for (let n = 0; inFlight === null; n++) {
        if (n > MAX_OPS_PER_CUT) {
          // A store that refuses every write stops touching flash: report it, do not throw it away.
          if (report.refusals > 0) break;
          throw new TapkitError(
            "TORTURE_NO_CUT",
            `no power cut after ${MAX_OPS_PER_CUT} operations`,
            "the workload stopped touching flash; this is a bug in the torture workload or the store",
          );
        }
        inFlight = send(link, model, nextOperation(rng, model, report.payments), report, failure);
      }
      device.flash.onOperation(null);
      if (inFlight === null) {
        failure(`the store refused every write for ${MAX_OPS_PER_CUT} operations; run stopped`);
        break;
      }
      report.cuts++;
      report.phases[phase]++;
      if (device.state !== "running" || device.boots === bootsBefore || mountFailed) {
        report.bootFailures++;
        failure(`device did not come back (${device.state}, mount ${mountFailed ? "failed" : "ok"})`);
        if (device.state !== "running") break;
        mountFailed = false;
      }
      verify(link, model, inFlight, report, failure);
      if (report.cuts % every === 0) opts.onProgress?.(snapshot(report, device));
    }
  } finally {
    snapshot(report, device);
    device.close();
  }
  return report;
}

function snapshot(report: TortureReport, device: SimDevice): TortureReport {
  const pages = device.board.flash.partitions[0]!.pages;
  const counts = Array.from({ length: pages }, (_, p) => device.flash.eraseCount(0, p));
  report.eraseMin = Math.min(...counts);
  report.eraseMax = Math.max(...counts);
  report.flashOperations = device.flash.operations;
  report.norViolations = device.flash.norViolations;
  return report;
}

/**
 * Cuts power at the `after`-th flash operation following the next page erase: the erase
 * itself is operation 0, then the new page's header, then compaction's first copies.
 */
function aimAfterErase(device: SimDevice, after: number, phase: CutPhase): void {
  let target = -1;
  device.flash.onOperation((op) => {
    if (target < 0 && op.kind === "erase" && op.region === 0) target = op.index + after;
    if (op.index !== target) return "continue";
    device.flash.onOperation(null);
    return `cut-${phase}`;
  });
}

/**
 * Sends one operation. Returns null when the device answered (the model is updated), or
 * the operation that was in flight when the device rebooted.
 */
function send(link: StoreLink, model: StoreModel, operation: StoreOperation, report: TortureReport, failure: (s: string) => void): InFlight | null {
  const { op, args, parts } = operation;
  const answer = link.callByName(op, args);
  if (answer.kind === "lost") return { op, parts };
  if (answer.kind === "error") {
    failure(`${op} refused: ${answer.code} ${answer.msg}`);
    if (answer.msg.includes("not mounted")) report.bootFailures++;
    else report.refusals++;
    return null;
  }
  report.operations++;
  report.committed++;
  if (op === "store.tx" && parts.length === 5) report.payments++;
  model.apply(parts);
  const returned = op === "store.ctr" ? [answer.body.v as number] : op === "store.tx" ? (answer.body.c as number[]) : [];
  const ids = parts.filter((p) => p.kind === "counter").map((p) => (p as { id: number }).id);
  ids.forEach((id, i) => checkReturned(model, id, returned[i]!, report, failure));
  return null;
}

function checkReturned(model: StoreModel, id: number, v: number, report: TortureReport, failure: (s: string) => void): void {
  const last = model.counters.get(id) ?? 0;
  if (v === last) {
    report.counterRepeats++;
    failure(`counter ${id} returned ${v} again`);
  } else if (v < last) {
    report.counterDecreases++;
    failure(`counter ${id} returned ${v} after ${last}`);
  } else if (v > last + 1) {
    report.counterSkips++;
    failure(`counter ${id} jumped from ${last} to ${v}`);
  }
  model.counters.set(id, Math.max(last, v));
}

/** Reads every key and counter back and settles the in-flight operation one way or the other. */
function verify(link: StoreLink, model: StoreModel, inFlight: InFlight, report: TortureReport, failure: (s: string) => void): void {
  const touched = new Map<number, Value>();
  const touchedCounters = new Set<number>();
  for (const p of inFlight.parts) {
    if (p.kind === "key") touched.set(p.key, p.value);
    else touchedCounters.add(p.id);
  }
  let sawOld = false;
  let sawNew = false;
  for (let key = model.firstKey; key <= model.lastKey; key++) {
    const a = link.call("store.get", { k: key });
    if (a.kind !== "ok") {
      report.bootFailures++;
      failure(`store.get ${key} after reboot: ${a.kind === "error" ? a.msg : "no answer"}`);
      return;
    }
    const got = (a.body.v ?? undefined) as Value;
    const old = model.keys.get(key);
    const isOld = sameValue(got, old);
    if (touched.has(key)) {
      const isNew = sameValue(got, touched.get(key));
      if (isOld && !isNew) sawOld = true;
      if (isNew && !isOld) sawNew = true;
      if (isOld || isNew) continue;
    } else if (isOld) continue;
    if (got !== undefined && !model.wasSent(key, got)) {
      report.tornAccepted++;
      failure(`key ${key} reads a value that was never written whole (${got.length} bytes)`);
    } else {
      report.lost++;
      failure(`key ${key} lost its acknowledged value (${inFlight.op} was in flight)`);
    }
  }
  for (const id of model.counterIds) {
    const a = link.call("store.ctr", { id, read: true });
    if (a.kind !== "ok") {
      report.bootFailures++;
      failure(`store.ctr read ${id} after reboot failed`);
      return;
    }
    const v = a.body.v as number;
    const last = model.counters.get(id) ?? 0;
    if (v < last) {
      report.counterDecreases++;
      failure(`counter ${id} reads ${v} after returning ${last}`);
    } else if (v > last + 1 || (v === last + 1 && !touchedCounters.has(id))) {
      report.counterSkips++;
      failure(`counter ${id} reads ${v}, last returned ${last}, ${touchedCounters.has(id) ? "one increment" : "none"} in flight`);
    } else if (touchedCounters.has(id)) {
      if (v === last + 1) sawNew = true;
      else sawOld = true;
    }
    model.counters.set(id, Math.max(last, v));
  }
  if (sawOld && sawNew) {
    report.tornAccepted++;
    failure(`${inFlight.op} landed only in part`);
  }
  if (sawNew) {
    report.inFlightLanded++;
    model.apply(inFlight.parts);
  } else report.inFlightDropped++;
  // Keys the in-flight op touched now hold whatever was read (old or new, checked above).
}

/** A clock that advances 1 ms per reading: runs are reproducible and never wait. */
function stepClock(): () => number {
  let t = 0;
  return () => (t += 1);
}
