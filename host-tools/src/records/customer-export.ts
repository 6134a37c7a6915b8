// The customer's record of a batch: one row per device with serial, UID, public key,
// certificate, firmware hash, station, time and result, as JSON or CSV (RFC 4180: comma,
// CRLF, fields quoted when they hold a comma, quote or line break).
import type { Queryable } from "../db/index.ts";

export const EXPORT_COLUMNS = ["serial", "uid", "publicKey", "certificate", "firmwareHash", "station", "time", "result", "batch", "state"] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

export async function exportRows(db: Queryable, options: { batch?: string } = {}): Promise<ExportRow[]> {
  const where = options.batch === undefined ? "" : "WHERE batch_id = $1";
  const rows = await db.query<Record<string, string | number | null>>(
    `SELECT serial, uid, public_key, certificate, firmware_hash, station, updated_at, result, batch_id, state FROM devices ${where} ORDER BY serial`,
    options.batch === undefined ? [] : [options.batch],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    uid: r.uid,
    publicKey: r.public_key,
    certificate: r.certificate,
    firmwareHash: r.firmware_hash,
    station: r.station,
    time: r.updated_at,
    result: r.result,
    batch: r.batch_id,
    state: r.state,
  }));
}

function csvField(v: string | number | null): string {
  const s = v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(",")];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvField(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
