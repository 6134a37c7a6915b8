// The schema, as numbered migrations recorded in the database itself (table
// schema_migrations: version, name, applied_at). Opening a database applies the missing
// ones in order inside one locked transaction, so several stations starting at once migrate
// exactly once. A database newer than this tapkit is refused rather than written to.
//
// The DDL is written once for both engines: TEXT and BIGINT mean the same on each (SQLite's
// INTEGER affinity holds 64-bit values). Bytes (UIDs, public keys, certificates, hashes)
// are upper-case hex TEXT, so the sqlite3 shell and psql show them as they appear elsewhere
// in tapkit. No column holds key bytes: keys are named by key id and key check value only.
import { TapkitError } from "../errors/index.ts";
import type { Database, Queryable } from "./database.ts";

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

/** Advisory-lock key that serialises migrations on PostgreSQL ("tapk" as ASCII). */
export const MIGRATION_LOCK = 0x7461706b;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "provisioning records and audit trail",
    statements: [
      `CREATE TABLE stations (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        board TEXT NOT NULL,
        serial_first BIGINT NOT NULL,
        serial_last BIGINT NOT NULL,
        next_serial BIGINT NOT NULL,
        manifest_hash TEXT,
        created_at TEXT NOT NULL,
        CHECK (serial_first <= serial_last)
      )`,
      `CREATE TABLE devices (
        serial BIGINT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        uid TEXT NOT NULL,
        hardware_id TEXT,
        public_key TEXT,
        certificate TEXT,
        firmware_hash TEXT,
        station TEXT NOT NULL,
        state TEXT NOT NULL,
        step TEXT NOT NULL,
        result TEXT,
        audit_seq BIGINT NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (batch_id, uid),
        UNIQUE (batch_id, hardware_id),
        CHECK (length(uid) = 14 AND substr(uid, 1, 2) = '04')
      )`,
      `CREATE TABLE device_keys (
        serial BIGINT NOT NULL REFERENCES devices(serial),
        role TEXT NOT NULL,
        key_id TEXT NOT NULL,
        kcv TEXT NOT NULL,
        alg TEXT NOT NULL,
        PRIMARY KEY (serial, role),
        CHECK (length(kcv) = 6)
      )`,
      `CREATE TABLE audit (
        seq BIGINT PRIMARY KEY,
        prev_hash TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL UNIQUE,
        station TEXT NOT NULL REFERENCES stations(id),
        batch_id TEXT,
        serial BIGINT,
        step TEXT NOT NULL,
        result TEXT NOT NULL,
        at TEXT NOT NULL,
        body TEXT NOT NULL,
        sig TEXT NOT NULL
      )`,
      "CREATE INDEX audit_serial ON audit (serial)",
    ],
  },
  {
    version: 2,
    name: "tap backend replay state",
    statements: [
      // one row per tag: "<keys entry>:<UID>" (SUN) or "<keys entry>:<public key>" (signed);
      // sequence = epoch * counterLimit + counter of the newest accepted tap, -1 before any
      `CREATE TABLE tap_state (
        tag TEXT PRIMARY KEY,
        family TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        revoked_at TEXT,
        updated_at TEXT NOT NULL
      )`,
      "CREATE INDEX tap_state_family ON tap_state (family, sequence)",
    ],
  },
  {
    version: 3,
    name: "settled vouchers",
    statements: [
      // one row per card and counter: the same bundle twice changes nothing, and a second
      // voucher under a counter already settled (a cloned or broken card) cannot land
      `CREATE TABLE settled_vouchers (
        device TEXT NOT NULL,
        counter BIGINT NOT NULL,
        digest TEXT NOT NULL,
        payee TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        epoch BIGINT NOT NULL,
        source TEXT NOT NULL,
        bundle TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        PRIMARY KEY (device, counter)
      )`,
    ],
  },
  {
    version: 4,
    name: "tap backend: shared rate limits, serial lookup by UID",
    statements: [
      // one token bucket per limited key ("ip:<address>", "tag:<tag id>"), shared by every
      // backend process: tokens left and when they were last counted (ms since 1970)
      `CREATE TABLE rate_buckets (
        key TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        at_ms BIGINT NOT NULL
      )`,
      // the backend names a tap's serial in the same statement that takes its counter
      "CREATE INDEX devices_uid ON devices (uid)",
    ],
  },
];

async function ensureTable(tx: Queryable): Promise<void> {
  await tx.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
}

/** The schema version a database is at (0 = empty). */
export async function schemaVersion(db: Queryable): Promise<number> {
  await ensureTable(db);
  const rows = await db.query<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations");
  return Number(rows[0]?.v ?? 0);
}

/** Applies the migrations the database lacks; returns the versions applied. */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = migrations.at(-1)?.version ?? 0;
  return db.transaction(
    async (tx) => {
      const current = await schemaVersion(tx);
      if (current > latest) {
        throw new TapkitError(
          "DB_SCHEMA_NEWER",
          `${db.where} is at schema version ${current}; this tapkit knows up to ${latest}`,
          "upgrade tapkit on this station before it writes to a database a newer tapkit set up",
          { current, latest },
        );
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (m.version <= current) continue;
        for (const statement of m.statements) await tx.run(statement);
        await tx.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [m.version, m.name, new Date().toISOString()]);
        applied.push(m.version);
      }
      return applied;
    },
    { lockKey: MIGRATION_LOCK },
  );
}
