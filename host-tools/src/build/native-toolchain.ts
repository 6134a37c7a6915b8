// Finds the Debian tools a board with a C shell is built with: wasm2c and its wasm-rt.h
// (package wabt), arm-none-eabi-gcc (gcc-arm-none-eabi) and newlib-nano
// (libnewlib-arm-none-eabi). One answer for the build, the emulator runner and the tests'
// loud skips.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const ARM_GCC = "arm-none-eabi-gcc";
export const ARM_SIZE = "arm-none-eabi-size";
export const WASM2C = "wasm2c";
/** Where Debian's wabt puts the runtime header the generated code includes. */
const WASM_RT_HEADERS = ["/usr/include/wasm-rt.h", "/usr/src/wasm2c/wasm-rt.h", "/usr/local/include/wasm-rt.h"];

export const NATIVE_TOOLS_HINT = "install them (Debian/Ubuntu: apt-get install wabt gcc-arm-none-eabi libnewlib-arm-none-eabi); .ci/run does";

function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/** The wasm-rt.h matching the installed wasm2c, or null. */
export function wasmRtHeader(): string | null {
  return WASM_RT_HEADERS.find((p) => existsSync(p)) ?? null;
}

/** What is missing to build a C board shell, in words; null when everything is there. */
export function nativeToolsMissing(): string | null {
  const missing: string[] = [];
  if (!runs(WASM2C, ["--version"])) missing.push("wasm2c (Debian package wabt)");
  else if (!wasmRtHeader()) missing.push("wasm-rt.h (Debian package wabt)");
  if (!runs(ARM_GCC, ["--version"])) missing.push("arm-none-eabi-gcc (Debian package gcc-arm-none-eabi)");
  else {
    const specs = spawnSync(ARM_GCC, ["-print-file-name=nano.specs"], { encoding: "utf8" }).stdout?.trim() ?? "";
    if (!specs.includes("/")) missing.push("newlib-nano (Debian package libnewlib-arm-none-eabi)");
  }
  return missing.length ? `not installed: ${missing.join(", ")}` : null;
}
