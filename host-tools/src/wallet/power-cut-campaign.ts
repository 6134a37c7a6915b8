// Power cuts on the payment path (and, below, inside SYNC): runs payments on a simulated card and cuts power at a
// random flash operation (before, during or after it) inside SIGN VOUCHER, then reboots and
// checks the invariants the wallet promises: a counter is never reused, no value is
// created or lost (the balance is either untouched or debited by exactly the amount), the
// newest log entry agrees with the balance and the counter, and every debit has a voucher
// the host can read again (READ LAST VOUCHER: signed, of that counter, byte-equal to the one
// the host got if it got one).
import type { Board } from "../boards/board.ts";
import { DeviceClient } from "../device/client.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { SeededRandom } from "../sim/seeded-random.ts";
import type { CutPhase } from "../sim/flash.ts";
import { WalletCard, parseLogEntry } from "./card-client.ts";
import { provisionOverLink } from "./card-link.ts";
import type { IssuerFiles } from "./issuer.ts";
import { checkSign1, decodeSign1 } from "../cose/cose-sign1.ts";
import { decodeVoucherPayload } from "./voucher.ts";
import { buildSyncToken, decodeSyncToken } from "./sync-token.ts";
import { withStoreRecords } from "./store-records.ts";
import { TapkitError } from "../errors/index.ts";

export interface CampaignOptions {
  board: Board;
  wasmPath: string;
  issuer: IssuerFiles;
  /** power cuts that must actually fire */
  cuts: number;
  seed?: number;
}

export interface CampaignResult {
  cuts: number;
  payments: number;
  committedAtCut: number;
  vouchersReleased: number;
  /** debits cut before the host got the voucher, whose voucher the card kept (read again after the reboot) */
  vouchersRecovered: number;
  counterGaps: number;
  /** SIGN refusals by the store (uncut payments the store would not commit), by error */
  storeRefusals: Record<string, number>;
  violations: string[];
}

const PHASES: CutPhase[] = ["before", "during", "after"];
const OPENING = 1_000_000_000;

