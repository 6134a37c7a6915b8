// PayWord end to end on the real builds: the card commits to a hash chain (reserving
// unit x n), each tap releases the next word, the plaque checks it with one hash, the
// export carries the best word, settlement credits the units, and closing the chain
// returns the unreleased units to the card. Outside oracle for the chain: @noble's SHA-256.
import { test } from "vitest";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import { decodeBundle, decodeSign1, decodeVoucherPayload, openPaywordChain, paywordTap, settle } from "../../host-tools/src/wallet/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { provisioned } from "./card-fixture.ts";
import { plaqueRig } from "./plaque-fixture.ts";
import { testIssuer } from "./wallet-fixture.ts";

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TapkitError) return e.code;
    throw e;
  }
  return "accepted";
}

test("chain round trip card -> plaque -> settle; wrong words refused; units counted; unreleased units refunded", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer);
  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  const unit = 5,
    n = 20;
  const open = await openPaywordChain(card, plaque, unit, n);
  const commit = decodeVoucherPayload(decodeSign1(open.voucher, "v").payload);
  assert.equal(commit.amount, unit * n);
  assert.deepEqual({ unit: commit.chain!.unit, length: commit.chain!.length }, { unit, length: n });
  assert.equal((await card.info()).bal, 10_000 - unit * n);
  // a second chain while this one is open is refused by the card
  const ch = await plaque.challenge(10, 1);
  await card.begin(ch.challenge, ch.payee);
  await assert.rejects(card.signChain(1, 10, "EUR"), /already open/);

  const words: Uint8Array[] = [];
  for (let i = 1; i <= 4; i++) {
    const r = await paywordTap(card, plaque, open.slot, i);
    assert.deepEqual([r.units, r.value], [i, i * unit]);
    words.push(r.word);
  }
  // noble: each word hashes to the previous one, the first to the committed root
  assert.deepEqual(sha256(words[0]), commit.chain!.root);
  for (let i = 1; i < 4; i++) assert.deepEqual(sha256(words[i]), words[i - 1]);
  // the same word again is harmless; a forged or skipped word is refused by the plaque
  assert.equal((await plaque.payword(open.slot, words[3])).units, 4);
  const forged = words[3].slice();
  forged[0] ^= 1;
  assert.equal(await code(plaque.payword(open.slot, forged)), "PAYWORD_BAD");
  await card.select();
  const w5 = await card.payword(5);
  const w6 = await card.payword(6);
  assert.equal(await code(plaque.payword(open.slot, w6)), "PAYWORD_BAD"); // the plaque never saw word 5
  assert.match(await code(card.payword(8)), /CARD_REFUSED/); // the card releases words in order only
  assert.equal((await plaque.payword(open.slot, w5)).units, 5);
  assert.equal((await plaque.payword(open.slot, w6)).units, 6);
  words.push(w5, w6);

  const [bundle] = await plaque.exportAll();
  const b = decodeBundle(bundle);
  assert.deepEqual(b.payword && { index: b.payword.index, word: b.payword.word }, { index: 6, word: words[5] });
  const r = settle([{ name: "chain", bytes: bundle }], issuer.root.publicKey);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.totals, { "shop-42": { EUR: 6 * unit } });

  // close: the card released 6 words, so 14 units come back
  await card.select();
  assert.equal(await card.closeChain(), (n - 6) * unit);
  assert.equal((await card.info()).bal, 10_000 - 6 * unit);
  const [newest] = await card.log(1);
  assert.deepEqual([newest.kind, newest.amount, newest.counter], ["refund", (n - 6) * unit, commit.counter]);
  assert.match(await code(card.payword(7)), /CARD_REFUSED/);
});

test("a sub-wallet with an open chain cannot be closed (its refund would land in a closed sub-wallet); after CLOSE CHAIN it can", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer);
  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  await card.select();
  await card.verifyPin("1234");
  await card.fund(1, 2_000);
  const ch = await plaque.challenge(50, 1);
  await card.begin(ch.challenge, ch.payee);
  await card.signChain(5, 10, "EUR", 1);
  await card.select();
  await card.verifyPin("1234");
  const refused = await card.close(1).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(refused instanceof TapkitError, "close refused");
  assert.match((refused as Error).message, /already open/);
  const before = await card.balances();
  assert.deepEqual([before[1].open, before[1].balance], [true, 2_000 - 50], "nothing moved");
  assert.equal(await card.closeChain(), 50, "no word released: the whole reserve comes back");
  await card.close(1);
  const after = await card.balances();
  assert.deepEqual(
    [after[0].balance, after[1].open, after[1].balance],
    [10_000, false, 0],
    "the refund and the sub-wallet's balance are back in the main wallet",
  );
});
