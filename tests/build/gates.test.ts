// The build gates over hand-written WAT modules (assembled by wabt.js, an outside
// assembler): each kind of bad firmware is refused with a message naming the problem.
import { test } from "vitest";
import assert from "node:assert/strict";
import wabtInit from "wabt";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { checkFirmwareModule, HAL_EXPORTS, type GateFailure } from "../../host-tools/src/build/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";

const wabt = await wabtInit();
const card = loadBoard("sim-card"); // memory.maxPages = 1

/** A module exporting every ABI function; parts can be swapped to break one rule at a time. */
function firmwareWat(p: { imports?: string; memory?: string; extra?: string; tickParam?: string; staticEnd?: string } = {}): string {
  const bodies: Record<string, string> = {
    tk_abi_version: "(result i32) i32.const 1",
    tk_init: "(param i32) (result i32) i32.const 0",
    tk_io_buffer: "(result i32) i32.const 1024",
    tk_io_capacity: "(result i32) i32.const 2304",
    tk_link_rx: "(param i32)",
    tk_tick: `(param ${p.tickParam ?? "i64"})`,
    tk_nfc_field: "(param i32)",
    tk_nfc_apdu: "(param i32) (result i32) i32.const 2",
    tk_nfc_t2t: "(param i32) (result i32) i32.const 1",
  };
  return `(module
    (import "hal" "panic" (func $panic (param i32 i32)))
    (import "hal" "clock_ms" (func $clock (result i64)))
    ${p.imports ?? ""}
    (memory (export "memory") ${p.memory ?? "1 1"})
    ${HAL_EXPORTS.map((f) => `(func (export "${f.name}") ${bodies[f.name]})`).join("\n    ")}
    ${p.staticEnd ?? `(global (export "__data_end") i32 (i32.const 3328)) (global (export "__heap_base") i32 (i32.const 3328))`}
    ${p.extra ?? ""})`;
}

