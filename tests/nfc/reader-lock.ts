// One user of the PC/SC virtual reader at a time, across processes: pcscd and its vpcd
// reader (127.0.0.1:35963) are one per machine, and vitest runs test files in parallel.
// The lock is flock(1) on /tmp/tapkit-pcsc.lock (the lock the team wraps PC/SC commands in),
// held by a small `flock ... cat` child until we close its stdin, so a test process that
// dies releases it too. PC/SC test files hold it from before their first test to after their
// last (holdReaderForFile), so the wait is not counted against a test's timeout;
// ensurePcscd() takes it too, for tests elsewhere. When this run already sits under
// `flock /tmp/tapkit-pcsc.lock ...` (an ancestor process holds it), files of this run queue
// on a lock of their own instead of deadlocking on the ancestor's.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterAll, beforeAll } from "vitest";

export const READER_LOCK = process.env.TAPKIT_PCSC_LOCK ?? "/tmp/tapkit-pcsc.lock";

/**
 * How long a test file waits for the reader before failing. Long: on a shared machine another
 * whole test run may hold it (CI runs alone and never waits).
 */
export const READER_WAIT_S = 1800;

function processArgs(pid: number): { ppid: number; argv: string[] } | null {
  try {
    // the command name in /proc/PID/stat may hold spaces and parentheses: split after the last ")"
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { ppid, argv };
  } catch {
    return null;
  }
}

/** The pid of an ancestor `flock <READER_LOCK> ...`, if this process runs under one. */
function ancestorHolder(): number | null {
  for (let pid = process.ppid; pid > 1; ) {
    const p = processArgs(pid);
    if (!p) return null;
    if (p.argv[0]?.endsWith("flock") && p.argv.includes(READER_LOCK)) return pid;
    pid = p.ppid;
  }
  return null;
}

export interface ReaderLock {
  release(): Promise<void>;
}

// one flock child per process; lockReader() is re-entrant so a file-wide hold and each
// test's ensurePcscd() share it
let holder: { users: number; child: Promise<{ release(): Promise<void> }> } | null = null;

function takeLock(): Promise<{ release(): Promise<void> }> {
  const outer = ancestorHolder();
  const path = outer === null ? READER_LOCK : `${READER_LOCK}.run-${outer}`;
  const child = spawn("flock", ["-w", String(READER_WAIT_S), path, "-c", "echo locked; exec cat >/dev/null"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise<boolean>((resolve, reject) => {
    child.once("error", (e) => reject(new Error(`cannot run flock (util-linux) for the PC/SC reader lock: ${e.message}`)));
    createInterface({ input: child.stdout! }).once("line", () => resolve(true));
    child.once("exit", () => resolve(false));
  }).then((locked) => {
    if (!locked) {
      throw new Error(
        `the PC/SC virtual reader is busy: ${path} was held by another process for ${READER_WAIT_S} s ` +
          "(another test run or `tapkit sim --pcsc` under flock); wait for it or stop it",
      );
    }
    return {
      async release() {
        child.stdin!.end();
        await exited;
      },
    };
  });
}

/** Waits (at most READER_WAIT_S) until this process may use the virtual reader. */
export async function lockReader(): Promise<ReaderLock> {
  if (!holder) holder = { users: 0, child: takeLock() };
  const mine = holder;
  mine.users++;
  try {
    await mine.child;
  } catch (e) {
    if (holder === mine) holder = null;
    throw e;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if (--mine.users > 0) return;
      if (holder === mine) holder = null;
      await (await mine.child).release();
    },
  };
}

/**
 * Holds the reader for this whole test file (unless `skip`), taken before its first test: the
 * wait for another user does not count against any test's timeout.
 */
export function holdReaderForFile(skip: boolean): void {
  if (skip) return;
  let lock: ReaderLock | undefined;
  beforeAll(
    async () => {
      lock = await lockReader();
    },
    READER_WAIT_S * 1000 + 30_000,
  );
  afterAll(() => lock?.release());
}
