// Instruction budget of one offline payment on the card build (deterministic count from the
// instrumented module, not a timing): <= 100,000 Wasm instructions outside the keystore,
// exactly one signature and one flash program per payment.
import { test } from "vitest";
import assert from "node:assert/strict";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { measureWalletPayment, WALLET_PAYMENT_BUDGET } from "../../host-tools/src/bench/wallet-costs.ts";
import { board } from "./card-fixture.ts";

test("one payment costs at most 100,000 Wasm instructions, one ks_sign and one flash program", async () => {
  for (const slot of [0, 1]) {
    const c = await measureWalletPayment(board("sim-card"), firmwarePath("sim-card"), slot);
    assert.ok(c.instructions > 1_000 && c.instructions <= WALLET_PAYMENT_BUDGET, JSON.stringify(c));
    assert.equal(c.halCalls.ks_sign, 1);
    assert.equal(c.halCalls.flash_program, 1);
  }
});

test("the plaque accepts a voucher with three keystore verifications and one flash program; a payword costs one hash", async () => {
  const { measureAcceptorCosts, measurePaywordRelease } = await import("../../host-tools/src/bench/acceptor-costs.ts");
  const a = await measureAcceptorCosts(board("sim-plaque"), firmwarePath("sim-plaque"));
  assert.equal(a.submitHalCalls.ks_verify, 3);
  assert.equal(a.submitHalCalls.flash_program, 1);
  assert.ok(a.submit > a.listOp, JSON.stringify(a));
  assert.equal(a.paywordHalCalls.sha256, 1);
  assert.equal(a.paywordHalCalls.flash_program, 1);
  const c = await measurePaywordRelease(board("sim-card"), firmwarePath("sim-card"), 100);
  // word 1 of 100: 99 hashes from the seed, the released index committed once
  assert.equal(c.releaseFirstHalCalls.sha256, 99);
  assert.equal(c.releaseFirstHalCalls.flash_program, 1);
});

test("one SYNC costs at most 100,000 Wasm instructions outside the keystore, one ks_verify and one flash program", async () => {
  const { WALLET_SYNC_BUDGET } = await import("../../host-tools/src/bench/wallet-costs.ts");
  const c = await measureWalletPayment(board("sim-card"), firmwarePath("sim-card"), 0);
  assert.ok(c.sync > 1_000 && c.sync <= WALLET_SYNC_BUDGET, JSON.stringify(c));
  assert.equal(c.syncHalCalls.ks_verify, 1);
  assert.equal(c.syncHalCalls.ks_sign, undefined);
  assert.equal(c.syncHalCalls.flash_program, 1);
  assert.ok(c.syncTokenBytes <= 255);
  console.log(`sync: ${c.sync} instructions, HAL ${JSON.stringify(c.syncHalCalls)}, token ${c.syncTokenBytes} B; payment ${c.instructions}`);
});
