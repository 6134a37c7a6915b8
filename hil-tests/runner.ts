// Runs conformance cases against one connected device and collects verdicts a lab can file.
// Verdicts are honest: pass only when the case ran checks and all held; fail when a check
// did not hold (or the device answered with an error a check did not expect); error for a
// bench fault or an unmet precondition (saying what was missing) or a bug in a case (a
// summary, never a bare exception text); n/a with the reason when the case does not apply
// to this device's role; skipped when the run chose not to run it (state-changing cases
// without --allow-destructive). A device op refused because of the device's lifecycle
// state (a blank plaque) is an unmet precondition, not a failure, except in cases tagged
// "lifecycle" whose subject is that refusal. Once the link is lost the remaining cases are
// not tried over the dead link: each is an error naming the case where the link went.
import { createHash } from "node:crypto";
import { AssertionError } from "node:assert";
import type { DeviceClient } from "../host-tools/src/device/client.ts";
import { nfcTestPath, type NfcPath } from "../host-tools/src/device/nfc-path.ts";
import { TapkitError } from "../host-tools/src/errors/index.ts";
import { LinkError, lifecycleHint } from "../host-tools/src/link/index.ts";
import { SeededRandom } from "../host-tools/src/sim/seeded-random.ts";
import type { CaseContext, ConformanceCase, Role } from "./case.ts";
import { NotApplicable, PreconditionMissing, SkipCase } from "./case.ts";
import { checksMade, resetChecks } from "./check.ts";
import { BENCH_FAULTS, LINK_GONE } from "./bench-faults.ts";
import { ALL_CASES } from "./cases/index.ts";
import { collectRunFacts, type RunFacts } from "./run-facts.ts";
import { isLabProfileDevice } from "./lab-profile.ts";

export type Verdict = "pass" | "fail" | "error" | "n/a" | "skipped";
export const VERDICTS: readonly Verdict[] = ["fail", "error", "pass", "n/a", "skipped"];

export interface CaseResult {
  id: string;
  area: string;
  title: string;
  ref: string;
  tags: string[];
  verdict: Verdict;
  /** why it failed / erred / does not apply / was skipped */
  message?: string;
  /** how many checks the case ran */
  checks: number;
  ms: number;
  notes: Record<string, string | number>;
  /** lasting changes this case made to the device */
  stateChanges: string[];
  /** changes the case declares but may not have made: it stopped (fail or error) before its end */
  stateChangesUnconfirmed: string[];
  /** the path this case's tag traffic took (the run's NFC path, or what the case recorded) */
  path: string;
  /** pictures the case attached (QR panel frames), PNG base64 */
  figures: { caption: string; png: string }[];
}

export interface SuiteResult {
  /** report format version */
  format: "tapkit-conformance/1";
  facts: RunFacts;
  /** kept for JUnit and older readers: the device as hello reported it */
  device: { port: string; board: string; fw: string; abi: number; shell: string };
  /** How the tag was reached: "nfc-test" or "pcsc", and the port or reader name. */
  nfc: { kind: string; path: string };
  seed: number;
  allowDestructive: boolean;
  /** why state-changing cases ran or not: "--allow-destructive", "lab-profile device (...)", or "not allowed" */
  destructive: string;
  started: string;
  ended: string;
  ms: number;
  cases: CaseResult[];
  counts: Record<Verdict, number>;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  notApplicable: number;
  /** every lasting change the run made, in order: "CASE-ID: what" */
  stateChanges: string[];
  /** changes declared by cases that stopped before their end, so not confirmed made: "CASE-ID: what" */
  stateChangesUnconfirmed: string[];
  /** the case during which the link was lost (the cases after it were not tried), or null */
  linkLostAt: string | null;
}

