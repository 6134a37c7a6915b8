// Conformance: issuer SYNC (docs/wallet-apdu.md §Sync, docs/vouchers.md §Sync token). One case
// per refusal reason of the documented check order (0F well formed, 10 device id, 11 epoch,
// 12 settled counter, 13 batch signature, 14 top-up), each with a token that breaks only that
// rule (or two rules, to pin the order), answered byte for byte and leaving epoch, balances and
// use since sync as they were; then what an accepted sync does. Tokens are signed with the
// published lab issuer's batch key, so these cases need a lab-profile card.
import assert from "../check.ts";
import type { ConformanceCase } from "../case.ts";
import { buildSyncToken, encodeDet, signSign1, type SyncTerms, type WalletCard } from "../../host-tools/src/wallet/index.ts";
import { labIssuer } from "./wallet.ts";
import { command, labProfileCard, refusedUnchanged, send, SYNC } from "./wallet-probe.ts";

const area = "wallet";
const REF = "docs/wallet-apdu.md §Sync, §Refusals; docs/vouchers.md §Sync token";

interface CardNow {
  kid: Uint8Array;
  epoch: number;
  ctr: number;
  bal: number;
  maxBalance: number;
}

async function cardNow(card: WalletCard): Promise<CardNow> {
  const info = await card.info();
  return { kid: new Uint8Array(info.kid), epoch: info.epoch ?? 0, ctr: info.ctr ?? 0, bal: info.bal ?? 0, maxBalance: (await card.limits()).maxBalance };
}

/** The token the card would accept next (no top-up, envelope kept). */
const nextTerms = (c: CardNow): SyncTerms => ({ deviceId: c.kid, epoch: c.epoch + 1, settledCounter: c.ctr, topUp: 0 });
const batch = () => labIssuer().batch;
/** A lab-batch-signed token over an arbitrary payload map (for payloads buildSyncToken refuses to make). */
const rawToken = (entries: [number, unknown][]) => signSign1(batch(), encodeDet(new Map(entries)));

interface Row {
  n: string;
  reason: string;
  title: string;
  token(c: CardNow): Uint8Array;
}

const ROWS: Row[] = [
  { n: "001", reason: "0F", title: "bytes that are not a COSE_Sign1", token: () => new Uint8Array(96).fill(0xa5) },
  {
    n: "002",
    reason: "0F",
    title: "a payload of version 2",
    token: (c) =>
      rawToken([
        [1, 2],
        [2, c.kid],
        [3, c.epoch + 1],
        [4, c.ctr],
        [5, 0],
      ]),
  },
  {
    n: "003",
    reason: "0F",
    title: "a payload with an unknown key 7",
    token: (c) =>
      rawToken([
        [1, 1],
        [2, c.kid],
        [3, c.epoch + 1],
        [4, c.ctr],
        [5, 0],
        [7, 0],
      ]),
  },
  {
    n: "004",
    reason: "0F",
    title: "a payload without the top-up (key 5)",
    token: (c) =>
      rawToken([
        [1, 1],
        [2, c.kid],
        [3, c.epoch + 1],
        [4, c.ctr],
      ]),
  },
  {
    n: "005",
    reason: "10",
    title: "a token for another card (device id with one bit changed)",
    token: (c) => buildSyncToken(batch(), { ...nextTerms(c), deviceId: c.kid.map((b, i) => (i === 7 ? b ^ 1 : b)) }),
  },
  { n: "006", reason: "11", title: "a skipped epoch (current + 2)", token: (c) => buildSyncToken(batch(), { ...nextTerms(c), epoch: c.epoch + 2 }) },
  { n: "007", reason: "11", title: "the current epoch again (an applied token)", token: (c) => buildSyncToken(batch(), { ...nextTerms(c), epoch: c.epoch }) },
  {
    n: "008",
    reason: "12",
    title: "a settled counter one above the card's voucher counter",
    token: (c) => buildSyncToken(batch(), { ...nextTerms(c), settledCounter: c.ctr + 1 }),
  },
  {
    n: "009",
    reason: "13",
    title: "a token signed by the lab root key instead of the batch key",
    token: (c) => buildSyncToken(labIssuer().root, nextTerms(c)),
  },
  {
    n: "010",
    reason: "13",
    title: "a batch-signed token with one signature bit flipped",
    token: (c) => {
      const t = buildSyncToken(batch(), nextTerms(c));
      t[t.length - 1] ^= 0x01;
      return t;
    },
  },
  {
    n: "011",
    reason: "14",
    title: "a top-up that would take sub-wallet 0 one above the maximum balance",
    token: (c) => buildSyncToken(batch(), { ...nextTerms(c), topUp: c.maxBalance - c.bal + 1 }),
  },
  {
    n: "012",
    reason: "11",
    title: "order: a root-signed token for a skipped epoch is refused for the epoch (11 is checked before 13)",
    token: (c) => buildSyncToken(labIssuer().root, { ...nextTerms(c), epoch: c.epoch + 2 }),
  },
  {
    n: "013",
    reason: "10",
    title: "order: another card's token for a skipped epoch is refused for the device id (10 before 11)",
    token: (c) => buildSyncToken(batch(), { ...nextTerms(c), deviceId: new Uint8Array(8), epoch: c.epoch + 2 }),
  },
];

