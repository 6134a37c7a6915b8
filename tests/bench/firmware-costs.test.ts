// Deterministic firmware costs may gate CI (timings may not): instructions per operation
// are reproducible run to run and stay under budgets, and the linear memory a scripted session
// needs (static data up to __heap_base, plus anything written above it) stays within the board
// file's memory.budgetBytes.
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

/** Issue 12's RAM targets: linear memory used by a plaque and by a card-format wallet. */
const MODE_TARGET: Record<string, number> = { plaque: 32 * 1024, card: 20 * 1024 };

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
    // The firmware allocates nothing (stub runtime, static buffers only): a session writes
    // nothing above __heap_base, so a shell may back only [0, __heap_base).
    assert.equal(a.writtenAboveHeapBase, 0, "the session wrote nothing above __heap_base (no heap, no stack in linear memory)");
    const budget = board.memory.budgetBytes;
    assert.ok(budget !== undefined, `boards/${name}.json sets memory.budgetBytes`);
    const target = MODE_TARGET[board.mode];
    assert.ok(budget <= target, `boards/${name}.json memory.budgetBytes ${budget} B is over the ${board.mode} target ${target} B`);
    assert.ok(
      a.memoryHighWater <= budget,
      `linear memory ${a.memoryHighWater} B > budget ${budget} B (boards/${name}.json memory.budgetBytes); tapkit build --board ${name} --map shows where it goes`,
    );
  });
}
