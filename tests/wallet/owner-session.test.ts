// The wallet library's owner session and voucher files on the real card and plaque builds
// (what the owner and acceptor commands call): a malformed PIN never reaches the card, a
// wrong one reports the tries left in details, a blocked one is caught before VERIFY,
// status carries the certified envelope, the log reads oldest first, and the plaque export
// clears nothing unless every bundle was written.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { acceptPayment, decodeBundle, exportPlaqueVouchers, OwnerSession, readVoucherDir, settle, WalletCard } from "../../host-tools/src/wallet/index.ts";
import { cardRig, provisioned } from "./card-fixture.ts";
import { plaqueRig } from "./plaque-fixture.ts";
import { ENVELOPE, testIssuer } from "./wallet-fixture.ts";

async function refusal(p: Promise<unknown>): Promise<TapkitError> {
  const e = await p.then(
    () => assert.fail("expected a refusal"),
    (e: unknown) => e,
  );
  assert.ok(e instanceof TapkitError, String(e));
  return e;
}

/** The card's PIN tries as GET DATA reports them (no PIN needed). */
async function tries(card: WalletCard): Promise<number> {
  await card.select();
  return (await card.info()).pin ?? -1;
}

test("owner session: PIN format, wrong PIN with tries left, blocked before VERIFY, blank card", async (t) => {
  const { card, device } = await provisioned(t, testIssuer());
  let verifies = 0;
  const counted = new WalletCard(async (apdu) => {
    if (apdu[1] === 0x20) verifies++;
    return device.nfcApdu(apdu);
  });
  const malformed = await refusal(OwnerSession.open(card, "12a4"));
  assert.deepEqual([malformed.code, malformed.exitCode], ["PIN_FORMAT", 2]);
  assert.equal(await tries(card), 3, "a malformed PIN is not sent, so it costs no try");

  const wrong = await refusal(OwnerSession.open(counted, "9999"));
  assert.equal(verifies, 1);
  assert.equal(wrong.code, "PIN_WRONG");
  assert.deepEqual(wrong.details, { triesLeft: 2 });
  assert.match(wrong.hint, /after 2 more wrong tries/);
  assert.equal((await (await OwnerSession.open(card, null)).status()).pinTriesLeft, 2);

  const owner = await OwnerSession.open(card, "1234");
  assert.equal(await tries(card), 3, "the right PIN restores the tries");
  const badNew = await refusal(owner.changePin("123"));
  assert.equal(badNew.code, "PIN_FORMAT");

  for (const left of [2, 1]) assert.equal((await refusal(OwnerSession.open(card, "0000"))).details.triesLeft, left);
  const lastTry = await refusal(OwnerSession.open(card, "0000"));
  assert.deepEqual([lastTry.code, lastTry.details.triesLeft], ["PIN_BLOCKED", 0]);
  const before = verifies;
  const blocked = await refusal(OwnerSession.open(counted, "1234"));
  assert.equal(blocked.code, "PIN_BLOCKED");
  assert.equal(verifies, before, "a blocked PIN is seen in GET DATA; VERIFY is not sent");
  assert.match(blocked.hint, /payments under the envelope keep working/);

  const blank = await cardRig(t, 2);
  assert.equal((await refusal(OwnerSession.open(blank.card, null))).code, "NOT_PROVISIONED");
});

test("owner session: status with the certified envelope, fund and close move value, log oldest first", async (t) => {
  const { card } = await provisioned(t, testIssuer(), { balance: 10_000 });
  const owner = await OwnerSession.open(card, "1234");
  assert.deepEqual((await owner.fund(1, 3_000)).slice(0, 2), [
    { sub: 0, open: true, balance: 7_000 },
    { sub: 1, open: true, balance: 3_000 },
  ]);
  await owner.setLimits(1, { perPayment: 300, cumulative: 1_000, maxCount: 5 });
  await card.pay({ amount: 250, currency: "EUR", payee: "shop-42", subWallet: 1 });
  const status = await (await OwnerSession.open(card, null)).status();
  assert.deepEqual(status.envelope, ENVELOPE, "from the device certificate");
  assert.deepEqual([status.counter, status.total, status.pinBlocked], [1, 9_750, false]);
  assert.deepEqual(status.balances[1], { sub: 1, open: true, balance: 2_750, perPayment: 300, cumulative: 1_000, maxCount: 5, spent: 250, count: 1 });
  const closed = await (await OwnerSession.open(card, "1234")).close(1);
  assert.deepEqual([closed.moved, closed.balances[0].balance, closed.balances[1].open], [2_750, 9_750, false]);
  const log = await (await OwnerSession.open(card, null)).log(64);
  assert.deepEqual(
    log.map((e) => [e.seq, e.kind, e.amount]),
    [
      [0, "provision", 10_000],
      [1, "fund", 3_000],
      [2, "payment", 250],
      [3, "close", 2_750],
    ],
  );
});

test("plaque export: bundles written then cleared; a folder that cannot be written clears nothing", async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer);
  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  await acceptPayment(card, plaque, { amount: 250 });
  await acceptPayment(card, plaque, { amount: 100 });
  const dir = mkdtempSync(join(tmpdir(), "tapkit-export-"));
  try {
    const notADir = join(dir, "file");
    writeFileSync(notADir, "x");
    await assert.rejects(exportPlaqueVouchers(plaque, join(notADir, "out"), { clear: true }));
    assert.equal((await plaque.status()).held, 2, "nothing cleared when the files could not be written");

    const out = join(dir, "out");
    const r = await exportPlaqueVouchers(plaque, out, { clear: true });
    assert.deepEqual([r.files.length, r.cleared, (await plaque.status()).held], [2, 2, 0]);
    assert.deepEqual(readdirSync(out).sort(), r.files.map((f) => f.slice(out.length + 1)).sort());
    assert.equal(decodeBundle(readFileSync(r.files[0])).chain.length, 2);
    const report = settle(readVoucherDir(out), issuer.root.publicKey);
    assert.deepEqual([report.accepted, report.findings], [2, []]);
    assert.deepEqual(report.totals, { "shop-42": { EUR: 350 } });
    const missing = await refusal(Promise.resolve().then(() => readVoucherDir(join(dir, "nope"))));
    assert.deepEqual([missing.code, missing.exitCode], ["FILE_UNREADABLE", 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
