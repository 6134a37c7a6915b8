// Rate limits shared across processes (issue 15 item 3): the token buckets live in the
// database, so four `tapkit serve verify` processes on one PostgreSQL allow a client address
// and a tag their limit once between them, not four times. The same buckets on a SQLite file
// shared by two limiters (two processes' worth) hold the limit exactly, refill with time,
// and a process whose clock lags does not refill a bucket twice.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SharedRateLimiter, TapState } from "../../host-tools/src/backend/index.ts";
import { spawnTapServices, writeSunKeys } from "../../host-tools/src/bench/tap-backend-costs.ts";
import { an10922, SunTagMinter } from "../../host-tools/src/bench/sun-minter.ts";
import { openDatabase } from "../../host-tools/src/db/index.ts";
import { CLI, ensureCli } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { usePostgres } from "../support/postgres-server.ts";

longTests();

const META = Buffer.from("00112233445566778899AABBCCDDEEFF", "hex");
const MASTER = Buffer.from("FFEEDDCCBBAA99887766554433221100", "hex");
const BASE = "https://pay.example.com/t";
const UID = Buffer.from("04AABBCCDDEE01", "hex");
const tmp = mkdtempSync(join(tmpdir(), "tapkit-rate-"));
const postgres = usePostgres(beforeAll, afterAll);
const services: ChildProcess[] = [];
afterAll(() => {
  for (const s of services) s.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
});

describe("shared buckets on one SQLite file", () => {
  it("two limiters draw from one bucket: the burst once, then the refill rate, no double refill from a lagging clock", async () => {
    const db = await openDatabase(join(tmp, "rate.sqlite"));
    try {
      const a = new SharedRateLimiter(db, "ip:", 1, 3);
      const b = new SharedRateLimiter(db, "ip:", 1, 3);
      const t0 = 1_800_000_000_000;
      const takes = await Promise.all([a, b, a, b, a, b].map((l) => l.take("10.0.0.1", t0)));
      expect(takes.filter(Boolean)).toHaveLength(3);
      // another address has its own bucket
      expect(await b.take("10.0.0.2", t0)).toBe(true);
      // one second later: one token more, for both together
      expect(await a.take("10.0.0.1", t0 + 1000)).toBe(true);
      expect(await b.take("10.0.0.1", t0 + 1000)).toBe(false);
      // b's clock lags by 900 ms: it must not count that second again
      expect(await b.take("10.0.0.1", t0 + 100)).toBe(false);
      expect(await a.take("10.0.0.1", t0 + 1100)).toBe(false);
      expect(await a.take("10.0.0.1", t0 + 2000)).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!postgres.bin)("four service processes, one PostgreSQL, one set of limits", () => {
  let targets: string[];
  let db: string;
  beforeAll(async () => {
    db = postgres.server().createDatabase("taps");
    const keysPath = join(tmp, "keys.json");
    writeSunKeys(keysPath, BASE, META, MASTER);
    ensureCli();
    targets = await spawnTapServices(4, CLI, keysPath, db, services, { logDir: tmp, args: ["--ip-rate", "5", "--tag-rate", "1"] });
  });

  /** Fires `n` requests round-robin over the four processes, `atOnce` at a time; statuses and seconds taken. */
  async function fire(n: number, atOnce: number, path: (i: number) => string): Promise<{ statuses: number[]; seconds: number }> {
    const statuses: number[] = [];
    const started = performance.now();
    for (let i = 0; i < n; i += atOnce) {
      const batch = Array.from({ length: Math.min(atOnce, n - i) }, (_, k) => fetch(targets[(i + k) % 4] + path(i + k)).then((r) => r.status));
      statuses.push(...(await Promise.all(batch)));
    }
    return { statuses, seconds: (performance.now() - started) / 1000 };
  }

  it("one client address gets --ip-rate 5/s (burst 10) across all four processes, not four times that", async () => {
    const { statuses, seconds } = await fire(80, 4, () => "/health");
    const ok = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    console.log(`per address: ${ok} of 80 answered, ${limited} refused 429, in ${seconds.toFixed(2)} s (limit: 10 + 5/s)`);
    expect(ok + limited).toBe(80);
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(10 + Math.ceil(5 * seconds) + 1);
  });

  it("one tag gets --tag-rate 1/s (burst 4) across all four processes; a refused tap's counter is not taken", async () => {
    // the address budget refills first (1 token per 200 ms)
    await new Promise((r) => setTimeout(r, 2500));
    const minter = new SunTagMinter(BASE, META, an10922(MASTER, UID), UID);
    const urls = Array.from({ length: 8 }, (_, i) => minter.url(i + 1));
    // one tap after another (in counter order), each at the next process
    const { statuses, seconds } = await fire(8, 1, (i) => urls[i].slice("https://pay.example.com".length));
    const ok = statuses.filter((s) => s === 200).length;
    console.log(`per tag: ${ok} of 8 taps accepted, ${statuses.filter((s) => s === 429).length} refused 429, in ${seconds.toFixed(2)} s (limit: 4 + 1/s)`);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok).toBeLessThanOrEqual(4 + Math.ceil(seconds) + 1);
    const check = await openDatabase(db);
    try {
      const state = await new TapState(check).state(`city:${UID.toString("hex").toUpperCase()}`);
      // counters were sent in rising order: the highest taken is the last accepted one
      expect(state?.sequence).toBe(statuses.lastIndexOf(200) + 1);
    } finally {
      await check.close();
    }
  });

  it("with the database gone, a request is answered 503 (not 500: the address bucket is asked first); back again, served", async () => {
    // the address budget refills first
    await new Promise((r) => setTimeout(r, 2500));
    postgres.server().pause();
    try {
      const down = await fetch(`${targets[1]}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ valid: false, reason: "database" });
    } finally {
      postgres.server().resume();
    }
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await fetch(`${targets[1]}/health`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
