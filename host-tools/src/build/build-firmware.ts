// `tapkit build` as a library: generate the board's entry, compile it with the
// AssemblyScript compiler API, run the gates, and write build/<board>/build.json for the
// tools that come after (image signing, simulator, bench).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Board } from "../boards/index.ts";
import { BUILD_DIR, FIRMWARE_DIR, ROOT } from "../paths.ts";
import { buildError } from "./build-error.ts";
import { checkFirmwareModule } from "./check-module.ts";
import { ascArgs, boardConstants } from "./compile-flags.ts";
import { ascModulePath, entrySource } from "./entry-source.ts";
import type { FeatureReport } from "./feature-gate.ts";

export interface BuildOptions {
  /** parent of the per-board folder; default build/ (or $TAPKIT_BUILD_DIR) */
  outDir?: string;
  /** firmware source root holding board.ts, main.ts and hal/panic.ts; default firmware/ */
  firmwareRoot?: string;
  /** do not echo compiler warnings to stderr */
  quiet?: boolean;
}

export interface BuildResult {
  board: string;
  wasmPath: string;
  watPath: string;
  entryPath: string;
  size: number;
  sha256: string;
  imports: { module: string; name: string; kind: string; signature: string }[];
  exports: { name: string; kind: string; signature: string }[];
  memory: { initial: number; maximum: number };
  features: FeatureReport;
  /** the --use constants compiled in */
  constants: Record<string, number>;
  /** exports outside HAL ABI v1 (allowed) */
  extraExports: string[];
}

/** Path as asc wants it relative to ROOT (posix separators). */
function fromRoot(path: string): string {
  return relative(ROOT, path).split(sep).join("/");
}

export async function buildFirmware(board: Board, opts: BuildOptions = {}): Promise<BuildResult> {
  const dir = resolve(opts.outDir ?? BUILD_DIR, board.name);
  const firmwareRoot = resolve(opts.firmwareRoot ?? FIRMWARE_DIR);
  mkdirSync(dir, { recursive: true });

  const entryPath = join(dir, "entry.ts");
  writeFileSync(entryPath, entrySource(board.name, entryPath, firmwareRoot));
  const wasmPath = join(dir, "firmware.wasm");
  const watPath = join(dir, "firmware.wat");
  const constants = boardConstants(board);
  const argv = ascArgs(board, {
    entry: fromRoot(entryPath),
    wasmOut: wasmPath,
    watOut: watPath,
    abortPath: `${ascModulePath(ROOT, entryPath, join(firmwareRoot, "hal", "panic"))}/onAbort`,
    constants,
  });

  // loaded on first build only: the compiler takes seconds to load, and importers of this
  // package's gates and ABI tables (simulator, conformance) never need it
  const { default: asc } = await import("assemblyscript/asc");
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(argv, { stdout, stderr });
  const diagnostics = stderr.toString().trim();
  if (error) {
    throw buildError("BUILD_COMPILE", `AssemblyScript compile for board ${board.name} failed: ${error.message}\n${diagnostics}`,
      `Fix the errors above in ${isAbsolute(fromRoot(firmwareRoot)) ? firmwareRoot : fromRoot(firmwareRoot)}/; the generated entry is ${fromRoot(entryPath)}.`);
  }
  if (diagnostics && !opts.quiet) process.stderr.write(`${diagnostics}\n`);

  const bytes = new Uint8Array(readFileSync(wasmPath));
  const check = await checkFirmwareModule(bytes, board, wasmPath);
  const mem = check.iface.memory!; // the memory gate has ensured a defined memory with a maximum
  const result: BuildResult = {
    board: board.name,
    wasmPath,
    watPath,
    entryPath,
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    imports: check.iface.imports.map(({ module, name, kind, signature }) => ({ module, name, kind, signature })),
    exports: check.iface.exports.map(({ name, kind, signature }) => ({ name, kind, signature })),
    memory: { initial: mem.initial, maximum: mem.maximum! },
    features: check.features,
    constants,
    extraExports: check.extraExports,
  };
  writeFileSync(join(dir, "build.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
