// The HAL seen from both sides of the boundary, checked against the host's one ABI table
// (host-tools/src/abi/hal-abi.ts): each firmware/hal/<device>.ts declares exactly its
// device's imports with the table's Wasm types; the E_* codes agree in the table,
// firmware/hal/codes.ts and docs/hal-abi.md; the simulator registers exactly the table's
// imports; the built modules import nothing else; and only the store takes the flash
// interface; the emulated board's chip commands and C shell use the table's imports and codes.
// (docs/hal-abi.md's import and export tables: tests/build/hal-abi.test.ts.)
import { test } from "vitest";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HAL_ERRORS, HAL_IMPORTS, abiSignatureText, type HalDevice } from "../../host-tools/src/abi/hal-abi.ts";
import { importersOf, readFirmwareGraph } from "../../host-tools/src/build/firmware-graph.ts";
import { BUILD_DIR, FIRMWARE_DIR, ROOT } from "../../host-tools/src/paths.ts";
import { buildHalImports, type HalContext } from "../../host-tools/src/sim/hal.ts";
import { CHIP_OPS } from "../../host-tools/src/sim/peripherals/chip-ops.ts";

const HAL_DIR = join(FIRMWARE_DIR, "hal");
/** The per-device interface modules; besides them hal/ holds only codes.ts and panic.ts. */
const DEVICES: HalDevice[] = ["system", "clock", "random", "uart", "flash", "keystore", "display", "nfc"];

/** `@external("hal", "x") export declare function x(a: usize, b: i32): i64;` as Wasm types. */
function declarations(file: string): { name: string; params: string[]; results: string[] }[] {
  const text = readFileSync(join(HAL_DIR, file), "utf8");
  return [...text.matchAll(/^@external\("hal", "(\w+)"\) export declare function (\w+)\(([^)]*)\): (\w+);$/gm)].map(([, ext, name, params, result]) => {
    assert.equal(ext, name, `${file}: ${name} is declared under its ABI name`);
    const wasm = (t: string) => (t === "usize" || t === "i32" ? "i32" : t);
    return {
      name,
      params: params
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => wasm(p.split(":")[1].trim())),
      results: result === "void" ? [] : [wasm(result)],
    };
  });
}

test("firmware/hal: one module per device, each declaring exactly the table's imports of that device", () => {
  assert.deepEqual(readdirSync(HAL_DIR).sort(), [...DEVICES.map((d) => `${d}.ts`), "codes.ts", "panic.ts"].sort());
  for (const device of DEVICES) {
    const want = HAL_IMPORTS.filter((f) => f.device === device).map((f) => ({ name: f.name, signature: abiSignatureText(f) }));
    const got = declarations(`${device}.ts`).map((d) => ({ name: d.name, signature: `(${d.params.join(", ")}) -> ${d.results[0] ?? "void"}` }));
    assert.ok(want.length > 0, device);
    assert.deepEqual(got, want, `firmware/hal/${device}.ts`);
  }
  assert.equal(HAL_IMPORTS.length, 29);
});

test("E_* codes: the same numbers in the table, firmware/hal/codes.ts and docs/hal-abi.md", () => {
  const firmware = Object.fromEntries(
    [...readFileSync(join(HAL_DIR, "codes.ts"), "utf8").matchAll(/^export const (E_\w+): i32 = (-\d+);$/gm)].map(([, n, v]) => [n, Number(v)]),
  );
  const doc = Object.fromEntries(
    [...readFileSync(join(ROOT, "docs", "hal-abi.md"), "utf8").matchAll(/^\| (-\d+) +\| `(E_\w+)` +\|/gm)].map(([, v, n]) => [n, Number(v)]),
  );
  assert.equal(Object.keys(HAL_ERRORS).length, 11);
  assert.deepEqual(firmware, HAL_ERRORS);
  assert.deepEqual(doc, HAL_ERRORS);
});

test("the simulator registers exactly the table's imports, and each refusal returns a table code", () => {
  const memory = new Uint8Array(64);
  const ctx = { memory: () => memory } as unknown as HalContext; // only span checks run below
  const { hal } = buildHalImports(ctx);
  assert.deepEqual(Object.keys(hal).sort(), HAL_IMPORTS.map((f) => f.name).sort());
  // an out-of-memory buffer: every import returning i32 answers E_ARG from the table
  assert.equal(hal.uart_write(60, 10), HAL_ERRORS.E_ARG);
  assert.equal(hal.sha256(0, 100, 0), HAL_ERRORS.E_ARG);
});

test("the built firmware imports only table functions, with the table's signatures", () => {
  const table = new Map(HAL_IMPORTS.map((f) => [f.name, abiSignatureText(f)]));
  for (const board of ["sim-plaque", "sim-card"]) {
    const build = JSON.parse(readFileSync(join(BUILD_DIR, board, "build.json"), "utf8")) as { imports: { module: string; name: string; signature: string }[] };
    assert.ok(build.imports.length >= 15, board);
    for (const imp of build.imports) {
      assert.equal(imp.module, "hal", `${board}: ${imp.name}`);
      assert.equal(imp.signature, table.get(imp.name), `${board}: hal.${imp.name}`);
    }
  }
});

test("only the store (firmware/store/**) takes the flash interface; nothing imports a HAL module by another path", () => {
  const graph = readFirmwareGraph(FIRMWARE_DIR);
  const flashUsers = importersOf(graph, "hal/flash");
  assert.ok(flashUsers.length > 0, "the store reaches flash");
  for (const m of flashUsers) assert.match(m, /^store\//, `${m} imports hal/flash`);
  const halTargets = new Set([...graph.imports.values()].flat().filter((d) => d.startsWith("hal/")));
  for (const d of halTargets) assert.ok(DEVICES.includes(d.slice(4) as HalDevice) || d === "hal/codes" || d === "hal/panic", `import of ${d}`);
});

test("the emulated board (qemu-m4) carries table imports with their arity, and its C shell's E_* codes are the table's", () => {
  const table = new Map(HAL_IMPORTS.map((f) => [f.name, f]));
  // how many import parameters each wire argument of the peripheral protocol stands for
  const width = { u32: 1, in: 2, "in-ptr": 1, out: 2, "out-ptr": 1 } as const;
  const carried = CHIP_OPS.filter((o) => o.hal !== null);
  assert.ok(carried.length >= 15);
  for (const op of carried) {
    const f = table.get(op.hal!);
    assert.ok(f, `${op.macro} carries ${op.hal}, which is not a HAL ABI v1 import`);
    assert.equal(
      op.args.reduce((n, a) => n + width[a], 0),
      f!.params.length,
      `${op.macro}: ${op.args.join(", ")} vs ${f!.name}'s ${f!.params.length} parameters`,
    );
  }
  const shell = readdirSync(join(ROOT, "shells", "cortex-m")).filter((f) => /\.[ch]$/.test(f));
  const defines = shell.flatMap((f) => [...readFileSync(join(ROOT, "shells", "cortex-m", f), "utf8").matchAll(/^#define (E_\w+) \((-\d+)\)$/gm)]);
  assert.ok(defines.length > 0, "the C shell names its HAL codes");
  for (const [, name, value] of defines) assert.equal(Number(value), HAL_ERRORS[name as keyof typeof HAL_ERRORS], `${name} in shells/cortex-m`);
});
