// Provisioning records: batches (a board and a serial range), devices (serial, NFC UID,
// public key, certificate, firmware hash, station, state, result, the step reached so a cut
// run can resume) and the key ids + KCVs each device received. Every change to a device
// appends an audit record in the same transaction, so a record and its audit entry land
// together or not at all.
//
// Allocation is the race that matters on a line with several stations: the next serial is
// taken by one UPDATE ... RETURNING (the database, not JavaScript, increments it), inside a
// transaction holding the audit chain's lock; the UID (0x04 + 6 random bytes) is inserted
// with ON CONFLICT (batch, uid) DO NOTHING and drawn again on the rare collision. A device
// that names a hardware id (the chip's own id, when the board has one) gets its existing
// record back instead of a second identity.
import { randomBytes } from "node:crypto";
import { toHex } from "../bytes/hex.ts";
import { type Database, openDatabase, type Queryable } from "../db/index.ts";
import { TapkitError } from "../errors/index.ts";
import { AUDIT_LOCK, type AuditData, appendAuditIn } from "./audit.ts";
import { assertNoKeyMaterial } from "./key-guard.ts";
import type { Station } from "./station-key.ts";

export type DeviceState = "allocated" | "provisioning" | "provisioned" | "failed";

export interface BatchSpec {
  id: string;
  board: string;
  serialFirst: number;
  serialLast: number;
  /** SHA-256 of the manifest file, hex: the batch refuses a different manifest later */
  manifestHash?: string;
}

export interface Batch extends Required<BatchSpec> {
  nextSerial: number;
  createdAt: string;
}

export interface DeviceRecord {
  serial: number;
  batch: string;
  /** 7-byte NFC UID, 14 upper-case hex digits, first byte 04 */
  uid: string;
  hardwareId: string | null;
  publicKey: string | null;
  certificate: string | null;
  firmwareHash: string | null;
  station: string;
  state: DeviceState;
  step: string;
  result: string | null;
  auditSeq: number;
  createdAt: string;
  updatedAt: string;
}

export interface KeyRecord {
  /** what the key is for on the device: "sun-meta", "sun-file", "tap-mac", ... */
  role: string;
  keyId: string;
  /** key check value, 6 hex digits (aesKcv) */
  kcv: string;
  alg: string;
}

export interface StepUpdate {
  step: string;
  state?: DeviceState;
  result?: string;
  publicKey?: Uint8Array | string;
  certificate?: Uint8Array | string;
  firmwareHash?: Uint8Array | string;
  keys?: readonly KeyRecord[];
  /** extra facts for the audit record (no key material: refused) */
  data?: AuditData;
}

const HEX_COLUMNS = { publicKey: "public_key", certificate: "certificate", firmwareHash: "firmware_hash" } as const;

interface DeviceRow {
  serial: number;
  batch_id: string;
  uid: string;
  hardware_id: string | null;
  public_key: string | null;
  certificate: string | null;
  firmware_hash: string | null;
  station: string;
  state: DeviceState;
  step: string;
  result: string | null;
  audit_seq: number;
  created_at: string;
  updated_at: string;
}

