// String literals are stored on the device as ASCII bytes (host-tools/src/build/memory-map.ts):
// a literal outside ASCII must stop the build with a TapkitError that names it, and an ASCII one
// must compile to [rtId][2 x length][bytes].
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordMemoryMap } from "../../host-tools/src/build/memory-map.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";

async function compile(source: string) {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-literals-"));
  writeFileSync(join(dir, "probe.ts"), source);
  const { default: asc } = await import("assemblyscript/asc");
  const [stdout, stderr] = [asc.createMemoryStream(), asc.createMemoryStream()];
  // --baseDir is the probe's folder so the repo's asconfig.json (its abort hook is in firmware/) does not apply
  return recordMemoryMap(() => asc.main(["probe.ts", "--baseDir", dir, "--outFile", "probe.wasm", "--runtime", "stub"], { stdout, stderr }));
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

test("an ASCII literal is laid out as an 8-byte header and one byte per character", async () => {
  const { result, map } = await compile('export function f(): i32 { return "tapkit".length; }\n');
  assert.equal(result.error, null);
  const literal = map.regions.find((r) => r.kind === "string" && r.text === "tapkit");
  assert.ok(literal, "the literal is in the memory map");
  assert.equal(literal.bytes, 8 + 6);
});
