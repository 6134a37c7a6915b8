// `tapkit torture update`: power cuts at random flash operations of every update step —
// upload (erase, chunks, marks), verification and marking pending, trial boot, confirm,
// revert, reset, and the firmware's own confirmation after its self-test — on an in-process simulated board whose shell is the bootloader. After
// every cut the device boots by itself and is checked against a host model that shares no
// code with the boot rules: it must run a well-signed image whenever one was ever
// confirmed (bricks), never an image that is not one of the well-signed ones (unverified
// boots), never one below the highest counter confirmed (downgrades), and never the same
// unconfirmed trial across two boots (unconfirmed not reverted), and never an image whose
// self-test passes left on trial after its boot (self-confirms missed). Uploads cut part-way
// resume from what the device holds. Every `epochEvery` cuts the device is wiped (fresh
// flash and protected store) so the security counters do not freeze the workload.
import { createHash } from "node:crypto";
import type { Board } from "../boards/board.ts";
import { SimDevice } from "../sim/device.ts";
import { SeededRandom } from "../sim/seeded-random.ts";
import type { CutPhase } from "../sim/flash.ts";
import { TapkitError } from "../errors/index.ts";
import { BootDirect } from "./boot-direct.ts";
import type { Signer } from "../cose/sig-alg.ts";
import { SLOT_NAMES } from "../boot/trailer.ts";

export interface UpdateTortureImage {
  bytes: Uint8Array;
  /** signed by the trusted key, untouched */
  good: boolean;
  /** its firmware's self-test passes, so it confirms itself at its trial boot */
  selfConfirms: boolean;
  securityCounter: number;
  label: string;
}

export interface UpdateTortureOptions {
  board: Board;
  /** the development module (runs until the anchor is set; not used after) */
  wasm: Uint8Array | string;
  key: Signer;
  images: UpdateTortureImage[];
  cuts: number;
  seed: number;
  /** cuts per device lifetime before it is wiped (default 100) */
  epochEvery?: number;
  onProgress?: (r: UpdateTortureReport) => void;
  progressEvery?: number;
}

export interface UpdateTortureReport {
  board: string;
  seed: number;
  cuts: number;
  /** no bootable image although a confirmed one existed */
  bricks: number;
  /** a running image that is not one of the well-signed images */
  unverifiedBooted: number;
  /** a running image below the highest security counter ever confirmed */
  downgrades: number;
  /** the same unconfirmed trial image running across two boots */
  unconfirmedNotReverted: number;
  /** an image whose self-test passes still on trial after its boot finished */
  selfConfirmMissed: number;
  /** cuts that landed inside the firmware's own confirmation (hal.boot_confirm), a share of the trial-boot, reset and revert cuts */
  selfConfirmCuts: number;
  /** uploads that continued from bytes the device held */
  uploadsResumed: number;
  /** cuts by the step they hit */
  cutsBy: Record<string, number>;
  phases: Record<CutPhase, number>;
  images: { flashed: number; confirmed: number; selfConfirmed: number; reverted: number; refused: number };
  epochs: number;
  flashOperations: number;
  norViolations: number;
  failures: string[];
}

export function updateTortureFailures(r: UpdateTortureReport): number {
  return r.bricks + r.unverifiedBooted + r.downgrades + r.unconfirmedNotReverted + r.selfConfirmMissed + r.norViolations;
}

export function updateTortureFailedError(r: UpdateTortureReport): TapkitError {
  return new TapkitError(
    "TORTURE_FAILED",
    `${updateTortureFailures(r)} update failures under power cuts (seed ${r.seed})`,
    `replay with --seed ${r.seed} --cuts ${r.cuts}; the first failures are listed above`,
    { seed: r.seed, cuts: r.cuts, failures: updateTortureFailures(r), first: r.failures },
  );
}

type Step = "upload" | "finish" | "trial-boot" | "confirm" | "revert" | "reset";
const PHASES: CutPhase[] = ["before", "during", "after"];

