// The first line `tapkit sim` prints says what the board really started with: the DEMO
// set-up, demo keys with a blank wallet (--blank-wallet), or nothing (--blank); and
// --blank-wallet on a board without a wallet is refused with a hint.
import { test } from "vitest";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { ROOT } from "../../host-tools/src/paths.ts";
import { CLI, ensureCli, tapkit } from "./cli-helpers.ts";

/** The first stdout line of a human-mode `tapkit sim ...`, then a clean stop. */
async function firstLine(args: string[]): Promise<string> {
  ensureCli();
  const child = spawn(process.execPath, [CLI, "sim", "--no-pty", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.on("exit", (code) => reject(new Error(`tapkit sim exited with ${code}: ${stderr}`)));
  });
  child.kill("SIGTERM");
  assert.equal(await exited, 0, stderr);
  return line;
}

test("tapkit sim's first line names the set-up: DEMO wallet, blank wallet with demo keys, or blank", async () => {
  assert.equal(await firstLine(["--board", "sim-card"]), "tapkit sim: sim-card running with the DEMO set-up (demo keys, DEMO wallet)");
  const blankWallet = await firstLine(["--board", "sim-card", "--blank-wallet"]);
  assert.doesNotMatch(blankWallet, /DEMO set-up/);
  assert.match(blankWallet, /running with the DEMO keys and a blank wallet \(certify it with your issuer: tapkit issuer certify\)$/);
  assert.equal(await firstLine(["--board", "sim-card", "--blank"]), "tapkit sim: sim-card running blank (no keys, no demo set-up)");
  assert.equal(await firstLine([]), "tapkit sim: sim-plaque running with the DEMO set-up (demo keys, demo merchant)");
});

test("--blank-wallet on a plaque (no wallet) is a usage error with a hint, not silently ignored", async () => {
  const r = await tapkit(["sim", "--no-pty", "--blank-wallet", "--json"]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.json.ok, false);
  assert.match(r.json.error.message, /--blank-wallet applies to card boards; sim-plaque is a plaque/);
  assert.match(r.json.error.hint, /--blank/);
});
