// Power cuts on the plaque's acceptor storage: vouchers (from a host-side certified card
// key, so the campaign measures the plaque alone) are submitted while power is cut at a
// random flash operation, before, during or after it; every so often the held vouchers
// are exported and cleared, also under cuts. After every reboot the promises are checked:
// an acknowledged voucher is never lost; a voucher is held whole or not at all (the held
// count moves by at most one, the held bytes verify and are the bytes submitted); the
// card's counter freshness survives the cut (resubmitting a committed counter is refused);
// a clear leaves all vouchers or none.
import type { Board } from "../boards/board.ts";
import { DeviceClient } from "../device/client.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { SeededRandom } from "../sim/seeded-random.ts";
import type { CutPhase } from "../sim/flash.ts";
import { certifyDevice, type IssuerFiles } from "./issuer.ts";
import { signSign1 } from "../cose/cose-sign1.ts";
import { encodeVoucherPayload } from "./voucher.ts";
import { decodeBundle } from "./bundle.ts";
import { verifyVoucher } from "./verify-voucher.ts";
import { PlaqueAcceptor } from "./plaque-client.ts";
import { COSE_ALG_EDDSA, signerFromSecret } from "../cose/sig-alg.ts";
import { bytesEqual } from "../cose/det-cbor.ts";

export interface AcceptorCampaignOptions {
  board: Board;
  wasmPath: string;
  issuer: IssuerFiles;
  cuts: number;
  seed?: number;
}

export interface AcceptorCampaignResult {
  cuts: number;
  submits: number;
  committedAtCut: number;
  clears: number;
  exported: number;
  violations: string[];
}

const PHASES: CutPhase[] = ["before", "during", "after"];
const ENVELOPE = { maxBalance: 1_000_000, perPayment: 1_000, cumulative: 0xffffffff, maxCount: 0xffffffff };

export async function acceptorCutCampaign(o: AcceptorCampaignOptions): Promise<AcceptorCampaignResult> {
  const rnd = new SeededRandom(o.seed ?? 3);
  const device = await SimDevice.create({ board: o.board, wasm: o.wasmPath, tickMs: 0, seed: o.seed ?? 3 });
  const result: AcceptorCampaignResult = { cuts: 0, submits: 0, committedAtCut: 0, clears: 0, exported: 0, violations: [] };
  // A cut loses the answer: a short per-request timeout and no retry keep each cut cheap.
  const client = await DeviceClient.over(inProcessTransport(device), "sim", { timeoutMs: 25, retries: 0 });
  try {
    const plaque = new PlaqueAcceptor(client);
    await plaque.setup(o.issuer.root.publicKey, "p", "EUR");
    const key = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x42));
    const chain = certifyDevice(o.issuer, key.publicKey, "EUR", ENVELOPE);
    const held: Uint8Array[] = []; // what the plaque must hold, in slot order
    let counter = 0;
    let uncertain: Uint8Array | null = null; // submitted when the power was cut
    const fail = (msg: string) => result.violations.length < 20 && result.violations.push(`submit ${result.submits}: ${msg}`);
    const cutSomewhere = (range: number) => device.flash.cutPowerAt({ op: 1 + rnd.below(range), phase: PHASES[rnd.below(3)] });

    while (result.cuts < o.cuts && result.violations.length === 0) {
      if (held.length >= 16 || (held.length > 0 && rnd.below(40) === 0)) {
        // Export everything, then clear under a possible cut: all or nothing.
        const bundles = await plaque.exportAll();
        if (bundles.length !== held.length) fail(`export gave ${bundles.length} vouchers, ${held.length} held`);
        bundles.forEach((b, i) => {
          const bundle = decodeBundle(b);
          if (!bytesEqual(bundle.voucher, held[i])) fail(`slot ${i} holds other bytes than were accepted`);
          verifyVoucher(bundle, o.issuer.root.publicKey);
        });
        result.exported += bundles.length;
        const boots = device.boots;
        if (rnd.below(2)) cutSomewhere(held.length * 2 + 4);
        await plaque.clear().catch(() => null);
        device.flash.onOperation(null);
        if (device.boots !== boots) result.cuts++;
        const after = (await plaque.status()).held;
        if (after === 0) held.length = 0;
        else if (after !== held.length) fail(`clear cut left ${after} of ${held.length} vouchers`);
        result.clears++;
        continue;
      }
      counter++;
      const ch = await plaque.challenge(1 + rnd.below(100));
      const voucher = signSign1(
        key,
        encodeVoucherPayload({
          version: 1,
          deviceId: key.kid,
          counter,
          amount: ch.amount,
          currency: "EUR",
          payee: "p",
          challenge: ch.challenge,
          subWallet: 0,
          balanceAfter: 500_000,
          epoch: 0,
        }),
      );
      const boots = device.boots;
      // A submit is one transaction (one program), plus erases and copies when it compacts.
      cutSomewhere(3);
      let acked = false;
      try {
        await plaque.submit(voucher, chain);
        acked = true;
      } catch (e) {
        if ((e as { code?: string }).code !== "TIMEOUT") throw e;
      }
      device.flash.onOperation(null);
      result.submits++;
      const cut = device.boots !== boots;
      if (cut) result.cuts++;
      if (!cut && !acked) fail("refused without a cut");
      const now = (await plaque.status()).held;
      if (now === held.length + 1) {
        held.push(voucher);
        if (cut) result.committedAtCut++;
        uncertain = voucher;
      } else if (now === held.length) {
        if (acked) fail("acknowledged voucher lost");
        uncertain = null;
      } else fail(`held moved from ${held.length} to ${now}`);
      // Freshness survives: resubmitting a committed counter must be refused.
      if (uncertain && cut) {
        const c2 = await plaque.challenge(1);
        const again = signSign1(
          key,
          encodeVoucherPayload({
            version: 1,
            deviceId: key.kid,
            counter,
            amount: 1,
            currency: "EUR",
            payee: "p",
            challenge: c2.challenge,
            subWallet: 0,
            balanceAfter: 500_000,
            epoch: 0,
          }),
        );
        const code = await plaque.submit(again, chain).then(
          () => "accepted",
          (e) => (e as { code?: string }).code,
        );
        if (code !== "COUNTER_REUSED") fail(`counter ${counter} resubmitted after a committed cut: ${code}`);
      }
    }
    return result;
  } finally {
    await client.close().catch(() => {});
    device.close();
  }
}
