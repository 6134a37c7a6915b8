// Provisioning records and the audit trail against a real SQLite file and a real PostgreSQL
// server (started here; skipped loudly when Debian's postgresql is missing). The audit
// chain is checked by verifyAudit and, as an outside oracle, by recomputing each record's
// SHA-256 with node:crypto and its Ed25519 signature with node:crypto's verify.
import { createCipheriv, createHash, createPublicKey, verify as nodeVerify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl, schemaVersion, MIGRATIONS, type Database } from "../../host-tools/src/db/index.ts";
import { ProvisioningRecords, aesKcv, exportRows, loadOrCreateStation, stationFromSecret, toCsv, verifyAudit } from "../../host-tools/src/records/index.ts";
import { findPostgres, startPostgres, type PostgresServer } from "../support/postgres-server.ts";

const tmp = mkdtempSync(join(tmpdir(), "tapkit-records-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const stationA = stationFromSecret("st-a", new Uint8Array(32).fill(1));
const stationB = stationFromSecret("st-b", new Uint8Array(32).fill(2));

/** Ed25519 over the record hash, checked by node:crypto (OpenSSL), not by @noble. */
function nodeEd25519Verify(pubHex: string, msgHex: string, sigHex: string): boolean {
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(pubHex, "hex")]);
  return nodeVerify(null, Buffer.from(msgHex, "hex"), createPublicKey({ key: spki, format: "der", type: "spki" }), Buffer.from(sigHex, "hex"));
}

interface Engine {
  name: string;
  url: () => string;
  /** raw SQL on the database, outside tapkit, to tamper with it */
  tamper: (sql: string) => Promise<void>;
}

const pgBin = findPostgres();
let pg: PostgresServer | undefined;
let dbCount = 0;

beforeAll(async () => {
  if (pgBin) pg = await startPostgres(pgBin);
}, 120_000);
afterAll(() => pg?.stop());

function sqliteEngine(): Engine & { file: string } {
  const file = join(tmp, `r${dbCount++}.sqlite`);
  return {
    name: "sqlite",
    file,
    url: () => `sqlite:${file}`,
    tamper: async (sql) => {
      const raw = new BetterSqlite3(file);
      raw.exec(sql);
      raw.close();
    },
  };
}

function pgEngine(): Engine {
  const name = `r${dbCount++}`;
  let url = "";
  return {
    name: "postgres",
    url: () => {
      if (!url) url = pg!.createDatabase(name);
      return url;
    },
    tamper: async (sql) => {
      const { default: pgLib } = await import("pg");
      const c = new pgLib.Client({ connectionString: url });
      await c.connect();
      await c.query(sql);
      await c.end();
    },
  };
}

const engines: [string, () => Engine][] = [
  ["sqlite", sqliteEngine],
  ["postgres", pgEngine],
];

describe("database URLs", () => {
  it("tells SQLite paths from PostgreSQL URLs and refuses other schemes", () => {
    expect(parseDatabaseUrl("postgres://u@h/db")).toEqual({ kind: "postgres", url: "postgres://u@h/db" });
    expect(parseDatabaseUrl("sqlite:/x/y.db")).toEqual({ kind: "sqlite", path: "/x/y.db" });
    expect(parseDatabaseUrl("/x/plain.db")).toEqual({ kind: "sqlite", path: "/x/plain.db" });
    expect(parseDatabaseUrl(undefined).kind).toBe("sqlite");
    expect(() => parseDatabaseUrl("mysql://h/db")).toThrow(/cannot tell which database/);
  });
});

