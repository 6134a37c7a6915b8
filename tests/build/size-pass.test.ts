// The build runs Binaryen's -Oz round on asc's output (host-tools/src/build/size-pass.ts):
// checked against Debian's wasm-opt as an outside optimiser. On the shipped module wasm-opt
// -Oz finds little left (~0.2 %: the decoy global it drops, the global indices the decoy
// shifts, zero runs it would split into more data segments); without the step it finds
// ~0.7 % (sim-plaque 57,828 -> 57,427 B, sim-card 44,843 -> 44,512 B), so a build that skips
// it fails here. build.json says what the round did.
import { test } from "vitest";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import type { BuildResult } from "../../host-tools/src/build/index.ts";

const wasmOpt = spawnSync("wasm-opt", ["--version"]).error ? null : "wasm-opt";
if (!wasmOpt) console.warn("\n*** wasm-opt (Debian package binaryen) is missing: the size-pass oracle check is SKIPPED ***\n");

/** What wasm-opt -Oz could still take off the built module, as a fraction of its size. */
const LEFT_FOR_WASM_OPT = 0.0035;

for (const board of ["sim-plaque", "sim-card"]) {
  test(`${board}: build.json records the Binaryen round, and it shrank the module`, () => {
    const built = JSON.parse(readFileSync(join(firmwarePath(board), "..", "build.json"), "utf8")) as BuildResult;
    assert.deepEqual(built.optimized.levels, { optimize: 2, shrink: 2 });
    assert.ok(built.optimized.bytesAfter < built.optimized.bytesBefore, `${built.optimized.bytesBefore} -> ${built.optimized.bytesAfter} B`);
    assert.equal(built.size, statSync(firmwarePath(board)).size);
  });

  test(`${board}: Debian wasm-opt -Oz finds under ${(LEFT_FOR_WASM_OPT * 100).toFixed(2)} % left to take off`, { skip: !wasmOpt }, () => {
    const wasm = firmwarePath(board);
    const dir = mkdtempSync(join(tmpdir(), "tapkit-wasm-opt-"));
    try {
      const out = join(dir, "opt.wasm");
      const r = spawnSync("wasm-opt", ["-Oz", "--mvp-features", wasm, "-o", out], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const [before, after] = [statSync(wasm).size, statSync(out).size];
      assert.ok(before - after < before * LEFT_FOR_WASM_OPT, `wasm-opt -Oz: ${before} -> ${after} B; the build's own Binaryen round did not run?`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
