// Conformance: the owner PIN (docs/wallet-apdu.md §PIN; ISO/IEC 7816-4:2020 §11.5.6 VERIFY,
// §11.5.7 CHANGE REFERENCE DATA). What a lab must see: a try is counted down before the
// comparison (63Cx, status only, never 9000 or data on a wrong PIN), a malformed PIN is a
// wrong guess and not a free one, the right PIN restores the tries, verification ends with the
// field, CHANGE PIN needs a verified PIN and a well-formed new one, and a blocked PIN never
// comes back (no RESET RETRY COUNTER). The cases use the lab profile's PIN; the one that blocks
// the PIN runs only on simulated boards, after every case that needs the PIN.
import assert from "../check.ts";
import type { CaseContext, ConformanceCase } from "../case.ts";
import type { WalletCard } from "../../host-tools/src/wallet/index.ts";
import { LAB_PIN, readyCard } from "./wallet.ts";
import { CHANGE_PIN, command, expectSw, paid, SET_LIMITS, send, triesAtLeast, VERIFY, verifyLabPin } from "./wallet-probe.ts";

const area = "wallet";
const REF = "docs/wallet-apdu.md §PIN; ISO/IEC 7816-4:2020 §11.5.6";

/** An owner command that is harmless when it does run: sub-wallet 0's caps set to what they are. */
async function harmlessOwnerOp(card: WalletCard): Promise<Uint8Array> {
  const s = (await card.limits()).subWallets[0];
  return SET_LIMITS(0, s.perPayment, s.cumulative, s.maxCount);
}

/** Ends the case unverified (a new tap), as the next case expects a card fresh in the field. */
async function dropVerification(ctx: CaseContext, card: WalletCard): Promise<void> {
  await ctx.nfc.newTap();
  await card.select();
}

/** A wrong `pin` answers exactly 63Cx with no data, x = tries left, and GET DATA info agrees. */
async function wrongTry(ctx: CaseContext, card: WalletCard, pin: string, what: string): Promise<void> {
  const before = (await card.info()).pin ?? 0;
  await expectSw(ctx, VERIFY(pin), `63C${before - 1}`, "", what);
  assert.equal((await card.info()).pin, before - 1, `${what}: GET DATA info shows ${before - 1} tries`);
}

