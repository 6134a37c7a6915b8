// Shared checks for the CI torture runs (10,000 cuts in all, split over two files so each
// stays short): every failure count zero (a refused write counts), and evidence the run exercised what it should.
import assert from "node:assert/strict";
import type { TortureReport } from "../../host-tools/src/torture/store-torture.ts";

export function assertClean(r: TortureReport, cuts: number): void {
  assert.equal(r.cuts, cuts);
  assert.deepEqual(
    {
      lost: r.lost,
      tornAccepted: r.tornAccepted,
      counterRepeats: r.counterRepeats,
      counterDecreases: r.counterDecreases,
      counterSkips: r.counterSkips,
      bootFailures: r.bootFailures,
      refusals: r.refusals,
      norViolations: r.norViolations,
    },
    { lost: 0, tornAccepted: 0, counterRepeats: 0, counterDecreases: 0, counterSkips: 0, bootFailures: 0, refusals: 0, norViolations: 0 },
    r.failures.join("\n"),
  );
  assert.ok(r.committed > cuts * 3, `the workload ran between cuts (${r.committed} committed)`);
  assert.ok(r.phases.before > 0 && r.phases.during > 0 && r.phases.after > 0);
  assert.ok(r.inFlightLanded > 0 && r.inFlightDropped > 0, "cuts hit operations both before and after they landed");
  assert.ok(r.payments > 0 && r.aimedCuts > 0, "wallet-shaped payments ran and some cuts were aimed at compaction");
  assert.ok(r.eraseMin >= 10, `the run compacted every page many times (min erases ${r.eraseMin})`);
}
