// A private, throwaway PostgreSQL server (for test files and the bench): Debian's initdb + pg_ctl (found in PATH or
// /usr/lib/postgresql/<version>/bin), a cluster in a temp directory, trust auth on 127.0.0.1
// only, a free port, and a unix socket in the same directory. stop() shuts it down
// (immediate mode) and removes the directory. Never for production data: fsync is off.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface PostgresServer {
  url: string;
  port: number;
  dir: string;
  /** a fresh database on this server (CREATE DATABASE), as a URL */
  createDatabase(name: string): string;
  /**
   * The same database reached over the server's Unix socket (in `dir`) instead of TCP on
   * 127.0.0.1: for loads where the loopback TCP stack's cost per statement shows.
   */
  socketUrl(databaseUrl: string): string;
  /** the server goes away (immediate shutdown) but keeps its data: an unreachable database */
  pause(): void;
  /** starts it again on the same port and data */
  resume(): void;
  stop(): void;
}

/** The folder holding initdb, pg_ctl and createdb, or undefined. */
export function findPostgresBin(): string | undefined {
  // Debian's versioned folder first: it has every tool (createdb too), PATH may hold only links
  const candidates: string[] = [];
  if (existsSync("/usr/lib/postgresql")) {
    for (const v of readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))) candidates.push(join("/usr/lib/postgresql", v, "bin"));
  }
  const which = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) candidates.push(dirname(which.stdout.trim()));
  for (const bin of candidates) {
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")) && existsSync(join(bin, "createdb"))) return bin;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * initdb and postgres refuse to run as root (CI and the team machine run as root): then the
 * server runs as the postgres system user Debian's package creates, via runuser.
 */
function asServerUser(dir: string): { run: (cmd: string, args: string[]) => void } {
  if (process.getuid?.() !== 0) return { run: (cmd, args) => void execFileSync(cmd, args, { stdio: "pipe" }) };
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  chownSync(dir, uid, gid);
  return { run: (cmd, args) => void execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "pipe" }) };
}

/** Starts a private server; the caller must stop() it. */
export async function startPostgres(bin: string): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-pg-"));
  const data = join(dir, "data");
  const port = await freePort();
  const server = asServerUser(dir);
  server.run(join(bin, "initdb"), ["-D", data, "-U", "tapkit", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const start = () =>
    server.run(join(bin, "pg_ctl"), [
      "-D",
      data,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      "start",
    ]);
  start();
  const url = `postgres://tapkit@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    dir,
    createDatabase(name: string): string {
      execFileSync(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "tapkit", name], { stdio: "pipe" });
      return `postgres://tapkit@127.0.0.1:${port}/${name}`;
    },
    socketUrl(databaseUrl: string): string {
      const name = new URL(databaseUrl).pathname.slice(1);
      return `postgres://tapkit@${encodeURIComponent(dir)}:${port}/${name}`;
    },
    pause(): void {
      server.run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    resume(): void {
      start();
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      try {
        server.run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already gone: nothing to stop
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
