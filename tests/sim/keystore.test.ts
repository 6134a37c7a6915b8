// Keystore crypto against published vectors (RFC 4493 CMAC, FIPS-197 AES-128) and against
// @noble in both directions, plus slot rules, persistence of keystore.json (with its
// warning) and the volatile session slots.

import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { aesCmac } from "../../host-tools/src/sim/aes-cmac.ts";
import { Keystore } from "../../host-tools/src/sim/keystore.ts";
import { loadBoardJson, tempStateDir, halCode } from "./sim-fixture.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ""), "hex"));
const board = loadBoardJson("sim-plaque");

test("AES-CMAC: the four RFC 4493 §4 examples", () => {
  const key = hex("2b7e1516 28aed2a6 abf71588 09cf4f3c");
  const m = hex(
    "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710",
  );
  assert.deepEqual(aesCmac(key, m.subarray(0, 0)), hex("bb1d6929 e9593728 7fa37d12 9b756746"));
  assert.deepEqual(aesCmac(key, m.subarray(0, 16)), hex("070a16b4 6b4d4144 f79bdd9d d04a287c"));
  assert.deepEqual(aesCmac(key, m.subarray(0, 40)), hex("dfa66747 de9ae630 30ca3261 1497c827"));
  assert.deepEqual(aesCmac(key, m.subarray(0, 64)), hex("51f0bebf 7e3b9d92 fc497417 79363cfe"));
});

test("AES-128 ECB: FIPS-197 Appendix C.1 through a slot, both directions", () => {
  const ks = new Keystore(board.keystore);
  ks.import(2, 3, hex("000102030405060708090a0b0c0d0e0f"));
  const ct = ks.aes(2, 0, null, hex("00112233445566778899aabbccddeeff"));
  assert.deepEqual(ct, hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
  assert.deepEqual(ks.aes(2, 1, null, ct), hex("00112233445566778899aabbccddeeff"));
});

test("Ed25519 and P-256: sim signs, noble verifies; noble signs, sim verifies; RFC 8032 test 1", () => {
  const ks = new Keystore(board.keystore);
  // RFC 8032 §7.1 TEST 1: empty message
  ks.import(0, 1, hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  assert.deepEqual(ks.publicKey(0), hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  assert.deepEqual(
    ks.sign(0, new Uint8Array(0)),
    hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
  );

  ks.generate(1, 2);
  const msg = new TextEncoder().encode("voucher #17: 5.00 EUR");
  const pub = ks.publicKey(1);
  for (let i = 0; i < 16; i++) {
    const m = Uint8Array.of(...msg, i);
    const sig = ks.sign(1, m);
    assert.equal(sig.length, 64);
    assert.ok(p256.verify(sig, m, pub, { lowS: true }), "low-S compact signature over SHA-256(m)");
    assert.equal(ks.verify(2, pub, m, sig), 1);
    m[0] ^= 1;
    assert.equal(ks.verify(2, pub, m, sig), 0);
  }
  const sk = p256.utils.randomSecretKey();
  const theirs = p256.sign(msg, sk, { lowS: false });
  assert.equal(ks.verify(2, p256.getPublicKey(sk, false), msg, theirs), 1);
  assert.equal(ks.verify(2, p256.getPublicKey(sk, true), msg, theirs), 1, "compressed public key");
  assert.equal(ks.verify(2, new Uint8Array(65).fill(4), msg, theirs), 0, "not a curve point");
  const edSk = ed25519.utils.randomSecretKey();
  assert.equal(ks.verify(1, ed25519.getPublicKey(edSk), msg, ed25519.sign(msg, edSk)), 1);
});

test("slot rules: range, empty, algorithm mismatch, board algorithms", () => {
  const cardOnlyEd = new Keystore({ slots: 2, algorithms: ["ed25519"] });
  const code = halCode;
  assert.equal(
    code(() => cardOnlyEd.generate(0, 2)),
    -6,
    "board lacks P-256",
  );
  assert.equal(
    code(() => cardOnlyEd.generate(2, 1)),
    -2,
  );
  assert.equal(
    code(() => cardOnlyEd.sign(1, new Uint8Array(1))),
    -5,
  );
  cardOnlyEd.generate(0, 1);
  assert.equal(
    code(() => cardOnlyEd.cmac(0, new Uint8Array(1))),
    -6,
  );
  assert.equal(
    code(() => cardOnlyEd.deriveCmac(0, new Uint8Array(1), 128)),
    -6,
  );
});

test("keystore.json keeps persistent slots with a clear warning; volatile slots are never saved", (t) => {
  const dir = tempStateDir(t);
  const a = new Keystore(board.keystore, { stateDir: dir });
  assert.ok(a.isEmpty);
  a.generate(0, 1, { label: "demo device key", demo: true });
  a.import(2, 3, hex("000102030405060708090a0b0c0d0e0f"));
  a.deriveCmac(2, new Uint8Array(16), 130);
  assert.equal(a.info(130), 3);
  const file = JSON.parse(readFileSync(join(dir, "keystore.json"), "utf8"));
  assert.match(file.warning, /SIMULATOR.*clear/);
  assert.deepEqual(Object.keys(file.slots).sort(), ["0", "2"]);
  assert.equal(file.slots["0"].demo, true);

  const b = new Keystore(board.keystore, { stateDir: dir });
  assert.deepEqual(b.publicKey(0), a.publicKey(0));
  assert.deepEqual(b.describe(0), { alg: "ed25519", label: "demo device key", demo: true });
  assert.equal(b.info(130), 0, "volatile slot not restored");
  a.clearVolatile();
  assert.equal(a.info(130), 0);
  assert.equal(a.info(2), 3);
});
