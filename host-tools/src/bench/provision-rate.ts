// Provisioning throughput for `npm run bench` (issue 10 item 7): devices per hour per station
// on blank simulated plaques whose UART is paced at 115200 and 921600 baud (every step of
// `tapkit provision`, the phone-style verification and the lock included; the device swap is
// not), and a batch of 200 devices over 4 concurrent stations on one records database, each
// station its own process, run on a shared SQLite file and on PostgreSQL (a private server
// the bench starts, or the one TAPKIT_BENCH_DB names), checked for serials and UIDs issued
// twice and for an audit chain that verifies.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Board } from "../boards/board.ts";
import { loadBoard } from "../boards/index.ts";
import { DeviceClient } from "../device/client.ts";
import { firmwarePath } from "../paths.ts";
import { loadManifest, MANIFEST_FORMAT, type Manifest } from "../provision/manifest.ts";
import { loadBatch, openBatchRecords, provisionDevice, type BatchContext } from "../provision/provision-device.ts";
import { ProvisioningRecords, stationFromSecret, verifyAudit } from "../records/index.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { issuerInit } from "../wallet/issuer.ts";
import { findPostgresBin, startPostgres } from "../db/private-postgres.ts";

export interface ProvisionRate {
  board: string;
  baud: number;
  devices: number;
  secondsPerDevice: number;
  devicesPerHour: number;
  target: number;
  met: boolean;
}

export interface ProvisionBatchRun {
  board: string;
  baud: number;
  stations: number;
  devices: number;
  database: "postgres" | "sqlite";
  seconds: number;
  devicesPerHour: number;
  devicesPerHourPerStation: number;
  duplicateSerials: number;
  duplicateUids: number;
  /** each station process: devices, its own seconds, devices per hour */
  perStation: { station: number; devices: number; seconds: number; devicesPerHour: number }[];
  auditRecords: number;
  /** the whole trail verifies (hash chain, station signatures, device rows) */
  auditOk: boolean;
}

/** Issue 10's target at 921600 baud; 115200 is reported beside it. */
export const PROVISION_TARGET_PER_HOUR = 600;

const MERCHANT = {
  name: "BENCH CAFE",
  city: "LISBOA",
  country: "PT",
  currency: "978",
  mcc: "5812",
  accounts: [{ id: 26, gui: "PT.EXAMPLE.PAY", fields: { "01": "B1" } }],
};

function benchBatch(dir: string, board: Board, batch: string, serials: { first: number; last: number }): BatchContext {
  issuerInit(join(dir, "issuer"));
  writeFileSync(join(dir, "meta.key"), randomBytes(16).toString("hex"));
  writeFileSync(join(dir, "file.key"), randomBytes(16).toString("hex"));
  const m: Manifest = {
    format: MANIFEST_FORMAT,
    board: board.name,
    batch,
    issuer: "issuer",
    serials,
    keys: { sunMeta: { id: "bench-meta", file: "meta.key" }, sunFile: { id: "bench-file", file: "file.key" } },
    tag: { url: "https://tap.example.com/t?p={picc}&c={mac}" },
    ...(board.mode === "plaque"
      ? { merchant: MERCHANT }
      : { wallet: { currency: "EUR", balance: 100, pin: "1234", limits: { maxBalance: 1000, perPayment: 100, cumulative: 500, maxCount: 5 } } }),
  };
  writeFileSync(join(dir, "batch.json"), JSON.stringify(m));
  return loadBatch(loadManifest(join(dir, "batch.json")));
}

async function openRecords(url: string, id: string, batch: BatchContext): Promise<ProvisioningRecords> {
  const records = await ProvisioningRecords.open(url, stationFromSecret(id, new Uint8Array(randomBytes(32))));
  await openBatchRecords(records, batch.manifest);
  return records;
}

/** One device: a blank board paced at `baud`, provisioned start to lock; seconds of the run. */
async function oneDevice(board: Board, wasm: string, baud: number, batch: BatchContext, records: ProvisioningRecords, seed: number): Promise<number> {
  const device = await SimDevice.create({ board, wasm, blank: true, baud, seed });
  try {
    const t0 = performance.now();
    const client = await DeviceClient.over(inProcessTransport(device), undefined, { baud });
    try {
      await provisionDevice(client, batch, records);
    } finally {
      await client.close();
    }
    return (performance.now() - t0) / 1000;
  } finally {
    device.close();
  }
}

