// tapkit torture store: power-cut torture of the firmware store on the simulator (library:
// host-tools/src/torture). Exits 10 (tests failed) when any failure count is not zero.
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { table } from "../output.ts";
import { countOption, integerOption } from "../option-values.ts";
import { loadBoard } from "../../boards/index.ts";
import { firmwarePath } from "../../paths.ts";
import { tortureFailedError, tortureFailures, tortureStore, type TortureReport } from "../../torture/store-torture.ts";
import { tortureUpdate, updateTortureFailedError, updateTortureFailures, type UpdateTortureReport } from "../../torture/update-torture.ts";
import { tortureImages, tortureKey } from "../../torture/update-images.ts";
import { readFileSync } from "node:fs";

export const torture: Command = {
  name: "torture store",
  summary: "cut power again and again under a random store workload on the simulator and check nothing is lost or torn",
  usage: "tapkit torture store [--cuts N] [--seed S] [--board B] [--json]",
  examples: ["tapkit torture store --cuts 10000 --seed 1", "tapkit torture store --cuts 100000 --seed 7 --board sim-plaque --json"],
  options: {
    cuts: { type: "string", help: "power cuts to make (default 10000)" },
    seed: { type: "string", help: "seed for the workload and the torn bits (default 1); the same seed replays the same run" },
    board: { type: "string", help: "board whose built firmware to run (default sim-card)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const cuts = countOption(opts.cuts, "cuts", 1, 100_000_000, 10000);
    const seed = integerOption(opts.seed, "seed", { min: 0, max: 0xffffffff, what: "a seed", hint: "e.g. --seed 7" }, 1);
    const board = loadBoard(opts.board ?? "sim-card");
    const started = Date.now();
    const report = await tortureStore({
      board,
      wasm: firmwarePath(board.name),
      cuts,
      seed,
      onProgress: (r) =>
        out.status(`${r.cuts}/${cuts} cuts, ${r.operations} ops, ${tortureFailures(r)} failures, ${((Date.now() - started) / 1000).toFixed(1)} s`),
    });
    out.result(report, (r: TortureReport) => {
      out.line(
        table([
          ["cuts", String(r.cuts)],
          ["committed", String(r.committed)],
          ["lost", String(r.lost)],
          ["torn-accepted", String(r.tornAccepted)],
          ["counter-repeats", String(r.counterRepeats)],
          ["counter-decreases", String(r.counterDecreases)],
          ["counter-skips", String(r.counterSkips)],
          ["boot-failures", String(r.bootFailures)],
          ["refused writes", String(r.refusals)],
          ["payments / cuts aimed at compaction", `${r.payments}/${r.aimedCuts}`],
          ["in flight landed/dropped", `${r.inFlightLanded}/${r.inFlightDropped}`],
          ["cuts before/during/after", `${r.phases.before}/${r.phases.during}/${r.phases.after}`],
          ["flash operations", String(r.flashOperations)],
          ["erases per page min..max", `${r.eraseMin}..${r.eraseMax}`],
        ]),
      );
      for (const f of r.failures) out.line(`failure: ${f}`);
    });
    if (tortureFailures(report) > 0) throw tortureFailedError(report);
  },
};

export const tortureUpdateCommand: Command = {
  name: "torture update",
  summary: "cut power again and again during uploads, verification, marking, trial boots, confirm and revert; check the device never bricks",
  usage: "tapkit torture update [--cuts N] [--seed S] [--board B] [--json]",
  examples: ["tapkit torture update --cuts 10000 --seed 1", "tapkit torture update --cuts 1000 --seed 7 --json"],
  options: {
    cuts: { type: "string", help: "power cuts to make (default 10000)" },
    seed: { type: "string", help: "seed for the workload, the cut points and the torn bits (default 1); the same seed replays the same run" },
    board: { type: "string", help: "board whose built firmware to sign and flash (default sim-card)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const cuts = countOption(opts.cuts, "cuts", 1, 100_000_000, 10000);
    const seed = integerOption(opts.seed, "seed", { min: 0, max: 0xffffffff, what: "a seed", hint: "e.g. --seed 7" }, 1);
    const board = loadBoard(opts.board ?? "sim-card");
    const module = new Uint8Array(readFileSync(firmwarePath(board.name)));
    const key = tortureKey(seed);
    const started = Date.now();
    const report = await tortureUpdate({
      board,
      wasm: module,
      key,
      images: await tortureImages(board, module, key),
      cuts,
      seed,
      onProgress: (r) => out.status(`${r.cuts}/${cuts} cuts, ${updateTortureFailures(r)} failures, ${((Date.now() - started) / 1000).toFixed(1)} s`),
    });
    out.result(report, (r: UpdateTortureReport) => {
      out.line(
        table([
          ["cuts", String(r.cuts)],
          ["bricks", String(r.bricks)],
          ["unverified images booted", String(r.unverifiedBooted)],
          ["downgrades", String(r.downgrades)],
          ["unconfirmed not reverted", String(r.unconfirmedNotReverted)],
          ["self-confirms missed", String(r.selfConfirmMissed)],
          ["cuts during the firmware's self-confirm", String(r.selfConfirmCuts)],
          ["uploads resumed", String(r.uploadsResumed)],
          [
            "cuts by step",
            Object.entries(r.cutsBy)
              .map(([k, v]) => `${k} ${v}`)
              .join(", "),
          ],
          ["cuts before/during/after", `${r.phases.before}/${r.phases.during}/${r.phases.after}`],
          [
            "images flashed/confirmed by host/by self-test/reverted/refused",
            `${r.images.flashed}/${r.images.confirmed}/${r.images.selfConfirmed}/${r.images.reverted}/${r.images.refused}`,
          ],
          ["device lifetimes", String(r.epochs)],
          ["flash operations", String(r.flashOperations)],
        ]),
      );
      for (const f of r.failures) out.line(`failure: ${f}`);
    });
    if (updateTortureFailures(report) > 0) throw updateTortureFailedError(report);
  },
};
