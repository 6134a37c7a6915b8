// The plaque as offline acceptor, card and plaque both running their real builds in the
// simulator: payments relayed card -> plaque are accepted, exported and settled, and the
// vouchers verify with the host verifier and with @noble directly; altered vouchers,
// another issuer's root, replayed challenges, reused counters (a cloned card), malleated
// signatures and a full plaque are refused with their reason.
import { test } from "vitest";
import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { Decoder, Encoder } from "cbor-x";
import { acceptPayment, COSE_ALG_EDDSA, COSE_ALG_ES256, decodeBundle, settle, verifyVoucher } from "../../host-tools/src/wallet/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { provisioned } from "./card-fixture.ts";
import { plaqueRig } from "./plaque-fixture.ts";
import { testCard, testIssuer, voucherBytes } from "./wallet-fixture.ts";

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false });
const cborxEnc = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TapkitError) return e.code;
    throw e;
  }
  return "accepted";
}

for (const [slot, alg] of [
  [0, COSE_ALG_EDDSA],
  [1, COSE_ALG_ES256],
] as const) {
  test(`slot ${slot}: card pays the plaque; the plaque's export verifies, settles and checks with noble`, async (t) => {
    const issuer = testIssuer(alg);
    const { card } = await provisioned(t, issuer, { slot });
    const { plaque } = await plaqueRig(t, issuer.root.publicKey);
    const a = await acceptPayment(card, plaque, { amount: 250 });
    const b = await acceptPayment(card, plaque, { amount: 100 });
    assert.deepEqual([a.slot, a.counter, b.slot, b.counter], [0, 1, 1, 2]);
    assert.equal((await plaque.status()).held, 2);
    const bundles = await plaque.exportAll();
    const v = verifyVoucher(decodeBundle(bundles[0]), issuer.root.publicKey, { challenge: a.challenge, payee: "shop-42", amount: 250 });
    assert.deepEqual(new Uint8Array(decodeBundle(bundles[0]).voucher), a.voucher);
    assert.equal(v.voucher.balanceAfter, 9_750);
    // outside oracle: cbor-x rebuilds the Sig_structure, noble checks the card's signature
    const [prot, , body, sig] = (cborx.decode(decodeBundle(bundles[1]).voucher) as { value: Uint8Array[] }).value;
    const msg = new Uint8Array(cborxEnc.encode(["Signature1", prot, new Uint8Array(0), body]));
    const ok =
      alg === COSE_ALG_EDDSA ? ed25519.verify(sig, msg, v.device.publicKey) : p256.verify(sig, msg, v.device.publicKey, { prehash: true, format: "compact" });
    assert.equal(ok, true);
    const r = settle(
      bundles.map((bytes, i) => ({ name: `p${i}`, bytes })),
      issuer.root.publicKey,
    );
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.totals, { "shop-42": { EUR: 350 } });
    assert.equal(await plaque.clear(), 2);
    assert.equal((await plaque.status()).held, 0);
    // cleared slots are reused; the card's counter freshness is remembered
    assert.equal((await acceptPayment(card, plaque, { amount: 5 })).slot, 0);
  });
}

