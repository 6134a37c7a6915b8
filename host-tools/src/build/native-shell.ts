// The second build step of a board with a C shell (board.shell.kind "qemu"): wasm2c turns
// firmware.wasm into C (module name `fw`), arm-none-eabi-gcc compiles it with the board
// shell (shells/<name>/) and links build/<board>/firmware.elf for the board's machine, and
// arm-none-eabi-size reports flash and RAM per section. Compiling is skipped when the module,
// the shell sources, the header and the flags are the same as last time, linking when the
// link settings are too.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Board, QemuShell } from "../boards/index.ts";
import { BUILD_DIR, ROOT } from "../paths.ts";
import { buildError } from "./build-error.ts";
import { exportedI32Constant } from "./module-constants.ts";
import { packageVersion } from "./compile-flags.ts";
import { ARM_GCC, ARM_SIZE, NATIVE_TOOLS_HINT, nativeToolsMissing, wasm2cPath, wasmRtHeader } from "./native-toolchain.ts";

/** Bytes per output section of the ELF (arm-none-eabi-size -A). */
export interface NativeSections {
  text: number;
  rodata: number;
  /** initialised data: in RAM, and its initial values in flash */
  data: number;
  bss: number;
  /** the firmware's linear memory backing (shell.linearBytes, or the module's __heap_base) */
  linear: number;
  stack: number;
  noinit: number;
}

export interface NativeBuild {
  elfPath: string;
  /** true when nothing changed and the previous ELF was kept */
  reused: boolean;
  ms: number;
  sections: NativeSections;
  /** text + rodata + initial values of data (+ unwind index): what the image takes in flash */
  flash: number;
  /** data + bss + linear + stack + noinit: RAM the image reserves */
  ram: number;
  /** linearFrom: where linearBytes came from (the board file, or the module's exported __heap_base) */
  settings: { linearBytes: number; linearFrom: "board" | "__heap_base"; stackBytes: number; callDepth: number };
}

/** Builds the ELF, or throws a BUILD_NATIVE... error (BUILD_NATIVE_TOOLS when the toolchain is missing). */
export async function buildNativeShell(
  board: Board,
  shell: QemuShell,
  wasmPath: string,
  boardDir: string,
  opts: { quiet?: boolean } = {},
): Promise<NativeBuild> {
  const t0 = performance.now();
  const missing = nativeToolsMissing();
  if (missing) throw buildError("BUILD_NATIVE_TOOLS", `board ${board.name} needs the C toolchain for its ${shell.source} shell: ${missing}`, NATIVE_TOOLS_HINT);
  const shellDir = join(ROOT, shell.source);
  const sources = readdirSync(shellDir)
    .filter((f) => f.endsWith(".c"))
    .sort();
  const linkerScript = join(shellDir, `${shell.machine}.ld`);
  if (!sources.length || !existsSync(linkerScript)) {
    throw buildError(
      "BUILD_NATIVE",
      `${shell.source} has no C sources or no ${shell.machine}.ld`,
      `the board file's shell.source must name a folder like shells/cortex-m`,
    );
  }
  const settings = { ...linearBacking(board, shell, wasmPath), stackBytes: shell.stackBytes, callDepth: shell.callDepth };
  const objects = await compileCached(board, shell, wasmPath, shellDir, sources, opts);

  // Linking is cheap and carries the sizes a maker tunes (stack, linear memory backing).
  mkdirSync(boardDir, { recursive: true });
  const elfPath = join(boardDir, "firmware.elf");
  const ldflags = [
    `-mcpu=${shell.cpu}`,
    "-mthumb",
    "-nostartfiles",
    "--specs=nano.specs",
    "--specs=nosys.specs",
    "-Wl,--gc-sections",
    `-Wl,-T,${linkerScript}`,
    `-Wl,--defsym=__stack_bytes=${shell.stackBytes}`,
    `-Wl,--defsym=__linear_bytes=${settings.linearBytes}`,
    `-Wl,-Map=${join(boardDir, "firmware.map")}`,
  ];
  const linkKey = createHash("sha256").update(objects.key).update(JSON.stringify(ldflags)).update(readFileSync(linkerScript)).digest("hex");
  const stamp = join(boardDir, "firmware.elf.sha256");
  if (objects.reused && existsSync(elfPath) && existsSync(stamp) && readFileSync(stamp, "utf8") === linkKey) return summarise(elfPath, true, t0, settings);
  const linking = `${elfPath}.${process.pid}.tmp`;
  await run(ARM_GCC, [...objects.files, ...ldflags, "-o", linking], boardDir, "linking");
  renameSync(linking, elfPath);
  writeFileSync(stamp, linkKey);
  // the generated C and the objects, next to the ELF for whoever wants to read them
  const view = join(boardDir, "native");
  rmSync(view, { recursive: true, force: true });
  symlinkSync(relative(boardDir, objects.dir), view);
  return summarise(elfPath, false, t0, settings);
}

