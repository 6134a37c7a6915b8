// The ABI gates: the module may import only HAL ABI v1 functions from `hal`, with their
// exact signatures, and must export every ABI function (and `memory`) with its signature.
// Why exact: a WAMR/wasm3 port registers natives by name and signature and fails to link
// (on the device, in the field) on anything else.
import type { GateFailure } from "./build-error.ts";
import { HAL_EXPORTS, HAL_GLOBAL_EXPORTS, HAL_IMPORTS, HAL_IMPORT_MODULE, HAL_MEMORY_EXPORT, abiSignatureText } from "../abi/hal-abi.ts";
import type { WasmInterface } from "./wasm-interface.ts";

const importsByName = new Map(HAL_IMPORTS.map((f) => [f.name, f]));

export function checkImports(iface: WasmInterface): GateFailure | null {
  const problems: string[] = [];
  for (const imp of iface.imports) {
    const where = `import ${imp.module}.${imp.name}`;
    if (imp.module !== HAL_IMPORT_MODULE) {
      problems.push(`${where} (${imp.kind} ${imp.signature}) is not from module "hal"; HAL ABI v1 allows no other import module`);
      continue;
    }
    const abi = importsByName.get(imp.name);
    if (!abi || imp.kind !== "function") {
      problems.push(`${where} is not in HAL ABI v1 (docs/hal-abi.md lists ${HAL_IMPORTS.length} hal functions)`);
      continue;
    }
    const want = abiSignatureText(abi);
    if (imp.signature !== want) problems.push(`${where} has signature ${imp.signature}; HAL ABI v1 says ${want}`);
  }
  if (!problems.length) return null;
  return {
    code: "BUILD_GATE_IMPORTS",
    problems,
    hint:
      'Declare HAL functions with @external("hal", "<name>") and the exact types from docs/hal-abi.md. ' +
      "An env.abort import means abort was not routed: build with --use abort=<firmware>/hal/panic/onAbort and avoid std features that import env (trace, seed, console).",
  };
}

export function checkExports(iface: WasmInterface): GateFailure | null {
  const problems: string[] = [];
  const byName = new Map(iface.exports.map((e) => [e.name, e]));
  for (const abi of HAL_EXPORTS) {
    const got = byName.get(abi.name);
    const want = abiSignatureText(abi);
    if (!got) problems.push(`export ${abi.name} ${want} is missing`);
    else if (got.kind !== "function") problems.push(`export ${abi.name} is a ${got.kind}, HAL ABI v1 needs a function ${want}`);
    else if (got.signature !== want) problems.push(`export ${abi.name} has signature ${got.signature}; HAL ABI v1 says ${want}`);
  }
  const mem = byName.get(HAL_MEMORY_EXPORT);
  if (!mem) problems.push(`export "memory" is missing; the shell reads and writes buffers through it`);
  else if (mem.kind !== "memory") problems.push(`export "memory" is a ${mem.kind}, not a memory`);
  for (const name of HAL_GLOBAL_EXPORTS) {
    const got = byName.get(name);
    if (!got) problems.push(`export ${name} (immutable i32 global) is missing; the shell sizes linear memory from it`);
    else if (got.signature !== "global i32") problems.push(`export ${name} is a ${got.signature}, not an immutable i32 global`);
  }
  if (!problems.length) return null;
  return {
    code: "BUILD_GATE_EXPORTS",
    problems,
    hint: "Export every tk_* function from firmware/main.ts with the types in docs/hal-abi.md (i64 only for tk_tick's now_ms), and do not build with --noExportMemory.",
  };
}

/** Exports beyond the ABI do no harm to the shell but grow the image; reported, not fatal. */
export function extraExports(iface: WasmInterface): string[] {
  const known = new Set<string>([...HAL_EXPORTS.map((f) => f.name), HAL_MEMORY_EXPORT, ...HAL_GLOBAL_EXPORTS]);
  return iface.exports.filter((e) => !known.has(e.name)).map((e) => e.name);
}
