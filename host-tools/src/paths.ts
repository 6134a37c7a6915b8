// Where the tapkit package lives on disk, so commands find boards/, firmware/ and build/
// whether they run from the esbuild bundle (dist/) or from source under tsx (tests).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "tapkit") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`tapkit package root not found above ${start}`);
    dir = up;
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const BOARDS_DIR = join(ROOT, "boards");
export const FIRMWARE_DIR = join(ROOT, "firmware");
export const BUILD_DIR = resolve(process.env.TAPKIT_BUILD_DIR ?? join(ROOT, "build"));

/** build/<board>/firmware.wasm */
export function firmwarePath(board: string): string {
  return join(BUILD_DIR, board, "firmware.wasm");
}

/** build/<board>/firmware.elf: boards with a C shell (the firmware compiled in by wasm2c) */
export function firmwareElfPath(board: string): string {
  return join(BUILD_DIR, board, "firmware.elf");
}
