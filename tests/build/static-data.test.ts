// The built modules are shrinkable and their memory map is honest, checked with wabt's
// wasm-objdump as an outside reader (not our own Wasm parser): no memory.grow or memory.size,
// immutable exported __data_end/__heap_base, global 0 a mutable i32 <= __heap_base (the
// decoy WAMR takes as its aux stack pointer), few data segments, none past __heap_base; and
// the map's regions lie inside [0, __data_end) without overlapping. String literals keep their
// text (ASCII behind their rtSize, packed); the merge and export pass is checked on a tiny module.
import { test } from "vitest";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { servedBy } from "../../host-tools/src/build/op-table.ts";
import { OPS } from "../../host-tools/src/ops/catalogue.ts";
import { finishStaticData, mergeSegments, readDataSegments } from "../../host-tools/src/build/static-data-pass.ts";
import { exportedI32Constant } from "../../host-tools/src/build/module-constants.ts";
import { type MemoryMap, STRING_HEADER } from "../../host-tools/src/build/memory-map.ts";

const objdump = spawnSync("wasm-objdump", ["--version"]).error ? null : "wasm-objdump";
if (!objdump) console.warn("\n*** wasm-objdump (Debian package wabt) is missing: the static-data checks are SKIPPED ***\n");

function dump(flag: string, path: string): string {
  const r = spawnSync("wasm-objdump", [flag, path], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

for (const board of ["sim-plaque", "sim-card"]) {
  test(`${board}: no memory.grow/size, immutable __data_end/__heap_base, a decoy aux stack global first, data inside __heap_base`, { skip: !objdump }, () => {
    const wasm = firmwarePath(board);
    const code = dump("-d", wasm);
    assert.doesNotMatch(code, /memory\.(grow|size)/, "WAMR shrinks only a module without memory.grow and memory.size");
    const details = dump("-x", wasm);
    const heapBase = Number(/global\[\d+\] i32 mutable=0 <__heap_base> - init i32=(\d+)/.exec(details)?.[1]);
    const dataEnd = Number(/global\[\d+\] i32 mutable=0 <__data_end> - init i32=(\d+)/.exec(details)?.[1]);
    assert.ok(heapBase > 0 && dataEnd > 0 && dataEnd <= heapBase, `__data_end ${dataEnd} <= __heap_base ${heapBase}`);
    assert.match(details, /- global\[\d+\] -> "__heap_base"/);
    const first = /- global\[0\] i32 mutable=1 - init i32=(-?\d+)/.exec(details);
    assert.ok(first && Number(first[1]) >= 0 && Number(first[1]) <= heapBase, "global 0 is the mutable i32 WAMR takes as its stack pointer");
    const segments = [...details.matchAll(/segment\[\d+\] memory=0 size=(\d+) - init i32=(\d+)/g)].map((m) => ({ size: Number(m[1]), at: Number(m[2]) }));
    assert.ok(segments.length > 0 && segments.length <= 32, `${segments.length} data segments (merged; each costs a call in wasm2c's init_memories)`);
    for (const s of segments) assert.ok(s.at + s.size <= dataEnd, `segment at ${s.at} + ${s.size} ends inside the static data (${dataEnd})`);

    const map = JSON.parse(readFileSync(join(wasm, "..", "memory-map.json"), "utf8")) as MemoryMap;
    assert.equal(map.heapBase, heapBase);
    const regions = [...map.regions].sort((a, b) => a.offset - b.offset);
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i];
      assert.ok(r.offset + r.bytes <= map.dataEnd, `${r.owner} ${r.kind} inside the static data`);
      if (i > 0) assert.ok(regions[i - 1].offset + regions[i - 1].bytes <= r.offset, `${regions[i - 1].owner} and ${r.owner} overlap`);
    }
    // a literal as the device reads it: rtSize = 2 x length at -4, then its ASCII bytes
    const image = new Uint8Array(heapBase);
    for (const s of readDataSegments(new Uint8Array(readFileSync(wasm)))) image.set(s.data, s.offset);
    const literal = regions.find((r) => r.kind === "string" && r.text === board);
    assert.ok(literal, `the board name "${board}" is a literal in the map`);
    const ptr = literal.offset + STRING_HEADER;
    assert.equal(STRING_HEADER, 4);
    assert.equal(new DataView(image.buffer).getUint32(ptr - 4, true), board.length * 2);
    assert.equal(new TextDecoder().decode(image.subarray(ptr, ptr + board.length)), board);
  });
}

