// Deterministic firmware costs may gate CI (timings may not): instructions per operation
// are reproducible run to run and stay under budgets, and a scripted session leaves the
// linear-memory high-water mark at the static data's end, inside the board's one-page budget.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { measureSession } from "../../host-tools/src/bench/session-counts.ts";

/** Budgets in Wasm instructions (roughly 2x what v0.1 measured, so regressions show). */
const BUDGET: Record<string, number> = {
  hello: 30_000,
  info: 40_000,
  "ping 64 B": 35_000,
  "sink 990 B": 180_000,
  "app status": 15_000,
  "nfc-test apdu (SELECT)": 15_000,
  "NFC SELECT (direct)": 6_000,
  tick: 200,
  "fb chunk": 200_000,
};

for (const name of ["sim-plaque", "sim-card"]) {
  test(`${name}: instruction counts are deterministic and within budget`, async () => {
    const board = loadBoard(name);
    const a = await measureSession(board, firmwarePath(name));
    const b = await measureSession(board, firmwarePath(name));
    assert.deepEqual(a, b, "two runs give identical counts");
    for (const op of a.ops) {
      const budget = BUDGET[op.op];
      assert.ok(budget !== undefined, `budget for ${op.op}`);
      assert.ok(op.instructions > 0, `${op.op} executes instructions`);
      assert.ok(op.instructions <= budget, `${op.op}: ${op.instructions} instructions > budget ${budget}`);
    }
    assert.ok(a.bootInstructions > 0);
    // The firmware allocates nothing (stub runtime, static buffers only): a session must not
    // write above the static data, and the static data must leave a 4 KiB margin in the page.
    assert.equal(a.memoryHighWater, a.memoryAtBoot, "the session wrote nothing above the static data (no heap growth)");
    // 62 KiB: this wave (lifecycle, provisioning, refusal log, scheme profiles) took the plaque
    // from 56 KiB to 60 KiB of static data; issue 12 item 4 cuts it to 32 KiB.
    assert.ok(a.memoryHighWater <= 62 * 1024, `high-water ${a.memoryHighWater} B leaves 2 KiB of the 64 KiB page`);
  });
}
