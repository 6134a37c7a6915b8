// The bounded share of the NFC robustness run (scripts/soak-nfc.mjs does 1,000,000): 50,000
// random and mutated APDUs and Type 2 commands against the built plaque firmware in process,
// on a SUN tag and a writable static tag. No trap (the simulator would reboot: boots stays
// 1), every APDU answered with a documented status word.
import { test } from "vitest";
import assert from "node:assert/strict";
import { bootTag } from "./nfc-fixture.ts";
import { fuzzTag } from "../../hil-tests/cases/nfc-fuzz.ts";
import { encodeMessage, setPersonality, setTag, uriRecord } from "../../host-tools/src/ndef/index.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

test("50,000 random/mutated APDUs and Type 2 commands: no trap, only defined status words", async () => {
  const t = await bootTag("sim-plaque", { seed: 7 });
  try {
    const target = {
      apdu: (c: Uint8Array) => t.device.nfcApdu(c),
      t2t: (c: Uint8Array) => t.device.nfcT2t(c),
      fieldOff: () => t.device.field(false),
    };
    const sun = await fuzzTag({ apdu: target.apdu, fieldOff: target.fieldOff }, { count: 20000, seed: 1 });
    await setTag(t.client, { m: encodeMessage([uriRecord("https://pay.example.com/x")]), mode: 0, writable: true });
    const writable = await fuzzTag({ apdu: target.apdu, fieldOff: target.fieldOff }, { count: 20000, seed: 2 });
    await setPersonality(t.client, 2);
    const t2 = await fuzzTag(target, { count: 10000, seed: 3, t2tShare: 1 });
    assert.deepEqual([...sun.failures, ...writable.failures, ...t2.failures], []);
    assert.equal(t.device.boots, 1, `no trap or panic (last reset: ${t.device.lastResetReason?.message})`);
    assert.equal(sun.apdus + writable.apdus + t2.t2t, 50000);
    assert.ok((sun.bySw["9000"] ?? 0) > 1000, "the generator reaches the tag's success paths too");
    assert.ok((writable.bySw["6b00"] ?? 0) > 0 && (writable.bySw["6986"] ?? 0) > 0 && (writable.bySw["6700"] ?? 0) > 0);
  } finally {
    await t.close();
  }
});
