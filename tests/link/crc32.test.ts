// CRC-32/ISO-HDLC against the catalogue check value and Node's zlib.crc32 as the oracle.
import { test } from "vitest";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import zlib from "node:zlib";
import { crc32 } from "../../host-tools/src/link/crc32.ts";

test('check value of "123456789" is CBF43926', () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(zlib.crc32("123456789"), 0xcbf43926);
});

test("empty input gives 0", () => {
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("matches zlib.crc32 on random data", () => {
  for (let k = 0; k < 200; k++) {
    const data = randomBytes(k * 13);
    assert.equal(crc32(data), zlib.crc32(data), `length ${data.length}`);
  }
});

test("continuing from a previous value matches zlib.crc32 with an initial value", () => {
  const a = randomBytes(300);
  const b = randomBytes(77);
  assert.equal(crc32(b, crc32(a)), zlib.crc32(Buffer.concat([a, b])));
  assert.equal(crc32(b, crc32(a)), zlib.crc32(b, zlib.crc32(a)));
});
