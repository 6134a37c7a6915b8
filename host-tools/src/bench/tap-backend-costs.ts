// The tap backend under load (npm run bench): verified taps per second and p50/p99 latency
// for the CLI's file replay store (one process, `tapkit verify tap`'s path), one
// `tapkit serve verify` process on SQLite, and four on one PostgreSQL (a private server
// started here; skipped with a note when Debian's postgresql is missing), with the database's
// own share: the replay statement's p50/p99 timed alone on each engine. The PostgreSQL run is
// the 50,000-request load of issue 15, with racing replays and older counters, and reports
// the replays, stale counters and genuine taps refused it saw (all must be 0).
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TapState } from "../backend/index.ts";
import { openDatabase } from "../db/index.ts";
import { findPostgresBin, startPostgres } from "../db/private-postgres.ts";
import { ReplayStore, verifyTapUrl } from "../verify/index.ts";
import { an10922, SunTagMinter } from "./sun-minter.ts";
import { runTapLoad, type TapLoadResult } from "./tap-load.ts";

export interface TapBackendCosts {
  fileStore: { taps: number; tapsPerSecond: number; p50ms: number; p99ms: number };
  sqlite1: TapLoadResult;
  postgres4?: TapLoadResult;
  /** the same load with the shared rate limits on (set above the load: every take a round trip) */
  postgres4Limited?: TapLoadResult;
  /** the replay statement alone, in one process, one at a time */
  dbShare: { engine: string; p50ms: number; p99ms: number }[];
  notes: string[];
}

const META = Buffer.from("00112233445566778899AABBCCDDEEFF", "hex");
const MASTER = Buffer.from("FFEEDDCCBBAA99887766554433221100", "hex");
const BASE = "https://pay.example.com/t";
const KEYS = [
  { name: "city", template: `${BASE}?p={picc}&c={mac}`, mode: "sun" as const, metaKey: META.toString("hex"), masterFileKey: MASTER.toString("hex") },
];

function minter(tags: number, uidBase = 0x20000): (t: number, c: number) => string {
  const uids = Array.from({ length: tags }, (_, i) => Buffer.from(`04${(uidBase + i).toString(16).padStart(12, "0").toUpperCase()}`, "hex"));
  const minters = uids.map((u) => new SunTagMinter(BASE, META, an10922(MASTER, u), u));
  return (t, c) => minters[t].url(c);
}

const pct = (sorted: number[], p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;

/**
 * Starts `tapkit serve verify` (rate limits off unless `args` replaces that) as a child process
 * and resolves with the URL it listens on. Its stderr (the access log, one JSON line per
 * request) goes to `logPath` when given (written by the kernel, not read line by line here:
 * under load a reader in this process competes with the load it makes), else is read and
 * dropped; anything but access-log lines is kept for the error if it exits.
 */
export function spawnTapService(
  cli: string,
  keysPath: string,
  db: string,
  children: ChildProcess[],
  options: { logPath?: string; args?: string[] } = {},
): Promise<string> {
  const log = options.logPath === undefined ? undefined : openSync(options.logPath, "a");
  const child = spawn(
    process.execPath,
    [cli, "serve", "verify", "--keys", keysPath, "--db", db, "--port", "0", ...(options.args ?? ["--ip-rate", "0", "--tag-rate", "0"]), "--json"],
    { stdio: ["ignore", "pipe", log ?? "pipe"] },
  );
  if (log !== undefined) closeSync(log);
  children.push(child);
  let errors = "";
  const keep = (text: string) => {
    for (const line of text.split("\n")) if (line && !line.startsWith('{"t"')) errors = `${errors}${line}\n`.slice(-2000);
  };
  child.stderr?.on("data", (d) => keep(String(d)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      try {
        resolve(JSON.parse(out).listening);
      } catch {
        // not the whole document yet
      }
    });
    child.on("exit", (code, signal) => {
      if (options.logPath !== undefined) {
        try {
          keep(readFileSync(options.logPath, "utf8").slice(-100_000));
        } catch {
          // the log's folder is gone (the caller cleaned up after stopping it): nothing to show
        }
      }
      reject(new Error(`tapkit serve verify exited ${code ?? signal}: ${errors}`));
    });
  });
}

/** An owner-only keys file with one SUN entry "city" (template `<base>?p={picc}&c={mac}`, per-tag keys from `master`). */
export function writeSunKeys(path: string, base: string, metaKey: Buffer, master: Buffer): void {
  const tags = [{ name: "city", template: `${base}?p={picc}&c={mac}`, mode: "sun", metaKey: metaKey.toString("hex"), masterFileKey: master.toString("hex") }];
  writeFileSync(path, JSON.stringify({ tags }), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** `count` services on one database (spawnTapService), access logs to `<logDir>/access-<i>.log`; their URLs. */
export function spawnTapServices(
  count: number,
  cli: string,
  keysPath: string,
  db: string,
  children: ChildProcess[],
  options: { logDir: string; args?: string[] },
): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnTapService(cli, keysPath, db, children, { logPath: join(options.logDir, `access-${i}.log`), args: options.args }),
    ),
  );
}

