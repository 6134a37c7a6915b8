// The wallet applet in the real card firmware on the simulator: provisioning, a payment
// whose voucher verifies against the issuer root (and with @noble directly), limits, PIN
// retry counter and lockout across reboots, sub-wallets, and the log agreeing with balances.
import { test } from "vitest";
import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { Decoder, Encoder } from "cbor-x";
import { decodeBundle, encodeBundle, verifyVoucher, COSE_ALG_ES256, COSE_ALG_EDDSA } from "../../host-tools/src/wallet/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { ENVELOPE, testIssuer } from "./wallet-fixture.ts";
import { cardRig, provisioned } from "./card-fixture.ts";

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false });
const cborxEnc = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TapkitError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "accepted";
}

/** PIN tries left as the card reported them (63Cx), from the error's details, not its text. */
async function triesLeft(p: Promise<unknown>): Promise<unknown> {
  const e = await p.then(
    () => assert.fail("the card accepted a wrong PIN"),
    (e: unknown) => e,
  );
  assert.ok(e instanceof TapkitError && e.code === "PIN_WRONG", String(e));
  return e.details.triesLeft;
}

for (const [slot, alg] of [
  [0, COSE_ALG_EDDSA],
  [1, COSE_ALG_ES256],
] as const) {
  test(`slot ${slot}: provision, pay, and the card's voucher verifies (chain, challenge, noble)`, async (t) => {
    const issuer = testIssuer(alg);
    const { card, chain } = await provisioned(t, issuer, { slot });
    const info = await card.info();
    assert.equal(info.bal, 10_000);
    assert.equal(info.cur, "EUR");
    assert.equal(info.pin, 3);
    assert.deepEqual(await card.chain(), chain);
    const challenge = new Uint8Array(16).map((_, i) => i + 1);
    const { voucher } = await card.pay({ amount: 250, currency: "EUR", payee: "shop-42", challenge });
    const v = verifyVoucher(decodeBundle(encodeBundle({ voucher, chain })), issuer.root.publicKey, { challenge, payee: "shop-42", amount: 250 });
    assert.equal(v.voucher.counter, 1);
    assert.equal(v.voucher.balanceAfter, 9_750);
    assert.equal(v.voucher.subWallet, 0);
    // independent check: cbor-x builds the Sig_structure, noble verifies with the card's key
    const [prot, , body, sig] = (cborx.decode(voucher) as { value: Uint8Array[] }).value;
    const msg = new Uint8Array(cborxEnc.encode(["Signature1", prot, new Uint8Array(0), body]));
    const ok =
      alg === COSE_ALG_EDDSA ? ed25519.verify(sig, msg, v.device.publicKey) : p256.verify(sig, msg, v.device.publicKey, { prehash: true, format: "compact" });
    assert.equal(ok, true);
    assert.equal((await card.info()).ctr, 1);
  });
}

test("one BEGIN yields one voucher; counters never repeat; limits refuse with a reason", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer, { balance: 4_000 });
  const challenge = new Uint8Array(16).fill(9);
  await card.begin(challenge, "shop-1");
  await card.sign(100, "EUR");
  assert.match(await refusal(card.sign(100, "EUR")), /no payment session/);
  await card.begin(challenge, "shop-1");
  assert.match(await refusal(card.sign(2_001, "EUR")), /per-payment cap/);
  assert.match(await refusal(card.sign(100, "USD")), /wrong currency/);
  assert.match(await refusal(card.sign(100, "EUR", 2)), /sub-wallet closed/);
  assert.equal(await refusal(card.sign(2_000, "EUR")), "accepted");
  // balance now 1_900: a 1_950 payment is refused for balance
  await card.begin(challenge, "shop-1");
  assert.match(await refusal(card.sign(1_950, "EUR")), /balance too low/);
  const counters = (await card.log()).filter((e) => e.kind === "payment").map((e) => e.counter);
  assert.deepEqual(counters, [2, 1]);
});

