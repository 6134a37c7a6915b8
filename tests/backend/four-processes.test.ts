// Four `tapkit serve verify` processes (the bundled CLI) against one PostgreSQL, hit at once
// by many tags tapping with rising counters, with replays fired at two processes at the same
// instant and fresh URLs for older counters: 0 replays accepted, 0 stale counters accepted,
// 0 genuine taps refused, numbers printed. 640 tags x 60 counters: with the racing replays and
// older counters on top, the 50,000 requests of issue 15 (TAGS=60 in the environment runs a
// tenth, for a quick look). The URLs are minted with node:crypto (SunTagMinter: one new cipher
// per URL) and sent as a phone opens them, over keep-alive connections, 32 phones at once; the
// services reach PostgreSQL over its Unix socket; their access logs go to files.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTapLoad } from "../../host-tools/src/bench/tap-load.ts";
import { spawnTapServices, writeSunKeys } from "../../host-tools/src/bench/tap-backend-costs.ts";
import { openDatabase } from "../../host-tools/src/db/index.ts";
import { CLI, ensureCli } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { usePostgres } from "../support/postgres-server.ts";
import { an10922, SunTagMinter } from "../../host-tools/src/bench/sun-minter.ts";

longTests();

const TAGS = Number(process.env.TAGS ?? 640);
const COUNTERS = 60;
const META = Buffer.from("00112233445566778899AABBCCDDEEFF", "hex");
const MASTER = Buffer.from("FFEEDDCCBBAA99887766554433221100", "hex");
const BASE = "https://pay.example.com/t";
const uid = (i: number) => Buffer.from(`04${(0x10000 + i).toString(16).padStart(12, "0").toUpperCase()}`, "hex");
const minters = Array.from({ length: TAGS }, (_, i) => new SunTagMinter(BASE, META, an10922(MASTER, uid(i)), uid(i)));

const tmp = mkdtempSync(join(tmpdir(), "tapkit-backend4-"));
const postgres = usePostgres(beforeAll, afterAll);
const pgBin = postgres.bin;
const services: ChildProcess[] = [];
afterAll(() => {
  for (const s of services) s.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!pgBin)("four service processes, one PostgreSQL", () => {
  // A hang guard, not a budget: about 60 s idle, 340 s at load average 25, and at 43 requests/s
  // (load average 24 with eight engineers' suites) 50,000 requests need about 20 minutes.
  it("0 replays accepted, 0 stale counters accepted, 0 genuine taps refused", { timeout: 1_800_000 }, async () => {
    const db = postgres.server().socketUrl(postgres.server().createDatabase("taps"));
    const keysPath = join(tmp, "keys.json");
    writeSunKeys(keysPath, BASE, META, MASTER);
    ensureCli();
    const targets = await spawnTapServices(4, CLI, keysPath, db, services, { logDir: tmp });
    const result = await runTapLoad({
      targets,
      tags: TAGS,
      countersPerTag: COUNTERS,
      concurrency: 32,
      via: "tap",
      mint: (t, c) => minters[t].url(c),
    });
    console.log(
      `4 processes on PostgreSQL: ${result.requests} requests in ${result.seconds} s (${result.requestsPerSecond}/s, p50 ${result.p50ms} ms, p99 ${result.p99ms} ms); ` +
        `${result.genuine} genuine taps, ${result.accepted} accepted, ${result.genuineRefused} refused; ${result.replaysFired} racing replays, ${result.replaysAccepted} accepted; ` +
        `${result.staleFired} older counters, ${result.staleAccepted} accepted; other answers ${JSON.stringify(result.otherStatus)}`,
    );
    expect(result.replaysAccepted).toBe(0);
    expect(result.staleAccepted).toBe(0);
    expect(result.genuineRefused).toBe(0);
    expect(result.accepted).toBe(TAGS * COUNTERS);
    expect(result.otherStatus).toEqual({});
    expect(result.replaysFired).toBeGreaterThan(TAGS * COUNTERS * 0.1);
    expect(result.staleFired).toBeGreaterThan(TAGS * COUNTERS * 0.05);
    // the database's view: every tag's newest counter is its last tap
    const check = await openDatabase(db);
    const rows = await check.query<{ sequence: number }>("SELECT sequence FROM tap_state");
    await check.close();
    expect(rows).toHaveLength(TAGS);
    expect(rows.every((r) => Number(r.sequence) === COUNTERS)).toBe(true);
  });
});
