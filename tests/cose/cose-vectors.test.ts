// The host's COSE_Sign1 code against the COSE Working Group's published examples
// (tests/vectors/cose-sign1.json): the Sig_structure bytes equal the examples' ToBeSign
// intermediates, signatures verify, and our strict profile ({1: alg, 4: kid} protected,
// empty unprotected, tag 18) refuses every example, since each carries an unprotected kid,
// another protected header or no tag. cbor-x (an outside decoder) takes the examples apart.
// The firmware's twin (firmware/codec/cose) is checked where it runs: vouchers the card signs
// verify on the host with @noble, certificates the host signs verify on the card (tests/wallet).
import { test } from "vitest";
import assert from "node:assert/strict";
import { Tag, decode } from "cbor-x";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { decodeSign1, sigStructure } from "../../host-tools/src/cose/cose-sign1.ts";
import { COSE_ALG_EDDSA, verifyStrict } from "../../host-tools/src/cose/sig-alg.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { COSE_SIGN1, fromHex } from "../vectors/vectors.ts";

/** [protected, unprotected, payload, signature] of a COSE_Sign1, tagged or not, read by cbor-x. */
function parts(cbor: Uint8Array): { tag: number | null; prot: Uint8Array; payload: Uint8Array; sig: Uint8Array } {
  const v = decode(cbor) as Tag | unknown[];
  const arr = (v instanceof Tag ? v.value : v) as Uint8Array[];
  return { tag: v instanceof Tag ? v.tag : null, prot: arr[0], payload: arr[2], sig: arr[3] };
}

const P256_N = p256.Point.CURVE().n;

test("vector file: 3 pass and 6 fail examples, each naming the file it came from", () => {
  assert.match(COSE_SIGN1.source, /cose-wg\/Examples/);
  assert.equal(COSE_SIGN1.pass.length, 3);
  assert.equal(COSE_SIGN1.fail.length, 6);
  for (const v of [...COSE_SIGN1.pass, ...COSE_SIGN1.fail]) assert.match(v.file, /^(eddsa-examples|sign1-tests)\/.+\.json$/);
});

for (const v of COSE_SIGN1.pass) {
  test(`${v.file}: our Sig_structure is the example's ToBeSign and the signature verifies`, () => {
    const p = parts(fromHex(v.cbor));
    const tbs = sigStructure(p.prot, p.payload, fromHex(v.external));
    assert.equal(Buffer.from(tbs).toString("hex"), v.tbs);
    const pub = fromHex(v.pub);
    if (v.alg === COSE_ALG_EDDSA) {
      assert.ok(ed25519.verify(p.sig, tbs, pub), "noble");
      assert.equal(verifyStrict(v.alg, pub, tbs, p.sig), true);
    } else {
      assert.ok(p256.verify(p.sig, tbs, pub, { prehash: true, lowS: false, format: "compact" }), "noble (any S)");
      // Ours accepts only the low-S form, so one signature has one encoding (no malleation).
      const s = BigInt(`0x${Buffer.from(p.sig.subarray(32)).toString("hex")}`);
      assert.equal(verifyStrict(v.alg, pub, tbs, p.sig), s <= P256_N >> 1n);
    }
    // One altered payload byte breaks it.
    const bad = Uint8Array.from(tbs);
    bad[bad.length - 1] ^= 1;
    assert.equal(verifyStrict(v.alg, pub, bad, p.sig), false);
  });

  test(`${v.file}: our strict profile refuses it with a COSE code (${v.title})`, () => {
    assert.throws(
      () => decodeSign1(fromHex(v.cbor), v.file),
      (e: unknown) => e instanceof TapkitError && /^COSE_(SHAPE|HEADER)$/.test(e.code),
    );
  });
}

for (const v of COSE_SIGN1.fail) {
  test(`${v.file}: refused (${v.title})`, () => {
    const bytes = fromHex(v.cbor);
    let refusedByProfile = false;
    try {
      decodeSign1(bytes, v.file);
    } catch (e) {
      assert.ok(e instanceof TapkitError && /^(COSE|CBOR)_/.test(e.code), String(e));
      refusedByProfile = true;
    }
    if (refusedByProfile) return;
    const p = parts(bytes);
    assert.equal(verifyStrict(v.alg, fromHex(v.pub), sigStructure(p.prot, p.payload), p.sig), false);
  });
}
