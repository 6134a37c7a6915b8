// Conformance: the plaque as offline acceptor and PayWord chains (docs/vouchers.md,
// docs/wallet-apdu.md). Acceptor cases run on plaque boards and skip on cards; PayWord
// release runs on card boards and skips on plaques. Vouchers for the acceptor come from
// a host-side card key certified by the published lab issuer. Non-destructive on real
// plaques: the root is set only on an unconfigured or empty plaque, and the vouchers the
// suite added are cleared only when the plaque held none before.
import assert from "../check.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import type { CaseContext, ConformanceCase } from "../case.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { isBenchFault } from "../bench-faults.ts";
import {
  certifyDevice,
  COSE_ALG_EDDSA,
  decodeBundle,
  decodeSign1,
  decodeVoucherPayload,
  encodeVoucherPayload,
  PlaqueAcceptor,
  signerFromSecret,
  signSign1,
  verifyVoucher,
  type Signer,
  type VoucherPayload,
} from "../../host-tools/src/wallet/index.ts";
import { LAB_LIMITS, labIssuer, readyCard } from "./wallet.ts";

const area = "wallet";
const PAYEE = "conformance";

async function readyPlaque(ctx: CaseContext): Promise<{ plaque: PlaqueAcceptor; heldBefore: number }> {
  const plaque = new PlaqueAcceptor(ctx.device);
  const s = await plaque.status();
  if (!s.configured || s.held === 0) {
    await plaque.setup(labIssuer().root.publicKey, PAYEE, "EUR");
    ctx.stateChange(`set the acceptor root to the lab issuer (payee '${PAYEE}', EUR)`);
  } else if (s.payee !== PAYEE) ctx.precondition(`the plaque holds ${s.held} voucher(s) for '${s.payee}': not re-provisioned by the suite`);
  return { plaque, heldBefore: s.held };
}

/** A host-side card key certified by the lab issuer (EUR, the lab envelope; `currency` for the certificate only). */
function labCard(currency = "EUR") {
  const key = signerFromSecret(COSE_ALG_EDDSA, sha256(new TextEncoder().encode("tapkit lab test card")));
  return { key, chain: certifyDevice(labIssuer(), key.publicKey, currency, LAB_LIMITS) };
}

/** A voucher of the lab card; `over` changes payload fields, `signer` signs with another key. */
function voucherFor(
  card: ReturnType<typeof labCard>,
  counter: number,
  amount: number,
  challenge: Uint8Array,
  over: Partial<VoucherPayload> = {},
  signer: Signer = card.key,
): Uint8Array {
  return signSign1(
    signer,
    encodeVoucherPayload({
      version: 1,
      deviceId: signer.kid,
      counter,
      amount,
      currency: "EUR",
      payee: PAYEE,
      challenge,
      subWallet: 0,
      balanceAfter: 1_000,
      epoch: 0,
      ...over,
    }),
  );
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    // A bench fault (timeout, lost link) is not the plaque's refusal code.
    if (e instanceof TapkitError && !isBenchFault(e)) return e.code;
    throw e;
  }
  return "accepted";
}

