// Running the bundled CLI (dist/tapkit.mjs, what users run) as a child process in tests,
// and keeping a `tapkit sim` running in the background for commands to talk to.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../../host-tools/src/paths.ts";

export const CLI = join(ROOT, "dist", "tapkit.mjs");

export function ensureCli(): void {
  if (!existsSync(CLI)) {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-cli.mjs")], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error("could not bundle the CLI");
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/**
 * How long a CLI run or a simulator's start may take before the helper gives up: a guard
 * against hangs, generous because files run in parallel on a 2-core machine shared with
 * other runs, where one start of the CLI has been seen to take 6 s.
 */
const CLI_DEFAULT_TIMEOUT_MS = 120_000;

export function tapkit(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  ensureCli();
  const timeoutMs = opts.timeoutMs ?? CLI_DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tapkit ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      let json: any;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/**
 * Runs `tapkit ...args --json` inside this process (the CLI's main(), stdout and stderr
 * captured): for tables of hundreds of argument checks, where a child process each would
 * take minutes on the shared machine. Returns the exit status and the JSON printed (null if none).
 */
export async function tapkitInProcess(args: string[]): Promise<{ code: number; json: any }> {
  const { main } = await import("../../host-tools/src/cli/app.ts");
  let stdout = "";
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((s: string) => {
    stdout += s;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const code = await main([...args, "--json"]);
    let json: any = null;
    try {
      json = JSON.parse(stdout);
    } catch {
      // the command printed no JSON document
    }
    return { code, json };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export interface BackgroundSim {
  child: ChildProcess;
  ready: {
    pty: string | null;
    tcp: number | null;
    board: string;
    demo: boolean;
    pcsc: string | null;
    demoWallet?: { installed: boolean; currency: string; balance: number; pin: string; root: string } | null;
  };
  port: string;
  lines: string[];
  /** what it printed on stderr so far */
  stderr(): string;
  /** its exit status (-1: ended by a signal) once it has ended, however it was stopped */
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * Starts `tapkit sim --json ...` and waits for its ready line. `detached`: in a process group
 * of its own, as a shell runs it in a terminal (so a test can signal the whole group).
 */
export async function startSim(args: string[], options: { detached?: boolean } = {}): Promise<BackgroundSim> {
  ensureCli();
  const child = spawn(process.execPath, [CLI, "sim", "--json", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: options.detached });
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const rl = createInterface({ input: child.stdout! });
  const ready = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tapkit sim did not become ready in ${CLI_DEFAULT_TIMEOUT_MS} ms: ${stderr}`)), CLI_DEFAULT_TIMEOUT_MS);
    rl.on("line", (l) => {
      lines.push(l);
      const ev = JSON.parse(l);
      if (ev.event === "ready") {
        clearTimeout(timer);
        resolve(ev);
      }
    });
    child.on("exit", (code) => reject(new Error(`tapkit sim exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return {
    child,
    ready,
    port: ready.pty ?? `tcp:127.0.0.1:${ready.tcp}`,
    lines,
    stderr: () => stderr,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function tempDir(t: { onTestFinished(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-cli-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function haveSocat(): boolean {
  return spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
}
