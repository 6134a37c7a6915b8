// The host's CRC-16/CCITT-FALSE (EMV MPM object 63) against the catalogue check values and the
// EMVCo sample in tests/vectors/crc.json; the firmware's twin is held to the same payloads by
// tests/emv/mpm-firmware.test.ts (its built payloads equal the hand vectors, CRC included).
import { test } from "vitest";
import assert from "node:assert/strict";
import { crc16CcittFalse } from "../../host-tools/src/emv/crc16.ts";
import { crc32 } from "../../host-tools/src/link/crc32.ts";
import { CRC } from "../vectors/vectors.ts";

test("CRC-16/CCITT-FALSE: every vector in tests/vectors/crc.json", () => {
  assert.ok(CRC.crc16.vectors.length >= 3);
  for (const v of CRC.crc16.vectors) assert.equal(crc16CcittFalse(new TextEncoder().encode(v.text)).toString(16).padStart(4, "0"), v.crc, v.text.slice(0, 20));
});

test("CRC-32/ISO-HDLC: every vector in tests/vectors/crc.json", () => {
  for (const v of CRC.crc32.vectors) assert.equal(crc32(new TextEncoder().encode(v.text)).toString(16).padStart(8, "0"), v.crc, v.text);
});