export const WALLET_ACCEPTOR_CASES: ConformanceCase[] = [
  {
    id: "ACCEPTOR-001",
    area,
    ref: "docs/vouchers.md §The plaque as offline acceptor",
    tags: ["acceptor"],
    roles: ["plaque"],
    changes: "configures the acceptor root when unconfigured; stores one voucher (cleared when none was held)",
    title: "plaque acceptor: fresh 16-byte challenges; a lab voucher is accepted, exported whole and verifies against the root",
    async run(ctx) {
      const { plaque, heldBefore } = await readyPlaque(ctx);
      const card = labCard();
      const a = await plaque.challenge(7);
      const b = await plaque.challenge(7);
      assert.equal(b.challenge.length, 16);
      assert.notDeepEqual(a.challenge, b.challenge);
      // The card's counter must be above what this plaque saw from the lab card before.
      const counter = Math.floor(Date.now() / 1000);
      const voucher = voucherFor(card, counter, 7, b.challenge);
      const r = await plaque.submit(voucher, card.chain);
      const exported = decodeBundle((await plaque.exportAll())[r.slot]);
      assert.deepEqual(new Uint8Array(exported.voucher), voucher);
      verifyVoucher(exported, labIssuer().root.publicKey, { challenge: b.challenge, payee: PAYEE, amount: 7 });
      if (heldBefore === 0) assert.equal(await plaque.clear(), 1);
      ctx.note("slot", r.slot);
    },
  },
  {
    id: "ACCEPTOR-002",
    area,
    ref: "docs/vouchers.md §The plaque as offline acceptor",
    tags: ["acceptor", "refusals"],
    roles: ["plaque"],
    changes: "configures the acceptor root when unconfigured; stores one voucher (cleared when none was held)",
    title: "plaque acceptor refuses: no challenge, replayed challenge, altered voucher, reused counter, foreign root",
    async run(ctx) {
      const { plaque, heldBefore } = await readyPlaque(ctx);
      const card = labCard();
      const counter = Math.floor(Date.now() / 1000) + 1;
      const first = await plaque.challenge(9);
      const v = voucherFor(card, counter, 9, first.challenge);
      assert.equal(await refusal(plaque.submit(v, card.chain)), "accepted");
      assert.equal(await refusal(plaque.submit(v, card.chain)), "NO_CHALLENGE");
      await plaque.challenge(9);
      assert.equal(await refusal(plaque.submit(v, card.chain)), "CHALLENGE_MISMATCH");
      const c = await plaque.challenge(9);
      const altered = voucherFor(card, counter + 1, 9, c.challenge);
      altered[altered.length - 70] ^= 1; // inside the signed payload
      assert.match(await refusal(plaque.submit(altered, card.chain)), /BAD_SIGNATURE|VOUCHER_FORMAT/);
      const again = await plaque.challenge(9);
      assert.equal(await refusal(plaque.submit(voucherFor(card, counter, 9, again.challenge), card.chain)), "COUNTER_REUSED");
      const foreign = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x77));
      const fc = await plaque.challenge(9);
      const fChain = certifyDevice(
        { ...labIssuer(), batchCert: signSign1(foreign, new Uint8Array(decodeSign1(labIssuer().batchCert, "b").payload)) },
        card.key.publicKey,
        "EUR",
        { maxBalance: 1, perPayment: 9, cumulative: 9, maxCount: 1 },
      );
      assert.equal(await refusal(plaque.submit(voucherFor(card, counter + 2, 9, fc.challenge), fChain)), "CHAIN_ROOT");
      if (heldBefore === 0) await plaque.clear();
    },
  },
  {
    id: "PAYWORD-001",
    area,
    ref: "docs/wallet-apdu.md §PayWord chains; docs/vouchers.md §PayWord",
    tags: ["payword"],
    roles: ["card"],
    changes: "reserves 8 units and spends 2 (PayWord chain)",
    title: "card PayWord: SIGN CHAIN commits to w0 and reserves unit x n; words hash back to w0; out-of-order refused; close refunds",
    async run(ctx) {
      const card = await readyCard(ctx);
      const before = (await card.info()).bal ?? 0;
      await card.begin(new Uint8Array(16).fill(0x5a), PAYEE);
      const voucher = await card.signChain(1, 8, (await card.info()).cur ?? "EUR");
      const commit = decodeVoucherPayload(decodeSign1(voucher, "v").payload);
      assert.deepEqual([commit.amount, commit.chain?.unit, commit.chain?.length], [8, 1, 8]);
      assert.equal((await card.info()).bal, before - 8);
      const w1 = await card.payword(1);
      const w2 = await card.payword(2);
      assert.deepEqual(sha256(w1), commit.chain!.root);
      assert.deepEqual(sha256(w2), w1);
      await assert.rejects(card.payword(4), /out of order/);
      assert.equal(await card.closeChain(), 6);
      assert.equal((await card.info()).bal, before - 2);
    },
  },
  {
    id: "ACCEPTOR-003",
    area,
    ref: "docs/vouchers.md §PayWord",
    tags: ["acceptor", "payword"],
    roles: ["plaque"],
    changes: "stores one PayWord voucher (cleared when none was held)",
    title: "plaque PayWord: a chain commitment opens a slot; each word is checked with one hash; forged words refused",
    async run(ctx) {
      const { plaque, heldBefore } = await readyPlaque(ctx);
      const card = labCard();
      const words = [new Uint8Array(32).fill(0x21)];
      for (let i = 0; i < 5; i++) words.unshift(sha256(words[0]));
      const c = await plaque.challenge(10, 2);
      const v = signSign1(
        card.key,
        encodeVoucherPayload({
          version: 1,
          deviceId: card.key.kid,
          counter: Math.floor(Date.now() / 1000) + 3,
          amount: 10,
          currency: "EUR",
          payee: PAYEE,
          challenge: c.challenge,
          subWallet: 0,
          balanceAfter: 1_000,
          epoch: 0,
          chain: { root: words[0], unit: 2, length: 5 },
        }),
      );
      const { slot } = await plaque.submit(v, card.chain);
      assert.equal((await plaque.payword(slot, words[1])).units, 1);
      assert.equal(await refusal(plaque.payword(slot, words[3])), "PAYWORD_BAD");
      assert.deepEqual(await plaque.payword(slot, words[2]), { slot, units: 2, value: 4 });
      const b = decodeBundle((await plaque.exportAll())[slot]);
      assert.equal(verifyVoucher(b, labIssuer().root.publicKey).paywordUnits, 2);
      if (heldBefore === 0) await plaque.clear();
    },
  },
];

