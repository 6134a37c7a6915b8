// Finds qemu-system-arm (Debian package qemu-system-arm) and reads symbols out of a board's
// ELF; one answer for `tapkit sim --board qemu-m4`, the bench and the tests' loud skips.
import { spawnSync } from "node:child_process";
import { nativeToolsMissing } from "../build/native-toolchain.ts";

export const QEMU_ARM = "qemu-system-arm";

/** What is missing to build and run an emulated board, in words; null when nothing is. */
export function qemuBoardToolsMissing(): string | null {
  const missing: string[] = [];
  const native = nativeToolsMissing();
  if (native) missing.push(native.replace(/^not installed: /, ""));
  if (spawnSync(QEMU_ARM, ["--version"], { stdio: "ignore" }).status !== 0) missing.push("qemu-system-arm (Debian package qemu-system-arm)");
  return missing.length ? `not installed: ${missing.join(", ")}` : null;
}

/** Addresses of global symbols in an ELF (arm-none-eabi-nm). */
export function elfSymbols(elfPath: string, names: string[]): Record<string, number> {
  const r = spawnSync("arm-none-eabi-nm", [elfPath], { encoding: "utf8" });
  const found: Record<string, number> = {};
  for (const line of (r.stdout ?? "").split("\n")) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (names.includes(name)) found[name] = parseInt(addr, 16);
  }
  const missing = names.filter((n) => !(n in found));
  if (missing.length) throw new Error(`${elfPath} lacks the symbols ${missing.join(", ")}`);
  return found;
}
