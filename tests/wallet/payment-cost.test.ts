// Instruction budget of one offline payment on the card build (deterministic count from the
// instrumented module, not a timing): <= 100,000 Wasm instructions outside the keystore,
// exactly one signature and one flash program per payment.
import { test } from "node:test";
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
