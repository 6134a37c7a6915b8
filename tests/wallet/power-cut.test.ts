// A bounded share of the wallet power-cut campaign (the full >= 10,000 cuts run in
// scripts/soak-wallet.mjs): random cuts inside SIGN VOUCHER on the real card build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { powerCutCampaign } from "../../host-tools/src/wallet/power-cut-campaign.ts";
import { board } from "./card-fixture.ts";
import { testIssuer } from "./wallet-fixture.ts";

test("300 random power cuts on the payment path: no counter reuse, no value created or lost, log agrees", async () => {
  const r = await powerCutCampaign({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), issuer: testIssuer(), cuts: 300, seed: 11 });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.storeRefusals, {});
  assert.equal(r.cuts, 300);
  // both outcomes must occur, or the campaign is not exercising the commit point
  assert.ok(r.committedAtCut > 0 && r.committedAtCut < r.cuts, JSON.stringify(r));
});
