// Reading a module or image from disk, and writing a .tki so that a crash or a full disk
// never leaves a half-written image under the final name (temp file in the same folder,
// fsync, rename).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { imageError } from "./image-error.ts";

export function readBinaryFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw imageError(
      "IMAGE_READ",
      `cannot read ${what} ${path}: ${(e as Error).message}`,
      (e as NodeJS.ErrnoException).code === "ENOENT" ? "check the path; tapkit build writes build/<board>/firmware.wasm" : "check the file's permissions",
    );
  }
}

export function writeImageFile(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw imageError("IMAGE_WRITE", `cannot write ${path}: ${(e as Error).message}`, "check that the folder exists, is writable and has free space");
  }
}
