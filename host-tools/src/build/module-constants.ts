// Reads the value of an exported immutable i32 global straight from a module's bytes (no
// instantiation, nothing runs): the C shell's build backs exactly `__heap_base` bytes of
// linear memory, the end of the static data the build exports (static-data-pass.ts).
import { readWasmInterface } from "./wasm-interface.ts";

/** The constant an exported immutable i32 global is initialised with, or null if the module has none such. */
export function exportedI32Constant(wasm: Uint8Array, name: string): number | null {
  const found = readWasmInterface(wasm).exports.find((e) => e.name === name && e.kind === "global");
  return found?.value ?? null;
}
