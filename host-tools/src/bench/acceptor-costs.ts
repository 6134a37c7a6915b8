// Wasm instructions the plaque spends as offline acceptor (instrumented module): accepting
// one voucher (chain of two certificates + voucher: three signature checks in the
// keystore, kid hashes, field checks, one store transaction) and checking one PayWord word
// (one SHA-256 and one store write). Both go through the link op, so link decoding of the
// ~550-byte request is included; `listOp` is a bare acceptor op for scale. The card's cost
// to release word i of an n-word chain (n - i hashes behind the HAL) is measured beside.
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { DeviceClient } from "../device/client.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import {
  certifyDevice,
  COSE_ALG_EDDSA,
  encodeVoucherPayload,
  issueCertificate,
  PlaqueAcceptor,
  provisionOverLink,
  ROLE_BATCH,
  signerFromSecret,
  signSign1,
  WalletCard,
} from "../wallet/index.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";

export interface AcceptorCosts {
  board: string;
  /** acceptor.submit of one Ed25519 voucher with its chain */
  submit: number;
  submitHalCalls: Record<string, number>;
  /** acceptor.payword: one word checked and stored */
  paywordCheck: number;
  paywordHalCalls: Record<string, number>;
  /** acceptor.list, for the link's share */
  listOp: number;
}

export interface PaywordReleaseCost {
  board: string;
  length: number;
  /** PAYWORD APDU releasing word 1 of `length` (the dearest: length - 1 hashes) */
  releaseFirst: number;
  releaseFirstHalCalls: Record<string, number>;
}

function issuer() {
  const root = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(1));
  const batch = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(2));
  return { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
}

async function counted<T>(device: SimDevice, fn: () => Promise<T>): Promise<{ instructions: number; hal: Record<string, number>; value: T }> {
  const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
  const before = new Map(device.importCalls);
  counter.value = 0n;
  const value = await fn();
  const instructions = Number(counter.value as bigint);
  const hal: Record<string, number> = {};
  for (const [name, n] of device.importCalls) if (n - (before.get(name) ?? 0)) hal[name] = n - (before.get(name) ?? 0);
  return { instructions, hal, value };
}

export async function measureAcceptorCosts(board: Board, wasmPath: string): Promise<AcceptorCosts> {
  const device = await SimDevice.create({ board, wasm: instrumentForCounting(readFileSync(wasmPath)), tickMs: 0, seed: 1 });
  const client = await DeviceClient.over(inProcessTransport(device));
  try {
    const iss = issuer();
    const plaque = new PlaqueAcceptor(client);
    await plaque.setup(iss.root.publicKey, "shop-42", "EUR");
    const card = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(3));
    const chain = certifyDevice(iss, card.publicKey, "EUR", { maxBalance: 100_000, perPayment: 1_000, cumulative: 100_000, maxCount: 100 });
    // A PayWord commitment, so the same voucher also opens a chain to check words on.
    const words = [new Uint8Array(32).fill(9)];
    for (let i = 0; i < 10; i++) words.unshift(sha256(words[0]));
    let submit = { instructions: 0, hal: {} as Record<string, number>, value: { slot: 0 } };
    for (let counter = 1; counter <= 3; counter++) {
      const ch = await plaque.challenge(50, 5);
      const voucher = signSign1(
        card,
        encodeVoucherPayload({
          version: 1,
          deviceId: card.kid,
          counter,
          amount: 50,
          currency: "EUR",
          payee: "shop-42",
          challenge: ch.challenge,
          subWallet: 0,
          balanceAfter: 1_000,
          epoch: 0,
          chain: { root: words[0], unit: 5, length: 10 },
        }),
      );
      submit = await counted(device, () => plaque.submit(voucher, chain));
    }
    const check = await counted(device, () => plaque.payword(submit.value.slot, words[1]));
    const list = await counted(device, () => plaque.status());
    return {
      board: board.name,
      submit: submit.instructions,
      submitHalCalls: submit.hal,
      paywordCheck: check.instructions,
      paywordHalCalls: check.hal,
      listOp: list.instructions,
    };
  } finally {
    await client.close();
    device.close();
  }
}

export async function measurePaywordRelease(board: Board, wasmPath: string, length = 100): Promise<PaywordReleaseCost> {
  const device = await SimDevice.create({ board, wasm: instrumentForCounting(readFileSync(wasmPath)), tickMs: 0, seed: 1 });
  try {
    const client = await DeviceClient.over(inProcessTransport(device));
    await provisionOverLink(client, issuer(), {
      pin: "1234",
      balance: 100_000,
      currency: "EUR",
      limits: { maxBalance: 100_000, perPayment: 10_000, cumulative: 100_000, maxCount: 100 },
    });
    await client.close();
    const card = new WalletCard(async (a) => device.nfcApdu(a));
    await card.select();
    await card.begin(new Uint8Array(16).fill(7), "shop-42");
    await card.signChain(1, length, "EUR");
    const r = await counted(device, () => card.payword(1));
    return { board: board.name, length, releaseFirst: r.instructions, releaseFirstHalCalls: r.hal };
  } finally {
    device.close();
  }
}
