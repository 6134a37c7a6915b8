// Found by the fuzzing campaign (scripts/fuzz-firmware.mjs), once an expected failure, now a
// regression: docs/link-protocol.md says encoders use core deterministic encoding, map keys
// sorted by the bytewise order of their encodings, but the answers to `tag.get` and
// `ndef.parse` wrote their keys in another order (tag.get: meta, file, sign, ...; ndef.parse:
// records before rest, and each record's flags, tnf, type, id, payload). The host decoder
// accepts unsorted keys, which is why no other test noticed. Oracle: cborg re-encodes the
// decoded body (RFC 8949 §4.2.1 order) and must give the device's bytes back. Fixed in
// firmware/nfc/tag-ops.ts (keys written shorter first, then bytewise).
import assert from "node:assert/strict";
import { encode as cborgEncode, decode as cborgDecode } from "cborg";
import ndef from "ndef";
import { Device, SIM_CARD, SIM_PLAQUE, cobsDecode, request } from "./firmware-harness.ts";
import { test } from "vitest";

function sortedKeys(bodyBytes: Uint8Array): boolean {
  const decoded = cborgDecode(bodyBytes, { useMaps: true });
  return Buffer.from(cborgEncode(decoded)).equals(Buffer.from(bodyBytes));
}

test("tag.get and ndef.parse answer in deterministic CBOR (sorted map keys) [fuzz finding: tag.get and ndef.parse write map keys unsorted]", async () => {
  const message = Uint8Array.from(ndef.encodeMessage([ndef.uriRecord("https://pay.example.com/x"), ndef.textRecord("hi")]));
  const unsorted: string[] = [];
  for (const board of [SIM_PLAQUE, SIM_CARD]) {
    for (const [op, args] of [
      ["tag.get", {}],
      ["ndef.parse", { m: message }],
      ["ndef.lint", { m: message }],
      ["status", {}],
    ] as const) {
      const d = await Device.boot(board, 1);
      d.uart.length = 0;
      d.feed(request(1, 7, { op, ...args }));
      const end = d.uart.indexOf(0, 1);
      const raw = cobsDecode(Uint8Array.from(d.uart.slice(d.uart[0] === 0 ? 1 : 0, end)));
      assert.equal(raw[1], 1, `${board.name} ${op} answered with flags ${raw[1]}`);
      if (!sortedKeys(raw.subarray(4, raw.length - 4))) unsorted.push(`${board.name} ${op}`);
    }
  }
  assert.deepEqual(unsorted, [], `answers with unsorted map keys: ${unsorted.join(", ")}`);
});
