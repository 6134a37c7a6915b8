// Serves the device's UART as a pseudo-terminal, so serialport (or screen, or a POS app)
// opens it like a USB-serial adapter: socat links a PTY to our TCP port. socat exits when
// the client closes the PTY, so we start it again and the path is there for the next open.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { TapkitError } from "../errors/index.ts";
import { forgetPath, forgetProcess, guardPath, guardProcess } from "./orphan-guard.ts";

export interface PtyUartServer {
  readonly path: string;
  /** socat processes started so far (1 + respawns) */
  readonly starts: number;
  /** resolves once the PTY path exists (again) */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const SOCAT_MISSING_HINT = "install socat (Debian/Ubuntu: apt-get install socat), or serve TCP only (tapkit sim --no-pty)";

export function socatAvailable(): boolean {
  return !spawnSync("socat", ["-V"], { stdio: "ignore" }).error;
}

export async function servePty(options: { path: string; tcpPort: number; tcpHost?: string }): Promise<PtyUartServer> {
  if (!socatAvailable()) throw new TapkitError("SIM_NO_SOCAT", "socat is not installed; it provides the simulator's pseudo-terminal", SOCAT_MISSING_HINT);
  const { path, tcpPort } = options;
  const tcpHost = options.tcpHost ?? "127.0.0.1";
  let child: ChildProcess | null = null;
  let closed = false;
  let starts = 0;
  let lastError = "";

  const start = () => {
    starts++;
    // wait-slave: socat connects to our TCP port only once a client opens the PTY, so every
    // open is a fresh TCP connection (which replaces any stale one on our side).
    const proc = spawn("socat", [`pty,raw,echo=0,link=${path},wait-slave,pty-interval=0.01`, `tcp:${tcpHost}:${tcpPort}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child = proc;
    guardProcess(proc.pid);
    proc.stderr!.on("data", (d: Buffer) => (lastError = d.toString().trim()));
    proc.on("exit", () => {
      forgetProcess(proc.pid);
      if (child === proc) child = null;
      if (!closed) setTimeout(() => !closed && !child && start(), 20);
    });
  };

  const ready = async (timeoutMs = 3000) => {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(path)) {
      if (closed) throw new TapkitError("SIM_PTY_CLOSED", "the PTY server was closed", "start the simulator again");
      if (Date.now() > deadline)
        throw new TapkitError(
          "SIM_PTY_START",
          `socat did not create ${path}${lastError ? `: ${lastError}` : ""}`,
          "check that the directory exists and is writable, and that no other process owns the path",
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  // socat removes its link when it is stopped, not when it is killed
  guardPath(path, "link");
  start();
  try {
    await ready();
  } catch (e) {
    closed = true;
    (child as ChildProcess | null)?.kill();
    forgetPath(path, "link");
    throw e;
  }
  return {
    path,
    get starts() {
      return starts;
    },
    ready,
    async close() {
      closed = true;
      const proc = child;
      if (proc && proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once("exit", () => resolve());
          proc.kill("SIGTERM");
        });
      }
      forgetPath(path, "link");
    },
  };
}
