// Files the user cannot afford to lose or see half-written: voucher bundles (each one is
// money the card already debited), exported plaque vouchers, issuer keys. Three rules:
// the destination is checked before the irreversible step (a card signing) so a bad --out
// fails while nothing has happened yet; bytes go to a temporary name in the same directory,
// are fsynced, renamed over the final name and the directory fsynced, so a crash or a full
// disk leaves the old state or the new, never a torn or empty file; and an existing file is
// replaced only when the caller says so (--force). Secrets are created exclusively
// (O_EXCL | O_NOFOLLOW, mode 0600), so a planted file or symlink is never written through.
import { accessSync, closeSync, constants, fchmodSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { TapkitError } from "../errors/index.ts";

export interface DestinationOptions {
  /** replace an existing regular file (never a directory, device or other special file) */
  force?: boolean;
  /** what is written, for messages: "voucher bundle" */
  what?: string;
  /** the option that named the path, for messages: "--out" */
  option?: string;
}

function osCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/**
 * Throws a usage-class TapkitError unless `path` can take a new file: its folder exists, is a
 * directory and is writable; the path itself is absent, or (with force) a regular file.
 */
export function checkDestination(path: string, opts: DestinationOptions = {}): void {
  const what = opts.what ?? "file";
  const named = opts.option ? `${opts.option} ${path}` : path;
  const dir = dirname(resolve(path));
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (e) {
    throw new TapkitError(
      "OUT_DIR_MISSING",
      `${named}: folder ${dir} does not exist (${osCode(e)})`,
      `create it first (mkdir -p ${dir}) or pick another path`,
      {
        path,
      },
    );
  }
  if (!dirStat.isDirectory()) throw new TapkitError("OUT_DIR_MISSING", `${named}: ${dir} is not a folder`, "pick a path inside an existing folder", { path });
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new TapkitError("OUT_NOT_WRITABLE", `${named}: cannot write into ${dir} (${osCode(e)})`, "pick a folder you may write to", { path });
  }
  let target;
  try {
    target = lstatSync(path);
  } catch (e) {
    if (osCode(e) === "ENOENT") return;
    throw new TapkitError("OUT_NOT_WRITABLE", `${named}: cannot inspect ${path} (${osCode(e)})`, "pick another path", { path });
  }
  if (target.isDirectory())
    throw new TapkitError(
      "OUT_IS_DIRECTORY",
      `${named} is a directory`,
      `name a file for the ${what}, e.g. ${join(path, `${what.replace(/\W+/g, "-")}.out`)}`,
      {
        path,
      },
    );
  if (!target.isFile())
    throw new TapkitError("OUT_NOT_REGULAR", `${named} is not a regular file (a device, link, socket or pipe)`, `write the ${what} to a regular file`, {
      path,
    });
  if (!opts.force)
    throw new TapkitError(
      "OUT_EXISTS",
      `${named} already exists; it is kept as it is`,
      `pick a new name, or pass --force to replace it (its ${what} would be lost)`,
      {
        path,
      },
    );
}

/** fsync a directory so a rename or a new name in it survives a power cut. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** A name beside `path` no other writer picks: .NAME.RANDOM.tmp */
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Writes `bytes` to `path` durably: checks the destination (as checkDestination), writes a
 * temporary file exclusively in the same folder (mode `mode`), fsyncs it, renames it into
 * place and fsyncs the folder. On any failure the temporary file is removed and the old
 * `path` (if any) is untouched; the error says what failed.
 */
export function writeFileDurably(path: string, bytes: Uint8Array, opts: DestinationOptions & { mode?: number } = {}): void {
  checkDestination(path, opts);
  const tmp = tempNameFor(path);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, opts.mode ?? 0o644);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    if (opts.force) renameSync(tmp, path);
    else {
      // link() refuses an existing name atomically: a file created meanwhile is kept.
      try {
        linkSync(tmp, path);
      } catch (e) {
        if (osCode(e) === "EEXIST") checkDestination(path, opts);
        throw e;
      }
      unlinkSync(tmp);
    }
    syncDirectory(dirname(resolve(path)));
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed, or never created
    }
    if (e instanceof TapkitError) throw e;
    throw new TapkitError(
      "FILE_WRITE",
      `cannot write ${opts.what ?? "file"} ${path}: ${osCode(e)}`,
      osCode(e) === "ENOSPC" ? "the disk is full: free space and run the command again" : "check the folder's permissions and free space",
      { path, osCode: osCode(e) },
      { cause: e },
    );
  }
}

/**
 * Creates a new secret file exclusively (O_EXCL | O_NOFOLLOW, mode 0600): fails if anything,
 * a file or a symlink, already has the name. The bytes are fsynced; the caller syncs the folder.
 */
export function createSecretFile(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600); // whatever the umask or the filesystem made of the create mode
    writeAll(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
