// Regression: cuts inside compaction must not leak the reserve slots. The wallet's power-cut
// soak bricked the store (every write E_STORE_FULL, ~40 KB free, surviving power cycles):
// a cut during compaction's first copy into a freshly opened reserve page, twice, with
// payment transactions filling each reserve page in between, left no free slot to finish
// compacting a page of cold provisioned records (docs/store.md, "Reserve after a cut").
// Part 1 replays that sequence deterministically; part 2 is a short wallet-shaped torture.
import { test } from "vitest";
import assert from "node:assert/strict";
import { BOARD, bytes, counter, get, openStore } from "./store-fixture.ts";
import { assertClean } from "./torture-assertions.ts";
import { tortureStore } from "../../host-tools/src/torture/store-torture.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";

const PAGE_HEADER = 16;
/** A payment transaction on flash: TX counter block 76 + puts 44, 36, 36, 12 + commit 12. */
const PAYMENT_BYTES = 216;
const COLD = [
  [0x301, 147],
  [0x302, 170],
  [0x303, 32],
  [0x304, 1],
  [0x305, 300],
  [0x306, 480],
] as const;

test("cuts during compaction copies into reserve pages never leave the store refusing payments", async () => {
  const { device, link } = await openStore();
  try {
    const pageSize = device.flash.geometry(0).pageSize;
    link.must("store.tx", { w: COLD.slice(0, 3).flatMap(([k, n]) => [k, bytes(n, k)]), c: [] });
    link.must("store.tx", { w: COLD.slice(3).flatMap(([k, n]) => [k, bytes(n, k)]), c: [1] });
    // Cut during the first record programmed into a newly opened page that is not a
    // payment: a compaction copy (mount's zero fill runs before the next payment re-arms).
    let armed = false;
    let cutsLeft = 2;
    let cuts = 0;
    device.flash.onOperation((op) => {
      if (!armed || op.kind !== "program" || op.region !== 0) return "continue";
      if (op.offset % pageSize !== PAGE_HEADER || op.length === PAYMENT_BYTES) return "continue";
      armed = false;
      cutsLeft--;
      cuts++;
      return "cut-during";
    });
    let last = counter(link, 1);
    let payments = 0;
    // Three laps of the 20-page ring: the cold records must be copied again and again.
    while (payments < 1200) {
      const bootsBefore = device.boots;
      const a = link.call("store.tx", {
        w: [0x300, bytes(36, payments), 0x310, bytes(28, payments + 1), 0x400 + (payments % 8), bytes(28, payments + 2), 0x320, bytes(4, payments)],
        c: [1],
      });
      if (a.kind === "lost") {
        assert.notEqual(device.boots, bootsBefore, "an unanswered payment means the cut rebooted the device");
        for (const [k, n] of COLD) assert.deepEqual(get(link, k), bytes(n, k), `cold key 0x${k.toString(16)} after the cut`);
        const now = counter(link, 1);
        assert.ok(now === last || now === last + 1, `counter ${now} after ${last}`);
        last = now;
        continue;
      }
      assert.equal(a.kind, "ok", `payment ${payments} refused: ${a.kind === "error" ? a.msg : ""} (after ${cuts} cuts in compaction)`);
      const v = (a as unknown as { body: { c: number[] } }).body.c[0]!;
      assert.equal(v, last + 1, "each payment gets the next counter value");
      last = v;
      payments++;
      if (cutsLeft > 0) armed = true;
    }
    assert.ok(cuts >= 1, "the scenario cut at least one compaction copy");
    const stats = link.must("store.stats") as { compactions: number };
    assert.ok(stats.compactions > 0, "compaction ran after the cuts");
    for (const [k, n] of COLD) assert.deepEqual(get(link, k), bytes(n, k));
  } finally {
    device.close();
  }
});

test("wallet-shaped torture (payments over cold records, cuts aimed at compaction), 600 cuts: no refusal, nothing lost", async () => {
  const r = await tortureStore({ board: BOARD, wasm: firmwarePath(BOARD.name), cuts: 600, seed: 1 });
  assert.equal(r.refusals, 0, r.failures.join("\n"));
  assertClean(r, 600);
  assert.ok(r.payments > 600 && r.aimedCuts > 50, `payments ${r.payments}, aimed cuts ${r.aimedCuts}`);
});
