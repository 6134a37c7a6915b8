// The asc command line for one board: fixed codegen flags (MVP-only Wasm, no env imports,
// smallest code) plus the board's constants as --use globals the firmware reads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Board, ioCapacity } from "../boards/index.ts";
import { ROOT } from "../paths.ts";

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

/**
 * Arguments for asc.main, run with ROOT as base dir. `entry` and `abortPath` are relative to
 * ROOT (asc names internal modules by that path); outputs may be absolute.
 */
export function ascArgs(board: Board, p: { entry: string; wasmOut: string; watOut: string; abortPath: string; constants: Record<string, number> }): string[] {
  return [
    p.entry,
    "-o", p.wasmOut,
    "--textFile", p.watOut,
    "-Oz",
    "--noAssert",
    "--runtime", "stub",
    "--use", `abort=${p.abortPath}`,
    "--disable", "bulk-memory,sign-extension,nontrapping-f2i,mutable-globals",
    "--initialMemory", "1",
    "--maximumMemory", String(board.memory.maxPages),
    ...Object.entries(p.constants).flatMap(([k, v]) => ["--use", `${k}=${v}`]),
    "--baseDir", ROOT,
  ];
}
