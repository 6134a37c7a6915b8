// HAL ABI v1 as data, transcribed from docs/hal-abi.md: every import the firmware may
// take from module `hal` and every export the shell calls, with exact Wasm signatures.
// The build's ABI gate checks modules against it; a board shell (the simulator) can use
// it to register exactly these natives.

export type AbiValType = "i32" | "i64";

export interface AbiFunction {
  name: string;
  /** parameter names as in docs/hal-abi.md, each with its Wasm type */
  params: readonly (readonly [name: string, type: AbiValType])[];
  results: readonly AbiValType[];
}

export const HAL_ABI_VERSION = 1;
export const HAL_IMPORT_MODULE = "hal";

const i32 = (...names: string[]) => names.map((n) => [n, "i32"] as const);

/** Imports the firmware may use (module `hal`); anything else fails the build. */
export const HAL_IMPORTS: readonly AbiFunction[] = [
  // system
  { name: "uart_write", params: i32("ptr", "len"), results: ["i32"] },
  { name: "log", params: i32("level", "ptr", "len"), results: [] },
  { name: "panic", params: i32("ptr", "len"), results: [] },
  { name: "clock_ms", params: [], results: ["i64"] },
  { name: "clock_unix", params: [], results: ["i64"] },
  { name: "random", params: i32("ptr", "len"), results: ["i32"] },
  { name: "reset", params: i32("reason"), results: [] },
  { name: "shell_version", params: i32("ptr", "cap"), results: ["i32"] },
  // flash (NOR)
  { name: "flash_geometry", params: i32("region", "out"), results: ["i32"] },
  { name: "flash_read", params: i32("region", "offset", "ptr", "len"), results: ["i32"] },
  { name: "flash_program", params: i32("region", "offset", "ptr", "len"), results: ["i32"] },
  { name: "flash_erase", params: i32("region", "page"), results: ["i32"] },
  // keystore
  { name: "ks_info", params: i32("slot"), results: ["i32"] },
  { name: "ks_generate", params: i32("slot", "alg"), results: ["i32"] },
  { name: "ks_import", params: i32("slot", "alg", "ptr", "len"), results: ["i32"] },
  { name: "ks_public_key", params: i32("slot", "out", "cap"), results: ["i32"] },
  { name: "ks_sign", params: i32("slot", "msg", "len", "out", "cap"), results: ["i32"] },
  { name: "ks_verify", params: i32("alg", "pub", "pub_len", "msg", "msg_len", "sig", "sig_len"), results: ["i32"] },
  { name: "ks_aes", params: i32("slot", "mode", "iv", "in", "len", "out"), results: ["i32"] },
  { name: "ks_cmac", params: i32("slot", "msg", "len", "out"), results: ["i32"] },
  { name: "ks_derive_cmac", params: i32("slot", "msg", "len", "dest"), results: ["i32"] },
  { name: "sha256", params: i32("ptr", "len", "out"), results: ["i32"] },
  { name: "hmac_sha256", params: i32("slot", "msg", "len", "out"), results: ["i32"] },
  // display
  { name: "display_geometry", params: i32("out"), results: ["i32"] },
  { name: "display_blit", params: i32("x", "y", "w", "h", "ptr", "len"), results: ["i32"] },
  { name: "display_refresh", params: i32("mode"), results: ["i32"] },
  // NFC
  { name: "nfc_configure", params: i32("personality", "ptr", "len"), results: ["i32"] },
];

/** Function exports the shell calls; all must be present. `memory` is required as well. */
export const HAL_EXPORTS: readonly AbiFunction[] = [
  { name: "tk_abi_version", params: [], results: ["i32"] },
  { name: "tk_init", params: i32("flags"), results: ["i32"] },
  { name: "tk_io_buffer", params: [], results: ["i32"] },
  { name: "tk_io_capacity", params: [], results: ["i32"] },
  { name: "tk_link_rx", params: i32("len"), results: [] },
  { name: "tk_tick", params: [["now_ms", "i64"]], results: [] },
  { name: "tk_nfc_field", params: i32("on"), results: [] },
  { name: "tk_nfc_apdu", params: i32("len"), results: ["i32"] },
  { name: "tk_nfc_t2t", params: i32("len"), results: ["i32"] },
];

export const HAL_MEMORY_EXPORT = "memory";

/** Canonical text of a signature, e.g. `(i32, i32) -> i32`; used in messages and build.json. */
export function signatureText(params: readonly string[], results: readonly string[]): string {
  const res = results.length === 0 ? "void" : results.length === 1 ? results[0] : `(${results.join(", ")})`;
  return `(${params.join(", ")}) -> ${res}`;
}

export function abiSignatureText(f: AbiFunction): string {
  return signatureText(f.params.map(([, t]) => t), f.results);
}