export interface RunOptions {
  cases?: ConformanceCase[];
  onResult?: (r: CaseResult) => void;
  /** APDU path for the tag cases; the link's nfc-test channel when not given. */
  nfc?: NfcPath;
  /** run cases that change lasting device state */
  allowDestructive?: boolean;
  /** the run's seed (random when not given; always reported) */
  seed?: number;
  /** the firmware file the device runs, for its SHA-256 (and the image manifest of a .tki) */
  firmware?: string;
}

/** A seed per case from the run's seed and the id: one case rerun alone sees the same inputs. */
export function caseSeed(runSeed: number, id: string): number {
  return createHash("sha256")
    .update(`${runSeed >>> 0}:${id}`)
    .digest()
    .readUInt32BE(0);
}

function judge(e: unknown, c: ConformanceCase): { verdict: Verdict; message: string } {
  if (e instanceof SkipCase) return { verdict: "skipped", message: e.message };
  if (e instanceof NotApplicable) return { verdict: "n/a", message: e.message };
  if (e instanceof PreconditionMissing) return { verdict: "error", message: `precondition not met: ${e.message}` };
  // The device refused an op because of its lifecycle state (blank, demo, provisioned,
  // locked): the case needs a device in another state. Only a case about those refusals
  // judges them.
  if (e instanceof LinkError && e.code === "DEVICE_ERROR" && !c.tags?.includes("lifecycle")) {
    const msg = e.details.deviceMsg ?? "";
    const hint = lifecycleHint(e.details.deviceCode ?? "", msg);
    if (hint) return { verdict: "error", message: `precondition not met: a device state that serves this case's ops (${msg}); ${hint}` };
  }
  if (e instanceof AssertionError) {
    const text = e.message.replace(/\s+/g, " ").trim();
    return { verdict: "fail", message: text.length > 400 ? `${text.slice(0, 400)}…` : text };
  }
  if (e instanceof TapkitError) {
    if (BENCH_FAULTS.has(e.code)) return { verdict: "error", message: `bench fault ${e.code}: ${e.message}` };
    return { verdict: "fail", message: `the device answered ${e.code}: ${e.message}` };
  }
  const name = e instanceof Error ? e.constructor.name : typeof e;
  const where = e instanceof Error ? (e.stack?.split("\n")[1]?.trim() ?? "") : "";
  return { verdict: "error", message: `internal error in the case (${name}${where ? ` ${where}` : ""}); the device was not judged` };
}

/** The device's role from the status op; "unknown" when it does not answer one (role-bound cases then err). */
async function deviceRole(device: DeviceClient): Promise<Role | "unknown"> {
  try {
    const mode = (await device.appStatus()).mode;
    return mode === "plaque" || mode === "card" ? mode : "unknown";
  } catch (e) {
    // Only the device's own refusal means "no role"; a dead link is not a role.
    if (e instanceof LinkError && e.code === "DEVICE_ERROR") return "unknown";
    throw e;
  }
}

