// A provisioning line in one process: an issuer directory, SUN master key files and a batch
// manifest in a temp directory, a blank simulated board (real firmware build) with a link
// client over the in-process transport, whose every byte both ways is captured, and the
// device's log lines collected.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { issuerInit } from "../../host-tools/src/wallet/issuer.ts";
import { loadManifest, type LoadedManifest, type Manifest } from "../../host-tools/src/provision/manifest.ts";
import type { Transport } from "../../host-tools/src/link/transport.ts";
import { ProvisioningRecords, stationFromSecret } from "../../host-tools/src/records/index.ts";
import { openBatchRecords } from "../../host-tools/src/provision/provision-device.ts";

type Finisher = { onTestFinished(fn: () => Promise<void> | void): void };

export const MERCHANT = {
  name: "CAFE TAPKIT",
  city: "LISBOA",
  country: "PT",
  currency: "978",
  mcc: "5812",
  accounts: [{ id: 26, gui: "PT.EXAMPLE.PAY", fields: { "01": "CAFE-42" } }],
};

export const WALLET = { currency: "EUR", balance: 5000, pin: "2468", limits: { maxBalance: 50000, perPayment: 2000, cumulative: 5000, maxCount: 10 } };

export interface Line {
  dir: string;
  manifestPath: string;
  manifest: LoadedManifest;
  masters: { meta: Uint8Array; file: Uint8Array };
  dbPath: string;
}

/** Issuer, key files, `files` (name -> content) and manifest for `board` in a fresh directory. */
export function makeLine(
  t: Finisher,
  board: "sim-plaque" | "sim-card",
  edit: (m: Manifest) => void = () => {},
  files: Record<string, string | Uint8Array> = {},
): Line {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-prov-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  issuerInit(join(dir, "issuer"));
  const masters = { meta: new Uint8Array(randomBytes(16)), file: new Uint8Array(randomBytes(16)) };
  writeFileSync(join(dir, "sun-meta.key"), Buffer.from(masters.meta).toString("hex") + "\n");
  writeFileSync(join(dir, "sun-file.key"), Buffer.from(masters.file).toString("hex") + "\n");
  const m: Manifest = {
    format: "tapkit-manifest/1",
    board,
    batch: "B2026-12",
    firmware: { version: "0.1.0" },
    issuer: "issuer",
    serials: { first: 1000, last: 1999 },
    keys: { sunMeta: { id: "sun-meta-2026", file: "sun-meta.key" }, sunFile: { id: "sun-file-2026", file: "sun-file.key" } },
    tag: { url: "https://tap.example.com/t?p={picc}&c={mac}" },
    ...(board === "sim-plaque" ? { merchant: MERCHANT } : { wallet: WALLET }),
  };
  edit(m);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const manifestPath = join(dir, "batch.json");
  writeFileSync(manifestPath, JSON.stringify(m, null, 2));
  return { dir, manifestPath, manifest: loadManifest(manifestPath), masters, dbPath: join(dir, "records.sqlite") };
}

export interface Station {
  device: SimDevice;
  client: DeviceClient;
  /** every link byte, host to device and back */
  capture: Uint8Array[];
  logs: string[];
  reconnect(): Promise<DeviceClient>;
}

function capturing(inner: Transport, capture: Uint8Array[]): Transport {
  return {
    description: inner.description,
    write: async (bytes) => {
      capture.push(bytes.slice());
      return inner.write(bytes);
    },
    onData: (cb) =>
      inner.onData((b) => {
        capture.push(b.slice());
        cb(b);
      }),
    onClose: inner.onClose ? (cb) => inner.onClose!(cb) : undefined,
    close: () => inner.close(),
  };
}

/** A blank simulated board of `board` and a client on it. */
export async function blankStation(
  t: Finisher,
  board: "sim-plaque" | "sim-card",
  opts: { seed?: number; timeoutMs?: number; retries?: number; bootFromSlots?: boolean; tickMs?: number } = {},
): Promise<Station> {
  const device = await SimDevice.create({
    board: loadBoard(board),
    wasm: firmwarePath(board),
    tickMs: opts.tickMs ?? 0,
    seed: opts.seed ?? 1,
    blank: true,
    bootFromSlots: opts.bootFromSlots,
  });
  const capture: Uint8Array[] = [];
  const logs: string[] = [];
  const open = async () => {
    const c = await DeviceClient.over(capturing(inProcessTransport(device), capture), undefined, { timeoutMs: opts.timeoutMs, retries: opts.retries });
    c.onLog((l) => logs.push(l.msg));
    return c;
  };
  const station: Station = {
    device,
    client: await open(),
    capture,
    logs,
    async reconnect() {
      await station.client.close().catch(() => {});
      station.client = await open();
      return station.client;
    },
  };
  t.onTestFinished(async () => {
    await station.client.close().catch(() => {});
    device.close();
  });
  return station;
}

/** The line's records (SQLite unless `url` says otherwise) as station `id`, with the manifest's batch created. */
export async function lineRecords(t: Finisher, line: Line, id = "test-1", url = `sqlite:${line.dbPath}`): Promise<ProvisioningRecords> {
  const records = await ProvisioningRecords.open(url, stationFromSecret(id, new Uint8Array(randomBytes(32))));
  t.onTestFinished(() => records.close().catch(() => {}));
  await openBatchRecords(records, line.manifest);
  return records;
}
