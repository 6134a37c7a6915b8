// Voucher bundles on disk: the files a payee keeps and uploads, the folder settlement reads,
// and the plaque export that writes one file per held voucher and clears the plaque only
// once every file is durably on disk. All voucher-file I/O of the wallet goes through here;
// the durable writing itself is files/durable-write.ts.
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TapkitError } from "../errors/index.ts";
import { syncDirectory, writeFileDurably } from "../files/durable-write.ts";
import type { SettlementInput } from "./settle.ts";
import type { PlaqueAcceptor } from "./plaque-client.ts";

function osReason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** The bytes of one file named by the user (a bundle, a voucher). */
export function readVoucherFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new TapkitError("FILE_UNREADABLE", `cannot read ${path}: ${osReason(e)}`, "check the path", { path });
  }
}

/** An entry of a settlement folder that was not read, and why (a looping or dangling link, a folder). */
export interface SkippedEntry {
  name: string;
  reason: string;
}

/**
 * Every regular file in `dir`, by name, as settlement input. Entries that are not regular
 * files, or cannot be followed (ELOOP, a dangling link), are skipped and reported through
 * `onSkip`: one bad entry must not stop a settlement run.
 */
export function readVoucherDir(dir: string, onSkip: (s: SkippedEntry) => void = () => {}): SettlementInput[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new TapkitError(
      "FILE_UNREADABLE",
      `cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code}`,
      "pass the folder holding the uploaded voucher bundles",
      { path: dir },
    );
  }
  const inputs: SettlementInput[] = [];
  for (const name of names) {
    let isFile: boolean;
    try {
      isFile = statSync(join(dir, name)).isFile();
    } catch (e) {
      onSkip({ name, reason: osReason(e) });
      continue;
    }
    if (!isFile) {
      onSkip({ name, reason: "not a regular file" });
      continue;
    }
    inputs.push({ name, bytes: readVoucherFile(join(dir, name)) });
  }
  return inputs;
}

/** Writes one bundle durably (files/durable-write.ts); refuses an existing file unless `force`. */
export function writeVoucherFile(path: string, bundle: Uint8Array, opts: { force?: boolean } = {}): void {
  writeFileDurably(path, bundle, { what: "voucher bundle", option: "--out", force: opts.force });
}

/** Creates the export folder if needed and checks it can take files, before the plaque is read. */
function prepareExportDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    accessSync(dir, constants.W_OK | constants.X_OK);
    syncDirectory(dirname(resolve(dir)));
  } catch (e) {
    throw new TapkitError(
      "OUT_DIR_MISSING",
      `--out ${dir} cannot take the bundles: ${osReason(e)}`,
      "pass a folder you may write to (it is created if absent)",
      {
        path: dir,
      },
    );
  }
}

/**
 * Writes every voucher the plaque holds into `dir` (one bundle per file, for `tapkit settle`)
 * and, with `clear`, then clears the plaque: nothing is cleared before all files are on disk.
 */
export async function exportPlaqueVouchers(plaque: PlaqueAcceptor, dir: string, opts: { clear?: boolean } = {}): Promise<{ files: string[]; cleared: number }> {
  prepareExportDir(dir);
  const bundles = await plaque.exportAll();
  const stamp = Date.now().toString(36);
  const files: string[] = [];
  for (const [i, b] of bundles.entries()) {
    const f = join(dir, `plaque-${stamp}-${String(i).padStart(3, "0")}.voucher`);
    try {
      writeVoucherFile(f, b);
    } catch (e) {
      const err = e instanceof TapkitError ? e : new TapkitError("FILE_WRITE", String(e), "");
      throw new TapkitError(
        err.code,
        `${err.message}; ${files.length} of ${bundles.length} bundle(s) written, nothing cleared on the plaque`,
        `${err.hint}; the plaque still holds every voucher: export again`,
        { ...err.details, written: files.length, held: bundles.length },
        { cause: e },
      );
    }
    files.push(f);
  }
  const cleared = opts.clear ? await plaque.clear() : 0;
  return { files, cleared };
}