export async function runConformance(device: DeviceClient, opts: RunOptions = {}): Promise<SuiteResult> {
  const cases = opts.cases ?? ALL_CASES;
  const seed = (opts.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const started = new Date();
  const nfc = opts.nfc ?? nfcTestPath(device);
  const role = await deviceRole(device);
  const labDevice = !opts.allowDestructive && (await isLabProfileDevice(nfc, role));
  const allowDestructive = Boolean(opts.allowDestructive) || labDevice;
  const destructive = opts.allowDestructive
    ? "--allow-destructive"
    : labDevice
      ? "lab-profile device (wallet certified by the lab test issuer)"
      : "not allowed";
  // Facts first: they describe the device as the run found it, and need the link.
  const facts = await collectRunFacts(device, nfc, role, opts.firmware);
  const results: CaseResult[] = [];
  let linkLostAt: string | null = null;
  for (const c of cases) {
    const notes: Record<string, string | number> = {};
    const stateChanges: string[] = [];
    const figures: CaseResult["figures"] = [];
    let path = nfc.description;
    const ctx: CaseContext = {
      device,
      nfc,
      board: device.hello.board,
      role,
      allowDestructive,
      seed: caseSeed(seed, c.id),
      random: new SeededRandom(caseSeed(seed, c.id)),
      path: (description) => void (path = description),
      note: (k, v) => void (notes[k] = v),
      stateChange: (what) => void stateChanges.push(what),
      figure: (caption, png) => void figures.push({ caption, png: Buffer.from(png).toString("base64") }),
      notApplicable: (reason) => {
        throw new NotApplicable(reason);
      },
      precondition: (missing) => {
        throw new PreconditionMissing(missing);
      },
      skip: (reason) => {
        throw new SkipCase(reason);
      },
    };
    const t0 = performance.now();
    let verdict: Verdict = "pass";
    let message: string | undefined;
    const unconfirmed: string[] = [];
    resetChecks();
    if (linkLostAt) {
      verdict = "error";
      message = `bench fault: link lost at case ${linkLostAt}; not tried (reconnect the device and run --rerun-failed)`;
    } else if (c.roles && role === "unknown") {
      verdict = "error";
      message = "precondition not met: the device did not say its role (app status op), so a role-bound case cannot be judged";
    } else if (c.roles && role !== "unknown" && !c.roles.includes(role)) {
      verdict = "n/a";
      message = `applies to ${c.roles.join(" and ")} boards; ${device.hello.board} is a ${role}`;
    } else if (c.changes && !allowDestructive) {
      verdict = "skipped";
      message = `changes device state (${c.changes}): run with --allow-destructive`;
    } else {
      try {
        await c.run(ctx);
        if (checksMade() === 0) {
          verdict = "error";
          message = "the case ran no checks: nothing was verified";
        }
      } catch (e) {
        ({ verdict, message } = judge(e, c));
        if (e instanceof TapkitError && LINK_GONE.has(e.code)) linkLostAt = c.id;
      }
      // A case may have swallowed the error of a dead link: the link, not the device, decides.
      if (device.session.isClosed) {
        linkLostAt = c.id;
        if (verdict !== "pass") {
          verdict = "error";
          message = `bench fault LINK_CLOSED: the link was lost during this case (${message ?? "no message"})`;
        }
      }
      // The declared change is confirmed only by a case that ran every step; one that
      // stopped part-way may or may not have made it; a precondition stops before any.
      if (c.changes && verdict === "pass") stateChanges.push(c.changes);
      else if (c.changes && (verdict === "fail" || verdict === "error") && !message?.startsWith("precondition")) unconfirmed.push(c.changes);
    }
    const r: CaseResult = {
      id: c.id,
      area: c.area,
      title: c.title,
      ref: c.ref,
      tags: c.tags ?? [],
      verdict,
      message,
      checks: checksMade(),
      ms: Math.round(performance.now() - t0),
      notes,
      stateChanges,
      stateChangesUnconfirmed: unconfirmed,
      path,
      figures,
    };
    results.push(r);
    opts.onResult?.(r);
  }
  const ended = new Date();
  const hello = device.hello;
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  return {
    format: "tapkit-conformance/1",
    facts,
    device: { port: device.port, board: hello.board, fw: hello.fw, abi: hello.abi, shell: hello.shell },
    nfc: { kind: nfc.kind, path: nfc.description },
    seed,
    allowDestructive,
    destructive,
    started: started.toISOString(),
    ended: ended.toISOString(),
    ms: ended.getTime() - started.getTime(),
    cases: results,
    counts,
    passed: counts.pass,
    failed: counts.fail,
    errors: counts.error,
    skipped: counts.skipped,
    notApplicable: counts["n/a"],
    stateChanges: results.flatMap((r) => r.stateChanges.map((s) => `${r.id}: ${s}`)),
    stateChangesUnconfirmed: results.flatMap((r) => r.stateChangesUnconfirmed.map((s) => `${r.id}: ${s} (declared; the case stopped before its end)`)),
    linkLostAt,
  };
}
