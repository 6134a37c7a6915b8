// The embedded records database of `tapkit provision` until the records module lands
// (records-port.ts): a plain SQLite file (better-sqlite3) the `sqlite3` shell opens. Serial
// allocation and the device row are one transaction, so a cut mid-allocation leaves either
// no row or the whole row; allocation is keyed by the device's public key.
import Database from "better-sqlite3";
import { TapkitError } from "../errors/index.ts";
import type { AuditEvent, DeviceRecord, ProvisionRecords } from "./records-port.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
  batch TEXT NOT NULL, serial INTEGER NOT NULL, uid TEXT NOT NULL UNIQUE, pub TEXT NOT NULL,
  status TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 1, facts TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (batch, serial), UNIQUE (batch, pub));
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, batch TEXT NOT NULL, serial INTEGER,
  station TEXT NOT NULL, step TEXT NOT NULL, result TEXT NOT NULL, details TEXT NOT NULL);
`;

interface Row {
  batch: string;
  serial: number;
  uid: string;
  pub: string;
  status: DeviceRecord["status"];
  runs: number;
}

export class SqliteRecords implements ProvisionRecords {
  private readonly db: Database.Database;

  constructor(
    readonly url: string,
    file: string,
  ) {
    try {
      this.db = new Database(file);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("busy_timeout = 5000");
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new TapkitError("DB_UNREACHABLE", `cannot open the records database ${url}: ${(e as Error).message}`, "check --db (sqlite:FILE or a file path)");
    }
  }

  async findDevice(batch: string, pub: string): Promise<DeviceRecord | null> {
    return (this.db.prepare("SELECT batch, serial, uid, pub, status, runs FROM devices WHERE batch = ? AND pub = ?").get(batch, pub) as Row) ?? null;
  }

  async allocate(batch: string, pub: string, range: { first: number; last: number }, uidFor: (serial: number) => string): Promise<DeviceRecord> {
    const tx = this.db.transaction((): Row => {
      const found = this.db.prepare("SELECT batch, serial, uid, pub, status, runs FROM devices WHERE batch = ? AND pub = ?").get(batch, pub) as Row | undefined;
      if (found) {
        this.db.prepare("UPDATE devices SET runs = runs + 1 WHERE batch = ? AND serial = ?").run(batch, found.serial);
        return { ...found, runs: found.runs + 1 };
      }
      const top = this.db.prepare("SELECT MAX(serial) AS s FROM devices WHERE batch = ?").get(batch) as { s: number | null };
      const serial = top.s === null ? range.first : top.s + 1;
      if (serial > range.last)
        throw new TapkitError(
          "SERIALS_EXHAUSTED",
          `batch ${batch}: every serial of ${range.first}..${range.last} is issued`,
          "start a new batch with a new serial range in the manifest",
          { first: range.first, last: range.last },
        );
      const row: Row = { batch, serial, uid: uidFor(serial), pub, status: "allocated", runs: 1 };
      this.db.prepare("INSERT INTO devices (batch, serial, uid, pub, status, runs) VALUES (?, ?, ?, ?, ?, 1)").run(batch, serial, row.uid, pub, row.status);
      return row;
    });
    return tx.immediate();
  }

  async setStatus(batch: string, serial: number, status: DeviceRecord["status"], facts: Record<string, unknown>): Promise<void> {
    this.db.prepare("UPDATE devices SET status = ?, facts = ? WHERE batch = ? AND serial = ?").run(status, JSON.stringify(facts), batch, serial);
  }

  async audit(e: AuditEvent): Promise<void> {
    this.db
      .prepare("INSERT INTO audit (at, batch, serial, station, step, result, details) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(new Date().toISOString(), e.batch, e.serial, e.station, e.step, e.result, JSON.stringify(e.details ?? {}));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** `--db URL`: sqlite:FILE or a path (default provisioning.sqlite beside the manifest). */
export function openRecords(url: string): ProvisionRecords {
  if (/^postgres(ql)?:/.test(url))
    throw new TapkitError(
      "DB_UNSUPPORTED",
      `${url}: PostgreSQL records arrive with the records module (issue 10 item 5)`,
      "use an SQLite file for now: --db sqlite:provisioning.sqlite",
    );
  const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  return new SqliteRecords(url, file);
}
