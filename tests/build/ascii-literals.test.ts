// String literals are stored on the device as ASCII bytes (host-tools/src/build/memory-map.ts):
// a literal outside ASCII must stop the build with a TapkitError that names it, and an ASCII one
// must compile to [2 x length][bytes], packed without padding, and the compiled code must read
// every literal's length and bytes back exactly.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkLiteralReaders, recordMemoryMap } from "../../host-tools/src/build/memory-map.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";

async function compile(source: string) {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-literals-"));
  writeFileSync(join(dir, "probe.ts"), source);
  const { default: asc } = await import("assemblyscript/asc");
  const [stdout, stderr] = [asc.createMemoryStream(), asc.createMemoryStream()];
  // --baseDir is the probe's folder so the repo's asconfig.json (its abort hook is in firmware/) does not apply
  const out = await recordMemoryMap(() => asc.main(["probe.ts", "--baseDir", dir, "--outFile", "probe.wasm", "--runtime", "stub"], { stdout, stderr }));
  return { ...out, wasm: () => readFileSync(join(dir, "probe.wasm")) };
}

test("a non-ASCII string literal fails the build as BUILD_COMPILE, naming the literal", async () => {
  const error = await compile('export function f(): i32 { return "caf\\u00e9".length; }\n').then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TapkitError, `expected a TapkitError, got ${String(error)}`);
  assert.equal(error.code, "BUILD_COMPILE");
  assert.match(error.message, /café/);
  assert.ok(error.hint.length > 0);
});

test("an ASCII literal is laid out as a 4-byte length and one byte per character", async () => {
  const { result, map } = await compile('export function f(): i32 { return "tapkit".length; }\n');
  assert.equal(result.error, null);
  const literal = map.regions.find((r) => r.kind === "string" && r.text === "tapkit");
  assert.ok(literal, "the literal is in the memory map");
  assert.equal(literal.bytes, 4 + 6);
});

test("literals of every length mod 4 sit back to back, unaligned, and the compiled code reads each one's length and bytes", async () => {
  // Lengths 0..9 and a long one put headers at every alignment; a duplicate must share one copy.
  const texts = ["", "a", "bc", "def", "ghij", "klmno", "pqrstu", "vwxyz01", "23456789", "store full", "x".repeat(70)];
  const cases = texts.map((t, i) => `    case ${i}: return ${JSON.stringify(t)};`).join("\n");
  const source = [
    "function pick(i: i32): string {",
    "  switch (i) {",
    cases,
    `    default: return ${JSON.stringify(texts[3])};`,
    "  }",
    "}",
    "export function len(i: i32): i32 { return pick(i).length; }",
    "export function byteAt(i: i32, j: i32): u8 { return load<u8>(changetype<usize>(pick(i)) + <usize>j); }",
    "export function ptr(i: i32): usize { return changetype<usize>(pick(i)); }",
    "",
  ].join("\n");
  const { result, map, wasm } = await compile(source);
  assert.equal(result.error, null);
  const strings = map.regions.filter((r) => r.kind === "string").sort((a, b) => a.offset - b.offset);
  assert.deepEqual(
    strings.map((r) => r.text),
    texts,
    "one region per distinct literal, in source order (the default's duplicate shares case 3's)",
  );
  for (let i = 1; i < strings.length; i++) {
    assert.equal(strings[i].offset, strings[i - 1].offset + strings[i - 1].bytes, `literal ${i} follows literal ${i - 1} without a gap`);
  }
  assert.ok(
    strings.some((r) => (r.offset + 4) % 4 !== 0),
    "some literal starts off a 4-byte boundary",
  );
  const { instance } = await WebAssembly.instantiate(wasm(), { env: { abort: () => assert.fail("probe aborted") } });
  const probe = instance.exports as { len(i: number): number; byteAt(i: number, j: number): number; ptr(i: number): number };
  texts.forEach((text, i) => {
    assert.equal(probe.ptr(i), strings[i].offset + 4, `literal ${i}'s pointer is past its length word`);
    assert.equal(probe.len(i), text.length, `length of literal ${i}`);
    const read = String.fromCharCode(...Array.from({ length: text.length }, (_, j) => probe.byteAt(i, j)));
    assert.equal(read, text, `bytes of literal ${i}`);
  });
  assert.equal(probe.ptr(texts.length), probe.ptr(3), "a repeated literal is one copy");
});

test("the build's reader check names the std calls that would read a literal wrong, and lets the length through", () => {
  const wat = [
    "call $~lib/string/String#get:length",
    "call $~lib/string/String#charCodeAt",
    "call $~lib/rt/__instanceof",
    "call $~lib/rt/common/__typeinfo",
    "call $~lib/memory/memory.copy",
  ].join("\n");
  assert.deepEqual(checkLiteralReaders(wat), ["~lib/rt/__instanceof", "~lib/rt/common/__typeinfo", "~lib/string/String#charCodeAt"]);
});
