// Four station processes provisioning one batch at the same time against one database: a
// real PostgreSQL server (started here) and a SQLite file in WAL mode shared by the four.
// Each process is its own Node with its own connection (station-worker.ts). Afterwards: no
// serial or UID issued twice, every device finished, the audit chain has every record
// (1 batch + 4 per device), unforked and verified, and none of the AES keys the stations
// made appears anywhere in the database (file bytes for SQLite, every table for PostgreSQL).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../host-tools/src/db/index.ts";
import { ProvisioningRecords, stationFromSecret, verifyAudit } from "../../host-tools/src/records/index.ts";
import { longTests } from "../support/long-tests.ts";
import { findPostgres, startPostgres, type PostgresServer } from "../support/postgres-server.ts";

longTests();

const STATIONS = 4;
const PER_STATION = 25;
const tmp = mkdtempSync(join(tmpdir(), "tapkit-stations-"));
const pgBin = findPostgres();
let pg: PostgresServer | undefined;
beforeAll(async () => {
  if (pgBin) pg = await startPostgres(pgBin);
}, 120_000);
afterAll(() => {
  pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Made {
  serial: number;
  uid: string;
  tapKey: string;
}

function runStation(url: string, id: string, startAt: number): Promise<Made[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", new URL("./station-worker.ts", import.meta.url).pathname, url, id, "B1", String(PER_STATION), String(startAt)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) =>
      code === 0
        ? resolve(
            out
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l)),
          )
        : reject(new Error(`station ${id} exited ${code}: ${err}`)),
    );
  });
}

async function provisionConcurrently(url: string): Promise<Made[]> {
  const setup = await ProvisioningRecords.open(url, stationFromSecret("setup", new Uint8Array(32).fill(3)));
  await setup.createBatch({ id: "B1", board: "sim-plaque", serialFirst: 5000, serialLast: 5000 + STATIONS * PER_STATION - 1 });
  await setup.close();
  const startAt = Date.now() + 8000; // every worker connected and waiting before the gun
  const made = (await Promise.all(Array.from({ length: STATIONS }, (_, i) => runStation(url, `st-${i + 1}`, startAt)))).flat();
  return made;
}

async function checkOutcome(url: string, made: Made[], haystack: () => Promise<string>): Promise<void> {
  const total = STATIONS * PER_STATION;
  expect(made).toHaveLength(total);
  expect(new Set(made.map((m) => m.serial)).size).toBe(total);
  expect(new Set(made.map((m) => m.uid)).size).toBe(total);
  const db = await openDatabase(url);
  try {
    const devices = await db.query<{ serial: number; uid: string; state: string; station: string }>(
      "SELECT serial, uid, state, station FROM devices ORDER BY serial",
    );
    expect(devices.map((d) => Number(d.serial))).toEqual(Array.from({ length: total }, (_, i) => 5000 + i));
    expect(devices.every((d) => d.state === "provisioned")).toBe(true);
    const stations = new Set(devices.map((d) => d.station));
    expect(stations.size, "all four stations provisioned devices").toBe(STATIONS);
    const report = await verifyAudit(db);
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(1 + 4 * total);
    const perStation = await db.query<{ station: string; n: number }>("SELECT station, COUNT(*) AS n FROM audit GROUP BY station ORDER BY station");
    console.log(
      `${url.startsWith("postgres") ? "PostgreSQL" : "SQLite"}: ${total} devices by ${STATIONS} stations, ${report.records} audit records (${perStation.map((p) => `${p.station} ${p.n}`).join(", ")}), chain intact`,
    );
  } finally {
    await db.close();
  }
  const text = (await haystack()).toUpperCase();
  for (const m of made) expect(text.includes(m.tapKey), `AES key of device ${m.serial} found in the database`).toBe(false);
  // the search itself can find things: the UIDs and KCV column are there
  expect(text.includes(made[0].uid)).toBe(true);
}

describe.skipIf(!pgBin)("four stations on one PostgreSQL", () => {
  it("no serial or UID issued twice, no audit record lost or forked, no key bytes stored", async () => {
    const url = pg!.createDatabase("line");
    const made = await provisionConcurrently(url);
    await checkOutcome(url, made, async () => {
      const db = await openDatabase(url);
      try {
        const tables = await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
        const parts: string[] = [];
        for (const t of tables) parts.push(JSON.stringify(await db.query(`SELECT * FROM ${t.tablename}`)));
        return parts.join("\n");
      } finally {
        await db.close();
      }
    });
  });
});

describe("four stations on one SQLite file (WAL, busy timeout)", () => {
  it("no serial or UID issued twice, no audit record lost or forked, no key bytes stored", async () => {
    const file = join(tmp, "line.sqlite");
    const made = await provisionConcurrently(file);
    await checkOutcome(file, made, async () =>
      readdirSync(tmp)
        .filter((f) => f.startsWith("line.sqlite"))
        // the raw bytes (a key stored as a blob) and the bytes as text (a key stored as hex text)
        .map((f) => `${readFileSync(join(tmp, f)).toString("hex")}\n${readFileSync(join(tmp, f)).toString("latin1")}`)
        .join("\n"),
    );
  });
});
