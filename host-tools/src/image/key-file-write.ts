// Writes a new key file without ever writing through a symlink or over a file by accident:
// created with O_CREAT|O_EXCL|O_NOFOLLOW (an attacker's planted link, even a dangling one,
// makes the open fail instead of redirecting a private key), mode fixed with fchmod
// (umask cannot widen it), synced before close. --force replaces only a regular file.
import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { imageError } from "./image-error.ts";

export interface NewFileOptions {
  mode: number;
  /** replace an existing regular file (never a symlink, directory or device) */
  force?: boolean;
}

/** Throws KEY_EXISTS / KEY_SYMLINK if `path` may not be written; returns whether a file is there to replace. */
export function checkWritable(path: string, force = false): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  if (st.isSymbolicLink())
    throw imageError(
      "KEY_SYMLINK",
      `${path} is a symbolic link; refusing to write a key through it`,
      "remove the link (or choose another path) and check who planted it; keys are never written through links, even with --force",
    );
  if (!force)
    throw imageError(
      "KEY_EXISTS",
      `${path} already exists; refusing to overwrite a key`,
      "choose another path, or pass --force if you really mean to destroy the old key (images signed with it will no longer have a private key)",
    );
  if (!st.isFile()) throw imageError("KEY_EXISTS", `${path} exists and is not a regular file`, "choose another path");
  return true;
}

export function writeNewFile(path: string, data: string | Uint8Array, opts: NewFileOptions): void {
  if (checkWritable(path, opts.force)) unlinkSync(path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, opts.mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // something appeared between the check and the open: report what it is
    if (code === "EEXIST" || code === "ELOOP") checkWritable(path, false);
    throw imageError("KEY_WRITE", `cannot create ${path}: ${(e as Error).message}`, "check that the directory exists and is writable");
  }
  try {
    fchmodSync(fd, opts.mode);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(path);
    throw imageError("KEY_WRITE", `writing ${path} failed: ${(e as Error).message}`, "check free space and permissions, then run the command again");
  }
  closeSync(fd);
}
