// Conformance: the wallet's spending limits (docs/wallet-apdu.md §Payment step 2 and
// §Refusals): SIGN VOUCHER's checks in their documented order, the per-payment cap, the
// per-sync payment count and cumulative amount (set through a lab-signed sync envelope), and
// the owner's sub-wallet caps. Every refusal is checked byte for byte (6985 + reason) and must
// leave balances, counter, use since sync and log as they were. The envelope cases need the
// lab issuer (they sign syncs) and restore the lab envelope before they end.
import assert from "../check.ts";
import type { ConformanceCase } from "../case.ts";
import { readyCard, LAB_LIMITS } from "./wallet.ts";
import { BEGIN, CLOSE_SUB, expectSw, FUND, labProfileCard, labSync, paid, refusedUnchanged, SET_LIMITS, SIGN, verifyLabPin } from "./wallet-probe.ts";

const area = "wallet";
const REF = "docs/wallet-apdu.md §Payment (step 2), §Refusals";

export const WALLET_LIMIT_CASES: ConformanceCase[] = [
  {
    id: "WALLET-LIM-001",
    area,
    ref: REF,
    tags: ["limits", "payment", "refusals"],
    roles: ["card"],
    changes: "none on a conforming card (one that wrongly accepts spends the per-payment cap + 1)",
    title: "an amount one above the per-payment cap is refused 6985 07 and nothing moves; the cap itself is within bounds",
    async run(ctx) {
      const card = await readyCard(ctx);
      const info = await card.info();
      const limits = await card.limits();
      const cap = Math.min(limits.perPayment, limits.subWallets[0].perPayment);
      if ((info.bal ?? 0) <= cap) ctx.precondition(`a balance above the per-payment cap ${cap} (the card holds ${info.bal})`);
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(cap + 1, info.cur ?? "EUR"), "6985", "07", `SIGN ${cap + 1} (cap ${cap})`);
      ctx.note("perPayment", cap);
    },
  },
  {
    id: "WALLET-LIM-002",
    area,
    ref: REF,
    tags: ["limits", "payment", "refusals"],
    roles: ["card"],
    changes: "none on a conforming card (one that wrongly accepts spends more than its balance)",
    title: "an amount one above the balance is refused 6985 06 (balance is checked before the caps) and nothing moves",
    async run(ctx) {
      const card = await readyCard(ctx);
      const info = await card.info();
      const bal = info.bal ?? 0;
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(bal + 1, info.cur ?? "EUR"), "6985", "06", `SIGN ${bal + 1} (balance ${bal})`);
    },
  },
  {
    id: "WALLET-LIM-003",
    area,
    ref: REF,
    tags: ["limits", "payment", "refusals", "order"],
    roles: ["card"],
    changes: "none on a conforming card (one that wrongly accepts spends 1 unit per wrong acceptance)",
    title: "SIGN refusals in the documented order: no session 02, currency 04, sub-wallet 03, amount 05, BEGIN data 05; nothing moves",
    async run(ctx) {
      const card = await readyCard(ctx);
      const cur = (await card.info()).cur ?? "EUR";
      const other = cur === "USD" ? "EUR" : "USD";
      // A new tap drops any session an earlier case left: SIGN without BEGIN.
      await ctx.nfc.newTap();
      await card.select();
      await refusedUnchanged(ctx, card, [], SIGN(1, cur), "6985", "02", "SIGN without BEGIN");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(1, other), "6985", "04", `SIGN in ${other}`);
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(0, other), "6985", "04", "currency is checked before the amount");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(1, cur, 4), "6985", "03", "sub-wallet 4 does not exist");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(0, cur, 4), "6985", "03", "sub-wallet is checked before the amount");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(0, cur), "6985", "05", "amount 0");
      const closed = (await card.balances()).findIndex((b, i) => i > 0 && !b.open);
      if (closed > 0) await refusedUnchanged(ctx, card, [BEGIN()], SIGN(1, cur, closed), "6985", "03", `closed sub-wallet ${closed}`);
      await refusedUnchanged(ctx, card, [], BEGIN("conformance", Array(15).fill(1)), "6985", "05", "BEGIN with a 15-byte challenge");
      await refusedUnchanged(ctx, card, [], BEGIN("", Array(16).fill(1)), "6985", "05", "BEGIN with an empty payee");
    },
  },
  {
    id: "WALLET-LIM-004",
    area,
    ref: `${REF}; docs/wallet-apdu.md §Sync (what resets)`,
    tags: ["limits", "sync", "count"],
    roles: ["card"],
    changes: "syncs twice (epoch +2: an envelope of 2 payments, then the lab envelope) and spends 3 units",
    title: "per-sync payment count: with an envelope of 2 payments the third SIGN is refused 6985 09, nothing moves; the next sync starts a fresh count",
    async run(ctx) {
      const card = await labProfileCard(ctx);
      const cur = (await card.info()).cur ?? "EUR";
      await labSync(card, { ...LAB_LIMITS, maxCount: 2 });
      for (let i = 0; i < 2; i++) await paid(ctx, 1, cur, `payment ${i + 1} of 2`);
      const used = await card.limits();
      assert.deepEqual([used.maxCount, used.count, used.spent], [2, 2, 2], "GET DATA 04: count 2 of 2 since the sync");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(1, cur), "6985", "09", "third payment of 2");
      await labSync(card);
      const fresh = await card.limits();
      assert.deepEqual([fresh.maxCount, fresh.count, fresh.spent], [LAB_LIMITS.maxCount, 0, 0], "the sync reset count and spent");
      await paid(ctx, 1, cur, "a payment after the sync");
    },
  },
  {
    id: "WALLET-LIM-005",
    area,
    ref: `${REF}; docs/wallet-apdu.md §Sync (what resets)`,
    tags: ["limits", "sync", "cumulative", "boundary"],
    roles: ["card"],
    changes: "syncs twice (epoch +2: a cumulative cap of 5, then the lab envelope) and spends 5 units",
    title: "per-sync cumulative cap 5: 3 accepted, 3 refused 6985 08, 2 accepted (exactly the cap), 1 refused 08; nothing moves on a refusal",
    async run(ctx) {
      const card = await labProfileCard(ctx);
      const cur = (await card.info()).cur ?? "EUR";
      await labSync(card, { ...LAB_LIMITS, cumulative: 5 });
      await paid(ctx, 3, cur, "3 of 5");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(3, cur), "6985", "08", "3 more would make 6 of 5");
      await paid(ctx, 2, cur, "2 more make exactly 5 of 5");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(1, cur), "6985", "08", "1 more would make 6 of 5");
      assert.equal((await card.limits()).spent, 5, "GET DATA 04: spent 5 since the sync");
      await labSync(card);
      assert.equal((await card.limits()).cumulative, LAB_LIMITS.cumulative, "the lab envelope is back");
    },
  },
  {
    id: "WALLET-LIM-006",
    area,
    ref: `${REF}; docs/wallet-apdu.md (SET LIMITS, FUND, CLOSE SUB-WALLET)`,
    tags: ["limits", "sub-wallet", "owner"],
    roles: ["card"],
    changes:
      "funds sub-wallet 1 with 10 from sub-wallet 0, sets its caps (3 per payment, 5 in all, 10 payments; they stay), spends 5 from it, closes it (the rest returns)",
    title: "owner caps: SET LIMITS above the envelope refused 6985 22; sub-wallet 1 capped at 3 per payment and 5 in all refuses 4 (07) and the 6th unit (08)",
    async run(ctx) {
      const card = await readyCard(ctx);
      const cur = (await card.info()).cur ?? "EUR";
      const env = await card.limits();
      if ((await card.balances())[1]?.open)
        ctx.precondition("sub-wallet 1 closed (it is open: an earlier run left it, close it with tapkit wallet close --sub 1)");
      await verifyLabPin(ctx);
      await expectSw(ctx, FUND(1, 10), "9000", undefined, "FUND sub-wallet 1 with 10");
      await refusedUnchanged(ctx, card, [], SET_LIMITS(1, env.perPayment + 1, 5, 10), "6985", "22", "sub-wallet cap above the card's envelope");
      await expectSw(ctx, SET_LIMITS(1, 3, 5, 10), "9000", undefined, "SET LIMITS sub-wallet 1: 3 per payment, 5 in all");
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(4, cur, 1), "6985", "07", "4 from sub-wallet 1 (cap 3)");
      await paid(ctx, 3, cur, "3 from sub-wallet 1", 1);
      await refusedUnchanged(ctx, card, [BEGIN()], SIGN(3, cur, 1), "6985", "08", "3 more from sub-wallet 1 would make 6 of 5");
      await paid(ctx, 2, cur, "2 more from sub-wallet 1: exactly 5", 1);
      const mid = await card.balances();
      assert.equal(mid[1].balance, 5, "sub-wallet 1 holds 10 - 5");
      const before0 = mid[0].balance;
      await expectSw(ctx, CLOSE_SUB(1), "9000", undefined, "CLOSE SUB-WALLET 1");
      const after = await card.balances();
      assert.deepEqual([after[1].open, after[0].balance], [false, before0 + 5], "closing returns the 5 left to sub-wallet 0");
      await ctx.nfc.newTap(); // the next case starts unverified
    },
  },
];
