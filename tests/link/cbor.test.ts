// Link bodies against RFC 8949 Appendix A vectors, the §4.2.1 key order, and independent
// decoders (cbor-x, plain cborg) as oracles; plus the strict decoder's refusals.
import { test } from "vitest";
import assert from "node:assert/strict";
import { Encoder as CborxEncoder, decode as cborxDecode } from "cbor-x";
import { decode as cborgDecode } from "cborg";
import { decodeBody, encodeBody } from "../../host-tools/src/link/cbor.ts";
import { isTapkitError } from "../../host-tools/src/errors/index.ts";
import { CBOR, reviveBytes } from "../vectors/vectors.ts";

const BodyError = (e: unknown) => isTapkitError(e, "BAD_BODY");

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// RFC 8949 Appendix A: value -> encoding (tests/vectors/cbor.json, shared with the firmware tests). Bodies are maps, so each value is wrapped as {"a": value}
// (prefix a1 61 61).
const appendixA: Array<[unknown, string]> = CBOR.values.vectors.map((v) => [reviveBytes(v.value), v.hex]);

for (const [value, encoding] of appendixA) {
  test(`RFC 8949 Appendix A: ${encoding}`, () => {
    const bytes = encodeBody({ a: value });
    assert.equal(toHex(bytes), `a16161${encoding}`);
    assert.deepEqual(decodeBody(bytes), { a: value });
  });
}

test("top-level Appendix A maps encode exactly", () => {
  assert.equal(toHex(encodeBody({})), "a0");
  assert.equal(toHex(encodeBody({ b: [2, 3], a: 1 })), "a26161016162820203");
});

test("keys sort by the bytewise order of their encodings (RFC 8949 §4.2.1): shorter first", () => {
  // "b" (61 62) < "aa" (62 61 61) because the length is in the first byte; "z" < "aa" too.
  assert.equal(toHex(encodeBody({ aa: 2, b: 1, a: 3, z: 4 })), "a4" + "616103" + "616201" + "617a04" + "62616102");
  // 23-byte key (77 ...) sorts before a 24-byte key (78 18 ...).
  const k23 = "k".repeat(23);
  const k24 = "a".repeat(24);
  const enc = encodeBody({ [k24]: 1, [k23]: 2 });
  assert.equal(toHex(enc.subarray(0, 2)), "a277");
});

test("integers use the shortest form at every boundary", () => {
  const cases: Array<[number, string]> = [
    [23, "17"],
    [24, "1818"],
    [255, "18ff"],
    [256, "190100"],
    [65535, "19ffff"],
    [65536, "1a00010000"],
    [4294967295, "1affffffff"],
    [4294967296, "1b0000000100000000"],
    [-24, "37"],
    [-25, "3818"],
    [-256, "38ff"],
    [-257, "390100"],
  ];
  for (const [n, e] of cases) assert.equal(toHex(encodeBody({ a: n })), `a16161${e}`, String(n));
});

test("cbor-x and cborg decode our output to the same value", () => {
  let seed = 99;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  const value = (depth: number): unknown => {
    switch (rnd(depth > 2 ? 5 : 7)) {
      case 0:
        return rnd(2 ** 31) - 2 ** 30;
      case 1:
        return "s".repeat(rnd(30)) + String(rnd(1000));
      case 2:
        return Uint8Array.from({ length: rnd(40) }, () => rnd(256));
      case 3:
        return rnd(2) === 0;
      case 4:
        return null;
      case 5:
        return Array.from({ length: rnd(5) }, () => value(depth + 1));
      default:
        return map(depth + 1);
    }
  };
  const map = (depth: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: rnd(8) }, (_, i) => [`k${rnd(100)}_${i}`, value(depth)]));
  const norm = (v: unknown): unknown =>
    v instanceof Uint8Array
      ? Array.from(v)
      : Array.isArray(v)
        ? v.map(norm)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]))
          : v;
  for (let k = 0; k < 100; k++) {
    const body = map(0);
    const bytes = encodeBody(body);
    assert.deepEqual(norm(cborxDecode(bytes)), norm(body));
    assert.deepEqual(norm(cborgDecode(bytes)), norm(body));
    assert.deepEqual(norm(decodeBody(bytes)), norm(body));
  }
});

test("decodes maps encoded by cbor-x in shortest form; refuses its default 16-bit map header", () => {
  const body = { op: "ping", data: new Uint8Array([1, 2, 3]), n: 70000, neg: -5, list: [1, "x", true] };
  const shortest = new CborxEncoder({ useRecords: false, variableMapSize: true, tagUint8Array: false }).encode(body);
  const got = decodeBody(shortest);
  assert.deepEqual({ ...got, data: Array.from(got.data as Uint8Array) }, { ...body, data: [1, 2, 3] });
  // By default cbor-x writes maps as b9 00 05 (length in 2 bytes): not shortest form, so strict decoding refuses it.
  const padded = new CborxEncoder({ useRecords: false, tagUint8Array: false }).encode(body);
  assert.equal(toHex(padded.subarray(0, 3)), "b90005");
  assert.throws(() => decodeBody(padded), BodyError);
});

test("empty body means {}", () => {
  assert.deepEqual(decodeBody(new Uint8Array(0)), {});
});

test("unsorted keys are accepted (the doc says decoders do not reject them)", () => {
  assert.deepEqual(decodeBody(hex("a2 6162 01 6161 02")), { b: 1, a: 2 });
});

// tests/vectors/cbor.json, shared with the firmware tests
const rejects: Array<[string, string]> = CBOR.rejects.vectors.map((v) => [v.name, v.hex]);

for (const [name, h] of rejects) {
  test(`strict decoder rejects ${name}`, () => {
    assert.throws(() => decodeBody(hex(h)), BodyError);
  });
}

test("encoder refuses what the decoder would reject", () => {
  assert.throws(() => encodeBody({ a: 1.5 }), BodyError);
  assert.throws(() => encodeBody({ a: NaN }), BodyError);
  assert.throws(() => encodeBody({ a: undefined }), BodyError);
  assert.throws(() => encodeBody([1, 2] as unknown as Record<string, unknown>), BodyError);
});
