// COBS against the published examples (Wikipedia "Consistent Overhead Byte Stuffing",
// after Cheshire & Baker 1999) and round trips over the block-boundary cases.
import { test } from "vitest";
import assert from "node:assert/strict";
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from "../../host-tools/src/link/cobs.ts";
import { isTapkitError } from "../../host-tools/src/errors/index.ts";
import { COBS, fromHex } from "../vectors/vectors.ts";

const CobsError = (e: unknown) => isTapkitError(e, "BAD_COBS");

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const range = (from: number, to: number) => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

// Encoded forms without the trailing 00 delimiter (tests/vectors/cobs.json, shared with the firmware tests).
const vectors: Array<[string, Uint8Array, Uint8Array]> = COBS.vectors.map((v) => [v.name, fromHex(v.decoded), fromHex(v.encoded)]);

for (const [name, plain, encoded] of vectors) {
  test(`published vector ${name}`, () => {
    assert.deepEqual(cobsEncode(plain), encoded);
    assert.deepEqual(cobsDecode(encoded), plain);
  });
}

test("empty input encodes to a single 01", () => {
  assert.deepEqual(cobsEncode(new Uint8Array(0)), hex("01"));
  assert.deepEqual(cobsDecode(hex("01")), new Uint8Array(0));
});

function checkRoundTrip(data: Uint8Array) {
  const enc = cobsEncode(data);
  assert.ok(!enc.includes(0), `encoding of ${data.length} bytes contains 00`);
  assert.ok(enc.length <= cobsMaxEncodedLength(data.length), `${enc.length} > bound for ${data.length}`);
  assert.deepEqual(cobsDecode(enc), data);
}

test("round trips: non-zero runs around the 254-byte block size", () => {
  for (const n of [1, 253, 254, 255, 256, 507, 508, 509, 762, 1024]) {
    const run = Uint8Array.from({ length: n }, (_, i) => (i % 255) + 1);
    checkRoundTrip(run);
    checkRoundTrip(cat(run, hex("00")));
    checkRoundTrip(cat(hex("00"), run));
    checkRoundTrip(cat(run, hex("00"), run));
  }
  // Worst case overhead is reached by long non-zero data: n + ceil(n/254).
  assert.equal(cobsEncode(new Uint8Array(1024).fill(7)).length, 1024 + 5);
});

test("round trips: all-zero data", () => {
  for (const n of [1, 2, 253, 254, 255, 1024]) {
    const enc = cobsEncode(new Uint8Array(n));
    assert.equal(enc.length, n + 1);
    assert.ok(enc.every((b) => b === 1));
    assert.deepEqual(cobsDecode(enc), new Uint8Array(n));
  }
});

test("round trips: random data with varying zero density", () => {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let k = 0; k < 300; k++) {
    const n = Math.floor(rnd() * 1200);
    const pZero = [0, 0.001, 0.01, 0.3, 0.9][k % 5]!;
    const data = Uint8Array.from({ length: n }, () => (rnd() < pZero ? 0 : 1 + Math.floor(rnd() * 255)));
    checkRoundTrip(data);
  }
});

test("malformed input is rejected", () => {
  assert.throws(() => cobsDecode(hex("05 11 22")), CobsError, "code points past the end");
  assert.throws(() => cobsDecode(hex("03 11 00 22")), CobsError, "00 inside data");
  assert.throws(() => cobsDecode(hex("02 11 00")), CobsError, "00 as a code byte");
  assert.throws(() => cobsDecode(new Uint8Array(0)), CobsError, "empty input");
  assert.throws(() => cobsDecode(cat(hex("ff"), range(1, 0xfd))), CobsError, "short full block");
});
