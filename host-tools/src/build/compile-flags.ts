// What asc is told for one board. asconfig.json at the repo root holds the options every
// board shares (-Oz, no asserts, stub runtime, abort routed to the firmware's panic, MVP-only
// Wasm, one initial page) and one target per board (its memory pages); the board file adds
// its constants as --use globals the firmware reads (firmware/board.ts). `tapkit build`
// writes the merged result to build/<board>/asconfig.json and compiles exactly that (then lays
// the data out, memory-map.ts and static-data-pass.ts), so the code can be rebuilt by hand:
// npx asc --config build/<board>/asconfig.json
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Board, ioCapacity, storeKeys, storePages } from "../boards/index.ts";
import { ROOT } from "../paths.ts";
import { buildError } from "./build-error.ts";
import type { TapkitError } from "../errors/index.ts";

export const ASCONFIG_PATH = join(ROOT, "asconfig.json");

/** asc options by their long names, as in an asconfig.json ("use": ["NAME=value"], ...). */
export type AscOptions = Record<string, unknown> & { use?: string[] };

export interface AsConfig {
  options: AscOptions;
  targets: Record<string, AscOptions>;
}

/** The config asc compiles for one board (entries and outputs relative to its own folder). */
export interface BoardAscConfig {
  entries: string[];
  options: AscOptions;
}

/** Integer constants compiled into the firmware, by name (the --use globals). */
export function boardConstants(board: Board, version: string = packageVersion()): Record<string, number> {
  const [major, minor, patch] = version.split(/[.+-]/).map((n) => Number.parseInt(n, 10));
  if (![major, minor, patch].every(Number.isInteger)) throw new Error(`package.json version "${version}" is not MAJOR.MINOR.PATCH`);
  return {
    BOARD_MAX_FRAME: board.link.maxFrame,
    BOARD_IO_CAPACITY: ioCapacity(board),
    BOARD_DISPLAY_W: board.display?.width ?? 0,
    BOARD_DISPLAY_H: board.display?.height ?? 0,
    BOARD_NFC_T4T: board.nfc.personalities.includes("type4") ? 1 : 0,
    BOARD_NFC_T2T: board.nfc.personalities.includes("type2") ? 1 : 0,
    BOARD_KS_SLOTS: board.keystore.slots,
    BOARD_STORE_PAGES: storePages(board),
    BOARD_STORE_KEYS: storeKeys(board),
    // the pages `info` reports: memory.size would make the module look growable to WAMR (docs/porting.md)
    BOARD_MEM_PAGES: board.memory.maxPages,
    BOARD_MODE_CARD: board.mode === "card" ? 1 : 0,
    // The 7-byte NFC UID in three parts (24 + 16 + 16 bits), each a positive i32 for asc.
    BOARD_UID_0_2: Number.parseInt(board.nfc.uid.slice(0, 6), 16),
    BOARD_UID_3_4: Number.parseInt(board.nfc.uid.slice(6, 10), 16),
    BOARD_UID_5_6: Number.parseInt(board.nfc.uid.slice(10, 14), 16),
    FW_VERSION_MAJOR: major,
    FW_VERSION_MINOR: minor,
    FW_VERSION_PATCH: patch,
  };
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A BUILD_CONFIG error: asconfig.json missing, malformed, or without what the build needs. */
export function configError(message: string, hint: string = CONFIG_HINT): TapkitError {
  return buildError("BUILD_CONFIG", message, hint);
}

const CONFIG_HINT =
  'asconfig.json holds the compiler options all boards share under "options" and one entry per board under "targets" (see the AssemblyScript compiler\'s asconfig format).';

/** Reads and shape-checks asconfig.json. */
export function readAsconfig(path: string = ASCONFIG_PATH): AsConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw configError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.options) || !isObject(doc.targets) || !Object.values(doc.targets).every(isObject)) {
    throw configError(`${path} needs an "options" object and a "targets" object of objects`);
  }
  for (const [where, opts] of [["options", doc.options], ...Object.entries(doc.targets).map(([k, v]) => [`targets.${k}`, v])] as [
    string,
    Record<string, unknown>,
  ][]) {
    if (opts.use !== undefined && !(Array.isArray(opts.use) && opts.use.every((u) => typeof u === "string" && u.includes("=")))) {
      throw configError(`${path}: ${where}.use must be a list of "NAME=value" strings`);
    }
  }
  return doc as unknown as AsConfig;
}

/** The shared options with the board's target laid over them (its `use` entries added). */
export function boardOptions(board: Board, config: AsConfig = readAsconfig()): AscOptions {
  const target = config.targets[board.name];
  if (!target) {
    throw configError(
      `asconfig.json has no target for board ${board.name}`,
      `Add "${board.name}": { "maximumMemory": ${board.memory.maxPages} } under "targets" in asconfig.json (one target per board in boards/).`,
    );
  }
  return { ...config.options, ...target, use: [...(config.options.use ?? []), ...(target.use ?? [])] };
}

/** The function asc calls on abort, as asconfig.json names it: a firmware module (ROOT-relative) and a name. */
export function abortFunction(options: AscOptions): { module: string; name: string } {
  const alias = (options.use ?? []).find((u) => u.startsWith("abort="));
  const path = alias?.slice("abort=".length) ?? "";
  const cut = path.lastIndexOf("/");
  if (cut <= 0)
    throw configError(`asconfig.json must route abort to a firmware function ("use": ["abort=firmware/<module>/<function>"]), found ${alias ?? "none"}`);
  return { module: path.slice(0, cut), name: path.slice(cut + 1) };
}

/**
 * The config asc compiles for one board, written next to the generated entry.ts: `options`
 * from boardOptions(), the constants added as --use globals, abort spelled as asc names it
 * from that entry (`abortPath`), and firmware.wasm and firmware.wat beside it.
 */
export function boardAscConfig(options: AscOptions, p: { abortPath: string; constants: Record<string, number> }): BoardAscConfig {
  const use = (options.use ?? []).filter((u) => !u.startsWith("abort="));
  return {
    entries: ["entry.ts"],
    options: {
      ...options,
      outFile: "firmware.wasm",
      textFile: "firmware.wat",
      use: [`abort=${p.abortPath}`, ...use, ...Object.entries(p.constants).map(([k, v]) => `${k}=${v}`)],
    },
  };
}