test("refusals: not set up, wrong root, altered voucher, replayed challenge, wrong amount, cloned counter, malleated signatures", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer);
  const bare = await plaqueRig(t);
  assert.equal(await code(bare.plaque.challenge(10)), "NOT_SET_UP");
  // another issuer's root: the card's chain does not lead there
  const foreign = await plaqueRig(t, testIssuer(COSE_ALG_EDDSA, 0x66).root.publicKey);
  assert.equal(await code(acceptPayment(card, foreign.plaque, { amount: 10 })), "CHAIN_ROOT");

  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  assert.equal(await code(plaque.submit(new Uint8Array(100), [new Uint8Array(1), new Uint8Array(1)])), "NO_CHALLENGE");
  const chain = await card.chain();
  // altered: one byte of the payee text inside the signed payload
  let ch = await plaque.challenge(40);
  await card.select();
  await card.begin(ch.challenge, ch.payee);
  const good = await card.sign(40, "EUR");
  const altered = good.slice();
  const at = Buffer.from(altered).indexOf(Buffer.from("shop-42"));
  altered[at] ^= 0x01;
  assert.equal(await code(plaque.submit(altered, chain)), "BAD_SIGNATURE");
  // the challenge was used by that attempt: the genuine voucher now needs a new one
  assert.equal(await code(plaque.submit(good, chain)), "NO_CHALLENGE");
  // replay: the old voucher against a fresh challenge
  await plaque.challenge(40);
  assert.equal(await code(plaque.submit(good, chain)), "CHALLENGE_MISMATCH");
  // amount asked differs from amount signed
  ch = await plaque.challenge(41);
  await card.begin(ch.challenge, ch.payee);
  assert.equal(await code(plaque.submit(await card.sign(40, "EUR"), chain)), "AMOUNT_MISMATCH");
  assert.equal((await plaque.status()).held, 0);

  // a cloned card (same certified key) replaying its counter: host-signed vouchers
  const clone = testCard(issuer);
  const cloneVoucher = async (counter: number) => {
    const c = await plaque.challenge(30);
    return plaque.submit(voucherBytes(clone, { counter, amount: 30, challenge: c.challenge, payee: "shop-42" }), clone.chain);
  };
  assert.equal((await cloneVoucher(7)).counter, 7);
  assert.equal(await code(cloneVoucher(7)), "COUNTER_REUSED");
  assert.equal(await code(cloneVoucher(3)), "COUNTER_REUSED");
  assert.equal((await cloneVoucher(8)).counter, 8);

  // malleated signatures the simulated keystore itself would accept
  const pIssuer = testIssuer(COSE_ALG_ES256);
  const pPlaque = (await plaqueRig(t, pIssuer.root.publicKey)).plaque;
  const pCard = testCard(pIssuer, COSE_ALG_ES256);
  let c = await pPlaque.challenge(30);
  const pv = voucherBytes(pCard, { counter: 1, amount: 30, challenge: c.challenge });
  const s = p256.Signature.fromBytes(pv.subarray(pv.length - 64), "compact");
  const high = pv.slice();
  high.set(new p256.Signature(s.r, p256.Point.CURVE().n - s.s).toBytes("compact"), pv.length - 64);
  assert.equal(await code(pPlaque.submit(high, pCard.chain)), "BAD_SIGNATURE");
  c = await pPlaque.challenge(30);
  assert.equal((await pPlaque.submit(voucherBytes(pCard, { counter: 1, amount: 30, challenge: c.challenge }), pCard.chain)).counter, 1);

  c = await plaque.challenge(30);
  const ev = voucherBytes(clone, { counter: 9, amount: 30, challenge: c.challenge });
  let S = 0n;
  for (let i = 31; i >= 0; i--) S = (S << 8n) | BigInt(ev[ev.length - 32 + i]);
  S += ed25519.Point.CURVE().n;
  const malleated = ev.slice();
  for (let i = 0; i < 32; i++) malleated[malleated.length - 32 + i] = Number((S >> BigInt(8 * i)) & 0xffn);
  assert.equal(await code(plaque.submit(malleated, clone.chain)), "BAD_SIGNATURE");
});

test("a full plaque refuses with a reason; export and clear make room", async (t) => {
  const issuer = testIssuer();
  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  const clone = testCard(issuer);
  const pay = async (counter: number) => {
    const c = await plaque.challenge(1);
    return plaque.submit(voucherBytes(clone, { counter, amount: 1, challenge: c.challenge }), clone.chain);
  };
  const { capacity } = await plaque.status();
  for (let i = 1; i <= capacity; i++) await pay(i);
  assert.equal(await code(pay(capacity + 1)), "ACCEPTOR_FULL");
  const r = settle(
    (await plaque.exportAll()).map((bytes, i) => ({ name: `v${i}`, bytes })),
    issuer.root.publicKey,
  );
  // every export verifies; settlement credits only the card's certified 10 payments per sync
  assert.equal(r.vouchers, capacity);
  assert.deepEqual([...new Set(r.findings.map((f) => f.code))], ["ENVELOPE_COUNT"]);
  assert.equal(r.accepted, 10);
  assert.equal(await plaque.clear(), capacity);
  assert.equal((await pay(capacity + 2)).slot, 0);
});