for (const [name, make] of engines) {
  describe.skipIf(name === "postgres" && !pgBin)(`records on ${name}`, () => {
    async function open(engine: Engine, station = stationA): Promise<ProvisioningRecords> {
      return ProvisioningRecords.open(engine.url(), station);
    }

    it("migrates once, records the version in the database, and reopens without migrating again", async () => {
      const e = make();
      const r1 = await open(e);
      expect(await schemaVersion(r1.db)).toBe(MIGRATIONS.at(-1)!.version);
      const rows = await r1.db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      await r1.close();
      const r2 = await open(e);
      expect((await r2.db.query("SELECT version FROM schema_migrations")).length).toBe(MIGRATIONS.length);
      await r2.close();
    });

    it("allocates serials in order, UIDs 04 + 6 bytes unique, refuses an exhausted range, resumes by hardware id", async () => {
      const e = make();
      const r = await open(e);
      await r.createBatch({ id: "B1", board: "sim-plaque", serialFirst: 1000, serialLast: 1004 });
      const devices = [];
      for (let i = 0; i < 4; i++) devices.push(await r.allocateDevice("B1"));
      expect(devices.map((d) => d.serial)).toEqual([1000, 1001, 1002, 1003]);
      for (const d of devices) expect(d.uid).toMatch(/^04[0-9A-F]{12}$/);
      expect(new Set(devices.map((d) => d.uid)).size).toBe(4);
      const hw = await r.allocateDevice("B1", { hardwareId: "CHIP-77" });
      expect(hw.resumed).toBe(false);
      const again = await r.allocateDevice("B1", { hardwareId: "CHIP-77" });
      expect(again).toMatchObject({ serial: hw.serial, uid: hw.uid, resumed: true });
      await expect(r.allocateDevice("B1")).rejects.toMatchObject({ code: "BATCH_EXHAUSTED" });
      await expect(r.allocateDevice("nope")).rejects.toMatchObject({ code: "BATCH_UNKNOWN" });
      await expect(r.createBatch({ id: "B2", board: "sim-plaque", serialFirst: 1004, serialLast: 2000 })).rejects.toMatchObject({ code: "BATCH_CONFLICT" });
      await expect(r.createBatch({ id: "B1", board: "sim-card", serialFirst: 1000, serialLast: 1004 })).rejects.toMatchObject({ code: "BATCH_CONFLICT" });
      expect((await r.createBatch({ id: "B1", board: "sim-plaque", serialFirst: 1000, serialLast: 1004 })).nextSerial).toBe(1005);
      await r.close();
    });

    it("records steps with key ids and KCVs, refuses key bytes, and exports CSV/JSON", async () => {
      const e = make();
      const r = await open(e);
      await r.createBatch({ id: "B1", board: "sim-plaque", serialFirst: 1, serialLast: 10 });
      const d = await r.allocateDevice("B1");
      const key = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
      await r.recordStep(d.serial, {
        step: "keys",
        state: "provisioning",
        publicKey: new Uint8Array(32).fill(7),
        keys: [{ role: "sun-file", keyId: "master-1/v1", kcv: aesKcv(key), alg: "AES-128" }],
      });
      await expect(r.recordStep(d.serial, { step: "x", data: { fileKey: "00".repeat(16) } })).rejects.toMatchObject({ code: "KEY_MATERIAL_REFUSED" });
      await expect(r.recordStep(d.serial, { step: "x", keys: [{ role: "r", keyId: "k", kcv: "00".repeat(16), alg: "AES-128" }] })).rejects.toMatchObject({
        code: "KEY_MATERIAL_REFUSED",
      });
      const done = await r.recordStep(d.serial, { step: "locked", state: "provisioned", result: "ok", certificate: "A1B2", firmwareHash: "ab".repeat(32) });
      expect(done).toMatchObject({ state: "provisioned", step: "locked", result: "ok", certificate: "A1B2" });
      // the KCV is what openssl-style AES-ECB of a zero block gives (node:crypto as oracle)
      const c = createCipheriv("aes-128-ecb", Buffer.from(key), null).setAutoPadding(false);
      expect((await r.keys(d.serial))[0].kcv).toBe(
        Buffer.concat([c.update(Buffer.alloc(16)), c.final()])
          .subarray(0, 3)
          .toString("hex")
          .toUpperCase(),
      );
      const rows = await exportRows(r.db, { batch: "B1" });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        serial: d.serial,
        uid: d.uid,
        publicKey: "07".repeat(32),
        certificate: "A1B2",
        firmwareHash: "AB".repeat(32),
        station: "st-a",
        result: "ok",
      });
      const csv = toCsv(rows).split("\r\n");
      expect(csv[0]).toBe("serial,uid,publicKey,certificate,firmwareHash,station,time,result,batch,state");
      expect(csv[1].split(",").slice(0, 2)).toEqual([String(d.serial), d.uid]);
      await r.close();
    });

    it("chains and signs every record (checked with node:crypto), and a second station's key under a taken id is refused", async () => {
      const e = make();
      const a = await open(e, stationA);
      await a.createBatch({ id: "B1", board: "sim-plaque", serialFirst: 1, serialLast: 10 });
      const b = await open(e, stationB);
      for (let i = 0; i < 3; i++) {
        const d = await (i % 2 ? a : b).allocateDevice("B1");
        await (i % 2 ? b : a).recordStep(d.serial, { step: "done", state: "provisioned", result: "ok" });
      }
      const rows = await a.db.query<{ seq: number; prev_hash: string; hash: string; body: string; sig: string; station: string }>(
        "SELECT * FROM audit ORDER BY seq",
      );
      expect(rows.length).toBe(7);
      let prev = "0".repeat(64);
      for (const row of rows) {
        expect(row.prev_hash).toBe(prev);
        expect(createHash("sha256").update(row.body).digest("hex").toUpperCase()).toBe(row.hash);
        const pub = row.station === "st-a" ? stationA.publicKey : stationB.publicKey;
        expect(nodeEd25519Verify(Buffer.from(pub).toString("hex"), row.hash, row.sig)).toBe(true);
        prev = row.hash;
      }
      expect(await verifyAudit(a.db)).toMatchObject({ ok: true, records: 7 });
      const impostor = stationFromSecret("st-a", new Uint8Array(32).fill(9));
      await expect(open(e, impostor)).rejects.toMatchObject({ code: "STATION_KEY_MISMATCH" });
      await a.close();
      await b.close();
    });

    describe("audit verify detects tampering", () => {
      async function chain(): Promise<{ e: Engine; db: Database; close: () => Promise<void> }> {
        const e = make();
        const r = await open(e);
        await r.createBatch({ id: "B1", board: "sim-plaque", serialFirst: 1, serialLast: 10 });
        for (let i = 0; i < 3; i++) {
          const d = await r.allocateDevice("B1");
          await r.recordStep(d.serial, { step: "done", state: "provisioned", result: "ok" });
        }
        expect((await verifyAudit(r.db)).ok).toBe(true);
        return { e, db: r.db, close: () => r.close() };
      }

      it("an edited result column", async () => {
        const { e, db, close } = await chain();
        await e.tamper("UPDATE audit SET result = 'failed' WHERE seq = 3");
        const report = await verifyAudit(db);
        expect(report.ok).toBe(false);
        expect(report.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: "column-mismatch" }));
        await close();
      });

      it("an edited body with its hash recomputed (the signature no longer matches)", async () => {
        const { e, db, close } = await chain();
        const [row] = await db.query<{ body: string }>("SELECT body FROM audit WHERE seq = 4");
        const body = row.body.replace('"result":"ok"', '"result":"failed"');
        const hash = createHash("sha256").update(body).digest("hex").toUpperCase();
        await e.tamper(`UPDATE audit SET body = '${body}', hash = '${hash}', result = 'failed' WHERE seq = 4`);
        const report = await verifyAudit(db);
        expect(report.problems.map((p) => p.problem)).toContain("bad-signature");
        expect(report.problems).toContainEqual(expect.objectContaining({ seq: 5, problem: "broken-link" }));
        await close();
      });

      it("a deleted record in the middle", async () => {
        const { e, db, close } = await chain();
        await e.tamper("DELETE FROM audit WHERE seq = 2");
        const report = await verifyAudit(db);
        expect(report.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: "gap" }));
        expect(report.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: "broken-link" }));
        await close();
      });

      it("the newest record deleted", async () => {
        const { e, db, close } = await chain();
        const before = await verifyAudit(db);
        await e.tamper("DELETE FROM audit WHERE seq = 7");
        const report = await verifyAudit(db, { expectHead: before.head });
        expect(report.problems.map((p) => p.problem)).toEqual(expect.arrayContaining(["device-past-head", "head-mismatch"]));
        await close();
      });

      it("two records swapped", async () => {
        const { e, db, close } = await chain();
        await e.tamper("UPDATE audit SET seq = -1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -1;");
        const report = await verifyAudit(db);
        expect(report.ok).toBe(false);
        expect(report.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: "broken-link" }));
        await close();
      });
    });
  });
}

describe("station key file", () => {
  it("is created owner-only and refused when others can read it", () => {
    const path = join(tmp, "keys", "st.key");
    const s = loadOrCreateStation("st-x", path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateStation("st-x", path).publicKey).toEqual(s.publicKey);
    expect(readFileSync(path, "utf8").trim()).toMatch(/^[0-9A-F]{64}$/);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateStation("st-x", path)).toThrow(/can be read by others/);
  });
});
