// `tapkit build` as a library: compile one firmware per board and gate it against HAL ABI v1.
export { buildFirmware, typecheckFirmware, type BuildOptions, type BuildResult } from "./build-firmware.ts";
export { checkFirmwareModule, type ModuleCheck } from "./check-module.ts";
export { buildError, gateFailuresError, isBuildError, BUILD_ERROR_CODES, type BuildErrorCode, type GateFailure } from "./build-error.ts";
export { boardConstants, packageVersion } from "./compile-flags.ts";
export { entrySource } from "./entry-source.ts";
export { readWasmInterface, type WasmInterface, type WasmImport, type WasmExport } from "./wasm-interface.ts";
export { HAL_ABI_VERSION, HAL_EXPORTS, HAL_IMPORTS, HAL_IMPORT_MODULE, type AbiFunction, abiSignatureText } from "../abi/hal-abi.ts";
export type { FeatureReport, ValidatorVerdict } from "./feature-gate.ts";
export { summariseMemoryMap, type MemoryMap, type MemoryRegion, type MapSummaryLine } from "./memory-map.ts";