/** One rule of the acceptor's submit check order, broken alone. */
interface RefusalRow {
  n: string;
  code: string;
  title: string;
  /** the amount (and PayWord unit) the plaque asks for */
  ask: { amount: number; unit?: number };
  /** the voucher and chain sent for that challenge */
  build(challenge: Uint8Array, counter: number): { voucher: Uint8Array; chain: Uint8Array[] };
}

const stranger = () => signerFromSecret(COSE_ALG_EDDSA, sha256(new TextEncoder().encode("tapkit conformance stranger")));
const PAYWORD_ROOT = sha256(new TextEncoder().encode("conformance chain"));

const REFUSALS: RefusalRow[] = [
  {
    n: "010",
    code: "PAYEE_MISMATCH",
    title: "a voucher for another payee",
    ask: { amount: 9 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 9, ch, { payee: "someone-else" }), chain: labCard().chain }),
  },
  {
    n: "011",
    code: "CURRENCY",
    title: "a voucher in another currency than the plaque's",
    ask: { amount: 9 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 9, ch, { currency: "USD" }), chain: labCard().chain }),
  },
  {
    n: "012",
    code: "CURRENCY",
    title: "a card certified for another currency (voucher in the plaque's)",
    ask: { amount: 9 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard("USD"), ctr, 9, ch), chain: labCard("USD").chain }),
  },
  {
    n: "013",
    code: "AMOUNT_MISMATCH",
    title: "a voucher for another amount than asked (8 for 9)",
    ask: { amount: 9 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 8, ch), chain: labCard().chain }),
  },
  {
    n: "014",
    code: "ENVELOPE",
    title: "an amount one above the certificate's per-payment cap (asked so)",
    ask: { amount: LAB_LIMITS.perPayment + 1 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, LAB_LIMITS.perPayment + 1, ch), chain: labCard().chain }),
  },
  {
    n: "015",
    code: "ENVELOPE",
    title: "a balance after one above the certificate's maximum balance",
    ask: { amount: 9 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 9, ch, { balanceAfter: LAB_LIMITS.maxBalance + 1 }), chain: labCard().chain }),
  },
  {
    n: "016",
    code: "VOUCHER_KID",
    title: "a voucher signed by a key other than the certified card key",
    ask: { amount: 9 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 9, ch, {}, stranger()), chain: labCard().chain }),
  },
  {
    n: "017",
    code: "CHAIN_LINK",
    title: "a device certificate not signed by the batch key (the lab batch certificate with a stranger's device certificate)",
    ask: { amount: 9 },
    build: (ch, ctr) => ({
      voucher: voucherFor(labCard(), ctr, 9, ch),
      chain: certifyDevice({ ...labIssuer(), batch: stranger() }, labCard().key.publicKey, "EUR", LAB_LIMITS),
    }),
  },
  {
    n: "018",
    code: "CHAIN_TERMS",
    title: "PayWord terms in a voucher when no unit was asked",
    ask: { amount: 10 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 10, ch, { chain: { root: PAYWORD_ROOT, unit: 2, length: 5 } }), chain: labCard().chain }),
  },
  {
    n: "019",
    code: "CHAIN_TERMS",
    title: "a plain voucher when a PayWord unit was asked",
    ask: { amount: 10, unit: 2 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 10, ch), chain: labCard().chain }),
  },
  {
    n: "020",
    code: "CHAIN_TERMS",
    title: "PayWord terms whose unit x length is not the amount (2 x 4 for 10)",
    ask: { amount: 10, unit: 2 },
    build: (ch, ctr) => ({ voucher: voucherFor(labCard(), ctr, 10, ch, { chain: { root: PAYWORD_ROOT, unit: 2, length: 4 } }), chain: labCard().chain }),
  },
];

