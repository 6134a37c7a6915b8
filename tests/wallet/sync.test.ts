// Issuer SYNC on the real card build in the simulator: the token resets the cumulative cap
// and payment count (card-wide and per sub-wallet), credits the top-up, logs a kind-6 entry,
// moves the epoch the info map and the next voucher carry; refusals (replay, another card,
// wrong key, altered byte, settled counter above the card's, top-up above the maximum
// balance, garbage) each answer their reason byte and change nothing. The token is checked
// independently: cbor-x decodes it, @noble verifies the batch signature.
import { test } from "vitest";
import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { Decoder, Encoder } from "cbor-x";
import {
  buildSyncToken,
  COSE_ALG_EDDSA,
  COSE_ALG_ES256,
  decodeBundle,
  encodeBundle,
  signerFromSecret,
  verifyVoucher,
  type SyncTerms,
  type WalletCard,
} from "../../host-tools/src/wallet/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { ENVELOPE, seed, testIssuer } from "./wallet-fixture.ts";
import { provisioned } from "./card-fixture.ts";

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false });
const cborxEnc = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

/** The card's 6985 reason byte, or "accepted". */
async function reason(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TapkitError && e.details.reason !== undefined) return e.details.reason as number;
    throw e;
  }
  return "accepted";
}

async function snapshot(card: WalletCard) {
  const info = await card.info();
  return {
    bal: info.bal,
    epoch: info.epoch,
    ctr: info.ctr,
    balances: await card.balances(),
    log: (await card.log(3)).map((e) => `${e.seq}:${e.kind}:${e.amount}`),
  };
}

const pay = (card: WalletCard, amount: number, subWallet = 0) => card.pay({ amount, currency: "EUR", payee: "shop", subWallet });

for (const alg of [COSE_ALG_EDDSA, COSE_ALG_ES256] as const) {
  test(`sync (${alg === COSE_ALG_EDDSA ? "Ed25519" : "P-256"} batch key): resets cap and count, credits the top-up, logs it, moves the epoch`, async (t) => {
    const issuer = testIssuer(alg);
    const { card, chain } = await provisioned(t, issuer, { balance: 20_000 });
    // cumulative cap: 2000 + 2000 + 1000 = 5000, the next payment is refused (08)
    for (const a of [2_000, 2_000, 1_000]) await pay(card, a);
    assert.equal(await reason(pay(card, 1)), 8);
    const before = await card.info();
    assert.equal(before.epoch, 0);
    const terms: SyncTerms = { deviceId: new Uint8Array(before.kid), epoch: 1, settledCounter: 3, topUp: 7_000 };
    const token = buildSyncToken(issuer.batch, terms);
    assert.ok(token.length <= 255, `token of ${token.length} bytes`);
    // outside oracle: cbor-x decodes the token and its payload, noble verifies the batch signature
    const [prot, unprot, body, sig] = (cborx.decode(token) as { tag: number; value: Uint8Array[] }).value;
    assert.equal((cborx.decode(token) as { tag: number }).tag, 18);
    assert.equal((unprot as unknown as Map<number, unknown>).size, 0);
    const payload = cborx.decode(body) as Map<number, unknown>;
    assert.deepEqual([...payload.keys()], [1, 2, 3, 4, 5]);
    assert.deepEqual(new Uint8Array(payload.get(2) as Uint8Array), new Uint8Array(before.kid));
    assert.deepEqual([payload.get(1), payload.get(3), payload.get(4), payload.get(5)], [1, 1, 3, 7_000]);
    const msg = new Uint8Array(cborxEnc.encode(["Signature1", prot, new Uint8Array(0), body]));
    const ok =
      alg === COSE_ALG_EDDSA
        ? ed25519.verify(sig, msg, issuer.batch.publicKey)
        : p256.verify(sig, msg, issuer.batch.publicKey, { prehash: true, format: "compact" });
    assert.equal(ok, true);

    assert.deepEqual(await card.sync(token), { epoch: 1, balance: 15_000 + 7_000 });
    const after = await card.info();
    assert.equal(after.epoch, 1);
    assert.equal(after.bal, 22_000);
    assert.equal(after.ctr, 3);
    const [newest] = await card.log(1);
    assert.deepEqual(
      { kind: newest.kind, amount: newest.amount, balanceAfter: newest.balanceAfter, counter: newest.counter },
      { kind: "sync", amount: 7_000, balanceAfter: 22_000, counter: 3 },
    );
    // the cap is fresh: the refused payment passes, and the voucher carries the new epoch
    const challenge = new Uint8Array(16).fill(0x5c);
    const { voucher } = await card.pay({ amount: 1, currency: "EUR", payee: "shop", challenge });
    const v = verifyVoucher(decodeBundle(encodeBundle({ voucher, chain })), issuer.root.publicKey, { challenge });
    assert.equal(v.voucher.epoch, 1);
    assert.equal(v.voucher.counter, 4);
    // the same token again is a replay (11: epoch is not current + 1)
    assert.equal(await reason(card.sync(token)), 0x11);
  });
}