export async function tortureUpdate(opts: UpdateTortureOptions): Promise<UpdateTortureReport> {
  const rng = new SeededRandom(opts.seed);
  const epochEvery = opts.epochEvery ?? 100;
  const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  const good = new Map(opts.images.filter((i) => i.good).map((i) => [sha(i.bytes), i]));
  const report: UpdateTortureReport = {
    board: opts.board.name,
    seed: opts.seed,
    cuts: 0,
    bricks: 0,
    unverifiedBooted: 0,
    downgrades: 0,
    unconfirmedNotReverted: 0,
    selfConfirmMissed: 0,
    selfConfirmCuts: 0,
    uploadsResumed: 0,
    cutsBy: { upload: 0, finish: 0, "trial-boot": 0, confirm: 0, revert: 0, reset: 0 },
    phases: { before: 0, during: 0, after: 0 },
    images: { flashed: 0, confirmed: 0, selfConfirmed: 0, reverted: 0, refused: 0 },
    epochs: 0,
    flashOperations: 0,
    norViolations: 0,
    failures: [],
  };
  const fail = (
    kind: keyof UpdateTortureReport & ("bricks" | "unverifiedBooted" | "downgrades" | "unconfirmedNotReverted" | "selfConfirmMissed"),
    text: string,
  ) => {
    report[kind]++;
    if (report.failures.length < 10) report.failures.push(`cut ${report.cuts}: ${text}`);
  };

  while (report.cuts < opts.cuts) {
    report.epochs++;
    let clock = 0;
    const device = await SimDevice.create({
      board: opts.board,
      wasm: opts.wasm,
      tickMs: 0,
      seed: opts.seed + report.epochs,
      blank: true,
      bootFromSlots: true,
      now: () => (clock += 5),
    });
    const link = new BootDirect(device);
    const must = (op: string, args = {}) => {
      const a = link.boot(op, args);
      if (a.kind !== "ok") throw new Error(`torture set-up: ${op}: ${a.kind === "error" ? `${a.code} ${a.msg}` : "lost"}`);
      return a.body;
    };
    must("trust", { key: opts.key.publicKey });
    // model: what the host knows for sure
    let everConfirmed = false;
    let maxConfirmedCounter = 0;
    /** trial images seen running, by "slot/seq", with the boot number they ran in */
    const trialSeen = new Map<string, number>();
    /** "slot/seq" whose confirm was acknowledged or in flight at a cut */
    const confirmedKeys = new Set<string>();
    let lastImage: UpdateTortureImage | null = null;

    // An image's identity in the model: slot, erase count of its trailer page (every fresh
    // upload erases it, so a reused sequence number cannot alias an older image) and seq.
    const runningKey = () => {
      const r = device.running;
      if (typeof r !== "object" || !r) return null;
      const trailers = device.bootloader!.trailers;
      const erases = device.flash.eraseCount(trailers.region(r.slot), trailers.trailerAt / trailers.pageSize);
      return `${r.slot}/${erases}/${trailers.read(r.slot).record?.seq}`;
    };
    const check = (after: string) => {
      const r = device.running;
      if (device.state !== "running" || typeof r !== "object" || !r) {
        if (everConfirmed) fail("bricks", `after ${after}: device ${device.state}, nothing bootable`);
        return;
      }
      const region = device.bootloader!.trailers.region(r.slot);
      const len = device.bootloader!.trailers.read(r.slot).record?.imageBytes ?? 0;
      const slotSha = sha(device.flash.read(region, 0, len));
      const img = good.get(slotSha);
      if (!img) {
        fail("unverifiedBooted", `after ${after}: ${SLOT_NAMES[r.slot]} runs an image that is not a well-signed one (${slotSha.slice(0, 16)})`);
        return;
      }
      if (img.securityCounter < maxConfirmedCounter)
        fail("downgrades", `after ${after}: runs ${img.label} (counter ${img.securityCounter}) below ${maxConfirmedCounter}`);
      const key = runningKey()!;
      if (r.mode === "trial") {
        if (img.selfConfirms) fail("selfConfirmMissed", `after ${after}: ${key} (${img.label}) passed its self-test but runs on trial`);
        const seenAt = trialSeen.get(key);
        if (seenAt !== undefined && seenAt !== device.boots)
          fail(
            "unconfirmedNotReverted",
            `after ${after}: trial ${key} (${img.label}) runs again at boot ${device.boots} (first at ${seenAt}) ${JSON.stringify(device.bootloader!.trailers.read(r.slot).flags)}`,
          );
        trialSeen.set(key, device.boots);
      } else {
        if (!confirmedKeys.has(key) && img.selfConfirms) {
          // its firmware confirmed it at its trial boot (docs/boot.md C4)
          confirmedKeys.add(key);
          report.images.selfConfirmed++;
        }
        if (!confirmedKeys.has(key)) fail("unconfirmedNotReverted", `after ${after}: ${key} (${img.label}) runs confirmed but was never confirmed`);
        everConfirmed = true;
        maxConfirmedCounter = Math.max(maxConfirmedCounter, img.securityCounter);
      }
    };

    /** Arms a cut somewhere in the next `window` flash operations; returns a function telling whether it fired. */
    const arm = (window: number): (() => boolean) => {
      const phase = PHASES[rng.below(3)]!;
      const resetsBefore = device.boots;
      const opsBefore = device.flash.operations;
      const at = 1 + rng.below(window);
      device.flash.cutPowerAt({ op: at, phase });
      return () => {
        const fired = device.lastResetReason?.kind === "power-cut" && device.boots !== resetsBefore && device.flash.operations >= opsBefore + at;
        device.flash.onOperation(null);
        if (fired) report.phases[phase]++;
        return fired;
      };
    };

    const epochEnd = Math.min(opts.cuts, report.cuts + epochEvery);
    // First image: confirmed without cuts, so every later cut has something to fall back to.
    const first = opts.images.find((i) => i.good && i.securityCounter === 0)!;
    if (flashAll(link, first) !== "pending") throw new Error("torture set-up: first image not accepted");
    must("reset");
    confirmedKeys.add(runningKey()!);
    must("confirm");
    check("set-up");

    while (report.cuts < epochEnd) {
      const roll = rng.below(100);
      let step: Step;
      let fired = false;
      if (roll < 55) {
        // flash: half the time the image that was cut last (resume), else a random one
        const img: UpdateTortureImage = lastImage && rng.below(2) === 0 ? lastImage : opts.images[rng.below(opts.images.length)]!;
        lastImage = img;
        const steps = 2 * Math.ceil(img.bytes.length / device.bootloader!.service.chunk) + 40;
        const cutWhere = rng.below(3); // 0 upload, 1 finish/marking, 2 trial boot
        const resumesBefore = device.bootloader!.service.resumes;
        if (cutWhere === 0) {
          step = "upload";
          const disarm = arm(steps);
          const r = flashAll(link, img);
          fired = disarm();
          countResult(r);
        } else {
          const r0 = flashUpload(link, img);
          if (typeof r0 === "string") {
            countResult(r0);
            report.uploadsResumed += device.bootloader!.service.resumes - resumesBefore;
            continue;
          }
          if (cutWhere === 1) {
            step = "finish";
            const disarm = arm(2);
            const r = finish(link, r0);
            fired = disarm();
            countResult(r);
          } else {
            const r = finish(link, r0);
            countResult(r);
            if (r !== "pending") continue;
            step = "trial-boot";
            const disarm = arm(4);
            link.boot("reset");
            fired = disarm();
          }
        }
        report.uploadsResumed += device.bootloader!.service.resumes - resumesBefore;
        if (!fired && step !== "trial-boot") {
          // uploaded without a cut: reset into it
          const disarm = arm(4);
          link.boot("reset");
          if (disarm()) {
            step = "trial-boot";
            fired = true;
          }
        }
      } else if (roll < 80) {
        step = "confirm";
        const key = runningKey();
        const wasTrial = typeof device.running === "object" && device.running?.mode === "trial";
        if (key && wasTrial) confirmedKeys.add(key); // in flight: may land
        const disarm = arm(3);
        const a = link.boot("confirm");
        fired = disarm();
        if (a.kind === "ok" && wasTrial) report.images.confirmed++;
        if (!fired && a.kind !== "ok" && key && wasTrial) confirmedKeys.delete(key);
      } else if (roll < 90) {
        step = "revert";
        const disarm = arm(8);
        const a = link.boot("revert");
        fired = disarm();
        if (a.kind === "ok") report.images.reverted++;
      } else {
        step = "reset";
        const disarm = arm(8);
        link.boot("reset");
        fired = disarm();
      }
      if (fired) {
        report.cuts++;
        report.cutsBy[step]++;
        check(`a cut during ${step}`);
        if (opts.onProgress && report.cuts % (opts.progressEvery ?? 1000) === 0) opts.onProgress(report);
      } else check(step);
    }
    report.flashOperations += device.flash.operations;
    report.norViolations += device.flash.norViolations;
    report.selfConfirmCuts += device.selfConfirmCuts;
    device.close();
  }
  return report;

  function countResult(r: "pending" | "refused" | "installed" | "lost") {
    if (r === "pending") report.images.flashed++;
    if (r === "refused") report.images.refused++;
  }
}