function assemble(wat: string): Uint8Array {
  const mod = wabt.parseWat("fixture.wat", wat, { simd: true, bulk_memory: true, sign_extension: true, mutable_globals: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

async function gateError(wat: string): Promise<TapkitError & { failures: GateFailure[] }> {
  try {
    await checkFirmwareModule(assemble(wat), card);
  } catch (e) {
    assert.ok(e instanceof TapkitError, `expected a TapkitError, got ${String(e)}`);
    assert.equal(e.exitCode, 8, "build gates exit 8");
    return Object.assign(e, { failures: e.details.failures as GateFailure[] });
  }
  assert.fail("the module passed every gate but should not have");
}

test("a good module passes every gate, both validators agree", async () => {
  const check = await checkFirmwareModule(assemble(firmwareWat()), card);
  assert.equal(check.features.mvpOnly, true);
  assert.equal(check.features.wabtjs.status, "ok");
  assert.notEqual(check.features.wasmValidate.status, "failed");
  assert.deepEqual(check.iface.memory, { initial: 1, maximum: 1, imported: false });
  assert.deepEqual(
    check.iface.imports.map((i) => `${i.module}.${i.name} ${i.signature}`),
    ["hal.panic (i32, i32) -> void", "hal.clock_ms () -> i64"],
  );
  assert.deepEqual(check.extraExports, []);
});

test("an env.abort import fails the import gate, naming it", async () => {
  const e = await gateError(firmwareWat({ imports: `(import "env" "abort" (func (param i32 i32 i32 i32)))` }));
  assert.equal(e.code, "BUILD_GATE_IMPORTS");
  assert.match(e.message, /import env\.abort \(function \(i32, i32, i32, i32\) -> void\) is not from module "hal"/);
  assert.match(e.hint, /--use abort=/);
});

test("a hal import outside ABI v1 fails the import gate", async () => {
  const e = await gateError(firmwareWat({ imports: `(import "hal" "gpio_write" (func (param i32 i32)))` }));
  assert.equal(e.code, "BUILD_GATE_IMPORTS");
  assert.match(e.message, /import hal\.gpio_write is not in HAL ABI v1/);
});

test("a hal import with the wrong signature fails, showing both signatures", async () => {
  const wat = firmwareWat().replace(`(import "hal" "clock_ms" (func $clock (result i64)))`, `(import "hal" "clock_ms" (func $clock (result i32)))`);
  const e = await gateError(wat);
  assert.equal(e.code, "BUILD_GATE_IMPORTS");
  assert.match(e.message, /import hal\.clock_ms has signature \(\) -> i32; HAL ABI v1 says \(\) -> i64/);
});

test("an export with the wrong signature, or missing, fails the export gate", async () => {
  const wrong = await gateError(firmwareWat({ tickParam: "i32" }));
  assert.equal(wrong.code, "BUILD_GATE_EXPORTS");
  assert.match(wrong.message, /export tk_tick has signature \(i32\) -> void; HAL ABI v1 says \(i64\) -> void/);
  const missing = await gateError(firmwareWat().replace(`(func (export "tk_nfc_t2t")`, `(func (export "tk_nfc_t2x")`));
  assert.match(missing.message, /export tk_nfc_t2t \(i32\) -> i32 is missing/);
});

for (const [feature, body] of [
  ["SIMD", "v128.const i32x4 0 0 0 0 drop"],
  ["bulk memory", "i32.const 0 i32.const 0 i32.const 16 memory.fill"],
  ["sign extension", "i32.const 255 i32.extend8_s drop"],
] as const) {
  test(`a ${feature} instruction fails the feature gate in both validators`, async () => {
    const e = await gateError(firmwareWat({ extra: `(func $uses ${body})` }));
    assert.equal(e.code, "BUILD_GATE_FEATURES");
    assert.match(e.message, /not plain WebAssembly 1\.0 \(MVP\) according to wabt\.js/);
    const check = e.failures.find((f) => f.code === "BUILD_GATE_FEATURES")!;
    // wasm-validate is an optional outside checker; when present it must agree.
    const hasBinary = check.problems.some((p) => p.includes("according to wasm-validate"));
    const installed = (await import("node:child_process")).spawnSync("wasm-validate", ["--version"]).status === 0;
    assert.equal(hasBinary, installed);
  });
}

test("a module without the __data_end/__heap_base constants fails the export gate", async () => {
  const missing = await gateError(firmwareWat({ staticEnd: `(global (export "__data_end") i32 (i32.const 3328))` }));
  assert.match(missing.message, /export __heap_base \(immutable i32 global\) is missing/);
  const mutable = await gateError(
    firmwareWat({ staticEnd: `(global (export "__data_end") i32 (i32.const 1)) (global (export "__heap_base") (mut i32) (i32.const 16))` }),
  );
  assert.match(mutable.message, /export __heap_base is a global mut i32, not an immutable i32 global/);
});

test("an exported mutable global fails the feature gate", async () => {
  // wabt 1.0.x validators accept this even with mutable globals disabled; our own check must not.
  const e = await gateError(firmwareWat({ extra: `(global (export "counter") (mut i32) (i32.const 0))` }));
  assert.equal(e.code, "BUILD_GATE_FEATURES");
  assert.match(e.message, /mutable global crosses the module boundary \(export counter\)/);
});

test("maximum memory of 2 pages on a 1-page board fails the memory gate", async () => {
  const e = await gateError(firmwareWat({ memory: "1 2" }));
  assert.equal(e.code, "BUILD_GATE_MEMORY");
  assert.match(e.message, /linear memory maximum is 2 pages \(128 KiB\); board sim-card allows 1 page/);
  assert.match(e.hint, /--maximumMemory 1/);
});

test("memory without a declared maximum fails the memory gate", async () => {
  const e = await gateError(firmwareWat({ memory: "1" }));
  assert.equal(e.code, "BUILD_GATE_MEMORY");
  assert.match(e.message, /declares no maximum/);
});

test("several broken rules are all reported in one error", async () => {
  const e = await gateError(firmwareWat({ memory: "1", imports: `(import "env" "seed" (func (result f64)))` }));
  assert.deepEqual(
    e.failures.map((f) => f.code),
    ["BUILD_GATE_IMPORTS", "BUILD_GATE_MEMORY"],
  );
});

test("bytes that are not Wasm are refused as such", async () => {
  await assert.rejects(checkFirmwareModule(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]), card), (e: any) => e.code === "BUILD_NOT_WASM");
});
