// Voucher bundles on disk: the files a payee keeps and uploads, the folder settlement reads,
// and the plaque export that writes one file per held voucher and clears the plaque only
// once every file is written. All voucher-file I/O of the wallet goes through here.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TapkitError } from "../errors/index.ts";
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

/** Every regular file in `dir`, by name, as settlement input. */
export function readVoucherDir(dir: string): SettlementInput[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => statSync(join(dir, n)).isFile())
      .sort();
  } catch (e) {
    throw new TapkitError(
      "FILE_UNREADABLE",
      `cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code}`,
      "pass the folder holding the uploaded voucher bundles",
      { path: dir },
    );
  }
  return names.map((name) => ({ name, bytes: readVoucherFile(join(dir, name)) }));
}

export function writeVoucherFile(path: string, bundle: Uint8Array): void {
  writeFileSync(path, bundle);
}

/**
 * Writes every voucher the plaque holds into `dir` (one bundle per file, for `tapkit settle`)
 * and, with `clear`, then clears the plaque: nothing is cleared before all files are on disk.
 */
export async function exportPlaqueVouchers(plaque: PlaqueAcceptor, dir: string, opts: { clear?: boolean } = {}): Promise<{ files: string[]; cleared: number }> {
  const bundles = await plaque.exportAll();
  mkdirSync(dir, { recursive: true });
  const stamp = Date.now().toString(36);
  const files = bundles.map((b, i) => {
    const f = join(dir, `plaque-${stamp}-${String(i).padStart(3, "0")}.voucher`);
    writeVoucherFile(f, b);
    return f;
  });
  const cleared = opts.clear ? await plaque.clear() : 0;
  return { files, cleared };
}