/**
 * Bytes of linear memory to back: the board file's shell.linearBytes, or else exactly the
 * module's exported `__heap_base` (static data; the firmware allocates nothing and keeps its
 * call stack on the native stack), so every access above it traps in wasm2c's bounds checks.
 */
function linearBacking(board: Board, shell: QemuShell, wasmPath: string): { linearBytes: number; linearFrom: "board" | "__heap_base" } {
  if (shell.linearBytes !== undefined) return { linearBytes: shell.linearBytes, linearFrom: "board" };
  const heapBase = exportedI32Constant(readFileSync(wasmPath), "__heap_base");
  if (heapBase === null || heapBase <= 0) {
    throw buildError(
      "BUILD_NATIVE",
      `board ${board.name}: ${wasmPath} exports no constant __heap_base, so the shell cannot tell how much linear memory to back`,
      "build the module with tapkit build (it exports __heap_base), or set shell.linearBytes in the board file",
    );
  }
  return { linearBytes: heapBase, linearFrom: "__heap_base" };
}

/**
 * wasm2c and the compiler, once per distinct module + shell sources + flags: objects live in
 * build/.native-objects/<hash>/, so a board variant that differs only in link settings (a
 * smaller linear memory, another stack size) only relinks.
 */
async function compileCached(
  board: Board,
  shell: QemuShell,
  wasmPath: string,
  shellDir: string,
  sources: string[],
  opts: { quiet?: boolean },
): Promise<{ dir: string; files: string[]; key: string; reused: boolean }> {
  const header = wasmRtHeader()!;
  const cache = join(BUILD_DIR, ".native-objects");
  const cflags = (dir: string) => compileFlags(board, shell, dir, shellDir);
  const inputs = createHash("sha256");
  inputs
    .update(readFileSync(wasmPath))
    .update(readFileSync(header))
    .update(JSON.stringify([cflags("OUT"), toolVersions()]));
  for (const f of readdirSync(shellDir).sort()) inputs.update(f).update(readFileSync(join(shellDir, f)));
  const key = inputs.digest("hex");
  const dir = join(cache, key.slice(0, 16));
  const files = ["firmware.o", ...sources.map((f) => f.replace(/\.c$/, ".o"))].map((o) => join(dir, o));
  if (existsSync(join(dir, "complete"))) return { dir, files, key, reused: true };

  // Built in a fresh folder and renamed into place, so two builds at once (test files in
  // parallel) never see each other's half-written objects.
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, `.${key.slice(0, 16)}-`));
  await run(wasm2cPath()!, [wasmPath, "-n", "fw", "-o", join(work, "firmware.c")], work, "wasm2c");
  copyFileSync(header, join(work, "wasm-rt.h"));
  // The generated code compiles alone (warnings off: they are wabt's, not ours) while the
  // shell compiles beside it with warnings on.
  const [, shellWarnings] = await Promise.all([
    run(ARM_GCC, [...cflags(work), "-w", "-c", join(work, "firmware.c"), "-o", join(work, "firmware.o")], work, "compiling the wasm2c output"),
    run(ARM_GCC, [...cflags(work), "-Wall", "-Wextra", "-c", ...sources.map((f) => join(shellDir, f))], work, `compiling ${shell.source}`),
  ]);
  if (shellWarnings && !opts.quiet) process.stderr.write(shellWarnings);
  writeFileSync(join(work, "complete"), key);
  if (existsSync(dir) && !existsSync(join(dir, "complete"))) rmSync(dir, { recursive: true, force: true }); // a broken leftover
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another build finished the same objects first
  }
  pruneCache(cache, 6);
  return { dir, files, key, reused: false };
}

