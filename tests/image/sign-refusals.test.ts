// What `sign` refuses before it writes anything: modules that fail the build gates (not
// Wasm, non-HAL imports), a key the board's keystore cannot verify, an image larger than
// the board's slots, versions and counters outside the format; and the slot budget
// (trailer reservation) per page size.
import { test } from "vitest";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Board, loadBoard } from "../../host-tools/src/boards/index.ts";
import { isBuildError } from "../../host-tools/src/build/index.ts";
import { isImageError, loadSigningKey, parseSecurityCounter, parseVersion, signImage, slotBudget } from "../../host-tools/src/image/index.ts";
import { watToWasm } from "../sim/sim-fixture.ts";
import { builtModule, COSE_ALG_EDDSA, COSE_ALG_ES256, tempDir, testKey } from "./image-fixture.ts";

const plaque = loadBoard("sim-plaque");

function boardFile(dir: string, name: string, change: (b: any) => void): Board {
  const b = structuredClone(plaque) as any;
  b.name = name;
  change(b);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(b));
  return loadBoard(file);
}

async function signCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isImageError(e) || isBuildError(e)) return e.code;
    throw e;
  }
  return "accepted";
}

test("versions are MAJOR.MINOR.PATCH of u32s; counters are u32s", () => {
  assert.deepEqual(parseVersion("0.1.0"), [0, 1, 0]);
  assert.deepEqual(parseVersion("4294967295.0.12"), [4294967295, 0, 12]);
  for (const bad of ["1.2", "1.2.3.4", "1.2.3-rc.1", "1.2.3+build", "01.2.3", "v1.2.3", "4294967296.0.0", ""]) {
    assert.throws(
      () => parseVersion(bad),
      (e: unknown) => isImageError(e) && e.code === "IMAGE_ARGUMENT",
      bad,
    );
  }
  assert.equal(parseSecurityCounter("0"), 0);
  assert.equal(parseSecurityCounter("4294967295"), 4294967295);
  for (const bad of ["-1", "4294967296", "1e3", "07", "x", ""]) {
    assert.throws(
      () => parseSecurityCounter(bad),
      (e: unknown) => isImageError(e) && e.code === "IMAGE_ARGUMENT",
      bad,
    );
  }
});

test("sign refuses modules that fail the build gates: not Wasm, a non-HAL import", async (t) => {
  const key = loadSigningKey(testKey(tempDir(t), COSE_ALG_EDDSA).keyFile);
  const module = await builtModule("sim-plaque");
  const base = { board: plaque, key, version: [1, 0, 0] as const, securityCounter: 0 };
  assert.equal(await signCode(signImage({ ...base, module })), "accepted");
  assert.equal(await signCode(signImage({ ...base, module: module.subarray(0, 1000) })), "BUILD_NOT_WASM");
  const envImport = await watToWasm(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory (export "memory") 1 1))`);
  assert.equal(await signCode(signImage({ ...base, module: envImport })), "BUILD_GATE_IMPORTS");
});

test("sign refuses a key the board cannot verify, and an image larger than the board's slots", async (t) => {
  const dir = tempDir(t);
  const module = await builtModule("sim-plaque");
  const p256Key = loadSigningKey(testKey(dir, COSE_ALG_ES256).keyFile);
  const edOnly = boardFile(dir, "ed-only", (b) => (b.keystore.algorithms = ["ed25519", "aes128"]));
  assert.equal(await signCode(signImage({ module, board: edOnly, key: p256Key, version: [1, 0, 0], securityCounter: 0 })), "IMAGE_BOARD_ALG");
  // slots sized from the module: one page short of image + trailer is refused, room for both is not
  const fit = Math.ceil((module.length + 8192 + 512) / 4096);
  const edKey = loadSigningKey(testKey(dir, COSE_ALG_EDDSA).keyFile);
  const small = boardFile(dir, "small", (b) => (b.flash.partitions[1].pages = b.flash.partitions[2].pages = fit - 2));
  assert.equal(await signCode(signImage({ module, board: small, key: edKey, version: [1, 0, 0], securityCounter: 0 })), "IMAGE_TOO_LARGE");
  const enough = boardFile(dir, "enough", (b) => (b.flash.partitions[1].pages = b.flash.partitions[2].pages = fit));
  const s = await signImage({ module, board: enough, key: edKey, version: [1, 0, 0], securityCounter: 0 });
  assert.ok(s.image.length <= fit * 4096 - 8192 && s.image.length > (fit - 2) * 4096 - 8192);
});

test("slot budget: two trailer copies of at least 4 KiB each, in whole pages", (t) => {
  const dir = tempDir(t);
  assert.deepEqual(slotBudget(plaque), { pageSize: 4096, slotBytes: 131072, trailerPages: 2, trailerBytes: 8192, maxImageBytes: 122880, maxChunks: 248 });
  // 256-byte pages: the store refuses them at load (a page must hold a whole transaction,
  // host-tools/src/boards/store-geometry.ts), so the slot arithmetic is checked on the object.
  const small = structuredClone(plaque) as any;
  small.flash.pageSize = 256;
  small.flash.partitions[1].pages = 512;
  small.flash.partitions[2].pages = 512;
  assert.throws(() => boardFile(dir, "small-pages", (b) => (b.flash = small.flash)), /pageSize must be at least/);
  assert.deepEqual(slotBudget(small), { pageSize: 256, slotBytes: 131072, trailerPages: 32, trailerBytes: 8192, maxImageBytes: 122880, maxChunks: 248 });
  const big = boardFile(dir, "big-pages", (b) => ((b.flash.pageSize = 8192), (b.flash.partitions[1].pages = 16), (b.flash.partitions[2].pages = 16)));
  assert.deepEqual(slotBudget(big), { pageSize: 8192, slotBytes: 131072, trailerPages: 2, trailerBytes: 16384, maxImageBytes: 114688, maxChunks: 504 });
});
