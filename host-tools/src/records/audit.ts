// The audit trail: one hash chain per database, every record signed by the station that
// appended it.
//
// Record n's body is canonical JSON (sorted keys, no spaces) of {seq, prev, station, batch,
// serial, step, result, at, data}; hash(n) = SHA-256(body) and prev(n) = hash(n-1), with
// prev(1) = 64 zeros; the station's Ed25519 signature covers hash(n). The columns beside the
// body (seq, station, step, ...) are there for queries and must agree with the body.
//
// Several stations append to the one chain: an append reads the head and inserts the next
// record inside a transaction that holds the chain's lock (a PostgreSQL advisory lock; on
// SQLite the file's write lock), and seq and prev_hash are unique columns, so even a writer
// that bypassed the lock could not fork the chain - its insert would be refused.
//
// verify detects an edited record (body no longer hashes to hash, or a column disagrees with
// the body), a forged one (signature not by the station's registered key), a deleted or
// reordered one (seq not 1..n without gaps, prev not the previous hash). Deleting the newest
// records leaves a shorter valid chain; every device row names the newest audit record about
// it, so a cut tail shows as devices pointing past the head, and `expectHead` checks a head
// written down elsewhere (the batch report) as the outside anchor.
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { parseHex, toHex } from "../bytes/hex.ts";
import type { Database, Queryable } from "../db/index.ts";
import type { Station } from "./station-key.ts";
import { assertNoKeyMaterial } from "./key-guard.ts";

/** The advisory-lock key of the audit chain ("audt"). */
export const AUDIT_LOCK = 0x61756474;
export const GENESIS = "0".repeat(64);

export type AuditData = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEntry {
  batch: string | null;
  serial: number | null;
  step: string;
  result: string;
  data?: AuditData;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  prev: string;
  hash: string;
  station: string;
  at: string;
  sig: string;
}

/** JSON with object keys sorted at every level: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function hashBody(body: string): string {
  return toHex(sha256(new TextEncoder().encode(body)));
}

/**
 * Appends one record. Call inside `db.transaction(..., { lockKey: AUDIT_LOCK })` so the head
 * read here is still the head when the insert lands (appendAudit in records.ts does).
 */
export async function appendAuditIn(tx: Queryable, station: Station, entry: AuditEntry): Promise<AuditRecord> {
  assertNoKeyMaterial(entry.data ?? {}, "audit data");
  const head = await tx.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  const seq = head.length === 0 ? 1 : Number(head[0].seq) + 1;
  const prev = head.length === 0 ? GENESIS : head[0].hash;
  const at = new Date().toISOString();
  const fields = {
    seq,
    prev,
    station: station.id,
    batch: entry.batch,
    serial: entry.serial,
    step: entry.step,
    result: entry.result,
    at,
    data: entry.data ?? {},
  };
  const body = canonicalJson(fields);
  const hash = hashBody(body);
  const sig = toHex(ed25519.sign(parseHex(hash), station.secretKey));
  await tx.run(
    "INSERT INTO audit (seq, prev_hash, hash, station, batch_id, serial, step, result, at, body, sig) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    [seq, prev, hash, station.id, entry.batch, entry.serial, entry.step, entry.result, at, body, sig],
  );
  return { ...fields, hash, sig };
}

/** Appends one record in its own locked transaction. */
export function appendAudit(db: Database, station: Station, entry: AuditEntry): Promise<AuditRecord> {
  return db.transaction((tx) => appendAuditIn(tx, station, entry), { lockKey: AUDIT_LOCK });
}

export interface AuditProblem {
  seq: number;
  problem: "edited" | "column-mismatch" | "bad-signature" | "unknown-station" | "gap" | "broken-link" | "device-past-head" | "head-mismatch";
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  records: number;
  head: string;
  problems: AuditProblem[];
}

interface AuditRow {
  seq: number;
  prev_hash: string;
  hash: string;
  station: string;
  batch_id: string | null;
  serial: number | null;
  step: string;
  result: string;
  at: string;
  body: string;
  sig: string;
}

/** Checks the whole chain; `expectHead` is a head hash recorded outside the database. */
export async function verifyAudit(db: Queryable, options: { expectHead?: string } = {}): Promise<AuditReport> {
  const stations = new Map((await db.query<{ id: string; public_key: string }>("SELECT id, public_key FROM stations")).map((s) => [s.id, s.public_key]));
  const rows = await db.query<AuditRow>("SELECT * FROM audit ORDER BY seq");
  const problems: AuditProblem[] = [];
  let prevHash = GENESIS;
  let expectedSeq = 1;
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== expectedSeq) problems.push({ seq, problem: "gap", detail: `expected record ${expectedSeq}, found ${seq}: records deleted or renumbered` });
    if (row.prev_hash !== prevHash)
      problems.push({ seq, problem: "broken-link", detail: "does not follow the record before it: a record was deleted, inserted or moved" });
    if (hashBody(row.body) !== row.hash) problems.push({ seq, problem: "edited", detail: "the record's content no longer matches its hash" });
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(row.body);
    } catch {
      problems.push({ seq, problem: "edited", detail: "the record's body is not JSON" });
    }
    const columns = {
      seq,
      prev: row.prev_hash,
      station: row.station,
      batch: row.batch_id,
      serial: row.serial === null ? null : Number(row.serial),
      step: row.step,
      result: row.result,
      at: row.at,
    };
    for (const [k, v] of Object.entries(columns)) {
      if (body[k] !== v)
        problems.push({ seq, problem: "column-mismatch", detail: `column ${k} is ${JSON.stringify(v)} but the signed record says ${JSON.stringify(body[k])}` });
    }
    const pub = stations.get(row.station);
    if (pub === undefined) problems.push({ seq, problem: "unknown-station", detail: `station ${row.station} is not registered` });
    else if (!safeVerify(row.sig, row.hash, pub)) problems.push({ seq, problem: "bad-signature", detail: `not signed by station ${row.station}'s key` });
    prevHash = row.hash;
    expectedSeq = seq + 1;
  }
  const head = rows.length === 0 ? GENESIS : rows[rows.length - 1].hash;
  const headSeq = rows.length === 0 ? 0 : Number(rows[rows.length - 1].seq);
  const past = await db.query<{ serial: number; audit_seq: number }>("SELECT serial, audit_seq FROM devices WHERE audit_seq > $1 ORDER BY serial LIMIT 20", [
    headSeq,
  ]);
  for (const d of past)
    problems.push({
      seq: Number(d.audit_seq),
      problem: "device-past-head",
      detail: `device ${d.serial} names audit record ${d.audit_seq}, past the chain's end ${headSeq}: the newest records were deleted`,
    });
  if (options.expectHead !== undefined && options.expectHead.toUpperCase() !== head) {
    problems.push({ seq: headSeq, problem: "head-mismatch", detail: `the chain ends at ${head}, not at the expected ${options.expectHead.toUpperCase()}` });
  }
  return { ok: problems.length === 0, records: rows.length, head, problems };
}

function safeVerify(sigHex: string, hashHex: string, pubHex: string): boolean {
  try {
    return ed25519.verify(parseHex(sigHex), parseHex(hashHex), parseHex(pubHex));
  } catch {
    return false;
  }
}
