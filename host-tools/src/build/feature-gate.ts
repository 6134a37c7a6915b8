// The MVP feature gate: the module must validate as plain WebAssembly 1.0 (no mutable-global
// import/export, saturating conversions, sign extension, multi-value, bulk memory,
// reference types, SIMD, threads, tail calls), because the device runtimes (wasm3, WAMR
// in its small configurations) do not all implement them. Two independent validators:
// wabt.js in-process and, when installed, the Debian wabt `wasm-validate` binary; plus our
// own check for mutable globals at the boundary, which wabt 1.0.x accepts even when disabled.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wabtInit from "wabt";
import type { GateFailure } from "./build-error.ts";
import type { WasmInterface } from "./wasm-interface.ts";

export interface ValidatorVerdict {
  /** "ok", "failed", or "skipped" (validator not installed) */
  status: "ok" | "failed" | "skipped";
  detail?: string;
}

export interface FeatureReport {
  mvpOnly: boolean;
  wabtjs: ValidatorVerdict;
  wasmValidate: ValidatorVerdict;
  /** our own structural check for what wabt 1.0.x does not validate: exported or imported mutable globals */
  mutableGlobals: ValidatorVerdict;
}

function checkMutableGlobals(iface: WasmInterface): ValidatorVerdict {
  const found = [
    ...iface.imports.filter((i) => i.signature.startsWith("global mut ")).map((i) => `import ${i.module}.${i.name}`),
    ...iface.exports.filter((e) => e.signature.startsWith("global mut ")).map((e) => `export ${e.name}`),
  ];
  return found.length
    ? { status: "failed", detail: `mutable global crosses the module boundary (${found.join(", ")}); MVP allows only immutable ones` }
    : { status: "ok" };
}

/** wabt feature names, all off: what the module must validate without. */
const MVP_ONLY = {
  exceptions: false,
  mutable_globals: false,
  sat_float_to_int: false,
  sign_extension: false,
  simd: false,
  threads: false,
  function_references: false,
  multi_value: false,
  tail_call: false,
  bulk_memory: false,
  reference_types: false,
  annotations: false,
  code_metadata: false,
  gc: false,
  memory64: false,
  extended_const: false,
  relaxed_simd: false,
};

/** wabt 1.0.32 wasm-validate flags for the features it enables by default; the rest are off by default. */
export const WASM_VALIDATE_FLAGS = [
  "--disable-mutable-globals",
  "--disable-saturating-float-to-int",
  "--disable-sign-extension",
  "--disable-simd",
  "--disable-multi-value",
  "--disable-bulk-memory",
  "--disable-reference-types",
];

let wabtReady: ReturnType<typeof wabtInit> | undefined;

async function validateWithWabtJs(bytes: Uint8Array): Promise<ValidatorVerdict> {
  const wabt = await (wabtReady ??= wabtInit());
  let mod: ReturnType<Awaited<ReturnType<typeof wabtInit>>["readWasm"]> | undefined;
  try {
    mod = wabt.readWasm(bytes, { readDebugNames: false, check: true, ...MVP_ONLY });
    mod.validate();
    return { status: "ok" };
  } catch (e) {
    return { status: "failed", detail: String((e as Error).message ?? e).trim() };
  } finally {
    mod?.destroy();
  }
}

function validateWithWasmValidate(bytes: Uint8Array, wasmPath?: string): ValidatorVerdict {
  let dir: string | undefined;
  try {
    let file = wasmPath;
    if (!file) {
      dir = mkdtempSync(join(tmpdir(), "tapkit-validate-"));
      file = join(dir, "module.wasm");
      writeFileSync(file, bytes);
    }
    const run = spawnSync("wasm-validate", [...WASM_VALIDATE_FLAGS, file], { encoding: "utf8" });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
      return { status: "skipped", detail: "wasm-validate not installed (apt install wabt)" };
    if (run.error) return { status: "failed", detail: run.error.message };
    return run.status === 0 ? { status: "ok" } : { status: "failed", detail: `${run.stderr}${run.stdout}`.trim() };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs both validators; `wasmPath`, when the bytes are already on disk, saves a temp file. */
export async function checkMvpFeatures(
  bytes: Uint8Array,
  iface: WasmInterface,
  wasmPath?: string,
): Promise<{ report: FeatureReport; failure: GateFailure | null }> {
  const wabtjs = await validateWithWabtJs(bytes);
  const wasmValidate = validateWithWasmValidate(bytes, wasmPath);
  const mutableGlobals = checkMutableGlobals(iface);
  const failed = [
    ["wabt.js", wabtjs],
    ["wasm-validate", wasmValidate],
    ["the mutable-globals check", mutableGlobals],
  ].filter(([, v]) => (v as ValidatorVerdict).status === "failed") as [string, ValidatorVerdict][];
  const report: FeatureReport = { mvpOnly: failed.length === 0, wabtjs, wasmValidate, mutableGlobals };
  if (!failed.length) return { report, failure: null };
  return {
    report,
    failure: {
      code: "BUILD_GATE_FEATURES",
      problems: failed.map(([who, v]) => `not plain WebAssembly 1.0 (MVP) according to ${who}: ${v.detail}`),
      hint: "Build with --disable bulk-memory,sign-extension,nontrapping-f2i,mutable-globals and no --enable flags; avoid SIMD (v128) and memory.copy/fill intrinsics. wasm2wat shows the offending instruction.",
    },
  };
}
