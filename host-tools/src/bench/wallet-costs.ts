// Wasm instructions per offline payment on a card board (BEGIN PAYMENT + SIGN VOUCHER),
// counted with the instrumented module. Keystore and SHA-256 run natively behind the HAL,
// so every counted instruction is "outside the keystore"; the HAL calls are listed beside
// them (ks_sign, flash). Target (issue 6): at most 100,000 instructions per payment.
// The same session then measures one issuer SYNC (token check in place, one ks_verify, one
// transaction): `sync` instructions, its HAL calls and the token's size.
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { DeviceClient } from "../device/client.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { buildSyncToken, COSE_ALG_EDDSA, issueCertificate, provisionOverLink, ROLE_BATCH, signerFromSecret, WalletCard } from "../wallet/index.ts";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";

export const WALLET_PAYMENT_BUDGET = 100_000;
/** SYNC outside the keystore: COSE/CBOR parse of token and batch certificate, one transaction. */
export const WALLET_SYNC_BUDGET = 100_000;

export interface WalletPaymentCost {
  board: string;
  slot: number;
  begin: number;
  sign: number;
  /** begin + sign */
  instructions: number;
  budget: number;
  met: boolean;
  halCalls: Record<string, number>;
  keystoreCalls: number;
  voucherBytes: number;
  /** one SYNC with a top-up and a new envelope (Ed25519 batch key) */
  sync: number;
  syncBudget: number;
  syncHalCalls: Record<string, number>;
  syncTokenBytes: number;
}

function halDelta(device: SimDevice, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of device.importCalls) {
    const d = n - (before.get(name) ?? 0);
    if (d) out[name] = d;
  }
  return out;
}

// Instrumenting with Binaryen takes seconds; both key slots measure the same module.
/**
 * Provisions a card for the payment benches (here and cortex-m-costs.ts): fixed issuer keys,
 * PIN 1234, 1,000.00 EUR, wide limits. Returns the issuer (its batch key signs SYNC tokens).
 */
export async function provisionBenchCard(client: DeviceClient, slot: number) {
  const root = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(1));
  const batch = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(2));
  const issuer = { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
  await provisionOverLink(client, issuer, {
    pin: "1234",
    balance: 100_000,
    currency: "EUR",
    limits: { maxBalance: 100_000, perPayment: 1_000, cumulative: 100_000, maxCount: 100 },
    slot,
  });
  return issuer;
}

const instrumented = new Map<string, Uint8Array>();

function countingModule(wasmPath: string): Uint8Array {
  let bytes = instrumented.get(wasmPath);
  if (!bytes) instrumented.set(wasmPath, (bytes = instrumentForCounting(readFileSync(wasmPath))));
  return bytes;
}

/** Measures the Nth payment (after a few warm-up payments, so the numbers are steady state). */
export async function measureWalletPayment(board: Board, wasmPath: string, slot = 0): Promise<WalletPaymentCost> {
  const device = await SimDevice.create({ board, wasm: countingModule(wasmPath), tickMs: 0, seed: 1 });
  try {
    const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
    const client = await DeviceClient.over(inProcessTransport(device));
    const { batch } = await provisionBenchCard(client, slot);
    await client.close();
    const card = new WalletCard(async (a) => device.nfcApdu(a));
    await card.select();
    for (let i = 0; i < 3; i++) await card.pay({ amount: 10, currency: "EUR", payee: "warm-up" });
    const calls = new Map(device.importCalls);
    counter.value = 0n;
    await card.begin(new Uint8Array(16).fill(7), "shop-42", 1_700_000_000);
    const begin = Number(counter.value as bigint);
    counter.value = 0n;
    const voucher = await card.sign(250, "EUR");
    const sign = Number(counter.value as bigint);
    const halCalls = halDelta(device, calls);
    const keystoreCalls = Object.entries(halCalls)
      .filter(([k]) => k.startsWith("ks_"))
      .reduce((a, [, n]) => a + n, 0);
    const instructions = begin + sign;
    const info = await card.info();
    const token = buildSyncToken(batch, {
      deviceId: new Uint8Array(info.kid),
      epoch: info.epoch! + 1,
      settledCounter: info.ctr!,
      topUp: 1_000,
      envelope: { maxBalance: 200_000, perPayment: 1_000, cumulative: 100_000, maxCount: 100 },
    });
    const syncCalls = new Map(device.importCalls);
    counter.value = 0n;
    await card.sync(token);
    const sync = Number(counter.value as bigint);
    const syncHalCalls = halDelta(device, syncCalls);
    return {
      board: board.name,
      slot,
      begin,
      sign,
      instructions,
      budget: WALLET_PAYMENT_BUDGET,
      met: instructions <= WALLET_PAYMENT_BUDGET,
      halCalls,
      keystoreCalls,
      voucherBytes: voucher.length,
      sync,
      syncBudget: WALLET_SYNC_BUDGET,
      syncHalCalls,
      syncTokenBytes: token.length,
    };
  } finally {
    device.close();
  }
}
