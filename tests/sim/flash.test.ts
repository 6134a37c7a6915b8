// NOR flash model: the NOR rule (refused and counted), alignment, erase cycles, the power-cut
// fault model at bit level (torn program lies between old and old & new; partial erase is
// per write unit), determinism from the seed, write-through persistence, and a cut inside a
// running firmware (the instance unwinds and the device reboots on the same flash).

import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NorFlash, type FlashOperation } from "../../host-tools/src/sim/flash.ts";
import { HalFault } from "../../host-tools/src/sim/hal-codes.ts";
import { PowerCut } from "../../host-tools/src/sim/sim-errors.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { SeededRandom } from "../../host-tools/src/sim/seeded-random.ts";
import { loadBoardJson, memory, probe, probeDevice, tempStateDir } from "./sim-fixture.ts";

const board = loadBoardJson("sim-plaque");

function codeOf(fn: () => void): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof HalFault) return e.code;
    throw e;
  }
  return 0;
}

function patterns(seed: number, n: number): { old: Uint8Array; next: Uint8Array } {
  const r = new SeededRandom(seed);
  const old = r.fill(new Uint8Array(n));
  const next = old.map((b) => b & r.nextU32()); // clears only: a legal program over `old`
  return { old, next };
}

test("program clears bits only; 0->1 refused, counted, nothing written; alignment", () => {
  const flash = new NorFlash(board.flash);
  flash.program(0, 0, Uint8Array.of(0x0f, 0xf0, 0xff, 0x00));
  assert.equal(
    codeOf(() => flash.program(0, 0, Uint8Array.of(0x0f, 0xf0, 0xff, 0x01))),
    -3,
  );
  assert.equal(
    codeOf(() => flash.program(0, 0, Uint8Array.of(0x00, 0x00, 0x1f, 0x01, 0x00, 0x00, 0x00, 0x00))),
    -3,
  );
  assert.equal(flash.norViolations, 2);
  assert.deepEqual([...flash.read(0, 0, 8)], [0x0f, 0xf0, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff], "refused programs changed nothing");
  flash.program(0, 0, Uint8Array.of(0x05, 0x30, 0x7e, 0x00));
  assert.deepEqual([...flash.read(0, 0, 4)], [0x05, 0x30, 0x7e, 0x00]);
  assert.equal(
    codeOf(() => flash.program(0, 2, new Uint8Array(4))),
    -4,
  );
  assert.equal(
    codeOf(() => flash.program(0, 0, new Uint8Array(6))),
    -4,
  );
  assert.equal(
    codeOf(() => flash.program(1, 32 * 4096, new Uint8Array(4))),
    -2,
  );
  assert.equal(flash.operations, 2, "refused calls never reached the cells");
});

test("erase sets FF and counts cycles per page", () => {
  const flash = new NorFlash(board.flash);
  flash.program(0, 4096, new Uint8Array(4096));
  flash.erase(0, 1);
  flash.erase(0, 1);
  flash.erase(2, 31);
  assert.ok(flash.read(0, 4096, 4096).every((b) => b === 0xff));
  assert.equal(flash.eraseCount(0, 1), 2);
  assert.equal(flash.eraseCount(0, 0), 0);
  assert.equal(flash.eraseCount(2, 31), 1);
  assert.equal(flash.maxEraseCount(), 2);
  assert.equal(
    codeOf(() => flash.erase(0, 20)),
    -2,
  );
});

test("cut during program leaves a torn write between old and old & new, same for the same seed", () => {
  const tear = (seed: number) => {
    const { old, next } = patterns(7, 256);
    const flash = new NorFlash(board.flash, { seed });
    flash.program(0, 0, old);
    flash.cutPowerAt({ op: 1, phase: "during" });
    assert.throws(
      () => flash.program(0, 0, next),
      (e) => e instanceof PowerCut && e.phase === "during" && e.kind === "program",
    );
    return { old, next, torn: flash.read(0, 0, 256) };
  };
  const { old, next, torn } = tear(99);
  let applied = 0,
    pending = 0;
  for (let i = 0; i < 256; i++) {
    assert.equal(torn[i] & ~old[i] & 0xff, 0, `byte ${i}: no bit set that was 0 before`);
    assert.equal(old[i] & next[i] & ~torn[i] & 0xff, 0, `byte ${i}: every bit kept by the program is still 1`);
    const wanted = old[i] & ~next[i] & 0xff;
    applied += popcount(wanted & ~torn[i]);
    pending += popcount(wanted & torn[i]);
  }
  assert.ok(applied > 0 && pending > 0, `torn, not all-or-nothing (applied ${applied}, pending ${pending})`);
  assert.deepEqual(tear(99).torn, torn, "deterministic from the seed");
  assert.notDeepEqual(tear(100).torn, torn, "another seed tears differently");
});