export const ACCEPTOR_REFUSAL_CASES: ConformanceCase[] = [
  ...REFUSALS.map(
    (row): ConformanceCase => ({
      id: `ACCEPTOR-${row.n}`,
      area,
      ref: "docs/vouchers.md §The plaque as offline acceptor (checks on submit)",
      tags: ["acceptor", "refusals"],
      roles: ["plaque"],
      changes: "configures the acceptor root when unconfigured; stores nothing on a conforming plaque",
      title: `plaque acceptor refuses ${row.title} (${row.code}); nothing is stored and the challenge is spent`,
      async run(ctx) {
        const { plaque } = await readyPlaque(ctx);
        const held = (await plaque.status()).held;
        const counter = Math.floor(Date.now() / 1000) + 10;
        const { challenge } = await plaque.challenge(row.ask.amount, row.ask.unit);
        const { voucher, chain } = row.build(challenge, counter);
        assert.equal(await refusal(plaque.submit(voucher, chain)), row.code);
        assert.equal((await plaque.status()).held, held, "no voucher stored");
        // Each challenge takes one attempt: the well-formed voucher for it is now refused too.
        const good = voucherFor(labCard(), counter, 9, challenge);
        assert.equal(await refusal(plaque.submit(good, labCard().chain)), "NO_CHALLENGE", "the challenge was spent by the refused attempt");
      },
    }),
  ),
  {
    id: "ACCEPTOR-021",
    area,
    ref: "docs/vouchers.md §The plaque as offline acceptor (store: freshness entries survive clears)",
    tags: ["acceptor", "replay"],
    roles: ["plaque"],
    changes: "configures the acceptor root when unconfigured; stores and clears two vouchers; the lab card's freshness entry rises",
    title:
      "after a clear the plaque still knows the card's highest counter: a new voucher with that counter is refused (COUNTER_REUSED), the next one accepted",
    async run(ctx) {
      const { plaque, heldBefore } = await readyPlaque(ctx);
      if (heldBefore > 0) ctx.precondition(`an acceptor holding no vouchers (it holds ${heldBefore}: export and clear them first)`);
      const card = labCard();
      const counter = Math.floor(Date.now() / 1000) + 20;
      const a = await plaque.challenge(5);
      assert.equal(await refusal(plaque.submit(voucherFor(card, counter, 5, a.challenge), card.chain)), "accepted");
      assert.equal(await plaque.clear(), 1, "one voucher cleared");
      const b = await plaque.challenge(5);
      assert.equal(await refusal(plaque.submit(voucherFor(card, counter, 5, b.challenge), card.chain)), "COUNTER_REUSED");
      const c = await plaque.challenge(5);
      assert.equal(await refusal(plaque.submit(voucherFor(card, counter + 1, 5, c.challenge), card.chain)), "accepted");
      assert.equal(await plaque.clear(), 1);
    },
  },
];
