// Reading back what `tapkit build` recorded for a board (build/<board>/build.json): the
// linear memory its module uses (__heap_base) and, for a C shell, how much of it the shell
// backs. Commands that describe a device (tapkit info) show these beside the declared
// 64 KiB page, which a maker would otherwise read as the RAM the firmware needs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD_DIR } from "../paths.ts";

export interface LinearMemoryRecord {
  board: string;
  /** the module's __heap_base: static data (the firmware allocates nothing above it) */
  used: number;
  /** bytes the C shell backs (null: no native build; a Wasm runtime backs the declared pages) */
  backed: number | null;
  /** where the figures come from */
  source: string;
}

export function readLinearMemoryRecord(board: string): LinearMemoryRecord | null {
  const source = join(BUILD_DIR, board, "build.json");
  if (!existsSync(source)) return null;
  try {
    const r = JSON.parse(readFileSync(source, "utf8"));
    const used = r?.staticData?.heapBase;
    if (r?.board !== board || typeof used !== "number") return null;
    const linear = r.native && !r.native.skipped ? r.native.sections?.linear : undefined;
    return { board, used, backed: typeof linear === "number" ? linear : null, source };
  } catch {
    return null;
  }
}