/** Keeps the `keep` most recently built object sets. */
function pruneCache(cache: string, keep: number): void {
  const dirs = readdirSync(cache)
    .filter((d) => !d.startsWith("."))
    .map((d) => join(cache, d))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of dirs.slice(keep)) rmSync(old, { recursive: true, force: true });
}

function compileFlags(board: Board, shell: QemuShell, dir: string, shellDir: string): string[] {
  return [
    `-mcpu=${shell.cpu}`,
    "-mthumb",
    "-mfloat-abi=soft",
    "-Os",
    "-ffunction-sections",
    "-fdata-sections",
    // NDEBUG: the generated asserts would pull in printf. No MMU: explicit bounds checks.
    "-DNDEBUG",
    "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0",
    "-DWASM_RT_USE_STACK_DEPTH_COUNT=1",
    `-DWASM_RT_MAX_CALL_STACK_DEPTH=${shell.callDepth}`,
    `-DTK_SHELL_VERSION="${packageVersion()}"`,
    `-DTK_BOARD_NAME="${board.name}"`,
    `-DTK_HAS_DISPLAY=${board.display ? 1 : 0}`,
    `-I${dir}`,
    `-I${shellDir}`,
  ];
}

function toolVersions(): string[] {
  return [wasm2cPath()!, ARM_GCC].map((t) => spawnSync(t, ["--version"], { encoding: "utf8" }).stdout?.split("\n")[0] ?? "");
}

/** Runs a tool; resolves with its stderr (warnings), rejects with BUILD_NATIVE and the output. */
function run(cmd: string, args: string[], cwd: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (e) => reject(buildError("BUILD_NATIVE", `${what}: cannot run ${cmd}: ${e.message}`, NATIVE_TOOLS_HINT)));
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else
        reject(
          buildError(
            "BUILD_NATIVE",
            `${what} failed (${cmd} exited with ${code}):\n${out.trim().split("\n").slice(-30).join("\n")}`,
            "the board shell's C must compile with arm-none-eabi-gcc 12; see shells/cortex-m/README.md",
          ),
        );
    });
  });
}

/** Section sizes of an ELF, by the names our linker scripts use. */
export function elfSections(elfPath: string): NativeSections {
  const r = spawnSync(ARM_SIZE, ["-A", elfPath], { encoding: "utf8" });
  if (r.status !== 0) throw buildError("BUILD_NATIVE", `${ARM_SIZE} -A ${elfPath} failed: ${r.stderr}`, NATIVE_TOOLS_HINT);
  const size: Record<string, number> = {};
  for (const line of r.stdout.split("\n")) {
    const m = /^\.(\S+)\s+(\d+)\s+\d+/.exec(line.trim());
    if (m) size[m[1]] = Number(m[2]);
  }
  return {
    text: size.text ?? 0,
    rodata: (size.rodata ?? 0) + (size["ARM.exidx"] ?? 0),
    data: size.data ?? 0,
    bss: size.bss ?? 0,
    linear: size.linear ?? 0,
    stack: size.stack ?? 0,
    noinit: size.noinit ?? 0,
  };
}

function summarise(elfPath: string, reused: boolean, t0: number, settings: NativeBuild["settings"]): NativeBuild {
  const s = elfSections(elfPath);
  return {
    elfPath,
    reused,
    ms: Math.round(performance.now() - t0),
    sections: s,
    flash: s.text + s.rodata + s.data,
    ram: s.data + s.bss + s.linear + s.stack + s.noinit,
    settings,
  };
}