export async function powerCutCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const rnd = new SeededRandom(o.seed ?? 7);
  const device = await SimDevice.create({ board: o.board, wasm: o.wasmPath, tickMs: 0, seed: o.seed ?? 7 });
  const result: CampaignResult = {
    cuts: 0,
    payments: 0,
    committedAtCut: 0,
    vouchersReleased: 0,
    vouchersRecovered: 0,
    counterGaps: 0,
    storeRefusals: {},
    violations: [],
  };
  try {
    const client = await DeviceClient.over(inProcessTransport(device));
    await provisionOverLink(client, o.issuer, {
      pin: "1234",
      balance: OPENING,
      currency: "EUR",
      limits: { maxBalance: OPENING, perPayment: 10, cumulative: 0xffffffff, maxCount: 0xffffffff },
    });
    await client.close();
    const card = new WalletCard(async (a) => device.nfcApdu(a));
    const seen = new Set<number>();
    let balance = OPENING;
    let lastCounter = 0;
    let lastSeq = (await newestLog(device)).seq;
    // Flash operations of one uncut payment set where cuts are aimed.
    const before = device.flash.operations;
    await card.select();
    await card.pay({ amount: 1, currency: "EUR", payee: "probe" });
    // Compaction can add erases and copies before the commit; aim past it too, so a cut
    // sometimes misses and a pending compaction gets to finish.
    const cutRange = Math.max(1, device.flash.operations - before) + 3;
    balance -= 1;
    lastCounter = 1;
    seen.add(1);
    lastSeq++;
    const fail = (msg: string) => result.violations.length < 20 && result.violations.push(`payment ${result.payments}: ${msg}`);

    let refusedInARow = 0;
    while (result.cuts < o.cuts && result.violations.length === 0) {
      const amount = 1 + rnd.below(10);
      await card.select();
      await card.begin(
        new Uint8Array(16).map(() => rnd.below(256)),
        "p",
      );
      const bootsBefore = device.boots;
      device.flash.cutPowerAt({ op: 1 + rnd.below(cutRange), phase: PHASES[rnd.below(3)] });
      let voucher: Uint8Array | null = null;
      try {
        voucher = await card.sign(amount, "EUR");
      } catch (e) {
        if (e instanceof TapkitError && e.details.storeError !== undefined) {
          const store = String(e.details.storeError);
          result.storeRefusals[store] = (result.storeRefusals[store] ?? 0) + 1;
          if (++refusedInARow >= 50) fail(`the store refused 50 payments in a row (error ${store}): the wallet is stuck`);
        } else if ((e as { code?: string }).code !== "SIM_TAG_LOST") throw e;
      }
      if (voucher) refusedInARow = 0;
      device.flash.onOperation(null);
      result.payments++;
      const cut = device.boots !== bootsBefore;
      if (cut) result.cuts++;
      if (voucher) {
        result.vouchersReleased++;
        const c = decodeVoucherPayload(decodeSign1(voucher, "voucher").payload).counter;
        if (seen.has(c)) fail(`counter ${c} reused`);
        seen.add(c);
      }
      await card.select();
      const info = await card.info();
      const log = await newestLog(device);
      const kept = await card.lastVoucher();
      const keptCounter = kept ? decodeVoucherPayload(decodeSign1(kept, "kept voucher").payload).counter : 0;
      if (info.bal === balance - amount) {
        // Every debit leaves its voucher on the card, signed, whether or not the host got it.
        if (!kept || keptCounter !== log.counter) fail(`debit of counter ${log.counter} but the card keeps voucher ${keptCounter || "none"}`);
        else {
          try {
            checkSign1(decodeSign1(kept, "kept voucher"), info.pub, info.alg, "kept voucher");
          } catch (e) {
            fail(`kept voucher ${keptCounter}: ${(e as Error).message}`);
          }
          if (voucher && Buffer.compare(voucher, kept) !== 0) fail(`kept voucher ${keptCounter} differs from the one the host got`);
          if (!voucher) result.vouchersRecovered++;
        }
        if (cut) result.committedAtCut++;
        if (log.seq !== lastSeq + 1 || log.kind !== "payment" || log.amount !== amount || log.balanceAfter !== info.bal)
          fail(`debited but log says ${JSON.stringify(log)}`);
        if (log.counter <= lastCounter) fail(`log counter ${log.counter} not above ${lastCounter}`);
        if (voucher === null && !cut) fail("debited without a voucher and without a cut");
        result.counterGaps += log.counter - lastCounter - 1;
        if (!voucher && seen.has(log.counter)) fail(`counter ${log.counter} reused`);
        seen.add(log.counter);
        lastCounter = log.counter;
        lastSeq = log.seq;
        balance = info.bal!;
      } else if (info.bal === balance) {
        if (voucher) fail("voucher released but the balance was not debited");
        if (keptCounter !== lastCounter) fail(`no debit, but the kept voucher moved from ${lastCounter} to ${keptCounter}`);
        if (log.seq !== lastSeq) fail(`balance unchanged but the log moved to ${log.seq}`);
      } else {
        fail(`balance ${info.bal}, expected ${balance} or ${balance - amount}`);
      }
      if ((info.ctr ?? 0) < lastCounter) fail(`counter went back to ${info.ctr}`);
    }
    return result;
  } finally {
    device.close();
  }
}

async function newestLog(device: SimDevice) {
  device.nfcApdu(Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x07, 0xf0, 0x74, 0x61, 0x70, 0x6b, 0x57, 0x31]));
  const r = device.nfcApdu(Uint8Array.from([0x00, 0xb2, 0x01, 0x04]));
  return parseLogEntry(r.subarray(0, r.length - 2));
}

export interface SyncCampaignResult {
  cuts: number;
  syncs: number;
  /** cuts after which the sync had committed (the rest left the card pre-sync) */
  committedAtCut: number;
  /** flash operations of one uncut sync (where cuts are aimed, plus a few beyond) */
  opsPerSync: number;
  violations: string[];
}

/** The wallet records a sync rewrites, read through the link's store ops: config and sub-wallets. */
interface WalletRecords {
  epoch: number;
  spent: number;
  count: number;
  subs: { balance: number; spent: number; count: number }[];
}

async function readRecords(device: SimDevice): Promise<WalletRecords> {
  return withStoreRecords(device, async (get) => {
    const cfg = (await get(0x0300, 36))!;
    const subs = [];
    for (let i = 0; i < 2; i++) {
      const s = (await get(0x0310 + i, 28))!;
      subs.push({ balance: s.getUint32(4, true), spent: s.getUint32(20, true), count: s.getUint32(24, true) });
    }
    return { epoch: cfg.getUint32(8, true), spent: cfg.getUint32(28, true), count: cfg.getUint32(32, true), subs };
  });
}

/**
 * Power cuts inside SYNC: before each sync the card pays from sub-wallets 0 and 1 (so the
 * totals are not zero), then the token for epoch + 1 is sent with power cut at a random
 * flash operation. After the reboot the card must be wholly pre-sync or wholly post-sync
 * (epoch, balance, spent/count of card and sub-wallets, newest log entry), and the token
 * must then be refused as a replay (applied once) or, if it did not land, apply exactly once.
 */
