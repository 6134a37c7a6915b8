// The NFC budget from the bench module: a full SUN tap (3 SELECTs + 3 READs) stays within
// 20,000 Wasm instructions outside the keystore and makes exactly the expected keystore calls
// (one random, one AES, one session-key derivation, one CMAC). Instruction counts are
// deterministic (instrumented module), so these are exact-count checks, not timings.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { measureNfcCosts } from "../../host-tools/src/bench/nfc-costs.ts";

test("full SUN tap <= 20,000 Wasm instructions; keystore calls as designed; signed tap one ks_sign", async () => {
  const costs = await measureNfcCosts(loadBoard("sim-plaque"), firmwarePath("sim-plaque"));
  const [sun, signed, stat] = costs.taps;
  assert.equal(sun.steps.length, 6);
  assert.ok(sun.instructions <= 20000, `SUN tap took ${sun.instructions} instructions`);
  assert.deepEqual(sun.keystoreCalls, { random: 1, ks_aes: 1, ks_derive_cmac: 1, ks_cmac: 1 });
  assert.deepEqual(signed.keystoreCalls, { ks_sign: 1 });
  assert.deepEqual(stat.keystoreCalls, {});
  assert.equal(sun.steps[5].halCalls.flash_program, 1, "the counter is persisted before the answer");
  assert.ok(costs.read < 1000 && costs.select < 5000);
});
