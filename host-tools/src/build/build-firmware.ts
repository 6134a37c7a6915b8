// `tapkit build` as a library: generate the board's entry, compile it with the
// AssemblyScript compiler API, run the gates, and write build/<board>/build.json for the
// tools that come after (image signing, simulator, bench).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { type Board, qemuShell } from "../boards/index.ts";
import { BUILD_DIR, FIRMWARE_DIR, ROOT } from "../paths.ts";
import { buildError, gateFailuresError, isBuildError } from "./build-error.ts";
import { checkFirmwareModule } from "./check-module.ts";
import { checkSlotFit } from "./slot-gate.ts";
import { abortFunction, type AscOptions, type AsConfig, boardAscConfig, boardConstants, boardOptions, configError, readAsconfig } from "./compile-flags.ts";
import { ascModulePath, entrySource } from "./entry-source.ts";
import type { FeatureReport } from "./feature-gate.ts";
import { buildNativeShell, type NativeBuild } from "./native-shell.ts";
import { syncOpTable } from "./op-table.ts";
import { checkLiteralReaders, type MemoryMap, recordMemoryMap } from "./memory-map.ts";
import { shrinkModule, type SizePassReport } from "./size-pass.ts";
import { finishStaticData, type PassReport, withStackPointerFirst } from "./static-data-pass.ts";
import type { OpSpec } from "../ops/schema.ts";

export interface BuildOptions {
  /** parent of the per-board folder; default build/ (or $TAPKIT_BUILD_DIR) */
  outDir?: string;
  /** firmware source root holding board.ts, main.ts and hal/panic.ts; default firmware/ */
  firmwareRoot?: string;
  /** compiler options and per-board targets; default asconfig.json at the repo root */
  asconfig?: string;
  /** do not echo compiler warnings to stderr */
  quiet?: boolean;
  /** the op catalogue the dispatch table is generated from; default host-tools/src/ops/catalogue.ts */
  ops?: readonly OpSpec[];
  /**
   * Boards with a C shell: fail when the C toolchain is missing, instead of warning and
   * building the .wasm only (the default, so `npm run build` works without it).
   */
  requireNative?: boolean;
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
  /** the static data: where it ends and what lies in it (also build/<board>/memory-map.json) */
  staticData: MemoryMap & { dataSegments: PassReport };
  /** Binaryen's -Oz round on asc's output, before the static-data pass: module bytes before and after */
  optimized: SizePassReport;
  /** boards with a C shell: the ELF (build/<board>/firmware.elf) and its sizes, or why it was not built */
  native?: NativeBuild | { skipped: string };
}

/** Path as asc wants it relative to ROOT (posix separators). */
function fromRoot(path: string): string {
  return relative(ROOT, path).split(sep).join("/");
}

/** What a compile wrote: the generated entry, the asc config (build/<board>/asconfig.json) and the outputs. */
interface Compiled {
  dir: string;
  entryPath: string;
  wasmPath: string;
  watPath: string;
  constants: Record<string, number>;
  /** the static regions asc laid out */
  map: MemoryMap;
}

/**
 * Writes the board's entry and asc config (asconfig.json's shared options and the board's
 * target, the board's constants, this layout's paths) and runs asc on that config, plus
 * `extraArgs`.
 */
async function compileFirmware(board: Board, opts: BuildOptions, extraArgs: string[]): Promise<Compiled> {
  const dir = resolve(opts.outDir ?? BUILD_DIR, board.name);
  const firmwareRoot = resolve(opts.firmwareRoot ?? FIRMWARE_DIR);
  mkdirSync(dir, { recursive: true });
  // The firmware dispatches ops from tables generated from the catalogue: bring them up to date first.
  const regenerated = syncOpTable(firmwareRoot, opts.ops);
  if (regenerated.length && !opts.quiet) process.stderr.write(`op table regenerated from the catalogue: ${regenerated.map((m) => `${m}.ts`).join(", ")}\n`);

  const entryPath = join(dir, "entry.ts");
  writeFileSync(entryPath, entrySource(board.name, entryPath, firmwareRoot));
  const wasmPath = join(dir, "firmware.wasm");
  const watPath = join(dir, "firmware.wat");
  const constants = boardConstants(board);
  const asconfig = readAsconfig(opts.asconfig);
  const options = boardOptions(board, asconfig);
  const configPath = join(dir, "asconfig.json");
  writeFileSync(configPath, `${JSON.stringify(boardAscConfig(options, { abortPath: abortPathFor(options, entryPath, firmwareRoot), constants }), null, 2)}\n`);

  // loaded on first build only: the compiler takes seconds to load, and importers of this
  // package's gates and ABI tables (simulator, conformance) never need it
  const { default: asc, options: ascOptions } = await import("assemblyscript/asc");
  checkOptionNames(ascOptions, board, asconfig);
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const {
    result: { error },
    map,
  } = await recordMemoryMap(() => asc.main(["--config", configPath, "--baseDir", ROOT, ...extraArgs], { stdout, stderr }));
  const diagnostics = stderr.toString().trim();
  if (error) {
    throw buildError(
      "BUILD_COMPILE",
      `AssemblyScript compile for board ${board.name} failed: ${error.message}\n${diagnostics}`,
      `Fix the errors above in ${isAbsolute(fromRoot(firmwareRoot)) ? firmwareRoot : fromRoot(firmwareRoot)}/; the generated entry is ${fromRoot(entryPath)}.`,
    );
  }
  if (diagnostics && !opts.quiet) process.stderr.write(`${diagnostics}\n`);
  return { dir, entryPath, wasmPath, watPath, constants, map };
}

