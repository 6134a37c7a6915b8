// Files a `tapkit sim` that died hard (SIGKILL, power) may have left for its board: the pty
// link /tmp/tapkit-<board>-<pid> and the socket directory <tmp>/tapkit-<board>-<pid>-XXXXXX
// (qemu-board.ts). The next start removes those whose pid no longer runs. Only a symlink or a
// directory holding nothing but sockets is removed, so nothing a user made under such a name
// is lost.
import { lstatSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StaleSimFile {
  path: string;
  /** the tapkit process that made it, no longer running */
  pid: number;
}

/** The socket directory's name prefix for this process (mkdtemp adds six characters). */
export function simWorkDirPrefix(board: string, pid = process.pid): string {
  return join(tmpdir(), `tapkit-${board}-${pid}-`);
}

/** The default pty link path of a simulated board. */
export function defaultSimLinkPath(board: string, pid = process.pid): string {
  return `/tmp/tapkit-${board}-${pid}`;
}

export function removeStaleSimFiles(board: string): StaleSimFile[] {
  const name = new RegExp(`^tapkit-${board.replace(/[^A-Za-z0-9]/g, "\\$&")}-(\\d+)(-[A-Za-z0-9]{6})?$`);
  const removed: StaleSimFile[] = [];
  for (const dir of new Set(["/tmp", tmpdir()])) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = name.exec(entry);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || running(pid)) continue;
      const path = join(dir, entry);
      if (m[2] ? onlySockets(path) : isSymlink(path)) {
        rmSync(path, { recursive: true, force: true });
        removed.push({ path, pid });
      }
    }
  }
  return removed;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // someone else's process
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function onlySockets(path: string): boolean {
  try {
    if (!lstatSync(path).isDirectory()) return false;
    return readdirSync(path).every((f) => lstatSync(join(path, f)).isSocket());
  } catch {
    return false;
  }
}