export const WALLET_PIN_CASES: ConformanceCase[] = [
  {
    id: "WALLET-PIN-001",
    area,
    ref: REF,
    tags: ["pin"],
    roles: ["card"],
    changes: "uses one PIN try, then restores the tries with the lab PIN",
    title:
      "VERIFY without data reports tries as 63Cx (not 9000); a wrong PIN answers 63Cx-1 with no data and unlocks nothing; the right PIN answers 9000 and restores the tries",
    async run(ctx) {
      const card = await readyCard(ctx);
      await dropVerification(ctx, card);
      const left = await triesAtLeast(ctx, card, 2);
      await expectSw(ctx, VERIFY(), `63C${left}`, "", "VERIFY with no data before any PIN");
      const owner = await harmlessOwnerOp(card);
      await wrongTry(ctx, card, "0000", "a wrong PIN");
      await expectSw(ctx, VERIFY(), `63C${left - 1}`, "", "VERIFY with no data after a wrong PIN");
      await expectSw(ctx, owner, "6982", "", "an owner command after a wrong PIN");
      await verifyLabPin(ctx);
      assert.equal((await card.info()).pin, 3, "the right PIN restores 3 tries");
      await expectSw(ctx, VERIFY(), "9000", "", "VERIFY with no data once verified");
      await expectSw(ctx, owner, "9000", "", "the owner command once verified");
      await dropVerification(ctx, card);
    },
  },
  {
    id: "WALLET-PIN-002",
    area,
    ref: `${REF} (PIN format: 4..8 digits)`,
    tags: ["pin", "format"],
    roles: ["card"],
    changes: "uses one PIN try per malformed PIN (4), each restored with the lab PIN",
    title: "a malformed PIN (3 digits, 9 digits, a letter, a space) costs a try like a wrong one: 63Cx, never 6700/6A80 for free",
    async run(ctx) {
      const card = await readyCard(ctx);
      for (const bad of ["123", "123456789", "12a4", "12 4"]) {
        await triesAtLeast(ctx, card, 2);
        await wrongTry(ctx, card, bad, `VERIFY '${bad}'`);
        await verifyLabPin(ctx);
      }
      assert.equal((await card.info()).pin, 3);
      await dropVerification(ctx, card);
    },
  },
  {
    id: "WALLET-PIN-003",
    area,
    ref: `${REF}; ISO/IEC 7816-4:2020 §11.5.7`,
    tags: ["pin", "change"],
    roles: ["card"],
    changes: "changes the PIN and back to the lab PIN; uses one try, restored",
    title:
      "verification ends with the field; CHANGE PIN needs VERIFY (6982), refuses a malformed PIN (6A80); after a change the old PIN is wrong and the new one right",
    async run(ctx) {
      const card = await readyCard(ctx);
      await triesAtLeast(ctx, card, 2);
      await verifyLabPin(ctx);
      await dropVerification(ctx, card);
      await expectSw(ctx, await harmlessOwnerOp(card), "6982", "", "an owner command after the field was lost");
      await expectSw(ctx, CHANGE_PIN("5678"), "6982", "", "CHANGE PIN without VERIFY");
      await verifyLabPin(ctx);
      await expectSw(ctx, CHANGE_PIN("12a4"), "6A80", "", "CHANGE PIN to a non-digit PIN");
      await expectSw(ctx, CHANGE_PIN("123"), "6A80", "", "CHANGE PIN to 3 digits");
      await dropVerification(ctx, card);
      await verifyLabPin(ctx);
      const fresh = "56781";
      await expectSw(ctx, CHANGE_PIN(fresh), "9000", "", "CHANGE PIN to 5 digits");
      await dropVerification(ctx, card);
      await wrongTry(ctx, card, LAB_PIN, "the old PIN after the change");
      await expectSw(ctx, VERIFY(fresh), "9000", "", "the new PIN");
      assert.equal((await card.info()).pin, 3, "the new PIN restores the tries");
      await expectSw(ctx, CHANGE_PIN(LAB_PIN), "9000", "", "back to the lab PIN");
      await dropVerification(ctx, card);
      await verifyLabPin(ctx);
      await dropVerification(ctx, card);
    },
  },
];

/** Runs after every case that needs the PIN (it blocks it for good). */
export const WALLET_PIN_BLOCK_CASES: ConformanceCase[] = [
  {
    id: "WALLET-PIN-004",
    area,
    ref: `${REF}; ISO/IEC 7816-4:2020 §11.5.10 (RESET RETRY COUNTER)`,
    tags: ["pin", "lock"],
    roles: ["card"],
    changes: "blocks the PIN for good (simulated boards only) and spends 1 unit",
    title: "a blocked PIN stays blocked: the right PIN answers 6983, owner ops and CHANGE PIN 6982, no RESET RETRY COUNTER (6D00); payments still work",
    async run(ctx) {
      const card = await readyCard(ctx);
      if (!ctx.board.startsWith("sim-")) ctx.skip("blocking the PIN is only exercised on simulated boards (it would block a real card for good)");
      for (let left = (await card.info()).pin ?? 0; left > 0; left--) {
        const r = await send(ctx, VERIFY("0000"));
        assert.equal(r.sw, left > 1 ? `63C${left - 1}` : "6983", `wrong PIN with ${left} tries left`);
      }
      await expectSw(ctx, VERIFY(LAB_PIN), "6983", "", "the right PIN once blocked");
      await expectSw(ctx, VERIFY(), "6983", "", "VERIFY with no data once blocked");
      assert.equal((await card.info()).pin, 0, "GET DATA info: 0 tries");
      await expectSw(ctx, await harmlessOwnerOp(card), "6982", "", "an owner command once blocked");
      await expectSw(ctx, CHANGE_PIN("5678"), "6982", "", "CHANGE PIN once blocked");
      await expectSw(ctx, command(0x2c, 0x00, 0x80, []), "6D00", "", "RESET RETRY COUNTER is not offered");
      await expectSw(ctx, command(0x2c, 0x00, 0x80, [0x31, 0x32, 0x33, 0x34]), "6D00", "", "RESET RETRY COUNTER with data");
      await dropVerification(ctx, card);
      assert.equal((await card.info()).pin, 0, "a new tap does not restore tries");
      await paid(ctx, 1, (await card.info()).cur ?? "EUR", "a payment with the PIN blocked");
    },
  },
];