test("cut before leaves old bits, cut after leaves the full program; both throw", () => {
  const { old, next } = patterns(3, 64);
  for (const [phase, expected] of [
    ["before", old],
    ["after", old.map((b, i) => b & next[i])],
  ] as const) {
    const flash = new NorFlash(board.flash);
    flash.program(0, 0, old);
    flash.cutPowerAt({ op: 1, phase });
    assert.throws(() => flash.program(0, 0, next), PowerCut);
    assert.deepEqual(flash.read(0, 0, 64), Uint8Array.from(expected), phase);
    flash.program(0, 0, new Uint8Array(64)); // the hook fired once; later operations run normally
  }
});

test("cut during erase leaves the page partly erased, per write unit", () => {
  const flash = new NorFlash(board.flash, { seed: 5 });
  const { old } = patterns(11, 4096);
  flash.program(0, 8192, old);
  flash.cutPowerAt({ op: 1, phase: "during" });
  assert.throws(
    () => flash.erase(0, 2),
    (e) => e instanceof PowerCut && e.kind === "erase",
  );
  const page = flash.read(0, 8192, 4096);
  let erased = 0,
    kept = 0;
  for (let u = 0; u < 4096; u += 4) {
    const unit = page.subarray(u, u + 4);
    if (unit.every((b) => b === 0xff)) erased++;
    else {
      assert.deepEqual(unit, old.subarray(u, u + 4), `unit at ${u} is either FF or untouched`);
      kept++;
    }
  }
  assert.ok(erased > 0 && kept > 0, `partly erased (${erased} erased, ${kept} kept)`);
  assert.equal(flash.eraseCount(0, 2), 1, "an interrupted erase still wears the page");
  assert.ok(
    flash.read(0, 4096, 4096).every((b) => b === 0xff),
    "neighbouring pages untouched",
  );
});

test("cutPowerAt counts operations from now; onOperation sees each accepted operation", () => {
  const flash = new NorFlash(board.flash);
  const seen: FlashOperation[] = [];
  flash.onOperation((op) => {
    seen.push(op);
    return "continue";
  });
  flash.program(0, 0, new Uint8Array(4));
  assert.throws(() => flash.program(0, 0, Uint8Array.of(1, 1, 1, 1)), HalFault);
  flash.erase(1, 3);
  assert.deepEqual(
    seen.map((o) => [o.index, o.kind, o.region, o.offset, o.length]),
    [
      [1, "program", 0, 0, 4],
      [2, "erase", 1, 3 * 4096, 4096],
    ],
  );
  flash.cutPowerAt({ op: 2, phase: "before" });
  flash.erase(0, 0);
  assert.throws(
    () => flash.erase(0, 1),
    (e) => e instanceof PowerCut && e.operation === 4,
  );
});

test("state directory: cells, erase counts and NOR violations survive a reopen; geometry mismatch refused", (t) => {
  const dir = tempStateDir(t);
  const a = new NorFlash(board.flash, { stateDir: dir });
  a.program(0, 40, Uint8Array.of(1, 2, 3, 4));
  a.erase(1, 5);
  assert.throws(() => a.program(0, 40, Uint8Array.of(0xff, 0xff, 0xff, 0xff)), HalFault);
  // written through: the region file already holds the bytes before close
  assert.deepEqual([...readFileSync(join(dir, "flash-store.bin")).subarray(40, 44)], [1, 2, 3, 4]);
  a.close();
  const b = new NorFlash(board.flash, { stateDir: dir });
  t.onTestFinished(() => b.close());
  assert.deepEqual([...b.read(0, 40, 4)], [1, 2, 3, 4]);
  assert.equal(b.eraseCount(1, 5), 1);
  assert.equal(b.norViolations, 1);
  const other = structuredClone(board.flash);
  other.pageSize = 2048;
  assert.throws(
    () => new NorFlash(other, { stateDir: dir }),
    (e) => e instanceof TapkitError && e.code === "SIM_STATE_MISMATCH" && /fresh --state/.test(e.hint),
  );
});

test("power cut inside firmware: the instance unwinds, the device reboots on the torn flash", async (t) => {
  const d = await probeDevice(t, { seed: 8 });
  const data = Uint8Array.from({ length: 64 }, (_, i) => i);
  const cmd = new Uint8Array([0xf0, 0, 0, 0, ...data]);
  assert.deepEqual([...d.nfcApdu(cmd).subarray(-2)], [0x90, 0x00]);
  assert.deepEqual(d.flash.read(0, 0, 64), data);
  d.flash.cutPowerAt({ op: 2, phase: "during" }); // op 1 = the erase, op 2 = the program
  assert.throws(
    () => d.nfcApdu(cmd),
    (e) => e instanceof TapkitError && e.code === "SIM_TAG_LOST",
  );
  assert.equal(d.lastResetReason?.kind, "power-cut");
  assert.equal(d.boots, 2);
  assert.equal(d.state, "running");
  assert.equal(probe(d, "inits"), 1, "a fresh instance ran tk_init");
  const torn = d.flash.read(0, 0, 64);
  for (let i = 0; i < 64; i++) assert.equal(data[i] & ~torn[i], 0, `byte ${i} is between FF and the data`);
  assert.notDeepEqual(torn, data);
  probe(d, "flash_read", 0, 0, 4096, 64);
  assert.deepEqual(memory(d).slice(4096, 4160), torn, "the firmware reads exactly the stored bits");
});

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}
