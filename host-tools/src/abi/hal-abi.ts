// HAL ABI v1 as data: the host's one table of what crosses the Wasm boundary (docs/hal-abi.md).
// Every import the firmware may take from module `hal` (with the firmware/hal/<device>.ts
// module that declares it), every export the shell calls, and the E_* return codes. The
// build's ABI gate checks modules against it, the simulator registers exactly these natives,
// and tests compare it with docs/hal-abi.md and with the firmware's declarations.

export type AbiValType = "i32" | "i64";

/** The narrow firmware interface an import belongs to: firmware/hal/<device>.ts. */
export type HalDevice = "system" | "clock" | "random" | "uart" | "flash" | "keystore" | "display" | "nfc";

export interface AbiFunction {
  name: string;
  /** parameter names as in docs/hal-abi.md, each with its Wasm type */
  params: readonly (readonly [name: string, type: AbiValType])[];
  results: readonly AbiValType[];
}

export interface HalImport extends AbiFunction {
  device: HalDevice;
}

export const HAL_ABI_VERSION = 1;
export const HAL_IMPORT_MODULE = "hal";

const i32 = (...names: string[]) => names.map((n) => [n, "i32"] as const);

/** Imports the firmware may use (module `hal`), in docs/hal-abi.md order; anything else fails the build. */
export const HAL_IMPORTS: readonly HalImport[] = [
  // docs section "System"
  { device: "uart", name: "uart_write", params: i32("ptr", "len"), results: ["i32"] },
  { device: "system", name: "log", params: i32("level", "ptr", "len"), results: [] },
  { device: "system", name: "panic", params: i32("ptr", "len"), results: [] },
  { device: "clock", name: "clock_ms", params: [], results: ["i64"] },
  { device: "clock", name: "clock_unix", params: [], results: ["i64"] },
  { device: "random", name: "random", params: i32("ptr", "len"), results: ["i32"] },
  { device: "system", name: "reset", params: i32("reason"), results: [] },
  { device: "system", name: "shell_version", params: i32("ptr", "cap"), results: ["i32"] },
  // "Flash (NOR)"
  { device: "flash", name: "flash_geometry", params: i32("region", "out"), results: ["i32"] },
  { device: "flash", name: "flash_read", params: i32("region", "offset", "ptr", "len"), results: ["i32"] },
  { device: "flash", name: "flash_program", params: i32("region", "offset", "ptr", "len"), results: ["i32"] },
  { device: "flash", name: "flash_erase", params: i32("region", "page"), results: ["i32"] },
  // "Keystore"
  { device: "keystore", name: "ks_info", params: i32("slot"), results: ["i32"] },
  { device: "keystore", name: "ks_generate", params: i32("slot", "alg"), results: ["i32"] },
  { device: "keystore", name: "ks_import", params: i32("slot", "alg", "ptr", "len"), results: ["i32"] },
  { device: "keystore", name: "ks_public_key", params: i32("slot", "out", "cap"), results: ["i32"] },
  { device: "keystore", name: "ks_sign", params: i32("slot", "msg", "len", "out", "cap"), results: ["i32"] },
  { device: "keystore", name: "ks_verify", params: i32("alg", "pub", "pub_len", "msg", "msg_len", "sig", "sig_len"), results: ["i32"] },
  { device: "keystore", name: "ks_aes", params: i32("slot", "mode", "iv", "in", "len", "out"), results: ["i32"] },
  { device: "keystore", name: "ks_cmac", params: i32("slot", "msg", "len", "out"), results: ["i32"] },
  { device: "keystore", name: "ks_derive_cmac", params: i32("slot", "msg", "len", "dest"), results: ["i32"] },
  { device: "keystore", name: "sha256", params: i32("ptr", "len", "out"), results: ["i32"] },
  { device: "keystore", name: "hmac_sha256", params: i32("slot", "msg", "len", "out"), results: ["i32"] },
  { device: "keystore", name: "ks_unwrap", params: i32("slot", "alg", "ptr", "len", "dest"), results: ["i32"] },
  // "Display"
  { device: "display", name: "display_geometry", params: i32("out"), results: ["i32"] },
  { device: "display", name: "display_blit", params: i32("x", "y", "w", "h", "ptr", "len"), results: ["i32"] },
  { device: "display", name: "display_refresh", params: i32("mode"), results: ["i32"] },
  // "NFC"
  { device: "nfc", name: "nfc_configure", params: i32("personality", "ptr", "len"), results: ["i32"] },
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

/**
 * Immutable i32 globals the build exports (host-tools/src/build/static-data-pass.ts): the end
 * of the static data. Linear memory from __heap_base up is never touched, so a shell backs only
 * [0, __heap_base) and WAMR can shrink the instance to it (docs/porting.md).
 */
export const HAL_GLOBAL_EXPORTS = ["__data_end", "__heap_base"] as const;

/** Return codes shared by every import (docs/hal-abi.md; firmware/hal/codes.ts). */
export const HAL_ERRORS = {
  E_ARG: -1,
  E_RANGE: -2,
  E_NOR: -3,
  E_ALIGN: -4,
  E_NO_KEY: -5,
  E_ALG: -6,
  E_POLICY: -7,
  E_UNSUPPORTED: -8,
  E_BUSY: -9,
  E_IO: -10,
  E_SPACE: -11,
} as const;

export type HalErrorName = keyof typeof HAL_ERRORS;

/** Wasm parameter and result types of each import, by name (what a shell registers). */
export const HAL_IMPORT_SIGNATURES: Readonly<Record<string, { params: readonly AbiValType[]; results: readonly AbiValType[] }>> = Object.fromEntries(
  HAL_IMPORTS.map((f) => [f.name, { params: f.params.map(([, t]) => t), results: f.results }]),
);

/** Canonical text of a signature, e.g. `(i32, i32) -> i32`; used in messages and build.json. */
function signatureText(params: readonly string[], results: readonly string[]): string {
  const res = results.length === 0 ? "void" : results.length === 1 ? results[0] : `(${results.join(", ")})`;
  return `(${params.join(", ")}) -> ${res}`;
}

export function abiSignatureText(f: AbiFunction): string {
  return signatureText(
    f.params.map(([, t]) => t),
    f.results,
  );
}