/**
 * asconfig.json names abort's module as it lies in the shipped tree (firmware/...); this
 * compile may take another firmware root from an entry elsewhere, and asc spells a module by
 * the path it took to reach it.
 */
function abortPathFor(options: AscOptions, entryPath: string, firmwareRoot: string): string {
  const abort = abortFunction(options);
  const inFirmware = relative(FIRMWARE_DIR, join(ROOT, abort.module));
  if (inFirmware.startsWith("..") || isAbsolute(inFirmware)) {
    throw configError(
      `asconfig.json routes abort to ${abort.module}/${abort.name}, outside firmware/`,
      'Point "use": ["abort=firmware/<module>/<function>"] at the firmware\'s panic handler.',
    );
  }
  return `${ascModulePath(ROOT, entryPath, join(firmwareRoot, inFirmware))}/${abort.name}`;
}

/** asc ignores option names it does not know; a typo in asconfig.json must not pass silently. */
function checkOptionNames(known: object, board: Board, config: AsConfig): void {
  const unknown = [...Object.keys(config.options), ...Object.keys(config.targets[board.name] ?? {})].filter((k) => !(k in known));
  if (unknown.length > 0) {
    throw configError(
      `asconfig.json names compiler options asc does not know: ${unknown.join(", ")}`,
      "Use asc's long option names (npx asc --help), e.g. shrinkLevel, noAssert, maximumMemory.",
    );
  }
}

export async function buildFirmware(board: Board, opts: BuildOptions = {}): Promise<BuildResult> {
  const { dir, entryPath, wasmPath, watPath, constants, map } = await compileFirmware(board, opts, []);
  const readers = checkLiteralReaders(readFileSync(watPath, "utf8"));
  if (readers.length) {
    throw buildError(
      "BUILD_COMPILE",
      `board ${board.name}: the firmware calls ${readers.join(", ")}, which reads UTF-16 or an object header, but string literals are a length and ASCII bytes on the device`,
      "Read a literal's characters with textByte(s, i) from firmware/lib/text.ts (s.length is still its length).",
    );
  }
  // optimise first: Binaryen would drop the decoy global the static-data pass adds
  const shrunk = await shrinkModule(new Uint8Array(readFileSync(wasmPath)));
  const finished = finishStaticData(await withStackPointerFirst(shrunk.wasm, map.heapBase), map);
  const bytes = finished.wasm;
  writeFileSync(wasmPath, bytes);
  const staticData = { ...map, dataSegments: finished.report };
  writeFileSync(join(dir, "memory-map.json"), `${JSON.stringify(staticData, null, 1)}\n`);

  const check = await checkFirmwareModule(bytes, board, wasmPath);
  const slot = checkSlotFit(bytes.length, board);
  if (slot) throw gateFailuresError(board.name, [slot]);
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
    staticData,
    optimized: shrunk.report,
  };
  const shell = qemuShell(board);
  if (shell) result.native = await buildNative(board, shell, wasmPath, dir, opts);
  writeFileSync(join(dir, "build.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

async function buildNative(
  board: Board,
  shell: NonNullable<ReturnType<typeof qemuShell>>,
  wasmPath: string,
  dir: string,
  opts: BuildOptions,
): Promise<BuildResult["native"]> {
  try {
    return await buildNativeShell(board, shell, wasmPath, dir, { quiet: opts.quiet });
  } catch (e) {
    if (!isBuildError(e) || e.code !== "BUILD_NATIVE_TOOLS" || opts.requireNative) throw e;
    process.stderr.write(`\n*** ${board.name}: built ${fromRoot(wasmPath)} but NOT its ELF: ${e.message}\n*** ${e.hint}\n\n`);
    return { skipped: e.message };
  }
}

/** Every .ts module under the firmware root (declaration files aside). */
function firmwareModules(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => join(root, f));
}

/**
 * Typechecks the firmware for one board without building it: asc with the board's config,
 * no optimisation, no output, and every firmware module as an entry. A build compiles only
 * what the entry reaches, so an exported function nothing calls yet is never checked there;
 * here it is. (asc still skips unexported functions and classes nothing uses.) Memory is left
 * unbounded: with every module in, static data outgrows a board's pages. Throws
 * BUILD_COMPILE with the diagnostics; warnings are not reported.
 */
export async function typecheckFirmware(board: Board, opts: Omit<BuildOptions, "quiet"> = {}): Promise<void> {
  const modules = firmwareModules(resolve(opts.firmwareRoot ?? FIRMWARE_DIR));
  // --disableWarning last: given no code it disables all warnings, but it would take a path as its code
  await compileFirmware(board, { ...opts, quiet: true }, [...modules, "--noEmit", "-O0", "--initialMemory", "0", "--maximumMemory", "0", "--disableWarning"]);
}