function deviceFromRow(r: DeviceRow): DeviceRecord {
  return {
    serial: Number(r.serial),
    batch: r.batch_id,
    uid: r.uid,
    hardwareId: r.hardware_id,
    publicKey: r.public_key,
    certificate: r.certificate,
    firmwareHash: r.firmware_hash,
    station: r.station,
    state: r.state,
    step: r.step,
    result: r.result,
    auditSeq: Number(r.audit_seq),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * A random NXP-style 7-byte UID: manufacturer byte 04, then 6 random bytes, avoiding 0x88 in
 * UID3 (ISO/IEC 14443-3: the cascade tag value may not start the second cascade level).
 */
export function randomUid(): string {
  const uid = Buffer.concat([Buffer.from([0x04]), randomBytes(6)]);
  if (uid[3] === 0x88) uid[3] = 0x08;
  return toHex(uid);
}

function hexValue(v: Uint8Array | string): string {
  if (typeof v !== "string") return toHex(v);
  if (!/^([0-9A-Fa-f]{2})*$/.test(v)) throw new TapkitError("USAGE", "record field is not hex", "pass bytes or hex text");
  return v.toUpperCase();
}

export class ProvisioningRecords {
  constructor(
    readonly db: Database,
    readonly station: Station,
  ) {}

  /** Opens the database at `url` (see db/open-database.ts) and registers the station. */
  static async open(url: string | undefined, station: Station): Promise<ProvisioningRecords> {
    const db = await openDatabase(url);
    const records = new ProvisioningRecords(db, station);
    try {
      await records.registerStation();
    } catch (e) {
      await db.close();
      throw e;
    }
    return records;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Registers this station's public key; a different key under the same id is refused. */
  async registerStation(): Promise<void> {
    const pub = toHex(this.station.publicKey);
    await this.db.run("INSERT INTO stations (id, public_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", [
      this.station.id,
      pub,
      new Date().toISOString(),
    ]);
    const [row] = await this.db.query<{ public_key: string }>("SELECT public_key FROM stations WHERE id = $1", [this.station.id]);
    if (row?.public_key !== pub) {
      throw new TapkitError(
        "STATION_KEY_MISMATCH",
        `station ${this.station.id} is registered with another key`,
        "use this station's own key file, or give the new station its own id (--station); a station's key is never replaced, or its old audit records could not be checked",
        { station: this.station.id },
      );
    }
  }

  /** Creates the batch, or returns it when it exists with the same board, range and manifest. */
  async createBatch(spec: BatchSpec): Promise<Batch> {
    if (!Number.isSafeInteger(spec.serialFirst) || !Number.isSafeInteger(spec.serialLast) || spec.serialFirst < 0 || spec.serialFirst > spec.serialLast) {
      throw new TapkitError(
        "BATCH_INVALID",
        `batch ${spec.id}: serial range ${spec.serialFirst}-${spec.serialLast} is not a range`,
        "give first <= last, whole numbers >= 0",
      );
    }
    return this.db.transaction(
      async (tx) => {
        const existing = await this.batchIn(tx, spec.id);
        if (existing) {
          const same =
            existing.board === spec.board &&
            existing.serialFirst === spec.serialFirst &&
            existing.serialLast === spec.serialLast &&
            existing.manifestHash === (spec.manifestHash ?? "");
          if (!same) {
            throw new TapkitError(
              "BATCH_CONFLICT",
              `batch ${spec.id} exists with another board, serial range or manifest`,
              "give the new batch its own id, or use the manifest the batch was started with",
              { batch: spec.id },
            );
          }
          return existing;
        }
        const overlap = await tx.query<{ id: string }>("SELECT id FROM batches WHERE serial_first <= $2 AND serial_last >= $1 LIMIT 1", [
          spec.serialFirst,
          spec.serialLast,
        ]);
        if (overlap.length > 0) {
          throw new TapkitError(
            "BATCH_CONFLICT",
            `serial range ${spec.serialFirst}-${spec.serialLast} overlaps batch ${overlap[0].id}`,
            "serial numbers are unique across batches: choose a range no batch uses",
            { batch: spec.id, overlaps: overlap[0].id },
          );
        }
        await tx.run("INSERT INTO batches (id, board, serial_first, serial_last, next_serial, manifest_hash, created_at) VALUES ($1, $2, $3, $4, $3, $5, $6)", [
          spec.id,
          spec.board,
          spec.serialFirst,
          spec.serialLast,
          spec.manifestHash ?? "",
          new Date().toISOString(),
        ]);
        await appendAuditIn(tx, this.station, {
          batch: spec.id,
          serial: null,
          step: "batch-created",
          result: "ok",
          data: { board: spec.board, serialFirst: spec.serialFirst, serialLast: spec.serialLast, manifestHash: spec.manifestHash ?? "" },
        });
        return (await this.batchIn(tx, spec.id))!;
      },
      { lockKey: AUDIT_LOCK },
    );
  }

  async batch(id: string): Promise<Batch | undefined> {
    return this.batchIn(this.db, id);
  }

  private async batchIn(q: Queryable, id: string): Promise<Batch | undefined> {
    const [r] = await q.query<Record<string, string | number>>("SELECT * FROM batches WHERE id = $1", [id]);
    if (!r) return undefined;
    return {
      id: String(r.id),
      board: String(r.board),
      serialFirst: Number(r.serial_first),
      serialLast: Number(r.serial_last),
      nextSerial: Number(r.next_serial),
      manifestHash: String(r.manifest_hash ?? ""),
      createdAt: String(r.created_at),
    };
  }

  /**
   * The next serial and a batch-unique UID for a device, recorded as allocated by this
   * station. With a hardware id already in the batch, that device's record comes back
   * (`resumed: true`) and nothing new is allocated.
   */
  async allocateDevice(batchId: string, options: { hardwareId?: string } = {}): Promise<DeviceRecord & { resumed: boolean }> {
    return this.db.transaction(
      async (tx) => {
        if (options.hardwareId !== undefined) {
          const [found] = await tx.query<DeviceRow>("SELECT * FROM devices WHERE batch_id = $1 AND hardware_id = $2", [batchId, options.hardwareId]);
          if (found) return { ...deviceFromRow(found), resumed: true };
        }
        const [taken] = await tx.query<{ serial: number }>(
          "UPDATE batches SET next_serial = next_serial + 1 WHERE id = $1 AND next_serial <= serial_last RETURNING next_serial - 1 AS serial",
          [batchId],
        );
        if (!taken) {
          const batch = await this.batchIn(tx, batchId);
          if (!batch)
            throw new TapkitError(
              "BATCH_UNKNOWN",
              `no batch ${batchId} in ${this.db.where}`,
              "create it first (tapkit provision does so from the manifest), or check --db",
              { batch: batchId },
            );
          throw new TapkitError(
            "BATCH_EXHAUSTED",
            `batch ${batchId}: serial range ${batch.serialFirst}-${batch.serialLast} is used up`,
            "start a new batch with a fresh serial range in its manifest",
            { batch: batchId, serialLast: batch.serialLast },
          );
        }
        const serial = Number(taken.serial);
        const now = new Date().toISOString();
        for (;;) {
          const uid = randomUid();
          const inserted = await tx.query<DeviceRow>(
            `INSERT INTO devices (serial, batch_id, uid, hardware_id, station, state, step, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'allocated', 'allocated', $6, $6)
             ON CONFLICT (batch_id, uid) DO NOTHING RETURNING *`,
            [serial, batchId, uid, options.hardwareId ?? null, this.station.id, now],
          );
          if (inserted.length === 0) continue; // UID already in the batch: draw another
          const audit = await appendAuditIn(tx, this.station, {
            batch: batchId,
            serial,
            step: "allocated",
            result: "ok",
            data: { uid, hardwareId: options.hardwareId ?? null },
          });
          await tx.run("UPDATE devices SET audit_seq = $1 WHERE serial = $2", [audit.seq, serial]);
          return { ...deviceFromRow({ ...inserted[0], audit_seq: audit.seq }), resumed: false };
        }
      },
      { lockKey: AUDIT_LOCK },
    );
  }

  async device(serial: number): Promise<DeviceRecord | undefined> {
    const [r] = await this.db.query<DeviceRow>("SELECT * FROM devices WHERE serial = $1", [serial]);
    return r ? deviceFromRow(r) : undefined;
  }

  async deviceByUid(batchId: string, uid: string): Promise<DeviceRecord | undefined> {
    const [r] = await this.db.query<DeviceRow>("SELECT * FROM devices WHERE batch_id = $1 AND uid = $2", [batchId, uid.toUpperCase()]);
    return r ? deviceFromRow(r) : undefined;
  }

  async devices(batchId: string): Promise<DeviceRecord[]> {
    return (await this.db.query<DeviceRow>("SELECT * FROM devices WHERE batch_id = $1 ORDER BY serial", [batchId])).map(deviceFromRow);
  }

  async keys(serial: number): Promise<KeyRecord[]> {
    const rows = await this.db.query<{ role: string; key_id: string; kcv: string; alg: string }>(
      "SELECT role, key_id, kcv, alg FROM device_keys WHERE serial = $1 ORDER BY role",
      [serial],
    );
    return rows.map((r) => ({ role: r.role, keyId: r.key_id, kcv: r.kcv, alg: r.alg }));
  }

  /**
   * Records that a device reached a step (and what it now has), with its audit record, in one
   * transaction. `state: "provisioned"` or `"failed"` with a `result` closes the run.
   */
  async recordStep(serial: number, update: StepUpdate): Promise<DeviceRecord> {
    assertNoKeyMaterial(update.data ?? {}, "step data");
    for (const k of update.keys ?? []) {
      if (!/^[0-9A-Fa-f]{6}$/.test(k.kcv))
        throw new TapkitError("KEY_MATERIAL_REFUSED", `key ${k.keyId}: KCV must be 3 bytes (6 hex digits)`, "pass aesKcv(key), never the key");
    }
    return this.db.transaction(
      async (tx) => {
        const [before] = await tx.query<DeviceRow>("SELECT * FROM devices WHERE serial = $1", [serial]);
        if (!before)
          throw new TapkitError("DEVICE_UNKNOWN", `no device with serial ${serial} in ${this.db.where}`, "allocate it first (allocateDevice)", { serial });
        const sets: string[] = ["step = $2", "station = $3", "updated_at = $4"];
        const params: (string | number | null)[] = [serial, update.step, this.station.id, new Date().toISOString()];
        const facts: Record<string, string | number | boolean | null> = {};
        if (update.state !== undefined) {
          params.push(update.state);
          sets.push(`state = $${params.length}`);
          facts.state = update.state;
        }
        if (update.result !== undefined) {
          params.push(update.result);
          sets.push(`result = $${params.length}`);
        }
        for (const [field, column] of Object.entries(HEX_COLUMNS) as [keyof typeof HEX_COLUMNS, string][]) {
          const v = update[field];
          if (v === undefined) continue;
          params.push(hexValue(v));
          sets.push(`${column} = $${params.length}`);
          facts[field] = params[params.length - 1];
        }
        for (const k of update.keys ?? []) {
          await tx.run(
            "INSERT INTO device_keys (serial, role, key_id, kcv, alg) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (serial, role) DO UPDATE SET key_id = excluded.key_id, kcv = excluded.kcv, alg = excluded.alg",
            [serial, k.role, k.keyId, k.kcv.toUpperCase(), k.alg],
          );
          facts[`${k.role}KeyId`] = k.keyId;
          facts[`${k.role}Kcv`] = k.kcv.toUpperCase();
        }
        const audit = await appendAuditIn(tx, this.station, {
          batch: before.batch_id,
          serial,
          step: update.step,
          result: update.result ?? "ok",
          data: { ...facts, ...(update.data ?? {}) },
        });
        params.push(audit.seq);
        sets.push(`audit_seq = $${params.length}`);
        await tx.run(`UPDATE devices SET ${sets.join(", ")} WHERE serial = $1`, params);
        const [after] = await tx.query<DeviceRow>("SELECT * FROM devices WHERE serial = $1", [serial]);
        return deviceFromRow(after);
      },
      { lockKey: AUDIT_LOCK },
    );
  }
}