async function dbShare(url: string, engine: string, n: number): Promise<{ engine: string; p50ms: number; p99ms: number }> {
  const db = await openDatabase(url);
  const state = new TapState(db);
  const times: number[] = [];
  for (let i = 1; i <= n; i++) {
    const t = performance.now();
    await state.accept(`share:${i % 50}`, "share", i);
    times.push(performance.now() - t);
  }
  await db.close();
  times.sort((a, b) => a - b);
  return { engine, p50ms: pct(times, 50), p99ms: pct(times, 99) };
}

/** `cli` is the tapkit entry to spawn (dist/tapkit.mjs). `requests` ~ total for the PostgreSQL run. */
export async function measureTapBackend(cli: string, options: { requests?: number; log?: (s: string) => void } = {}): Promise<TapBackendCosts> {
  const log = options.log ?? (() => {});
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "tapkit-bench-tap-"));
  const children: ChildProcess[] = [];
  try {
    const keysPath = join(dir, "keys.json");
    writeSunKeys(keysPath, BASE, META, MASTER);

    log("tap backend: the CLI's file replay store ...");
    const fileTaps = 1000;
    const mintFile = minter(1);
    // verifyTapUrl has no per-tag key hook: the file store's entry carries the tag's key
    const fileKeys = [{ ...KEYS[0], masterFileKey: undefined, fileKey: an10922(MASTER, Buffer.from("04000000020000", "hex")).toString("hex") }];
    const store = new ReplayStore(join(dir, "replay.json"));
    const ft: number[] = [];
    const f0 = performance.now();
    for (let c = 1; c <= fileTaps; c++) {
      const url = mintFile(0, c);
      const t = performance.now();
      verifyTapUrl(url, fileKeys, store);
      ft.push(performance.now() - t);
    }
    const fileSeconds = (performance.now() - f0) / 1000;
    ft.sort((a, b) => a - b);
    const fileStore = { taps: fileTaps, tapsPerSecond: Math.round(fileTaps / fileSeconds), p50ms: pct(ft, 50), p99ms: pct(ft, 99) };

    log("tap backend: 1 process on SQLite ...");
    const sqlitePath = join(dir, "taps.sqlite");
    const one = await spawnTapService(cli, keysPath, sqlitePath, children, { logPath: join(dir, "access-sqlite.log") });
    const sqlite1 = await runTapLoad({ targets: [one], tags: 50, countersPerTag: 100, concurrency: 32, via: "tap", mint: minter(50) });
    const shares = [await dbShare(join(dir, "share.sqlite"), "sqlite", 2000)];

    let postgres4: TapLoadResult | undefined;
    let postgres4Limited: TapLoadResult | undefined;
    const bin = findPostgresBin();
    if (!bin) notes.push("PostgreSQL server binaries not found: the 4-process PostgreSQL run was skipped (Debian package postgresql)");
    else {
      const pg = await startPostgres(bin);
      try {
        // over the server's Unix socket, as the test does; access logs to files
        const url = pg.socketUrl(pg.createDatabase("taps"));
        // ~1.3 requests per counter (racing replays and older counters on top)
        const requests = options.requests ?? 50_000;
        const tags = 400;
        const countersPerTag = Math.ceil(requests / 1.3 / tags);
        const run = async (name: string, args: string[] | undefined, uidBase: number) => {
          log(`tap backend: 4 processes on PostgreSQL${name} ...`);
          const mine: ChildProcess[] = [];
          const targets = await spawnTapServices(4, cli, keysPath, url, mine, { logDir: mkdtempSync(join(dir, "logs-")), args });
          children.push(...mine);
          try {
            return await runTapLoad({ targets, tags, countersPerTag, concurrency: 64, via: "tap", mint: minter(tags, uidBase) });
          } finally {
            for (const c of mine) c.kill("SIGTERM");
          }
        };
        postgres4 = await run("", undefined, 0x20000);
        // limits far above this load, so none refuses: what the shared buckets cost
        // (two more statements per tap, one per address and one per tag)
        postgres4Limited = await run(" with shared rate limits", ["--ip-rate", "1000000", "--tag-rate", "100000"], 0x30000);
        shares.push(await dbShare(pg.createDatabase("share"), "postgres", 2000));
      } finally {
        for (const c of children) c.kill("SIGTERM");
        pg.stop();
      }
    }
    return { fileStore, sqlite1, postgres4, postgres4Limited, dbShare: shares, notes };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
