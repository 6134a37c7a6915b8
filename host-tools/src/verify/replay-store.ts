// The verifier's replay store: the highest sequence accepted per tag, in a JSON file
// `{"<tag id>": <sequence>, ...}`. A tap is accepted only when its sequence is strictly above
// the stored one (NXP: "reject SDMReadCtr values that have been seen before or that are
// played out-of-order").
//
// Acceptance is one atomic step across processes: take the lock file, read the file as it is
// now, compare, write the new map to a temporary file, fsync it, rename it over the store,
// fsync the directory, drop the lock. Two verifiers given the same URL at the same instant:
// exactly one accepts. An older tap never overwrites a newer counter (it is refused, and the
// map written is always the one just read plus the new entry).
//
// Why a lock file: Node has no flock/fcntl, and the store must work for any number of
// short-lived CLI processes. `open(O_CREAT | O_EXCL)` is atomic on local file systems and
// NFSv3+; the lock is held for a read and a small write (milliseconds). A lock whose owner
// died is recovered: same host and its pid is gone, or older than STALE_MS (a live holder
// never takes that long). Breaking a stale lock happens under a second O_EXCL file, and only
// if the lock still holds the very owner judged stale, so two recoverers cannot remove a
// fresh lock taken in between. A holder whose lock was broken (it stalled > STALE_MS)
// notices before the rename and refuses instead of writing.
//
// A malformed store (`[]`, `null`, strings as counters, truncated JSON, an empty file) is
// refused with REPLAY_STORE_CORRUPT: trusting it would re-open old tap URLs to replay.
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { TapkitError } from "../errors/index.ts";

/** A lock older than this is taken as left behind by a dead verifier. */
export const STALE_MS = 30_000;
/** How long accept() waits for another verifier's lock before giving up. */
export const LOCK_WAIT_MS = 10_000;

const CORRUPT_HINT =
  "restore the file from a backup (or fix it to a JSON object of tag id -> counter); do not delete it or replace it with {}: an empty store accepts every old tap URL again";

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Parses and checks a store's text; throws REPLAY_STORE_CORRUPT on anything but {id: non-negative integer}. */
export function parseReplayStore(text: string, path: string): Map<string, number> {
  if (text.trim() === "") throw new TapkitError("REPLAY_STORE_CORRUPT", `replay store ${path} is empty`, CORRUPT_HINT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new TapkitError("REPLAY_STORE_CORRUPT", `replay store ${path} is not valid JSON (truncated?): ${(e as Error).message}`, CORRUPT_HINT);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const found = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    throw new TapkitError("REPLAY_STORE_CORRUPT", `replay store ${path} must hold a JSON object {"tag id": counter}, found ${found}`, CORRUPT_HINT);
  }
  const map = new Map<string, number>();
  for (const [id, counter] of Object.entries(parsed)) {
    if (typeof counter !== "number" || !Number.isSafeInteger(counter) || counter < 0) {
      throw new TapkitError(
        "REPLAY_STORE_CORRUPT",
        `replay store ${path}: tag ${JSON.stringify(id)} has counter ${JSON.stringify(counter)}; counters are non-negative integers`,
        CORRUPT_HINT,
      );
    }
    map.set(id, counter);
  }
  return map;
}

/** The refusal of a counter not above the last accepted one (this store and in-memory guards). */
export function replayRefusal(tagId: string, sequence: number, prev: number): TapkitError {
  return new TapkitError(
    "REPLAY",
    `counter ${sequence} for tag ${tagId} is not above the last accepted ${prev}`,
    "a copied or replayed tap URL; tap the genuine tag again",
  );
}

export class ReplayStore {
  readonly lockPath: string;

  /** Checks the file now, so a corrupt store is reported before any tap is verified. */
  constructor(readonly path: string) {
    this.lockPath = `${path}.lock`;
    this.snapshot();
  }

  /** The store as it is on disk now (a missing file is an empty store). Not locked: for hints such as which epochs to try. */
  snapshot(): Map<string, number> {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (e) {
      if (errno(e) === "ENOENT") return new Map();
      if (errno(e) === "EISDIR") throw new TapkitError("REPLAY_STORE_CORRUPT", `replay store ${this.path} is a directory`, "give --replay a file path");
      throw new TapkitError("REPLAY_STORE_IO", `cannot read replay store ${this.path}: ${(e as Error).message}`, "check the path and its permissions");
    }
    return parseReplayStore(text, this.path);
  }

