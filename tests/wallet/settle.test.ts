// Settlement across a batch: duplicates, replayed challenges, counter reuse, envelope
// overruns and invalid uploads are each reported, and only clean vouchers are credited.
import { test } from "vitest";
import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import { encodeBundle, settle } from "../../host-tools/src/wallet/index.ts";
import { bundleBytes, ENVELOPE, testCard, testIssuer, voucherBytes } from "./wallet-fixture.ts";

const chal = (n: number) => new Uint8Array(16).fill(n);

test("a clean batch is credited in full, counter gaps are listed", () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const inputs = [1, 2, 4].map((c) => ({ name: `v${c}`, bytes: bundleBytes(card, { counter: c, challenge: chal(c), amount: 100 }) }));
  const r = settle(inputs, issuer.root.publicKey);
  assert.equal(r.accepted, 3);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.totals, { "shop-42": { EUR: 300 } });
  assert.deepEqual(Object.values(r.devices)[0], { counters: [1, 2, 4], gaps: [3] });
});

test("duplicates, replayed challenges, counter reuse, envelope and invalid uploads", () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const a = bundleBytes(card, { counter: 1, challenge: chal(1), amount: 100 });
  const inputs = [
    { name: "a", bytes: a },
    { name: "a-again", bytes: a },
    // same challenge answered again by a later payment
    { name: "replay", bytes: bundleBytes(card, { counter: 2, challenge: chal(1), amount: 100 }) },
    // counter 3 signed twice with different contents
    { name: "c3-x", bytes: bundleBytes(card, { counter: 3, challenge: chal(3), amount: 100 }) },
    { name: "c3-y", bytes: bundleBytes(card, { counter: 3, challenge: chal(4), amount: 900 }) },
    { name: "garbage", bytes: new Uint8Array([1, 2, 3]) },
    { name: "foreign", bytes: encodeBundle({ voucher: voucherBytes(testCard(issuer, undefined, 0x71), { counter: 9 }), chain: card.chain }) },
  ];
  const r = settle(inputs, issuer.root.publicKey);
  const kinds = r.findings.map((f) => `${f.kind}:${f.items.join(",")}`).sort();
  assert.deepEqual(kinds, ["counter-reuse:c3-x,c3-y", "duplicate:a,a-again", "invalid:foreign", "invalid:garbage", "replayed-challenge:a,replay"]);
  assert.equal(r.accepted, 1);
  assert.deepEqual(r.totals, { "shop-42": { EUR: 100 } });
});

test("payments beyond the certified count and cumulative caps in one epoch are flagged, a new epoch resets", () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const inputs = [];
  for (let c = 1; c <= ENVELOPE.maxCount + 1; c++) inputs.push({ name: `n${c}`, bytes: bundleBytes(card, { counter: c, challenge: chal(c), amount: 10 }) });
  inputs.push({ name: "next-epoch", bytes: bundleBytes(card, { counter: 50, challenge: chal(50), amount: 10, epoch: 1 }) });
  let r = settle(inputs, issuer.root.publicKey);
  assert.deepEqual(
    r.findings.map((f) => [f.kind, f.code, f.items[0]]),
    [["outside-envelope", "ENVELOPE_COUNT", `n${ENVELOPE.maxCount + 1}`]],
  );
  assert.equal(r.accepted, ENVELOPE.maxCount + 1);

  const big = [1, 2, 3].map((c) => ({ name: `b${c}`, bytes: bundleBytes(card, { counter: c, challenge: chal(c), amount: 2_000 }) }));
  r = settle(big, issuer.root.publicKey);
  assert.deepEqual(
    r.findings.map((f) => f.code),
    ["ENVELOPE_CUMULATIVE"],
  );
  assert.deepEqual(r.totals, { "shop-42": { EUR: 4_000 } });
});

test("PayWord: settlement credits the units the best payword proves", () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const words: Uint8Array[] = [];
  let w: Uint8Array = new Uint8Array(32).fill(7); // w_n, the secret end of the chain
  const n = 20;
  const chain: Uint8Array[] = [w];
  for (let i = 0; i < n; i++) chain.unshift((w = sha256(w)));
  words.push(...chain); // words[i] = w_i, words[0] = root
  const commit = voucherBytes(card, { counter: 1, amount: 5 * n, chain: { root: words[0], unit: 5, length: n } });
  const at = (i: number) => encodeBundle({ voucher: commit, chain: card.chain, payword: { index: i, word: words[i] } });
  const r = settle(
    [
      { name: "w3", bytes: at(3) },
      { name: "w7", bytes: at(7) },
    ],
    issuer.root.publicKey,
  );
  assert.deepEqual(r.totals, { "shop-42": { EUR: 35 } });
  const bad = words[7].slice();
  bad[0] ^= 1;
  const r2 = settle([{ name: "bad", bytes: encodeBundle({ voucher: commit, chain: card.chain, payword: { index: 7, word: bad } }) }], issuer.root.publicKey);
  assert.deepEqual(
    r2.findings.map((f) => f.code),
    ["PAYWORD_BAD"],
  );
});

test("after a sync, vouchers of the next epoch start a fresh envelope (cap and count per card and epoch)", () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  // ENVELOPE: cumulative 5,000 and 10 payments per sync epoch
  const amounts = [2_000, 2_000, 1_000];
  const mk = (epochOf: (i: number) => number) =>
    [...amounts, ...amounts].map((amount, i) => ({
      name: `c${i + 1}`,
      bytes: bundleBytes(card, { counter: i + 1, challenge: chal(i + 1), amount, epoch: epochOf(i) }),
    }));
  const synced = settle(
    mk((i) => (i < 3 ? 0 : 1)),
    issuer.root.publicKey,
  );
  assert.deepEqual(synced.findings, []);
  assert.equal(synced.accepted, 6);
  assert.deepEqual(synced.totals, { "shop-42": { EUR: 10_000 } });
  // the same payments without the sync break the cumulative cap from the fourth on
  const unsynced = settle(
    mk(() => 0),
    issuer.root.publicKey,
  );
  assert.deepEqual(
    unsynced.findings.map((f) => `${f.code}:${f.items}`),
    ["ENVELOPE_CUMULATIVE:c4", "ENVELOPE_CUMULATIVE:c5", "ENVELOPE_CUMULATIVE:c6"],
  );
  assert.equal(unsynced.accepted, 3);
  // count: 10 payments in epoch 0 and 10 in epoch 1 all pass; an 11th in epoch 1 does not
  const many = Array.from({ length: 21 }, (_, i) => ({
    name: `n${i + 1}`,
    bytes: bundleBytes(card, { counter: i + 1, challenge: chal(i + 1), amount: 1, epoch: i < 10 ? 0 : 1 }),
  }));
  assert.deepEqual(
    settle(many, issuer.root.publicKey).findings.map((f) => `${f.code}:${f.items}`),
    ["ENVELOPE_COUNT:n21"],
  );
});