for (const board of ["sim-plaque", "sim-card"] as const) {
  test(`${board}: only its own mode's op-name and op-state tables are laid out`, () => {
    const map = JSON.parse(readFileSync(join(firmwarePath(board), "..", "memory-map.json"), "utf8")) as MemoryMap;
    const mode = loadBoard(board).mode;
    const tables = (fn: string) => map.regions.filter((r) => r.kind === "table" && r.owner === `firmware/link/op-names/${fn}`);
    // [length, name, index] per op and a 0 closing each of the 4 channels
    const namesBytes = servedBy(mode).reduce((n, op) => n + op.name.length + 2, 0) + 4;
    assert.deepEqual(
      tables("opNames").map((r) => r.bytes),
      [namesBytes],
    );
    assert.deepEqual(
      tables("opStates").map((r) => r.bytes),
      [OPS.length],
    );
  });
}

test("the pass merges segments up to 16 B apart and exports the static end as immutable globals (wasm-objdump reads them)", { skip: !objdump }, async () => {
  const { default: wabt } = await import("wabt");
  const w = await wabt();
  const mod = w.parseWat(
    "t.wat",
    `(module (memory (export "memory") 1 1) (global $g (mut i32) (i32.const 7)) (func (export "f") (result i32) global.get $g)
      (data (i32.const 16) "ab") (data (i32.const 30) "cd") (data (i32.const 100) "ef"))`,
  );
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const { wasm, report } = finishStaticData(buffer, { dataEnd: 102, heapBase: 112 });
  assert.deepEqual(report, { segmentsBefore: 3, segmentsAfter: 2, bytesBefore: 6, bytesAfter: 18 });
  const segs = readDataSegments(wasm);
  assert.deepEqual(
    segs.map((s) => [s.offset, Buffer.from(s.data).toString("latin1")]),
    [
      [16, "ab\0\0\0\0\0\0\0\0\0\0\0\0cd"],
      [100, "ef"],
    ],
  );
  assert.deepEqual(
    mergeSegments([
      { offset: 0, data: new Uint8Array(1) },
      { offset: 18, data: new Uint8Array(1) },
    ]).length,
    2,
    "17 bytes apart stay apart",
  );
  const path = join(process.env.TMPDIR ?? "/tmp", `static-data-${process.pid}.wasm`);
  (await import("node:fs")).writeFileSync(path, wasm);
  const x = dump("-x", path);
  assert.match(x, /global\[1\] i32 mutable=0 <__data_end> - init i32=102/);
  assert.match(x, /global\[2\] i32 mutable=0 <__heap_base> - init i32=112/);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>));
  assert.equal((instance.exports.f as () => number)(), 7, "the code still reads its own global");
  assert.equal((instance.exports.__heap_base as WebAssembly.Global).value, 112);
  // the reader the C shell's build uses agrees with wasm-objdump and the engine
  assert.equal(exportedI32Constant(wasm, "__heap_base"), 112);
  assert.equal(exportedI32Constant(wasm, "__data_end"), 102);
  assert.equal(exportedI32Constant(wasm, "f"), null, "a function is not a constant");
  assert.equal(exportedI32Constant(wasm, "missing"), null);
  const big = finishStaticData(buffer, { dataEnd: 40000, heapBase: 40000 }).wasm;
  assert.equal(exportedI32Constant(big, "__heap_base"), 40000, "a three-byte LEB128 constant");
});
