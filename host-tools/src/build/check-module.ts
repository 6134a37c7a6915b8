// Runs every build gate over a compiled module and either returns what the module is
// (interface, feature verdicts) or throws one BUILD_... TapkitError listing every failed gate.
import type { Board } from "../boards/index.ts";
import { checkExports, checkImports, extraExports } from "./abi-gate.ts";
import { buildError, gateFailuresError, type GateFailure } from "./build-error.ts";
import { type FeatureReport, checkMvpFeatures } from "./feature-gate.ts";
import { checkMemoryBudget } from "./memory-gate.ts";
import { type WasmInterface, readWasmInterface } from "./wasm-interface.ts";
import { isTapkitError } from "../errors/index.ts";

export interface ModuleCheck {
  iface: WasmInterface;
  features: FeatureReport;
  /** exports outside HAL ABI v1: allowed, but worth a look */
  extraExports: string[];
}

/** Gates: imports, exports, MVP features, memory budget. `wasmPath` is only used to skip a temp file. */
export async function checkFirmwareModule(bytes: Uint8Array, board: Board, wasmPath?: string): Promise<ModuleCheck> {
  let iface: WasmInterface;
  try {
    // WebAssembly.Module rejects anything a conforming engine would; our reader then
    // supplies the signatures the JS API does not expose.
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    iface = readWasmInterface(bytes);
  } catch (e) {
    const why = isTapkitError(e, "WASM_FORMAT") || e instanceof WebAssembly.CompileError ? e.message : String(e);
    throw buildError(
      "BUILD_NOT_WASM",
      `module for board ${board.name} is not a valid WebAssembly binary: ${why}`,
      "Rebuild with tapkit build; if the file was copied or downloaded, check it was not truncated.",
    );
  }
  const { report, failure: featureFailure } = await checkMvpFeatures(bytes, iface, wasmPath);
  const failures = [checkImports(iface), checkExports(iface), featureFailure, checkMemoryBudget(iface, board)].filter((f): f is GateFailure => f !== null);
  if (failures.length) throw gateFailuresError(board.name, failures);
  return { iface, features: report, extraExports: extraExports(iface) };
}
