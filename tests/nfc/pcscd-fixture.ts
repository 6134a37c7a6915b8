// Brings up the PC/SC stack for the PC/SC tests: finds pcscd and the vpcd driver (missing
// ones make the caller skip LOUDLY), takes the machine's one virtual reader (reader-lock.ts:
// test files run in parallel), starts `pcscd -f` when vpcd is not listening yet, and stops
// only the pcscd it started.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { VPCD_PORT } from "../../host-tools/src/sim/serve-pcsc.ts";
import { pcscToolsMissing } from "../../host-tools/src/pcsc/index.ts";
import { lockReader } from "./reader-lock.ts";

const VPCD_DRIVERS = [
  "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
  "/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so",
  "/usr/lib/aarch64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so",
];

export function pcscMissing(): string | null {
  if (spawnSync("sh", ["-c", "command -v pcscd"]).status !== 0) return "pcscd is not installed (Debian package pcscd)";
  if (!VPCD_DRIVERS.some((p) => existsSync(p))) return "the vpcd driver is not installed (Debian package vsmartcard-vpcd)";
  return pcscToolsMissing();
}

function vpcdListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port: VPCD_PORT });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export interface Pcscd {
  stop(): Promise<void>;
}

/** Takes the virtual reader and makes sure pcscd serves it; `stop()` gives both back. */
export async function ensurePcscd(): Promise<Pcscd> {
  const lock = await lockReader();
  if (await vpcdListening()) return { stop: () => lock.release() };
  const child: ChildProcess = spawn("pcscd", ["-f"], { stdio: "ignore" });
  for (let i = 0; i < 50 && !(await vpcdListening()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await vpcdListening())) {
    child.kill();
    await lock.release();
    throw new Error("started pcscd -f but vpcd does not listen on 127.0.0.1:35963");
  }
  return {
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
      }
      await lock.release();
    },
  };
}

/** pcscd polls the virtual reader; wait until scriptor sees the card. */
export async function settle(ms = 1200): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