test("cumulative cap and payment count since sync are enforced", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer, { balance: 20_000 });
  for (let i = 0; i < 2; i++) await card.pay({ amount: 2_000, currency: "EUR", payee: "p" });
  await card.pay({ amount: 1_000, currency: "EUR", payee: "p" });
  assert.match(await refusal(card.pay({ amount: 1, currency: "EUR", payee: "p" })), /cumulative cap/);
  void ENVELOPE;
});

test("max payments since sync", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer, { balance: 20_000 });
  for (let i = 0; i < ENVELOPE.maxCount; i++) await card.pay({ amount: 1, currency: "EUR", payee: "p" });
  assert.match(await refusal(card.pay({ amount: 1, currency: "EUR", payee: "p" })), /maximum number of payments/);
});

test("PIN: owner ops need it; wrong tries count down in the store, survive a reboot, and lock", async (t) => {
  const issuer = testIssuer();
  const { card, device } = await provisioned(t, issuer);
  assert.match(await refusal(card.fund(1, 500)), /PIN_REQUIRED/);
  assert.equal(await triesLeft(card.verifyPin("0000")), 2);
  device.power("off");
  device.power("on");
  await card.select();
  assert.equal((await card.info()).pin, 2);
  await card.verifyPin("1234");
  assert.equal((await card.info()).pin, 3);
  await card.fund(1, 500);
  await card.setLimits(1, 100, 300, 5);
  assert.match(await refusal(card.setLimits(1, 5_000, 300, 5)), /above the issuer envelope/);
  const challenge = new Uint8Array(16).fill(3);
  await card.begin(challenge, "kiosk");
  assert.match(await refusal(card.sign(101, "EUR", 1)), /per-payment cap/);
  await card.pay({ amount: 100, currency: "EUR", payee: "kiosk", subWallet: 1 });
  assert.deepEqual((await card.balances()).slice(0, 2), [
    { open: true, balance: 9_500 },
    { open: true, balance: 400 },
  ]);
  await card.close(1);
  assert.deepEqual((await card.balances()).slice(0, 2), [
    { open: true, balance: 9_900 },
    { open: false, balance: 0 },
  ]);
  // deselect forgets the PIN; three wrong tries lock it for good
  await card.select();
  assert.match(await refusal(card.verifyPin("9999")), /PIN_WRONG: VERIFY PIN: wrong PIN: 2 tries left/);
  assert.equal(await triesLeft(card.verifyPin("9999")), 1);
  assert.match(await refusal(card.verifyPin("9999")), /PIN_BLOCKED/);
  assert.match(await refusal(card.verifyPin("1234")), /PIN_BLOCKED/);
  // payments do not need the PIN and still work
  await card.pay({ amount: 10, currency: "EUR", payee: "p" });
});

test("provisioning is refused once the wallet is active, and a foreign certificate is refused", async (t) => {
  const issuer = testIssuer();
  const { client } = await provisioned(t, issuer);
  const { provisionOverLink } = await import("../../host-tools/src/wallet/index.ts");
  await assert.rejects(provisionOverLink(client, issuer, { pin: "1234", balance: 1, currency: "EUR", limits: ENVELOPE }), /already provisioned/);
  const rig = await cardRig(t, 2);
  const { certifyDevice, signerFromSecret, COSE_ALG_EDDSA: A } = await import("../../host-tools/src/wallet/index.ts");
  const other = signerFromSecret(A, new Uint8Array(32).fill(0x5a));
  const chain = certifyDevice(issuer, other.publicKey, "EUR", ENVELOPE);
  const { CHANNEL } = await import("../../host-tools/src/link/index.ts");
  await assert.rejects(
    rig.client.session.request(CHANNEL.APP, "wallet.provision", { chain, cur: "EUR", max: 1, per: 1, cum: 1, count: 1, bal: 0, pin: "1234" }),
    /does not certify this card/,
  );
});
