// Finds the Debian tools a board with a C shell is built with: wasm2c and its wasm-rt.h
// (package wabt), arm-none-eabi-gcc (gcc-arm-none-eabi) and newlib-nano
// (libnewlib-arm-none-eabi). One answer for the build, the emulator runner and the tests'
// loud skips.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ARM_GCC = "arm-none-eabi-gcc";
export const ARM_SIZE = "arm-none-eabi-size";
/** The wasm-rt API shells/cortex-m/wasm-rt-baremetal.c implements (Debian 12's wabt). */
export const WASM2C_VERSION = "1.0.32";
/** Where Debian's wabt puts the runtime header the generated code includes. */
const WASM_RT_HEADERS = ["/usr/include/wasm-rt.h", "/usr/src/wasm2c/wasm-rt.h", "/usr/local/include/wasm-rt.h"];

export const NATIVE_TOOLS_HINT = "install them (Debian/Ubuntu: apt-get install wabt gcc-arm-none-eabi libnewlib-arm-none-eabi); .ci/run does";

function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/**
 * The system's wasm2c (Debian's wabt), skipping node_modules/.bin: under npm scripts the npm
 * `wabt` package's wasm2c comes first on PATH, and its output needs a newer wasm-rt.h that
 * the npm package does not ship.
 */
export function wasm2cPath(): string | null {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir || dir.split("/").includes("node_modules")) continue;
    const candidate = join(dir, "wasm2c");
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The wasm-rt.h matching the installed wasm2c, or null. */
export function wasmRtHeader(): string | null {
  return WASM_RT_HEADERS.find((p) => existsSync(p)) ?? null;
}

/** What is missing to build a C board shell, in words; null when everything is there. */
export function nativeToolsMissing(): string | null {
  const missing: string[] = [];
  const wasm2c = wasm2cPath();
  const version = wasm2c ? spawnSync(wasm2c, ["--version"], { encoding: "utf8" }).stdout?.trim() : "";
  if (!wasm2c || !version) missing.push("wasm2c (Debian package wabt)");
  else if (version !== WASM2C_VERSION)
    missing.push(`wasm2c ${WASM2C_VERSION} (found ${version} at ${wasm2c}; the shell's wasm-rt implements ${WASM2C_VERSION}'s API)`);
  else if (!wasmRtHeader()) missing.push("wasm-rt.h (Debian package wabt)");
  if (!runs(ARM_GCC, ["--version"])) missing.push("arm-none-eabi-gcc (Debian package gcc-arm-none-eabi)");
  else {
    const specs = spawnSync(ARM_GCC, ["-print-file-name=nano.specs"], { encoding: "utf8" }).stdout?.trim() ?? "";
    if (!specs.includes("/")) missing.push("newlib-nano (Debian package libnewlib-arm-none-eabi)");
  }
  return missing.length ? `not installed: ${missing.join(", ")}` : null;
}
