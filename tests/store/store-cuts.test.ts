// Power cuts at every flash operation of a store write, in every phase: transactions land
// whole or not at all, counters never repeat or fall and skip at most the value in flight,
// torn tail writes are covered and partly erased pages recovered without NOR violations.
// Each case starts from the same flash image (copied state directory) so the op indices
// are the same in every run.
import { test } from "vitest";
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import type { CutPhase } from "../../host-tools/src/sim/flash.ts";
import { bytes, counter, get, openStore, tempDir, type StoreFixture } from "./store-fixture.ts";

const PHASES: CutPhase[] = ["before", "during", "after"];

/** Builds a flash image with `prepare`, then for each op index and phase runs `op` on a copy with that cut. */
async function everyCut(prepare: (s: StoreFixture) => void, op: (s: StoreFixture) => void, check: (s: StoreFixture, cut: string) => void): Promise<number> {
  const base = tempDir();
  try {
    const seed = await openStore({ stateDir: base.path });
    prepare(seed);
    seed.device.close();
    // How many flash operations the op takes when nothing goes wrong.
    const dry = tempDir();
    let total = 0;
    try {
      cpSync(base.path, dry.path, { recursive: true });
      const s = await openStore({ stateDir: dry.path });
      const before = s.device.flash.operations;
      op(s);
      total = s.device.flash.operations - before;
      s.device.close();
    } finally {
      dry.remove();
    }
    assert.ok(total > 0, "the operation writes flash");
    for (let at = 1; at <= total; at++) {
      for (const phase of PHASES) {
        const copy = tempDir();
        try {
          cpSync(base.path, copy.path, { recursive: true });
          const s = await openStore({ stateDir: copy.path, seed: at * 3 + PHASES.indexOf(phase) });
          s.device.flash.cutPowerAt({ op: at, phase });
          const boots = s.device.boots;
          op(s);
          assert.equal(s.device.boots, boots + 1, `cut at op ${at} ${phase} rebooted the device`);
          assert.equal(s.device.state, "running");
          check(s, `op ${at} ${phase}`);
          assert.equal(s.device.flash.norViolations, 0, `no NOR violations after op ${at} ${phase}`);
          s.device.close();
        } finally {
          copy.remove();
        }
      }
    }
    return total;
  } finally {
    base.remove();
  }
}

test("a transaction that forces compaction lands whole or not at all, whatever op the cut hits", async () => {
  const oldA = bytes(40, 1);
  const oldB = bytes(40, 2);
  const newA = bytes(300, 3);
  const newC = bytes(200, 4);
  const total = await everyCut(
    (s) => {
      s.link.must("store.put", { k: 9, v: oldA });
      s.link.must("store.put", { k: 2, v: oldB });
      s.link.must("store.ctr", { id: 5 });
      // Fill the ring up to the point where the next page needs a compaction first.
      const pages = s.device.board.flash.partitions[0]!.pages;
      for (let i = 0; s.device.flash.eraseCount(0, pages - 3) === 0; i++) s.link.must("store.put", { k: 10 + (i % 6), v: bytes(500, i) });
      // Then leave less room in that last page than the transaction needs.
      const size = s.device.board.flash.pageSize;
      const tailFree = () => {
        const page = s.device.flash.read(0, (pages - 3) * size, size);
        let end = size;
        while (end > 0 && page[end - 1] === 0xff) end--;
        return size - ((end + 3) & ~3);
      };
      for (let i = 0; tailFree() > 600; i++) s.link.must("store.put", { k: 16 + (i % 4), v: bytes(Math.min(500, tailFree() - 108), i) });
      assert.ok(tailFree() >= 100 && tailFree() <= 600);
    },
    (s) => {
      const a = s.link.call("store.tx", { w: [9, newA, 2, null, 3, newC], c: [5] });
      if (a.kind === "ok") {
        assert.deepEqual(a.body.c, [2]);
      }
    },
    (s, cut) => {
      const [a, b, c, n] = [get(s.link, 9), get(s.link, 2), get(s.link, 3), counter(s.link, 5)];
      const same = (x: Uint8Array | null, y: Uint8Array | null) => (x === null || y === null ? x === y : Buffer.from(x).equals(Buffer.from(y)));
      const untouched = same(a, oldA) && same(b, oldB) && same(c, null) && n === 1;
      const landed = same(a, newA) && same(b, null) && same(c, newC) && n === 2;
      assert.ok(untouched || landed, `${cut}: partial transaction (k1 ${a?.length}, k2 ${b?.length}, k3 ${c?.length}, counter ${n})`);
      // The store keeps working after the cut.
      s.link.must("store.put", { k: 4, v: bytes(8, 8) });
      assert.deepEqual(get(s.link, 4), bytes(8, 8));
    },
  );
  assert.ok(total >= 5, `the transaction with its compaction took ${total} flash operations`);
});

