// npm run bench: builds nothing itself (npm run build did), measures every board and the
// link, writes bench/results.json for machines and prints a table for people.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { listBoards, loadBoard } from "../boards/index.ts";
import { firmwarePath } from "../paths.ts";
import { measureSession, type SessionCounts } from "./session-counts.ts";
import { measureWalletPayment, type WalletPaymentCost } from "./wallet-costs.ts";
import { measureAcceptorCosts, measurePaywordRelease, type AcceptorCosts, type PaywordReleaseCost } from "./acceptor-costs.ts";
import { measureStoreCosts, type StoreCosts } from "./store-costs.ts";
import { measureQrCosts, type QrCosts } from "./qr-costs.ts";
import { measureNfcCosts, type NfcCosts } from "./nfc-costs.ts";
import { measureThroughput, haveSocat, type ThroughputResult } from "./throughput.ts";
import { measureUpdateRate, type UpdateRateResult } from "./update-rate.ts";
import type { TapBackendCosts } from "./tap-backend-costs.ts";
import { measureProvisionBatches, measureProvisionRate, type ProvisionBatchRun, type ProvisionRate } from "./provision-rate.ts";

export interface FirmwareFacts {
  board: string;
  bytes: number;
  imports: string[];
  exports: string[];
  session: SessionCounts;
  store: StoreCosts;
  /** card boards: instructions and keystore calls per offline payment, per key slot */
  wallet?: WalletPaymentCost[];
  /** card boards: releasing a PayWord word; plaque boards: accepting a voucher and checking a word */
  payword?: PaywordReleaseCost;
  acceptor?: AcceptorCosts;
  /** plaque boards: payment QR costs (instructions, encoder speed vs JS peers, module bytes) */
  qr?: QrCosts;
  /** NFC tag: instructions per SELECT, READ and full SUN/signed/static tap, keystore calls */
  nfc?: NfcCosts;
}

export interface BenchResults {
  date: string;
  node: string;
  firmware: FirmwareFacts[];
  throughput: (ThroughputResult & { target: number; met: boolean })[];
  /** `tapkit flash` image upload rate against baud/10 (issue 9: >= 90 % at 115200, >= 85 % at 921600) */
  update: (UpdateRateResult & { target: number; met: boolean })[];
  /** the tap backend (issue 15): taps/s and latency, file store vs SQLite vs PostgreSQL */
  tapBackend?: TapBackendCosts;
  /** devices per hour per station (issue 10: >= 600 at 921600) and the 4-station batch on SQLite and PostgreSQL */
  provisioning: { rates: ProvisionRate[]; batches: ProvisionBatchRun[] };
  notes: string[];
}

export const THROUGHPUT_TARGETS: Record<number, number> = { 115200: 90, 921600: 85 };

export async function runBench(
  opts: { out?: string; throughput?: boolean; tapBackend?: boolean; cli?: string; log?: (s: string) => void } = {},
): Promise<BenchResults> {
  const log = opts.log ?? (() => {});
  const notes: string[] = [];
  const firmware: FirmwareFacts[] = [];
  for (const name of listBoards()) {
    const board = loadBoard(name);
    const path = firmwarePath(name);
    const bytes = readFileSync(path);
    const mod = new WebAssembly.Module(bytes);
    log(`measuring ${name} ...`);
    firmware.push({
      board: name,
      bytes: bytes.length,
      imports: WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`),
      exports: WebAssembly.Module.exports(mod).map((e) => e.name),
      session: await measureSession(board, path),
      store: await measureStoreCosts(board, path),
      wallet: board.mode === "card" ? [await measureWalletPayment(board, path, 0), await measureWalletPayment(board, path, 1)] : undefined,
      payword: board.mode === "card" ? await measurePaywordRelease(board, path) : undefined,
      acceptor: board.mode === "plaque" ? await measureAcceptorCosts(board, path) : undefined,
      qr: await measureQrCosts(board, path, path.replace(/\.wasm$/, ".wat")),
      nfc: await measureNfcCosts(board, path),
    });
  }
  const throughput: BenchResults["throughput"] = [];
  if (opts.throughput !== false) {
    if (!haveSocat()) notes.push("socat is not installed: throughput measured over TCP instead of a pseudo-terminal (apt-get install socat)");
    const board = loadBoard("sim-plaque");
    for (const baud of [115200, 921600]) {
      log(`link throughput at ${baud} baud ...`);
      const r = await measureThroughput(board, firmwarePath(board.name), baud);
      const target = THROUGHPUT_TARGETS[baud];
      throughput.push({ ...r, target, met: r.percentOfBaud >= target });
    }
  }
  const update: BenchResults["update"] = [];
  if (opts.throughput !== false) {
    const board = loadBoard("sim-plaque");
    for (const baud of [115200, 921600]) {
      log(`image upload (tapkit flash) at ${baud} baud ...`);
      const r = await measureUpdateRate(board, firmwarePath(board.name), baud);
      const target = THROUGHPUT_TARGETS[baud];
      update.push({ ...r, target, met: r.percentOfBaud >= target });
    }
  }
  let tapBackend: TapBackendCosts | undefined;
  if (opts.tapBackend !== false) {
    // spawns `tapkit serve verify` processes: the CLI this bench runs in (dist/tapkit.mjs)
    const { measureTapBackend } = await import("./tap-backend-costs.ts");
    tapBackend = await measureTapBackend(process.argv[1], { log });
    notes.push(...tapBackend.notes);
  }
  const provisioning: BenchResults["provisioning"] = { rates: [], batches: [] };
  if (opts.throughput !== false) {
    for (const baud of [115200, 921600]) {
      log(`provisioning rate at ${baud} baud ...`);
      provisioning.rates.push(await measureProvisionRate("sim-plaque", baud));
    }
    if (opts.cli) {
      const { batches, notes: batchNotes } = await measureProvisionBatches(opts.cli, log);
      provisioning.batches = batches;
      notes.push(...batchNotes);
    }
  }
  const results: BenchResults = { date: new Date().toISOString(), node: process.version, firmware, throughput, update, provisioning, tapBackend, notes };
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(results, null, 2) + "\n");
  }
  return results;
}
