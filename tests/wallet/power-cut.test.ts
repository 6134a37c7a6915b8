// A bounded share of the wallet power-cut campaign (the full runs are in
// scripts/soak-wallet.mjs): 1,000 random cuts inside SIGN VOUCHER on the real card build,
// 200 inside the plaque acceptor's submit and clear on the real plaque build, 600 inside
// SYNC, and 1,000 inside a PayWord workload (payments, SIGN CHAIN, PAYWORD, CLOSE CHAIN).
import { test } from "vitest";
import assert from "node:assert/strict";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { powerCutCampaign } from "../../host-tools/src/wallet/power-cut-campaign.ts";
import { acceptorCutCampaign } from "../../host-tools/src/wallet/acceptor-cut-campaign.ts";
import { board } from "./card-fixture.ts";
import { testIssuer } from "./wallet-fixture.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

test("1,000 random power cuts on the payment path: no counter reuse, no value created or lost, log agrees, every debit's voucher kept on the card", async () => {
  const r = await powerCutCampaign({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), issuer: testIssuer(), cuts: 1_000, seed: 11 });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.storeRefusals, {});
  assert.equal(r.cuts, 1_000);
  // both outcomes must occur, or the campaign is not exercising the commit point
  assert.ok(r.committedAtCut > 0 && r.committedAtCut < r.cuts, JSON.stringify(r));
  // issue 16 finding 3: debits the host never saw a voucher for are read back from the card
  assert.ok(r.vouchersRecovered > 0, JSON.stringify(r));
});

test("200 random power cuts in the plaque acceptor: acknowledged vouchers kept whole, freshness survives, clear is all or nothing", async () => {
  const r = await acceptorCutCampaign({ board: board("sim-plaque"), wasmPath: firmwarePath("sim-plaque"), issuer: testIssuer(), cuts: 200, seed: 5 });
  assert.deepEqual(r.violations, []);
  assert.equal(r.cuts, 200);
  assert.ok(r.committedAtCut > 0 && r.committedAtCut < r.submits && r.clears > 0, JSON.stringify(r));
});

test("600 random power cuts inside SYNC: the card is wholly pre- or post-sync, and the token applies exactly once", async () => {
  const { syncCutCampaign } = await import("../../host-tools/src/wallet/power-cut-campaign.ts");
  const r = await syncCutCampaign({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), issuer: testIssuer(), cuts: 600, seed: 23 });
  assert.deepEqual(r.violations, []);
  assert.equal(r.cuts, 600);
  assert.ok(r.committedAtCut > 0 && r.committedAtCut < r.cuts, JSON.stringify(r));
  console.log(`sync power cuts: ${JSON.stringify(r)}`);
});

test("1,000 random power cuts in a PayWord workload (pay, open chain, words in order and again, close): counters, value, word index, w0, log", async () => {
  const { paywordCutCampaign } = await import("../../host-tools/src/wallet/payword-cut-campaign.ts");
  const r = await paywordCutCampaign({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), issuer: testIssuer(), cuts: 1_000, seed: 31 });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.storeRefusals, {});
  assert.equal(r.cuts, 1_000);
  // every writing operation must be cut on both sides of its commit, or the campaign is not exercising it
  for (const k of ["pay", "open", "word", "close"] as const)
    assert.ok(r.byOp[k].committedAtCut > 0 && r.byOp[k].committedAtCut < r.byOp[k].cuts, `${k}: ${JSON.stringify(r.byOp[k])}`);
  assert.ok(r.byOp.again.runs > 0 && r.chainsWithoutVoucher > 0 && r.wordsLostToCuts > 0 && r.chainsClosed > 100, JSON.stringify(r));
  console.log(`PayWord power cuts: ${JSON.stringify(r)}`);
});