/** begin + every chunk still missing; a sid when the image is all there, or why not. */
function flashUpload(link: BootDirect, img: UpdateTortureImage): { sid: number } | "refused" | "installed" | "lost" {
  const head = img.bytes.subarray(0, new DataView(img.bytes.buffer, img.bytes.byteOffset).getUint32(12, true));
  const b = link.boot("upload.begin", { sha: createHash("sha256").update(img.bytes).digest(), len: img.bytes.length, head });
  if (b.kind === "lost") return "lost";
  if (b.kind === "error") return "refused";
  if (b.body.installed) return "installed";
  const sid = Number(b.body.sid);
  const chunk = Number(b.body.chunk);
  if (b.body.done) return { sid };
  for (let off = Number(b.body.off); off < img.bytes.length; off += chunk) {
    const a = link.boot("upload.chunk", { sid, off, data: img.bytes.subarray(off, off + chunk) });
    if (a.kind === "lost") return "lost";
    if (a.kind === "error") return "refused";
  }
  return { sid };
}

function finish(link: BootDirect, up: { sid: number }): "pending" | "refused" | "lost" {
  const a = link.boot("upload.finish", { sid: up.sid });
  return a.kind === "ok" ? "pending" : a.kind === "error" ? "refused" : "lost";
}

function flashAll(link: BootDirect, img: UpdateTortureImage): "pending" | "refused" | "installed" | "lost" {
  const up = flashUpload(link, img);
  if (typeof up === "string") return up;
  return finish(link, up) === "pending" ? "pending" : "refused";
}
