// Host EMV MPM library against outside oracles: the published CRC check value (29B1), the
// EMVCo spec sample (A13A, with character-counted lengths in template 64), and payloads
// assembled by hand with CRCs from Python's binascii.crc_hqx (CCITT-FALSE with init 0xFFFF);
// every malformed payload is rejected naming the field and rule.
import { test } from "vitest";
import assert from "node:assert/strict";
import { crc16CcittFalse } from "../../host-tools/src/emv/crc16.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";

/** The data object an EMV_INVALID error names (details.field). */
const emvField = (e: unknown): string => (e instanceof TapkitError && e.code === "EMV_INVALID" ? String(e.details.field) : "");
import { buildPayload, parsePayload, type MerchantProfile } from "../../host-tools/src/emv/mpm.ts";
import { EMVCO_SAMPLE, HAND_DYNAMIC, HAND_PROFILE, HAND_STATIC, NEGATIVE } from "./vectors.ts";

test("CRC-16/CCITT-FALSE check value: 123456789 -> 29B1", () => {
  assert.equal(crc16CcittFalse(new TextEncoder().encode("123456789")), 0x29b1);
});

test("EMVCo spec sample parses, CRC A13A, character lengths in template 64", () => {
  const p = parsePayload(EMVCO_SAMPLE);
  assert.equal(p.crc, "A13A");
  assert.equal(p.initiation, "dynamic");
  const lang = new Map(p.templates["64"].map((o) => [o.id, o.value]));
  assert.equal(lang.get("01"), "最佳运输");
  assert.equal(lang.get("02"), "北京");
  assert.equal(p.objects.find((o) => o.id === "54")?.value, "23.72");
  assert.equal(p.objects.find((o) => o.id === "52")?.value, "4111");
});

test("builder reproduces hand-assembled static and dynamic payloads (two schemes)", () => {
  assert.equal(buildPayload(HAND_PROFILE), HAND_STATIC);
  assert.equal(buildPayload(HAND_PROFILE, { amount: "10.50", bill: "A-1", reference: 7 }), HAND_DYNAMIC);
  assert.equal(parsePayload(HAND_STATIC).initiation, "static");
  assert.equal(parsePayload(HAND_DYNAMIC).templates["62"].length, 2);
});

for (const [name, payload, field] of NEGATIVE) {
  test(`rejects: ${name}`, () => {
    assert.throws(
      () => parsePayload(payload),
      (e: unknown) => {
        assert.ok(e instanceof TapkitError && e.code === "EMV_INVALID", String(e));
        assert.ok(emvField(e).startsWith(field), `field "${emvField(e)}" should start with "${field}" (${e.message})`);
        assert.ok(String(e.details.rule).length > 5 && e.hint.length > 0);
        return true;
      },
    );
  });
}

test("builder rejects bad profiles and amounts naming the field", () => {
  const bad: [Partial<MerchantProfile>, string][] = [
    [{ name: "X".repeat(26) }, "59"],
    [{ city: "Y".repeat(16) }, "60"],
    [{ country: "br" }, "58"],
    [{ currency: "EUX" }, "53"],
    [{ currency: "9780" }, "53"],
    [{ mcc: "581" }, "52"],
    [{ accounts: [] }, "02-51"],
    [{ accounts: [{ id: 26, fields: { "01": "k" } }] }, "26/00"],
    [{ accounts: [{ id: 52, gui: "X" }] }, "52"],
  ];
  for (const [patch, field] of bad) {
    assert.throws(
      () => buildPayload({ ...HAND_PROFILE, ...patch }),
      (e) => emvField(e).startsWith(field),
      JSON.stringify(patch),
    );
  }
  for (const amount of ["0", "0.00", "012", "1.234", "1,50", "1234567890123.5", "", "-1"]) {
    assert.throws(
      () => buildPayload(HAND_PROFILE, { amount }),
      (e) => emvField(e).startsWith("54"),
      amount,
    );
  }
});