test("counter increments across a block rollover never repeat or fall under a cut at any op", async () => {
  await everyCut(
    (s) => {
      for (let i = 0; i < 63; i++) s.link.must("store.ctr", { id: 0 });
    },
    (s) => {
      for (let i = 0; i < 3; i++) {
        const a = s.link.call("store.ctr", { id: 0 });
        if (a.kind !== "ok") return;
        assert.equal(a.body.v, 64 + i);
      }
    },
    (s, cut) => {
      const v = counter(s.link, 0);
      assert.ok(v >= 63 && v <= 66, `${cut}: counter reads ${v}`);
      const next = s.link.must("store.ctr", { id: 0 }).v as number;
      assert.equal(next, v + 1, `${cut}: next increment after the cut`);
    },
  );
});

test("a torn write at the tail is covered with padding and the next writes land cleanly", async () => {
  for (let seed = 1; seed <= 20; seed++) {
    const s = await openStore({ seed });
    try {
      s.link.must("store.put", { k: 9, v: bytes(30, 1) });
      s.device.flash.cutPowerAt({ op: 1, phase: "during" });
      assert.equal(s.link.call("store.put", { k: 2, v: bytes(200, seed) }).kind, "lost");
      const torn = get(s.link, 2);
      assert.ok(torn === null || Buffer.from(torn).equals(Buffer.from(bytes(200, seed))), `seed ${seed}: torn record accepted`);
      s.link.must("store.put", { k: 3, v: bytes(50, 3) });
      s.device.power("off");
      s.device.power("on");
      assert.deepEqual(get(s.link, 9), bytes(30, 1));
      assert.deepEqual(get(s.link, 3), bytes(50, 3));
      assert.equal(s.device.flash.norViolations, 0);
    } finally {
      s.device.close();
    }
  }
});

test("a page left partly erased by a cut is erased again before use and nothing acknowledged is lost", async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const s = await openStore({ seed });
    try {
      s.link.must("store.put", { k: 9, v: bytes(100, seed) });
      // Write until the next page open: cut its erase halfway.
      let cutAt = 0;
      s.device.flash.onOperation((op) => {
        if (op.kind !== "erase" || op.offset === 0) return "continue";
        cutAt = op.index;
        s.device.flash.onOperation(null);
        return "cut-during";
      });
      for (let i = 0; cutAt === 0; i++) {
        const a = s.link.call("store.put", { k: 2 + (i % 3), v: bytes(400, i) });
        if (a.kind === "lost") break;
      }
      assert.ok(cutAt > 0);
      const erasesAfterCut = s.device.flash.eraseCount(0, 1);
      assert.deepEqual(get(s.link, 9), bytes(100, seed));
      for (let i = 0; i < 12; i++) s.link.must("store.put", { k: 5, v: bytes(400, i) });
      assert.equal(s.device.flash.eraseCount(0, 1), erasesAfterCut + 1, "the slot is erased once more before it is used");
      s.device.power("off");
      s.device.power("on");
      assert.deepEqual(get(s.link, 9), bytes(100, seed));
      assert.deepEqual(get(s.link, 5), bytes(400, 11));
      assert.equal(s.device.flash.norViolations, 0);
    } finally {
      s.device.close();
    }
  }
});
