// Shared by the emulated-board tests: whether the Debian tools are there (the tests skip
// LOUDLY when not), the qemu-m4 ELF built once, and reading a running board's processes.
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { loadBoard, type Board } from "../../host-tools/src/boards/index.ts";
import { buildFirmware } from "../../host-tools/src/build/index.ts";
import { firmwareElfPath } from "../../host-tools/src/paths.ts";
import { qemuBoardToolsMissing } from "../../host-tools/src/qemu/qemu-tools.ts";

export const QEMU_BOARD = "qemu-m4";
export const qemuMissing = qemuBoardToolsMissing();
if (qemuMissing) console.warn(`\n*** SKIPPING the emulated Cortex-M4 board tests: ${qemuMissing} ***\n`);

/** The board and its ELF, building it when `npm run build` has not. */
export async function qemuBoardElf(): Promise<{ board: Board; elfPath: string }> {
  const board = loadBoard(QEMU_BOARD);
  const elfPath = firmwareElfPath(QEMU_BOARD);
  if (!existsSync(elfPath)) await buildFirmware(board, { quiet: true, requireNative: true });
  return { board, elfPath };
}

/** Child processes of `pid` running `command` (from /proc). */
export function childrenNamed(pid: number, command: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid && stat.includes(`(${command.slice(0, 15)})`)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Whether anything (a file, a directory, a dangling symlink) is at `path`. */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