export const WALLET_SYNC_CASES: ConformanceCase[] = [
  ...ROWS.map(
    (row): ConformanceCase => ({
      id: `WALLET-SYNC-${row.n}`,
      area,
      ref: REF,
      tags: ["sync", "refusals"],
      roles: ["card"],
      changes: "none on a conforming card (one that wrongly accepts moves its epoch)",
      title: `SYNC refuses ${row.title}: 6985 ${row.reason}, epoch, balances and use since sync unchanged`,
      async run(ctx) {
        const card = await labProfileCard(ctx);
        const token = row.token(await cardNow(card));
        await refusedUnchanged(ctx, card, [], SYNC(token), "6985", row.reason, `SYNC with ${row.title}`);
      },
    }),
  ),
  {
    id: "WALLET-SYNC-020",
    area,
    ref: REF,
    tags: ["sync", "top-up", "log"],
    roles: ["card"],
    changes: "syncs once (epoch +1) with a top-up of 5 units of lab value",
    title:
      "an accepted SYNC: answer = epoch + 1 and balance + top-up (as GET DATA shows), use since sync 0, envelope kept, log entry kind 6; the same token again 6985 11",
    async run(ctx) {
      const card = await labProfileCard(ctx);
      const c = await cardNow(card);
      const before = await card.limits();
      if (c.bal + 5 > c.maxBalance) ctx.precondition(`room for a top-up of 5 below the maximum balance ${c.maxBalance} (balance ${c.bal})`);
      const token = buildSyncToken(batch(), { ...nextTerms(c), topUp: 5 });
      const answer = await card.sync(token);
      assert.deepEqual(answer, { epoch: c.epoch + 1, balance: c.bal + 5 }, "SYNC answers the new epoch and balance");
      const info = await card.info();
      assert.deepEqual([info.epoch, info.bal, info.ctr], [c.epoch + 1, c.bal + 5, c.ctr], "GET DATA info agrees; no voucher counter used");
      const after = await card.limits();
      assert.deepEqual(
        [after.maxBalance, after.perPayment, after.cumulative, after.maxCount, after.spent, after.count],
        [before.maxBalance, before.perPayment, before.cumulative, before.maxCount, 0, 0],
        "no envelope in the token: the envelope stays; spent and count since sync are 0",
      );
      // READ RECORD 1 (newest), 28 bytes little-endian: seq, counter, amount, balanceAfter, sub, kind.
      const rec = await send(ctx, command(0xb2, 1, 0x04));
      assert.equal(rec.sw, "9000", "READ RECORD 1");
      const b = Buffer.from(rec.data, "hex");
      assert.deepEqual(
        [b.length, b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12), b[16], b[17]],
        [28, c.ctr, 5, c.bal + 5, 0, 6],
        "log entry: 28 bytes, counter = settled counter, amount = top-up, balance after, sub-wallet 0, kind 6 (sync)",
      );
      await refusedUnchanged(ctx, card, [], SYNC(token), "6985", "11", "the applied token again");
    },
  },
];