export async function measureProvisionRate(boardName: string, baud: number, devices = 5): Promise<ProvisionRate> {
  const board = loadBoard(boardName);
  const dir = mkdtempSync(join(tmpdir(), "tapkit-bench-prov-"));
  try {
    const batch = benchBatch(dir, board, `rate-${baud}`, { first: 1, last: 100_000 });
    const records = await openRecords(`sqlite:${join(dir, "records.sqlite")}`, "bench-1", batch);
    try {
      await oneDevice(board, firmwarePath(board.name), baud, batch, records, 1); // warm-up: JIT, first zbarimg
      let seconds = 0;
      for (let i = 0; i < devices; i++) seconds += await oneDevice(board, firmwarePath(board.name), baud, batch, records, 10 + i);
      const perDevice = seconds / devices;
      const perHour = 3600 / perDevice;
      return {
        board: boardName,
        baud,
        devices,
        secondsPerDevice: perDevice,
        devicesPerHour: perHour,
        target: PROVISION_TARGET_PER_HOUR,
        met: perHour >= PROVISION_TARGET_PER_HOUR,
      };
    } finally {
      await records.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StationWorkerSpec {
  dir: string;
  url: string;
  board: string;
  baud: number;
  station: number;
  count: number;
}

/**
 * One station process of the batch run (`tapkit bench --station-worker SPEC`): its own link
 * sessions, simulators and database connection, as a line's station PC has. SQLite's locks
 * block the whole process while they wait, so stations must be processes, not promises.
 */
export async function runStationWorker(spec: StationWorkerSpec): Promise<{ devices: number; seconds: number }> {
  const board = loadBoard(spec.board);
  const batch = loadBatch(loadManifest(join(spec.dir, "batch.json")));
  const records = await openRecords(spec.url, `bench-st${spec.station}-${process.pid}`, batch);
  try {
    const t0 = performance.now();
    for (let i = 0; i < spec.count; i++) await oneDevice(board, firmwarePath(board.name), spec.baud, batch, records, 1000 + spec.station * 10_000 + i);
    return { devices: spec.count, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await records.close();
  }
}

/** 200 devices over 4 station processes on one database (`dbUrl`, default a fresh SQLite file); `cli` is the tapkit entry the stations run. */
export async function measureProvisionBatch(
  cli: string,
  boardName: string,
  baud: number,
  dbUrl?: string,
  stations = 4,
  devices = 200,
): Promise<ProvisionBatchRun> {
  const board = loadBoard(boardName);
  const dir = mkdtempSync(join(tmpdir(), "tapkit-bench-batch-"));
  try {
    const batchId = `batch-${Date.now()}`;
    const batch = benchBatch(dir, board, batchId, { first: 1_000_000, last: 1_000_000 + devices - 1 });
    const url = dbUrl ?? `sqlite:${join(dir, "records.sqlite")}`;
    const setup = await openRecords(url, `bench-setup-${process.pid}`, batch);
    try {
      const t0 = performance.now();
      const perStation = await Promise.all(
        Array.from({ length: stations }, (_, s) => {
          const count = Math.floor(devices / stations) + (s < devices % stations ? 1 : 0);
          const spec: StationWorkerSpec = { dir, url, board: boardName, baud, station: s + 1, count };
          return new Promise<ProvisionBatchRun["perStation"][number]>((resolve, reject) => {
            const child = spawn(process.execPath, [cli, "bench", "--station-worker", JSON.stringify(spec), "--json"], { stdio: ["ignore", "pipe", "pipe"] });
            let err = "";
            let answer = "";
            child.stdout.on("data", (d) => (answer += d));
            child.stderr.on("data", (d) => (err += d));
            child.on("exit", (code) => {
              if (code !== 0) return reject(new Error(`bench station ${s + 1} exited ${code}: ${err}`));
              const r = JSON.parse(answer) as { devices: number; seconds: number };
              resolve({ station: s + 1, devices: r.devices, seconds: r.seconds, devicesPerHour: (3600 * r.devices) / r.seconds });
            });
          });
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const rows = await setup.devices(batchId);
      const dup = (xs: unknown[]) => xs.length - new Set(xs).size;
      if (rows.length !== devices) throw new Error(`bench: ${rows.length} device records for ${devices} devices`);
      const audit = await verifyAudit(setup.db);
      return {
        board: boardName,
        baud,
        stations,
        devices,
        database: url.startsWith("postgres") ? "postgres" : "sqlite",
        seconds,
        devicesPerHour: (3600 * devices) / seconds,
        devicesPerHourPerStation: (3600 * devices) / seconds / stations,
        duplicateSerials: dup(rows.map((r) => r.serial)),
        duplicateUids: dup(rows.map((r) => r.uid)),
        perStation,
        auditRecords: audit.records,
        auditOk: audit.ok,
      };
    } finally {
      await setup.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The 200-device / 4-station batch on a shared SQLite file, then on PostgreSQL: the server
 * TAPKIT_BENCH_DB names, else a private one started here (skipped with a note when Debian's
 * postgresql is not installed).
 */
export async function measureProvisionBatches(cli: string, log: (s: string) => void): Promise<{ batches: ProvisionBatchRun[]; notes: string[] }> {
  const batches: ProvisionBatchRun[] = [];
  const notes: string[] = [];
  log("provisioning 200 plaques over 4 station processes on SQLite ...");
  batches.push(await measureProvisionBatch(cli, "sim-plaque", 921600));
  const named = process.env.TAPKIT_BENCH_DB;
  if (named) {
    log("provisioning 200 plaques over 4 station processes on TAPKIT_BENCH_DB ...");
    batches.push(await measureProvisionBatch(cli, "sim-plaque", 921600, named));
    return { batches, notes };
  }
  const bin = findPostgresBin();
  if (!bin) {
    notes.push("provisioning batch on PostgreSQL skipped: Debian's postgresql (initdb, pg_ctl) is not installed; .ci/run installs it");
    return { batches, notes };
  }
  const pg = await startPostgres(bin);
  try {
    log("provisioning 200 plaques over 4 station processes on a private PostgreSQL ...");
    batches.push(await measureProvisionBatch(cli, "sim-plaque", 921600, pg.createDatabase("bench_provision")));
  } finally {
    pg.stop();
  }
  return { batches, notes };
}
