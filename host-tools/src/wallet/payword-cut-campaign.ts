// Power cuts on the payment path with PayWord chains in the workload: a random mix of plain
// payments (sub-wallets 0 and 1), SIGN CHAIN (opens a chain), PAYWORD (the next word, or the
// last word again) and CLOSE CHAIN, each with power cut at a random flash operation (before,
// during or after it). After every operation (and every reboot) the card's own state is
// read back — the store's records through the link (sub-wallets, open chain, log head), the
// APDUs (info, balances, READ RECORD) — and checked against what the card promises:
//  - voucher counters never repeat or decrease (vouchers, log entries, info ctr);
//  - value conservation: opening − Σ balances = committed payments + chain commitments −
//    refunds, where every term comes from a log entry checked against the operation;
//  - a released word index never goes back: the stored index is never below the highest
//    index the host received, and at most one above it (a cut may cost the payee one unit);
//    a close refunds (length − stored index) × unit, so never a unit the host received;
//  - every word hashes forward to the signed w0 (@noble/hashes SHA-256, the outside
//    oracle), and the same index always yields the same word;
//  - the log agrees with the balance: each new entry replayed onto the host's model gives
//    the card's balances, and its balanceAfter is the sub-wallet's balance.
import { sha256 } from "@noble/hashes/sha2.js";
import type { Board } from "../boards/board.ts";
import { DeviceClient } from "../device/client.ts";
import { SimDevice } from "../sim/device.ts";
import type { CutPhase } from "../sim/flash.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { SeededRandom } from "../sim/seeded-random.ts";
import { WalletCard, parseLogEntry, type LogEntry } from "./card-client.ts";
import { provisionOverLink } from "./card-link.ts";
import { decodeSign1 } from "../cose/cose-sign1.ts";
import { bytesEqual } from "../cose/det-cbor.ts";
import { withStoreRecords } from "./store-records.ts";
import type { IssuerFiles } from "./issuer.ts";
import { decodeVoucherPayload } from "./voucher.ts";
import { TapkitError } from "../errors/index.ts";

export interface PaywordCampaignOptions {
  board: Board;
  wasmPath: string;
  issuer: IssuerFiles;
  /** power cuts that must actually fire */
  cuts: number;
  seed?: number;
}

export type PaywordOp = "pay" | "open" | "word" | "again" | "close";

export interface PaywordCampaignResult {
  cuts: number;
  operations: number;
  /** per operation kind: how often it ran, how often a cut fired in it, how often it had committed at the cut */
  byOp: Record<PaywordOp, { runs: number; cuts: number; committedAtCut: number }>;
  vouchersReleased: number;
  chainsOpened: number;
  /** chains opened by a commitment whose voucher a cut swallowed (w0 then comes from the first word) */
  chainsWithoutVoucher: number;
  chainsClosed: number;
  wordsReleased: number;
  /** PAYWORD cuts after the index was committed but before the word left the card (one unit lost each) */
  wordsLostToCuts: number;
  counterGaps: number;
  /** value debited from the card in total (opening − balances) at the end */
  debited: number;
  /** refusals by the store (of operations the store would not commit), by error */
  storeRefusals: Record<string, number>;
  violations: string[];
}

const PHASES: CutPhase[] = ["before", "during", "after"];
const OPENING = 1_000_000_000;
const SUB1_FUNDS = 100_000_000;
const PIN = "1234";

interface CardChain {
  sub: number;
  counter: number;
  length: number;
  unit: number;
  released: number;
  seed: Uint8Array;
}

interface CardState {
  balances: number[];
  chain: CardChain | null;
  logHead: number;
}

interface HostChain {
  sub: number;
  counter: number;
  length: number;
  unit: number;
  /** highest index the card returned to the host */
  returned: number;
  /** the stored index after the last operation */
  released: number;
  /** the signed root (from the commitment voucher) or, if a cut swallowed it, derived from the first word */
  w0: Uint8Array | null;
  w0Signed: boolean;
  words: Map<number, Uint8Array>;
}

function hashForward(word: Uint8Array, times: number): Uint8Array {
  let w = word;
  for (let k = 0; k < times; k++) w = sha256(w);
  return w;
}

async function readCardState(device: SimDevice): Promise<CardState> {
  return withStoreRecords(device, async (get) => {
    const balances = [];
    for (let i = 0; i < 4; i++) balances.push((await get(0x0310 + i, 28))?.getUint32(4, true) ?? 0);
    const c = await get(0x0330, 52);
    const chain =
      c && c.getUint8(0) === 1
        ? {
            sub: c.getUint8(1),
            counter: c.getUint32(4, true),
            length: c.getUint32(8, true),
            unit: c.getUint32(12, true),
            released: c.getUint32(16, true),
            seed: new Uint8Array(c.buffer.slice(c.byteOffset + 20, c.byteOffset + 52)),
          }
        : null;
    return { balances, chain, logHead: (await get(0x0320, 4))?.getUint32(0, true) ?? 0 };
  });
}

