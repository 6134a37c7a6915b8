// The one voucher layout (firmware/codec/voucher): its counter is any CBOR uint, as
// docs/vouchers.md and the host verifier read it, so the plaque accepts and orders counters
// above 2^32 that the host oracle signs and the host verifier accepts (the acceptor used to
// read counters as u32 and refuse them). Its freshness table keeps u64 counters; a table an
// earlier firmware stored with u32 counters is widened when read, not misread.
import { test } from "vitest";
import assert from "node:assert/strict";
import { Decoder } from "cbor-x";
import { decodeBundle, verifyVoucher } from "../../host-tools/src/wallet/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { plaqueRig } from "./plaque-fixture.ts";
import { testCard, testIssuer, voucherBytes } from "./wallet-fixture.ts";

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false });

/** Rejects with the acceptor's refusal code. */
function refused(p: Promise<unknown>, code: string, why?: string): Promise<void> {
  return assert.rejects(p, (e: unknown) => e instanceof TapkitError && e.code === code, why ?? code);
}

test("counters above 2^32: accepted, exported byte for byte, verified by the host, and ordered for freshness", async (t) => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  const big = 2 ** 32 + 7;
  const pay = async (counter: number) => {
    const c = await plaque.challenge(30);
    return plaque.submit(voucherBytes(card, { counter, amount: 30, challenge: c.challenge }), card.chain);
  };
  const accepted = await pay(big);
  assert.equal(accepted.counter, big);
  const bundle = decodeBundle((await plaque.exportAll())[0]);
  const v = verifyVoucher(bundle, issuer.root.publicKey, { amount: 30 });
  assert.equal(v.voucher.counter, big);
  // outside oracle: cbor-x reads the payload's counter (key 3) from the exported bytes
  const payload = (cborx.decode(bundle.voucher) as { value: Uint8Array[] }).value[2];
  assert.equal((cborx.decode(payload) as Map<number, unknown>).get(3), BigInt(big));
  await refused(pay(big), "COUNTER_REUSED");
  await refused(pay(2 ** 32 + 6), "COUNTER_REUSED", "below the highest, in the upper 32 bits too");
  await refused(pay(8), "COUNTER_REUSED", "a small counter is below 2^32 + 7");
  assert.equal((await pay(2 ** 32 + 8)).counter, 2 ** 32 + 8);
});

test("a card table stored with u32 counters (earlier firmware) keeps each card's freshness", async (t) => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const { plaque, client, device } = await plaqueRig(t, issuer.root.publicKey);
  // count 2, next 0, 2 pad, then 16 x (kid 8, counter u32 LE): another card at 100, ours at 5
  const old = new Uint8Array(4 + 16 * 12);
  const view = new DataView(old.buffer);
  old[0] = 2;
  old.fill(0xaa, 4, 12);
  view.setUint32(12, 100, true);
  old.set(card.key.kid, 16);
  view.setUint32(24, 5, true);
  await client.ops.store.put({ k: 0x0801, v: old });
  device.power("off");
  device.power("on");
  const pay = async (counter: number) => {
    const c = await plaque.challenge(30);
    return plaque.submit(voucherBytes(card, { counter, amount: 30, challenge: c.challenge }), card.chain);
  };
  await refused(pay(5), "COUNTER_REUSED", "the stored counter 5 still holds");
  assert.equal((await plaque.status()).cards, 2);
  assert.equal((await pay(6)).counter, 6);
  assert.equal((await plaque.status()).cards, 2, "the card was found in the widened table, not added");
  // written back in the new form: the other card's entry survived the rewrite
  const table = (await client.ops.store.get({ k: 0x0801 })).v!;
  assert.equal(table.length, 4 + 16 * 16);
  const entry = (i: number) => [
    Buffer.from(table.subarray(4 + 16 * i, 12 + 16 * i)).toString("hex"),
    new DataView(table.buffer, table.byteOffset).getBigUint64(12 + 16 * i, true),
  ];
  assert.deepEqual(entry(0), ["aa".repeat(8), 100n]);
  assert.deepEqual(entry(1), [Buffer.from(card.key.kid).toString("hex"), 6n]);
});
