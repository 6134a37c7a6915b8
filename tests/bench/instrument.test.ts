// instrumentForCounting on hand-written WAT (assembled by wabt.js): the counts match what
// the counting rule in docs/instruction-counting.md gives when applied by hand, scale
// exactly with loop trip counts, repeat exactly, and never change a function's results.
import { test } from "vitest";
import assert from "node:assert/strict";
import wabtInit from "wabt";
import { countingRun, instrumentForCounting } from "../../host-tools/src/bench/instrument.ts";

const wabt = await wabtInit();

// Hand counts (blocks, loops and `end` are free; every other instruction is one):
//   sum(n):  per iteration  local.get, local.get, i32.ge_s, br_if       = 4
//                           local.get, local.get, i32.add, local.set    = 4
//                           local.get, i32.const, i32.add, local.set    = 4
//                           br                                          = 1   -> k = 13
//            last pass: the 4 up to and including the taken br_if; then local.get = 1
//            total = 13 n + 5
//   line(a,b): local.get, local.get, i32.add, i32.const, i32.mul       = 5
//   abs(x):  local.get, i32.const, i32.lt_s, if = 4; then-arm 3 (i32.const, local.get, i32.sub), else-arm 1
//   twice(a,b): local.get, local.get, call, local.get, local.get, call, i32.add = 7, plus 2 x line = 17
//   pick(x): block with result and a br_if carrying a value:
//            i32.const 7, local.get, br_if = 3; on fall-through drop, i32.const 9 = 2 more
const WAT = `(module
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    block $done
      loop $next
        local.get $i
        local.get $n
        i32.ge_s
        br_if $done
        local.get $acc
        local.get $i
        i32.add
        local.set $acc
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next
      end
    end
    local.get $acc)
  (func $line (export "line") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    i32.const 3
    i32.mul)
  (func (export "abs") (param i32) (result i32)
    local.get 0
    i32.const 0
    i32.lt_s
    if (result i32)
      i32.const 0
      local.get 0
      i32.sub
    else
      local.get 0
    end)
  (func (export "twice") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    call $line
    local.get 0
    local.get 1
    call $line
    i32.add)
  (func (export "pick") (param i32) (result i32)
    block $out (result i32)
      i32.const 7
      local.get 0
      br_if $out
      drop
      i32.const 9
    end))`;

function assemble(): Uint8Array<ArrayBuffer> {
  const mod = wabt.parseWat("count.wat", WAT, {});
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

const original = assemble();
const plain = new WebAssembly.Instance(new WebAssembly.Module(original)).exports as any;

function counted() {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(instrumentForCounting(original)));
  return { fn: instance.exports as any, counter: countingRun(instance) };
}

test("a loop's count is linear in its trip count with the hand-derived 13 per iteration", () => {
  const { fn, counter } = counted();
  const c1000 = counter.measure(() => fn.sum(1000));
  const c2000 = counter.measure(() => fn.sum(2000));
  assert.equal(c1000.result, (999 * 1000) / 2);
  assert.equal(c2000.count - c1000.count, 1000n * 13n);
  assert.equal(c1000.count, 13n * 1000n + 5n);
  assert.equal(counter.measure(() => fn.sum(0)).count, 5n);
});

test("straight-line code counts exactly its instructions; calls add the callee's", () => {
  const { fn, counter } = counted();
  assert.deepEqual(
    counter.measure(() => fn.line(2, 5)),
    { result: 21, count: 5n },
  );
  assert.deepEqual(
    counter.measure(() => fn.twice(2, 5)),
    { result: 42, count: 17n },
  );
});

test("each if arm and each br_if exit counts only what ran", () => {
  const { fn, counter } = counted();
  assert.deepEqual(
    counter.measure(() => fn.abs(-4)),
    { result: 4, count: 7n },
  );
  assert.deepEqual(
    counter.measure(() => fn.abs(4)),
    { result: 4, count: 5n },
  );
  assert.deepEqual(
    counter.measure(() => fn.pick(1)),
    { result: 7, count: 3n },
  );
  assert.deepEqual(
    counter.measure(() => fn.pick(0)),
    { result: 9, count: 5n },
  );
});

test("counts are identical across runs and instances, and accumulate until reset", () => {
  const a = counted();
  const b = counted();
  const runA = a.counter.measure(() => a.fn.sum(777)).count;
  const runB = b.counter.measure(() => b.fn.sum(777)).count;
  assert.equal(runA, runB);
  a.counter.reset();
  a.fn.sum(777);
  a.fn.sum(777);
  assert.equal(a.counter.read(), 2n * runA);
});

test("the instrumented module computes the same results as the original", () => {
  const { fn } = counted();
  for (const n of [0, 1, 2, 10, 12345]) assert.equal(fn.sum(n), plain.sum(n));
  for (const [x, y] of [
    [0, 0],
    [-7, 3],
    [2 ** 30, 2 ** 30],
  ]) {
    assert.equal(fn.line(x, y), plain.line(x, y));
    assert.equal(fn.twice(x, y), plain.twice(x, y));
  }
  for (const x of [-5, 0, 5, -(2 ** 31)]) assert.equal(fn.abs(x), plain.abs(x));
  for (const x of [0, 1]) assert.equal(fn.pick(x), plain.pick(x));
  assert.deepEqual(
    WebAssembly.Module.exports(new WebAssembly.Module(instrumentForCounting(original)))
      .map((e) => e.name)
      .sort(),
    [...WebAssembly.Module.exports(new WebAssembly.Module(original)).map((e) => e.name), "__tk_icount"].sort(),
  );
});

test("the input bytes are left untouched", () => {
  const copy = Uint8Array.from(original);
  instrumentForCounting(original);
  assert.deepEqual(original, copy);
});
