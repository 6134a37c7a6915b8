// The update torture in the suite: 1,000 power cuts across uploads, verification, marking,
// trial boots, the firmware's self-confirm, confirm, revert and resets, every figure that
// means a broken device at 0, and uploads resumed after cuts. docs/boot.md records the 10,000-cut soak.
import { test } from "vitest";
import assert from "node:assert/strict";
import { cpuHeavyTests } from "../support/long-tests.ts";
import { tortureUpdate } from "../../host-tools/src/torture/update-torture.ts";
import { tortureImages, tortureKey } from "../../host-tools/src/torture/update-images.ts";
import { builtModule } from "../image/image-fixture.ts";
import { board, BOARD } from "./update-fixture.ts";

cpuHeavyTests();

test("1,000 power cuts during updates: no brick, no unverified boot, no downgrade, every unconfirmed trial reverted", async () => {
  const module = await builtModule(BOARD);
  const key = tortureKey(3);
  const r = await tortureUpdate({ board, wasm: module, key, images: await tortureImages(board, module, key), cuts: 1000, seed: 3 });
  assert.equal(r.cuts, 1000);
  assert.deepEqual(
    {
      bricks: r.bricks,
      unverifiedBooted: r.unverifiedBooted,
      downgrades: r.downgrades,
      unconfirmedNotReverted: r.unconfirmedNotReverted,
      selfConfirmMissed: r.selfConfirmMissed,
      nor: r.norViolations,
    },
    { bricks: 0, unverifiedBooted: 0, downgrades: 0, unconfirmedNotReverted: 0, selfConfirmMissed: 0, nor: 0 },
    r.failures.join("\n"),
  );
  for (const step of ["upload", "finish", "trial-boot", "confirm", "revert", "reset"]) assert.ok(r.cutsBy[step]! > 0, `cuts landed during ${step}`);
  assert.ok(r.uploadsResumed > 50, `uploads resumed after cuts: ${r.uploadsResumed}`);
  assert.ok(r.images.refused > 0 && r.images.confirmed > 0 && r.images.reverted > 0);
  assert.ok(r.images.selfConfirmed > 0, "images confirmed by their own self-test");
  assert.ok(r.selfConfirmCuts > 0, `cuts landed inside the firmware's self-confirm: ${r.selfConfirmCuts}`);
});