  /** Records `sequence` for `tagId` if it is above the last accepted one, or throws REPLAY; atomic across processes. */
  accept(tagId: string, sequence: number): void {
    if (!Number.isSafeInteger(sequence) || sequence < 0)
      throw new TapkitError("BAD_INPUT", `sequence ${sequence} is not a non-negative integer`, "this looks like a bug in tapkit");
    const owner = this.lock();
    try {
      const map = this.snapshot();
      const prev = map.get(tagId);
      if (prev !== undefined && sequence <= prev) throw replayRefusal(tagId, sequence, prev);
      map.set(tagId, sequence);
      this.writeAtomically(map, owner);
    } finally {
      this.unlock(owner);
    }
  }

  private writeAtomically(map: Map<string, number>, owner: LockOwner): void {
    const tmp = `${this.path}.${process.pid}.${owner.token.slice(0, 8)}.tmp`;
    const text = JSON.stringify(Object.fromEntries(map), null, 1) + "\n";
    try {
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (!this.stillHeld(owner)) {
        throw new TapkitError(
          "REPLAY_STORE_BUSY",
          `lost the replay store lock ${this.lockPath} (this verifier stalled over ${STALE_MS / 1000} s and another took over)`,
          "verify the tap again",
        );
      }
      renameSync(tmp, this.path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // already renamed or never created
      }
      if (e instanceof TapkitError) throw e;
      throw new TapkitError(
        "REPLAY_STORE_IO",
        `cannot write replay store ${this.path}: ${(e as Error).message}`,
        "check that the directory exists, is writable and has space; the tap was not accepted",
      );
    }
    try {
      const dir = openSync(dirname(this.path), "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // some file systems refuse fsync on a directory; the rename itself is atomic
    }
  }

  private lock(): LockOwner {
    const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID() };
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      if (createExclusive(this.lockPath, JSON.stringify(owner))) return owner;
      if (this.breakIfStale()) continue;
      if (Date.now() > deadline) {
        const held = readOwner(this.lockPath);
        throw new TapkitError(
          "REPLAY_STORE_BUSY",
          `replay store ${this.path} stayed locked for ${LOCK_WAIT_MS / 1000} s${held ? ` by pid ${held.pid} on ${held.host}` : ""}`,
          `another verifier holds ${this.lockPath}; if none is running, that file is left over: delete it`,
        );
      }
      sleepMs(Math.min(20, 1 + attempt) * (0.5 + Math.random()));
    }
  }

  private stillHeld(owner: LockOwner): boolean {
    return readOwner(this.lockPath)?.token === owner.token;
  }

  private unlock(owner: LockOwner): void {
    if (!this.stillHeld(owner)) return;
    try {
      unlinkSync(this.lockPath);
    } catch {
      // gone already
    }
  }

  /** Removes the lock if its owner is dead or it is older than STALE_MS; true if it did. */
  private breakIfStale(): boolean {
    const judged = lockState(this.lockPath);
    if (!judged || !judged.stale) return false;
    const breaker = `${this.lockPath}.break`;
    if (!createExclusive(breaker, String(process.pid))) {
      // Another verifier is recovering; a breaker file only outlives its holder if that one
      // died within the few microseconds it holds it.
      const b = lockState(breaker);
      if (b && b.ageMs > STALE_MS) unlinkQuiet(breaker);
      return false;
    }
    try {
      const now = lockState(this.lockPath);
      // Still the same lock we judged (nobody broke it and re-took it meanwhile)?
      if (now && now.text === judged.text && now.ino === judged.ino) {
        unlinkQuiet(this.lockPath);
        return true;
      }
      return false;
    } finally {
      unlinkQuiet(breaker);
    }
  }
}

function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    if (errno(e) === "EEXIST") return false;
    throw new TapkitError(
      "REPLAY_STORE_IO",
      `cannot create lock file ${path}: ${(e as Error).message}`,
      "check that the replay store's directory exists and is writable",
    );
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, "utf8"));
    return typeof o?.token === "string" ? o : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === "EPERM";
  }
}

/** The lock file's text, inode and age, and whether it is stale; null if there is none. */
function lockState(path: string): { text: string; ino: number; ageMs: number; stale: boolean } | null {
  try {
    const st = statSync(path);
    const text = readFileSync(path, "utf8");
    const ageMs = Date.now() - st.mtimeMs;
    let ownerDead = false;
    try {
      const o = JSON.parse(text) as Partial<LockOwner>;
      ownerDead = o.host === hostname() && typeof o.pid === "number" && o.pid !== process.pid && !processAlive(o.pid);
    } catch {
      // being written right now (empty), or not ours: only age can make it stale
    }
    return { text, ino: st.ino, ageMs, stale: ownerDead || ageMs > STALE_MS };
  } catch (e) {
    if (errno(e) === "ENOENT") return null;
    throw e;
  }
}