async function readNewLog(card: WalletCard, count: number): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (let i = count; i >= 1; i--) out.push(parseLogEntry(await card.exchange(Uint8Array.from([0x00, 0xb2, i, 0x04]), `READ RECORD ${i}`)));
  return out; // oldest first
}

export async function paywordCutCampaign(o: PaywordCampaignOptions): Promise<PaywordCampaignResult> {
  const seed = o.seed ?? 7;
  const rnd = new SeededRandom(seed);
  const device = await SimDevice.create({ board: o.board, wasm: o.wasmPath, tickMs: 0, seed });
  const op0 = () => ({ runs: 0, cuts: 0, committedAtCut: 0 });
  const result: PaywordCampaignResult = {
    cuts: 0,
    operations: 0,
    byOp: { pay: op0(), open: op0(), word: op0(), again: op0(), close: op0() },
    vouchersReleased: 0,
    chainsOpened: 0,
    chainsWithoutVoucher: 0,
    chainsClosed: 0,
    wordsReleased: 0,
    wordsLostToCuts: 0,
    counterGaps: 0,
    debited: 0,
    storeRefusals: {},
    violations: [],
  };
  const fail = (msg: string) => result.violations.length < 20 && result.violations.push(`operation ${result.operations}: ${msg}`);
  try {
    const client = await DeviceClient.over(inProcessTransport(device));
    await provisionOverLink(client, o.issuer, {
      pin: PIN,
      balance: OPENING,
      currency: "EUR",
      limits: { maxBalance: OPENING, perPayment: 1000, cumulative: 0xffffffff, maxCount: 0xffffffff },
    });
    await client.close();
    const card = new WalletCard(async (a) => device.nfcApdu(a));
    await card.select();
    await card.verifyPin(PIN);
    await card.fund(1, SUB1_FUNDS);

    // The host's model, moved only by log entries that passed the checks.
    let state = await readCardState(device);
    const model = state.balances.slice();
    let payments = 0,
      commitments = 0,
      refunds = 0;
    let lastCounter = (await card.info()).ctr ?? 0;
    const seen = new Set<number>();
    let chain: HostChain | null = null;
    // Flash operations an uncut operation of each kind took (cuts are aimed at 1..that + 3,
    // so some land past the commit, or in a compaction the commit triggered).
    const opsSeen: Record<PaywordOp, number> = { pay: 1, open: 1, word: 1, again: 1, close: 1 };
    let refusedInARow = 0;

    const choose = (): PaywordOp => {
      const r = rnd.below(100);
      if (!chain) return r < 45 ? "open" : "pay";
      // the payee asks for the word after the highest it holds (which is the stored index
      // again when a cut swallowed that word), or the stored index again (a retry)
      const canNext = chain.returned < chain.length;
      if (r < 15) return "pay";
      if (r < 30) return "close";
      if (r < 42 && chain.released > 0) return "again";
      return canNext ? "word" : chain.released > 0 && r < 70 ? "again" : "close";
    };

    while (result.cuts < o.cuts && result.violations.length === 0) {
      const kind = choose();
      const sub = rnd.below(2);
      const amount = 1 + rnd.below(20);
      const unit = 1 + rnd.below(5);
      const length = 1 + rnd.below(40);
      const index = kind === "word" ? chain!.returned + 1 : kind === "again" ? chain!.released : 0;
      await card.select();
      if (kind === "pay" || kind === "open") await card.begin(rnd.fill(new Uint8Array(16)), "p");
      const bootsBefore = device.boots;
      const opsBefore = device.flash.operations;
      device.flash.cutPowerAt({ op: 1 + rnd.below(opsSeen[kind] + 3), phase: PHASES[rnd.below(3)] });
      let answer: Uint8Array | number | null = null;
      let refusal: string | null = null;
      try {
        if (kind === "pay") answer = await card.sign(amount, "EUR", sub);
        else if (kind === "open") answer = await card.signChain(unit, length, "EUR", sub);
        else if (kind === "word" || kind === "again") answer = await card.payword(index);
        else answer = await card.closeChain();
      } catch (e) {
        if ((e as { code?: string }).code === "SIM_TAG_LOST") {
          // the cut: handled below
        } else if (e instanceof TapkitError && e.details.reason === 10) {
          const k = e.details.storeError === undefined ? "?" : String(e.details.storeError);
          result.storeRefusals[k] = (result.storeRefusals[k] ?? 0) + 1;
          refusal = `store ${k}`;
          if (++refusedInARow >= 50) fail(`the store refused 50 operations in a row (error ${k}): the wallet is stuck`);
        } else if (e instanceof TapkitError) {
          refusal = e.message;
        } else throw e;
      }
      device.flash.onOperation(null);
      if (answer !== null) refusedInARow = 0;
      result.operations++;
      result.byOp[kind].runs++;
      const cut = device.boots !== bootsBefore;
      if (cut) {
        result.cuts++;
        result.byOp[kind].cuts++;
      } else {
        opsSeen[kind] = Math.max(opsSeen[kind], device.flash.operations - opsBefore);
        if (refusal && !refusal.startsWith("store")) fail(`uncut ${kind} refused: ${refusal}`);
      }

      await card.select();
      const pre = state;
      state = await readCardState(device);
      const info = await card.info();
      const apduBalances = await card.balances();
      if (apduBalances.map((b) => b.balance).join() !== state.balances.join() || info.bal !== state.balances[0])
        fail(`APDU balances ${JSON.stringify(apduBalances)} / info ${info.bal} disagree with the store ${state.balances}`);
      if ((info.ctr ?? 0) < lastCounter) fail(`counter went back to ${info.ctr} (was ${lastCounter})`);
      const newEntries = state.logHead - pre.logHead;
      if (newEntries < 0 || newEntries > 1) {
        fail(`log head moved from ${pre.logHead} to ${state.logHead} in one ${kind}`);
        break;
      }
      const entry = newEntries === 1 ? (await readNewLog(card, 1))[0] : null;
      if (entry && entry.seq !== pre.logHead) fail(`new log entry has seq ${entry.seq}, expected ${pre.logHead}`);
      const voucher = answer instanceof Uint8Array && (kind === "pay" || kind === "open") ? decodeVoucherPayload(decodeSign1(answer, "voucher").payload) : null;
      if (voucher) {
        result.vouchersReleased++;
        if (seen.has(voucher.counter)) fail(`voucher counter ${voucher.counter} reused`);
        if (!entry || entry.counter !== voucher.counter) fail(`voucher ${voucher.counter} released without its log entry (${JSON.stringify(entry)})`);
        if (voucher.balanceAfter !== state.balances[voucher.subWallet])
          fail(`voucher says balance ${voucher.balanceAfter}, sub-wallet ${voucher.subWallet} holds ${state.balances[voucher.subWallet]}`);
      }

      /** A debit entry (payment or commitment): counter fresh, amounts as asked. */
      const debit = (expected: number): boolean => {
        if (!entry) return false;
        if (entry.kind !== "payment" || entry.amount !== expected || entry.subWallet !== sub) {
          fail(`${kind} of ${expected} from sub ${sub} logged as ${JSON.stringify(entry)}`);
          return false;
        }
        if (entry.counter <= lastCounter) fail(`log counter ${entry.counter} not above ${lastCounter}`);
        if (seen.has(entry.counter)) fail(`counter ${entry.counter} reused`);
        seen.add(entry.counter);
        result.counterGaps += entry.counter - lastCounter - 1;
        lastCounter = entry.counter;
        model[sub] -= expected;
        return true;
      };

      if (kind === "pay") {
        if (entry) {
          if (debit(amount)) payments += amount;
          if (cut) result.byOp.pay.committedAtCut++;
          else if (!voucher) fail("debited without a voucher and without a cut");
        } else if (voucher) fail("voucher released but nothing logged or debited");
        if (!sameChain(pre.chain, state.chain)) fail(`a payment changed the chain record: ${JSON.stringify(pre.chain)} -> ${JSON.stringify(state.chain)}`);
      } else if (kind === "open") {
        if (entry) {
          if (debit(unit * length)) commitments += unit * length;
          if (cut) result.byOp.open.committedAtCut++;
          else if (!voucher) fail("chain committed without a voucher and without a cut");
          const c = state.chain;
          if (!c || c.counter !== entry.counter || c.unit !== unit || c.length !== length || c.sub !== sub || c.released !== 0) {
            fail(`commitment ${entry.counter} logged but the chain record is ${JSON.stringify(c)}`);
            chain = null;
          } else {
            result.chainsOpened++;
            const w0 = voucher?.chain?.root ?? null;
            if (voucher && (!voucher.chain || voucher.chain.unit !== unit || voucher.chain.length !== length || voucher.amount !== unit * length))
              fail(`commitment voucher terms ${JSON.stringify(voucher.chain)} amount ${voucher.amount}`);
            // the stored seed must be the one behind the signed root
            if (w0 && !bytesEqual(hashForward(c.seed, length), w0)) fail("the stored seed does not hash to the signed w0");
            if (!w0) result.chainsWithoutVoucher++;
            chain = { sub, counter: c.counter, length, unit, returned: 0, released: 0, w0, w0Signed: w0 !== null, words: new Map() };
          }
        } else {
          if (voucher) fail("commitment voucher released but nothing logged or debited");
          if (state.chain) fail(`no commitment logged but a chain is open: ${JSON.stringify(state.chain)}`);
        }
      } else if (kind === "word" || kind === "again") {
        const h = chain!;
        if (entry) fail(`PAYWORD wrote a log entry ${JSON.stringify(entry)}`);
        const c = state.chain;
        if (!c || c.counter !== h.counter || c.length !== h.length || c.unit !== h.unit || c.sub !== h.sub) {
          fail(`PAYWORD ${index}: chain record is now ${JSON.stringify(c)}`);
        } else {
          if (c.released < h.released) fail(`released index went back from ${h.released} to ${c.released}`);
          if (c.released !== h.released && c.released !== index) fail(`released index ${c.released} after asking for ${index} (was ${h.released})`);
          if (answer instanceof Uint8Array) {
            result.wordsReleased++;
            if (c.released !== index) fail(`word ${index} left the card but the stored index is ${c.released}`);
            const known = h.words.get(index);
            if (known && !bytesEqual(known, answer)) fail(`word ${index} differs from the one released before`);
            if (!h.w0) h.w0 = hashForward(answer, index);
            if (!bytesEqual(hashForward(answer, index), h.w0))
              fail(`word ${index} does not hash forward to ${h.w0Signed ? "the signed" : "the first word's"} w0`);
            h.words.set(index, answer);
            h.returned = Math.max(h.returned, index);
          } else if (!cut) fail(`uncut PAYWORD ${index} returned no word`);
          if (cut && c.released === index && index !== h.released) {
            result.byOp[kind].committedAtCut++;
            result.wordsLostToCuts++;
          }
          if (c.released > h.returned + 1) fail(`stored index ${c.released} is more than one above the highest word the host received (${h.returned})`);
          if (c.released < h.returned) fail(`stored index ${c.released} below a word the host received (${h.returned})`);
          h.released = c.released;
        }
      } else {
        const h = chain!;
        if (entry) {
          const refund = (h.length - h.released) * h.unit;
          if (entry.kind !== "refund" || entry.counter !== h.counter || entry.subWallet !== h.sub || entry.amount !== refund)
            fail(`close of chain ${h.counter} (refund ${refund}) logged as ${JSON.stringify(entry)}`);
          if (entry.amount > (h.length - h.returned) * h.unit)
            fail(`refund ${entry.amount} includes a unit released to the host (highest ${h.returned} of ${h.length} × ${h.unit})`);
          if (entry.amount + h.unit < (h.length - h.returned) * h.unit) fail(`refund ${entry.amount} lost the payee more than one unit`);
          if (typeof answer === "number" && answer !== entry.amount) fail(`CLOSE answered ${answer}, logged ${entry.amount}`);
          if (state.chain) fail(`chain closed (refund logged) but its record remains: ${JSON.stringify(state.chain)}`);
          model[h.sub] += entry.amount;
          refunds += entry.amount;
          result.chainsClosed++;
          if (cut) result.byOp.close.committedAtCut++;
          chain = null;
        } else {
          if (typeof answer === "number") fail("CLOSE answered but nothing was logged");
          if (!sameChain(pre.chain, state.chain))
            fail(`close did not commit but the chain record changed: ${JSON.stringify(pre.chain)} -> ${JSON.stringify(state.chain)}`);
        }
      }
      if (!chain && state.chain) fail(`the card has a chain open the host does not know: ${JSON.stringify(state.chain)}`);

      // The log agrees with the balance: the replayed model is the card's balances.
      if (model.join() !== state.balances.join()) fail(`log replay gives balances ${model}, the card holds ${state.balances}`);
      if (entry && entry.balanceAfter !== state.balances[entry.subWallet])
        fail(`log balanceAfter ${entry.balanceAfter}, sub-wallet ${entry.subWallet} holds ${state.balances[entry.subWallet]}`);
      // No value created or lost.
      const debited = OPENING - state.balances.reduce((a, b) => a + b, 0);
      if (debited !== payments + commitments - refunds)
        fail(`debited ${debited} but payments ${payments} + commitments ${commitments} − refunds ${refunds} = ${payments + commitments - refunds}`);
      result.debited = debited;
    }
    return result;
  } finally {
    device.close();
  }
}

function sameChain(a: CardChain | null, b: CardChain | null): boolean {
  if (!a || !b) return a === b;
  return a.sub === b.sub && a.counter === b.counter && a.length === b.length && a.unit === b.unit && a.released === b.released && bytesEqual(a.seed, b.seed);
}
