// A real full disk for the tests of what happens on ENOSPC: a 64 KiB tmpfs mounted at a
// fresh folder and filled to its last block. Mounting needs root (the team machine and CI
// run as root); where it is not allowed the tests that need it skip LOUDLY.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function mountTmpfs(dir: string, size: string): boolean {
  return spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]).status === 0;
}

/** Whether this process may mount a tmpfs; warns once, naming `what` would be skipped, when not. */
export function canFillDisk(what: string): boolean {
  const probe = mkdtempSync(join(tmpdir(), "tapkit-mount-probe-"));
  const ok = mountTmpfs(probe, "4k");
  if (ok) spawnSync("umount", [probe]);
  rmSync(probe, { recursive: true, force: true });
  if (!ok) console.warn(`\n*** SKIPPING ${what}: this process may not mount a tmpfs (run as root) ***\n`);
  return ok;
}

/** A 64 KiB tmpfs filled by `filler` until writes fail with ENOSPC; unmounted when the test ends. */
export function fullDisk(t: { onTestFinished(fn: () => void): void }): { mnt: string; filler: string } {
  const mnt = mkdtempSync(join(tmpdir(), "tapkit-full-"));
  if (!mountTmpfs(mnt, "64k")) {
    rmSync(mnt, { recursive: true, force: true });
    throw new Error("cannot mount a tmpfs (check canFillDisk() first)");
  }
  t.onTestFinished(() => {
    spawnSync("umount", [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  const filler = join(mnt, "filler");
  spawnSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=1k"], { stdio: "ignore" });
  return { mnt, filler };
}
