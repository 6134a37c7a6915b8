// The bench's Cortex-M figures (issue 12 item 3) on the qemu-m4 board: the same script of link
// requests and tag commands runs on the instrumented Wasm module and, twice, on the ELF in
// QEMU under -icount with the shell's counters on (shells/cortex-m/perf.c). The counts must
// be exact, so the two ARM runs agree on every operation even though the host's timing
// (when bytes arrive, when SysTick fires) differs between them. The second run has every chip
// answer SLOW_CHIPS_MS late, so the pace differs by far more than load does: with the real
// clock given to the firmware, that made the boot last over 256 ms, its link-log timestamp
// one 00 byte shorter and the boot 3 instructions cheaper (the rare flake under load; the
// firmware's clock is now its counted work, shells/cortex-m/clock.c). Skips LOUDLY without
// the Debian tools (qemu-fixture.ts).
import { beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { qemuShell, type Board } from "../../host-tools/src/boards/index.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { armBuildOf, armSteps, measureCortexM } from "../../host-tools/src/bench/cortex-m-costs.ts";
import { buildFirmware } from "../../host-tools/src/build/index.ts";
import { existsSync } from "node:fs";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { longTests } from "../support/long-tests.ts";
import { qemuBoardElf, qemuMissing } from "./qemu-fixture.ts";

longTests();

const skip = qemuMissing !== null;
let board: Board;
let elfPath: string;
/** per chip answer in the second run: the boot's 30 chip commands take 300 ms longer */
const SLOW_CHIPS_MS = 10;

beforeAll(async () => {
  if (skip) return;
  ({ board, elfPath } = await qemuBoardElf());
});

test("Cortex-M instructions per operation: the same in two runs, beside the Wasm counts of the same script, with flash, RAM and the stack high-water", {
  skip,
}, async () => {
  const costs = await measureCortexM(board, firmwarePath(board.name), elfPath);
  const again = await armSteps(board, elfPath, { answerDelayMs: SLOW_CHIPS_MS });
  assert.deepEqual(
    again.steps,
    costs.ops.map((o) => [o.op, o.arm]),
    "a second run counts every operation the same",
  );
  const ops = costs.ops.map((o) => o.op);
  for (const name of ["boot", "hello", "NFC SELECT", "SUN tap with field-off", "v10-M QR", "store counter increment"])
    assert.ok(
      ops.some((o) => o.startsWith(name)),
      `${name} is measured`,
    );
  for (const o of costs.ops) {
    assert.ok(o.wasm > 1000, `${o.op}: ${o.wasm} Wasm instructions`);
    // wasm2c at -Os: 1-3 Thumb-2 instructions per Wasm instruction (bounds checks included)
    assert.ok(o.ratio >= 1 && o.ratio <= 3.5, `${o.op}: ${o.arm} ARM for ${o.wasm} Wasm instructions (ratio ${o.ratio})`);
  }
  const shell = qemuShell(board)!;
  assert.ok(costs.counterOverhead > 0 && costs.counterOverhead < 100, `the counter's own instructions per segment: ${costs.counterOverhead}`);
  assert.ok(costs.stackHighWater > 256 && costs.stackHighWater < shell.stackBytes / 2, `stack high-water ${costs.stackHighWater} B`);
  assert.equal(costs.flash, costs.sections.text + costs.sections.rodata + costs.sections.data);
  assert.equal(costs.ramUsed, costs.sections.data + costs.sections.bss + costs.sections.linear + costs.stackHighWater + costs.sections.noinit);
  assert.ok(costs.sections.linear < 65536, `linear memory backed: ${costs.sections.linear} B, not the whole page`);
});

test("the card's module through the same shell: a payment voucher (BEGIN + SIGN) counted the same in two runs, beside its Wasm count", { skip }, async () => {
  const card = loadBoard("sim-card");
  if (!existsSync(firmwarePath(card.name))) await buildFirmware(card, { quiet: true });
  const arm = await armBuildOf(card);
  assert.equal(arm.board.mode, "card");
  const costs = await measureCortexM(arm.board, firmwarePath(card.name), arm.elfPath);
  const again = await armSteps(arm.board, arm.elfPath, { answerDelayMs: SLOW_CHIPS_MS });
  assert.deepEqual(
    again.steps,
    costs.ops.map((o) => [o.op, o.arm]),
    "a second run counts every operation the same",
  );
  const pay = costs.ops.find((o) => o.op.startsWith("payment voucher"));
  assert.ok(pay && pay.wasm > 5000 && pay.ratio >= 1 && pay.ratio <= 3.5, JSON.stringify(pay));
  assert.ok(!costs.ops.some((o) => /SUN|QR/.test(o.op)), "no plaque operations on the card");
  assert.ok(costs.sections.linear < loadBoard("qemu-m4").memory.maxPages * 65536, `the card backs ${costs.sections.linear} B of linear memory`);
});