test("sync resets the payment count and each sub-wallet's own totals; a new envelope replaces the old", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer, { balance: 20_000 });
  await card.verifyPin("1234");
  await card.fund(1, 1_000);
  await card.setLimits(1, 300, 300, 5);
  await card.fund(2, 500);
  await card.setLimits(2, 300, 1_000, 1);
  await pay(card, 300, 1);
  assert.equal(await reason(pay(card, 1, 1)), 8);
  await pay(card, 10, 2);
  assert.equal(await reason(pay(card, 1, 2)), 9);
  for (let i = 2; i < ENVELOPE.maxCount; i++) await pay(card, 1);
  assert.equal(await reason(pay(card, 1)), 9);
  const info = await card.info();
  const envelope = { maxBalance: 60_000, perPayment: 3_000, cumulative: 9_000, maxCount: 20 };
  await card.sync(buildSyncToken(issuer.batch, { deviceId: new Uint8Array(info.kid), epoch: 1, settledCounter: 0, topUp: 0, envelope }));
  assert.equal((await card.info()).bal, info.bal);
  // sub-wallet 1 keeps the owner's limits but its totals are reset
  await pay(card, 300, 1);
  assert.equal(await reason(pay(card, 1, 1)), 8);
  await pay(card, 10, 2);
  assert.equal(await reason(pay(card, 1, 2)), 9);
  // sub-wallet 0 followed the new envelope: 2,500 was above the old per-payment cap
  await pay(card, 2_500);
  for (let i = 3; i < envelope.maxCount; i++) await pay(card, 1);
  assert.equal(await reason(pay(card, 1)), 9);
  // top-up limited by the new maximum balance
  const now = await card.info();
  const over = buildSyncToken(issuer.batch, { deviceId: new Uint8Array(now.kid), epoch: 2, settledCounter: 0, topUp: 60_000 - now.bal! + 1 });
  assert.equal(await reason(card.sync(over)), 0x14);
  assert.deepEqual(
    await card.sync(buildSyncToken(issuer.batch, { deviceId: new Uint8Array(now.kid), epoch: 2, settledCounter: 0, topUp: 60_000 - now.bal! })),
    { epoch: 2, balance: 60_000 },
  );
  await pay(card, 1);
});

test("refused sync tokens: each with its reason byte, and nothing changes", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer, { balance: 10_000 });
  await pay(card, 100);
  await pay(card, 100);
  const info = await card.info();
  const kid = new Uint8Array(info.kid);
  const good: SyncTerms = { deviceId: kid, epoch: 1, settledCounter: 2, topUp: 1_234 };
  const wrong = signerFromSecret(COSE_ALG_EDDSA, seed(0x77));
  const valid = buildSyncToken(issuer.batch, good);
  // altered payload byte: the top-up 1234 (19 04 D2) becomes 1235, still well-formed CBOR
  const altered = valid.slice();
  const at = Buffer.from(altered).indexOf(Buffer.from([0x05, 0x19, 0x04, 0xd2]));
  assert.ok(at > 0);
  altered[at + 3] ^= 0x01;
  const badSig = valid.slice();
  badSig[badSig.length - 40] ^= 0x80;
  const cases: [string, Uint8Array, number][] = [
    ["garbage", Uint8Array.from({ length: 100 }, (_, i) => i), 0x0f],
    ["truncated", valid.subarray(0, valid.length - 1), 0x0f],
    ["another card's kid", buildSyncToken(issuer.batch, { ...good, deviceId: new Uint8Array(8).fill(0xab) }), 0x10],
    ["epoch skipped", buildSyncToken(issuer.batch, { ...good, epoch: 2 }), 0x11],
    ["epoch not moved", buildSyncToken(issuer.batch, { ...good, epoch: 0 }), 0x11],
    ["settled counter above the card's", buildSyncToken(issuer.batch, { ...good, settledCounter: 3 }), 0x12],
    ["signed by a wrong key", buildSyncToken(wrong, good), 0x13],
    ["wrong key claiming the batch kid", buildSyncToken({ ...wrong, kid: issuer.batch.kid }, good), 0x13],
    ["altered payload byte", altered, 0x13],
    ["altered signature", badSig, 0x13],
    ["another issuer's batch key", buildSyncToken(testIssuer(COSE_ALG_EDDSA, 0x40).batch, good), 0x13],
    ["top-up above maxBalance", buildSyncToken(issuer.batch, { ...good, topUp: ENVELOPE.maxBalance - info.bal! + 1 }), 0x14],
    ["envelope lowers maxBalance below the balance", buildSyncToken(issuer.batch, { ...good, topUp: 0, envelope: { ...ENVELOPE, maxBalance: 100 } }), 0x14],
  ];
  const before = await snapshot(card);
  for (const [name, token, want] of cases) {
    assert.equal(await reason(card.sync(token)), want, name);
    assert.deepEqual(await snapshot(card), before, `${name}: the card changed`);
  }
  // the valid token still applies once after all that
  assert.deepEqual(await card.sync(valid), { epoch: 1, balance: info.bal! + 1_234 });
  const applied = await snapshot(card);
  assert.equal(await reason(card.sync(valid)), 0x11);
  assert.deepEqual(await snapshot(card), applied);
});
