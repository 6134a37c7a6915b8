// Deterministic instruction budget of the payment QR path on the plaque firmware: a version
// 10 / ECC M symbol with automatic mask, encoded and rendered at 3 px/module (one qr.show
// request, link included) must stay within 1,000,000 Wasm instructions (V10M_TARGET; 2,000,000 before the packed encoder), and the
// count must be the same on every run. Counts, not timings: safe to gate CI on.
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { buildFirmware } from "../../host-tools/src/build/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { V10M_TARGET, countQrInstructions } from "../../host-tools/src/bench/qr-costs.ts";

test("v10-M auto-mask encode + render stays within 1,000,000 instructions, deterministically", async () => {
  const board = loadBoard("sim-plaque");
  if (!existsSync(firmwarePath(board.name))) await buildFirmware(board, { quiet: true });
  const wasm = readFileSync(firmwarePath(board.name));
  const a = await countQrInstructions(board, wasm);
  const b = await countQrInstructions(board, wasm);
  assert.deepEqual(a, b, "two runs give identical counts");
  assert.ok(a.v10mEncodeRender > 100_000, `qr.show executed the encoder (${a.v10mEncodeRender})`);
  assert.ok(a.v10mEncodeRender <= V10M_TARGET, `v10-M encode+render: ${a.v10mEncodeRender} instructions > ${V10M_TARGET}`);
  // The POS path encodes and renders a smaller symbol, plus the payload and the store.
  assert.ok(a.amountToFrame <= V10M_TARGET, `amount request to frame: ${a.amountToFrame} instructions`);
});