export async function syncCutCampaign(o: CampaignOptions): Promise<SyncCampaignResult> {
  const rnd = new SeededRandom(o.seed ?? 7);
  const device = await SimDevice.create({ board: o.board, wasm: o.wasmPath, tickMs: 0, seed: o.seed ?? 7 });
  const result: SyncCampaignResult = { cuts: 0, syncs: 0, committedAtCut: 0, opsPerSync: 0, violations: [] };
  const fail = (msg: string) => result.violations.length < 20 && result.violations.push(`sync ${result.syncs}: ${msg}`);
  try {
    const client = await DeviceClient.over(inProcessTransport(device));
    await provisionOverLink(client, o.issuer, {
      pin: "1234",
      balance: OPENING,
      currency: "EUR",
      limits: { maxBalance: 0xffffffff, perPayment: 10, cumulative: 0xffffffff, maxCount: 0xffffffff },
    });
    await client.close();
    const card = new WalletCard(async (a) => device.nfcApdu(a));
    await card.select();
    await card.verifyPin("1234");
    await card.fund(1, 100_000);
    const kid = new Uint8Array((await card.info()).kid);
    const token = async () => {
      const info = await card.info();
      return buildSyncToken(o.issuer.batch, { deviceId: kid, epoch: info.epoch! + 1, settledCounter: rnd.below(info.ctr! + 1), topUp: rnd.below(100) });
    };
    const sync = async (t: Uint8Array) => {
      try {
        await card.sync(t);
        return "ok";
      } catch (e) {
        if ((e as { code?: string }).code === "SIM_TAG_LOST") return "cut";
        if (e instanceof TapkitError && e.details.reason !== undefined) return `refused ${e.details.reason}`;
        throw e;
      }
    };
    // One uncut sync measures where to aim.
    const before = device.flash.operations;
    await sync(await token());
    result.opsPerSync = device.flash.operations - before;
    const cutRange = Math.max(1, result.opsPerSync) + 3;

    while (result.cuts < o.cuts && result.violations.length === 0) {
      await card.select();
      await card.pay({ amount: 1 + rnd.below(10), currency: "EUR", payee: "p" });
      await card.pay({ amount: 1 + rnd.below(10), currency: "EUR", payee: "p", subWallet: 1 });
      const t = await token();
      const topUp = decodeSyncToken(t).topUp;
      const pre = await readRecords(device);
      const preLog = await newestLog(device);
      const bootsBefore = device.boots;
      device.flash.cutPowerAt({ op: 1 + rnd.below(cutRange), phase: PHASES[rnd.below(3)] });
      const outcome = await sync(t);
      device.flash.onOperation(null);
      result.syncs++;
      const cut = device.boots !== bootsBefore;
      if (cut) result.cuts++;
      else if (outcome !== "ok") fail(`uncut sync answered ${outcome}`);
      await card.select();
      const post = await readRecords(device);
      const log = await newestLog(device);
      const info = await card.info();
      if (info.epoch !== post.epoch || info.bal !== post.subs[0].balance)
        fail(`info ${JSON.stringify(info)} disagrees with the records ${JSON.stringify(post)}`);
      const untouched = JSON.stringify(post) === JSON.stringify(pre) && log.seq === preLog.seq;
      const applied =
        post.epoch === pre.epoch + 1 &&
        post.spent === 0 &&
        post.count === 0 &&
        post.subs.every((s) => s.spent === 0 && s.count === 0) &&
        post.subs[0].balance === pre.subs[0].balance + topUp &&
        post.subs[1].balance === pre.subs[1].balance &&
        log.seq === preLog.seq + 1 &&
        log.kind === "sync" &&
        log.amount === topUp &&
        log.balanceAfter === post.subs[0].balance;
      if (applied) {
        if (cut) result.committedAtCut++;
      } else if (!untouched) {
        fail(`half a sync: before ${JSON.stringify(pre)} log ${preLog.seq}, after ${JSON.stringify(post)} log ${JSON.stringify(log)}`);
      }
      if (outcome === "ok" && !applied) fail("acknowledged but not applied");
      // The token applies exactly once: again now, it lands only if the cut stopped it.
      const again = await sync(t);
      if (applied && again !== "refused 17") fail(`the token applied twice (${again})`);
      if (untouched && again !== "ok") fail(`the token could not be applied after a cut that left nothing (${again})`);
      if (again === "ok" && (await sync(t)) !== "refused 17") fail("the token applied twice");
    }
    return result;
  } finally {
    device.close();
  }
}
